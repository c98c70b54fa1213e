"""A first load's rows written into SQLite from pyarrow columns by ADBC's SQLite driver, in C, rather than bound
value by value through Python's sqlite3 (half of inserting a row's time went on that binding).

adbc-driver-sqlite carries a SQLite library of its own, and two SQLite libraries must never have the same file open
at once in one process: each one's POSIX locks are undone when the other closes the file ("How To Corrupt An SQLite
Database File", 2.2.1). So ADBC never opens the import's database. It writes the checked rows into a private
temporary database (`ArrowRows`: journal and syncing off, as it is thrown away), one table per file, and is closed;
only then does the import's own connection ATTACH that file and copy the rows into the case tables by
INSERT … SELECT, inside the import's transaction (store.load.FirstLoad.add_attached). The import stays all or
nothing: a killed import leaves the database as it was, and its temporary folder, which the next first load through
this path removes (its name holds the process id).

ADBC writes each block in a thread of its own while the import checks the next one: its SQLite works with the GIL
released, so on two cores the writing is mostly hidden. One block at most is being written; every other use of the
temporary database waits for it first, so the rows arrive in order and nothing touches the file at the same time.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection

from ombuds.store.aggregate import COUNTED

if TYPE_CHECKING:
    import pyarrow as pa

SCHEMA = "arrow_rows"  # the temporary database's name in the import's connection
PREFIX = "ombuds-import-"  # of its folder, then the importing process's id
PAGE_SIZE = 16_384  # the temporary database's pages: with SQLite's 4 KB, writing it and copying it in took a fifth more


class NotWritten(Exception):
    """ADBC's SQLite could not write the temporary database (a full disk…): the import takes the other path."""


def available() -> bool:
    """Whether ADBC's SQLite driver is installed (without it every import takes the other path)."""
    from importlib.util import find_spec

    try:  # found, not imported: importing it (and pyarrow.dataset with it) costs 0.05 s, paid only when used
        return find_spec("adbc_driver_sqlite.dbapi") is not None
    except ImportError:
        return False


class ArrowRows:
    """The private temporary database the checked rows are written into, one table per file."""

    def __init__(self) -> None:
        import adbc_driver_sqlite.dbapi as adbc

        try:
            remove_stale(Path(tempfile.gettempdir()))
            self.folder = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-"))
        except OSError as error:
            raise NotWritten(str(error)) from None
        self.path = self.folder / "rows.db"
        self._connection = self._cursor = None
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ombuds-rows")
        self._pending: Future | None = None  # the block being written
        try:
            self._connection = adbc.connect(str(self.path), autocommit=True)
            self._cursor = self._connection.cursor()
            for statement in (f"PRAGMA page_size={PAGE_SIZE}", "PRAGMA journal_mode=OFF", "PRAGMA synchronous=OFF",
                              "BEGIN"):
                self._execute(statement)
        except NotWritten:
            self.remove()
            raise

    def add(self, table: str, rows: pa.Table) -> None:
        """Rows appended to `table`, made at the first rows with their column names and no constraint: the case
        table's primary key is kept once, as they are copied in. (Made as the case table is, with its primary key,
        they could be copied in by SQLite's transfer optimisation, 0.28 s instead of 0.69 s of CPU for the skewed
        generator's 959,337 received and decided rows, but keeping the key here cost 0.7 s more.) Written by the
        writing thread once the block before is written; NotWritten, here or at the next use, if SQLite refuses
        them."""
        self._written()
        self._pending = self._writer.submit(self._ingest, table, rows)

    def _ingest(self, table: str, rows: pa.Table) -> None:
        with _refused():
            self._cursor.adbc_ingest(table, rows, mode="create_append")

    def _written(self) -> None:
        """The block being written finished; its NotWritten raised here."""
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    def drop(self, table: str) -> None:
        self._written()
        self._execute(f'DROP TABLE IF EXISTS "{table}"')

    def _execute(self, statement: str) -> None:
        with _refused():
            self._cursor.execute(statement)
            self._cursor.fetchall()

    def close(self) -> None:
        """Written and closed: ADBC's SQLite has let go of the file before the import's connection opens it."""
        self._written()
        self._execute("COMMIT")
        self._release()

    def remove(self) -> None:
        """Closed if it was not, and deleted with its folder."""
        with contextlib.suppress(NotWritten):
            self._release()
        shutil.rmtree(self.folder, ignore_errors=True)

    def _release(self) -> None:
        self._writer.shutdown()  # a block still being written (the import failed or was interrupted) finishes first
        self._pending = None
        with _refused():
            if self._cursor is not None:
                self._cursor.close()
            if self._connection is not None:
                self._connection.close()
        self._connection = self._cursor = None


def remove_stale(folder: Path) -> None:
    """The temporary folders that imports killed part-way left in `folder`: those whose process has ended."""
    for stale in folder.glob(f"{PREFIX}*-*"):
        pid = stale.name.removeprefix(PREFIX).split("-")[0]
        if pid.isdigit() and not _running(int(pid)):
            shutil.rmtree(stale, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's
        return True
    return True


@contextmanager
def _refused() -> Iterator[None]:
    """ADBC's errors (a full disk, a refused statement) as NotWritten."""
    from adbc_driver_manager import Error

    try:
        yield
    except Error as error:
        raise NotWritten(str(error)) from None


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


COMPACT = 200_000  # a file's counted keys held before they are summed: 3 MB


class Tally:
    """A file's rows counted as store.aggregate.LoadCounts counts them: cases by (start year, authority, label[, the
    two remedy flags]). Each row's key is packed into one integer (numpy) and the keys of a block counted at once;
    pyarrow's own group_by took 0.4 s of CPU for the skewed generator's 1M rows, this a tenth of it. A column that
    comes as a dictionary array (the checks' distinct values, ingest.arrow_columns) is reckoned once per value of
    its dictionary, then spread over the rows by their indices."""

    def __init__(self, kind: str):
        _, self.day, label = COUNTED[kind]
        self.counted = ["authority_code", label]
        self.flags = ["satisfactory_remedy", "remedied_by_ombudsman"] if kind == "decided" else []
        self.values: list[dict[object, int]] = [{}, {}]  # each authority and label seen, numbered
        self._keys: list = []
        self._cases: list = []

    def add(self, rows: pa.Table) -> None:
        """A block's rows, in the case table's columns (dates as the store's ISO text)."""
        import numpy as np

        values, rows_of = _coded(rows.column(self.day))
        key = start_years(values).to_numpy().astype(np.int64)[rows_of] << 40
        for shift, column, numbered in zip((20, 2), self.counted, self.values, strict=True):
            key |= self._numbers(rows.column(column), numbered) << shift
        for shift, column in zip((1, 0), self.flags, strict=False):
            key |= rows.column(column).to_numpy().astype(np.int64) << shift
        keys, cases = np.unique(key, return_counts=True)
        self._keys.append(keys)
        self._cases.append(cases)
        if sum(map(len, self._keys)) > COMPACT:
            self._compact()

    def _compact(self) -> None:
        """The blocks' counts summed into one (their size stays that of the distinct keys, whatever the rows)."""
        import numpy as np

        keys, where = np.unique(np.concatenate(self._keys), return_inverse=True)
        self._keys = [keys]
        self._cases = [np.bincount(where, weights=np.concatenate(self._cases)).astype(np.int64)]

    @staticmethod
    def _numbers(column: pa.ChunkedArray, numbered: dict[object, int]):
        import numpy as np

        values, rows_of = _coded(column)
        for value in (values := values.to_pylist()):
            numbered.setdefault(value, len(numbered))
        return np.array([numbered[value] for value in values], np.int64)[rows_of]

    def counts(self) -> dict[tuple, int]:

        if not self._keys:
            return {}
        self._compact()
        keys, cases = self._keys[0], self._cases[0]
        authorities, labels = ({number: value for value, number in numbered.items()} for numbered in self.values)
        out = {}
        for key, n in zip(keys.tolist(), cases.tolist(), strict=True):
            flags = ((key >> 1) & 1, key & 1) if self.flags else ()
            out[(key >> 40, authorities[(key >> 20) & 0xFFFFF], labels[(key >> 2) & 0x3FFFF], *flags)] = n
        return out


def _coded(column: pa.ChunkedArray):
    """A column's values (each distinct one at least once) and each row's index into them (numpy): a dictionary
    array's own, or the column dictionary-encoded (nulls as a value)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    array = column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()
    if not pa.types.is_dictionary(array.type):
        array = pc.dictionary_encode(array, null_encoding="encode")
    return array.dictionary, array.indices.to_numpy(zero_copy_only=False)


def start_years(days: pa.ChunkedArray) -> pa.Array:
    """The reporting year (1 April to 31 March) of each ISO date, by the calendar year it starts in: as
    store.aggregate reckons it in SQL (`_start_year`) and years.Year.of in Python."""
    import pyarrow as pa
    import pyarrow.compute as pc

    year = pc.cast(pc.utf8_slice_codeunits(days, 0, 4), pa.int64())
    before_april = pc.cast(pc.less(pc.utf8_slice_codeunits(days, 5, 7), "04"), pa.int64())
    return pc.subtract(year, before_april)
