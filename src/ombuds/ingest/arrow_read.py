"""A first load's CSV files read, checked and written to SQLite as pyarrow columns, before the import's transaction
begins: no Python object per value (ingest.arrow_columns checks, store.arrow_load writes).

Taken only where it gives exactly what the other path gives: a first import into a SQLite database whose case tables
are empty and which no other connection has open (store.load.journal_for_first_load), with ADBC's SQLite driver
installed, for UTF-8 CSV files of the counted case kinds whose header is their first line. A file with anything
else (a problem, a blank row, values over several lines…) is left to the other path, inside the transaction, which
reads it as before and words every problem at its line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ombuds.ingest.arrow_columns import Decline, arrow_kind
from ombuds.ingest.columnar import NotColumnar, csv_batches, reading_pool
from ombuds.ingest.columns import ColumnCheck
from ombuds.ingest.kinds import Kinds
from ombuds.ingest.read import UnreadableFile, open_table, read_as_text
from ombuds.schemes import Scheme
from ombuds.store.aggregate import COUNTED
from ombuds.store.arrow_load import ArrowRows, NotWritten, Tally
from ombuds.store.schema import TABLES


@dataclass
class Preloaded:
    """A file's rows in a table of the temporary database, and their counts."""

    kind: str
    table: str
    rows: int
    counts: dict[tuple, int] = field(default_factory=dict)


def preload(paths: list[Path], scheme: Scheme, kinds: Kinds, check: ColumnCheck, *, sheet: str | None,
            encoding: str | None) -> tuple[ArrowRows | None, dict[int, Preloaded]]:
    """The files that could be, read into a new temporary database (closed), by their number (1 for the first);
    the caller attaches it, then removes it (ArrowRows.remove). None and nothing if ADBC could not write it (a full
    disk): then every file takes the other path."""
    import pyarrow as pa

    usual = pa.default_memory_pool()
    pa.set_memory_pool(reading_pool())  # the checks' columns too: mimalloc kept some 30 MB of them resident
    rows = None
    try:
        rows = ArrowRows()
        loaded: dict[int, Preloaded] = {}
        for number, path in enumerate(paths, start=1):
            found = _file(path, number, scheme, kinds, check, rows, sheet=sheet, encoding=encoding)
            if found is not None:
                loaded[number] = found
        rows.close()
    except NotWritten:
        if rows is not None:
            rows.remove()
        return None, {}
    except BaseException:
        if rows is not None:
            rows.remove()
        raise
    finally:
        pa.set_memory_pool(usual)
    return rows, loaded


def _file(path: Path, number: int, scheme: Scheme, kinds: Kinds, check: ColumnCheck, rows: ArrowRows, *,
          sheet: str | None, encoding: str | None) -> Preloaded | None:
    name = f"file{number}"
    if not read_as_text(path):  # a workbook takes the other path: not opened here only to be declined
        return None
    try:
        with open_table(path, kinds.rank, None, sheet=sheet, encoding=encoding) as table:
            if table.csv is None or table.line != 1 or scheme.engine != "lgsco":
                return None
            keys = kinds.keys(table.header)
            kind, _ = kinds.recognise(keys)
            if kind is None or kind.name not in COUNTED or kind.check_columns is None or not kind.first_load:
                return None
            where = {key: i for i, key in enumerate(keys) if key in kind.columns}
            if len(where) != sum(key in kind.columns for key in keys):  # a column named twice: the other path says so
                return None
            named = max((i + 1 for i, key in enumerate(keys) if key), default=0)
            columns = [column.name for column in TABLES[kind.name].columns]
            checker = arrow_kind(scheme, kind.name, where, len(table.header), named, columns)
            if checker is None:
                return None
            found, counted = Preloaded(kind.name, name, 0), Tally(kind.name)
            for batch in csv_batches(table.csv.handle, table.csv.delimiter, len(table.header)):
                stored = checker.table(batch, check)
                rows.add(name, stored)
                counted.add(stored)
                found.rows += stored.num_rows
            found.counts = counted.counts()
    except (UnreadableFile, NotColumnar, Decline):
        rows.drop(name)
        return None
    if not found.rows:
        rows.drop(name)
        return None
    return found
