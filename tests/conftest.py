"""Fixtures: a real SQLite file and a real throwaway PostgreSQL server on loopback, for every database test."""

from __future__ import annotations

import csv
import os
from contextlib import contextmanager
from itertools import count
from pathlib import Path

import pytest

from ombuds.store import open_database
from ombuds.store.queries import table_counts
from ombuds.store.schema import TABLES
from pgserver import create_database, throwaway_server

_numbers = count()


@pytest.fixture(scope="session")
def pg_server():
    """A PostgreSQL server of our own, on 127.0.0.1, stopped at the end of the session."""
    with throwaway_server() as url:
        yield url


def new_pg_database(server: str) -> str:
    return create_database(server, f"ombuds_test_{os.getpid()}_{next(_numbers)}")


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path) -> str:
    """An empty database of each kind: the tests that take it run on both."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    return new_pg_database(request.getfixturevalue("pg_server"))


@pytest.fixture
def db(db_url):
    database = open_database(db_url)
    yield database
    database.close()


@contextmanager
def demo_database(folder: Path, seed: int):
    """The synthetic demo data generated into `folder` and imported into a SQLite file there."""
    from ombuds.demo import generate
    from ombuds.ingest import import_files

    files = generate(folder / "data", seed=seed)
    database = open_database(f"sqlite:///{folder / 'demo.db'}")
    import_files(database, list(files.paths.values()))
    try:
        yield files, database
    finally:
        database.close()


def shared_folder() -> Path:
    """The workplace's shared/ folder (seed letters, example pages), beside the clone: ../shared."""
    for parent in Path(__file__).resolve().parents:
        if (parent / "shared" / "seeds").is_dir():
            return parent / "shared"
    raise FileNotFoundError("no shared/ folder with seeds/ beside this clone: the parse tests read the seed letters "
                            "and example pages from it (../shared in the workplace)")


def write_csv(path: Path, header: list[str], rows: list[list]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def snapshot(database) -> dict[str, list[tuple]]:
    """Every row of every table, to show that a failed import changed nothing."""
    with database.read() as connection:
        return {name: sorted(tuple(map(str, row)) for row in connection.execute(table.select()))
                for name, table in TABLES.items()}


__all__ = ["new_pg_database", "snapshot", "table_counts", "write_csv"]
