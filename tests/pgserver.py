"""A throwaway PostgreSQL server in a temporary folder, listening on 127.0.0.1 only (tests and benchmarks)."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg


def pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}")) or [shutil.which(name)]
    if not found[-1]:
        raise RuntimeError(f"PostgreSQL's {name} is not installed: 'make test' installs it")
    return found[-1]


def as_postgres(args: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run its tools as the postgres user then."""
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def throwaway_server() -> Iterator[str]:
    """Yield the server's URL without a database name (postgresql://postgres@127.0.0.1:PORT)."""
    folder = Path(tempfile.mkdtemp(prefix="ombuds-pg-"))
    data = folder / "data"
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    port = free_port()
    subprocess.run(as_postgres([pg_bin("initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync",
                                "-E", "UTF8"]), check=True, capture_output=True)
    options = (f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
               "-c full_page_writes=off")
    subprocess.run(as_postgres([pg_bin("pg_ctl"), "-D", str(data), "-o", options, "-l", str(folder / "log"), "-w",
                                "start"]), check=True, capture_output=True)
    url = f"postgresql://postgres@127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                psycopg.connect(f"{url}/postgres").close()
                break
            except psycopg.OperationalError:
                time.sleep(0.1)
        yield url
    finally:
        subprocess.run(as_postgres([pg_bin("pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
                       capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


def create_database(server: str, name: str) -> str:
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    return f"{server}/{name}"
