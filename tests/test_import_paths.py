"""The import's fast paths give exactly what the plain paths give. Reading: pyarrow's column-by-column reader
(ingest.columnar) against the row reader (ingest.read), on generated CSV files with quotes, delimiters in values,
line breaks in values, blank and white-space rows, rows with too many or too few fields and Windows line endings.
Loading: a first load straight into empty tables (store.load.FirstLoad) against staging, the same rows stored, the
same counts, the same report; where a first load cannot say where a problem is (a repeated key, a decision before
its receipt), the import is made again staged and words it the same; a refused first load leaves the schema as it
was."""

from __future__ import annotations

import csv
import gc
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import LGSCO, snapshot, write_csv
from ombuds.ingest import ImportFailed, columnar, import_files
from ombuds.ingest import run as ingest_run
from ombuds.ingest.columnar import NotColumnar, _lines
from ombuds.store import open_database
from ombuds.store.aggregate import fresh_counts, stored_counts
from ombuds.store.load import FirstLoad

RECEIVED = ["reference", "authority", "received_date", "service_area"]
DECIDED = ["reference", "authority", "decision_date", "outcome", "satisfactory_remedy", "remedied_by_ombudsman",
           "public_report", "summary"]
SETTINGS = settings(max_examples=40, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

CELLS = {
    "reference": ["R1", "R2", " r3 ", "", "R1", "x" * 41],
    "authority": ["Stevenage", "E07000243", "Nowhere", "", "Buckinghamshire", "North Yorkshire", "Wellingborough"],
    "date": ["2019-07-24", "24/07/2019", "2019-02-30", "", "2024-05-01", "1990-01-01", " 2020-01-01 "],
    "service_area": ["Housing", "housing", "Parks", ""],
    "outcome": ["Upheld", "Not Upheld", "Won", ""],
    "flag": ["yes", "no", "", "maybe"],
    "text": ["A summary", "", "a, quoted \"summary\"", "two\nlines", "  ", "x\r\ny"],
}
COLUMN_CELLS = {"reference": "reference", "authority": "authority", "received_date": "date",
                "decision_date": "date", "service_area": "service_area", "outcome": "outcome",
                "satisfactory_remedy": "flag", "remedied_by_ombudsman": "flag", "public_report": "flag",
                "summary": "text"}


@st.composite
def csv_files(draw) -> bytes:
    """A received or decided file: mostly rows of the header's width, some shorter, longer, blank or white space."""
    header = draw(st.sampled_from([RECEIVED, DECIDED]))
    rows = []
    for _ in range(draw(st.integers(0, 12))):
        row = [draw(st.sampled_from(CELLS[COLUMN_CELLS[column]])) for column in header]
        shape = draw(st.sampled_from(["plain"] * 6 + ["short", "long", "long blank", "blank", "spaces"]))
        if shape == "short":
            row = row[:draw(st.integers(1, len(row) - 1))]
        elif shape == "long":
            row += ["extra"]
        elif shape == "long blank":
            row += ["", " "]
        elif shape == "blank":
            row = []
        elif shape == "spaces":
            row = [" "] * len(row)
        rows.append(row)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=draw(st.sampled_from([",", ";"])),
                        lineterminator=draw(st.sampled_from(["\n", "\r\n"])))
    writer.writerow(header)
    writer.writerows(rows)
    text = out.getvalue()
    if draw(st.booleans()):
        text = text.rstrip("\r\n")  # no line ending after the last row
    return ("\ufeff" if draw(st.booleans()) else "").encode() + text.encode()


def outcome(url: str, path: Path) -> tuple[str, dict]:
    """What importing the file into a new database does: the refusal's text, or the report and the rows stored."""
    database = open_database(url)
    try:
        try:
            report = "\n".join(import_files(database, [path], scheme=LGSCO).lines())
        except ImportFailed as failure:
            report = str(failure)
        return report, snapshot(database)
    finally:
        database.close()


def _row_reader_only(*_args, **_kwargs):
    raise NotColumnar("for the test")
    yield  # a generator, as csv_blocks is


@SETTINGS
@given(body=csv_files())
def test_the_column_reader_reads_what_the_row_reader_reads(tmp_path_factory, monkeypatch, body):
    """And what a first load through pyarrow and ADBC reads (ingest.arrow_read), where it takes the file."""
    folder = tmp_path_factory.mktemp("paths")
    path = folder / "cases.csv"
    path.write_bytes(body)
    arrow = outcome(f"sqlite:///{folder / 'arrow.db'}", path)
    monkeypatch.setattr(ingest_run, "arrow_available", lambda: False)
    fast = outcome(f"sqlite:///{folder / 'fast.db'}", path)
    with monkeypatch.context() as patch:
        patch.setattr(ingest_run, "csv_blocks", _row_reader_only)
        slow = outcome(f"sqlite:///{folder / 'slow.db'}", path)
    assert arrow == fast == slow


def test_a_large_file_is_read_column_by_column(tmp_path, monkeypatch):
    """The fast path is taken (not silently declined) for an ordinary file, and says where each problem is: here a
    bad date, and text under the header's unnamed last column."""
    rows = [[f"R{i}", "Stevenage", "2019-07-24", "Housing", ""] for i in range(60_000)]
    rows[20_000][2] = "2019-02-30"
    rows[45_000][4] = "stray"
    rows[50_000] = [" "] * 5  # blank
    rows[55_000] = []  # an empty line: still read column by column, and skipped
    path = write_csv(tmp_path / "r.csv", [*RECEIVED, ""], rows)
    blocks = []

    def counted(*args):
        for cells, flagged in columnar.csv_blocks(*args):
            blocks.append(len(cells[0]))
            yield cells, flagged

    monkeypatch.setattr(ingest_run, "csv_blocks", counted)
    report, _ = outcome(f"sqlite:///{tmp_path / 'r.db'}", path)
    assert len(blocks) > 1 and sum(blocks) == 60_000  # the empty line is a row of the blocks: lines stay rows
    assert report.splitlines() == [
        f"{path}:20002: received_date: impossible date '2019-02-30'",
        f"{path}:45002: row: 5 fields, but the header has 4 columns",
        "2 problems found; nothing was imported"]


@given(data=st.binary(max_size=40).map(lambda b: bytes(c for c in b if c in b"ab\r\n")),
       reads=st.lists(st.integers(1, 5), min_size=1, max_size=20))
@settings(max_examples=300, deadline=None)
def test_lines_are_counted_as_the_row_reader_numbers_them(data, reads):
    """Whatever the size of the blocks read, so that a line ending split between two blocks counts once."""

    sizes = iter(reads * 20)

    class Blocks(io.BytesIO):
        def read(self, size=-1):
            return super().read(next(sizes, 5))

    text = data.decode()
    assert _lines(Blocks(data)) == len(text.splitlines())


def cases(folder: Path, *, late_decision: bool = False, repeated: bool = False) -> list[Path]:
    received = [[f"C{i}", "Stevenage" if i % 3 else "Buckinghamshire", f"2021-0{1 + i % 9}-1{i % 9}",
                 "Housing" if i % 2 else "Planning and Development"] for i in range(60)]
    decided = [[f"C{i}", "E07000243" if i % 3 else "Buckinghamshire", f"2022-0{1 + i % 9}-2{i % 9}",
                "Upheld" if i % 4 else "Not Upheld", "yes" if i % 8 == 1 else "no", "yes" if i % 8 == 3 else "",
                "no", f"case {i}"] for i in range(0, 60, 2)]
    if late_decision:
        decided[5][2] = "2020-01-01"
    if repeated:
        decided.append([*decided[3][:-1], "another summary"])
        received.append(list(received[7]))  # an identical repeat, which is harmless
    return [write_csv(folder / "received.csv", RECEIVED, received),
            write_csv(folder / "decided.csv", DECIDED, decided)]


def imported(database, files) -> tuple[str, dict, dict]:
    try:
        report = "\n".join(import_files(database, files, scheme=LGSCO).lines())
    except ImportFailed as failure:
        report = str(failure)
    with database.read() as connection:
        counts = stored_counts(connection)
        assert counts == fresh_counts(connection)
    return report, snapshot(database), counts


@pytest.mark.parametrize("problem", ["none", "late decision", "repeated key"])
def test_a_first_load_stores_and_reports_what_staging_does(db_url, tmp_path, monkeypatch, problem):
    files = cases(tmp_path, late_decision=problem == "late decision", repeated=problem == "repeated key")
    attempts = []
    first_load = ingest_run._import

    def counted(*args, **kwargs):
        attempts.append(kwargs["first_load"])
        return first_load(*args, **kwargs)

    monkeypatch.setattr(ingest_run, "_import", counted)
    database = open_database(db_url)
    try:
        fast = imported(database, files)
    finally:
        database.close()
    assert attempts == ([True] if problem == "none" else [True, False])
    with monkeypatch.context() as patch:
        patch.setattr(FirstLoad, "can_take", staticmethod(lambda connection, kind: False))
        database = open_database(db_url)
        try:
            with database.transaction() as connection:  # empty again
                for table in ("received", "decided", "case_counts"):
                    connection.exec_driver_sql(f"DELETE FROM {table}")
            slow = imported(database, files)
        finally:
            database.close()
    assert fast == slow
    if problem == "none":
        assert fast[0].splitlines()[-2:] == ["received: 60 new, 0 changed, 0 unchanged",
                                             "decided: 30 new, 0 changed, 0 unchanged"]
    elif problem == "late decision":
        assert "decision date 2020-01-01 is before the complaint was received (2021-02-11)" in fast[0]
    else:
        assert "'C6' appears again with different content (first at line 5)" in fast[0]


def test_a_refused_first_load_leaves_the_tables_and_indexes_as_they_were(db_url, tmp_path):
    database = open_database(db_url)
    try:
        with database.read() as connection:
            indexes = _indexes(connection)
        for files in (cases(tmp_path, repeated=True), [write_csv(tmp_path / "bad.csv", RECEIVED,
                                                                  [["B1", "Nowhere", "2020-01-01", "Housing"]])]):
            with pytest.raises(ImportFailed):
                import_files(database, files, scheme=LGSCO)
            with database.read() as connection:
                assert _indexes(connection) == indexes
            assert all(not rows for rows in snapshot(database).values())
    finally:
        database.close()


def _indexes(connection) -> list[str]:
    if connection.dialect.name == "sqlite":
        query = "SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY name"
    else:
        query = "SELECT indexname FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname"
    return list(connection.exec_driver_sql(query).scalars())


def test_a_first_load_builds_its_indexes_with_the_small_page_cache(tmp_path):
    """SQLite's page cache during an import (store.load): 16 MB while the rows are cross-checked, SQLite's default
    2 MB while the indexes are built after a first load, the connection's own again afterwards."""
    from sqlalchemy import event

    database = open_database(f"sqlite:///{tmp_path / 'test.db'}")
    seen: list[tuple[str, int]] = []

    def cache_at(_connection, cursor, statement, *_args):
        size = cursor.connection.execute("PRAGMA main.cache_size").fetchone()[0]
        seen.append((" ".join(statement.split()), size))

    event.listen(database.engine, "before_cursor_execute", cache_at)
    try:
        imported(database, cases(tmp_path))
    finally:
        database.close()
    cross_check = [size for statement, size in seen if "FROM decided JOIN received" in statement]
    indexes = {statement.split(" ON ")[0]: size for statement, size in seen if statement.startswith("CREATE INDEX")}
    assert cross_check == [-16 * 1024]
    assert indexes == {"CREATE INDEX ix_decided_authority": -2048, "CREATE INDEX ix_decided_counts": -2048,
                       "CREATE INDEX ix_received_counts": -2048}
    assert seen[0][1] == seen[-1][1] == -200000  # store.db's cache, before the import and after it


@pytest.mark.parametrize("reader", [False, True])
def test_a_first_load_writes_under_a_rollback_journal_unless_the_database_is_open_elsewhere(tmp_path, reader):
    """A first import into a new SQLite database writes its rows under a rollback journal, synced in full, and
    leaves the write-ahead log and the usual settings behind it; while another connection has the database open
    (a server reading it), SQLite refuses the change and the import keeps the log, at once (no busy wait)."""
    import sqlite3

    from sqlalchemy import event

    path = tmp_path / "test.db"
    database = open_database(f"sqlite:///{path}")
    other = sqlite3.connect(f"file:{path}?mode=ro", uri=True) if reader else None
    if other is not None:
        assert other.execute("SELECT count(*) FROM received").fetchone() == (0,)
    seen: list[tuple[str, str]] = []

    def journal_at(_connection, cursor, statement, *_args):
        if statement.startswith("CREATE INDEX ix_decided_counts"):  # the load, in its transaction
            seen.append((cursor.connection.execute("PRAGMA journal_mode").fetchone()[0],
                         cursor.connection.execute("PRAGMA synchronous").fetchone()[0]))

    event.listen(database.engine, "before_cursor_execute", journal_at)
    try:
        report, _, _ = imported(database, cases(tmp_path))
        with database.read() as connection:
            after = [connection.exec_driver_sql(f"PRAGMA {name}").scalar()
                     for name in ("journal_mode", "synchronous", "busy_timeout")]
    finally:
        database.close()
        if other is not None:
            other.close()
    assert report.splitlines()[-2:] == ["received: 60 new, 0 changed, 0 unchanged",
                                        "decided: 30 new, 0 changed, 0 unchanged"]
    assert seen == ([("wal", 1)] if reader else [("delete", 2)])  # synchronous: 1 NORMAL, 2 FULL
    assert after == ["wal", 1, 5000]
    assert path.read_bytes()[18:20] == b"\x02\x02"  # the file's header: write-ahead log


def test_the_cycle_collector_is_paused_while_an_import_runs_and_back_on_after(tmp_path):
    """Paused inside the import's transaction (its rows would set it off thousands of times); on again after an
    import, after a refused one, and left as the caller had it when it was off already."""
    good = write_csv(tmp_path / "good.csv", RECEIVED, [["R1", "Stevenage", "2019-07-24", "Housing"]])
    bad = write_csv(tmp_path / "bad.csv", RECEIVED, [["R2", "Stevenage", "2019-02-30", "Housing"]])
    database = open_database(f"sqlite:///{tmp_path / 'gc.db'}")
    seen = []
    try:
        assert gc.isenabled()
        import_files(database, [good], also=lambda _connection: seen.append(gc.isenabled()), scheme=LGSCO)
        assert seen == [False]
        assert gc.isenabled()
        with pytest.raises(ImportFailed):
            import_files(database, [bad], scheme=LGSCO)
        assert gc.isenabled()
        gc.disable()
        import_files(database, [good], scheme=LGSCO)
        assert not gc.isenabled()
    finally:
        gc.enable()
        database.close()


def test_a_re_import_sorts_with_the_small_page_cache_and_stages_in_a_16_mb_one(tmp_path):
    """A re-import's memory does not grow with its files (store.load): the staging tables in a temporary file with a
    16 MB page cache; SQLite's sorter, whose runs are the database's cache size, at the default 2 MB while it builds
    the staging tables' indexes and groups the staged rows to count them; 16 MB while the dates are cross-checked."""
    from sqlalchemy import event

    database = open_database(f"sqlite:///{tmp_path / 'test.db'}")
    imported(database, cases(tmp_path))
    seen: list[tuple[str, int, int]] = []

    def caches_at(_connection, cursor, statement, *_args):
        main, = cursor.connection.execute("PRAGMA main.cache_size").fetchone()
        temp, = cursor.connection.execute("PRAGMA temp.cache_size").fetchone()
        seen.append((" ".join(statement.split()), main, temp))

    event.listen(database.engine, "before_cursor_execute", caches_at)
    try:
        report, _, _ = imported(database, cases(tmp_path, late_decision=True))
    finally:
        database.close()
    assert "decision date 2020-01-01 is before the complaint was received" in report
    staged = [(statement, main, temp) for statement, main, temp in seen if "stage_" in statement]
    indexes = {statement.split(" ON ")[0]: main for statement, main, _ in staged
               if statement.startswith("CREATE INDEX")}
    grouped = [main for statement, main, _ in staged if "AS start_year" in statement]
    cross_checks = [main for statement, main, _ in staged if "received_date >" in statement]
    assert indexes == {"CREATE INDEX ix_stage_received_key": -2048, "CREATE INDEX ix_stage_decided_key": -2048}
    assert cross_checks == [-16 * 1024, -16 * 1024]
    assert {temp for _, _, temp in staged} == {-16 * 1024}
    assert seen[0][1] == seen[-1][1] == -200000  # store.db's cache, before the import and after it
    assert grouped == []  # refused before the merge: nothing counted


def test_a_re_import_counts_its_changes_with_the_small_page_cache(tmp_path):
    """The two GROUP BYs that count what a re-import changes (store.aggregate.count_changes) sort with SQLite's
    default 2 MB cache: with the import's 16 MB they held 32 MB more at a 1M-case re-import's peak."""
    from sqlalchemy import event

    database = open_database(f"sqlite:///{tmp_path / 'test.db'}")
    imported(database, cases(tmp_path))
    files = cases(tmp_path)
    files[1].write_bytes(files[1].read_bytes().replace(b",case 4\r\n", b",case four\r\n"))
    seen: list[tuple[str, int]] = []

    def cache_at(_connection, cursor, statement, *_args):
        seen.append((" ".join(statement.split()), cursor.connection.execute("PRAGMA main.cache_size").fetchone()[0]))

    event.listen(database.engine, "before_cursor_execute", cache_at)
    try:
        report, _, _ = imported(database, files)
    finally:
        database.close()
    assert "decided: 0 new, 1 changed, 29 unchanged (changed: C4)" in report
    grouped = {statement.split(" FROM ")[1].split()[0]: main for statement, main in seen
               if "AS start_year" in statement and "stage_" in statement}
    assert grouped == {"stage_received": -2048, "stage_decided": -2048}


def test_the_column_reader_takes_its_blocks_from_a_pool_that_hands_memory_back(tmp_path, monkeypatch):
    """pyarrow's default pool, mimalloc, kept some 60 MB of the reader's freed blocks resident in a 1M-case import
    (ingest.columnar.reading_pool): the reader gets jemalloc's pool, or the C library's where pyarrow lacks it."""
    from pyarrow import csv as arrow_csv

    pools = []
    open_csv = arrow_csv.open_csv

    def spied(*args, memory_pool=None, **kwargs):
        pools.append(memory_pool.backend_name)
        return open_csv(*args, memory_pool=memory_pool, **kwargs)

    monkeypatch.setattr(arrow_csv, "open_csv", spied)
    database = open_database(f"sqlite:///{tmp_path / 'test.db'}")
    try:
        imported(database, cases(tmp_path))
    finally:
        database.close()
    assert pools == [jemalloc_or_system(), jemalloc_or_system()]


def jemalloc_or_system() -> str:
    import pyarrow as pa

    try:
        return pa.jemalloc_memory_pool().backend_name
    except NotImplementedError:
        return "system"
