"""`ombuds stats` without computing when nothing has changed: the printed records of each year are kept in the
database (`store.kept`) for the data version and the statistics code that made them. Reading them needs neither
SQLAlchemy, pydantic nor SciPy, so a repeated `stats` costs a process start and a read of a few megabytes."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from ombuds.fingerprints import folder_digest, source_digest
from ombuds.store.kept import read_kept

# Everything the figures depend on: the statistics code, the registry (types, successors), the labels, the years,
# and the queries and schema they are read with.
STATISTICS_SOURCES = ("stats/*.py", "registry/*.py", "schemes/*.py", "labels.py", "years.py", "store/queries.py",
                      "store/aggregate.py", "store/schema.py")


@cache
def statistics_fingerprint(scheme_folder: Path) -> str:
    """The code's and the scheme's (its folder's files: bodies, types, label words) fingerprint."""
    return source_digest(STATISTICS_SOURCES, salt=folder_digest(scheme_folder))


def kept_statistics(url: str | None, scheme: str, scheme_folder: Path, year: str | None, method: str,
                    ) -> list[tuple[str, bool, str]] | None:
    """(year, published, body) for the year, or for every year held, if kept for the current data of a database
    holding `scheme`'s data (read from `scheme_folder`); else None."""
    return read_kept(url, scheme, method, statistics_fingerprint(scheme_folder), None if year is None else [year])


def body(objects: list[dict]) -> str:
    """A year's records as printed: one JSON object a line (Python's encoder is several times slower indented)."""
    return ",\n".join(json.dumps(o, ensure_ascii=False) for o in objects)


def statistics_json(bodies: list[str]) -> str:
    """The SPEC 2.3 array: one object a line."""
    joined = ",\n".join(b for b in bodies if b)
    return f"[\n{joined}\n]" if joined else "[]"


def keep_statistics(database, scheme_folder: Path, method: str, version: int, bodies: dict[str, tuple[bool, str]],
                    years_held: list[str] | None) -> None:
    """Keep what was computed; a database that cannot be written (read-only file, a replica) keeps nothing."""
    from ombuds.store.db import StoreError
    from ombuds.store.kept import keep

    try:
        with database.transaction() as connection:
            keep(connection, method, statistics_fingerprint(scheme_folder), version, bodies, years_held)
    except StoreError:
        return
