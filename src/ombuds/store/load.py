"""Loading validated rows: staged in a temporary table, checked in SQL, then merged into the real table.

Staging keeps memory flat for million-row files and lets the database find duplicates and cross-file problems.
Every step runs inside the caller's transaction, so a failed import leaves nothing behind.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from operator import itemgetter

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Index,
    MetaData,
    Table,
    and_,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.exc import IntegrityError, OperationalError

from ombuds.store.aggregate import COUNTED, LoadCounts, count_changes
from ombuds.store.arrow_load import SCHEMA as ATTACHED
from ombuds.store.bulk import copy_rows
from ombuds.store.changes import merge_reach
from ombuds.store.queries import bump_data_version
from ombuds.store.schema import TABLES

KeyWords = Mapping[str, Mapping[str, str]]  # key column → label id → its words, as an import's report names them

sqlite3.register_adapter(date, date.isoformat)  # explicit: the default date adapter is deprecated

POSITION = 10**9  # pos = file number * POSITION + line: one sortable number per input row


@dataclass
class Changes:
    """What merging one kind did: new rows, changed rows (with a few of their keys), unchanged rows."""

    new: int = 0
    changed: int = 0
    unchanged: int = 0
    changed_keys: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Conflict:
    pos: int
    first_pos: int
    key: str


@dataclass(frozen=True)
class DateOrderProblem:
    pos: int
    reference: str
    decision_date: date
    received_date: date
    staged: str  # which side is in the file being imported: "decided" or "received"


class Staging:
    """A temporary copy of one table's columns plus each row's position in the input."""

    def __init__(self, connection: Connection, kind: str):
        self.connection = connection
        self.target = TABLES[kind]
        self.columns = [c.name for c in self.target.columns]
        self.key = [c.name for c in self.target.primary_key.columns]
        self.content = [c for c in self.columns if c not in self.key]
        self.table = Table(
            f"stage_{kind}", MetaData(),
            *(Column(c.name, c.type) for c in self.target.columns),
            Column("pos", BigInteger, nullable=False),
            prefixes=["TEMPORARY"],
        )
        self.table.create(connection)

    def add(self, rows: Sequence[tuple]) -> None:
        """Append rows: the table's columns in order, then pos."""
        if rows:
            copy_rows(self.connection, self.table.name, [*self.columns, "pos"], rows)

    def forget(self, first: int, end: int) -> None:
        """Drop the rows staged from positions first to end (excluded): one file's, to be read again."""
        pos = self.table.c.pos
        self.connection.execute(self.table.delete().where(pos >= first, pos < end))

    def index(self) -> None:
        with index_cache(self.connection):
            Index(f"ix_{self.table.name}_key", *(self.table.c[k] for k in self.key)).create(self.connection)

    def _same_key(self, other) -> list:
        return [self.table.c[k] == other.c[k] for k in self.key]

    def has_repeats(self) -> bool:
        """Whether any key appears more than once in the input (most imports: none)."""
        s = self.table
        keys = [s.c[k] for k in self.key]
        repeated = select(literal(1)).select_from(s).group_by(*keys).having(func.count() > 1).limit(1)
        return self.connection.execute(repeated).first() is not None

    def conflicts(self, key_words: KeyWords) -> list[Conflict]:
        """Rows whose key appeared earlier in the input with different content (keys named in `key_words`)."""
        s = self.table
        first = (
            select(*(s.c[k] for k in self.key), func.min(s.c.pos).label("first_pos"))
            .group_by(*(s.c[k] for k in self.key))
            .having(func.count() > 1)
            .subquery()
        )
        earlier = s.alias("earlier")
        query = (
            select(s.c.pos, first.c.first_pos, *(s.c[k] for k in self.key))
            .join(first, and_(*self._same_key(first)))
            .join(earlier, and_(earlier.c.pos == first.c.first_pos))
            .where(or_(*(s.c[c].is_distinct_from(earlier.c[c]) for c in self.content)))
            .order_by(s.c.pos)
        )
        return [Conflict(row[0], row[1], self._key_words(row[2:], key_words))
                for row in self.connection.execute(query)]

    def _key_words(self, key, key_words: KeyWords) -> str:
        """A row's key as an import's report names it: `E07000243 / chief executive` (labels in their words)."""
        return " / ".join(str(key_words.get(column, {}).get(v, v)) for column, v in zip(self.key, key, strict=True))

    def drop_repeats(self) -> None:
        """Identical repeats of a row are harmless: keep the first."""
        s = self.table
        firsts = select(func.min(s.c.pos)).group_by(*(s.c[k] for k in self.key))
        self.connection.execute(s.delete().where(s.c.pos.not_in(firsts)))

    def merge(self, key_words: KeyWords, sample: int = 10) -> Changes:
        """Insert new keys, update changed rows, count the unchanged ones (a few changed keys named in
        `key_words`)."""
        s, t = self.table, self.target
        with index_cache(self.connection):  # two GROUP BYs: SQLite sorts
            count_changes(self.connection, t.name, s)  # before the writes: the replaced rows' counts are taken away
        if self._target_empty():
            return self._load_into_empty()
        reach = merge_reach(self.connection, t, s)  # the change list, for site rebuilds (store.changes)
        same = and_(*self._same_key(t))
        differs = or_(*(s.c[c].is_distinct_from(t.c[c]) for c in self.content)) if self.content else literal(False)
        changed = select(*(s.c[k] for k in self.key)).join(t, same).where(differs)
        changes = Changes()
        changes.changed = self.connection.execute(select(func.count()).select_from(changed.subquery())).scalar()
        if changes.changed:
            changes.changed_keys = [self._key_words(row, key_words)
                                    for row in self.connection.execute(changed.order_by(s.c.pos).limit(sample))]
            values = {c: select(s.c[c]).where(same).scalar_subquery() for c in self.content}
            self.connection.execute(
                update(t).values(values).where(exists().where(and_(same, differs)))
            )
        new = select(*(s.c[c] for c in self.columns)).where(~exists().where(same))
        changes.new = self.connection.execute(select(func.count()).select_from(new.subquery())).scalar()
        if changes.new:
            self.connection.execute(insert(t).from_select(self.columns, new.order_by(*(s.c[k] for k in self.key))))
        total = self.connection.execute(select(func.count()).select_from(s)).scalar()
        changes.unchanged = total - changes.new - changes.changed
        if changes.new or changes.changed:
            bump_data_version(self.connection, reach)
        return changes

    def _target_empty(self) -> bool:
        return self.connection.execute(select(literal(1)).select_from(self.target).limit(1)).first() is None

    def _load_into_empty(self) -> Changes:
        """A first load: every staged row is new. They go in in key order, and the table's secondary indexes are
        built once afterwards rather than kept up row by row (still inside the transaction)."""
        s, t = self.table, self.target
        indexes = sorted(t.indexes, key=lambda index: index.name)
        for index in indexes:
            index.drop(self.connection)
        inserted = self.connection.execute(select(func.count()).select_from(s)).scalar()
        self.connection.execute(insert(t).from_select(self.columns, select(*(s.c[c] for c in self.columns))
                                                      .order_by(*(s.c[k] for k in self.key))))
        with index_cache(self.connection):
            for index in indexes:
                index.create(self.connection)
        if inserted:
            bump_data_version(self.connection)
        return Changes(new=inserted)

    def drop(self) -> None:
        self.table.drop(self.connection)


class NotFirstLoad(Exception):
    """A first load found what only staging can word (a key repeated in the input, a decision dated before its
    receipt): the import is to be made again, staged."""


class FirstLoad:
    """Rows straight into an empty case table, with no staging copy: the table's secondary indexes are dropped
    first and built once at the end, and its counts taken from them; all inside the import's transaction. A key
    repeated in the input stops the load (the table's primary key refuses it) with NotFirstLoad."""

    def __init__(self, connection: Connection, kind: str):
        self.connection = connection
        self.target = TABLES[kind]
        self.columns = [c.name for c in self.target.columns]
        self.indexes = sorted(self.target.indexes, key=lambda index: index.name)
        raw = connection.connection.driver_connection
        if connection.dialect.name == "sqlite" and not raw.in_transaction:
            # Python's sqlite3 opens no transaction before DDL: the dropped indexes must come back on a rollback
            connection.exec_driver_sql("BEGIN")
        for index in self.indexes:
            index.drop(connection)
        self.rows = 0
        self.counts = LoadCounts(kind, self.columns) if kind in COUNTED else None
        self.files: set[int] = set()  # the first position of each file whose rows were loaded

    @staticmethod
    def can_take(connection: Connection, kind: str) -> bool:
        return connection.execute(select(literal(1)).select_from(TABLES[kind]).limit(1)).first() is None

    def add(self, rows: Sequence[tuple]) -> None:
        """Append rows: the table's columns in order, then the row's position in the input (not stored)."""
        if not rows:
            return
        values = map(itemgetter(slice(0, len(self.columns))), rows)
        try:
            copy_rows(self.connection, self.target.name, self.columns, values)
        except IntegrityError:
            raise NotFirstLoad(f"a {self.target.name} key appears more than once") from None
        self.rows += len(rows)
        if self.counts:
            self.counts.add(rows)
        self.files.add(rows[0][-1] // POSITION * POSITION)

    def add_attached(self, table: str, rows: int, tallies: Mapping[tuple, int], first: int) -> None:
        """The `rows` rows of a table of the attached temporary database (store.arrow_load), in the case table's
        columns and counted (`tallies`), copied in; `first`: the first position of their file."""
        names = ", ".join(self.columns)
        try:
            self.connection.exec_driver_sql(
                f'INSERT INTO main.{self.target.name} ({names}) SELECT {names} FROM {ATTACHED}."{table}"')
        except IntegrityError:
            raise NotFirstLoad(f"a {self.target.name} key appears more than once") from None
        self.rows += rows
        if self.counts:
            self.counts.add_tallied(tallies)
        self.files.add(first)

    def forget(self, first: int, end: int) -> None:
        """A first load keeps no positions: if rows of that file are in the table already, the import must start
        again, staged."""
        if any(first <= pos < end for pos in self.files):
            raise NotFirstLoad("a file is to be read again row by row")

    def merge(self, key_words: KeyWords) -> Changes:
        """The indexes built and the counts written (`key_words` unused: an empty table has no changed row)."""
        with index_cache(self.connection):
            for index in self.indexes:
                index.create(self.connection)
        if self.counts:
            self.counts.write(self.connection)
        if self.rows:
            bump_data_version(self.connection)
        return Changes(new=self.rows)

    def drop(self) -> None:
        """Nothing to drop: the rows are where they belong."""


def dates_in_order(connection: Connection) -> bool:
    """Whether no decision is dated before its complaint's receipt, across the case tables as they are."""
    received, decided = TABLES["received"], TABLES["decided"]
    query = (select(literal(1)).select_from(decided)
             .join(received, received.c.reference == decided.c.reference)
             .where(received.c.received_date > decided.c.decision_date).limit(1))
    return connection.execute(query).first() is None


IMPORT_CACHE_KB = 16 * 1024  # the staging tables' page cache during an import
IMPORT_MAIN_CACHE_KB = 16 * 1024  # the database's while rows go in and are cross-checked
INDEX_CACHE_KB = 2 * 1024  # the database's while SQLite sorts: it builds an index a third faster with this


@contextmanager
def index_cache(connection: Connection) -> Iterator[None]:
    """SQLite's default page cache, 2 MB, while it sorts (builds an index, groups staged rows to count them), then
    the import's again. SQLite's sorter works in runs the size of the database's page cache, in memory beside it:
    with 64 MB, building an index took 0.73 s of CPU instead of 0.42 s for 549,448 rows, and with the import's
    16 MB the two sorts that count a re-import's changes held 32 MB more at the import's peak."""
    if connection.dialect.name != "sqlite":
        yield
        return
    connection.exec_driver_sql(f"PRAGMA main.cache_size=-{INDEX_CACHE_KB}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA main.cache_size=-{IMPORT_MAIN_CACHE_KB}")


def stage_on_disk(connection: Connection) -> int | None:
    """SQLite keeps temporary tables in memory and a large page cache (store.db); during an import the staging
    tables go to a temporary file and both caches have a fixed size, so that the memory an import needs does not
    grow with its files. The database's own cache is 16 MB while the rows go in and are cross-checked (with SQLite's
    default 2 MB, checking 409,889 decisions against 549,448 receipts re-read some 600,000 pages of the uncommitted
    transaction from the write-ahead log: 0.49 s of CPU instead of 0.23 s), and the default while SQLite sorts
    (`index_cache`). The staging tables' cache is 16 MB: with 64 MB a re-import of 1M cases needed 48 MB more and
    no less CPU. Returns the cache size to restore afterwards."""
    if connection.dialect.name != "sqlite":
        return None
    usual = connection.exec_driver_sql("PRAGMA main.cache_size").scalar()
    connection.exec_driver_sql("PRAGMA temp_store=FILE")
    connection.exec_driver_sql(f"PRAGMA temp.cache_size=-{IMPORT_CACHE_KB}")
    connection.exec_driver_sql(f"PRAGMA main.cache_size=-{IMPORT_MAIN_CACHE_KB}")
    connection.commit()
    return usual


def stage_in_memory(connection: Connection, cache_size: int | None) -> None:
    """Back to the connection's usual settings once the import is over (its staging tables are gone)."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA temp_store=MEMORY")
        connection.exec_driver_sql(f"PRAGMA main.cache_size={int(cache_size)}")
        connection.commit()


def journal_for_first_load(connection: Connection) -> bool:
    """Into a SQLite database whose case tables are all empty (a first import), the import's transaction uses a
    rollback journal instead of the write-ahead log: SQLite journals only the pages the database had when the
    transaction began, so the new rows are written once, straight into the file, where the log writes them twice
    (the log, then the checkpoint that copies it into the file: 0.3 s of system time at 1M cases). A rollback
    still truncates the file to what it was, so the import stays all or nothing; `synchronous=FULL` syncs the
    small journal before the file is written, as a rollback journal needs to survive a power cut. SQLite refuses
    the change while another connection has the database open (a server reading it): then, without waiting, the
    log is kept. Returns whether the journal was changed (`journal_after_first_load` puts the log back)."""
    if connection.dialect.name != "sqlite":
        return False
    empty = all(FirstLoad.can_take(connection, kind) for kind in COUNTED)
    connection.commit()  # the read ended: SQLite changes the journal only outside a transaction
    if not empty or _journal_mode(connection, "DELETE") != "delete":
        return False
    connection.exec_driver_sql("PRAGMA synchronous=FULL")
    connection.commit()
    return True


def journal_after_first_load(connection: Connection) -> None:
    """The write-ahead log again, as store.db sets it, so that a server may read while later imports write (or, if
    a reader opened the database meanwhile, by the next connection that store.db opens: the import has committed)."""
    connection.exec_driver_sql("PRAGMA synchronous=NORMAL")
    connection.commit()
    _journal_mode(connection, "WAL")


def _journal_mode(connection: Connection, mode: str) -> str | None:
    """Set SQLite's journal mode if no other connection has the database open; the mode it is in, or None if
    SQLite found the database in use. It does not wait for the database (busy_timeout 0 meanwhile)."""
    waits = connection.exec_driver_sql("PRAGMA busy_timeout").scalar()
    connection.exec_driver_sql("PRAGMA busy_timeout=0")
    try:
        return connection.exec_driver_sql(f"PRAGMA journal_mode={mode}").scalar()
    except OperationalError:
        return None
    finally:
        connection.rollback()
        connection.exec_driver_sql(f"PRAGMA busy_timeout={int(waits)}")
        connection.commit()


def decision_date_problems(connection: Connection, staged: dict[str, Staging]) -> list[DateOrderProblem]:
    """Decisions dated before the same reference's receipt: staged decisions against staged or stored receipts,
    and staged receipts against stored decisions that this import does not replace."""
    problems: list[DateOrderProblem] = []
    received, decided = TABLES["received"], TABLES["decided"]
    if "decided" in staged:
        d = staged["decided"].table
        receipts = select(received.c.reference, received.c.received_date)
        if "received" in staged:
            r = staged["received"].table
            receipts = union_all(
                receipts.where(~exists().where(r.c.reference == received.c.reference)),
                select(r.c.reference, r.c.received_date),
            )
        receipts = receipts.subquery()
        query = (select(d.c.pos, d.c.reference, d.c.decision_date, receipts.c.received_date)
                 .join(receipts, receipts.c.reference == d.c.reference)
                 .where(receipts.c.received_date > d.c.decision_date))
        problems += [DateOrderProblem(pos, ref, as_date(dd), as_date(rd), "decided")
                     for pos, ref, dd, rd in connection.execute(query)]
    if "received" in staged:
        r = staged["received"].table
        query = (select(r.c.pos, r.c.reference, decided.c.decision_date, r.c.received_date)
                 .join(decided, decided.c.reference == r.c.reference)
                 .where(r.c.received_date > decided.c.decision_date))
        if "decided" in staged:
            d = staged["decided"].table
            query = query.where(~exists().where(d.c.reference == r.c.reference))
        problems += [DateOrderProblem(pos, ref, as_date(dd), as_date(rd), "received")
                     for pos, ref, dd, rd in connection.execute(query)]
    return problems


def as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)
