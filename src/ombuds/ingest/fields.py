"""Checking one row's fields. Each check returns the clean value or None, noting (column, reason) problems."""

from __future__ import annotations

import re
from datetime import date

from ombuds.labels import label_key
from ombuds.registry import Authority, AuthorityNotFound, Registry
from ombuds.registry.lookup import lifespan, pick_by_date

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DAY_FIRST = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_YES = frozenset({"yes", "true", "1", "y"})
_NO = frozenset({"no", "false", "0", "n", ""})
MAX_REFERENCE = 40  # the width of the reference columns in the store
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


class RowCheck:
    """Collects the problems of the row being checked; reused row after row."""

    def __init__(self, registry: Registry):
        self.registry = registry
        self.problems: list[tuple[str, str]] = []
        self._names: dict[str, list[Authority] | str] = {}

    def problem(self, column: str, reason: str) -> None:
        self.problems.append((column, reason))

    def text(self, row: dict[str, str], column: str, *, required: bool = True) -> str | None:
        value = row.get(column, "").strip()
        if not value:
            if required:
                self.problem(column, "required, but empty")
            return None
        return value

    def reference(self, row: dict[str, str]) -> str | None:
        value = self.text(row, "reference")
        if value is not None and len(value) > MAX_REFERENCE:
            self.problem("reference", f"longer than {MAX_REFERENCE} characters")
            return None
        return value

    def date(self, row: dict[str, str], column: str) -> date | None:
        value = self.text(row, column)
        if value is None:
            return None
        match = _ISO.match(value)
        if match:
            year, month, day = int(match[1]), int(match[2]), int(match[3])
        else:
            match = _DAY_FIRST.match(value)
            if not match:
                self.problem(column, f"malformed date '{value}': use 2019-07-24 or 24/07/2019")
                return None
            day, month, year = int(match[1]), int(match[2]), int(match[3])
        try:
            return date(year, month, day)
        except ValueError:
            self.problem(column, f"impossible date '{value}'")
            return None

    def choice(self, row: dict[str, str], column: str, labels: dict[str, str], *, required: bool = True,
               default: str | None = None) -> str | None:
        value = self.text(row, column, required=required and default is None)
        if value is None:
            return default
        label = labels.get(label_key(value))
        if label is None:
            self.problem(column, f"unknown value '{value}': expected one of {', '.join(labels.values())}")
        return label

    def flag(self, row: dict[str, str], column: str) -> bool:
        value = row.get(column, "").strip().casefold()
        if value in _YES:
            return True
        if value not in _NO:
            self.problem(column, f"'{row[column].strip()}' is not yes or no")
        return False

    def count(self, row: dict[str, str], column: str) -> int | None:
        value = self.text(row, column)
        if value is None:
            return None
        digits = value.replace(",", "")
        if re.fullmatch(r"-\d+", digits):
            self.problem(column, f"negative number '{value}'")
            return None
        if re.fullmatch(r"\d+(\.0+)?", digits):
            return int(float(digits))
        self.problem(column, f"'{value}' is not a whole number")
        return None

    def email(self, row: dict[str, str], column: str) -> str | None:
        value = self.text(row, column, required=False)
        if value is not None and not _EMAIL.match(value):
            self.problem(column, f"'{value}' is not an email address")
        return value

    def authority(self, row: dict[str, str], column: str, on: date | None, *, case: bool = True) -> str | None:
        """The authority's code; for a case, it must have existed on the case's date (cases outlive councils)."""
        value = self.text(row, column)
        if value is None:
            return None
        found = self._names.get(value)
        if found is None:
            found = self._names[value] = self.registry.candidates(value) or self._unknown(value)
        if isinstance(found, str):
            self.problem(column, found)
            return None
        if len(found) > 1 and on is not None:
            found = pick_by_date(found, on)
        if len(found) > 1:
            listed = "; ".join(f"{a.name} ({a.code}{lifespan(a)})" for a in found)
            self.problem(column, f"ambiguous authority '{value}': could be {listed}; use the GSS code")
            return None
        authority = found[0]
        if case and on is not None:
            reason = authority.lifetime_problem(on)
            if reason:
                self.problem(column, reason)
                return None
        return authority.code

    def _unknown(self, value: str) -> str:
        try:
            self.registry.resolve(value)
        except AuthorityNotFound as error:
            return str(error)
        raise AssertionError("resolve found what candidates did not")
