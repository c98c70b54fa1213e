"""Reading CSV (UTF-8) and XLSX (first sheet) files as a header and numbered rows of text."""

from __future__ import annotations

import csv
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from ombuds.errors import OmbudsError


class UnreadableFile(OmbudsError):
    """The file cannot be read at all; the message names it, the line reached, and why."""

    def __init__(self, path: Path, line: int, reason: str):
        self.path, self.line, self.reason = str(path), line, reason
        super().__init__(f"{path}:{line}: file: {reason}")


def column_key(name: object) -> str:
    """Column names match case-insensitively; spaces and hyphens count as underscores."""
    return "_".join(str(name or "").strip().casefold().replace("-", " ").split())


@contextmanager
def open_table(path: Path, progress: Progress | None = None) -> Iterator[tuple[list[str], Iterator]]:
    """Yield (original header, rows), rows being (line number, list of cell texts); the header is line 1."""
    if not path.is_file():
        raise UnreadableFile(path, 1, "no such file")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        with _xlsx(path) as table:
            yield table
    else:
        with _csv(path, progress) as table:
            yield table


@contextmanager
def _csv(path: Path, progress: Progress | None):
    handle = progress.open(path, "rb", description=path.name) if progress else open(path, "rb")  # noqa: SIM115
    try:
        reader = csv.reader(_decoded_lines(path, handle))
        try:
            header = next(reader, None)
        except csv.Error as error:
            raise UnreadableFile(path, 1, f"malformed CSV ({error})") from None
        if header is None:
            raise UnreadableFile(path, 1, "empty, with no header row")
        yield header, _csv_rows(path, reader)
    finally:
        handle.close()


def _decoded_lines(path: Path, handle) -> Iterator[str]:
    """Decode line by line, so that a byte that is not UTF-8 is reported on its own line."""
    for number, raw in enumerate(handle, start=1):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise UnreadableFile(path, number, f"not UTF-8 text ({error.reason})") from None
        yield text.removeprefix("\ufeff") if number == 1 else text


def _csv_rows(path: Path, reader) -> Iterator[tuple[int, list[str]]]:
    line = reader.line_num
    try:
        for row in reader:
            yield line + 1, row
            line = reader.line_num
    except csv.Error as error:
        raise UnreadableFile(path, line + 1, f"malformed CSV ({error})") from None


@contextmanager
def _xlsx(path: Path):
    from openpyxl import load_workbook  # imported here: only XLSX imports pay for it

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise UnreadableFile(path, 1, f"not a readable XLSX workbook ({error})") from None
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise UnreadableFile(path, 1, "the first sheet is empty, with no header row")
        yield [_cell(v) for v in header], (
            (number, [_cell(v) for v in values]) for number, values in enumerate(rows, start=2)
        )
    finally:
        workbook.close()


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def progress_bar(enabled: bool) -> Progress | None:
    if not enabled:
        return None
    return Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                    TimeRemainingColumn(), transient=True, console=Console(stderr=True))
