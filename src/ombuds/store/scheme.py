"""Which scheme's data a database holds: one row, written by the first command that writes to a new database.
A database opened with another scheme is refused with one line (its figures mean nothing under another scheme).
The same row says whether the data is synthetic (`ombuds demo`'s), which every letter made from it then says."""

from __future__ import annotations

from sqlalchemy import Connection, select, update

from ombuds.errors import OmbudsError
from ombuds.store.db import Database
from ombuds.store.schema import scheme_setting


def held_scheme(database: Database) -> str | None:
    """The id of the scheme the database holds, or None for a database no command has written to yet."""
    with database.read() as connection:
        return connection.execute(select(scheme_setting.c.scheme).where(scheme_setting.c.id == 1)).scalar()


def claim_scheme(database: Database, scheme_id: str) -> None:
    """Refuse a database that holds another scheme's data; record `scheme_id` in a new writable one."""
    held = held_scheme(database)
    if held is None and not database.read_only:
        with database.transaction() as connection:
            connection.execute(scheme_setting.insert().values(id=1, scheme=scheme_id))
    elif held is not None and held != scheme_id:
        raise OmbudsError(f"the database '{database.url}' holds the '{held}' scheme's data, not '{scheme_id}': "
                          f"run with --scheme {held}, or name another database with --db")


def holds_synthetic(database: Database) -> bool:
    """Whether the database holds synthetic data (`mark_synthetic`)."""
    with database.read() as connection:
        return synthetic_data(connection)


def synthetic_data(connection: Connection) -> bool:
    """`holds_synthetic` inside a transaction already open."""
    return bool(connection.execute(select(scheme_setting.c.synthetic).where(scheme_setting.c.id == 1)).scalar())


def mark_synthetic(database: Database, scheme_id: str) -> None:
    """Record that the database holds synthetic data, for good: imports add and replace case rows but never delete
    them, so once the demo's cases are in, every figure counts some of them, whatever real data is imported after.
    A step of the data version (letters change: they say so), whose reach a rebuild cannot know."""
    from ombuds.store.queries import bump_data_version

    claim_scheme(database, scheme_id)
    with database.transaction() as connection:
        connection.execute(update(scheme_setting).where(scheme_setting.c.id == 1).values(synthetic=True))
        bump_data_version(connection)
