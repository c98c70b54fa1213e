"""The Housing Ombudsman's public site, in process on its shipped real data: landlord pages with exact figures (equal to
a direct count of the shipped file), the national and category pages, funnel plots, search by name, downloads, the
API and JSON twins, the coverage sentence and attribution on every page, and the static build."""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
from collections import defaultdict

import pytest
from fastapi.testclient import TestClient

from conftest import housing_database
from ombuds.settings import make_settings
from ombuds.site.app import create_app
from ombuds.site.build import build_site
from ombuds.store import open_database

YEAR = "2024-25"
CLARION = ("Clarion Housing Association", "clarion-housing-association")
HAMMERSMITH = ("London Borough of Hammersmith and Fulham", "london-borough-of-hammersmith-and-fulham")
MALADMINISTRATION = ("Severe Maladministration", "Maladministration", "Service Failure")


@pytest.fixture(scope="module")
def housing(tmp_path_factory):
    folder = tmp_path_factory.mktemp("housing-site")
    yield from housing_database(folder)


@pytest.fixture(scope="module")
def client(housing):
    scheme, database = housing
    app = create_app(open_database(database.url, read_only=True), make_settings(scheme.folder, None, None, None))
    return TestClient(app)


def direct_count(name: str) -> tuple[int, int, int, dict[str, int]]:
    """From the shipped file itself: determinations, findings, maladministration findings and findings by outcome
    of the landlord published under exactly this name, 1 April 2024 to 31 March 2025."""
    from ombuds.schemes import load_scheme

    path = load_scheme("housing-ombudsman").folder / "data" / "findings.csv.gz"
    with gzip.open(path, "rt", encoding="utf-8", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["landlord"] == name
                and "2024-04-01" <= r["decision_date"] <= "2025-03-31"]
    outcomes: dict[str, int] = defaultdict(int)
    for r in rows:
        outcomes[r["finding"]] += 1
    return (len({r["case_id"] for r in rows}), len(rows), sum(r["finding"] in MALADMINISTRATION for r in rows),
            dict(outcomes))


def text_of(html: str, element_id: str) -> str:
    found = re.search(rf'id="{re.escape(element_id)}"[^>]*>(.*?)</', html, re.S)
    assert found, element_id
    return found[1].strip()


def cells(html: str, table_id: str) -> list[list[str]]:
    """The rows of a table (header cells and data cells, tags stripped)."""
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', html, re.S)[0]
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)]


def test_clarion_page_shows_exactly_the_direct_count(client):
    determinations, findings, maladministration, outcomes = direct_count(CLARION[0])
    assert (determinations, findings, maladministration) == (168, 397, 238)
    html = client.get(f"/landlords/{CLARION[1]}/{YEAR}/").text
    assert text_of(html, "figures-determinations") == "168"
    assert text_of(html, "figures-findings_total") == "397"
    assert text_of(html, "figures-maladministration_findings") == "238"
    assert text_of(html, "figures-maladministration_rate") == "60%"  # 238 / 397 = 59.95%, half up
    assert text_of(html, "figures-severe_findings") == str(outcomes["Severe Maladministration"]) == "6"
    assert cells(html, "table-findings")[1:] == [
        ["Severe maladministration", "6", "2%"], ["Maladministration", "144", "36%"],
        ["Service failure", "88", "22%"], ["Reasonable redress", "115", "29%"],
        ["No maladministration", "41", "10%"], ["Outside jurisdiction", "3", "1%"]]
    assert [outcomes.get(o, 0) for o in (*MALADMINISTRATION, "Reasonable Redress", "No Maladministration",
                                        "Outside Jurisdiction")] == [6, 144, 88, 115, 41, 3]
    assert cells(html, "by-category")[1] == ["Complaint handling", "123", "59%"]
    assert ("Each figure is compared with the average for <strong>housing associations with 50,000 or more homes"
            "</strong>: 12 landlords") in html
    assert text_of(html, "compared-maladministration_rate") == (
        "The maladministration rate of Clarion Housing Association is 60% (it could plausibly be between 55% and "
        "65%); housing associations with 50,000 or more homes average 69%: below the expected range (outside the 95% "
        "limits).")
    assert f'href="/landlords/{CLARION[1]}/{YEAR}/report.pdf"' in html


def test_hammersmith_page_a_local_authority(client):
    determinations, findings, maladministration, _ = direct_count(HAMMERSMITH[0])
    assert (determinations, findings, maladministration) == (40, 81, 60)
    html = client.get(f"/landlords/{HAMMERSMITH[1]}/{YEAR}/").text
    assert "<h1 class=\"govuk-heading-xl\">London Borough of Hammersmith and Fulham</h1>" in html
    assert "Local authority, ALMO or TMO, 10,000 to 49,999 homes" in html
    assert [text_of(html, f"figures-{m}") for m in ("determinations", "findings_total", "maladministration_rate")] \
        == ["40", "81", "74%"]  # 60 / 81 = 74.07%
    assert "the average for <strong>local authorities, ALMOs and TMOs with 10,000 to 49,999 homes</strong>" in html


def test_json_twin_is_the_year_record_and_the_api_serves_the_same(client):
    twin = client.get(f"/landlords/{CLARION[1]}/{YEAR}.json").json()
    assert twin["landlord"]["name"] == CLARION[0] and twin["year"] == YEAR
    assert (twin["determinations"], twin["findings_total"], twin["maladministration_findings"]) == (168, 397, 238)
    assert twin["findings"]["maladministration"] == 144 and twin["report"] is True
    assert twin["report_files"] == {"pdf": f"landlords/{CLARION[1]}/{YEAR}/report.pdf",
                                    "html": f"landlords/{CLARION[1]}/{YEAR}/report.html"}
    code = twin["landlord"]["code"]
    record = client.get(f"/api/records/{YEAR}/{code}.json").json()
    assert twin["self_assessment"] is None  # no self-assessments imported (tests/test_site_measures_register.py)
    assert record == {k: v for k, v in twin.items() if k not in ("url", "report_files", "years", "self_assessment")}
    listing = client.get(f"/api/records/{YEAR}.json").json()
    assert len(listing) == 353 and record in listing


def test_every_page_says_what_the_data_cover_and_whose_they_are(client, housing):
    scheme, _ = housing
    for path in ("/", "/landlords/", f"/landlords/{CLARION[1]}/{YEAR}/", f"/national/{YEAR}/",
                 f"/by/category/{YEAR}/", "/data/", "/methods/", "/search/", "/api/", "/no-such-page/"):
        html = client.get(path).text
        assert scheme.data.coverage.replace("'", "&#39;") in html, path
        assert "HousingOmbudsmanData, CC-BY-4.0" in html, path
        for lgsco_words in ("All councils", "council's", "a council", "Map"):  # the scheme's words, never the LGSCO's
            assert lgsco_words not in html, (path, lgsco_words)


def test_national_and_category_pages(client):
    html = client.get(f"/national/{YEAR}/").text
    assert [text_of(html, f"totals-{m}") for m in ("determinations", "findings_total", "maladministration_rate")] \
        == ["3,773", "8,266", "72%"]
    assert "all 353 landlords with determinations" in html
    groups = cells(html, "by-group")
    assert groups[0] == ["Group", "Landlords", "Findings", "Maladministration rate"]
    assert ["Housing associations with 50,000 or more homes", "12", "2,707", "69%"] in groups
    assert 'href="/funnel/2024-25/maladministration_rate/housing-associations-with-50-000-or-more-homes/"' in html
    twin = client.get(f"/national/{YEAR}.json").json()
    assert twin["all"]["figures"]["determinations"] == "3,773"
    category = client.get(f"/by/category/{YEAR}/").text
    assert cells(category, "by-set")[1] == ["Complaint handling", "2,688", "76%"]


def test_funnel_plot_of_a_peer_group(client):
    path = f"/funnel/{YEAR}/maladministration_rate/housing-associations-with-50-000-or-more-homes/"
    html = client.get(path).text
    assert html.count('class="funnel-point') == 12
    assert "Clarion Housing Association: 238 of 397, 60%, below the expected range (outside the 95% limits)" in html
    twin = client.get(path[:-1] + ".json").json()
    assert len(twin["points"]) == 12
    assert client.get(f"/funnel/{YEAR}/determinations/housing-associations-with-50-000-or-more-homes/").status_code \
        == 404


def test_search_by_name_and_no_postcodes(client):
    one = client.get("/search/?q=clarion", follow_redirects=False)
    assert one.status_code == 307 and one.headers["location"] == f"/landlords/{CLARION[1]}/2025-26/"
    many = client.get("/search/?q=hammersmith").text
    assert "London Borough of Hammersmith and Fulham" in many
    none = client.get("/search/?q=SW1A 1AA").text
    assert "No landlord matches “SW1A 1AA”." in none
    names = client.get("/search/names.json").json()
    assert {"name": CLARION[0], "url": f"landlords/{CLARION[1]}/2025-26/"}.items() <= next(
        n for n in names if n["name"] == CLARION[0]).items()
    home = client.get("/").text
    assert "hex" not in home and "postcode" not in home.lower()


def test_downloads_of_the_year_records(client):
    rows = list(csv.DictReader(io.StringIO(client.get(f"/data/{YEAR}/records.csv").text)))
    assert len(rows) == 353
    clarion = next(r for r in rows if r["landlord.name"] == CLARION[0])
    assert (clarion["determinations"], clarion["findings_total"], clarion["findings.maladministration"]) == \
        ("168", "397", "144")
    downloaded = json.loads(client.get(f"/data/{YEAR}/records.json").content)
    assert downloaded == client.get(f"/api/records/{YEAR}.json").json()
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(client.get(f"/data/{YEAR}/records.xlsx").content)).active
    assert sheet.max_row == 354
    data = client.get("/data/").text
    assert f'href="/data/{YEAR}/records.xlsx"' in data


def test_static_build_writes_the_same_pages(housing, tmp_path):
    scheme, database = housing
    report = build_site(database, tmp_path / "site", make_settings(scheme.folder, None, None, None), workers=1)
    out = tmp_path / "site"
    page = (out / f"landlords/{CLARION[1]}/{YEAR}/index.html").read_text(encoding="utf-8")
    assert text_of(page, "figures-determinations") == "168"
    assert 'href="../../../static/vendor/site.css?v=' in page
    assert json.loads((out / f"landlords/{CLARION[1]}/{YEAR}.json").read_text())["determinations"] == 168
    assert (out / f"landlords/{CLARION[1]}/{YEAR}/report.pdf").read_bytes().startswith(b"%PDF-")
    assert len(json.loads((out / f"api/records/{YEAR}.json").read_text())) == 353
    assert (out / "search/names.json").exists() and not (out / "search/postcodes").exists()
    assert not report.skipped
    missing = (out / "404.html").read_text(encoding="utf-8")  # served by the host for any missing address
    assert element_text(missing, "not-found-reason") == "We could not show this page: there is no page at this address."
    assert element_text(missing, "not-found-years-heading") == "All landlords, year by year"
    assert links(missing, "not-found-years") == [(f"/national/{y}/", y) for y in reversed(
        ALL_YEARS.replace(" and", ",").split(", "))]
    assert '<form class="search-form" action="/search/" method="get" role="search">' in missing
    assert links(missing, "not-found-help") == [("/landlords/", "all 548 landlords from A to Z"),
                                                ("/", "the home page")]


def element_text(html: str, element_id: str) -> str:
    """An element's text, tags stripped and spaces collapsed."""
    found = re.search(rf'<(\w+)[^>]*\bid="{re.escape(element_id)}"[^>]*>(.*?)</\1>', html, re.S)
    assert found, element_id
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", found[2])).strip().replace("&#39;", "'")


def links(html: str, element_id: str) -> list[tuple[str, str]]:
    found = re.search(rf'<(\w+)[^>]*\bid="{re.escape(element_id)}"[^>]*>(.*?)</\1>', html, re.S)
    assert found, element_id
    return re.findall(r'<a class="govuk-link" href="([^"]+)">([^<]+)</a>', found[2])


CLARION_YEARS = "2020-21, 2021-22, 2022-23, 2023-24, 2024-25 and 2025-26"
ALL_YEARS = "2019-20, 2020-21, 2021-22, 2022-23, 2023-24, 2024-25, 2025-26 and 2026-27"


def test_a_landlord_that_does_not_exist_is_a_404_that_offers_the_search(client):
    for path in ("/landlords/clarion-housing/2024-25/", "/landlords/clarion-housing/",
                 "/landlords/clarion-housing/2024-25/report.pdf"):
        page = client.get(path)
        assert page.status_code == 404, path
        html = page.text
        assert element_text(html, "not-found-reason") == (
            "We could not show this page: no landlord is called 'clarion-housing'.")
        assert '<input class="govuk-input govuk-!-width-two-thirds" id="q" name="q" type="search"' in html
        assert 'value="clarion housing"' in html  # the address's words, ready to search for
        assert '<form class="search-form" action="/search/" method="get" role="search">' in html
        assert links(html, "not-found-suggestions") == [(f"/landlords/{CLARION[1]}/2025-26/", CLARION[0])]
        assert element_text(html, "not-found-help") == (
            "Or browse all 548 landlords from A to Z, or go back to the home page.")
        assert links(html, "not-found-help") == [("/landlords/", "all 548 landlords from A to Z"),
                                                 ("/", "the home page")]
        assert 'id="not-found-years"' not in html
        assert "council" not in html.lower()
    misspelt = client.get("/landlords/clarrion-housing-association/2024-25/").text
    assert links(misspelt, "not-found-suggestions")[0] == (f"/landlords/{CLARION[1]}/2025-26/", CLARION[0])
    nothing_like = client.get("/landlords/zzzz/").text
    assert 'id="not-found-suggestions"' not in nothing_like and 'value="zzzz"' in nothing_like


def test_a_year_out_of_range_says_which_years_exist(client):
    clarion_years = [(f"/landlords/{CLARION[1]}/{y}/", y) for y in reversed(CLARION_YEARS.replace(" and", ",")
                                                                           .split(", "))]
    for year, said in (("2010-11", "there are no figures for 2010-11"), ("2019-20", "there are no figures for 2019-20"),
                       ("next-year", "'next-year' is not a year")):
        page = client.get(f"/landlords/{CLARION[1]}/{year}/")
        assert page.status_code == 404
        assert element_text(page.text, "not-found-reason") == (
            f"We could not show this page: {said}: Clarion Housing Association has figures for {CLARION_YEARS}.")
        assert element_text(page.text, "not-found-years-heading") == "Clarion Housing Association's figures by year"
        assert links(page.text, "not-found-years") == clarion_years
    national = client.get("/national/2010-11/")
    assert national.status_code == 404
    assert element_text(national.text, "not-found-reason") == (
        f"We could not show this page: there are no figures for 2010-11: the years with figures are {ALL_YEARS}.")
    assert element_text(national.text, "not-found-years-heading") == "All landlords, year by year"
    assert links(national.text, "not-found-years")[0] == ("/national/2026-27/", "2026-27")
    assert len(links(national.text, "not-found-years")) == 8


def test_api_and_json_twin_404s_are_json_with_the_same_reason(client):
    code = "HO-clarion-housing-association"
    for path, detail in (
            ("/api/records/2010-11.json",
             f"there are no figures for 2010-11: the years with figures are {ALL_YEARS}"),
            (f"/api/records/2019-20/{code}.json",
             f"there are no figures for 2019-20: Clarion Housing Association has figures for {CLARION_YEARS}"),
            ("/api/records/2024-25/HO-no-such-landlord.json", "no landlord has the code 'HO-no-such-landlord'"),
            (f"/landlords/{CLARION[1]}/2019-20.json",
             f"there are no figures for 2019-20: Clarion Housing Association has figures for {CLARION_YEARS}"),
            ("/landlords/clarion-housing/2024-25.json", "no landlord is called 'clarion-housing'"),
            ("/api/no-such-file.json", "there is no page at this address")):
        answer = client.get(path)
        assert (answer.status_code, answer.headers["content-type"]) == (404, "application/json"), path
        assert answer.json() == {"detail": detail}, path
    page = client.get(f"/landlords/{CLARION[1]}/2019-20/")
    assert element_text(page.text, "not-found-reason") == (
        f"We could not show this page: {client.get(f'/api/records/2019-20/{code}.json').json()['detail']}.")
