"""Kept statistics: each year's statistics as `ombuds stats` prints them, stored with the data version and the
fingerprint of the code that computed them, so that asking again reads rows instead of computing.

Reading goes through the database's own driver (sqlite3, psycopg), not SQLAlchemy, and any doubt (no such table,
an older schema, another data version, other code) answers "not kept": the caller then computes, which also gives
every error its usual message. Writing goes through the store's SQLAlchemy connection like every other write."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from ombuds.store.locate import database_url, head_revision, sqlite_read_uri

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
        with closing(sqlite3.connect(sqlite_read_uri(Path(path)), uri=True)) as connection:
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


@dataclass(frozen=True)
class FigureInputs:
    """The data version, and a digest of what each year's figures are computed from (its case counts, population
    figures and the figures of published documents) by the calendar year it starts in: an import that leaves a
    year's digest alone leaves its figures alone, except through the year before (the tested change)."""

    version: int
    years: dict[int, str]


def figure_inputs(connection) -> FigureInputs:
    import hashlib

    from sqlalchemy import select

    from ombuds.store.queries import data_version
    from ombuds.store.schema import case_counts, population, published

    c, p = case_counts.c, population.c
    digests: dict[int, hashlib._Hash] = {}
    counts = select(c.start_year, c.kind, c.authority_code, c.label, c.cases, c.satisfactory_remedies,
                    c.remedied_by_ombudsman).order_by(c.start_year, c.kind, c.authority_code, c.label)
    for row in connection.execute(counts):
        digests.setdefault(row[0], hashlib.sha256()).update(repr(tuple(row[1:])).encode())
    people = select(p.year, p.authority_code, p.population).order_by(p.year, p.authority_code)
    for year, code, number in connection.execute(people):
        digests.setdefault(int(year[:4]), hashlib.sha256()).update(repr(("population", code, number)).encode())
    documents = select(published.c.year, published.c.authority_code, published.c.source, published.c.figures)
    for year, *document in connection.execute(documents.order_by(published.c.year, published.c.authority_code,
                                                                 published.c.source)):
        digests.setdefault(int(year[:4]), hashlib.sha256()).update(repr(("published", *document)).encode())
    return FigureInputs(data_version(connection), {year: digest.hexdigest() for year, digest in digests.items()})


def figure_input_years(connection) -> set[int]:
    """The years that `figure_inputs` digests (those with case counts, population figures or published figures),
    without digesting them: enough where nothing was held before, when every such year is new."""
    from sqlalchemy import select

    from ombuds.store.schema import case_counts, population, published

    years = set(connection.execute(select(case_counts.c.start_year).distinct()).scalars().all())
    for table in (population, published):
        years.update(int(year[:4]) for year in connection.execute(select(table.c.year).distinct()).scalars().all())
    return years


def kept_methods(connection, fingerprint: str, version: int) -> set[str]:
    """The averaging methods with statistics kept for data `version` and `fingerprint`."""
    from sqlalchemy import select

    from ombuds.store.schema import kept_statistics as kept

    return set(connection.execute(select(kept.c.method).distinct().where(
        kept.c.data_version == version, kept.c.fingerprint == fingerprint)).scalars())


def carry_forward(connection, method: str, fingerprint: str, old: int, new: int, years: list[str]) -> set[str]:
    """Mark what was kept for `years` at data version `old` as holding at version `new` (their figures did not
    change); returns the years that were kept and so carried."""
    from sqlalchemy import select, update

    from ombuds.store.schema import kept_statistics as kept

    where = (kept.c.method == method, kept.c.fingerprint == fingerprint, kept.c.data_version == old,
             kept.c.year.in_(years))
    carried = set(connection.execute(select(kept.c.year).where(*where)).scalars())
    if carried:
        connection.execute(update(kept).where(*where).values(data_version=new))
    return carried
