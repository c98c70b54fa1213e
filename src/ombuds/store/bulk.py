"""Many rows into one table by the driver's fastest way: COPY on PostgreSQL, one prepared INSERT run over every row
on SQLite. The rows bypass SQLAlchemy's per-row processing, so they must already hold what the driver stores: text,
numbers, booleans, dates (or dates as the store's text) and None."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import Connection


def copy_rows(connection: Connection, table: str, columns: list[str], rows: Iterable[Sequence]) -> None:
    raw = connection.connection.driver_connection
    names = ", ".join(columns)
    if connection.dialect.name == "postgresql":
        with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join("?" * len(columns))
        raw.cursor().executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
