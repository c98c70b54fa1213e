"""A first load's rows written into SQLite from pyarrow columns by ADBC's SQLite driver, in C, rather than bound
value by value through Python's sqlite3 (half of inserting a row's time went on that binding).

adbc-driver-sqlite carries a SQLite library of its own, and two SQLite libraries must never have the same file open
at once in one process: each one's POSIX locks are undone when the other closes the file ("How To Corrupt An SQLite
Database File", 2.2.1). So ADBC never opens the import's database. It writes the checked rows into a private
temporary database (`ArrowRows`: journal and syncing off, as it is thrown away), one table per file, and is closed;
only then does the import's own connection ATTACH that file and copy the rows into the case tables by
INSERT … SELECT, inside the import's transaction (store.load.FirstLoad.add_attached). The import stays all or
nothing: a killed import leaves the database as it was, and a temporary file behind.
"""

from __future__ import annotations

import shutil
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection

from ombuds.store.aggregate import COUNTED
from ombuds.years import Year

if TYPE_CHECKING:
    import pyarrow as pa

SCHEMA = "arrow_rows"  # the temporary database's name in the import's connection


def available() -> bool:
    """Whether ADBC's SQLite driver is installed (without it every import takes the other path)."""
    try:
        import adbc_driver_sqlite.dbapi  # noqa: F401
    except ImportError:
        return False
    return True


class ArrowRows:
    """The private temporary database the checked rows are written into, one table per file."""

    def __init__(self) -> None:
        import adbc_driver_sqlite.dbapi as adbc

        self.folder = Path(tempfile.mkdtemp(prefix="ombuds-import-"))
        self.path = self.folder / "rows.db"
        self._connection = adbc.connect(str(self.path), autocommit=True)
        self._cursor = self._connection.cursor()
        for statement in ("PRAGMA journal_mode=OFF", "PRAGMA synchronous=OFF", "BEGIN"):
            self._cursor.execute(statement)
            self._cursor.fetchall()

    def add(self, table: str, rows: pa.Table) -> None:
        """Rows appended to `table` (made at the first rows, with the rows' column names and no constraint)."""
        self._cursor.adbc_ingest(table, rows, mode="create_append")

    def drop(self, table: str) -> None:
        self._cursor.execute(f'DROP TABLE IF EXISTS "{table}"')
        self._cursor.fetchall()

    def close(self) -> None:
        """Written and closed: ADBC's SQLite has let go of the file before the import's connection opens it."""
        if self._connection is None:
            return
        self._cursor.execute("COMMIT")
        self._cursor.fetchall()
        self._cursor.close()
        self._connection.close()
        self._connection = None

    def remove(self) -> None:
        if self._connection is not None:
            self._cursor.close()
            self._connection.close()
            self._connection = None
        shutil.rmtree(self.folder, ignore_errors=True)


@contextmanager
def attached(connection: Connection, rows: ArrowRows) -> Iterator[None]:
    """The closed temporary database attached to the import's connection (outside any transaction, as SQLite
    requires), detached afterwards."""
    connection.exec_driver_sql(f"ATTACH DATABASE ? AS {SCHEMA}", (str(rows.path),))
    connection.commit()
    try:
        yield
    finally:
        connection.rollback()
        connection.exec_driver_sql(f"DETACH DATABASE {SCHEMA}")
        connection.commit()


def tally(kind: str, rows: pa.Table, counts: Counter[tuple]) -> None:
    """A block's rows (the case table's columns) added to `counts` as store.aggregate.LoadCounts counts them: by
    (start year, authority, label[, the two remedy flags])."""
    import pyarrow as pa
    import pyarrow.compute as pc

    _, day, label = COUNTED[kind]
    counted = ["authority_code", label]
    if kind == "decided":
        counted += ["satisfactory_remedy", "remedied_by_ombudsman"]
    days = pc.dictionary_encode(rows.column(day).combine_chunks())
    years = [Year.of(date.fromisoformat(d)).start_year for d in days.dictionary.to_pylist()]
    keyed = pa.table([pa.array(years, pa.int64()).take(days.indices), *(rows.column(c) for c in counted)],
                     names=["year", *counted])
    grouped = keyed.group_by(["year", *counted], use_threads=False).aggregate([([], "count_all")])
    keys = zip(*(grouped.column(name).to_pylist() for name in ["year", *counted]), strict=True)
    counts.update(dict(zip(keys, grouped.column("count_all").to_pylist(), strict=True)))

