"""Migrations: a new database is built by them, an older one is upgraded, and they match the schema in code."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from builders import Cases
from ombuds.ingest import import_files
from ombuds.store import open_database
from ombuds.store.schema import metadata


def test_migrations_build_exactly_the_schema_in_code(db):
    assert db.revision() == "0010"
    with db.read() as connection:
        assert compare_metadata(MigrationContext.configure(connection), metadata) == []


def test_an_older_database_is_upgraded_keeping_its_cases(db_url, tmp_path):
    old = open_database(db_url, migrate=False)
    old.migrate("0001")
    assert old.revision() == "0001"
    with old.read() as connection:
        assert "contacts" not in inspect(connection).get_table_names()
    cases = Cases(tmp_path)
    cases.received("Stevenage", "2019-05-01", {"Housing": 3})
    with old.transaction() as connection:
        connection.exec_driver_sql(
            "INSERT INTO received (reference, authority_code, received_date, service_area) "
            "VALUES ('OLD1', 'E07000243', '2019-05-01', 'Housing')")
    old.close()
    upgraded = open_database(db_url)
    assert upgraded.revision() == "0010"
    report = import_files(upgraded, cases.files())
    assert report.lines()[-1] == "received: 3 new, 0 changed, 0 unchanged"
    with upgraded.read() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM received").scalar() == 4
        assert "contacts" in inspect(connection).get_table_names()


def test_the_head_revision_is_alembics_own():
    """`head_revision` reads the newest migration's number without Alembic (a command's start-up); it must agree."""
    from importlib import resources

    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from ombuds.store.db import head_revision

    config = Config()
    config.set_main_option("script_location", str(resources.files("ombuds.store").joinpath("migrations")))
    assert head_revision() == ScriptDirectory.from_config(config).get_current_head() == "0010"
