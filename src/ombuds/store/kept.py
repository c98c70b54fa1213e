"""Kept statistics: each year's statistics as `ombuds stats` prints them, stored with the data version and the
fingerprint of the code that computed them, so that asking again reads rows instead of computing.

Reading goes through the database's own driver (sqlite3, psycopg), not SQLAlchemy, and any doubt (no such table,
an older schema, another data version, other code) answers "not kept": the caller then computes, which also gives
every error its usual message. Writing goes through the store's SQLAlchemy connection like every other write."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

from ombuds.store.locate import database_url, head_revision

YEARS_HELD = ""  # the row whose body lists the years with figures, oldest first


def read_kept(url: str | None, scheme: str, method: str, fingerprint: str,
              years: list[str] | None) -> list[tuple[str, bool, str]] | None:
    """(year, published, body) for each of `years` (None: every year held), or None unless all are kept for the
    database's current data version, schema and `fingerprint`, in a database holding `scheme`'s data."""
    try:
        rows = _rows(database_url(url), scheme, method, fingerprint)
    except Exception:  # any failure here only means "compute instead", and computing reports it properly
        return None
    if rows is None:
        return None
    kept = {year: (bool(published), body) for year, published, body in rows}
    if years is None:
        if YEARS_HELD not in kept:
            return None
        years = json.loads(kept[YEARS_HELD][1])
    if not all(year in kept for year in years):
        return None
    return [(year, *kept[year]) for year in years]


_SELECT = ("SELECT k.year, k.published, k.body FROM kept_statistics k JOIN data_version v "
           "ON k.data_version = v.version WHERE k.method = {p} AND k.fingerprint = {p} "
           "AND (SELECT version_num FROM alembic_version) = {p} "
           "AND (SELECT scheme FROM scheme_setting WHERE id = 1) = {p}")


def _rows(url: str, scheme: str, method: str, fingerprint: str) -> list[tuple] | None:
    arguments = (method, fingerprint, head_revision(), scheme)
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        if not path or path == ":memory:" or "?" in path or not Path(path).is_file():
            return None
        with closing(sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True)) as connection:
            return connection.execute(_SELECT.format(p="?"), arguments).fetchall()
    if url.startswith("postgresql+psycopg://"):
        import psycopg

        with psycopg.connect("postgresql://" + url.removeprefix("postgresql+psycopg://"), autocommit=True,
                             connect_timeout=10) as connection:
            return connection.execute(_SELECT.format(p="%s"), arguments).fetchall()
    return None


def keep(connection, method: str, fingerprint: str, version: int, bodies: dict[str, tuple[bool, str]],
         years_held: list[str] | None) -> bool:
    """Store the bodies computed at data `version` (and, if given, the list of years held), replacing what is kept
    for those years and dropping what another version or other code computed. Nothing is stored if the data has
    changed since (the figures may mix two versions); returns whether they were stored."""
    from sqlalchemy import delete, insert, or_

    from ombuds.store.queries import data_version
    from ombuds.store.schema import kept_statistics as kept

    if data_version(connection) != version:
        return False
    entries = dict(bodies)
    if years_held is not None:
        entries[YEARS_HELD] = (False, json.dumps(years_held))
    connection.execute(delete(kept).where(kept.c.method == method, or_(
        kept.c.data_version != version, kept.c.fingerprint != fingerprint, kept.c.year.in_(entries))))
    connection.execute(insert(kept), [
        {"year": year, "method": method, "data_version": version, "fingerprint": fingerprint,
         "published": published, "body": body} for year, (published, body) in entries.items()])
    return True


def kept_year(connection, year: str, method: str, fingerprint: str, version: int) -> tuple[bool, str] | None:
    """(published, body) of the year if kept for data `version` and `fingerprint`, through a store connection."""
    from sqlalchemy import select

    from ombuds.store.schema import kept_statistics as kept

    row = connection.execute(select(kept.c.published, kept.c.body).where(
        kept.c.year == year, kept.c.method == method, kept.c.data_version == version,
        kept.c.fingerprint == fingerprint)).first()
    return None if row is None else (bool(row.published), row.body)
