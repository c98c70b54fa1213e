"""Fixtures: a real SQLite file and a real throwaway PostgreSQL server on loopback, for every database test."""

from __future__ import annotations

import csv
import os
from contextlib import contextmanager
from functools import cache
from itertools import count
from pathlib import Path

import pytest

from ombuds.letters.editions import Edition, edition_in
from ombuds.registry import Registry, registry_of
from ombuds.schemes import load_scheme
from ombuds.settings import Settings, make_settings
from ombuds.store import open_database
from ombuds.store.queries import table_counts
from ombuds.store.schema import TABLES
from ombuds.years import Year
from pgserver import create_database, throwaway_server

LGSCO = load_scheme("lgsco")  # the shipped LGSCO scheme, which most tests' data is
SHIPPED_EDITIONS = LGSCO.editions_dir  # the LGSCO's example editions, one `<year>.toml` each


def registry() -> Registry:
    """The shipped LGSCO scheme's registry (its bodies.csv), which most tests' councils are in."""
    return registry_of(LGSCO)


def shipped_edition(year: Year) -> Edition:
    """The LGSCO's example edition for a year, shipped with ombuds."""
    return edition_in(SHIPPED_EDITIONS, year, LGSCO)


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


@cache
def demo() -> Settings:
    """The demo's settings, built once as the command line builds them with no option: the LGSCO scheme, the
    neutral demo profile and the scheme's shipped editions (for helpers that are not fixtures)."""
    return make_settings("lgsco", None, None, None)


@pytest.fixture(scope="session")
def demo_settings() -> Settings:
    return demo()


@contextmanager
def demo_database(folder: Path, seed: int):
    """The synthetic demo data generated into `folder` and imported into a SQLite file there."""
    from ombuds.demo import generate
    from ombuds.ingest import import_files

    files = generate(folder / "data", LGSCO, seed=seed)
    database = open_database(f"sqlite:///{folder / 'demo.db'}")
    import_files(database, list(files.paths.values()), scheme=LGSCO)
    try:
        yield files, database
    finally:
        database.close()


def housing_database(folder: Path):
    """The Housing Ombudsman's shipped real data imported into a SQLite file in `folder` (refused rows written to
    folder/rejects.csv, as `import --rejects` does); yields (scheme, database)."""
    from ombuds.demo.measures import shipped_data
    from ombuds.ingest.records import import_records
    from ombuds.schemes import load_scheme

    scheme = load_scheme("housing-ombudsman")
    database = open_database(f"sqlite:///{folder / 'housing.db'}")
    import_records(database, scheme, shipped_data(scheme), rejects=folder / "rejects.csv")
    try:
        yield scheme, database
    finally:
        database.close()


REPOSITORY = Path(__file__).resolve().parent.parent


def shared_folder() -> Path:
    """The reference corpus (real seed letters, example statistics pages, reference facts): OMBUDS_REFERENCE_DIR,
    by default ../shared beside the repository. It is not part of the repository, so a test that needs it is
    skipped when it is absent, and fails instead under OMBUDS_REQUIRE_REFERENCE=1 (as CI runs)."""
    folder = Path(os.environ.get("OMBUDS_REFERENCE_DIR") or REPOSITORY.parent / "shared")
    if (folder / "seeds").is_dir() and (folder / "examples").is_dir():
        return folder
    message = (f"the reference corpus is not at {folder}: set OMBUDS_REFERENCE_DIR to the folder that holds "
               "seeds/, examples/ and reference/")
    if os.environ.get("OMBUDS_REQUIRE_REFERENCE") == "1":
        pytest.fail(f"{message} (OMBUDS_REQUIRE_REFERENCE=1)", pytrace=False)
    pytest.skip(message, allow_module_level=True)


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


CHROMIUM = "/usr/bin/chromium"  # Debian's chromium, driven by Playwright (no browser download)
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium per test module, stopped when the module ends: Playwright's sync API runs one instance
    per thread and holds an event loop while it runs, so every browser test uses this one and the tests after a
    browser module can run their own event loops."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def first_arguments(monkeypatch, owner: object, name: str) -> list:
    """The first argument of each call of `owner.name` from now on (the calls still made), in order."""
    seen: list = []
    real = getattr(owner, name)

    def recording(first, *args, **kwargs):
        seen.append(first)
        return real(first, *args, **kwargs)

    monkeypatch.setattr(owner, name, recording)
    return seen
