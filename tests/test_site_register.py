"""The self-assessment register on the site: each council page's self-assessment section, the page of provisions
most often not met, and its CSV download; served live and checked in a real browser with axe-core."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from conftest import LGSCO, REPOSITORY, write_csv
from ombuds.ingest import import_files
from ombuds.site.app import create_app
from ombuds.store import open_database

ASSESSED = ["authority", "year", "provision", "complies", "evidence", "action", "due"]


@pytest.fixture(scope="module")
def client(demo_settings, tmp_path_factory):
    folder = tmp_path_factory.mktemp("register")
    url = f"sqlite:///{folder / 'site.db'}"
    database = open_database(url)
    received = write_csv(folder / "received.csv", ["reference", "authority", "received_date", "service_area"],
                         [["R1", "Stevenage", "2025-06-01", "Housing"], ["R2", "Kent", "2025-06-01", "Housing"]])
    assessed = write_csv(folder / "sa.csv", ASSESSED, [
        ["Stevenage", "2024-25", "6.2", "no", "", "", ""],
        ["Stevenage", "2025-26", "6.2", "partly", "Quarterly report", "Record every reason", "2026-06-30"],
        ["Stevenage", "2025-26", "5.2", "no", "", "Acknowledge automatically", ""],
        ["Kent County Council", "2025-26", "5.2", "no", "", "", ""],
        ["Kent County Council", "2025-26", "6.2", "yes", "Policy, section 4", "", ""],
        ["Kent County Council", "2025-26", "1.1", "partly", "", "", ""],
    ])
    import_files(database, [received, assessed], scheme=LGSCO)
    database.close()
    readonly = open_database(url, read_only=True)
    yield TestClient(create_app(readonly, demo_settings))
    readonly.close()


def test_the_register_lists_the_provisions_most_often_not_met_first(client):
    page = client.get("/self-assessment/2025-26.json").json()
    top = [(p["provision"], p["no"], p["partly"], p["yes"], p["assessed"]) for p in page["provisions"][:4]]
    # no answers first, then partly; ties in the code's order; provisions nobody assessed last
    assert top == [("5.2", 2, 0, 0, 2), ("1.1", 0, 1, 0, 1), ("6.2", 0, 1, 1, 2), ("1.2", 0, 0, 0, 0)]
    assert page["organisations"] == ["Kent County Council", "Stevenage Borough Council"]
    html = client.get("/self-assessment/2025-26/").text
    assert "Provisions most often not met" in html and 'href="/councils/stevenage-borough-council/2025-26/' \
        '#self-assessment"' in html
    assert client.get("/self-assessment/2023-24/").status_code == 404


def test_the_register_download_has_every_answer(client):
    response = client.get("/self-assessment/self-assessment-2025-26.csv")
    assert response.headers["content-type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "code,name,year,provision,title,complies,evidence,action,due"
    assert lines[1] == ("E07000243,Stevenage Borough Council,2025-26,5.2,Acknowledges a complaint within five "
                        "working days,no,,Acknowledge automatically,")
    assert lines[2] == ('E07000243,Stevenage Borough Council,2025-26,6.2,"Extends stage 1 by no more than ten '
                        'further working days, with a reason",partly,Quarterly report,Record every reason,2026-06-30')
    assert lines[3].startswith("E10000016,Kent County Council,2025-26,1.1,")
    assert len(lines) == 1 + 5


def test_the_council_page_shows_its_self_assessment_against_last_year(client):
    twin = client.get("/councils/stevenage-borough-council/2025-26.json").json()
    rows = {r["provision"]: r for r in twin["self_assessment"]}
    assert (rows["6.2"]["complies"], rows["6.2"]["last_year"], rows["6.2"]["changed"]) == ("partly", "no", True)
    assert rows["1.1"]["complies"] is None  # not assessed
    html = client.get("/councils/stevenage-borough-council/2025-26/").text
    assert "Self-assessment against the Complaint Handling Code" in html
    assert "<td class=\"govuk-table__cell\">No (changed)</td>" in html
    assert "Not assessed" in html
    assert "Self-assessment against" not in client.get("/councils/hertfordshire-county-council/2025-26/").text


def test_the_register_and_council_pages_pass_axe(browser, client):
    from axe_pages import check_pages

    check_pages(browser, client, {"site-register": "/self-assessment/2025-26/",
                                  "site-council": "/councils/stevenage-borough-council/2025-26/"},
                REPOSITORY / "tests" / "artefacts" / "code-report", {"site-council": "#self-assessment"})


def test_the_static_build_writes_the_register_and_its_links_resolve(demo_settings, tmp_path):
    from ombuds.site.build import build_site

    url = f"sqlite:///{tmp_path / 'site.db'}"
    database = open_database(url)
    received = write_csv(tmp_path / "received.csv", ["reference", "authority", "received_date", "service_area"],
                         [["R1", "Stevenage", "2024-06-01", "Housing"]])
    assessed = write_csv(tmp_path / "sa.csv", ASSESSED, [["Stevenage", "2024-25", "6.2", "no", "", "", ""]])
    import_files(database, [received, assessed], scheme=LGSCO)
    database.close()
    readonly = open_database(url, read_only=True)
    out = tmp_path / "site"
    build_site(readonly, out, demo_settings, workers=1)
    readonly.close()
    register = out / "self-assessment" / "2024-25" / "index.html"
    assert (out / "self-assessment" / "self-assessment-2024-25.csv").read_bytes().startswith(b"\xef\xbb\xbfcode,")
    html = register.read_text()
    link = '../../councils/stevenage-borough-council/2024-25/#self-assessment'
    assert f'href="{link}"' in html
    council = (register.parent / link.split("#")[0] / "index.html").resolve()
    assert 'id="self-assessment"' in council.read_text()
    assert 'href="../../../self-assessment/2024-25/"' in council.read_text()
