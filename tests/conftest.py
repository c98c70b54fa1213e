"""Fixtures: a real SQLite file and a real throwaway PostgreSQL server on loopback, for every database test."""

from __future__ import annotations

import csv
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from itertools import count
from pathlib import Path

import psycopg
import pytest

from ombuds.store import open_database
from ombuds.store.queries import table_counts
from ombuds.store.schema import TABLES

_numbers = count()


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}")) or [shutil.which(name)]
    if not found or not found[-1]:
        pytest.fail(f"PostgreSQL's {name} is not installed: run 'make test', which installs it")
    return found[-1]


def _as_postgres(args: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run its tools as the postgres user then."""
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def pg_server():
    """A PostgreSQL server of our own in a temporary folder, on 127.0.0.1, stopped at the end."""
    folder = Path(tempfile.mkdtemp(prefix="ombuds-pg-"))
    data = folder / "data"
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    port = _free_port()
    subprocess.run(_as_postgres([_pg_bin("initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
                                 "--no-sync", "-E", "UTF8"]), check=True, capture_output=True)
    options = (f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
               "-c full_page_writes=off")
    subprocess.run(_as_postgres([_pg_bin("pg_ctl"), "-D", str(data), "-o", options, "-l", str(folder / "log"),
                                 "-w", "start"]), check=True, capture_output=True)
    url = f"postgresql://postgres@127.0.0.1:{port}"
    for _ in range(50):
        try:
            psycopg.connect(f"{url}/postgres").close()
            break
        except psycopg.OperationalError:
            time.sleep(0.1)
    yield url
    subprocess.run(_as_postgres([_pg_bin("pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
                   capture_output=True)
    shutil.rmtree(folder, ignore_errors=True)


def new_pg_database(server: str) -> str:
    name = f"ombuds_test_{os.getpid()}_{next(_numbers)}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    return f"{server}/{name}"


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
