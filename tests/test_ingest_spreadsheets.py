"""Files as analysts export them: XLSX sheets with titles above the header, CSV with other delimiters and encodings,
datetimes and Excel serial dates, references in any case, and the problems each variant can have."""

from __future__ import annotations

import re
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from conftest import LGSCO, first_arguments, snapshot, table_counts, write_csv
from ombuds.errors import OmbudsError
from ombuds.ingest import ImportFailed, arrow_read, import_files
from ombuds.ingest.fields import a_year_after, read_date
from ombuds.ingest.read import read_as_text
from ombuds.store import open_database
from ombuds.store.schema import decided, received

RECEIVED = ["reference", "authority", "received_date", "service_area"]
DECIDED = ["reference", "authority", "decision_date", "outcome"]
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.fixture
def sqlite_db(tmp_path):
    """For what only the files decide: one database is enough."""
    database = open_database(f"sqlite:///{tmp_path / 'test.db'}")
    yield database
    database.close()


def problems_of(database, paths, **options) -> list[str]:
    """The problem lines of a failed import, having checked that nothing was imported."""
    before = snapshot(database)
    with pytest.raises(ImportFailed) as failure:
        import_files(database, paths, **options, scheme=LGSCO)
    assert snapshot(database) == before
    lines = str(failure.value).splitlines()
    assert lines[-1].endswith("found; nothing was imported")
    return lines[:-1]


def workbook(path: Path, sheets: dict[str, list[list]]) -> Path:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def stored(database, table) -> list[tuple]:
    with database.read() as connection:
        return sorted(tuple(map(str, row)) for row in connection.execute(select(table)))


# XLSX: sheets and header rows


def test_xlsx_title_and_blank_rows_above_the_header_keep_real_row_numbers(db, tmp_path):
    rows = [["Complaints received, 2019-20"], [], ["Exported 1 May 2020"], [], RECEIVED,
            ["X1", "Stevenage", datetime(2019, 5, 1), "Housing"],
            [],
            ["X2", "Stevenage", datetime(2019, 5, 2), "Parks"]]
    bad = workbook(tmp_path / "bad.xlsx", {"Received": rows})
    assert problems_of(db, [bad]) == [
        f"{bad}:8: service_area: unknown value 'Parks': expected one of Adult Care Services, Benefits and Tax, "
        "Corporate and Other Services, Education and Children's Services, Environment Services, Highways and "
        "Transport, Housing, Planning and Development, Other"]
    rows[-1][-1] = "Housing"
    good = workbook(tmp_path / "good.xlsx", {"Received": rows})
    assert import_files(db, [good],
                        scheme=LGSCO).lines() == [f"{good}: 2 received rows", "received: 2 new, 0 changed, 0 unchanged"]
    assert stored(db, received) == [("X1", "E07000243", "2019-05-01", "housing"),
                                    ("X2", "E07000243", "2019-05-02", "housing")]


def test_xlsx_named_sheet_any_case(db, tmp_path):
    path = workbook(tmp_path / "book.xlsx", {
        "Summary": [["Decisions by council"], ["Stevenage", 1]],
        "Decisions": [["Decisions, 2019-20"], DECIDED, ["D1", "Stevenage", datetime(2019, 6, 1), "Upheld"]],
    })
    assert problems_of(db, [path])[0].startswith(f"{path}:1: header: cannot tell what kind of file this is")
    report = import_files(db, [path], sheet="decisions", scheme=LGSCO)
    assert report.lines() == [f"{path}: 1 decided row", "decided: 1 new, 0 changed, 0 unchanged"]


def test_xlsx_unknown_sheet_lists_the_sheets(sqlite_db, tmp_path):
    path = workbook(tmp_path / "book.xlsx", {"Summary": [["x"]], "Decisions 2019-20": [DECIDED]})
    assert problems_of(sqlite_db, [path], sheet="Decided") == [
        f"{path}:1: file: no sheet named 'Decided'; the workbook's sheets are 'Summary', 'Decisions 2019-20'"]


def test_xlsx_empty_sheet_and_header_beyond_row_20(sqlite_db, tmp_path):
    empty = workbook(tmp_path / "empty.xlsx", {"Blank": []})
    late = workbook(tmp_path / "late.xlsx", {"Late": [["Received"], *[[] for _ in range(20)], RECEIVED]})
    assert problems_of(sqlite_db, [empty, late]) == [
        f"{empty}:1: file: the sheet 'Blank' is empty, with no header row",
        f"{late}:1: header: cannot tell what kind of file this is from its header (looked for in the first 20 rows); "
        "expected the columns of one of received: reference, authority, received_date, service_area; decided: "
        "reference, authority, decision_date, outcome; compliance: reference, authority, recorded_date, compliance; "
        "improvements: reference, authority, agreed_date, improvement; contacts: authority, name, title, salutation; "
        "population: authority, year, population; own_complaints: reference, authority, stage, received_date, "
        "service_area; self_assessment: authority, year, provision, complies"]


def _with_stated_size(path: Path, stated: str | None) -> Path:
    """The workbook with its sheet's stated size (`<dimension ref=…>`) changed to `stated`, or taken out."""
    with zipfile.ZipFile(path) as book:
        parts = {item.filename: book.read(item) for item in book.infolist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    assert re.search(r'<dimension ref="A1:D4"\s*/>', sheet)
    replaced = f'<dimension ref="{stated}"/>' if stated else ""
    parts["xl/worksheets/sheet1.xml"] = re.sub(r'<dimension ref="A1:D4"\s*/>', replaced, sheet).encode()
    with zipfile.ZipFile(path, "w") as book:
        for name, data in parts.items():
            book.writestr(name, data)
    return path


@pytest.mark.parametrize("stated", ["A1:D2", "B3:C3", None])
def test_xlsx_every_row_is_read_whatever_size_the_sheet_states(sqlite_db, tmp_path, stated):
    rows = [["X1", "Stevenage", "2019-05-01", "Other"], ["X2", "Stevenage", "2019-05-02", "Other"],
            ["X3", "Stevenage", "2019-05-03", "Housing"]]
    path = _with_stated_size(workbook(tmp_path / "received.xlsx", {"Sheet": [RECEIVED, *rows]}), stated)
    assert import_files(sqlite_db, [path], scheme=LGSCO).lines()[0] == f"{path}: 3 received rows"
    assert [row[0] for row in stored(sqlite_db, received)] == ["X1", "X2", "X3"]


def test_read_as_text_is_what_open_table_reads_as_csv(tmp_path):
    plain = write_csv(tmp_path / "received.csv", RECEIVED, [["X1", "Stevenage", "2019-05-01", "Other"]])
    disguised = workbook(tmp_path / "disguised.csv", {"Sheet": [RECEIVED]})
    named = tmp_path / "empty.xlsx"
    named.write_text("reference\n")
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    assert [read_as_text(p) for p in (plain, disguised, named, old, tmp_path / "missing.csv", tmp_path)] == [
        True, False, False, False, False, False]


def test_the_first_load_leaves_a_workbook_unopened(sqlite_db, tmp_path, monkeypatch):
    """The first load reads CSV only: a workbook goes to the other path, opened there once, not also here."""
    opened = first_arguments(monkeypatch, arrow_read, "open_table")
    csv_file = write_csv(tmp_path / "received.csv", RECEIVED, [["X1", "Stevenage", "2019-05-01", "Other"]])
    book = workbook(tmp_path / "decided.xlsx", {"Sheet": [DECIDED, ["X1", "Stevenage", "2019-06-01", "Upheld"]]})
    assert import_files(sqlite_db, [csv_file, book], scheme=LGSCO).lines()[:2] == [
        f"{csv_file}: 1 received row", f"{book}: 1 decided row"]
    assert opened == [csv_file]


def test_xlsx_named_csv_and_old_xls_are_told_by_their_content(sqlite_db, tmp_path):
    disguised = workbook(tmp_path / "received.csv", {"Sheet": [RECEIVED, ["X1", "Stevenage", "2019-05-01", "Other"]]})
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    assert problems_of(sqlite_db, [disguised, old]) == [
        f"{old}:1: file: an Excel 97-2003 workbook (.xls), which cannot be read: save it as .xlsx or as CSV"]
    assert import_files(sqlite_db, [disguised], scheme=LGSCO).lines()[0] == f"{disguised}: 1 received row"


# CSV: delimiters, encodings, title lines


def test_csv_semicolon_and_tab_delimiters_with_quoted_fields(db, tmp_path):
    semicolon = tmp_path / "semicolon.csv"
    semicolon.write_text('reference;authority;decision_date;outcome;summary\n'
                         'D1;Stevenage;2019-06-01;Upheld;"Delay; then an apology, and £100"\n', encoding="utf-8")
    tab = tmp_path / "tab.tsv"
    tab.write_text("reference\tauthority\tdecision_date\toutcome\tsummary\n"
                   'D2\tStevenage\t2019-06-02\tNot Upheld\t"No fault, in the end"\n', encoding="utf-8")
    report = import_files(db, [semicolon, tab], scheme=LGSCO)
    assert report.lines() == [f"{semicolon}: 1 decided row", f"{tab}: 1 decided row",
                              "decided: 2 new, 0 changed, 0 unchanged"]
    with db.read() as connection:
        summaries = dict(connection.execute(select(decided.c.reference, decided.c.summary)).all())
    assert summaries == {"D1": "Delay; then an apology, and £100", "D2": "No fault, in the end"}


def test_csv_title_and_blank_lines_above_the_header_keep_real_line_numbers(sqlite_db, tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("Complaints received 2019-20\n\n\nreference,authority,received_date,service_area\n"
                    "R1,Stevenage,2019-05-01,Housing\nR2,Stevenage,2019-05-32,Housing\n", encoding="utf-8")
    assert problems_of(sqlite_db, [path]) == [f"{path}:6: received_date: impossible date '2019-05-32'"]


def test_csv_with_a_byte_order_mark(db, tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeffReference,Authority,Received Date,Service Area\nR1,Stevenage,2019-05-01,Housing\n"
                     .encode())
    assert import_files(db, [path], scheme=LGSCO).lines()[0] == f"{path}: 1 received row"


def test_csv_utf16_as_excel_saves_unicode_text(sqlite_db, tmp_path):
    path = tmp_path / "unicode.txt"
    path.write_text("reference\tauthority\treceived_date\tservice_area\r\nR1\tStevenage\t2019-05-01\tHousing\r\n",
                    encoding="utf-16")
    assert import_files(sqlite_db, [path], scheme=LGSCO).lines()[0] == f"{path}: 1 received row"


def test_cp1252_needs_its_encoding_named(db, tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes("reference,authority,received_date,service_area\n"
                     "R1,Stevenage,2019-05-01,Housing\n"
                     "R2,Stevenage,2019-05-01,Education and Children’s Services\n".encode("cp1252"))
    assert problems_of(db, [path]) == [
        f"{path}:3: file: not UTF-8 text (invalid start byte); if it was saved by Excel, try --encoding cp1252"]
    assert import_files(db, [path], encoding="cp1252", scheme=LGSCO).lines()[0] == f"{path}: 2 received rows"
    assert stored(db, received)[1] == ("R2", "E07000243", "2019-05-01", "education-and-childrens-services")


def test_a_named_encoding_the_file_does_not_fit(sqlite_db, tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes(b"reference,authority,received_date,service_area\nR1,Stevenage,2019-05-01,Hous\x81ing\n")
    assert problems_of(sqlite_db, [path], encoding="cp1252") == [
        f"{path}:2: file: not cp1252 text (character maps to <undefined>)"]


def test_unknown_encoding_name_is_said_before_anything_is_read(db, tmp_path):
    f = write_csv(tmp_path / "r.csv", RECEIVED, [["R1", "Stevenage", "2019-05-01", "Housing"]])
    before = snapshot(db)
    for name in ("klingon", "rot13"):
        with pytest.raises(OmbudsError) as failure:
            import_files(db, [f], encoding=name, scheme=LGSCO)
        assert str(failure.value) == f"unknown encoding '{name}': give a text encoding such as utf-8, cp1252 or latin-1"
    assert snapshot(db) == before


# Dates


def test_datetimes_count_on_their_day(db, tmp_path):
    rows = [["T1", "Stevenage", "2019-10-01T10:30:00", "Housing"], ["T2", "Stevenage", "2019-10-01 10:30", "Housing"],
            ["T3", "Stevenage", "01/10/2019 10:30:15", "Housing"], ["T4", "Stevenage", "2019-10-01T23:59", "Housing"]]
    import_files(db, [write_csv(tmp_path / "r.csv", RECEIVED, rows)], scheme=LGSCO)
    assert {row[2] for row in stored(db, received)} == {"2019-10-01"}


def test_excel_date_cells_and_serial_numbers(db, tmp_path):
    path = workbook(tmp_path / "d.xlsx", {"Decisions": [
        DECIDED,
        ["E1", "Stevenage", datetime(2019, 10, 1, 10, 30), "Upheld"],
        ["E2", "Stevenage", date(2019, 10, 1), "Upheld"],
        ["E3", "Stevenage", 43739, "Upheld"],
        ["E4", "Stevenage", 43739.4375, "Upheld"],
    ]})
    serial_csv = write_csv(tmp_path / "d.csv", DECIDED, [["E5", "Stevenage", "43739", "Upheld"]])
    import_files(db, [path, serial_csv], scheme=LGSCO)
    assert {row[0]: row[2] for row in stored(db, decided)} == {f"E{n}": "2019-10-01" for n in range(1, 6)}


def test_two_digit_years_and_dates_far_in_the_future_are_refused(db, tmp_path):
    too_late = a_year_after(date.today()) + timedelta(days=1)
    just_in = a_year_after(date.today())
    f = write_csv(tmp_path / "r.csv", RECEIVED, [["R1", "Stevenage", "24/07/19", "Housing"],
                                                 ["R2", "Stevenage", too_late.isoformat(), "Housing"],
                                                 ["R3", "Stevenage", just_in.isoformat(), "Housing"],
                                                 ["R4", "Stevenage", "1234567", "Housing"]])
    assert problems_of(db, [f]) == [
        f"{f}:2: received_date: two-digit year in '24/07/19': the century is ambiguous; write the year in full, "
        "as in 24/07/2019",
        f"{f}:3: received_date: '{too_late.isoformat()}' is more than a year after today: a date in the future "
        "would make years that do not exist yet",
        f"{f}:5: received_date: malformed date '1234567': use 2019-07-24 or 24/07/2019"]


@pytest.mark.parametrize(("text", "expected"), [
    ("2019-07-24", date(2019, 7, 24)), ("2019-7-4", date(2019, 7, 4)), ("24/07/2019", date(2019, 7, 24)),
    ("4/7/2019", date(2019, 7, 4)), ("2019-07-24T09:05:00.123", date(2019, 7, 24)),
    ("2019-07-24 09:05:00+01:00", date(2019, 7, 24)), ("24/07/2019 9:05", date(2019, 7, 24)),
    ("24/07/2019 09:05", date(2019, 7, 24)), ("2019/07/24", date(2019, 7, 24)),
    ("43670", date(2019, 7, 24)), ("43670.999", date(2019, 7, 24)),
    ("2019-02-29", "impossible date '2019-02-29'"), ("2019-07-24 later", None), ("24/07/2019 2019", None),
    ("24-07-2019", None), ("19-07-24", None), ("24.07.2019", None), ("２０１９-07-24", None), ("", None),
])
def test_date_forms(text, expected):
    if expected is None:
        expected = f"malformed date '{text}': use 2019-07-24 or 24/07/2019"
    assert read_date(text) == expected


# References


def test_references_are_one_case_whatever_their_case(db, tmp_path):
    r = write_csv(tmp_path / "r.csv", RECEIVED, [["pr-0001", "Stevenage", "2019-06-01", "Housing"]])
    d = write_csv(tmp_path / "d.csv", DECIDED, [[" Pr-0001 ", "Stevenage", "2019-05-31", "Upheld"]])
    assert problems_of(db, [r, d]) == [
        f"{d}:2: decision_date: decision date 2019-05-31 is before the complaint was received (2019-06-01) for "
        "reference 'PR-0001'"]
    import_files(db, [r], scheme=LGSCO)
    assert problems_of(db, [d]) == [
        f"{d}:2: decision_date: decision date 2019-05-31 is before the complaint was received (2019-06-01) for "
        "reference 'PR-0001'"]
    assert stored(db, received) == [("PR-0001", "E07000243", "2019-06-01", "housing")]
    before = snapshot(db)
    again = write_csv(tmp_path / "again.csv", RECEIVED, [["PR-0001", "Stevenage", "2019-06-01", "Housing"]])
    assert import_files(db, [again], scheme=LGSCO).lines()[-1] == "No changes: every row was already in the database."
    assert snapshot(db) == before
    twice = write_csv(tmp_path / "twice.csv", RECEIVED, [["pr-0002", "Stevenage", "2019-06-01", "Housing"],
                                                          ["PR-0002", "Stevenage", "2019-06-02", "Housing"]])
    assert problems_of(db, [twice]) == [
        f"{twice}:3: reference: 'PR-0002' appears again with different content (first at line 2)"]


# Rows and files


def test_a_row_with_more_fields_than_the_header(sqlite_db, tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("reference,authority,received_date,service_area\n"
                    "R1,Stevenage,2019-05-01,Housing,,\n"
                    "R2,Stevenage,2019-05-01,Planning, and Development\n"
                    "R3,Stevenage,2019-05-01,Housing,,x\n", encoding="utf-8")
    assert problems_of(sqlite_db, [path]) == [
        f"{path}:3: row: 5 fields, but the header has 4 columns",
        f"{path}:4: row: 6 fields, but the header has 4 columns"]


def test_header_only_files_have_no_data_rows(db, tmp_path):
    csv_file = write_csv(tmp_path / "r.csv", RECEIVED, [])
    titled = workbook(tmp_path / "d.xlsx", {"Decisions": [["Decisions"], [], DECIDED, [], []]})
    assert problems_of(db, [csv_file, titled]) == [f"{csv_file}:2: file: no data rows below the header",
                                                   f"{titled}:4: file: no data rows below the header"]


def test_a_population_of_zero_is_refused(db, tmp_path):
    f = write_csv(tmp_path / "p.csv", ["authority", "year", "population"],
                  [["Stevenage", "2022-23", "0"], ["Stevenage", "2023-24", "1"]])
    assert problems_of(db, [f]) == [
        f"{f}:2: population: a population of 0 is not possible: leave the row out if the figure is not known"]


def test_more_than_100_problems_are_counted_after_the_first_100(db, tmp_path):
    f = write_csv(tmp_path / "r.csv", RECEIVED, [[f"R{n}", "Stevenage", "2019-05-01", "Parks"] for n in range(1, 1335)])
    before = snapshot(db)
    with pytest.raises(ImportFailed) as failure:
        import_files(db, [f], scheme=LGSCO)
    assert snapshot(db) == before
    lines = str(failure.value).splitlines()
    assert len(failure.value.problems) == 1334
    assert len(lines) == 102
    assert lines[99].startswith(f"{f}:101: service_area: unknown value 'Parks'")
    assert lines[100:] == ["… and 1,234 more problems, not listed", "1,334 problems found; nothing was imported"]


# The examples


def test_the_examples_import_cleanly_together(db):
    names = ["received", "decided", "compliance", "improvements", "contacts", "population"]
    paths = [EXAMPLES / f"{name}.csv" for name in names]
    report = import_files(db, paths, scheme=LGSCO)
    assert report.warnings == []
    assert report.lines() == [
        f"{EXAMPLES}/received.csv: 6 received rows", f"{EXAMPLES}/decided.csv: 5 decided rows",
        f"{EXAMPLES}/compliance.csv: 2 compliance rows", f"{EXAMPLES}/improvements.csv: 2 improvements rows",
        f"{EXAMPLES}/contacts.csv: 6 contacts rows", f"{EXAMPLES}/population.csv: 5 population rows",
        "received: 6 new, 0 changed, 0 unchanged", "decided: 5 new, 0 changed, 0 unchanged",
        "compliance: 2 new, 0 changed, 0 unchanged", "improvements: 2 new, 0 changed, 0 unchanged",
        "contacts: 6 new, 0 changed, 0 unchanged", "population: 5 new, 0 changed, 0 unchanged"]
    with db.read() as connection:
        assert table_counts(connection) == {"received": 6, "decided": 5, "compliance": 2, "improvements": 2,
                                            "contacts": 6, "population": 5}
    assert import_files(db, paths, scheme=LGSCO).unchanged


SHEET_CELLS = """<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"
 xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>reference</t></is></c>
<c r="C1" t="inlineStr" s="1"><is><t xml:space="preserve"> two  spaces </t></is></c></row>
<row r="3"><c t="inlineStr"><is><t/></is></c><c t="inlineStr"><is><x:t>prefixed</x:t></is></c>
<c r="E3" t="inlineStr"><is><r><t>rich</t></r><r><rPr><b/></rPr><t> runs</t></r></is></c></row>
<row r="4"><c r="A4" t="inlineStr"><is><t>with</t><rPh sb="0" eb="1"><t>phonetic</t></rPh></is></c>
<c r="B4" t="s"><v>0</v></c><c r="C4"><v>42</v></c><c r="D4"><v>1.5</v></c><c r="E4" t="b"><v>1</v></c></row>
<row r="5"><c r="A5" t="str"><f>A1</f><v>reference</v></c><c r="B5" t="e"><v>#N/A</v></c>
<c r="C5" t="inlineStr"><is></is></c><c r="D5" t="inlineStr"/></row>
</sheetData></worksheet>"""


@pytest.mark.parametrize("data_only", [True, False])
def test_plain_inline_text_is_read_as_openpyxl_reads_it(data_only):
    """ingest.read reads a cell of plain inline text (`<is><t>…</t></is>`, what openpyxl's write-only mode writes)
    straight from its element: every cell, of every kind, comes out as openpyxl's own parser gives it."""
    import io

    from openpyxl.worksheet._reader import WorkSheetParser

    from ombuds.ingest.read import _plain_text_parser

    def cells(parser) -> list:
        return list(parser(io.BytesIO(SHEET_CELLS.encode()), ["shared"], data_only=data_only).parse())

    ours = cells(_plain_text_parser())
    assert ours == cells(WorkSheetParser)
    assert [[cell["value"] for cell in row] for _, row in ours] == [
        ["reference", " two  spaces "], ["", "prefixed", "rich runs"], ["with", "shared", 42, 1.5, True],
        ["reference" if data_only else "=A1", "#N/A", "", None]]


def test_a_workbook_of_inline_text_reads_as_openpyxl_reads_it(tmp_path):
    """A sheet written by openpyxl's write-only mode (every text inline), rows with gaps and empty rows between:
    the rows `open_table` reads are those of openpyxl's own read-only reader (the sheet's stated size reset)."""
    from openpyxl import load_workbook

    from ombuds.ingest.kinds import kinds_of
    from ombuds.ingest.read import open_table

    book = Workbook(write_only=True)
    sheet = book.create_sheet("cases")
    written = [RECEIVED, ["R1", "Stevenage", "2021-05-01", "Planning"], [], [None, "Hertsmere ", None, " x"],
               ["r2", "E07000243", "31/03/2022", 3.0], ["", "", "", ""]]
    for row in written:
        sheet.append(row)
    book.save(path := tmp_path / "inline.xlsx")
    with zipfile.ZipFile(path) as archive:
        assert b"inlineStr" in archive.read("xl/worksheets/sheet1.xml")
    with open_table(path, kinds_of(LGSCO).rank) as table:
        ours = [table.header, *(cells for _, cells in table.rows)]
    stock = load_workbook(path, read_only=True, data_only=True)
    stock.active.reset_dimensions()
    theirs = [["" if v is None else v.date().isoformat() if isinstance(v, datetime) else
               str(int(v)) if isinstance(v, float) and v.is_integer() else str(v) for v in row]
              for row in stock.active.iter_rows(values_only=True)]
    stock.close()
    assert ours == theirs
    assert ours[1] == ["R1", "Stevenage", "2021-05-01", "Planning"] and ours[3] == ["", "Hertsmere ", "", " x"]
