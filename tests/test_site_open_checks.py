"""Third-party checks, offline, of small static builds of both schemes: the W3C Nu HTML checker (vnu.jar from the
pinned npm package vnu-jar, run on Java) finds no error and no warning on one page of every page kind, on the
letters' and landlord reports' HTML or on the code reports; and every internal link of the builds leads to a file.

The link check is our own (tests/links.py): LinkChecker, run on file: URLs, takes a link to a folder without its
index.html as good (it lists the folder), where a static host answers 404."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from builders import Cases
from conftest import LGSCO, REPOSITORY, housing_database
from links import broken_links
from ombuds.cli import cli
from ombuds.ingest import import_files
from ombuds.ingest.scheme_files import import_scheme_files
from ombuds.settings import make_settings
from ombuds.site.build import build_site
from ombuds.store import open_database

VNU = REPOSITORY / "node_modules/vnu-jar/build/dist/vnu.jar"
EXAMPLES = REPOSITORY / "examples"
COUNCILS = {"Stevenage": 1, "Hertfordshire": 3, "Birmingham": 5, "Camden": 2}
DAYS = ("2017-10-02", "2020-10-01", "2023-10-02", "2024-10-01")  # the appendix, both panels and overview layouts
STEVENAGE = "councils/stevenage-borough-council"
CLARION = "landlords/clarion-housing-association"

LGSCO_PAGES = (
    "index.html", "404.html", "councils/index.html", "search/index.html", "compare/index.html", "data/index.html",
    "methods/index.html", "api/index.html", "national/2024-25/index.html", "national/2017-18/index.html",
    "map/2024-25/lower/uphold_rate/index.html", "map/2024-25/upper/compliance_rate/index.html",
    "funnel/2024-25/district/uphold_rate/index.html", "compare/stevenage-borough-council/index.html",
    f"{STEVENAGE}/index.html", f"{STEVENAGE}/2017-18/index.html", f"{STEVENAGE}/2020-21/index.html",
    f"{STEVENAGE}/2023-24/index.html", f"{STEVENAGE}/2024-25/index.html",
    "councils/hertfordshire-county-council/2024-25/index.html", "councils/london-borough-of-camden/2020-21/index.html",
    "councils/scarborough-borough-council/2020-21/index.html",
    f"{STEVENAGE}/2024-25/decisions/index.html", f"{STEVENAGE}/2024-25/decisions/upheld/index.html",
    "self-assessment/2025-26/index.html",
    f"{STEVENAGE}/2017-18/letter.html", f"{STEVENAGE}/2020-21/letter.html", f"{STEVENAGE}/2023-24/letter.html",
    f"{STEVENAGE}/2024-25/letter.html",
)
HOUSING_PAGES = (
    "index.html", "404.html", "landlords/index.html", "search/index.html", "data/index.html", "methods/index.html",
    "api/index.html", "national/2024-25/index.html", "national/2019-20/index.html", "by/category/2024-25/index.html",
    "funnel/2024-25/maladministration_rate/housing-associations-with-50-000-or-more-homes/index.html",
    "self-assessment/2025-26/index.html", f"{CLARION}/index.html", f"{CLARION}/2020-21/index.html",
    f"{CLARION}/2024-25/index.html", f"{CLARION}/2025-26/index.html",
    "landlords/london-borough-of-hammersmith-and-fulham/2024-25/index.html", f"{CLARION}/2024-25/report.html",
)


def _lgsco_cases(folder: Path) -> list[Path]:
    cases = Cases(folder, "V")
    for day in DAYS:
        for name, n in COUNCILS.items():
            cases.received(name, day, [n, 1, 0, 2, 1, 0, 1, 0, 3])
            cases.decided(name, day, [n + 2, 3, 1, 2, 1, 4], satisfactory_remedies=1)
            cases.compliance(name, day, on_time=n + 1, late=1 if n > 2 else 0)
    cases.received("Scarborough", "2020-05-01", [1, 0, 0, 2, 0, 0, 0, 0, 1])
    cases.decided("Scarborough", "2020-05-01", [1, 2, 0, 1, 0, 1])
    return [*cases.files(), EXAMPLES / "own-complaints.csv", EXAMPLES / "self-assessment.csv"]


@pytest.fixture(scope="module")
def lgsco_site(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("open-checks-lgsco")
    url = f"sqlite:///{folder / 'site.db'}"
    database = open_database(url)
    import_files(database, _lgsco_cases(folder), scheme=LGSCO)
    database.close()
    readonly = open_database(url, read_only=True)
    build_site(readonly, folder / "site", make_settings("lgsco", None, None, None), workers=2)
    readonly.close()
    return folder / "site"


@pytest.fixture(scope="module")
def housing_site(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("open-checks-housing")
    for scheme, database in housing_database(folder):
        import_scheme_files(database, scheme, [EXAMPLES / "landlord-own-complaints.csv",
                                               EXAMPLES / "landlord-self-assessment.csv"])
        build_site(database, folder / "site", make_settings(scheme.folder, None, None, None), workers=2)
    return folder / "site"


@pytest.fixture(scope="module")
def code_reports(tmp_path_factory) -> list[Path]:
    """The code-report command's HTML for a council and for a landlord, from the shipped examples."""
    folder = tmp_path_factory.mktemp("open-checks-code")
    made = []
    for scheme, body, files in (
            ("lgsco", "Stevenage", ["own-complaints.csv", "self-assessment.csv"]),
            ("housing-ombudsman", "Clarion Housing Association",
             ["landlord-own-complaints.csv", "landlord-self-assessment.csv"])):
        options = ["--db", f"sqlite:///{folder / scheme}.db", "--scheme", scheme]
        for command in (["import", *(str(EXAMPLES / f) for f in files)],
                        ["code-report", "--year", "2025-26", "--body", body, "--out", str(folder / scheme)]):
            result = CliRunner().invoke(cli, [*options, *command])
            assert result.exit_code == 0, result.output
        made += sorted((folder / scheme).glob("*.html"))
    return made


def nu_messages(files: list[Path]) -> list[str]:
    """Every error, warning and note the Nu HTML checker gives on `files`, as `file:line: type: message`."""
    java = shutil.which("java")
    assert java and VNU.is_file(), "the Nu HTML checker needs Java and node_modules/vnu-jar: run `make system test`"
    run = subprocess.run([java, "-jar", str(VNU), "--format", "json", "--also-check-svg", *map(str, files)],
                         capture_output=True, text=True, check=False)
    messages = json.loads(run.stderr)["messages"]
    return [f"{m.get('url', '').rsplit('/site/', 1)[-1]}:{m.get('lastLine', '?')}: "
            f"{m.get('subType', m['type'])}: {m['message']}" for m in messages]


def test_the_nu_checker_finds_nothing_on_every_council_page_kind(lgsco_site):
    pages = [lgsco_site / page for page in LGSCO_PAGES]
    assert all(p.is_file() for p in pages), [str(p) for p in pages if not p.is_file()]
    assert nu_messages(pages) == []


def test_the_nu_checker_finds_nothing_on_every_landlord_page_kind(housing_site):
    pages = [housing_site / page for page in HOUSING_PAGES]
    assert all(p.is_file() for p in pages), [str(p) for p in pages if not p.is_file()]
    assert nu_messages(pages) == []


def test_the_nu_checker_finds_nothing_in_the_code_reports(code_reports):
    assert [p.name for p in code_reports] == ["code-report-stevenage-borough-council-2025-26.html",
                                              "code-report-clarion-housing-association-2025-26.html"]
    assert nu_messages(code_reports) == []


def test_the_nu_checker_reports_an_error_it_is_shown(tmp_path):
    """The check can fail: a page with a bad fragment link (as the landlords' A to Z once had) is reported."""
    page = tmp_path / "bad.html"
    page.write_text('<!DOCTYPE html><html lang="en"><title>t</title><a href="#letter-#">#</a></html>')
    [message] = nu_messages([page])
    assert "error: Bad value “#letter-#” for attribute “href” on element “a”" in message


@pytest.mark.parametrize("scheme", ["lgsco_site", "housing_site"])
def test_every_internal_link_of_the_whole_build_resolves(request, scheme):
    site = request.getfixturevalue(scheme)
    broken = broken_links(site)
    assert not broken, {target: pages[:3] for target, pages in sorted(broken.items())}
