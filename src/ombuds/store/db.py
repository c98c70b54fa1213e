"""Connecting to SQLite or PostgreSQL, keeping the schema at the newest migration, and turning the database's
refusals into the project's own error."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.pool import QueuePool

from ombuds.errors import OmbudsError
from ombuds.store import locate
from ombuds.store.locate import MIGRATIONS, database_url, head_revision, sqlite_read_uri


class StoreError(OmbudsError):
    """The database refused or failed (locked, gone, read-only, out of space): nothing was committed."""


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA temp_store=MEMORY")
    cursor.execute("PRAGMA cache_size=-200000")
    cursor.close()


def _sqlite_wal(dbapi_connection, _record) -> None:
    dbapi_connection.execute("PRAGMA journal_mode=WAL")


def current_revision(connection: Connection) -> str | None:
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


def _upgrade(connection: Connection, revision: str) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


def _create_new(connection: Connection) -> None:
    """A new, empty database at the newest revision without running the migrations one by one: the tables and
    indexes of the schema in code, the rows the migrations leave in a new database (the data version, 1; the
    store's identity, a new token) and Alembic's record of the revision, as `alembic upgrade head` leaves them
    (tests/test_store_migrations.py compares the two, table by table and row by row, each database with a token of
    its own). Alembic is not imported: 0.2 s of CPU off every first import."""
    from sqlalchemy import Column, MetaData, PrimaryKeyConstraint, String, Table, insert

    from ombuds.store.schema import metadata, store_identity, version_table

    metadata.create_all(connection)
    connection.execute(insert(version_table).values(id=1, version=1))
    connection.execute(insert(store_identity).values(id=1, token=uuid.uuid4().hex))  # as migration 0017 makes it
    alembic_version = Table("alembic_version", MetaData(), Column("version_num", String(32), nullable=False),
                            PrimaryKeyConstraint("version_num", name="alembic_version_pkc"))
    alembic_version.create(connection)
    connection.execute(insert(alembic_version).values(version_num=head_revision()))


@dataclass(eq=False)
class Database:
    engine: Engine
    url: str
    read_only: bool = False
    commits: int = 0  # commits through this object: a cache of figures re-reads the data version after one

    def __post_init__(self) -> None:
        event.listen(self.engine, "commit", self._committed)

    def _committed(self, _connection) -> None:
        self.commits += 1

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        with _store_errors(), self.engine.begin() as connection:
            yield connection

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with _store_errors(), self.engine.connect() as connection:
            yield connection

    def revision(self) -> str | None:
        with self.read() as connection:
            return current_revision(connection)

    def migrate(self, revision: str = "head") -> None:
        """Bring the schema up to `revision`: a new database is created, an older one upgraded (and its data
        version bumped, since figures may be computed differently). A new database brought to the newest revision
        is created in one step from the schema in code (`_create_new`); any other goes through the migrations."""
        from ombuds.store.queries import bump_data_version  # queries import the schema; keep db.py light

        with self.transaction() as connection:
            if revision == "head" and current_revision(connection) == head_revision():
                return
            if connection.dialect.name == "sqlite":
                # Python's sqlite3 opens no transaction before DDL, so each CREATE TABLE would commit by itself and a
                # failed upgrade would leave half a schema: one explicit transaction makes the upgrade all or nothing.
                connection.exec_driver_sql("BEGIN")
            if revision == "head" and not inspect(connection).get_table_names():
                _create_new(connection)
            else:
                _upgrade(connection, revision)
            if current_revision(connection) >= "0006":
                bump_data_version(connection)

    def close(self) -> None:
        self.engine.dispose()


@contextmanager
def _store_errors() -> Iterator[None]:
    try:
        yield
    except DBAPIError as error:
        raise StoreError(f"the database: {str(error.orig).strip().splitlines()[0]}") from None


def _sqlite_path(url: str) -> Path | None:
    database = make_url(url).database
    return Path(database) if database and database != ":memory:" else None


def open_database(url: str | None = None, *, migrate: bool = True, create: bool = True,
                  read_only: bool = False) -> Database:
    """Open the database and, unless told not to, upgrade its schema to the newest migration.

    `create=False` refuses to make a new SQLite file (read-only commands); `read_only=True` opens it so that
    nothing can be written (the public server), which needs the schema to be current already."""
    url = database_url(url)
    path = _sqlite_path(url) if url.startswith("sqlite") else None
    if not create and path is not None and path.is_file() and not (
            locate.writable(path) and locate.writable(path.parent)):
        read_only = True  # a reading command on a file it cannot write (a read-only mount): read it as it is
    try:
        engine = _engine(url, create=create, read_only=read_only)
    except (ArgumentError, ImportError) as error:
        raise OmbudsError(f"cannot use database '{url}': {error}") from None
    database = Database(engine, url, read_only)
    try:
        if read_only:
            if database.revision() != head_revision():
                raise OmbudsError(f"the database '{url}' is at schema version {database.revision() or 'none'}, "
                                  f"not {head_revision()}: run 'ombuds status' or an import on it once to upgrade it")
        elif migrate:
            database.migrate()
    except OperationalError as error:
        raise OmbudsError(f"cannot open database '{url}': {error.orig}") from None
    return database


def _engine(url: str, *, create: bool, read_only: bool) -> Engine:
    if url.startswith("sqlite"):
        path = _sqlite_path(url)
        if path is not None and not path.exists() and (read_only or not create):
            raise OmbudsError(f"no database at {path}: import files first with 'ombuds import', or give --db")
        if path is not None and path.is_dir():
            raise OmbudsError(f"--db names a folder, {path}: give a database file")
        if read_only and path is not None:
            uri = sqlite_read_uri(path)
            # A queue pool hands each connection to one thread at a time. (A "sqlite://" URL would otherwise get
            # SingletonThreadPool, which closes the connections of older threads, while they may be in use, once
            # more threads than its size have asked for one: the server crashed under load.)
            engine = create_engine("sqlite://", poolclass=QueuePool,
                                   creator=lambda: sqlite3.connect(uri, uri=True, check_same_thread=False))
        else:
            engine = create_engine(url)
            event.listen(engine, "connect", _sqlite_wal)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if read_only:
        return create_engine(url, connect_args={"options": "-c default_transaction_read_only=on"})
    return create_engine(url)
