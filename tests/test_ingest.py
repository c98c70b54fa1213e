"""Importing: idempotence, updates, warnings, --check, XLSX, header matching, personal columns never stored."""

from __future__ import annotations

from openpyxl import Workbook
from sqlalchemy import inspect, select

from conftest import LGSCO, registry, snapshot, write_csv
from ombuds.ingest import import_files
from ombuds.stats import authority_statistics
from ombuds.store.schema import TABLES, contacts, decided, received
from ombuds.years import Year

RECEIVED = ["Reference", "AUTHORITY", "Received Date", "service-area"]


def test_reimporting_the_same_file_changes_nothing_and_says_so(db, tmp_path):
    f = write_csv(tmp_path / "r.csv", RECEIVED, [["R1", "Stevenage", "2019-05-01", "Housing"],
                                                 ["R2", "E07000243", "02/05/2019", "housing"]])
    first = import_files(db, [f], scheme=LGSCO)
    assert first.lines() == [f"{f}: 2 received rows", "received: 2 new, 0 changed, 0 unchanged"]
    before = snapshot(db)
    again = import_files(db, [f], scheme=LGSCO)
    assert again.unchanged
    assert again.lines() == [f"{f}: 2 received rows", "received: 0 new, 0 changed, 2 unchanged",
                             "No changes: every row was already in the database."]
    assert snapshot(db) == before


def test_a_changed_row_updates_the_stored_case_and_is_reported(db, tmp_path):
    header = ["reference", "authority", "decision_date", "outcome", "satisfactory_remedy"]
    import_files(db, [write_csv(tmp_path / "d1.csv", header, [["D1", "Stevenage", "2019-05-01", "Not Upheld", ""],
                                                              ["D2", "Stevenage", "2019-05-01", "Upheld", ""]])],
                 scheme=LGSCO)
    f = write_csv(tmp_path / "d2.csv", header, [["D1", "Stevenage", "2019-05-01", "Upheld", "yes"],
                                                ["D2", "Stevenage", "2019-05-01", "Upheld", ""],
                                                ["D3", "Stevenage", "2019-06-01", "Advice Given", ""]])
    report = import_files(db, [f], scheme=LGSCO)
    assert report.lines()[1] == "decided: 1 new, 1 changed, 1 unchanged (changed: D1)"
    with db.read() as connection:
        row = connection.execute(select(decided).where(decided.c.reference == "D1")).one()
    assert (row.outcome, row.satisfactory_remedy) == ("upheld", True)  # the label's id; "Upheld" is its words
    s = authority_statistics(db, LGSCO, Year.parse("2019-20"), registry().get("E07000243"))
    assert (s.upheld, s.satisfactory_remedies, s.dealt_with) == (2, 1, 3)


def test_unknown_columns_are_named_in_a_warning_and_never_stored(db, tmp_path):
    f = write_csv(tmp_path / "r.csv", [*RECEIVED, "Complainant name", "Address"],
                  [["R1", "Stevenage", "2019-05-01", "Housing", "Jane Q. Public", "1 High Street, Stevenage"]])
    report = import_files(db, [f], scheme=LGSCO)
    assert report.warnings == [f"{f}: warning: ignored unknown column(s) Complainant name, Address (not stored)"]
    with db.read() as connection:
        columns = {table: [c["name"] for c in inspect(connection).get_columns(table)] for table in TABLES}
        stored = [tuple(map(str, row)) for row in connection.execute(select(received))]
    assert columns["received"] == ["reference", "authority_code", "received_date", "service_area"]
    assert stored == [("R1", "E07000243", "2019-05-01", "housing")]
    everything = repr(snapshot(db))
    assert "Jane" not in everything and "High Street" not in everything


def test_check_validates_and_writes_nothing(db, tmp_path):
    f = write_csv(tmp_path / "r.csv", RECEIVED, [["R1", "Stevenage", "2019-05-01", "Housing"]])
    before = snapshot(db)
    report = import_files(db, [f], check=True, scheme=LGSCO)
    assert report.lines() == [f"{f}: 1 received row", "received: 1 new, 0 changed, 0 unchanged",
                              "Check only: the files are valid; nothing was written."]
    assert snapshot(db) == before


def test_xlsx_first_sheet_with_real_dates_and_numbers(db, tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["authority", "year", "population"])
    sheet.append(["Stevenage Borough Council", "2022-23", 90000])
    other = workbook.create_sheet("ignored")
    other.append(["not", "read"])
    path = tmp_path / "population.xlsx"
    workbook.save(path)
    book = Workbook()
    book.active.append(["reference", "authority", "decision_date", "outcome"])
    from datetime import datetime

    book.active.append(["X1", "Stevenage", datetime(2022, 6, 1), "Upheld"])
    book.active.append([None, None, None, None])
    decisions = tmp_path / "decided.xlsx"
    book.save(decisions)
    report = import_files(db, [path, decisions], scheme=LGSCO)
    assert report.lines()[:2] == [f"{path}: 1 population row", f"{decisions}: 1 decided row"]
    s = authority_statistics(db, LGSCO, Year.parse("2022-23"), registry().get("E07000243"))
    assert (s.population, s.upheld, s.upheld_per_100k) == (90000, 1, 1 / 90000 * 100_000)


def test_contacts_one_per_authority_and_role_a_later_import_replaces(db, tmp_path):
    header = ["authority", "name", "title", "salutation", "email", "role"]
    import_files(db, [write_csv(tmp_path / "c1.csv", header, [
        ["Stevenage", "Pat Example", "Chief Executive", "Dear Pat", "pat@stevenage.example.org", ""],
        ["Stevenage", "Lee Example", "Link Officer", "Dear Lee", "", "Link officer"]])], scheme=LGSCO)
    report = import_files(db, [write_csv(tmp_path / "c2.csv", header, [
        ["E07000243", "Sam Example", "Chief Executive", "Dear Sam", "sam@stevenage.example.org", "chief executive"]])],
                          scheme=LGSCO)
    assert report.lines()[1] == "contacts: 0 new, 1 changed, 0 unchanged (changed: E07000243 / chief executive)"
    with db.read() as connection:
        rows = [(r.role, r.name, r.email) for r in connection.execute(select(contacts).order_by(contacts.c.role))]
    assert rows == [("chief-executive", "Sam Example", "sam@stevenage.example.org"),
                    ("link-officer", "Lee Example", None)]


def test_names_pick_the_authority_that_existed_on_the_case_date(db, tmp_path):
    f = write_csv(tmp_path / "r.csv", RECEIVED, [["B1", "Buckinghamshire", "2019-05-01", "Housing"],
                                                 ["B2", "Buckinghamshire", "2020-05-01", "Housing"]])
    import_files(db, [f], scheme=LGSCO)
    with db.read() as connection:
        codes = dict(connection.execute(select(received.c.reference, received.c.authority_code)).all())
    assert codes == {"B1": "E10000002", "B2": "E06000060"}


def test_cases_outlive_councils_within_two_years(db, tmp_path):
    header = ["reference", "authority", "decision_date", "outcome"]
    import_files(db, [write_csv(tmp_path / "d.csv", header, [["A1", "Allerdale", "2025-04-01", "Upheld"]])],
                 scheme=LGSCO)
    s = authority_statistics(db, LGSCO, Year.parse("2025-26"), registry().get("E07000026"))
    assert s.upheld == 1
    assert s.average.uphold_rate is None
