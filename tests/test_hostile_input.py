"""Inputs an adversary would try (issue 18): each accepted value is one every later command can use, each refused
one a single `FILE:LINE: column: reason` line, the same on SQLite and PostgreSQL (the `db` fixture runs both)."""

from __future__ import annotations

import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from conftest import LGSCO, snapshot, write_csv
from ombuds.ingest import ImportFailed, import_files, workbook_limits
from ombuds.store import open_database
from ombuds.store.queries import table_counts

RECEIVED = ["reference", "authority", "received_date", "service_area"]
DECIDED = ["reference", "authority", "decision_date", "outcome", "satisfactory_remedy", "remedied_by_ombudsman",
           "public_report", "summary"]
CONTACTS = ["authority", "name", "title", "salutation"]
POPULATION = ["authority", "year", "population"]


def problems_of(db, paths) -> list[str]:
    before = snapshot(db)
    with pytest.raises(ImportFailed) as failure:
        import_files(db, paths, scheme=LGSCO)
    assert snapshot(db) == before
    return str(failure.value).splitlines()[:-1]


def test_dates_before_the_earliest_year_covered_are_refused(db, tmp_path):
    f = write_csv(tmp_path / "r.csv", RECEIVED, [["R1", "Stevenage", "0001-01-01", "Housing"],
                                                 ["R2", "Stevenage", "31/03/2016", "Housing"],
                                                 ["R3", "Stevenage", "2016-04-01", "Housing"]])
    assert problems_of(db, [f]) == [
        f"{f}:2: received_date: '0001-01-01' is before 1 April 2016: the earliest year covered is 2017-18, with "
        "complaints received in the year before",
        f"{f}:3: received_date: '31/03/2016' is before 1 April 2016: the earliest year covered is 2017-18, with "
        "complaints received in the year before"]


def test_control_characters_are_refused_in_every_text_without_printing_them(db, tmp_path):
    d = write_csv(tmp_path / "d.csv", DECIDED, [
        ["D1", "Stevenage", "2023-05-01", "Upheld", "no", "no", "no", "a summary with a \x0b vertical tab"],
        ["D2\x1b[31m", "Stevenage", "2023-05-01", "Upheld", "no", "no", "no", ""],
        ["D3", "Stevenage", "2023-05-01", "Upheld", "no", "no", "n\x00o", "two\nlines\tand a tab are text"]])
    c = write_csv(tmp_path / "c.csv", CONTACTS, [["Stevenage", "A\x00Person", "Chief Executive", "Dear A Person"]])
    problems = problems_of(db, [d, c])
    assert problems == [
        f"{d}:2: summary: control character U+000B at position 18: not accepted in any text",
        f"{d}:3: reference: control character U+001B at position 3: not accepted in any text",
        f"{d}:4: public_report: control character U+0000 at position 2: not accepted in any text",
        f"{c}:2: name: control character U+0000 at position 2: not accepted in any text"]
    assert not any(ch in "".join(problems) for ch in "\x00\x0b\x1b")


def test_huge_and_foreign_populations_are_refused_the_same_on_both_databases(db, tmp_path):
    f = write_csv(tmp_path / "p.csv", POPULATION, [["Stevenage", "2023-24", "99999999999999999999999"],
                                                   ["Kent", "2023-24", "3000000000"],
                                                   ["Bromsgrove", "2023-24", "\u0663\u0660\u0660"]])
    assert problems_of(db, [f]) == [
        f"{f}:2: population: '99999999999999999999999' is more than 100,000,000: no council has that many residents",
        f"{f}:3: population: '3000000000' is more than 100,000,000: no council has that many residents",
        f"{f}:4: population: '\u0663\u0660\u0660' is not a whole number written in the digits 0 to 9"]
    workbook = Workbook()
    workbook.active.append(POPULATION)
    workbook.active.append(["Stevenage", "2023-24", 1e300])
    workbook.save(tmp_path / "p.xlsx")
    [problem] = problems_of(db, [tmp_path / "p.xlsx"])
    assert problem.startswith(f"{tmp_path / 'p.xlsx'}:2: population: '1000000000000000052504760255204420248704")
    assert problem.endswith("' is more than 100,000,000: no council has that many residents")


def test_a_nul_or_a_large_population_accepted_nowhere_and_the_largest_accepted_everywhere(db, tmp_path):
    f = write_csv(tmp_path / "p.csv", POPULATION, [["Kent", "2023-24", "100000000"]])
    import_files(db, [f], scheme=LGSCO)
    with db.read() as connection:
        assert table_counts(connection)["population"] == 1


def _workbook_with(tmp_path, part: str, xml: bytes):
    workbook = Workbook()
    workbook.active.append(RECEIVED)
    workbook.active.append(["X1", "Stevenage", "2023-05-01", "Housing"])
    plain = tmp_path / "plain.xlsx"
    workbook.save(plain)
    hostile = tmp_path / "hostile.xlsx"
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(hostile, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            if item.filename != part:
                out.writestr(item, source.read(item))
        out.writestr(part, xml)
    return hostile


LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
          b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
          b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
          b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
          b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol3;</t></is></c></row></sheetData></worksheet>')
EXTERNAL = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
            b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            b'<row r="1"><c r="A1" t="inlineStr"><is><t>&secret;</t></is></c></row></sheetData></worksheet>')


@pytest.mark.parametrize("xml", [LAUGHS, EXTERNAL], ids=["billion laughs", "external entity"])
def test_workbooks_with_entities_are_one_line_errors(db, tmp_path, xml):
    hostile = _workbook_with(tmp_path, "xl/worksheets/sheet1.xml", xml)
    with pytest.raises(ImportFailed) as failure:
        import_files(db, [hostile], scheme=LGSCO)
    assert str(failure.value).splitlines()[0] == (
        f"{hostile}:1: file: not a readable XLSX workbook (its part xl/worksheets/sheet1.xml declares entities or "
        "holds comments, CDATA or processing instructions, which are never read)")


def test_a_workbook_unpacking_beyond_the_limit_is_refused_before_it_is_read(db, tmp_path, monkeypatch):
    hostile = _workbook_with(tmp_path, "xl/sharedStrings.xml", b"<sst/>" + b" " * 4_000_000)
    monkeypatch.setattr(workbook_limits, "MAX_UNPACKED_BYTES", 3_000_000)
    with pytest.raises(ImportFailed) as failure:
        import_files(db, [hostile], scheme=LGSCO)
    assert str(failure.value).splitlines()[0] == (
        f"{hostile}:1: file: the workbook unpacks to 4,016,940 bytes (4,000,006 of shared strings); at most 3,000,000 "
        "(67,108,864) are read: split it or save it as CSV")


SHEET = (b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
         b'<row r="1"><c r="A1" t="inlineStr"><is><t>reference</t></is></c><c r="B1" t="inlineStr"><is><t>authority</t>'
         b'</is></c><c r="C1" t="inlineStr"><is><t>received_date</t></is></c><c r="D1" t="inlineStr"><is><t>'
         b'service_area</t></is></c></row>%s</sheetData></worksheet>')
PART = "xl/worksheets/sheet1.xml"


@pytest.mark.parametrize(("rows", "limit", "reason"), [
    (b'<row r="2"/>' + b" " * 3_000_000 + b'<row r="3"/>', ("MAX_STRETCH_BYTES", 2_000_000),
     f"its part {PART} holds a stretch of more than 2,000,000 bytes between two tags, longer than any cell"),
    (b"".join(b'<row r="%d"/>' % n for n in range(2, 40)), ("MAX_ROWS", 30),
     f"its part {PART} has 39 rows; at most 30 are read: save it as CSV"),
    ((b'<row r="2"/>' + b" " * 900) * 20, ("MAX_KEPT_TEXT_BYTES", 10_000),
     f"its part {PART} holds more than 1,310,720 elements or 10,000 bytes of text outside its rows: save it as CSV"),
    (b"<junk/>" * 2_000, ("MAX_KEPT_ELEMENTS", 1_000),
     f"its part {PART} holds more than 1,000 elements or 8,388,608 bytes of text outside its rows: save it as CSV"),
    (b'<row r="2">' + (b'<c t="inlineStr"><is><t>' + b"x" * 3_000 + b"</t></is></c>") * 1_000 + b"</row>",
     ("MAX_ROW_BYTES", 100_000), f"its part {PART} has a row (or string) of more than 100,000 bytes"),
], ids=["whitespace", "rows", "text between rows", "elements outside rows", "one long row"])
def test_what_openpyxl_would_keep_in_memory_is_bounded_before_it_reads(db, tmp_path, monkeypatch, rows, limit, reason):
    """Each limit of ingest.workbook_limits, lowered so that a small workbook crosses it: openpyxl keeps every row it
    has read (cleared), the text after each, every element outside the rows, and a whole stretch of text between two
    tags; bench/workbooks.py measures the peak memory of a workbook just under each real limit."""
    hostile = _workbook_with(tmp_path, PART, SHEET % rows)
    monkeypatch.setattr(workbook_limits, *limit)
    monkeypatch.setattr(workbook_limits, "CHUNK", 4096)  # measured across chunk boundaries
    with pytest.raises(ImportFailed) as failure:
        import_files(db, [hostile], scheme=LGSCO)
    assert str(failure.value).splitlines() == [f"{hostile}:1: file: {reason}", "1 problem found; nothing was imported"]


def test_a_cell_longer_than_any_column_holds_is_refused_as_in_csv(db, tmp_path):
    """1,000 rows of 1 MB cells (a 1 MB file) were held in one batch: a 2.1 GB peak; refused at the first, as a CSV
    field is."""
    rows = b'<row r="2"><c t="inlineStr"><is><t>H1</t></is></c><c t="inlineStr"><is><t>' + b"x" * 131_073 + \
        b"</t></is></c></row>"
    hostile = _workbook_with(tmp_path, PART, SHEET % rows)
    with pytest.raises(ImportFailed) as failure:
        import_files(db, [hostile], scheme=LGSCO)
    assert str(failure.value).splitlines() == [
        f"{hostile}:2: file: a cell of 131,073 characters; at most 131,072 are read (no column holds that much)",
        "1 problem found; nothing was imported"]


def test_a_workbook_just_under_the_limits_imports(db, tmp_path, monkeypatch):
    cells = b"".join(b'<c t="inlineStr"><is><t>%s</t></is></c>' % v for v in (b"%d", b"Stevenage", b"2023-05-01",
                                                                              b"Housing"))
    rows = b"".join(b'<row r="%d">' % n + cells % n + b"</row>\n" for n in range(2, 32))
    workbook = _workbook_with(tmp_path, PART, SHEET % rows)
    for name, value in (("MAX_ROWS", 31), ("MAX_KEPT_TEXT_BYTES", 31), ("MAX_KEPT_ELEMENTS", 31 + 3),
                        ("MAX_ROW_BYTES", 400), ("CHUNK", 512)):
        monkeypatch.setattr(workbook_limits, name, value)
    import_files(db, [workbook], scheme=LGSCO)
    with db.read() as connection:
        assert table_counts(connection)["received"] == 30


def test_a_date_time_a_moment_before_midnight_counts_on_its_own_day(db, tmp_path):
    workbook = Workbook()
    workbook.active.append(RECEIVED)
    workbook.active.append(["X1", "Stevenage", datetime(2020, 3, 31, 23, 59, 59, 999999), "Housing"])
    workbook.active.append(["X2", "Stevenage", datetime(2020, 4, 1), "Housing"])
    workbook.save(tmp_path / "r.xlsx")
    import_files(db, [tmp_path / "r.xlsx"], scheme=LGSCO)
    with db.read() as connection:
        rows = sorted((r[0], str(r[2])) for r in connection.exec_driver_sql("SELECT * FROM received"))
    assert rows == [("X1", "2020-03-31"), ("X2", "2020-04-01")]


def test_an_open_quote_never_prints_the_next_lines(db, tmp_path):
    f = tmp_path / "d.csv"
    f.write_text("reference,authority,decision_date,outcome,satisfactory_remedy,remedied_by_ombudsman\n"
                 'D1,Stevenage,2023-05-01,"Upheld,no,no\n'
                 "D2,Stevenage,2023-05-01,Upheld,no,no,Jane Private 07700 900123\n", encoding="utf-8")
    problems = problems_of(db, [f])
    assert "Jane Private" not in "\n".join(problems) and "D2" not in "\n".join(problems)
    assert f"{f}:2: outcome: a value running over 2 lines, not shown: is a quote left open on this line?" in problems


def test_devices_and_pipes_are_named_as_such(db, tmp_path):
    import os

    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    for path in (Path("/dev/null"), fifo):
        with pytest.raises(ImportFailed) as failure:
            import_files(db, [path], scheme=LGSCO)
        assert str(failure.value).splitlines()[0] == (
            f"{path}:1: file: not a regular file (a device, a pipe or a socket): save the data to a file and name that")


def test_a_year_is_published_only_after_it_ends(demo_settings, db, tmp_path):
    from datetime import date

    from ombuds.releases import ReleaseError, create_release, publish_release
    from ombuds.years import Year

    import_files(db, [write_csv(tmp_path / "r.csv", RECEIVED, [["R1", "Stevenage", "2023-05-01", "Housing"]])],
                 scheme=LGSCO)
    create_release(db, Year(2023), demo_settings.profile, demo_settings.editions, LGSCO)
    for day in (date(1900, 1, 1), date(2024, 3, 31)):
        with pytest.raises(ReleaseError, match=f"^2023-24 cannot be published on {day.isoformat()}: the year ends on "
                                               "2024-03-31, and its figures are public only after it$"):
            publish_release(db, LGSCO, Year(2023), day)
    assert publish_release(db, LGSCO, Year(2023), date(2024, 4, 1)).startswith("2023-24 published")


def test_the_atom_feed_is_xml_whatever_accepted_text_it_holds(demo_settings, db, tmp_path):
    from xml.etree import ElementTree

    from fastapi.testclient import TestClient

    from ombuds.site.app import create_app

    summary = "Tabs\tand\nlines, <tags> & \"quotes\" ]]> \u2028 \U0001f600 \ufeff"
    write_csv(tmp_path / "d.csv", DECIDED, [["D1", "Stevenage", "2023-05-01", "Upheld", "no", "no", "yes", summary]])
    import_files(db, [tmp_path / "d.csv"], scheme=LGSCO)
    with TestClient(create_app(db, demo_settings)) as client:
        feed = client.get("/councils/stevenage-borough-council/decisions.atom")
    assert feed.status_code == 200
    root = ElementTree.fromstring(feed.content)
    assert summary.replace("\n", " ").split()[0] in ElementTree.tostring(root, encoding="unicode")


def test_a_sqlite_database_on_a_read_only_mount_can_be_read(demo_settings, tmp_path, monkeypatch):
    """`status`, `stats` and `serve` on a file whose folder cannot be written (a read-only mount: SQLite cannot make
    its shared-memory file there): opened read-only, as an immutable file. The mount is stood in for by the one
    question the code asks of it, whether the folder can be written (the tests run as root, who may write anywhere)."""
    from click.testing import CliRunner
    from fastapi.testclient import TestClient

    from ombuds.cli import cli
    from ombuds.site.app import create_app
    from ombuds.store import locate

    path = tmp_path / "ro.db"
    database = open_database(f"sqlite:///{path}")
    import_files(database, [write_csv(tmp_path / "r.csv", RECEIVED, [["R1", "Stevenage", "2023-05-01", "Housing"]])],
                 scheme=LGSCO)
    database.close()
    for leftover in tmp_path.glob("ro.db-*"):
        leftover.unlink()  # what a clean shutdown leaves: the write-ahead log merged into the file
    before = path.read_bytes()
    monkeypatch.setattr(locate, "writable", lambda where: False)
    assert locate.sqlite_read_uri(path).endswith("?immutable=1")
    for args in (["status"], ["stats", "--year", "2023-24", "--authority", "Stevenage"]):
        result = CliRunner().invoke(cli, ["--db", str(path), *args])
        assert result.exit_code == 0, result.output
    assert '"received": {' in result.stdout or '"received":' in result.stdout
    with TestClient(create_app(open_database(str(path), create=False), demo_settings)) as client:
        assert client.get("/councils/stevenage-borough-council/2023-24/").status_code == 200
    assert path.read_bytes() == before and not list(tmp_path.glob("ro.db-*"))


def test_the_atom_feed_stays_xml_over_text_stored_before_control_characters_were_refused(demo_settings, db, tmp_path):
    from xml.etree import ElementTree

    from fastapi.testclient import TestClient

    from ombuds.site.app import create_app

    write_csv(tmp_path / "d.csv", DECIDED, [["D1", "Stevenage", "2023-05-01", "Upheld", "no", "no", "no", "plain"]])
    import_files(db, [tmp_path / "d.csv"], scheme=LGSCO)
    with db.transaction() as connection:  # as an import before issue 18 could have stored it
        connection.exec_driver_sql("UPDATE decided SET summary = 'a vertical\x0btab and an\x1bescape'")
    with TestClient(create_app(db, demo_settings)) as client:
        feed = client.get("/councils/stevenage-borough-council/decisions.atom")
    summary = ElementTree.fromstring(feed.content).find("{http://www.w3.org/2005/Atom}entry/"
                                                        "{http://www.w3.org/2005/Atom}summary")
    assert summary.text == "a verticaltab and anescape"
