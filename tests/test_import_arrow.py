"""A first load through pyarrow and ADBC (ingest.arrow_read, store.arrow_load): the same tables, counts, kept
statistics and messages as the other path, taken only where it may be, and ADBC's SQLite never on the import's
database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import LGSCO, first_arguments, snapshot, write_csv
from ombuds.ingest import ImportFailed, import_files
from ombuds.ingest import run as ingest_run
from ombuds.store import arrow_load, open_database
from ombuds.store.aggregate import fresh_counts
from test_import_paths import DECIDED, RECEIVED

pytest.importorskip("adbc_driver_sqlite")

AUTHORITIES = ["Stevenage", "E07000243", "stevenage", "Buckinghamshire", "Wellingborough", "North Yorkshire",
               "E07000223"]


def received_rows(count: int) -> list[list[str]]:
    return [[f" r{i} " if i % 7 == 0 else f"R{i}", AUTHORITIES[i % len(AUTHORITIES)],
             f"{2018 + i % 3}-{1 + i % 12:02d}-{1 + i % 28:02d}" if i % 5 else f"{1 + i % 28:02d}/0{1 + i % 9}/2019",
             ["Housing", "housing", "Planning and Development", " Environment Services "][i % 4]] for i in range(count)]


def decided_rows(count: int) -> list[list[str]]:
    return [[f"R{i}", AUTHORITIES[i % len(AUTHORITIES)], f"{2020 + i % 2}-{1 + i % 12:02d}-{1 + i % 28:02d}",
             "Upheld" if i % 3 else "Not Upheld", "yes" if i % 6 == 1 else "no", "Y" if i % 6 == 2 else "",
             ["no", "yes", "", "TRUE"][i % 4], ["", "Café kitchens, repaired", f"  case {i}  "][i % 3]]
            for i in range(0, count, 2)]


def files(folder: Path, rows: int = 60_000) -> list[Path]:
    return [write_csv(folder / "received.csv", RECEIVED, received_rows(rows)),
            write_csv(folder / "decided.csv", DECIDED, decided_rows(rows))]


def outcome(url: str, paths: list[Path], monkeypatch, *, arrow: bool) -> tuple[str, dict, list, dict]:
    """The report (or refusal), every case table, the counts in the order stored and the kept statistics, after
    importing into a new database with the Arrow path allowed or not; `preloaded` holds what it loaded."""
    with monkeypatch.context() as patch:
        if not arrow:
            patch.setattr(ingest_run, "arrow_available", lambda: False)
        database = open_database(url)
        try:
            try:
                report = "\n".join(import_files(database, paths, scheme=LGSCO).lines())
            except ImportFailed as failure:
                report = str(failure)
            with database.read() as connection:
                counts = connection.exec_driver_sql("SELECT * FROM case_counts ORDER BY rowid").all()
                assert dict(((y, a, k, lab), (n, r, m)) for y, k, a, lab, n, r, m in counts) \
                    == fresh_counts(connection)
                kept = dict(connection.exec_driver_sql(
                    "SELECT year || '/' || method, body FROM kept_statistics").all())
            return report, snapshot(database), counts, kept
        finally:
            database.close()


@pytest.fixture
def preloaded(monkeypatch) -> list[dict]:
    """What each import's Arrow path loaded: the files' numbers and their kinds."""
    seen: list[dict] = []
    real = ingest_run.preload

    def spied(*args, **kwargs):
        rows, loaded = real(*args, **kwargs)
        seen.append({number: found.kind for number, found in loaded.items()})
        return rows, loaded

    monkeypatch.setattr(ingest_run, "preload", spied)
    return seen


def test_a_first_load_through_arrow_stores_exactly_what_the_other_path_stores(tmp_path, monkeypatch, preloaded):
    paths = files(tmp_path)
    fast = outcome(f"sqlite:///{tmp_path / 'fast.db'}", paths, monkeypatch, arrow=True)
    assert preloaded == [{1: "received", 2: "decided"}]
    slow = outcome(f"sqlite:///{tmp_path / 'slow.db'}", paths, monkeypatch, arrow=False)
    assert preloaded == [{1: "received", 2: "decided"}]  # not called again
    assert fast == slow
    report, tables, counts, kept = fast
    assert report.splitlines()[-2:] == ["received: 60,000 new, 0 changed, 0 unchanged",
                                        "decided: 30,000 new, 0 changed, 0 unchanged"]
    assert len(tables["received"]) == 60_000 and len(tables["decided"]) == 30_000
    assert ("R7", "E07000243", "2019-08-08", "environment-services") in tables["received"]  # " r7 ", Stevenage
    assert ("R10", "E10000002", "2019-02-11", "planning-and-development") in tables["received"]  # 11/02/2019
    assert ("R2", "E07000243", "2020-03-03", "upheld", "None", "False", "True", "False", "case 2") \
        in tables["decided"]  # "stevenage", "no", "Y", "", "  case 2  "
    assert ("R4", "E07000156", "2020-05-05", "upheld", "None", "False", "False", "False", "Café kitchens, repaired") \
        in tables["decided"]
    assert len(counts) > 50 and sorted(kept) == ["/pooled", "2017-18/pooled", "2018-19/pooled", "2019-20/pooled",
                                                 "2020-21/pooled"]


def test_a_problem_in_row_n_is_still_reported_at_its_line(tmp_path, monkeypatch, preloaded):
    received = received_rows(30_000)
    received[20_000][2] = "2019-02-30"
    decided = decided_rows(30_000)
    decided[9_000][5] = "maybe"
    paths = [write_csv(tmp_path / "received.csv", RECEIVED, received),
             write_csv(tmp_path / "decided.csv", DECIDED, decided)]
    fast = outcome(f"sqlite:///{tmp_path / 'fast.db'}", paths, monkeypatch, arrow=True)
    slow = outcome(f"sqlite:///{tmp_path / 'slow.db'}", paths, monkeypatch, arrow=False)
    assert preloaded == [{}]  # both files declined: the other path words their problems
    assert fast == slow
    assert fast[0].splitlines() == [
        f"{paths[0]}:20002: received_date: impossible date '2019-02-30'",
        f"{paths[1]}:9002: remedied_by_ombudsman: 'maybe' is not yes or no",
        "2 problems found; nothing was imported"]
    assert all(not rows for rows in fast[1].values())


def test_a_declined_file_beside_a_loaded_one_gives_the_same_tables(tmp_path, monkeypatch, preloaded):
    """The received file has a blank row (read by the other path); the decided file goes through Arrow."""
    received = received_rows(30_000)
    received[100] = ["", "", " ", ""]
    paths = [write_csv(tmp_path / "received.csv", RECEIVED, received),
             write_csv(tmp_path / "decided.csv", DECIDED, decided_rows(30_000))]
    fast = outcome(f"sqlite:///{tmp_path / 'fast.db'}", paths, monkeypatch, arrow=True)
    assert preloaded == [{2: "decided"}]
    assert fast == outcome(f"sqlite:///{tmp_path / 'slow.db'}", paths, monkeypatch, arrow=False)
    assert "received: 29,999 new" in fast[0]


@pytest.mark.parametrize("first", ["reference", "authority"])
def test_a_blank_row_declines_its_file_whichever_column_comes_first(tmp_path, monkeypatch, preloaded, first):
    """A blank row sends its file the other path, wherever the reference column is: its empty reference declines
    the block (the Arrow path no longer looks for blank rows where a kind has a reference)."""
    order = [RECEIVED.index(first), *(i for i, name in enumerate(RECEIVED) if name != first)]
    rows = [[row[i] for i in order] for row in received_rows(30_000)]
    rows[100] = [" ", "", "\t", ""]
    paths = [write_csv(tmp_path / "received.csv", [RECEIVED[i] for i in order], rows),
             write_csv(tmp_path / "decided.csv", DECIDED, decided_rows(30_000))]
    fast = outcome(f"sqlite:///{tmp_path / 'fast.db'}", paths, monkeypatch, arrow=True)
    assert preloaded == [{2: "decided"}]
    assert fast == outcome(f"sqlite:///{tmp_path / 'slow.db'}", paths, monkeypatch, arrow=False)
    assert "received: 29,999 new" in fast[0]


@pytest.mark.parametrize("text", ["\u00a0R1", "R1\u3000", "\x0bR1", "r\u00e91", "R\x7f1"])
def test_references_and_text_pyarrow_might_read_otherwise_give_what_python_gives(tmp_path, monkeypatch, text):
    rows = received_rows(200)
    rows[3][0] = text
    decided = decided_rows(200)
    decided[5][7] = text
    paths = [write_csv(tmp_path / "received.csv", RECEIVED, rows), write_csv(tmp_path / "decided.csv", DECIDED,
                                                                             decided)]
    fast = outcome(f"sqlite:///{tmp_path / 'fast.db'}", paths, monkeypatch, arrow=True)
    assert fast == outcome(f"sqlite:///{tmp_path / 'slow.db'}", paths, monkeypatch, arrow=False)


def test_a_key_repeated_across_files_is_worded_as_before(tmp_path, monkeypatch, preloaded):
    """Both files load through Arrow; the case table's primary key refuses the second copy, and the import is made
    again, staged, which names the line."""
    first = write_csv(tmp_path / "a.csv", RECEIVED, received_rows(100))
    again = received_rows(100)[40:41]
    again[0][3] = "Other"
    second = write_csv(tmp_path / "b.csv", RECEIVED, again)
    fast = outcome(f"sqlite:///{tmp_path / 'fast.db'}", [first, second], monkeypatch, arrow=True)
    assert preloaded == [{1: "received", 2: "received"}]
    assert fast == outcome(f"sqlite:///{tmp_path / 'slow.db'}", [first, second], monkeypatch, arrow=False)
    assert fast[0].splitlines()[0] == f"{second}:2: reference: 'R40' appears again with different content " \
                                      f"(first at {first}:42)"


def test_without_adbc_or_into_a_database_with_cases_the_other_path_is_taken(tmp_path, monkeypatch, preloaded):
    paths = files(tmp_path, rows=100)
    with monkeypatch.context() as patch:
        patch.setitem(sys.modules, "adbc_driver_sqlite", None)  # not installed
        patch.setitem(sys.modules, "adbc_driver_sqlite.dbapi", None)
        assert not arrow_load.available()
        database = open_database(f"sqlite:///{tmp_path / 'none.db'}")
        import_files(database, paths, scheme=LGSCO)
        database.close()
    assert preloaded == []
    database = open_database(f"sqlite:///{tmp_path / 'twice.db'}")
    try:
        import_files(database, paths[:1], scheme=LGSCO)
        assert preloaded == [{1: "received"}]
        import_files(database, paths[1:], scheme=LGSCO)  # a case table holds rows: no first load, no Arrow
        assert preloaded == [{1: "received"}]
    finally:
        database.close()


def test_adbc_writes_only_a_private_temporary_database_which_is_removed(tmp_path, monkeypatch):
    import adbc_driver_sqlite.dbapi as adbc

    opened = first_arguments(monkeypatch, adbc, "connect")
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    target = tmp_path / "cases.db"
    database = open_database(f"sqlite:///{target}")
    try:
        import_files(database, files(tmp_path, rows=100), scheme=LGSCO)
    finally:
        database.close()
    assert len(opened) == 1 and Path(opened[0]).name == "rows.db"
    assert Path(opened[0]).parent.name.startswith(f"ombuds-import-{os.getpid()}-")
    assert Path(opened[0]).parent.parent == tmp_path
    assert not Path(opened[0]).parent.exists()  # removed once the import is over


def test_counts_summed_block_by_block_are_the_counts_of_the_rows(tmp_path, monkeypatch, preloaded):
    monkeypatch.setattr(arrow_load, "COMPACT", 1)  # every block's counts summed into the file's at once
    paths = files(tmp_path)
    fast = outcome(f"sqlite:///{tmp_path / 'fast.db'}", paths, monkeypatch, arrow=True)
    assert preloaded == [{1: "received", 2: "decided"}]
    assert fast == outcome(f"sqlite:///{tmp_path / 'slow.db'}", paths, monkeypatch, arrow=False)


def test_when_adbc_cannot_write_the_import_takes_the_other_path(tmp_path, monkeypatch, preloaded):
    """A full disk where the temporary database is (here ADBC refusing the second file's rows): nothing of it is
    kept, and every file is read by the other path, which imports them as ever."""
    written: list[str] = []
    real = arrow_load.ArrowRows.add

    def full(self, table, rows):
        written.append(table)
        if table == "file2":
            raise arrow_load.NotWritten("database or disk is full")
        real(self, table, rows)

    monkeypatch.setattr(arrow_load.ArrowRows, "add", full)
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    paths = files(tmp_path, rows=5_000)
    fast = outcome(f"sqlite:///{tmp_path / 'fast.db'}", paths, monkeypatch, arrow=True)
    assert written[0] == "file1" and written[-1] == "file2" and preloaded == [{}]
    assert not list(tmp_path.glob("ombuds-import-*"))
    assert fast == outcome(f"sqlite:///{tmp_path / 'slow.db'}", paths, monkeypatch, arrow=False)
    assert fast[0].splitlines()[-2:] == ["received: 5,000 new, 0 changed, 0 unchanged",
                                         "decided: 2,500 new, 0 changed, 0 unchanged"]


def test_a_block_the_writing_thread_cannot_write_sends_the_import_the_other_path(tmp_path, monkeypatch, preloaded):
    """ADBC writes each block in a thread of its own while the next is checked: its refusal there (here SQLite's, of
    the second file's first block) reaches the import at its next use of the temporary database, which is then
    removed, and every file takes the other path."""
    import threading

    from adbc_driver_manager import AdbcStatusCode, OperationalError

    writers: set[str] = set()
    real = arrow_load.ArrowRows._ingest

    def full(self, table, rows):
        writers.add(threading.current_thread().name)
        if table == "file2":
            with arrow_load._refused():
                raise OperationalError("database or disk is full", status_code=AdbcStatusCode.IO)
        real(self, table, rows)

    monkeypatch.setattr(arrow_load.ArrowRows, "_ingest", full)
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    paths = files(tmp_path, rows=5_000)
    fast = outcome(f"sqlite:///{tmp_path / 'fast.db'}", paths, monkeypatch, arrow=True)
    assert [name.split("_")[0] for name in writers] == ["ombuds-rows"] and preloaded == [{}]
    assert not list(tmp_path.glob("ombuds-import-*"))
    assert fast == outcome(f"sqlite:///{tmp_path / 'slow.db'}", paths, monkeypatch, arrow=False)


def test_a_killed_imports_folder_is_removed_by_the_next_and_a_running_ones_is_not(tmp_path):
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True)
    for pid in (int(gone.stdout), os.getpid()):
        (tmp_path / f"ombuds-import-{pid}-x1").mkdir()
        (tmp_path / f"ombuds-import-{pid}-x1" / "rows.db").write_bytes(b"")
    (tmp_path / "ombuds-import-notes").mkdir()  # not one of its folders
    arrow_load.remove_stale(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"ombuds-import-{os.getpid()}-x1", "ombuds-import-notes"]
