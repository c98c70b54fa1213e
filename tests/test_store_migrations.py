"""Migrations: a new database is built by them, an older one is upgraded, and they match the schema in code."""

from __future__ import annotations

import re

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from builders import Cases
from conftest import LGSCO, new_pg_database
from ombuds.ingest import import_files
from ombuds.store import open_database
from ombuds.store.db import StoreError, head_revision
from ombuds.store.schema import metadata


def test_migrations_build_exactly_the_schema_in_code(db):
    assert db.revision() == head_revision()
    with db.read() as connection:
        assert compare_metadata(MigrationContext.configure(connection), metadata) == []


def _schema_and_rows(database) -> dict:
    """Everything a database's schema says, table by table, as the dialect reports it, and every row it holds."""
    with database.read() as connection:
        found = inspect(connection)
        out = {}
        for table in sorted(found.get_table_names()):
            out[table] = {
                "columns": [(c["name"], str(c["type"]), c["nullable"], c.get("default"), c.get("autoincrement"))
                            for c in found.get_columns(table)],
                "primary key": found.get_pk_constraint(table),
                "foreign keys": sorted(map(str, found.get_foreign_keys(table))),
                "indexes": sorted(map(str, found.get_indexes(table))),
                "unique": sorted(map(str, found.get_unique_constraints(table))),
                "checks": sorted(map(str, found.get_check_constraints(table))),
                "rows": sorted(map(tuple, connection.exec_driver_sql(f"SELECT * FROM {table}"))),
            }
        if connection.dialect.name == "sqlite":  # the DDL itself (a table rebuilt by a migration is named quoted)
            out["sqlite_master"] = sorted(
                (kind, name, re.sub(r'^CREATE TABLE "(\w+)"', r"CREATE TABLE \1", sql or ""))
                for kind, name, sql in connection.exec_driver_sql("SELECT type, name, sql FROM sqlite_master"))
    return out


def test_a_new_database_is_made_in_one_step_as_the_migrations_make_it(db_url, tmp_path, request):
    """A new database at the newest revision is created from the schema in code, without Alembic; it must be what
    running every migration makes: the same tables, columns, keys, indexes and rows (the data version)."""
    stepwise = open_database(db_url, migrate=False)
    stepwise.migrate(head_revision())  # a named revision goes through Alembic's migrations
    expected = _schema_and_rows(stepwise)
    stepwise.close()
    if db_url.startswith("sqlite"):
        one_step = open_database(f"sqlite:///{tmp_path / 'one-step.db'}")
    else:
        one_step = open_database(new_pg_database(request.getfixturevalue("pg_server")))
    assert one_step.revision() == head_revision()
    made = _schema_and_rows(one_step)
    one_step.close()
    assert "alembic_version" in made and "data_version" in made
    assert made["data_version"]["rows"] == [(1, 2)]  # 1 as migration 0006 leaves it, bumped once by the upgrade
    tokens = [tables["store_identity"].pop("rows") for tables in (made, expected)]  # each database its own
    assert [len(rows) for rows in tokens] == [1, 1] and tokens[0] != tokens[1]
    assert all(re.fullmatch(r"[0-9a-f]{32}", rows[0][1]) for rows in tokens)
    steps = [tables["data_steps"].pop("rows") for tables in (made, expected)]  # the upgrade's step, a token each
    assert [[version for version, _ in rows] for rows in steps] == [[2], [2]] and steps[0] != steps[1]
    assert made == expected


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
    assert upgraded.revision() == head_revision()
    report = import_files(upgraded, cases.files(), scheme=LGSCO)
    assert report.lines()[-1] == "received: 3 new, 0 changed, 0 unchanged"
    with upgraded.read() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM received").scalar() == 4
        assert "contacts" in inspect(connection).get_table_names()


def test_the_head_revision_is_alembics_own():
    """`head_revision` reads the newest migration's number without Alembic (a command's start-up); it must agree."""
    from importlib import resources

    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(resources.files("ombuds.store").joinpath("migrations")))
    assert head_revision() == ScriptDirectory.from_config(config).get_current_head()


def test_the_import_log_moves_into_the_audit_log(db_url):
    """A database imported into before releases existed keeps its import history, timestamps as they were."""
    from ombuds.store.queries import last_import

    old = open_database(db_url, migrate=False)
    old.migrate("0009")
    with old.transaction() as connection:
        connection.exec_driver_sql(
            "INSERT INTO import_log (imported_at, user_name, host, files, summary) VALUES "
            "('2026-07-01 09:30:00.250000', 'analyst', 'office-pc', 'received.csv', 'received: 2 new')")
    old.close()
    upgraded = open_database(db_url)
    assert upgraded.revision() == head_revision()
    with upgraded.read() as connection:
        last = last_import(connection)
    upgraded.close()
    assert {k: last[k] for k in ("user_name", "host", "files", "summary")} == {
        "user_name": "analyst", "host": "office-pc", "files": "received.csv", "summary": "received: 2 new"}
    assert (last["imported_at"].date().isoformat(), last["imported_at"].hour, last["imported_at"].minute) == \
        ("2026-07-01", 9, 30)


def test_a_failed_upgrade_changes_nothing(db_url):
    """An upgrade that fails part-way (here: migration 0010 meets a table in the way) leaves the schema as it
    was, on SQLite as on PostgreSQL, and the next upgrade can run once the cause is gone."""
    old = open_database(db_url, migrate=False)
    old.migrate("0008")
    with old.transaction() as connection:
        connection.exec_driver_sql("CREATE TABLE audit_log (id INTEGER)")
    old.close()
    with pytest.raises(StoreError, match="audit_log"):
        open_database(db_url)
    again = open_database(db_url, migrate=False)
    assert again.revision() == "0008"
    with again.read() as connection:
        tables = set(inspect(connection).get_table_names())
    assert "case_counts" not in tables and "releases" not in tables
    with again.transaction() as connection:
        connection.exec_driver_sql("DROP TABLE audit_log")
    again.close()
    assert open_database(db_url).revision() == head_revision()
