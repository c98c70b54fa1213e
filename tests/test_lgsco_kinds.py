"""The LGSCO's input kinds are data (schemes/lgsco/kinds.toml): a copy of the scheme whose kinds.toml accepts other
header spellings and makes a column personal imports that way through the CLI, with no Python changed; a broken
kinds.toml is named by `ombuds scheme check`; the case tables are made from the kinds."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Integer, MetaData, Text, select

from ombuds.cli import cli
from ombuds.schemes import check_scheme, load_scheme, scheme_folder
from ombuds.store import open_database
from ombuds.store.schema import TABLES, case_table, decided, received

RECEIVED = """Reference,Council,Date received,Service area
LK-0001,Stevenage Borough Council,2023-04-12,Housing
LK-0002,E10000016,2023-05-03,Education and Children's Services
"""
DECIDED = """reference,authority,decision_date,outcome,service_area,satisfactory_remedy,remedied_by_ombudsman,\
public_report,summary
LK-0001,Stevenage Borough Council,2023-09-14,Upheld,Housing,no,yes,no,"Ms A. Smith of 3 High Street waited too long."
"""


def edit(folder: Path, old: str, new: str) -> None:
    """Replace the first `old` in the folder's kinds.toml (received's columns come first)."""
    toml = folder / "kinds.toml"
    text = toml.read_text(encoding="utf-8")
    assert old in text
    toml.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """The LGSCO's scheme, copied under another id, with three changes to kinds.toml alone: received files may say
    `Council` and `Date received`, and a decision's `summary` is personal (never read nor stored)."""
    folder = tmp_path / "lgsco-copy"
    shutil.copytree(scheme_folder("lgsco"), folder)
    scheme = folder / "scheme.toml"
    scheme.write_text(scheme.read_text(encoding="utf-8").replace('id = "lgsco"', 'id = "lgsco-copy"'),
                      encoding="utf-8")
    edit(folder, 'date = "received_date"\n', 'date = "received_date"\naliases = ["council"]\n')
    received_date = 'name = "received_date"\nfield = "received_date"\ntype = "date"\nrequired = true\n'
    edit(folder, received_date, received_date + 'aliases = ["date_received"]\n')
    summary = 'name = "summary"\nfield = "summary"\ntype = "text"\nlines = true\n'
    edit(folder, summary, summary + "personal = true\n")
    return folder


def files(tmp_path: Path, received_text: str = RECEIVED) -> list[str]:
    (tmp_path / "received.csv").write_text(received_text, encoding="utf-8")
    (tmp_path / "decided.csv").write_text(DECIDED, encoding="utf-8")
    return [str(tmp_path / "received.csv"), str(tmp_path / "decided.csv")]


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_a_copy_with_a_changed_kinds_toml_takes_its_spellings_and_drops_its_personal_column(tmp_path, copy):
    db = f"sqlite:///{tmp_path / 'copy.db'}"
    result = run("--db", db, "--scheme", str(copy), "import", *files(tmp_path))
    assert result.exit_code == 0, result.output
    assert result.stdout == (f"{tmp_path}/received.csv: 2 received rows\n{tmp_path}/decided.csv: 1 decided row\n"
                             "received: 2 new, 0 changed, 0 unchanged\ndecided: 1 new, 0 changed, 0 unchanged\n")
    assert result.stderr == f"{tmp_path}/decided.csv: dropped personal column(s) summary (never stored)\n"
    database = open_database(db)
    with database.read() as connection:
        assert connection.execute(select(received).order_by(received.c.reference)).all() == [
            ("LK-0001", "E07000243", date(2023, 4, 12), "housing"),
            ("LK-0002", "E10000016", date(2023, 5, 3), "education-and-childrens-services")]
        assert connection.execute(select(decided)).all() == [
            ("LK-0001", "E07000243", date(2023, 9, 14), "upheld", "housing", False, True, False, None)]
    database.close()


def test_the_shipped_scheme_refuses_those_spellings_and_keeps_the_summary(tmp_path):
    db = f"sqlite:///{tmp_path / 'lgsco.db'}"
    refused = run("--db", db, "import", *files(tmp_path))
    assert refused.exit_code == 1
    assert refused.output == (f"{tmp_path}/received.csv:1: header: looks like a received file but lacks the required "
                              "column(s) authority, received_date\n1 problem found; nothing was imported\n")
    shipped = RECEIVED.replace("Council,Date received", "authority,received_date")
    assert run("--db", db, "import", *files(tmp_path, shipped)).exit_code == 0
    database = open_database(db)
    with database.read() as connection:
        assert connection.execute(select(decided.c.summary)).scalars().all() == [
            "Ms A. Smith of 3 High Street waited too long."]
    database.close()


def test_a_problem_in_a_column_read_by_an_alias_names_the_column(tmp_path, copy):
    bad = RECEIVED.replace("2023-05-03", "2023-02-30")
    result = run("--db", f"sqlite:///{tmp_path / 'copy.db'}", "--scheme", str(copy), "import", *files(tmp_path, bad))
    assert result.exit_code == 1
    assert result.output == (f"{tmp_path}/received.csv:3: received_date: impossible date '2023-02-30'\n"
                             "1 problem found; nothing was imported\n")


def test_scheme_check_names_each_problem_of_a_kinds_toml(copy):
    edit(copy, 'type = "reference"', 'type = "case"')
    aliases = 'aliases = ["reference", "council", "date_received"]\n'
    edit(copy, 'date = "decision_date"\n', 'date = "decision_date"\n' + aliases)
    edit(copy, 'name = "summary"\n', 'name = "Summary"\n')
    edit(copy, 'set = "compliance"', 'set = "compliance_outcome"')
    edit(copy, 'field = "public_report"\ntype = "flag"\n', 'field = "public_report"\ntype = "flag"\npersonal = true\n')
    edit(copy, 'rules = ["population_not_zero"]', 'rules = ["population_not_zero", "dates_in_order", "tidy"]')
    edit(copy, 'key = ["reference", "improvement"]', 'key = ["reference", "improvement_text"]')
    edit(copy, 'values = ["1", "2"]', 'values = 2')
    assert check_scheme(copy) == [
        "kinds.toml: kinds.received.columns[0].type: unknown type 'case' (one of: reference, body, date, year, label, "
        "choice, provision, flag, text, lettered, email, count)",
        "kinds.toml: kinds.received.key: 'reference' is not a field of this kind",
        "kinds.toml: kinds.decided.columns[7].personal: only an optional column with no default value can be "
        "personal: its stored value is left empty",
        "kinds.toml: kinds.decided.columns[8].name: 'Summary' is not written as a column key: 'summary'",
        "kinds.toml: kinds.compliance.columns[3].set: unknown label set 'compliance_outcome'",
        "kinds.toml: kinds.improvements.key: 'improvement_text' is not a field of this kind",
        "kinds.toml: kinds.population.rules: 'dates_in_order' needs the column(s) received_date, acknowledged_date, "
        "response_date, extended_to",
        "kinds.toml: kinds.population.rules: unknown rule 'tidy' (one of: remedy_only_when_upheld, dates_in_order, "
        "population_not_zero)",
        "kinds.toml: kinds.own_complaints.columns[2].values: must be a string or a list of strings",
        "kinds.toml: kinds.decided.columns[1].aliases: 'reference' already names the column 'reference'",
        "kinds.toml: kinds.decided.columns[1].aliases: 'date_received' already names the column 'received_date'",
    ]


def test_the_case_tables_are_made_from_the_kinds_so_a_new_stored_column_needs_no_schema_edit(copy):
    shipped = load_scheme("lgsco").case_kinds
    assert {name: [c.name for c in table.columns] for name, table in TABLES.items()} == {
        kind.id: list(kind.order) for kind in shipped.values()}
    assert [c.name for c in TABLES["improvements"].primary_key] == ["reference", "improvement"]
    assert {i.name: [c.name for c in i.columns] for i in TABLES["decided"].indexes} == {
        "ix_decided_counts": ["decision_date", "authority_code", "outcome", "satisfactory_remedy",
                              "remedied_by_ombudsman"],
        "ix_decided_authority": ["authority_code", "decision_date"]}
    (copy / "kinds.toml").write_text((copy / "kinds.toml").read_text(encoding="utf-8") + (
        '\n[[kinds.decided.columns]]\nname = "investigator_notes"\nfield = "notes"\ntype = "text"\n'
        '\n[[kinds.decided.columns]]\nname = "days_taken"\nfield = "days_taken"\ntype = "count"\nrequired = true\n'),
        encoding="utf-8")
    table = case_table(load_scheme(copy).case_kinds["decided"], MetaData())
    assert [c.name for c in table.columns][-3:] == ["summary", "notes", "days_taken"]
    assert isinstance(table.c.notes.type, Text) and table.c.notes.nullable
    assert isinstance(table.c.days_taken.type, Integer) and not table.c.days_taken.nullable
