"""Connecting to SQLite or PostgreSQL and keeping the schema at the newest migration."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import ArgumentError, OperationalError

from ombuds.errors import OmbudsError

DEFAULT_URL = "sqlite:///ombuds.db"


def database_url(url: str | None = None) -> str:
    """`--db`, else `OMBUDS_DB`, else `ombuds.db` here; plain `postgresql://` means the psycopg 3 driver."""
    url = url or os.environ.get("OMBUDS_DB") or DEFAULT_URL
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA temp_store=MEMORY")
    cursor.execute("PRAGMA cache_size=-200000")
    cursor.close()


def _alembic_config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(resources.files("ombuds.store").joinpath("migrations")))
    config.attributes["connection"] = connection
    return config


@dataclass
class Database:
    engine: Engine

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        with self.engine.begin() as connection:
            yield connection

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as connection:
            yield connection

    def revision(self) -> str | None:
        with self.read() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    def migrate(self, revision: str = "head") -> None:
        """Bring the schema up to `revision`: a new database is created, an older one upgraded."""
        with self.engine.begin() as connection:
            config = _alembic_config(connection)
            current = MigrationContext.configure(connection).get_current_revision()
            if revision == "head" and current == ScriptDirectory.from_config(config).get_current_head():
                return
            command.upgrade(config, revision)

    def close(self) -> None:
        self.engine.dispose()


def open_database(url: str | None = None, *, migrate: bool = True) -> Database:
    """Open the database and, unless told not to, upgrade its schema to the newest migration."""
    url = database_url(url)
    try:
        engine = create_engine(url)
    except (ArgumentError, ImportError) as error:
        raise OmbudsError(f"cannot use database '{url}': {error}") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    elif engine.dialect.name != "postgresql":
        raise OmbudsError(f"unsupported database '{url}': use a sqlite:/// path or a postgresql:// URL")
    database = Database(engine)
    if migrate:
        try:
            database.migrate()
        except OperationalError as error:
            raise OmbudsError(f"cannot open database '{url}': {error.orig}") from None
    return database
