"""The LGSCO's labels are stored by id and shown in the scheme's words: migration 0015 turns a database of
published words into ids (and back), and a label renamed in labels.toml changes every output, not the database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import insert, select

import ombuds
from builders import Cases
from conftest import write_csv
from ombuds.ingest import import_files
from ombuds.ingest.published import import_published
from ombuds.release_figures import case_checksum
from ombuds.stats.service import statistics_service
from ombuds.store import open_database
from ombuds.store.locate import MIGRATIONS
from ombuds.store.schema import TABLES, case_counts, published, releases
from ombuds.years import Year

CASES, NONE = Year(2018), Year(2019)  # a year of case records; a year with none
CONTACTS = ["authority", "name", "title", "salutation", "email", "role"]
DECIDED = ["reference", "authority", "decision_date", "outcome", "service_area", "satisfactory_remedy",
           "remedied_by_ombudsman", "public_report", "summary"]
DOCUMENT = {  # figures read back from a published letter (`parse --import`), as the parser words them
    "authority": {"code": "E07000243", "name": "Stevenage Borough Council", "type": "District"},
    "year": "2017-18", "received": {"Housing": 4, "Other": 6, "total": 10},
    "decided": {"Not Upheld": 1, "Upheld": 1, "total": 12},
    "investigated": 2, "upheld": 1, "uphold_rate": 0.5, "satisfactory_remedies": 0,
    "satisfactory_remedy_rate": 0.0, "remedied_by_ombudsman": None,
    "compliance": {"recorded": 0}, "compliance_rate": None, "population": None, "upheld_per_100k": None,
    "average": {}, "overview": None, "source": "letter.pdf", "edition": "appendix-2017-18", "letter": None,
}


def _cases(folder: Path) -> list[Path]:
    cases = Cases(folder)
    cases.received("Stevenage", "2018-05-01", {"Housing": 3, "Education and Children's Services": 2})
    cases.received("Cornwall", "2018-06-01", {"Adult Care Services": 4, "Other": 1})
    cases.decided("Stevenage", "2018-07-01", {"Upheld": 3, "Not Upheld": 2, "Advice Given": 1},
                  satisfactory_remedies=1, remedied_by_ombudsman=1)
    cases.decided("Cornwall", "2018-08-01", {"Referred back for Local Resolution": 2, "Upheld": 1})
    cases.compliance("Stevenage", "2018-09-01", on_time=2, late=1, not_complied=1)
    cases.population("Stevenage", "2018-19", 88000)
    decided = write_csv(folder / "decided-areas.csv", DECIDED, [
        ["A1", "Stevenage", "2018-10-01", "Upheld", "Planning and Development", "no", "no", "yes", "A report"],
        ["A2", "Stevenage", "2018-10-02", "Closed After Initial Enquiries", "", "no", "no", "no", ""]])
    contacts = write_csv(folder / "contacts.csv", CONTACTS, [
        ["Stevenage", "Pat Example", "Chief Executive", "Dear Pat", "pat@example.org", ""],
        ["Stevenage", "Lee Example", "Link Officer", "Dear Lee", "lee@example.org", "link officer"],
        ["Cornwall", "Sam Example", "Leader", "Dear Sam", "sam@example.org", "Leader"]])
    return [*cases.files(), decided, contacts]


def _everything(database) -> dict[str, list[tuple]]:
    """Every row of the tables that hold labels or depend on them, as text."""
    tables = {**TABLES, "case_counts": case_counts, "published": published, "releases": releases}
    with database.read() as connection:
        return {name: sorted(tuple(map(str, row)) for row in connection.execute(table.select()))
                for name, table in tables.items()}


def _figures(database) -> dict[str, list[dict]]:
    service = statistics_service(database)
    return {y.label: [r.to_json() for r in service.year(y).records] for y in service.years()}


def _downgrade(database, revision: str) -> None:
    with database.transaction() as connection:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def _column(connection, table: str, column: str) -> set:
    return set(connection.execute(select(TABLES[table].c[column])).scalars())


def test_a_database_of_published_words_is_upgraded_to_ids_and_back(db_url, tmp_path):
    database = open_database(db_url)
    import_files(database, _cases(tmp_path))
    import_published(database, [DOCUMENT])
    with database.transaction() as connection:
        for year, checksum in ((CASES, case_checksum(connection, CASES)), (NONE, "0" * 64)):  # no match
            connection.execute(insert(releases).values(year=year.label, stage="created", statistics="{}",
                                                       created_at=datetime.now(UTC), case_checksum=checksum))
    with database.read() as connection:
        assert _column(connection, "decided", "outcome") == {
            "upheld", "not-upheld", "advice-given", "referred-back-for-local-resolution",
            "closed-after-initial-enquiries"}
        of_ids = case_checksum(connection, CASES)
    held, figures = _everything(database), _figures(database)

    _downgrade(database, "0014")  # a database as revision 0014 kept it: the published words
    with database.read() as connection:
        assert _column(connection, "received", "service_area") == {
            "Housing", "Education and Children's Services", "Adult Care Services", "Other"}
        assert _column(connection, "decided", "outcome") == {
            "Upheld", "Not Upheld", "Advice Given", "Referred back for Local Resolution",
            "Closed After Initial Enquiries"}
        assert _column(connection, "decided", "service_area") == {None, "Planning and Development"}
        assert _column(connection, "compliance", "compliance") == {"on time", "late", "not complied"}
        assert _column(connection, "contacts", "role") == {"chief executive", "link officer", "leader"}
        assert set(connection.execute(select(case_counts.c.kind, case_counts.c.label)
                                      .where(case_counts.c.authority_code == "E07000243"))) == {
            ("received", "Housing"), ("received", "Education and Children's Services"), ("decided", "Upheld"),
            ("decided", "Not Upheld"), ("decided", "Advice Given"), ("decided", "Closed After Initial Enquiries"),
            ("compliance", "on time"), ("compliance", "late"), ("compliance", "not complied")}
        stored = json.loads(connection.execute(select(published.c.figures)).scalar_one())
        assert (stored["received"], stored["decided"]) == (DOCUMENT["received"], DOCUMENT["decided"])
        checksums = dict(connection.execute(select(releases.c.year, releases.c.case_checksum)).all())
        assert checksums == {"2018-19": case_checksum(connection, CASES), "2019-20": "0" * 64}  # of the words
        assert checksums["2018-19"] != of_ids
    database.close()

    upgraded = open_database(db_url)  # to head: the words become ids again, nothing else changes
    assert upgraded.revision() == "0015"
    assert _everything(upgraded) == held
    assert _figures(upgraded) == figures
    with upgraded.read() as connection:
        stored = json.loads(connection.execute(select(published.c.figures)).scalar_one())
        assert (stored["received"], stored["decided"]) == ({"housing": 4, "other": 6, "total": 10},
                                                           {"not-upheld": 1, "upheld": 1, "total": 12})
        checksums = dict(connection.execute(select(releases.c.year, releases.c.case_checksum)).all())
        assert checksums == {"2018-19": case_checksum(connection, CASES), "2019-20": "0" * 64}  # of the ids
    stevenage = next(r for r in figures["2018-19"] if r["authority"]["code"] == "E07000243")
    assert (stevenage["decided"]["Upheld"], stevenage["received"]["Housing"], stevenage["compliance"]) == (
        4, 3, {"recorded": 4, "on_time": 2, "late": 1, "not_complied": 1})
    assert (figures["2017-18"][0]["received"], figures["2017-18"][0]["decided"]) == (
        DOCUMENT["received"], DOCUMENT["decided"])  # published figures read back in the scheme's words
    upgraded.close()


SHOW = """
import json, sys
from fastapi.testclient import TestClient
from ombuds.settings import make_settings
from ombuds.site.app import create_app
from ombuds.store import open_database
url, paths = sys.argv[1], sys.argv[2:]
client = TestClient(create_app(open_database(url, read_only=True), make_settings("lgsco", None, None, url)))
print(json.dumps({path: client.get("/" + path).text for path in paths}))
"""
SLUG = "stevenage-borough-council"
PAGES = (f"councils/{SLUG}/2018-19/", f"councils/{SLUG}/2018-19/decisions/", f"councils/{SLUG}/2018-19.json",
         f"councils/{SLUG}/2018-19/letter.html", "api/decisions/E07000243/2018-19.json", "data/2018-19.csv")


def _renamed_package(folder: Path, new: str) -> Path:
    """A copy of the installed package in which only schemes/lgsco/labels.toml differs: every other file is a link
    to the package's own. Returns the folder to put on PYTHONPATH."""
    source = Path(ombuds.__file__).parent
    copy, labels = folder / "ombuds", source / "schemes" / "lgsco" / "labels.toml"
    for directory in (source, source / "schemes", labels.parent):  # the folders on the way to labels.toml are real
        target = copy / directory.relative_to(source)
        target.mkdir(parents=True)
        for entry in directory.iterdir():
            if entry not in (source / "schemes", labels.parent, labels):
                (target / entry.name).symlink_to(entry)
    words = labels.read_text(encoding="utf-8")
    assert words.count('name = "Upheld"\n') == 1
    (copy / "schemes" / "lgsco" / "labels.toml").write_text(words.replace('name = "Upheld"\n', f'name = "{new}"\n'),
                                                            encoding="utf-8")
    return folder


def _outputs(package: Path, url: str, folder: Path) -> dict[str, str]:
    """Every output of the same database, made by the package on `package`: the stats JSON and CSV, a letter,
    the site's pages, JSON, API and download."""
    env = {**os.environ, "PYTHONPATH": str(package)}

    def run(*args: str) -> str:
        done = subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
        return done.stdout

    found = {f"stats {f}": run("-m", "ombuds", "--db", url, "stats", "--year", "2018-19", "--format", f)
             for f in ("json", "csv")}
    out = folder / "letters"
    run("-m", "ombuds", "--db", url, "letters", "--year", "2018-19", "--authority", "Stevenage", "--format", "html",
        "--out", str(out))
    found |= {f"letter {p.name}": p.read_text(encoding="utf-8") for p in sorted(out.glob("*.html"))}
    return found | json.loads(run("-c", SHOW, url, *PAGES))


def test_a_label_renamed_in_the_scheme_changes_every_output_and_not_the_database(tmp_path):
    url = f"sqlite:///{tmp_path / 'cases.db'}"
    database = open_database(url)
    import_files(database, _cases(tmp_path))
    held = _everything(database)
    database.close()
    before = _outputs(Path(ombuds.__file__).parent.parent, url, tmp_path / "before")
    renamed = _renamed_package(tmp_path / "renamed", "Fault found")
    after = _outputs(renamed, url, tmp_path / "after")
    database = open_database(url)
    assert _everything(database) == held  # the database is as it was: ids
    database.close()

    def renamed_key(data):
        if isinstance(data, dict):
            return {("Fault found" if k == "Upheld" else k): renamed_key(v) for k, v in data.items()}
        return [renamed_key(v) for v in data] if isinstance(data, list) else data

    records = json.loads(before["stats json"])
    assert [r["decided"]["Upheld"] for r in records if r["authority"]["code"] in ("E07000243", "E06000052")] == [1, 4]
    assert json.loads(after["stats json"]) == renamed_key(records)
    assert after["stats csv"] == before["stats csv"].replace(",decided.Upheld,", ",decided.Fault found,")
    assert after["data/2018-19.csv"] == before["data/2018-19.csv"].replace(",decided.Upheld,",
                                                                           ",decided.Fault found,")
    assert json.loads(after[f"councils/{SLUG}/2018-19.json"]) == renamed_key(
        json.loads(before[f"councils/{SLUG}/2018-19.json"]))
    api = json.loads(after["api/decisions/E07000243/2018-19.json"])
    assert sorted(d["outcome"] for d in api) == sorted(
        "Fault found" if d["outcome"] == "Upheld" else d["outcome"]
        for d in json.loads(before["api/decisions/E07000243/2018-19.json"]))
    assert [d["outcome"] for d in api].count("Fault found") == 4
    cell = '<td class="govuk-table__cell">'
    decisions = f"councils/{SLUG}/2018-19/decisions/"
    assert (before[decisions].count(f"{cell}Upheld"), after[decisions].count(f"{cell}Fault found"),
            after[decisions].count(f"{cell}Upheld")) == (4, 4, 0)
    letters = [k for k in before if k.startswith("letter ")]
    assert letters == [f"letter {SLUG}-2018-19.html"]
    for letter in [*letters, f"councils/{SLUG}/2018-19/letter.html"]:
        assert ">Upheld<" in before[letter] and ">Upheld<" not in after[letter], letter
        assert after[letter].count(">Fault found<") == before[letter].count(">Upheld<"), letter
