"""Hostile workbooks just under the documented unpacked-size limits (issue 18): `ombuds import` of each, in its own
process, with its peak resident memory (the kernel's high-water mark for the child, `ru_maxrss`). Target: every one
refused or imported with a peak under PEAK_MB, and one just over the limit refused with one line.

Shapes, each a few MB on disk: a sheet padded with whitespace between rows, a sheet of empty rows, one cell holding
one huge string, shared strings of many short distinct strings (openpyxl holds them all), and many real rows.

    python bench/workbooks.py [--only NAME ...] [--keep]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

from ombuds.ingest.workbook_limits import (
    MAX_KEPT_ELEMENTS,
    MAX_KEPT_TEXT_BYTES,
    MAX_ROWS,
    MAX_SHARED_STRINGS,
    MAX_SHARED_STRINGS_BYTES,
    MAX_STRETCH_BYTES,
    MAX_UNPACKED_BYTES,
)

OMBUDS = str(Path(sys.executable).parent / "ombuds")
PEAK_MB = 400
MARGIN = 64 << 10  # how far under the limit each workbook's parts add up to
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
HEADER = ("reference", "authority", "received_date", "service_area")

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
    'sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>')
WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{NS}" xmlns:r="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships"><sheets><sheet name="Cases" sheetId="1" r:id="rId1"/></sheets></workbook>')
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
FIXED = {"[Content_Types].xml": CONTENT_TYPES, "_rels/.rels": ROOT_RELS, "xl/workbook.xml": WORKBOOK,
         "xl/_rels/workbook.xml.rels": WORKBOOK_RELS}


def _row(number: int, values: tuple[str, ...]) -> str:
    cells = "".join(f'<c t="inlineStr"><is><t>{v}</t></is></c>' for v in values)
    return f'<row r="{number}">{cells}</row>'


SHEET_OPEN = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{NS}"><sheetData>{_row(1, HEADER)}'
SHEET_CLOSE = "</sheetData></worksheet>"
STRINGS_EMPTY = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{NS}" count="0" uniqueCount="0"></sst>'


def _fill(budget: int, first: str, pieces: Iterator[str], last: str) -> Iterator[bytes]:
    """first, then pieces while they fit in the budget (bytes), then last."""
    used = len(first) + len(last)
    yield first.encode()
    chunk: list[str] = []
    size = 0
    for piece in pieces:
        if used + len(piece) > budget:
            break
        used += len(piece)
        chunk.append(piece)
        size += len(piece)
        if size > 1 << 20:
            yield "".join(chunk).encode()
            chunk, size = [], 0
    yield "".join(chunk).encode()
    yield last.encode()


def _repeat(text: str) -> Iterator[str]:
    while True:
        yield text


def _counted(template: Callable[[int], str], start: int = 2) -> Iterator[str]:
    n = start
    while True:
        yield template(n)
        n += 1


def _sheet_budget(total: int) -> int:
    return total - sum(len(v) for v in FIXED.values()) - len(STRINGS_EMPTY)


def _sheet(pieces: Iterator[str], budget: int = MAX_UNPACKED_BYTES - MARGIN) -> dict[str, Iterator[bytes]]:
    return {"xl/worksheets/sheet1.xml": _fill(_sheet_budget(budget), SHEET_OPEN, pieces, SHEET_CLOSE),
            "xl/sharedStrings.xml": iter([STRINGS_EMPTY.encode()])}


def _limited(pieces: Iterator[str], count: int) -> Iterator[str]:
    for _, piece in zip(range(count), pieces, strict=False):
        yield piece


def row_tails() -> dict[str, Iterator[bytes]]:
    """Rows with whitespace after each, just under the text kept between rows."""
    stretch = MAX_STRETCH_BYTES - 4096
    count = (MAX_KEPT_TEXT_BYTES - MARGIN) // stretch
    return _sheet(_limited(_counted(lambda n: _row(n, (f"P-{n}", "Stevenage", "2023-05-01", "Housing"))
                                    + " " * stretch), count))


def empty_rows() -> dict[str, Iterator[bytes]]:
    """Just under the most rows, none with a cell."""
    return _sheet(_limited(_counted(lambda n: f'<row r="{n}"/>'), MAX_ROWS - 2))


def real_rows() -> dict[str, Iterator[bytes]]:
    """Just under the most rows: distinct, valid received cases, each row with a height (as Excel writes them)."""
    councils = ("Stevenage", "Kent", "Birmingham", "Leeds", "Cornwall")

    def row(n: int) -> str:
        cells = "".join(f'<c t="inlineStr"><is><t>{v}</t></is></c>' for v in (
            f"R-{n:08d}", councils[n % 5], f"2023-{4 + n % 9:02d}-{1 + n % 28:02d}", "Housing"))
        return f'<row r="{n}" spans="1:4" ht="15" customHeight="1">{cells}</row>'
    return _sheet(_limited(_counted(row), MAX_ROWS - 2))


def huge_cells() -> dict[str, Iterator[bytes]]:
    """Rows each with one cell just under the longest stretch, up to the unpacked limit."""
    text = "x" * (MAX_STRETCH_BYTES - 4096)
    return _sheet(_counted(lambda n: _row(n, (f"H-{n}", "Stevenage", "2023-05-01", text))))


def many_strings() -> dict[str, Iterator[bytes]]:
    """Just under the most shared strings, distinct, filling just under their byte limit."""
    width = (MAX_SHARED_STRINGS_BYTES - MARGIN) // MAX_SHARED_STRINGS - len("<si><t></t></si>")
    opening = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{NS}">'
    sheet = SHEET_OPEN + _row(2, ("S-1", "Stevenage", "2023-05-01", "Housing")) + SHEET_CLOSE
    strings = _limited(_counted(lambda n: f"<si><t>{n:0{width}x}</t></si>", 0), MAX_SHARED_STRINGS - 1)
    return {"xl/worksheets/sheet1.xml": iter([sheet.encode()]),
            "xl/sharedStrings.xml": _fill(MAX_SHARED_STRINGS_BYTES, opening, strings, "</sst>")}


def outside_rows() -> dict[str, Iterator[bytes]]:
    """Just under the most elements outside rows (openpyxl keeps each), after one real row."""
    return _sheet(_limited(_counted(lambda n: _row(2, ("O-1", "Stevenage", "2023-05-01", "Housing")) if n == 2
                                    else "<x/>"), MAX_KEPT_ELEMENTS - 4))


def over_the_limit() -> dict[str, Iterator[bytes]]:
    """Whitespace between two rows until the workbook unpacks to just over the limit (the attack: about 1 MB)."""
    return _sheet(_repeat(" " * 4096), MAX_UNPACKED_BYTES + MARGIN)


SHAPES = {"row-tails": row_tails, "empty-rows": empty_rows, "real-rows": real_rows, "huge-cells": huge_cells,
          "many-strings": many_strings, "outside-rows": outside_rows, "over-the-limit": over_the_limit}


def write(path: Path, parts: dict[str, Iterator[bytes]]) -> int:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as book:
        for name, text in FIXED.items():
            book.writestr(name, text)
        for name, chunks in parts.items():
            with book.open(name, "w", force_zip64=True) as part:
                for chunk in chunks:
                    part.write(chunk)
    with zipfile.ZipFile(path) as book:
        return sum(item.file_size for item in book.infolist())


def import_peak(path: Path, db: str) -> tuple[int, float, float, tuple[str, str]]:
    """`ombuds import` of one file in its own process: exit status, seconds, its peak resident MB (from wait4, the
    child's own high-water mark), the first and last lines it printed."""
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as output:
        child = subprocess.Popen([OMBUDS, "--db", db, "import", str(path)], stdout=output, stderr=output)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        lines = output.read().strip().splitlines() or [""]
    return child.returncode, time.perf_counter() - started, usage.ru_maxrss / 1024, (lines[0], lines[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", choices=sorted(SHAPES), default=sorted(SHAPES))
    parser.add_argument("--keep", action="store_true", help="keep the workbooks and databases (printed folder)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="ombuds-bench-workbooks-"))
    print(f"Limits: {MAX_UNPACKED_BYTES:,} bytes unpacked, {MAX_ROWS:,} rows, {MAX_SHARED_STRINGS:,} shared strings "
          f"in {MAX_SHARED_STRINGS_BYTES:,} bytes; target peak < {PEAK_MB} MB (memory, not time: the machine is "
          "shared)")
    failed = []
    for name in args.only:
        path = folder / f"{name}.xlsx"
        unpacked = write(path, SHAPES[name]())
        status, seconds, peak, (first, last) = import_peak(path, f"sqlite:///{folder / (name + '.db')}")
        refused = status == 1 and first.startswith(f"{path}:1: file: ") and last.endswith("nothing was imported")
        held = peak < PEAK_MB and (refused if name == "over-the-limit" else status in (0, 1))
        print(f"{name:>14}: {path.stat().st_size / 1e6:6.1f} MB on disk, {unpacked:>13,} unpacked; exit {status} in "
              f"{seconds:5.1f} s, peak {peak:6.1f} MB  {'held' if held else 'FAILED'}\n{'':>16}{first[-150:]}")
        failed += [] if held else [name]
        if not args.keep:
            path.unlink()
    if args.keep:
        print(f"kept in {folder}")
    sys.exit(f"failed: {', '.join(failed)}" if failed else 0)


if __name__ == "__main__":
    main()
