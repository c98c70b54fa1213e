"""Choosing a scheme: `--scheme` / OMBUDS_SCHEME, a database that remembers its scheme, `ombuds scheme check`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from builders import Cases
from ombuds.cli import cli
from ombuds.schemes import scheme_folder
from ombuds.store import open_database
from ombuds.store.db import head_revision
from ombuds.store.scheme import claim_scheme, held_scheme


def run(*args: str, env: dict | None = None):
    return CliRunner().invoke(cli, list(args), env=env)


@pytest.fixture
def other_scheme(tmp_path: Path) -> Path:
    """A copy of the LGSCO's scheme under another id: the same engine and bodies, another scheme's database."""
    folder = tmp_path / "other"
    shutil.copytree(scheme_folder("lgsco"), folder)
    toml = folder / "scheme.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('id = "lgsco"', 'id = "other-ombudsman"'),
                    encoding="utf-8")
    return folder


def test_scheme_check_prints_one_ok_line_for_a_sound_folder():
    result = run("scheme", "check", str(scheme_folder("lgsco")))
    assert result.exit_code == 0
    assert result.output == (f"{scheme_folder('lgsco')}: OK: scheme 'lgsco' (Local Government and Social Care "
                             "Ombudsman), 380 councils, engine lgsco\n")


def test_scheme_check_prints_each_problem_and_exits_1(other_scheme: Path):
    for name in ("kinds.toml", "measures.toml"):  # the LGSCO's: its case tables' kinds and its engine's measures
        (other_scheme / name).unlink()
    toml = other_scheme / "scheme.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('engine = "lgsco"', 'engine = "measures"')
                    .replace('body = "council"', 'body = "council"\nbody_plural = "councils"'), encoding="utf-8")
    result = run("scheme", "check", str(other_scheme))
    assert result.exit_code == 1
    assert result.output == ("scheme.toml: words.body_plural: unknown key (expected one of: body, bodies, body_type, "
                             "size, letter, site)\nkinds.toml: missing file\nmeasures.toml: missing file\n")


def test_a_database_remembers_its_scheme_and_refuses_another(tmp_path: Path, other_scheme: Path):
    cases = Cases(tmp_path)
    cases.decided("Stevenage", "2019-10-01", {"Upheld": 1})
    db = f"sqlite:///{tmp_path / 'ombuds.db'}"
    assert run("--db", db, "import", *map(str, cases.files())).exit_code == 0
    assert held_scheme(open_database(db)) == "lgsco"
    refused = run("--db", db, "--scheme", str(other_scheme), "stats", "--year", "2019-20")
    assert refused.exit_code == 1
    assert refused.output == (f"ombuds: error: the database '{db}' holds the 'lgsco' scheme's data, not "
                              "'other-ombudsman': run with --scheme lgsco, or name another database with --db\n")
    by_environment = run("--db", db, "status", env={"OMBUDS_SCHEME": str(other_scheme)})
    assert by_environment.exit_code == 1 and "holds the 'lgsco' scheme's data" in by_environment.output
    assert run("--db", db, "--scheme", "lgsco", "stats", "--year", "2019-20").exit_code == 0
    fresh = f"sqlite:///{tmp_path / 'other.db'}"
    assert run("--db", fresh, "--scheme", str(other_scheme), "import", *map(str, cases.files())).exit_code == 0
    assert held_scheme(open_database(fresh)) == "other-ombudsman"
    assert run("--db", fresh, "stats", "--year", "2019-20").exit_code == 1  # lgsco, by default


def test_an_unknown_scheme_is_a_one_line_error(tmp_path: Path):
    result = run("--db", str(tmp_path / "x.db"), "--scheme", "welsh", "status")
    assert result.exit_code == 1
    assert result.output == ("ombuds: error: 'welsh' is neither a shipped scheme (housing-ombudsman, lgsco) nor a "
                             "scheme folder\n")


def test_a_database_from_before_schemes_is_the_lgscos(db_url: str, tmp_path: Path):
    old = open_database(db_url, migrate=False)
    old.migrate("0011")
    with old.transaction() as connection:  # a case as that schema stored it (today's import writes today's schema)
        connection.execute(text("INSERT INTO received (reference, authority_code, received_date, service_area) "
                                "VALUES ('R1', 'E07000243', '2019-05-01', 'Housing')"))
    old.close()
    upgraded = open_database(db_url)
    assert upgraded.revision() == head_revision() and held_scheme(upgraded) == "lgsco"


def test_a_new_database_takes_the_first_writers_scheme(db_url: str):
    database = open_database(db_url)
    assert held_scheme(database) is None
    claim_scheme(database, "housing-ombudsman")
    assert held_scheme(database) == "housing-ombudsman"
    claim_scheme(database, "housing-ombudsman")  # the same scheme again: nothing to say
    with pytest.raises(Exception, match="holds the 'housing-ombudsman' scheme's data, not 'lgsco'"):
        claim_scheme(database, "lgsco")
