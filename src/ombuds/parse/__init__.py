"""Reading published letters and statistics pages (text, HTML or PDF) back into the SPEC 2.3 shape."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ombuds.parse.documents import parse_document, parse_text
from ombuds.parse.text import UnreadableDocument

__all__ = ["ParseResults", "UnreadableDocument", "parse_document", "parse_files", "parse_text"]


@dataclass
class ParseResults:
    documents: list[dict] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def parse_files(paths: list[Path | str]) -> ParseResults:
    """Parse every file; a file that cannot be read is listed and the others are still parsed."""
    results = ParseResults()
    for path in paths:
        try:
            document = parse_document(path)
        except UnreadableDocument as error:
            results.failures.append(str(error))
            continue
        if document["edition"] is None:
            results.notes.append(f"{path}: a letter whose statistics are missing: only its details were read")
        results.documents.append(document)
    return results
