"""A download's one sheet of plain values (text, numbers, true/false) as an XLSX workbook, written directly.

Our own rather than openpyxl's writer, which took a second for the all-years file (an element tree a cell), or
XlsxWriter's, which writes numbers to 16 significant digits: this writes each number as Python reads it back, the
same value as the CSV and JSON files, in a sixth of the time. The parts are those of a SpreadsheetML package with
one worksheet (ECMA-376: content types, relationships, workbook, sheet, a default style), which openpyxl and
Frictionless read in the tests; the bytes depend on the values alone (fixed zip dates)."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from itertools import product
from string import ascii_uppercase
from xml.sax.saxutils import escape

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships"
_OFFICE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_PARTS = {
    "[Content_Types].xml":
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{_OFFICE}.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_OFFICE}.worksheet+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{_OFFICE}.styles+xml"/></Types>',
    "_rels/.rels":
        f'<Relationships xmlns="{_PACKAGE}"><Relationship Id="rId1" Target="xl/workbook.xml" '
        f'Type="{_RELATIONSHIPS}/officeDocument"/></Relationships>',
    "xl/_rels/workbook.xml.rels":
        f'<Relationships xmlns="{_PACKAGE}">'
        f'<Relationship Id="rId1" Target="worksheets/sheet1.xml" Type="{_RELATIONSHIPS}/worksheet"/>'
        f'<Relationship Id="rId2" Target="styles.xml" Type="{_RELATIONSHIPS}/styles"/></Relationships>',
    "xl/styles.xml":
        f'<styleSheet xmlns="{_MAIN}"><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/>'
        '</fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>',
}
_FIXED_TIME = (2000, 1, 1, 0, 0, 0)
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # written as Excel's _xHHHH_ escape


def workbook(sheet: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """The workbook of one sheet named `sheet`: the header row, then `rows`; each value a str ("" an empty text
    cell, so every row keeps every column), a bool, an int or a float."""
    names = _column_names(len(header))
    lines = [f'<worksheet xmlns="{_MAIN}"><sheetData>', _row(1, names, header)]
    lines += (_row(number, names, row) for number, row in enumerate(rows, start=2))
    lines.append("</sheetData></worksheet>")
    book = f'<workbook xmlns="{_MAIN}" xmlns:r="{_RELATIONSHIPS}"><sheets><sheet name="{escape(sheet)}" ' \
           'sheetId="1" r:id="rId1"/></sheets></workbook>'
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in {**_PARTS, "xl/workbook.xml": book, "xl/worksheets/sheet1.xml": "".join(lines)}.items():
            entry = zipfile.ZipInfo(name, _FIXED_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, text.encode("utf-8"))
    return out.getvalue()


def _row(number: int, names: list[str], values: Sequence[object]) -> str:
    cells = "".join(_cell(f"{name}{number}", value) for name, value in zip(names, values, strict=True))
    return f'<row r="{number}">{cells}</row>'


def _cell(reference: str, value: object) -> str:
    if isinstance(value, str):
        if not value:
            return f'<c r="{reference}" t="inlineStr"/>'
        return f'<c r="{reference}" t="inlineStr"><is><t xml:space="preserve">{_text(value)}</t></is></c>'
    if isinstance(value, bool):
        return f'<c r="{reference}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{reference}"><v>{value!r}</v></c>'
    raise TypeError(f"a workbook cell holds text, a number or true/false, not {type(value).__name__}")


def _text(value: str) -> str:
    escaped = escape(value)
    return _NOT_IN_XML.sub(lambda found: f"_x{ord(found.group()):04X}_", escaped) if _NOT_IN_XML.search(escaped) \
        else escaped


def _column_names(count: int) -> list[str]:
    """A, B, …, Z, AA, AB, … for `count` columns."""
    names: list[str] = []
    width = 1
    while len(names) < count:
        names += ("".join(letters) for letters in product(ascii_uppercase, repeat=width))
        width += 1
    return names[:count]
