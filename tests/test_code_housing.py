"""The Complaint Handling Code year of a Housing Ombudsman landlord: its own complaints and self-assessment imported
beside the scheme's findings (bodies through the scheme's registry, provisions through its code, all or nothing),
and its code report, whose ombudsman side comes from the measures `code.toml` names."""

from __future__ import annotations

import html
import json
import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import LGSCO, REPOSITORY, snapshot, write_csv
from ombuds.cli import cli
from ombuds.ingest import import_files
from ombuds.ingest.problems import ImportFailed
from ombuds.ingest.scheme_files import import_scheme_files
from ombuds.schemes import check_scheme, load_scheme
from ombuds.settings import make_settings
from ombuds.site.data import SiteData
from ombuds.site.pages.register import council_self_assessment, register_file
from ombuds.store.records import kind_records
from ombuds.years import Year

EXAMPLES = REPOSITORY / "examples"
HOUSING = "housing-ombudsman"
FINDINGS = ["case_id", "landlord", "landlord_type", "decision_date", "amended_at_review", "category", "finding",
            "stock_size", "complaint"]
CLARION = "Clarion Housing Association"
ASSESSMENT = ["authority", "year", "provision", "complies"]


def _findings(folder: Path) -> Path:
    """Clarion's published findings: three determinations in 2025-26, one in 2024-25."""
    return write_csv(folder / "findings.csv", FINDINGS, [
        ["202500001", "Clarion Housing Association", "Housing Association", "2025-05-06", "0", "Damp and Mould",
         "Maladministration", "125000", "text"],
        ["202500001", "Clarion Housing Association", "Housing Association", "2025-05-06", "0", "Complaint Handling",
         "Service Failure", "125000", "text"],
        ["202500002", "clarion housing association", "Housing Association", "2025-09-01", "0",
         "Anti-Social Behaviour (ASB)", "No Maladministration", "125000", "text"],
        ["202500003", "Clarion Housing Association", "Housing Association", "2026-02-10", "0", "Damp and Mould",
         "Severe Maladministration", "125000", "text"],
        ["202400009", "Clarion Housing Association", "Housing Association", "2025-03-31", "0", "Damp and Mould",
         "Maladministration", "125000", "text"],
    ])


def _run(db_url: str, *args: str):
    return CliRunner().invoke(cli, ["--db", db_url, "--scheme", HOUSING, *map(str, args)])


def test_a_landlords_year_imports_beside_the_findings_and_its_report_draws_the_measures(db_url, tmp_path):
    imported = _run(db_url, "import", _findings(tmp_path), EXAMPLES / "landlord-own-complaints.csv",
                    EXAMPLES / "landlord-self-assessment.csv")
    assert imported.exit_code == 0, imported.output
    assert imported.stdout.splitlines() == [
        f"{EXAMPLES / 'landlord-own-complaints.csv'}: 5 own_complaints rows",
        f"{EXAMPLES / 'landlord-self-assessment.csv'}: 4 self_assessment rows",
        "own_complaints: 5 new, 0 changed, 0 unchanged",
        "self_assessment: 4 new, 0 changed, 0 unchanged",
        f"{tmp_path / 'findings.csv'}: 5 findings rows",
        "findings: 4 new, 0 changed, 0 unchanged",
    ]
    out = tmp_path / "report"
    made = _run(db_url, "code-report", "--year", "2025-26", "--body", "Clarion Housing Association", "--out", out)
    assert made.exit_code == 0, made.output
    r = json.loads((out / "code-report-clarion-housing-association-2025-26.json").read_text())
    assert r["body"] == {"code": "HO-clarion-housing-association", "name": "Clarion Housing Association",
                         "slug": "clarion-housing-association"}
    assert r["size"] == {"measure": "homes", "value": 125000}
    assert r["stage1"]["received"] == 4 and r["stage1"]["per_1000"] == 4 / 125
    assert r["stage2"]["received"] == 1 and r["stage2"]["on_time"] == 1
    assert r["escalation"] == {"stage1_closed": 3, "stage2": 1, "ombudsman_received": None, "ombudsman_decided": 3,
                               "ombudsman_upheld": 3, "ombudsman_from": "case records"}
    assert (r["steps"]["ombudsman_decided"], r["steps"]["ombudsman_upheld"]) == (
        "Determinations", "Findings of maladministration")
    assert r["non_compliance"] == [
        {"reference": "202500001", "decision_date": "2025-05-06", "service_area": "Damp and mould",
         "summary": "Maladministration"},
        {"reference": "202500001", "decision_date": "2025-05-06", "service_area": "Complaint handling",
         "summary": "Service failure"},
        {"reference": "202500003", "decision_date": "2026-02-10", "service_area": "Damp and mould",
         "summary": "Severe maladministration"},
    ]
    assessed = {row["provision"]: row["complies"] for row in r["self_assessment"]}
    assert (len(assessed), assessed["5.2"], assessed["6.2"], assessed["9.3"]) == (31, "partly", "no", None)
    page = (out / "code-report-clarion-housing-association-2025-26.html").read_text()
    text = html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))
    for words in ("Received per 1,000 homes", "Determinations 3", "Findings of maladministration 3",
                  "Complaints to the ombudsman not known",
                  "These figures cover the determinations the Ombudsman published only",
                  "The ombudsman's landlord report for 2025-26 is not held here.",
                  "202500003, 10 February 2026: Severe maladministration"):
        assert words in text


def test_a_year_the_findings_do_not_reach_shows_the_ombudsmans_steps_as_not_known(db_url, tmp_path):
    assert _run(db_url, "import", EXAMPLES / "landlord-own-complaints.csv").exit_code == 0
    made = _run(db_url, "code-report", "--year", "2025-26", "--body", "Clarion Housing Association", "--out", tmp_path)
    assert made.exit_code == 0, made.output
    r = json.loads((tmp_path / "code-report-clarion-housing-association-2025-26.json").read_text())
    assert r["escalation"] == {"stage1_closed": 3, "stage2": 1, "ombudsman_received": None,
                               "ombudsman_decided": None, "ombudsman_upheld": None, "ombudsman_from": None}


def test_a_landlords_service_improvements_reach_its_report(db_url, tmp_path):
    improvements = write_csv(tmp_path / "improvements.csv", ["reference", "authority", "agreed_date", "improvement"],
                             [["L-1", "Clarion Housing Association", "2025-09-14",
                               "Call back every damp report within two working days"]])
    imported = _run(db_url, "import", EXAMPLES / "landlord-own-complaints.csv", improvements)
    assert imported.exit_code == 0, imported.output
    assert "improvements: 1 new, 0 changed, 0 unchanged" in imported.output.splitlines()
    made = _run(db_url, "code-report", "--year", "2025-26", "--body", "Clarion Housing Association", "--out", tmp_path)
    assert made.exit_code == 0, made.output
    r = json.loads((tmp_path / "code-report-clarion-housing-association-2025-26.json").read_text())
    assert r["improvements"] == [{"reference": "L-1", "agreed_date": "2025-09-14",
                                  "improvement": "Call back every damp report within two working days"}]
    page = html.unescape((tmp_path / "code-report-clarion-housing-association-2025-26.html").read_text())
    assert "Call back every damp report within two working days (L-1, agreed 14 September 2025)" in page


def test_a_council_file_is_no_landlords_and_a_bad_file_keeps_the_findings_out_too(db, tmp_path):
    scheme = load_scheme(HOUSING)
    before = snapshot(db)
    council = write_csv(tmp_path / "own.csv", ["reference", "authority", "stage", "received_date", "service_area"],
                        [["K-1", "Kent County Council", "1", "2025-05-01", "Highways"]])
    with pytest.raises(ImportFailed) as failed:
        import_scheme_files(db, scheme, [_findings(tmp_path), council])
    assert [str(p) for p in failed.value.problems] == [
        f"{council}:2: authority: unknown authority 'Kent County Council'"]
    assert snapshot(db) == before
    with db.read() as connection:
        assert kind_records(connection, "findings", date(2019, 4, 1), date(2030, 3, 31)) == []
    with pytest.raises(ImportFailed) as failed:
        import_files(db, [EXAMPLES / "decided.csv"], scheme=scheme)
    assert [str(p) for p in failed.value.problems] == [
        f"{EXAMPLES / 'decided.csv'}:1: header: a decided file holds the LGSCO's case records; the Housing "
        "Ombudsman scheme takes own_complaints, self_assessment and improvements files here, and its own records "
        "(kinds.toml)"]


@pytest.fixture
def other_code(tmp_path) -> Path:
    """The housing scheme with a code of its own numbering: 9.3 dropped, 10.1 added."""
    folder = tmp_path / "housing-other-code"
    shutil.copytree(load_scheme(HOUSING).folder, folder, ignore=shutil.ignore_patterns("data"))
    code = (folder / "code.toml").read_text()
    code = code.replace('[[provisions]]\nid = "9.3"', '[[provisions]]\nid = "10.1"')
    (folder / "code.toml").write_text(code)
    return folder


def test_provisions_are_those_of_the_schemes_code(db, tmp_path, other_code):
    housing = load_scheme(str(other_code))
    assert [p.id for p in housing.provisions][-2:] == ["9.2", "10.1"]
    rows = [[CLARION, "2025-26", "9.3", "yes"], [CLARION, "2025-26", "10.1", "no"]]
    landlord = write_csv(tmp_path / "sa.csv", ASSESSMENT, rows)
    with pytest.raises(ImportFailed) as failed:
        import_files(db, [landlord], scheme=housing)
    assert [str(p).split(": expected")[0] for p in failed.value.problems] == [
        f"{landlord}:2: provision: unknown value '9.3'"]
    council = write_csv(tmp_path / "council.csv", ASSESSMENT, [["Stevenage", "2025-26", "9.3", "yes"],
                                                               ["Stevenage", "2025-26", "10.1", "no"]])
    with pytest.raises(ImportFailed) as failed:
        import_files(db, [council], scheme=LGSCO)
    assert [str(p).split(": expected")[0] for p in failed.value.problems] == [
        f"{council}:3: provision: unknown value '10.1'"]
    assert import_files(db, [write_csv(tmp_path / "ok.csv", ASSESSMENT, rows[1:])], scheme=housing).files[0].rows == 1


def test_the_register_follows_the_sites_scheme(db, tmp_path, other_code):
    housing = load_scheme(str(other_code))
    rows = [[CLARION, "2025-26", "10.1", "no"], [CLARION, "2025-26", "1.1", "yes"],
            ["Hyde Housing Association", "2025-26", "10.1", "partly"]]
    import_files(db, [write_csv(tmp_path / "sa.csv", ASSESSMENT, rows)], scheme=housing)
    site = SiteData(db, make_settings(str(other_code), None, None, None))
    clarion = site.authorities.resolve("Clarion Housing Association")
    own = council_self_assessment(site, clarion, Year(2025))
    assert [(r["provision"], r["complies"]) for r in own["rows"]][-2:] == [("9.2", None), ("10.1", "no")]
    lines = register_file(site, "2025-26").body.decode("utf-8-sig").splitlines()
    assert lines[1:] == [
        "HO-clarion-housing-association,Clarion Housing Association,2025-26,1.1,Treats any expression of "
        "dissatisfaction about its service as a complaint,yes,,,",
        "HO-clarion-housing-association,Clarion Housing Association,2025-26,10.1,Gives its governing body regular "
        "complaint information to scrutinise,no,,,",
        "HO-hyde-housing-association,Hyde Housing Association,2025-26,10.1,Gives its governing body regular "
        "complaint information to scrutinise,partly,,,",
    ]


@pytest.mark.parametrize(("line", "problem"), [
    ('upheld = "findings"', "code.toml: escalation.upheld: measure 'findings' is a by_label: the step needs a count "
                            "measure"),
    ('upheld = "cases"', "code.toml: escalation.upheld: unknown measure 'cases'"),
])
def test_the_funnels_measures_are_checked(other_code, line, problem):
    code = (other_code / "code.toml").read_text()
    (other_code / "code.toml").write_text(code.replace('upheld = "maladministration_findings"', line))
    assert check_scheme(other_code) == [problem]


def test_the_settings_scheme_reaches_the_built_sites_register(tmp_path):
    """An LGSCO-engine scheme folder whose code numbers its last provision 10.1: imported and published under it."""
    folder = tmp_path / "lgsco-other-code"
    shutil.copytree(load_scheme("lgsco").folder, folder)
    code = (folder / "code.toml").read_text()
    (folder / "code.toml").write_text(code.replace('[[provisions]]\nid = "9.3"', '[[provisions]]\nid = "10.1"'))
    sa = write_csv(tmp_path / "sa.csv", ASSESSMENT, [["Stevenage", "2025-26", "10.1", "no"]])
    base = ["--db", str(tmp_path / "o.db"), "--scheme", str(folder)]
    imported = CliRunner().invoke(cli, [*base, "import", str(sa)])
    assert imported.exit_code == 0, imported.output
    built = CliRunner().invoke(cli, [*base, "site", "build", "--out", str(tmp_path / "site"), "--workers", "2"])
    assert built.exit_code == 0, built.output
    register = (tmp_path / "site" / "self-assessment" / "self-assessment-2025-26.csv").read_text(encoding="utf-8-sig")
    assert register.splitlines()[1] == ("E07000243,Stevenage Borough Council,2025-26,10.1,Gives its governing body "
                                        "regular complaint information to scrutinise,no,,,")
