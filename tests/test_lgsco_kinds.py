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

from conftest import registry
from ombuds.cli import cli
from ombuds.ingest.columns import BAD, ColumnCheck
from ombuds.ingest.fields import RowCheck
from ombuds.ingest.kinds import kinds_of
from ombuds.schemes import check_scheme, load_scheme, scheme_folder
from ombuds.store import open_database
from ombuds.store.schema import TABLES, case_table, decided, received

RECEIVED = """Reference,Council,Date received,Service area
LK-0001,Stevenage Borough Council,2023-04-12,Housing
LK-0002,E10000016,03.05.2023,Education and Children's Services
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
    """The LGSCO's scheme, copied under another id, with four changes to kinds.toml alone: received files may say
    `Council` and `Date received`, write that date as 03.05.2023, and a decision's `summary` is personal (never read
    nor stored)."""
    folder = tmp_path / "lgsco-copy"
    shutil.copytree(scheme_folder("lgsco"), folder)
    scheme = folder / "scheme.toml"
    scheme.write_text(scheme.read_text(encoding="utf-8").replace('id = "lgsco"', 'id = "lgsco-copy"'),
                      encoding="utf-8")
    edit(folder, 'date = "received_date"\n', 'date = "received_date"\naliases = ["council"]\n')
    received_date = 'name = "received_date"\nfield = "received_date"\ntype = "date"\nrequired = true\n'
    edit(folder, received_date, received_date + 'aliases = ["date_received"]\nformats = ["%d.%m.%Y"]\n')
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


def test_the_shipped_scheme_refuses_those_spellings_and_that_date_and_keeps_the_summary(tmp_path):
    db = f"sqlite:///{tmp_path / 'lgsco.db'}"
    refused = run("--db", db, "import", *files(tmp_path))
    assert refused.exit_code == 1
    assert refused.output == (f"{tmp_path}/received.csv:1: header: looks like a received file but lacks the required "
                              "column(s) authority, received_date\n1 problem found; nothing was imported\n")
    shipped = RECEIVED.replace("Council,Date received", "authority,received_date")
    refused = run("--db", db, "import", *files(tmp_path, shipped))
    assert refused.output == (f"{tmp_path}/received.csv:3: received_date: malformed date '03.05.2023': use 2019-07-24 "
                              "or 24/07/2019\n1 problem found; nothing was imported\n")
    assert run("--db", db, "import", *files(tmp_path, shipped.replace("03.05.2023", "3/5/2023"))).exit_code == 0
    database = open_database(db)
    with database.read() as connection:
        assert connection.execute(select(decided.c.summary)).scalars().all() == [
            "Ms A. Smith of 3 High Street waited too long."]
    database.close()


def test_a_problem_in_a_column_read_by_an_alias_or_a_format_of_its_own_is_worded_as_usual(tmp_path, copy):
    bad = RECEIVED.replace("03.05.2023", "30.02.2023").replace("2023-04-12", "2023-02-30")
    result = run("--db", f"sqlite:///{tmp_path / 'copy.db'}", "--scheme", str(copy), "import", *files(tmp_path, bad))
    assert result.exit_code == 1
    assert result.output == (f"{tmp_path}/received.csv:2: received_date: impossible date '2023-02-30'\n"
                             f"{tmp_path}/received.csv:3: received_date: malformed date '30.02.2023': use 2019-07-24 "
                             "or 24/07/2019\n2 problems found; nothing was imported\n")


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
    edit(copy, 'name = "recorded_date"\nfield = "recorded_date"\ntype = "date"\n',
         'name = "recorded_date"\nfield = "recorded_date"\ntype = "date"\nformats = ["%d %m"]\n')
    assert check_scheme(copy) == [
        "kinds.toml: kinds.received.columns[0].type: unknown type 'case' (one of: reference, body, date, year, label, "
        "choice, provision, flag, text, lettered, email, count)",
        "kinds.toml: kinds.received.key: 'reference' is not a field of this kind",
        "kinds.toml: kinds.decided.columns[7].personal: only an optional column with no default value can be "
        "personal: its stored value is left empty",
        "kinds.toml: kinds.decided.columns[8].name: 'Summary' is not written as a column key: 'summary'",
        "kinds.toml: kinds.compliance.columns[2].formats: '%d %m' is not a date format with a day (%d), a month (%m, "
        "%b or %B) and a year (%Y or %y)",
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


def test_the_copys_column_check_agrees_with_its_row_check(copy):
    """The copy's received kind (its own date format), decided kind (a personal summary) and improvements kind (an
    improvement now on one line) keep their column checkers, which give every row as the row checker stores it, or
    BAD where it has a problem."""
    edit(copy, 'name = "improvement"\nfield = "improvement"\ntype = "text"\nrequired = true\nlines = true\n',
         'name = "improvement"\nfield = "improvement"\ntype = "text"\nrequired = true\n')
    kinds = kinds_of(load_scheme(copy)).kinds
    rows = {"received": [{"reference": "A1", "authority": "Stevenage", "received_date": day, "service_area": "Housing"}
                         for day in ("03.05.2023", "2023-05-03", "30.02.2023", "3/5/2023", "03.05.2099", "")],
            "decided": [{"reference": "A2", "authority": "Kent", "decision_date": "2023-09-14", "outcome": outcome,
                         "service_area": "", "satisfactory_remedy": "no", "remedied_by_ombudsman": "yes",
                         "public_report": "", "summary": "Ms A. Smith"} for outcome in ("Upheld", "Not Upheld")],
            "improvements": [{"reference": "A3", "authority": "Kent", "agreed_date": "2023-09-14",
                              "improvement": text} for text in ("Train staff", "Train\nstaff", " Train staff\n")]}
    stored = {"received": [("A1", "E07000243", "2023-05-03", "housing")] * 3, "decided": [
        ("A2", "E10000016", "2023-09-14", "upheld", None, False, True, False, None)],
        "improvements": [("A3", "Train staff", "E10000016", "2023-09-14")] * 2}
    for name, kind_rows in rows.items():
        kind = kinds[name]
        assert kind.check_columns is not None
        columns = {c: [row.get(c, "") for row in kind_rows] for c in kind.columns}
        by_column = ColumnCheck(RowCheck(registry(), load_scheme(copy).label_sets, date(2025, 6, 1)))
        fast = kind.check_columns(columns, by_column, list(range(len(kind_rows))))
        slow = []
        for row in kind_rows:
            check = RowCheck(registry(), load_scheme(copy).label_sets, date(2025, 6, 1))
            record = kind.check(row, check)
            slow.append(None if record is None else tuple(v.isoformat() if isinstance(v, date) else v for v in record))
        assert [None if BAD in f else f[:-1] for f in fast] == slow
        assert [s for s in slow if s is not None] == stored[name]
