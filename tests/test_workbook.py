"""The downloads' XLSX writer: every value read back exactly as written (openpyxl, as spreadsheet tools read it),
text cells for empty strings, Excel's escape for characters XML cannot hold, and the same bytes each time."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest

from ombuds.stats.workbook import workbook

HEADER = [f"column {n}" for n in range(30)]  # past Z: AA, AB, AC, AD


def read(body: bytes) -> list[tuple]:
    return list(openpyxl.load_workbook(io.BytesIO(body), read_only=True)["statistics"].values)


def test_every_value_reads_back_as_written():
    rows = [["E07000223", "Adur & Worthing <District>", "  two spaces", True, False, 0, 64187, 10**15,
             0.11510791366906475, 1.2320117658109244, 57.0, -0.5, "", "Zoë O’Brien", "tab\there",
             *range(15)]]
    body = workbook("statistics", HEADER, rows)
    header, row = read(body)
    assert list(header) == HEADER
    assert list(row[:15]) == ["E07000223", "Adur & Worthing <District>", "  two spaces", True, False, 0, 64187,
                              10**15, 0.11510791366906475, 1.2320117658109244, 57, -0.5, None, "Zoë O’Brien",
                              "tab\there"]
    assert list(row[15:]) == list(range(15))
    sheet = zipfile.ZipFile(io.BytesIO(body)).read("xl/worksheets/sheet1.xml").decode()
    assert '<c r="M2" t="inlineStr"/>' in sheet  # the empty string keeps its cell, so every row has every column
    assert '<c r="AD2"><v>14</v></c>' in sheet


def test_a_character_xml_cannot_hold_is_written_as_excels_escape():
    body = workbook("statistics", ["a"], [["bell\x07 and \x1f"]])
    assert "bell_x0007_ and _x001F_" in zipfile.ZipFile(io.BytesIO(body)).read("xl/worksheets/sheet1.xml").decode()


def test_the_same_values_give_the_same_bytes_with_fixed_dates():
    first = workbook("statistics", ["a", "b"], [["x", 1.5]])
    assert first == workbook("statistics", ["a", "b"], [["x", 1.5]])
    assert {info.date_time for info in zipfile.ZipFile(io.BytesIO(first)).infolist()} == {(2000, 1, 1, 0, 0, 0)}


def test_a_value_of_another_kind_is_refused():
    with pytest.raises(TypeError, match=r"^a workbook cell holds text, a number or true/false, not NoneType$"):
        workbook("statistics", ["a"], [[None]])
