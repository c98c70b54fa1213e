"""What is wrong with an input file, as `FILE:LINE: column: reason`, and the error that lists every problem.

Kept apart from the import itself so that the command line can catch ImportFailed without loading the store."""

from __future__ import annotations

from dataclasses import dataclass

from ombuds.errors import OmbudsError

LISTED = 100  # problems listed in full; the rest are counted


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        """One line, whatever the quoted text holds: line breaks in it are shown as escapes (\\n)."""
        return f"{self.file}:{self.line}: {self.column.translate(_BREAKS)}: {self.reason.translate(_BREAKS)}"


_BREAKS = {ord(c): repr(c)[1:-1] for c in "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"}
"""What str.splitlines() breaks a line at, each as its escape."""


class ImportFailed(OmbudsError):
    """Every problem is kept in `problems`; the message lists the first LISTED and counts the rest."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        lines = [str(p) for p in problems[:LISTED]]
        if len(problems) > LISTED:
            lines.append(f"… and {plural(len(problems) - LISTED, 'more problem')}, not listed")
        super().__init__("\n".join([*lines, f"{plural(len(problems), 'problem')} found; nothing was imported"]))


def plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'s' if count != 1 else ''}"
