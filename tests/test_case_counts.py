"""The case counts (store.aggregate): after any sequence of imports they equal a fresh count of the case tables,
the migration fills them from the cases an older database holds, and the statistics read them."""

from __future__ import annotations

import pytest

from builders import Cases
from conftest import LGSCO
from ombuds.ingest import import_files
from ombuds.ingest.run import ImportFailed
from ombuds.store import open_database
from ombuds.store.aggregate import fresh_counts, recount, stored_counts
from ombuds.store.db import head_revision
from ombuds.store.queries import case_record_years, cases_by_year, decision_counts, table_counts, year_counts
from ombuds.years import Year

STEVENAGE, CORNWALL = "E07000243", "E06000052"
Y2019, Y2020 = Year(2019), Year(2020)


def counts_match(db) -> dict:
    with db.read() as connection:
        stored = stored_counts(connection)
        assert stored == fresh_counts(connection)
    return stored


def test_counts_follow_new_changed_and_unchanged_rows(db, tmp_path):
    cases = Cases(tmp_path)
    cases.received("Stevenage", "2019-05-01", {"Housing": 3, "Planning and Development": 1})
    cases.received("Cornwall", "2020-03-31", {"Housing": 2})  # the last day of 2019-20
    cases.decided("Stevenage", "2019-06-01", {"Upheld": 3, "Not Upheld": 2}, satisfactory_remedies=1,
                  remedied_by_ombudsman=1)
    cases.compliance("Stevenage", "2019-07-01", on_time=2, late=1)
    import_files(db, cases.files(), scheme=LGSCO)
    stored = counts_match(db)
    assert stored[(2019, STEVENAGE, "decided", "upheld")] == (3, 1, 1)
    assert stored[(2019, CORNWALL, "received", "housing")] == (2, 0, 0)

    import_files(db, cases.files(), scheme=LGSCO)  # unchanged: the counts stay
    assert counts_match(db) == stored

    cases.received_rows[0][2] = "2020-04-01"  # a receipt moves into 2020-21
    cases.received_rows[3][1] = "Cornwall"  # Stevenage's planning complaint was about Cornwall
    upheld = [row for row in cases.decided_rows if row[3] == "Upheld"]
    upheld[0][3:5] = ["Not Upheld", "no"]  # the upheld decision with a satisfactory remedy is now not upheld
    cases.compliance_rows[2][3] = "not complied"
    cases.received("Leeds", "2021-01-01", {"Housing": 1})  # and a new one
    import_files(db, cases.files(), scheme=LGSCO)
    stored = counts_match(db)
    assert stored[(2019, STEVENAGE, "received", "housing")] == (2, 0, 0)
    assert stored[(2020, STEVENAGE, "received", "housing")] == (1, 0, 0)
    assert stored[(2019, CORNWALL, "received", "housing")] == (2, 0, 0)
    assert stored[(2019, CORNWALL, "received", "planning-and-development")] == (1, 0, 0)
    assert (2019, STEVENAGE, "received", "planning-and-development") not in stored  # no zero counts kept
    assert stored[(2019, STEVENAGE, "decided", "upheld")] == (2, 0, 1)
    assert stored[(2019, STEVENAGE, "decided", "not-upheld")] == (3, 0, 0)
    assert stored[(2019, STEVENAGE, "compliance", "not-complied")] == (1, 0, 0)
    assert (2019, STEVENAGE, "compliance", "late") not in stored
    with db.read() as connection:
        counts = year_counts(connection, Y2019)
        assert counts.received[STEVENAGE] == {"housing": 2}  # by label id
        assert counts.decided[STEVENAGE] == {"upheld": 2, "not-upheld": 3}
        assert counts.flagged["satisfactory_remedy"][STEVENAGE] == {"upheld": 0, "not-upheld": 0}
        assert counts.flagged["remedied_by_ombudsman"][STEVENAGE] == {"upheld": 1, "not-upheld": 0}
        assert counts.compliance[STEVENAGE] == {"on-time": 2, "not-complied": 1}
        assert case_record_years(connection) == [Y2019, Y2020]
        assert decision_counts(connection, Y2019) == {
            STEVENAGE: {"all": 5, "upheld": 2, "satisfactory-remedy": 0, "not-upheld": 3}}
        assert cases_by_year(connection, [Y2019, Y2020]) == {
            Y2019: {"received": 5, "decided": 5, "compliance": 3},
            Y2020: {"received": 2, "decided": 0, "compliance": 0}}
        assert table_counts(connection)["received"] == 7


def test_a_failed_or_checked_import_leaves_the_counts_alone(db, tmp_path):
    cases = Cases(tmp_path)
    cases.received("Stevenage", "2019-05-01", {"Housing": 2})
    import_files(db, cases.files(), scheme=LGSCO)
    before = counts_match(db)
    cases.received_rows[0][2] = "2020-05-01"
    import_files(db, cases.files(), check=True, scheme=LGSCO)
    assert counts_match(db) == before
    cases.received_rows.append(["T000001", "Stevenage", "2019-05-02", "Housing"])  # same key, other content
    with pytest.raises(ImportFailed):
        import_files(db, cases.files(), scheme=LGSCO)
    assert counts_match(db) == before


def test_the_migration_counts_the_cases_an_older_database_holds(db_url):
    old = open_database(db_url, migrate=False)
    old.migrate("0008")
    rows = [("R1", STEVENAGE, "2019-05-01", "Housing"), ("R2", STEVENAGE, "2019-05-02", "Housing")]
    with old.transaction() as connection:
        for row in rows:
            connection.exec_driver_sql(f"INSERT INTO received VALUES ({', '.join(map(repr, row))})")
        for reference, remedy in (("D1", True), ("D2", False)):
            connection.exec_driver_sql(
                "INSERT INTO decided (reference, authority_code, decision_date, outcome, satisfactory_remedy, "
                f"remedied_by_ombudsman, public_report) VALUES ('{reference}', '{STEVENAGE}', '2020-01-10', "
                f"'Upheld', {str(remedy).upper()}, FALSE, FALSE)")
        connection.exec_driver_sql(f"INSERT INTO compliance VALUES ('C1', '{CORNWALL}', '2021-03-31', 'late')")
    old.close()
    upgraded = open_database(db_url)
    assert upgraded.revision() == head_revision()
    assert counts_match(upgraded) == {  # the words an older database holds are label ids from 0015
        (2019, STEVENAGE, "received", "housing"): (2, 0, 0),
        (2019, STEVENAGE, "decided", "upheld"): (2, 1, 0),
        (2020, CORNWALL, "compliance", "late"): (1, 0, 0),
    }
    with upgraded.transaction() as connection:  # a recount of counts already right changes nothing
        recount(connection)
    counts_match(upgraded)
    upgraded.close()
