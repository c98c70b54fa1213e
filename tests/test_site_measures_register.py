"""The self-assessment register on a generic ("measures") scheme's site, the Housing Ombudsman's: the register page of
provisions most often not met with its JSON twin and CSV download, each landlord page's self-assessment section,
links from the home and national pages, the static build, and axe-core in a real browser."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from conftest import REPOSITORY, write_csv
from ombuds.ingest.scheme_files import import_scheme_files
from ombuds.schemes import load_scheme
from ombuds.settings import make_settings
from ombuds.site.app import create_app
from ombuds.site.build import build_site
from ombuds.store import open_database

FINDINGS = ["case_id", "landlord", "landlord_type", "decision_date", "amended_at_review", "category", "finding",
            "stock_size", "complaint"]
ASSESSED = ["authority", "year", "provision", "complies", "evidence", "action", "due"]
CLARION = "/landlords/clarion-housing-association/"
PEABODY = "/landlords/peabody-trust/"


def _finding(case: str, landlord: str, decided: str, finding: str) -> list[str]:
    return [case, landlord, "Housing Association", decided, "0", "Damp and Mould", finding, "100000", "text"]


@pytest.fixture(scope="module")
def housing(tmp_path_factory):
    """Clarion and Peabody with determinations in 2024-25 and 2025-26; self-assessments for 2025-26 from both and
    from Sanctuary (no determinations, so no page), and Clarion's for 2024-25."""
    folder = tmp_path_factory.mktemp("measures-register")
    scheme = load_scheme("housing-ombudsman")
    findings = write_csv(folder / "findings.csv", FINDINGS, [
        _finding("202400001", "Clarion Housing Association", "2024-06-03", "Maladministration"),
        _finding("202400002", "Peabody Trust", "2024-07-01", "No Maladministration"),
        _finding("202500001", "Clarion Housing Association", "2025-05-06", "Service Failure"),
        _finding("202500002", "Peabody Trust", "2025-09-01", "Maladministration"),
    ])
    assessed = write_csv(folder / "self-assessment.csv", ASSESSED, [
        ["Clarion Housing Association", "2024-25", "6.2", "no", "", "", ""],
        ["Clarion Housing Association", "2025-26", "6.2", "partly", "Quarterly report", "Record every reason",
         "2026-06-30"],
        ["Clarion Housing Association", "2025-26", "5.2", "no", "", "Acknowledge automatically", ""],
        ["Clarion Housing Association", "2025-26", "1.1", "yes", "Policy, section 2", "", ""],
        ["Peabody Trust", "2025-26", "5.2", "no", "", "", ""],
        ["Peabody Trust", "2025-26", "6.2", "yes", "Policy, section 4", "", ""],
        ["Peabody Trust", "2025-26", "1.1", "partly", "", "", ""],
        ["Sanctuary Housing Association", "2025-26", "5.2", "partly", "", "", ""],
    ])
    url = f"sqlite:///{folder / 'housing.db'}"
    database = open_database(url)
    import_scheme_files(database, scheme, [findings, assessed])
    database.close()
    readonly = open_database(url, read_only=True)
    yield scheme, readonly
    readonly.close()


@pytest.fixture(scope="module")
def client(housing):
    scheme, database = housing
    return TestClient(create_app(database, make_settings(scheme.folder, None, None, None)))


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#39;", "'")


def table_rows(html: str, css_class: str) -> list[list[str]]:
    table = re.search(rf'<table class="[^"]*{css_class}[^"]*">.*?</table>', html, re.S)[0]
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)]


def test_the_register_lists_the_provisions_landlords_most_often_do_not_meet_first(client):
    twin = client.get("/self-assessment/2025-26.json").json()
    counts = [(p["provision"], p["no"], p["partly"], p["yes"], p["assessed"]) for p in twin["provisions"]]
    # 5.2: two noes; then 1.1 and 6.2 (one partly, one yes each) in the code's order; then the rest, unassessed
    assert counts[:5] == [("5.2", 2, 1, 0, 3), ("1.1", 0, 1, 1, 2), ("6.2", 0, 1, 1, 2), ("1.2", 0, 0, 0, 0),
                          ("1.3", 0, 0, 0, 0)]
    assert len(counts) == 31 and sum(p[4] for p in counts) == 7
    assert twin["landlords"] == ["Clarion Housing Association", "Peabody Trust", "Sanctuary Housing Association"]
    assert (twin["code"], twin["download"]) == ("Complaint Handling Code",
                                                "self-assessment/self-assessment-2025-26.csv")
    html = client.get("/self-assessment/2025-26/").text
    words = text(html)
    assert "Self-assessments against the Complaint Handling Code, 2025-26" in words
    assert "Each landlord assesses itself against every provision of the code each year." in words
    assert ("<title>Self-assessments against the Complaint Handling Code, 2025-26 – Complaints about landlords – "
            "Housing Ombudsman</title>") in html
    assert re.search(r'<h2 class="govuk-heading-l">Landlords</h2>\s*<ul class="govuk-list">\s*'
                     r'<li><a class="govuk-link" '
                     r'href="/landlords/clarion-housing-association/2025-26/#self-assessment">'
                     r'Clarion Housing Association</a></li><li><a class="govuk-link" '
                     r'href="/landlords/peabody-trust/2025-26/#self-assessment">Peabody Trust</a></li>'
                     r'<li>Sanctuary Housing Association</li>', html)
    assert table_rows(html, "govuk-table--small-text-until-tablet")[1:4] == [
        ["5.2", "Acknowledges a complaint within five working days", "2", "1", "0", "3"],
        ["1.1", "Treats any expression of dissatisfaction about its service as a complaint", "0", "1", "1", "2"],
        ["6.2", "Extends stage 1 by no more than ten further working days, with a reason", "0", "1", "1", "2"],
    ]
    assert 'href="/self-assessment/2024-25/"' in html  # the year switch
    assert client.get("/self-assessment/2023-24/").status_code == 404


def test_the_download_has_every_answer_of_the_year(client):
    response = client.get("/self-assessment/self-assessment-2025-26.csv")
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    extend = '"Extends stage 1 by no more than ten further working days, with a reason"'
    treats = "Treats any expression of dissatisfaction about its service as a complaint"
    acknowledges = "Acknowledges a complaint within five working days"
    assert response.content.decode("utf-8") == "\ufeff" + "".join(line + "\r\n" for line in [
        "code,name,year,provision,title,complies,evidence,action,due",
        f'HO-clarion-housing-association,Clarion Housing Association,2025-26,1.1,{treats},yes,"Policy, section 2",,',
        f"HO-clarion-housing-association,Clarion Housing Association,2025-26,5.2,{acknowledges},no,,"
        "Acknowledge automatically,",
        f"HO-clarion-housing-association,Clarion Housing Association,2025-26,6.2,{extend},partly,Quarterly report,"
        "Record every reason,2026-06-30",
        f"HO-peabody-trust,Peabody Trust,2025-26,1.1,{treats},partly,,,",
        f"HO-peabody-trust,Peabody Trust,2025-26,5.2,{acknowledges},no,,,",
        f'HO-peabody-trust,Peabody Trust,2025-26,6.2,{extend},yes,"Policy, section 4",,',
        f"HO-sanctuary-housing-association,Sanctuary Housing Association,2025-26,5.2,{acknowledges},partly,,,",
    ])


def test_a_landlord_page_shows_its_self_assessment_beside_last_years(client):
    twin = client.get(f"{CLARION}2025-26.json").json()
    rows = {r["provision"]: r for r in twin["self_assessment"]}
    assert len(rows) == 31
    assert (rows["6.2"]["complies"], rows["6.2"]["last_year"], rows["6.2"]["changed"]) == ("partly", "no", True)
    assert (rows["5.2"]["complies"], rows["5.2"]["action"], rows["9.3"]["complies"]) == (
        "no", "Acknowledge automatically", None)
    html = client.get(f"{CLARION}2025-26/").text
    assert "Self-assessment against the Complaint Handling Code" in html
    assert ("Clarion Housing Association's own assessment of how it meets each provision of the code in 2025-26"
            in text(html))
    assert '<a class="govuk-link" href="/self-assessment/2025-26/">Every landlord\'s self-assessment for 2025-26</a>' \
        in html.replace("&#39;", "'")
    assessment = table_rows(html, "self-assessment")
    assert assessment[0] == ["Provision", "What it asks (in short)", "Meets it", "Last year", "Action"]
    assert assessment[1] == ["1.1", "Treats any expression of dissatisfaction about its service as a complaint", "Yes",
                             "Not assessed", ""]
    assert ["6.2", "Extends stage 1 by no more than ten further working days, with a reason", "Partly",
            "No (changed)", "Record every reason"] in assessment
    assert len(assessment) == 1 + 31
    assert table_rows(client.get(f"{CLARION}2024-25/").text, "self-assessment")[1:] != []
    peabody = client.get(f"{PEABODY}2024-25/")
    assert peabody.status_code == 200 and "Self-assessment against" not in peabody.text
    assert client.get(f"{PEABODY}2024-25.json").json()["self_assessment"] is None


def test_the_home_and_national_pages_link_the_register(client):
    home = client.get("/").text
    assert "Self-assessments against the Complaint Handling Code" in home
    assert re.findall(r'href="(/self-assessment/[^"]*)">Self-assessments, ([^<]*)<', home) == [
        ("/self-assessment/2025-26/", "2025-26"), ("/self-assessment/2024-25/", "2024-25")]
    assert client.get("/index.json").json()["self_assessment"] == {
        "2025-26": "self-assessment/2025-26/", "2024-25": "self-assessment/2024-25/"}
    national = client.get("/national/2025-26/").text
    assert ('<a class="govuk-link" href="/self-assessment/2025-26/">Which provisions of the Complaint Handling Code '
            "landlords most often do not meet, from their own self-assessments for 2025-26</a>") in national


def test_the_static_build_writes_the_register_and_every_link_resolves(housing, tmp_path):
    scheme, database = housing
    out = tmp_path / "site"
    build_site(database, out, make_settings(scheme.folder, None, None, None), workers=1)
    register = out / "self-assessment" / "2025-26" / "index.html"
    csv_file = out / "self-assessment" / "self-assessment-2025-26.csv"
    assert csv_file.read_bytes().startswith(b"\xef\xbb\xbfcode,name,year,provision,")
    assert len(csv_file.read_bytes().decode("utf-8").splitlines()) == 1 + 7
    assert (out / "self-assessment" / "2024-25.json").exists()
    html = register.read_text()
    link = "../../landlords/clarion-housing-association/2025-26/#self-assessment"
    assert f'href="{link}"' in html
    landlord = (register.parent / link.split("#")[0] / "index.html").resolve()
    assert 'id="self-assessment"' in landlord.read_text()
    assert 'href="../../../self-assessment/2025-26/"' in landlord.read_text()
    pages = [register, landlord, out / "index.html", out / "national" / "2025-26" / "index.html"]
    for page in pages:
        for href in re.findall(r'href="([^"#?]+)[^"]*"', page.read_text()):
            if href.startswith(("http", "mailto:")):
                continue
            target = (page.parent / href).resolve()
            assert (target / "index.html" if href.endswith("/") else target).is_file(), f"{page}: {href}"
    assert 'href="./self-assessment/2025-26/"' in (out / "index.html").read_text()
    assert 'href="../../self-assessment/2025-26/"' in (out / "national" / "2025-26" / "index.html").read_text()


def test_the_pages_pass_axe_at_both_widths(browser, client):
    from axe_pages import check_pages

    check_pages(browser, client, {"register": "/self-assessment/2025-26/", "landlord": f"{CLARION}2025-26/",
                                  "home": "/", "national": "/national/2025-26/"},
                REPOSITORY / "tests" / "artefacts" / "measures-register", {"landlord": "#self-assessment"})
