"""The decisions pages (by outcome, by service area, a page at a time) and the methods page, served live."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient

from conftest import LGSCO, write_csv
from ombuds.ingest import import_files
from ombuds.ingest.published import import_published
from ombuds.parse.documents import PUBLISHED as PUBLISHED_WORDS
from ombuds.site.app import create_app
from ombuds.store import open_database

BASE = "/councils/stevenage-borough-council/2023-24/decisions/"
COLUMNS = ["reference", "authority", "decision_date", "outcome", "service_area", "satisfactory_remedy",
           "remedied_by_ombudsman", "public_report", "summary"]
HOSTILE = "<script>alert(1)</script>"


PUBLISHED = {
    "authority": {"code": "E07000243", "name": "Stevenage Borough Council", "type": "District"},
    "year": "2018-19", "received": {"Housing": 4, "total": 10}, "decided": {"Upheld": 1, "total": 12},
    "investigated": 2, "upheld": 1, "uphold_rate": 0.5, "satisfactory_remedies": 0,
    "satisfactory_remedy_rate": 0.0, "remedied_by_ombudsman": None,
    "compliance": {"recorded": 0}, "compliance_rate": None, "population": None, "upheld_per_100k": None,
    "average": {}, "overview": None, "source": "letter.pdf", "edition": "appendix-2018-19", "letter": None,
    "from": "published letter",
}


def _rows() -> list[list]:
    rows = []
    for i in range(12):  # upheld, newest: 12 March 2024 back to 1 March 2024
        area = "Housing" if i < 8 else "Planning and Development"
        rows.append([f"U{i:04d}", "Stevenage", (date(2024, 3, 1) + timedelta(days=i)).isoformat(), "Upheld", area,
                     "yes" if i < 3 else "no", "no", "yes" if i == 5 else "no", f"Upheld summary {i}"])
    for i in range(48):  # not upheld, older
        rows.append([f"N{i:04d}", "Stevenage", (date(2023, 5, 1) + timedelta(days=i)).isoformat(), "Not Upheld",
                     "Education and Children's Services", "no", "no", "no",
                     HOSTILE if i == 0 else f"Not upheld summary {i}"])
    rows.append(["H0001", "Hertfordshire", "2023-06-01", "Upheld", "Housing", "no", "no", "no", "Elsewhere"])
    return rows


@pytest.fixture(scope="module")
def client(demo_settings, tmp_path_factory):
    folder = tmp_path_factory.mktemp("decisions")
    url = f"sqlite:///{folder / 'site.db'}"
    database = open_database(url)
    import_files(database, [write_csv(folder / "decided.csv", COLUMNS, _rows())], scheme=LGSCO)
    import_published(database, [PUBLISHED], PUBLISHED_WORDS)  # 2018-19: figures from a published letter only
    database.close()
    readonly = open_database(url, read_only=True)
    yield TestClient(create_app(readonly, demo_settings))
    readonly.close()


def references(text: str) -> list[str]:
    import re

    return re.findall(r'<tr class="govuk-table__row" id="([A-Z0-9]+)">', text)


def test_all_decisions_newest_first_a_page_at_a_time(client):
    page = client.get(BASE)
    assert page.status_code == 200
    assert "Decisions about Stevenage Borough Council, 2023-24 (60)" in page.text
    shown = references(page.text)
    assert len(shown) == 50
    assert shown[:12] == [f"U{i:04d}" for i in reversed(range(12))]
    assert shown[12:] == [f"N{i:04d}" for i in reversed(range(10, 48))]
    assert "12 March 2024" in page.text and 'href="/councils/stevenage-borough-council/2023-24/"' in page.text
    assert 'href="/councils/stevenage-borough-council/2023-24/decisions/page-2/"' in page.text
    second = client.get(BASE + "page-2/")
    assert second.status_code == 200
    assert references(second.text) == [f"N{i:04d}" for i in reversed(range(10))]
    assert "Showing 51 to 60 of 60 decisions" in second.text


def test_hostile_summary_is_escaped(client):
    text = client.get(BASE + "page-2/").text
    assert HOSTILE not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_filter_by_outcome(client):
    upheld = client.get(BASE + "upheld/")
    assert "Upheld decisions about Stevenage Borough Council, 2023-24 (12)" in upheld.text
    assert references(upheld.text) == [f"U{i:04d}" for i in reversed(range(12))]
    assert "Public interest report</strong>" in upheld.text
    remedy = client.get(BASE + "satisfactory-remedy/")
    assert "Decisions with a satisfactory remedy about Stevenage Borough Council, 2023-24 (3)" in remedy.text
    assert references(remedy.text) == ["U0002", "U0001", "U0000"]
    assert remedy.text.count("govuk-tag--green\">Satisfactory remedy</strong>") == 3
    not_upheld = client.get(BASE + "not-upheld/")
    assert "(48)" in not_upheld.text and len(references(not_upheld.text)) == 48
    assert "page-2" not in not_upheld.text


def test_filter_by_service_area_label_or_slug(client):
    by_label = client.get(BASE + "upheld/", params={"area": "planning and development"})
    assert "Upheld decisions about Stevenage Borough Council, 2023-24: Planning and Development (4)" in by_label.text
    assert references(by_label.text) == ["U0011", "U0010", "U0009", "U0008"]
    by_slug = client.get(BASE, params={"area": "education-and-childrens-services"})
    assert "(48)" in by_slug.text and len(references(by_slug.text)) == 48
    assert '<option value="education-and-childrens-services" selected>' in by_slug.text
    housing = client.get(BASE, params={"area": "Housing"})
    assert references(housing.text) == [f"U{i:04d}" for i in reversed(range(8))]
    assert 'href="/councils/stevenage-borough-council/2023-24/decisions/upheld/?area=housing"' in housing.text


def test_unknown_area_is_explained_not_an_error(client):
    page = client.get(BASE, params={"area": "Parking"})
    assert page.status_code == 200
    assert "There is no service area called “Parking”" in page.text and "(60)" in page.text


def test_filter_form_works_without_javascript(client):
    text = client.get(BASE + "upheld/").text
    assert '<form method="get" action="/councils/stevenage-borough-council/2023-24/decisions/upheld/"' in text
    assert 'name="area"' in text and 'type="submit"' in text
    assert 'href="/councils/stevenage-borough-council/2023-24/decisions/not-upheld/"' in text


@pytest.mark.parametrize("path", ["nonsense/", "page-1/", "page-3/", "upheld/page-2/", "all/", "upheld/page-1/"])
def test_unknown_outcomes_and_pages_are_not_found(client, path):
    page = client.get(BASE + path)
    assert page.status_code == 404


def test_not_found_messages_help(client):
    assert "the first page of these decisions is at" in client.get(BASE + "page-1/").text
    assert "kind of decision" in client.get(BASE + "nonsense/").text
    assert client.get("/councils/stevenage-borough-council/2019-20/decisions/").status_code == 404
    published = client.get("/councils/stevenage-borough-council/2018-19/decisions/upheld/")
    assert published.status_code == 404 and "only for years with case records" in published.text


def test_the_static_build_lists_every_decisions_page(client):
    from ombuds.site.pages import kinds

    site = client.app.state.site
    listed = {kind.url(**params) for kind in kinds(LGSCO) if kind.name.startswith("decisions")
              for params in kind.every(site)}
    stevenage = "councils/stevenage-borough-council/2023-24/decisions/"
    assert {p for p in listed if p.startswith(stevenage)} == {
        stevenage, stevenage + "page-2/", stevenage + "upheld/", stevenage + "satisfactory-remedy/",
        stevenage + "not-upheld/"}
    assert "councils/hertfordshire-county-council/2023-24/decisions/upheld/" in listed
    assert not any("2018-19" in p for p in listed)
    from ombuds import urls
    from ombuds.site.build import render_page

    for kind in kinds(LGSCO):
        if kind.name.startswith("decisions") or kind.name == "methods":
            for params in kind.every(site):
                path = kind.url(**params)
                _, body = render_page(site, kind, params, urls.relative_root(path))
                assert f'href="{urls.relative_root(path)}methods/"'.encode() in body


def test_json_twin_lists_every_decision(client):
    twin = client.get("/councils/stevenage-borough-council/2023-24/decisions.json").json()
    assert twin["count"] == 60 and len(twin["decisions"]) == 60
    first = twin["decisions"][0]
    assert first == {"reference": "U0011", "date": "2024-03-12", "service_area": "Planning and Development",
                     "outcome": "Upheld", "satisfactory_remedy": False, "public_report": False,
                     "summary": "Upheld summary 11"}
    assert {d["reference"] for d in twin["decisions"]} >= {"U0005", "N0000"}
    assert "H0001" not in {d["reference"] for d in twin["decisions"]}


def test_methods_page_has_definitions_and_comparability_notes(client):
    page = client.get("/methods/")
    assert page.status_code == 200
    for text in ("Uphold rate", "Satisfactory remedy rate", "Compliance rate", "Upheld per 100,000 residents",
                 "pooled", "No league tables", "Open Government Licence", "MIT licence", "12.5% is shown as 13%",
                 "2020-21", "2022-23", "we paused new complaints", "we changed how we choose"):
        assert text in page.text, text
