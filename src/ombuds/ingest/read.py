"""Reading CSV and XLSX files as numbered rows of text, with the header row found among the first rows.

CSV: UTF-8 with or without a byte-order mark, UTF-16 with one, or any named text encoding; the delimiter (comma,
semicolon or tab) is the one under which a header is found. XLSX: a named worksheet, or the first. Either way a
title or blank rows may stand above the header, and every row keeps its real line (or spreadsheet row) number.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from itertools import chain, islice, repeat
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from ombuds.errors import OmbudsError, not_a_file
from ombuds.ingest.workbook_limits import workbook_problem
from ombuds.schemes.keys import column_key  # noqa: F401  (ingest's modules take it from here)

HEADER_WITHIN = 20  # the header is looked for in this many first lines (or rows) of a file
DELIMITERS = (",", ";", "\t")
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 .xls (and other old Office files)
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)

if TYPE_CHECKING:
    from rich.progress import Progress

Rows = Iterator[tuple[int, list[str]]]
Rank = Callable[[list[str]], int]
"""How much a row of cells looks like a header: the highest wins, the first of equals; 0 is not a header."""


class UnreadableFile(OmbudsError):
    """The file cannot be read at all; the message names it, the line reached, and why."""

    def __init__(self, path: Path, line: int, reason: str):
        self.path, self.line, self.reason = str(path), line, reason
        super().__init__(f"{path}:{line}: file: {reason}")


@dataclass
class CsvFile:
    """What a column-by-column reader (ingest.columnar) needs to read a UTF-8 CSV file again from its start."""

    handle: BinaryIO
    delimiter: str


@dataclass
class Table:
    """A file's header row, its line number, and the rows below it as (line number, cell texts); for a UTF-8 CSV
    file, the file itself too."""

    header: list[str]
    line: int
    rows: Rows
    csv: CsvFile | None = None


def check_encoding(name: str | None) -> None:
    """An encoding name must be a known text encoding; this is said once, before any file is read."""
    if name is None:
        return
    try:
        "".encode(name)
    except LookupError:
        raise OmbudsError(f"unknown encoding '{name}': give a text encoding such as utf-8, cp1252 or latin-1") from None


@contextmanager
def open_table(path: Path, rank: Rank, progress: Progress | None = None, *, sheet: str | None = None,
               encoding: str | None = None) -> Iterator[Table]:
    """Open a CSV or XLSX file (told apart by content as well as by name) and find its header row."""
    problem = not_a_file(path)
    if problem is not None:
        raise UnreadableFile(path, 1, problem)
    start = _start(path)
    if start.startswith(_OLE):
        raise UnreadableFile(path, 1, "an Excel 97-2003 workbook (.xls), which cannot be read: save it as .xlsx "
                                      "or as CSV")
    if _is_workbook(path, start):
        with _xlsx(path, rank, sheet) as table:
            yield table
    else:
        with _csv(path, rank, progress, encoding, start) as table:
            yield table


def read_as_text(path: Path) -> bool:
    """Whether `open_table` would read the file as CSV text (not as a workbook, and not refused before reading)."""
    if not_a_file(path) is not None:
        return False
    start = _start(path)
    return not start.startswith(_OLE) and not _is_workbook(path, start)


def _start(path: Path) -> bytes:
    with open(path, "rb") as handle:
        return handle.read(len(_OLE))


def _is_workbook(path: Path, start: bytes) -> bool:
    return path.suffix.lower() in (".xlsx", ".xlsm") or start.startswith(_ZIP)


def _find_header(path: Path, rows: Rows, rank: Rank, empty: str = "empty, with no header row") -> Table:
    """The highest-ranking row among the first HEADER_WITHIN (the first of equals); if none ranks at all, the first
    row with anything in it, so that the problem is reported against what the file has."""
    seen: list[tuple[int, list[str]]] = []
    best, best_rank = None, 0
    for line, cells in rows:
        seen.append((line, cells))
        if any(cell.strip() for cell in cells):
            score = rank(cells)
            if best is None or score > best_rank:
                best, best_rank = len(seen) - 1, score
        if line >= HEADER_WITHIN:
            break
    if best is None:
        raise UnreadableFile(path, 1, empty)
    line, header = seen[best]
    return Table(header, line, chain(seen[best + 1:], rows))


@contextmanager
def _csv(path: Path, rank: Rank, progress: Progress | None, encoding: str | None, start: bytes):
    codec = _codec(encoding, start)
    raw = progress.open(path, "rb", description=path.name) if progress else open(path, "rb")  # noqa: SIM115
    text = io.TextIOWrapper(raw, encoding=codec, newline="")
    try:
        try:
            head = list(islice(text, HEADER_WITHIN))
        except UnicodeDecodeError:
            raise _undecodable(path, codec, encoding) from None
        if not head:
            raise UnreadableFile(path, 1, "empty, with no header row")
        head[0] = head[0].removeprefix("\ufeff")
        delimiter = _delimiter(head, rank)
        csv.field_size_limit(FIELD_LIMIT)  # the module's limit is process-wide, and other libraries raise it
        reader = csv.reader(chain(head, text), delimiter=delimiter)
        table = _find_header(path, _csv_rows(path, reader, codec, encoding), rank)
        if codec == "utf-8-sig":
            table.csv = CsvFile(raw, delimiter)
        yield table
    finally:
        text.close()


FIELD_LIMIT = 131_072  # characters: a longer value is refused as malformed (no column of ours holds that much)


def _codec(encoding: str | None, start: bytes) -> str:
    """UTF-8 by default (a byte-order mark is dropped), UTF-16 when the file starts with its byte-order mark."""
    if encoding is None:
        return "utf-16" if start.startswith(_UTF16_BOMS) else "utf-8-sig"
    return "utf-8-sig" if codecs.lookup(encoding).name == "utf-8" else encoding


def _delimiter(head: list[str], rank: Rank) -> str:
    """The delimiter under which the first lines hold the best header; failing that, the one that splits the first
    line with anything in it into the most fields. Quoted fields are read as quoted, whatever they contain."""
    best, best_score = DELIMITERS[0], (-1, -1)
    for delimiter in DELIMITERS:
        try:
            rows = [row for row in csv.reader(head, delimiter=delimiter) if any(cell.strip() for cell in row)]
        except csv.Error:
            continue
        score = (max((rank(row) for row in rows), default=0), len(rows[0]) if rows else 0)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _csv_rows(path: Path, reader, codec: str, encoding: str | None) -> Rows:
    line = reader.line_num
    try:
        for row in reader:
            yield line + 1, row
            line = reader.line_num
    except csv.Error as error:
        raise UnreadableFile(path, line + 1, f"malformed CSV ({error})") from None
    except UnicodeDecodeError:
        raise _undecodable(path, codec, encoding) from None


def _undecodable(path: Path, codec: str, encoding: str | None) -> UnreadableFile:
    """The file decodes in large blocks, so the line of the first bad byte is found again, line by line."""
    decoder = codecs.getincrementaldecoder(codec)()
    line, reason = 1, "cannot be decoded"
    with open(path, "rb") as handle:
        try:
            for raw in handle:
                line += decoder.decode(raw).count("\n")
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as error:
            reason = error.reason
    if encoding is None and codec == "utf-8-sig":
        return UnreadableFile(path, line, f"not UTF-8 text ({reason}); if it was saved by Excel, try --encoding "
                                          "cp1252")
    return UnreadableFile(path, line, f"not {encoding or 'UTF-16'} text ({reason})")


UNSAFE_XML = "not a readable XLSX workbook (its XML is malformed, or declares entities, which are never read)"


def _within_limits(path: Path, handle) -> None:
    """Refused before openpyxl reads it when reading it would not stay in bounded memory (ingest.workbook_limits)."""
    try:
        problem = workbook_problem(handle)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError, NotImplementedError) as error:
        raise UnreadableFile(path, 1, f"not a readable XLSX workbook ({error})") from None
    if problem:
        raise UnreadableFile(path, 1, problem)
    handle.seek(0)


def _workbook_rows(path: Path, worksheet) -> Iterator[tuple[int, list[str]]]:
    """The sheet's rows, numbered; XML that is not plain data (entities, a DTD) ends as the file's one error."""
    from defusedxml import DefusedXmlException

    number = 0
    try:
        for number, values in enumerate(worksheet.value_rows(), start=1):
            cells = [_cell(v) for v in values]
            longest = max(map(len, cells), default=0)
            if longest > FIELD_LIMIT:  # as in a CSV file: kept in memory until its batch is staged
                raise UnreadableFile(path, number, f"a cell of {longest:,} characters; at most {FIELD_LIMIT:,} are "
                                                   "read (no column holds that much)")
            yield number, cells
    except (DefusedXmlException, SyntaxError, ValueError, KeyError):
        raise UnreadableFile(path, number + 1, UNSAFE_XML) from None


@contextmanager
def _xlsx(path: Path, rank: Rank, sheet: str | None):
    from defusedxml import DefusedXmlException

    with open(path, "rb") as handle:  # a handle, not a name: openpyxl would refuse a workbook named .csv
        _within_limits(path, handle)
        try:
            workbook = _read_only_workbook(handle)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, SyntaxError, DefusedXmlException) as error:
            if isinstance(error, zipfile.BadZipFile | KeyError | OSError):
                raise UnreadableFile(path, 1, f"not a readable XLSX workbook ({error})") from None
            raise UnreadableFile(path, 1, UNSAFE_XML) from None
        try:
            _serial_dates(workbook)
            worksheet = _worksheet(path, workbook, sheet)
            rows = _workbook_rows(path, worksheet)
            yield _find_header(path, rows, rank, f"the sheet '{worksheet.title}' is empty, with no header row")
        finally:
            workbook.close()


def _read_only_workbook(handle: BinaryIO):
    """openpyxl's read-only workbook (values, not formulas) whose sheets take no stated size: a workbook's stated
    size may be wrong, so every row there is is read. openpyxl would look for the size when opening each sheet, and
    in a sheet that states none (openpyxl's own write-only workbooks) that look parses the whole sheet, a second
    pass over it (a third of a large workbook's reading)."""
    # imported here: only XLSX imports pay for openpyxl (defusedxml guards its XML)
    from openpyxl.packaging.relationship import get_dependents, get_rels_path
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    parser = _plain_text_parser()

    class UnsizedSheet(ReadOnlyWorksheet):
        def _get_size(self) -> None:
            """No size: its rows end where the sheet's XML does."""

        def value_rows(self) -> Iterator[tuple]:
            """Each row's values from the first column to its last cell, as openpyxl's `iter_rows(values_only=True)`
            gives them, the sheet parsed by `parser`: a row the sheet's XML leaves out comes as an empty row, and a
            row numbered out of order is skipped."""
            book = self.parent
            expected = 1
            with self._get_source() as source:
                for number, cells in parser(source, self._shared_strings, data_only=book.data_only, epoch=book.epoch,
                                            date_formats=book._date_formats,
                                            timedelta_formats=book._timedelta_formats).parse():
                    if number < expected:
                        continue
                    yield from repeat((), number - expected)
                    yield self._get_row(cells, 1, None, True)
                    expected = number + 1

    class RowsReader(ExcelReader):
        def read_worksheets(self) -> None:
            """As openpyxl's in read-only mode, with sheets of no stated size."""
            for found, rel in self.parser.find_sheets():
                if rel.target not in self.valid_files:
                    continue
                if "chartsheet" in rel.Type:
                    self.read_chartsheet(found, rel)
                    continue
                if get_rels_path(rel.target) in self.valid_files:  # read, and refused if unreadable, as openpyxl does
                    get_dependents(self.archive, get_rels_path(rel.target))
                worksheet = UnsizedSheet(self.wb, found.name, rel.target, self.shared_strings)
                worksheet.sheet_state = found.state
                self.wb._sheets.append(worksheet)

    reader = RowsReader(handle, read_only=True, data_only=True)
    reader.read()
    return reader.wb


def _plain_text_parser():
    """openpyxl's sheet parser, with a cell of plain inline text (`<is><t>text</t></is>`, as openpyxl's write-only
    mode writes every text) read straight from its one element: openpyxl builds its rich-text object for each
    (a third of reading such a sheet) only to join the one run it holds. Any other cell is openpyxl's to read."""
    from openpyxl.worksheet._reader import INLINE_STRING, WorkSheetParser
    from openpyxl.xml.functions import localname

    class PlainTextParser(WorkSheetParser):
        def parse_cell(self, element):
            if self.data_only and element.get("t") == "inlineStr":
                inline = element.find(INLINE_STRING)
                if inline is not None and not inline.attrib and len(inline) == 1 and localname(inline[0]) == "t":
                    text = inline[0].text or ""  # as openpyxl's Text(t=…).content
                    element.remove(inline)  # the cell's place and style read by openpyxl, as always
                    cell = super().parse_cell(element)
                    cell["value"], cell["data_type"] = text, "s"
                    return cell
            return super().parse_cell(element)

    return PlainTextParser


def _serial_dates(workbook) -> None:
    """Date cells as Excel keeps them, serial numbers of days (read as dates by `read_date`, whose day is the whole
    part): openpyxl rounds a date-time to the millisecond, which put 31 March 23:59:59.9999 on 1 April, in the next
    year. Only for the usual 1900 date system; a workbook counting from 1904 keeps openpyxl's dates."""
    from openpyxl.utils.datetime import WINDOWS_EPOCH

    if workbook.epoch == WINDOWS_EPOCH:
        workbook._date_formats = set()  # openpyxl's reader converts the cells whose style is in this set


def _worksheet(path: Path, workbook, sheet: str | None):
    """The sheet named (exactly, or else whatever the case), or the first; an unknown name lists the sheets."""
    sheets = workbook.worksheets
    if not sheets:
        raise UnreadableFile(path, 1, "the workbook has no worksheets")
    if sheet is None:
        return sheets[0]
    wanted = sheet.strip().casefold()
    found = [s for s in sheets if s.title == sheet] or [s for s in sheets if s.title.strip().casefold() == wanted]
    if not found:
        names = ", ".join(f"'{s.title}'" for s in sheets)
        raise UnreadableFile(path, 1, f"no sheet named '{sheet}'; the workbook's sheets are {names}")
    return found[0]


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
    from rich.console import Console  # imported here: only an import at a terminal draws a bar
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    return Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                    TimeRemainingColumn(), transient=True, console=Console(stderr=True))
