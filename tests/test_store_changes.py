"""The change list (`store.changes`): each import's merge records, in its transaction, the (year, body) pairs whose
case rows it added or changed; a step that records nothing makes the reach since a version unknown. The first test
runs on SQLite and PostgreSQL."""

from __future__ import annotations

import shutil

import pytest

from builders import Cases
from conftest import LGSCO
from ombuds.ingest import ImportFailed, import_files
from ombuds.store import open_database
from ombuds.store.changes import reach_since, token_at
from ombuds.store.queries import data_version

STEVENAGE, NORTH_HERTS, BIRMINGHAM = "E07000243", "E07000099", "E08000025"


def _state(database) -> tuple[str, int]:
    with database.read() as connection:
        version = data_version(connection)
        return token_at(connection, version), version


def _reach(database, token: str, version: int):
    with database.read() as connection:
        return reach_since(connection, token, version)


def test_an_import_records_the_years_and_bodies_it_changed(db_url, tmp_path):
    database = open_database(db_url)
    first = Cases(tmp_path, "A")
    first.decided("Stevenage", "2023-10-01", {"Upheld": 2})
    first.decided("Birmingham", "2022-10-01", {"Not Upheld": 2})
    import_files(database, first.files(), scheme=LGSCO)  # a first load: it records nothing, so its reach is unknown
    token, loaded = _state(database)
    assert _reach(database, token, loaded - 1) is None
    assert _reach(database, token, loaded) == frozenset()

    (tmp_path / "b").mkdir()
    late = Cases(tmp_path / "b", "B")
    late.decided("North Hertfordshire", "2024-05-01", {"Upheld": 1})
    late.decided("Birmingham", "2022-11-01", {"Upheld": 1})
    import_files(database, late.files(), scheme=LGSCO)
    assert _reach(database, token, loaded) == {(2024, NORTH_HERTS), (2022, BIRMINGHAM)}

    # a changed row reaches its old and its new year and body; rows imported again unchanged reach nothing
    moved = tmp_path / "moved.csv"
    moved.write_text("reference,authority,decision_date,outcome,satisfactory_remedy,remedied_by_ombudsman\n"
                     "A000001,Birmingham,2021-06-01,Upheld,no,no\n"
                     "A000002,Stevenage,2023-10-01,Upheld,no,no\n", encoding="utf-8")
    before_token, before = _state(database)
    import_files(database, [moved], scheme=LGSCO)
    assert _reach(database, before_token, before) == {(2023, STEVENAGE), (2021, BIRMINGHAM)}
    assert _reach(database, token, loaded) == {(2024, NORTH_HERTS), (2022, BIRMINGHAM), (2023, STEVENAGE),
                                               (2021, BIRMINGHAM)}


def test_an_unknown_reach_a_refused_import_or_another_database(tmp_path):
    database = open_database(f"sqlite:///{tmp_path / 'c.db'}")
    cases = Cases(tmp_path, "A")
    cases.decided("Stevenage", "2023-10-01", {"Upheld": 2})
    cases.population("Stevenage", "2023-24", 90000)
    import_files(database, cases.files(), scheme=LGSCO)
    token, version = _state(database)
    bad = tmp_path / "bad.csv"
    bad.write_text("reference,authority,decision_date,outcome,satisfactory_remedy,remedied_by_ombudsman\n"
                   "Z1,Stevenage,2023-10-01,Upheld,no,no\nZ2,Nowhere,2023-10-01,Upheld,no,no\n", encoding="utf-8")
    with pytest.raises(ImportFailed):
        import_files(database, [bad], scheme=LGSCO)
    assert _state(database) == (token, version) and _reach(database, token, version) == frozenset()
    population = tmp_path / "population.csv"
    population.write_text("authority,year,population\nStevenage,2023-24,91000\n", encoding="utf-8")
    import_files(database, [population], scheme=LGSCO)  # population reaches every rate per head: not one year and body
    assert _reach(database, token, version) is None
    assert _reach(database, "another database", _state(database)[1]) is None
    assert _reach(database, token, _state(database)[1] + 1) is None  # a version that went back


def test_a_database_restored_from_an_older_backup_and_imported_into_is_another_history(tmp_path):
    """A build read version V; the database is then restored from a backup taken before V and imported into until
    it is at V again by other steps: the same number, other data, so the reach since the build is unknown."""
    path = tmp_path / "d.db"
    database = open_database(f"sqlite:///{path}")
    cases = Cases(tmp_path, "A")
    cases.decided("Stevenage", "2023-10-01", {"Upheld": 2})
    import_files(database, cases.files(), scheme=LGSCO)
    database.close()
    shutil.copy(path, tmp_path / "backup.db")  # the server stopped, as the README's restore step says
    database = open_database(f"sqlite:///{path}")
    (tmp_path / "b").mkdir()
    build_saw = Cases(tmp_path / "b", "B")
    build_saw.decided("Birmingham", "2022-11-01", {"Upheld": 1})
    import_files(database, build_saw.files(), scheme=LGSCO)
    token, version = _state(database)  # what a build read
    database.close()
    shutil.copy(tmp_path / "backup.db", path)
    database = open_database(f"sqlite:///{path}")
    (tmp_path / "c").mkdir()
    other = Cases(tmp_path / "c", "C")
    other.decided("North Hertfordshire", "2024-05-01", {"Upheld": 1})
    import_files(database, other.files(), scheme=LGSCO)
    try:
        assert _state(database)[1] == version and _state(database)[0] != token
        assert _reach(database, token, version) is None
    finally:
        database.close()
