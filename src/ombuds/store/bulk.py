"""Many rows into one table by the driver's fastest way: COPY on PostgreSQL, one prepared INSERT run over every row
on SQLite. The rows bypass SQLAlchemy's per-row processing, so they must already hold what the driver stores: text,
numbers, booleans, dates (or dates as the store's text) and None."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError


def copy_rows(connection: Connection, table: str, columns: list[str], rows: Iterable[Sequence]) -> None:
    """A failure comes out as SQLAlchemy's error for it (IntegrityError, OperationalError…), as from any other
    statement, so that callers and `store.db` tell them apart and word them the same way."""
    raw = connection.connection.driver_connection
    names = ", ".join(columns)
    dbapi = connection.dialect.loaded_dbapi
    if connection.dialect.name == "postgresql":
        statement = f"COPY {table} ({names}) FROM STDIN"
    else:
        statement = f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})"
    try:
        if connection.dialect.name == "postgresql":
            with raw.cursor() as cursor, cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            raw.cursor().executemany(statement, rows)
    except dbapi.Error as error:
        raise DBAPIError.instance(statement, None, error, dbapi.Error) from None
