"""The LGSCO's labels are stored by id and shown in the scheme's words: migration 0015 turns a database of
published words into ids (and back), 0016 a release's frozen figures and its revisions, and a label renamed in
labels.toml changes every output, not the database nor a published release."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import insert, select

import ombuds
from builders import WORDS, Cases
from conftest import LGSCO, write_csv
from ombuds.ingest import import_files
from ombuds.ingest.published import import_published
from ombuds.parse.documents import PUBLISHED
from ombuds.release_figures import _digest, case_checksum
from ombuds.releases import create_release, publish_release, release_status
from ombuds.stats.service import statistics_service
from ombuds.store import open_database
from ombuds.store.locate import MIGRATIONS, head_revision
from ombuds.store.releases import shown_rows
from ombuds.store.schema import TABLES, case_counts, published, releases, revisions
from ombuds.years import Year

CASES, NONE, LATER = Year(2018), Year(2019), Year(2020)  # years of case records, a year with none
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
    service = statistics_service(database, LGSCO)
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
    import_files(database, _cases(tmp_path), scheme=LGSCO)
    import_published(database, [DOCUMENT], PUBLISHED)
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
    assert upgraded.revision() == head_revision()
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


def _more(folder: Path, prefix: str, authority: str, day: str, outcomes: dict[str, int]) -> list[Path]:
    """Decisions in a folder (and reference prefix) of their own."""
    folder.mkdir()
    cases = Cases(folder, prefix)
    cases.decided(authority, day, outcomes)
    return cases.files()


def _releases_and_revisions(database) -> dict[str, list[tuple]]:
    with database.read() as connection:
        return {"frozen": sorted(connection.execute(select(releases.c.year, releases.c.statistics)).all()),
                "revised": connection.execute(select(revisions.c.figure).order_by(revisions.c.id)).all()}


def _digest_in_words(connection, year: Year, code: str) -> str:
    """Revision 0015's digest of an authority's decisions in a year: its rows with the labels in words."""
    rows = [row for kind, at, row in shown_rows(connection, year) if (kind, at) == ("decisions", code)]
    return _digest([json.dumps([str(v) if v is not None else None for v in (
        reference, day, WORDS.outcome_words[outcome], area and WORDS.area_words[area], *rest)]).encode("utf-8")
        for reference, day, outcome, area, *rest in rows])


def test_releases_frozen_in_words_are_converted_to_ids_and_back(db_url, demo_settings, tmp_path):
    """Migration 0016: a release's frozen counts, its revisions' figures and the digests of its decisions that
    still matched go from the words of revision 0015 to ids and back; a digest that no longer matched is kept."""
    database = open_database(db_url)
    no_letters = tmp_path / "no-editions"
    no_letters.mkdir()
    import_files(database, [*_cases(tmp_path), *_more(tmp_path / "later", "L", "Stevenage", "2020-06-01",
                                                      {"Upheld": 1, "Not Upheld": 1})], scheme=LGSCO)
    import_files(database, _more(tmp_path / "cornwall", "C", "Cornwall", "2020-06-02", {"Not Upheld": 1}), scheme=LGSCO)
    for year in (CASES, LATER):
        create_release(database, year, demo_settings.profile, no_letters, LGSCO)
    publish_release(database, LGSCO, CASES, date(2019, 7, 1))
    import_files(database, _more(tmp_path / "late", "R", "Stevenage", "2018-11-01", {"Upheld": 1}),
                 revise="a late decision", scheme=LGSCO)  # revisions of 2018-19
    import_files(database, _more(tmp_path / "unfrozen", "U", "Cornwall", "2020-07-01", {"Upheld": 1}),
                 scheme=LGSCO)  # after
    held = _releases_and_revisions(database)  # the freeze: Cornwall's 2020-21 decisions no longer match their digest
    frozen = {year: json.loads(statistics) for year, statistics in held["frozen"]}
    stevenage = next(r for r in frozen["2018-19"]["records"] if r["authority"]["code"] == "E07000243")
    assert (stevenage["decided"]["upheld"], stevenage["received"]["housing"]) == (5, 3)
    assert held["revised"][:2] == [("decided.upheld",), ("decided.total",)]
    with database.read() as connection:
        of_ids = {(y, code): shown["decisions"] for y in ("2018-19", "2020-21")
                  for code, shown in frozen[y]["shown"].items() if "decisions" in shown}
        in_words = {(y, code): _digest_in_words(connection, Year.parse(y), code) for y, code in of_ids}
    assert set(of_ids) == {("2018-19", "E07000243"), ("2018-19", "E06000052"), ("2020-21", "E07000243"),
                           ("2020-21", "E06000052")}

    _downgrade(database, "0015")  # a database as revision 0015 kept releases: in the words of the day
    in_0015 = _releases_and_revisions(database)
    old = {year: json.loads(statistics) for year, statistics in in_0015["frozen"]}
    stevenage = next(r for r in old["2018-19"]["records"] if r["authority"]["code"] == "E07000243")
    assert (stevenage["decided"]["Upheld"], stevenage["received"]["Housing"], stevenage["upheld"]) == (5, 3, 5)
    assert "upheld" not in stevenage["decided"] and "housing" not in stevenage["received"]
    assert in_0015["revised"][:2] == [("decided.Upheld",), ("decided.total",)]
    assert {(y, code): shown["decisions"] for y in old for code, shown in old[y]["shown"].items()
            if "decisions" in shown} == {**in_words, ("2020-21", "E06000052"): of_ids[("2020-21", "E06000052")]}
    assert in_words[("2018-19", "E07000243")] != of_ids[("2018-19", "E07000243")]
    assert of_ids[("2020-21", "E06000052")].startswith("1 sha256:")  # of the one decision frozen, not today's two
    assert next(r for r in old["2020-21"]["records"] if r["authority"]["code"] == "E06000052")["decided"] == {
        "Incomplete or Invalid": 0, "Advice Given": 0, "Referred back for Local Resolution": 0,
        "Closed After Initial Enquiries": 0, "Not Upheld": 1, "Upheld": 0, "total": 1}

    database.migrate("0016")
    assert _releases_and_revisions(database) == held  # ids again, exactly as frozen
    status = {s.year.label: s.case_data for s in release_status(database, LGSCO, [CASES, LATER])}
    assert status == {"2018-19": "as frozen", "2020-21": "changed since frozen"}
    _downgrade(database, "0015")
    assert _releases_and_revisions(database) == in_0015
    database.close()


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


def _ran(package: Path, *args: str) -> subprocess.CompletedProcess:
    """Python run with the package on `package`."""
    return subprocess.run([sys.executable, *args], env={**os.environ, "PYTHONPATH": str(package)},
                          capture_output=True, text=True, check=False)


def _outputs(package: Path, url: str, folder: Path) -> dict[str, str]:
    """Every output of the same database, made by the package on `package`: the stats JSON and CSV, a letter,
    the site's pages, JSON, API and download."""

    def run(*args: str) -> str:
        done = _ran(package, *args)
        assert done.returncode == 0, done.stderr
        return done.stdout

    found = {f"stats {f}": run("-m", "ombuds", "--db", url, "stats", "--year", "2018-19", "--format", f)
             for f in ("json", "csv")}
    out = folder / "letters"
    run("-m", "ombuds", "--db", url, "letters", "--year", "2018-19", "--authority", "Stevenage", "--format", "html",
        "--out", str(out))
    found |= {f"letter {p.name}": p.read_text(encoding="utf-8") for p in sorted(out.glob("*.html"))}
    return found | json.loads(run("-c", SHOW, url, *PAGES))


def test_a_label_renamed_in_the_scheme_changes_every_output_and_not_the_database(demo_settings, tmp_path):
    url = f"sqlite:///{tmp_path / 'cases.db'}"
    database = open_database(url)
    import_files(database, _cases(tmp_path), scheme=LGSCO)
    no_letters = tmp_path / "no-editions"
    no_letters.mkdir()
    create_release(database, CASES, demo_settings.profile, no_letters, LGSCO)
    publish_release(database, LGSCO, CASES, date(2019, 7, 1))
    import_files(database, _more(tmp_path / "late", "R", "Stevenage", "2018-11-01", {"Upheld": 1}),
                 revise="a late decision", scheme=LGSCO)  # a revision of an Upheld count
    held = {**_everything(database), **_releases_and_revisions(database)}
    database.close()
    before = _outputs(Path(ombuds.__file__).parent.parent, url, tmp_path / "before")
    renamed = _renamed_package(tmp_path / "renamed", "Fault found")
    after = _outputs(renamed, url, tmp_path / "after")
    database = open_database(url)
    assert {**_everything(database), **_releases_and_revisions(database)} == held  # as it was: ids
    database.close()

    def renamed_key(data):  # and a revised figure's name
        if isinstance(data, dict):
            return {("Fault found" if k == "Upheld" else k): renamed_key(v) for k, v in data.items()}
        if isinstance(data, list):
            return [renamed_key(v) for v in data]
        return "decided.Fault found" if data == "decided.Upheld" else data

    records = json.loads(before["stats json"])
    assert [r["decided"]["Upheld"] for r in records if r["authority"]["code"] in ("E07000243", "E06000052")] == [1, 5]
    assert json.loads(after["stats json"]) == renamed_key(records)
    assert after["stats csv"] == before["stats csv"].replace(",decided.Upheld,", ",decided.Fault found,")
    assert after["data/2018-19.csv"] == before["data/2018-19.csv"].replace(",decided.Upheld,",
                                                                           ",decided.Fault found,")
    council = f"councils/{SLUG}/2018-19"
    assert json.loads(after[f"{council}.json"]) == renamed_key(json.loads(before[f"{council}.json"]))
    assert [json.loads(outputs[f"{council}.json"])["revisions"][0]["changes"][0] for outputs in (before, after)] == [
        {"subject": "Stevenage Borough Council (E07000243)", "figure": f"decided.{words}", "old": "4", "new": "5"}
        for words in ("Upheld", "Fault found")]  # the revision of the release, in the words of the day
    api = json.loads(after["api/decisions/E07000243/2018-19.json"])
    assert sorted(d["outcome"] for d in api) == sorted(
        "Fault found" if d["outcome"] == "Upheld" else d["outcome"]
        for d in json.loads(before["api/decisions/E07000243/2018-19.json"]))
    assert [d["outcome"] for d in api].count("Fault found") == 5
    cell = '<td class="govuk-table__cell">'
    decisions = f"{council}/decisions/"
    assert (before[decisions].count(f"{cell}Upheld"), after[decisions].count(f"{cell}Fault found"),
            after[decisions].count(f"{cell}Upheld")) == (5, 5, 0)
    revised = f"{cell}decided.{{}}</td>{cell}4</td>{cell}5</td>"
    assert [(outputs[f"{council}/"].count(revised.format("Upheld")), outputs[f"{council}/"].count(
        revised.format("Fault found"))) for outputs in (before, after)] == [(1, 0), (0, 1)]
    letters = [k for k in before if k.startswith("letter ")]
    assert letters == [f"letter {SLUG}-2018-19.html"]
    for letter in [*letters, f"councils/{SLUG}/2018-19/letter.html"]:
        assert ">Upheld<" in before[letter] and ">Upheld<" not in after[letter], letter
        assert after[letter].count(">Fault found<") == before[letter].count(">Upheld<"), letter

    # The published release is in the scheme's words too: an import into another year changes none of its figures
    # and is taken with no revision; a real change is refused in the new words.
    unrelated = _ran(renamed, "-m", "ombuds", "--db", url, "import", *_more(
        tmp_path / "unrelated", "U", "Cornwall", "2021-06-01", {"Not Upheld": 1, "Fault found": 1}))
    assert unrelated.returncode == 0, unrelated.stderr
    assert unrelated.stdout.splitlines()[-1] == "decided: 2 new, 0 changed, 0 unchanged"
    status = _ran(renamed, "-m", "ombuds", "--db", url, "release", "status")
    assert status.stdout.splitlines() == [
        f"2018-19  public; frozen {date.today().isoformat()}; published on 2019-07-01; 15 revisions; case data as "
        "frozen", "2021-22  not released"]
    refused = _ran(renamed, "-m", "ombuds", "--db", url, "import", *_more(
        tmp_path / "later", "L", "Stevenage", "2018-11-02", {"Fault found": 1}))
    assert refused.returncode == 1
    assert refused.stderr.startswith(
        "ombuds: error: refused: 2018-19 was published on 2019-07-01 and this import would change ")
    assert ("Stevenage Borough Council (E07000243) decided.Fault found 5 → 6, decided.total 9 → 10, investigated "
            "7 → 8, ") in refused.stderr
    assert "Upheld" not in refused.stderr.replace("Not Upheld", "")
    database = open_database(url)
    assert _releases_and_revisions(database) == {k: held[k] for k in ("frozen", "revised")}  # no revision
    database.close()

