"""Releases: a year frozen, published on a date (embargoed until then), refused changes and recorded revisions,
and the audit log; on SQLite and PostgreSQL. The public site and the preview build: tests/test_releases_site.py."""

from __future__ import annotations

import getpass
import hashlib
import json
import re
import socket
from datetime import date, timedelta

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from builders import Cases
from conftest import LGSCO, snapshot, write_csv
from ombuds.cli import cli
from ombuds.ingest import import_files
from ombuds.releases import ReleaseError, create_release, public_years, publish_release, release_status
from ombuds.site.app import create_app
from ombuds.site.data import SiteData
from ombuds.site.pages.council import letter
from ombuds.stats import format as fmt
from ombuds.store import open_database
from ombuds.store import releases as store
from ombuds.years import Year

Y2223, Y2324, Y2425 = Year.parse("2022-23"), Year.parse("2023-24"), Year.parse("2024-25")
STEVENAGE = "stevenage-borough-council"
REFUSAL = (
    "refused: 2023-24 was published on 2024-07-01 and this import would change 19 figures: Stevenage Borough "
    "Council (E07000243) decided.Upheld 3 → 4, decided.total 4 → 5, investigated 4 → 5, upheld 3 → 4, "
    "uphold_rate 0.75 → 0.8, satisfactory_remedy_rate 0.3333 → 0.25, upheld_per_100k 3.4051 → 4.5401, "
    "interval.uphold_rate.0 0.3006 → 0.3755, interval.uphold_rate.1 0.9544 → 0.9638, "
    "interval.satisfactory_remedy_rate.0 0.0615 → 0.0456, interval.satisfactory_remedy_rate.1 0.7923 → 0.6994, "
    "change.uphold_rate.current 0.75 → 0.8, change.uphold_rate.p_value 1 → 1, "
    "change.satisfactory_remedy_rate.current 0.3333 → 0.25, change.satisfactory_remedy_rate.p_value 1 → 1, "
    "decisions listed 4 sha256:d07ebb6a2c1a2eb8 → 5 sha256:389e905b238dd2d5; the average "
    "for district councils uphold_rate 0.75 → 0.8, satisfactory_remedy_rate 0.3333 → 0.25, upheld_per_100k 0.0156 "
    "→ 0.0208; nothing was imported (to publish a revision, rerun with --revise \"reason\")")


def held_cases(tmp_path):
    cases = Cases(tmp_path, "R")
    cases.decided("Stevenage", "2023-10-01", {"Upheld": 3, "Not Upheld": 1}, satisfactory_remedies=1)
    cases.decided("Stevenage", "2022-10-01", {"Upheld": 1})
    cases.compliance("Stevenage", "2023-11-01", on_time=2)
    return cases.files()


def one_more_decision(tmp_path, folder: str, day: str, outcome: str):
    """One more Stevenage decision, in a folder (and reference prefix) of its own."""
    (tmp_path / folder).mkdir(exist_ok=True)
    cases = Cases(tmp_path / folder, folder[0].upper())
    cases.decided("Stevenage", day, {outcome: 1})
    return cases.files()


def one_more_upheld(tmp_path):
    return one_more_decision(tmp_path, "late", "2023-12-01", "Upheld")


def one_more_not_upheld_the_year_before(tmp_path):
    return one_more_decision(tmp_path, "earlier", "2022-11-01", "Not Upheld")


def stages(database) -> list[tuple[str, str]]:
    from ombuds.stats.service import statistics_service

    held = statistics_service(database, LGSCO).years()
    return [(s.year.label, s.stage) for s in release_status(database, LGSCO, held)]


def test_a_release_freezes_figures_letters_and_case_data_then_publishes_on_a_date(demo_settings, db, tmp_path):
    import_files(db, held_cases(tmp_path), scheme=LGSCO)
    summary = create_release(db, Y2324, demo_settings.profile, demo_settings.editions, LGSCO)
    assert re.fullmatch(r"2023-24 frozen: 317 authorities, 317 letters \(PDF and HTML\), edition 2023-24\.toml, "
                        r"case data sha256 [0-9a-f]{64}", summary), summary
    with db.read() as connection:
        frozen = store.all_releases(connection)[Y2324]
        letters = store.letter_checksums(connection, Y2324)
    assert frozen.stage == "created" and frozen.published_on is None and frozen.edition == "2023-24.toml"
    stevenage = next(r for r in json.loads(frozen.statistics)["records"] if r["authority"]["code"] == "E07000243")
    assert (stevenage["decided"]["upheld"], stevenage["upheld"], stevenage["uphold_rate"]) == (3, 3, 0.75)  # by id
    site = SiteData(db, demo_settings, preview=True)  # not public yet: staff see it
    for output_format, position in (("pdf", 0), ("html", 1)):  # the letters the site serves are the ones frozen
        served = letter(site, STEVENAGE, "2023-24", output_format).body
        assert hashlib.sha256(served).hexdigest() == letters["E07000243"][position]
    assert stages(db) == [("2022-23", "public (before releases were used)"), ("2023-24", "frozen")]

    later = date.today() + timedelta(days=30)
    assert publish_release(db, LGSCO, Y2324, later) == f"2023-24 published: public from {later.isoformat()}"
    assert stages(db)[1] == ("2023-24", "embargoed")
    assert publish_release(db, LGSCO, Y2324) == f"2023-24 published: public now (from {date.today().isoformat()})"
    assert stages(db)[1] == ("2023-24", "public")
    with pytest.raises(ReleaseError, match=f"^2023-24 has been public since {date.today().isoformat()}: a published "
                                           "year is neither withdrawn nor re-dated$"):
        publish_release(db, LGSCO, Y2324, later)
    with pytest.raises(ReleaseError, match=r"^2023-24 was published on .*only through a revision"):
        create_release(db, Y2324, demo_settings.profile, demo_settings.editions, LGSCO)
    with pytest.raises(ReleaseError, match=r"^2024-25 has no release: freeze it first with 'ombuds release create "):
        publish_release(db, LGSCO, Y2425)

    with db.read() as connection:
        log = store.audit_entries(connection)
    assert [e["action"] for e in log] == ["import", "release create", "release publish", "release publish"]
    assert {(e["user_name"], e["host"]) for e in log} == {(getpass.getuser(), socket.gethostname())}
    assert [e["subject"] for e in log[1:]] == ["2023-24"] * 3
    assert log[1]["details"] == summary


def test_an_import_changing_published_figures_is_refused_unless_it_is_a_revision(demo_settings, db, tmp_path):
    import_files(db, held_cases(tmp_path), scheme=LGSCO)
    create_release(db, Y2324, demo_settings.profile, demo_settings.editions, LGSCO)
    publish_release(db, LGSCO, Y2324, date(2024, 7, 1))
    before = snapshot(db)
    with pytest.raises(ReleaseError) as refused:
        import_files(db, one_more_upheld(tmp_path), scheme=LGSCO)
    assert str(refused.value) == REFUSAL
    assert snapshot(db) == before

    report = import_files(db, one_more_upheld(tmp_path), revise="late decision records", scheme=LGSCO)
    today = date.today()
    assert report.lines()[-1] == f"Revised 2023-24 on {today.isoformat()}: 19 figures changed: late decision records"
    with db.read() as connection:
        revisions = store.revisions_of(connection)
        frozen = store.all_releases(connection)[Y2324]
        log = store.audit_entries(connection)
    assert len(revisions) == 19
    assert revisions[0] == store.Revision(Y2324, "E07000243", "decided.upheld", "3", "4", today,
                                          "late decision records")  # the label by id; shown in words below
    assert revisions[-1].authority == "District" and revisions[-1].figure == "upheld_per_100k"
    stevenage = next(r for r in json.loads(frozen.statistics)["records"] if r["authority"]["code"] == "E07000243")
    assert stevenage["upheld"] == 4  # the release now holds the revised figures
    assert [e["action"] for e in log][-2:] == ["revision", "import"]
    assert log[-2]["details"].startswith(f"Revised 2023-24 on {today.isoformat()}: 19 figures changed: late "
                                         "decision records\nStevenage Borough Council (E07000243) decided.Upheld 3 → 4")
    assert import_files(db, one_more_upheld(tmp_path), scheme=LGSCO).unchanged  # the same rows again: nothing to refuse

    with TestClient(create_app(open_database(db.url, read_only=True), demo_settings)) as client:
        page = client.get(f"/councils/{STEVENAGE}/2023-24/").text
        twin = client.get(f"/councils/{STEVENAGE}/2023-24.json").json()
        other = client.get("/councils/hertfordshire-county-council/2023-24/").text
        data_page = client.get("/data/").text
        data_twin = client.get("/data.json").json()
    assert f"Revised on {fmt.long_date(today)}: late decision records" in page
    assert ('<td class="govuk-table__cell">decided.Upheld</td><td class="govuk-table__cell">3</td>'
            '<td class="govuk-table__cell">4</td>') in page
    assert twin["revisions"][0]["reason"] == "late decision records"
    assert twin["revisions"][0]["changes"][0] == {"subject": "Stevenage Borough Council (E07000243)",
                                                  "figure": "decided.Upheld", "old": "3", "new": "4"}
    assert "Revised on" not in other  # a county: neither its figures nor its average changed
    assert f"Case records<br><strong>Revised on {fmt.long_date(today)}: late decision records</strong>" in data_page
    assert data_twin["revisions"] == {"2023-24": [{"date": today.isoformat(), "reason": "late decision records"}]}


def test_an_unchanged_or_unrelated_import_passes_a_published_year(demo_settings, db, tmp_path):
    import_files(db, held_cases(tmp_path), scheme=LGSCO)
    create_release(db, Y2223, demo_settings.profile, demo_settings.editions, LGSCO)
    publish_release(db, LGSCO, Y2223, date(2023, 7, 1))
    folder = tmp_path / "next"
    folder.mkdir()
    cases = Cases(folder, "N")
    cases.decided("Stevenage", "2024-05-01", {"Upheld": 2})
    report = import_files(db, cases.files(), revise="not needed", scheme=LGSCO)
    assert report.lines()[-1] == "No published figure changed: no revision was recorded."
    with pytest.raises(ReleaseError, match=r'^--revise needs a reason'):
        import_files(db, one_more_upheld(tmp_path), revise="  ", scheme=LGSCO)


def test_which_years_the_public_site_shows():
    held = [Y2223, Y2324, Y2425]
    assert public_years(held, {}, date(2025, 1, 1)) == held  # no release at all: the process is not in use

    def release(year, stage, on):
        return store.Release(year, stage, None, None, on, None, None, "", "{}")

    scheduled = {Y2324: release(Y2324, "published", date(2024, 7, 1)),
                 Y2425: release(Y2425, "published", date(2025, 7, 1))}
    assert public_years(held, scheduled, date(2025, 6, 30)) == [Y2223, Y2324]
    assert public_years(held, scheduled, date(2025, 7, 1)) == held  # from the publication day itself
    frozen_only = {Y2324: release(Y2324, "created", None)}
    assert public_years(held, frozen_only, date(2025, 7, 1)) == [Y2223]  # before the first release: history


def test_the_release_commands(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    runner = CliRunner()

    def run(*args):
        return runner.invoke(cli, ["--db", url, *map(str, args)])

    assert run("import", *held_cases(tmp_path)).exit_code == 0
    created = run("release", "create", "--year", "2023-24")
    assert created.exit_code == 0 and created.stdout.startswith("2023-24 frozen: 317 authorities")
    published = run("release", "publish", "--year", "2023-24", "--on", "2024-07-01")
    assert (published.exit_code, published.stdout) == (0, "2023-24 published: public now (from 2024-07-01)\n")
    status = run("release", "status")
    assert status.stdout.splitlines() == [
        "2022-23  public (before releases were used)",
        f"2023-24  public; frozen {date.today().isoformat()}; published on 2024-07-01; case data as frozen"]

    late = one_more_upheld(tmp_path)
    refused = run("import", *late)
    assert refused.exit_code == 1
    assert refused.stderr == f"ombuds: error: {REFUSAL}\n"  # one line
    revised = run("import", "--revise", "late decision records", *late)
    assert revised.exit_code == 0
    assert revised.stdout.splitlines()[-1] == (f"Revised 2023-24 on {date.today().isoformat()}: 19 figures "
                                               "changed: late decision records")
    assert run("release", "status").stdout.splitlines()[1].endswith("; 19 revisions; case data as frozen")
    bad_date = run("release", "publish", "--year", "2023-24", "--on", "1 July")
    assert bad_date.exit_code == 2 and "'1 July' does not match the format '%Y-%m-%d'" in bad_date.stderr


def test_an_import_into_the_year_before_cannot_move_a_published_years_change(demo_settings, db, tmp_path):
    """The issue's reproduction: a published year's tested change compares it with the year before, so an import
    into that earlier, unreleased year changes what the published year shows."""
    import_files(db, held_cases(tmp_path), scheme=LGSCO)
    create_release(db, Y2324, demo_settings.profile, demo_settings.editions, LGSCO)
    publish_release(db, LGSCO, Y2324, date(2024, 7, 1))
    before = snapshot(db)
    with pytest.raises(ReleaseError) as refused:
        import_files(db, one_more_not_upheld_the_year_before(tmp_path), scheme=LGSCO)
    assert str(refused.value).startswith(
        "refused: 2023-24 was published on 2024-07-01 and this import would change 2 figures: Stevenage Borough "
        "Council (E07000243) change.uphold_rate.previous 1 → 0.5, change.uphold_rate.p_value ")
    assert snapshot(db) == before
    assert stages(db) == [("2022-23", "public (before releases were used)"), ("2023-24", "public")]


def test_decision_summaries_public_reports_and_improvements_are_covered_too(demo_settings, db, tmp_path):
    header = ["reference", "authority", "decision_date", "outcome", "satisfactory_remedy", "remedied_by_ombudsman",
              "public_report", "summary"]
    row = ["S1", "Stevenage", "2023-10-01", "Upheld", "no", "no", "no", "The council delayed a review."]
    write_csv(tmp_path / "decided.csv", header, [row])
    write_csv(tmp_path / "improvements.csv", ["reference", "authority", "agreed_date", "improvement"],
              [["S1", "Stevenage", "2023-10-02", "Train staff"]])
    import_files(db, [tmp_path / "decided.csv", tmp_path / "improvements.csv"], scheme=LGSCO)
    create_release(db, Y2324, demo_settings.profile, demo_settings.editions, LGSCO)
    publish_release(db, LGSCO, Y2324, date(2024, 7, 1))
    for changed in ([*row[:6], "yes", row[7]], [*row[:7], "The council delayed a review by a year."]):
        write_csv(tmp_path / "decided.csv", header, [changed])
        with pytest.raises(ReleaseError, match=r"would change 1 figure: Stevenage Borough Council \(E07000243\) "
                                               r"decisions listed 1 sha256:[0-9a-f]{16} → 1 sha256:[0-9a-f]{16};"):
            import_files(db, [tmp_path / "decided.csv"], scheme=LGSCO)
    write_csv(tmp_path / "more.csv", ["reference", "authority", "agreed_date", "improvement"],
              [["S1", "Stevenage", "2023-10-03", "Review every delayed case"]])
    with pytest.raises(ReleaseError, match=r"improvements listed 1 sha256:[0-9a-f]{16} → 2 sha256:[0-9a-f]{16}"):
        import_files(db, [tmp_path / "more.csv"], scheme=LGSCO)
    report = import_files(db, [tmp_path / "more.csv"], revise="a second improvement", scheme=LGSCO)
    assert report.lines()[-1].endswith("1 figure changed: a second improvement")


def test_release_status_says_when_a_frozen_year_no_longer_shows_what_was_frozen(demo_settings, db, tmp_path):
    import_files(db, held_cases(tmp_path), scheme=LGSCO)
    create_release(db, Y2324, demo_settings.profile, demo_settings.editions, LGSCO)
    import_files(db, one_more_not_upheld_the_year_before(tmp_path),
                 scheme=LGSCO)  # allowed, but the frozen year's change moved
    from ombuds.stats.service import statistics_service

    status = release_status(db, LGSCO, statistics_service(db, LGSCO).years())
    assert [(s.year.label, s.stage, s.case_data) for s in status] == [
        ("2022-23", "public (before releases were used)", ""), ("2023-24", "frozen", "changed since frozen")]
