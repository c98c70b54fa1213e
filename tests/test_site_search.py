"""Search, live: a postcode or a council's name leads to the council's page, a list, or a helpful message."""

from __future__ import annotations

import dataclasses
import html
import json

import pytest
from fastapi.testclient import TestClient

from builders import Cases, live_client
from ombuds.schemes import load_scheme
from ombuds.site.app import create_app

COUNCILS = ("Stevenage", "Hertfordshire", "North Hertfordshire", "Birmingham", "Bristol")


@pytest.fixture(scope="module")
def client(demo_settings, tmp_path_factory):
    folder = tmp_path_factory.mktemp("search")
    cases = Cases(folder, "S")
    for name in COUNCILS:
        cases.decided(name, "2023-10-01", {"Upheld": 2, "Not Upheld": 1})
    with live_client(folder, cases, demo_settings) as client:
        yield client


def search(client, q: str):
    return client.get("/search/", params={"q": q}, follow_redirects=False)


def test_empty_search_shows_the_form_with_guidance(client):
    page = client.get("/search/")
    assert page.status_code == 200
    assert 'name="q"' in page.text and "postcode" in page.text and 'href="/councils/"' in page.text
    assert "static/search.js" in page.text and 'aria-live="polite"' in page.text


def test_a_unitary_postcode_redirects_to_the_council(client):
    found = search(client, "B1 1AA")
    assert found.status_code == 307 and found.headers["location"] == "/councils/birmingham-city-council/2023-24/"


def test_a_district_postcode_lists_district_and_county(client):
    found = search(client, "sg1 1aa")
    assert found.status_code == 200
    assert 'href="/councils/stevenage-borough-council/2023-24/"' in found.text
    assert 'href="/councils/hertfordshire-county-council/2023-24/"' in found.text


def test_an_outward_code_lists_its_councils(client):
    found = search(client, "SG1")
    assert found.status_code == 200 and "stevenage-borough-council" in found.text


def test_a_welsh_postcode_says_where_to_go(client):
    found = search(client, "CF10 1AA")
    assert found.status_code == 200 and "Public Services Ombudsman for Wales" in found.text


def test_an_unknown_postcode_is_a_message_not_an_error(client):
    found = search(client, "ZZ9 9ZZ")
    assert found.status_code == 200 and "We cannot find ZZ9 9ZZ" in found.text


def test_a_name_redirects_to_the_latest_page(client):
    for q in ("Stevenage", "stevenage borough council", "Stevenage Borough Council", "Bristol"):
        found = search(client, q)
        assert found.status_code == 307, q
    assert search(client, "stevenage").headers["location"] == "/councils/stevenage-borough-council/2023-24/"


def test_a_name_shared_by_several_councils_lists_them(client):
    found = search(client, "hertfordshire")
    assert found.status_code in (200, 307)
    if found.status_code == 200:
        assert "hertfordshire-county-council" in found.text


def test_a_partial_name_matches_by_substring(client):
    found = search(client, "hertford")
    assert found.status_code == 200
    assert "hertfordshire-county-council" in found.text and "north-hertfordshire" in found.text


def test_no_match_says_so_and_links_the_a_to_z(client):
    for q in ("xx", "not a postcode!!"):
        found = search(client, q)
        assert found.status_code == 200 and "No council matches" in found.text, q
        assert 'href="/councils/"' in found.text


def test_close_spellings_are_suggested(client):
    found = search(client, "Stevanage Borogh")
    assert found.status_code in (200, 307)
    if found.status_code == 200:
        assert "stevenage-borough-council" in found.text


def test_a_council_without_figures_is_not_offered(client):
    found = search(client, "Aylesbury Vale District Council")  # abolished in 2020: no figures for 2023-24
    assert found.status_code == 200 and "No council matches" in found.text


def test_names_index_lists_councils_with_figures(client):
    names = client.get("/search/names.json")
    assert names.status_code == 200 and names.headers["content-type"].startswith("application/json")
    by_code = {entry["code"]: entry for entry in names.json()}
    assert "E07000004" not in by_code  # Aylesbury Vale, abolished in 2020
    assert all(entry["url"].startswith("councils/") and entry["url"].endswith("/2023-24/") for entry in names.json())
    stevenage = by_code["E07000243"]
    assert stevenage["name"] == "Stevenage Borough Council" and "Stevenage" in stevenage["aliases"]
    assert stevenage["url"] == "councils/stevenage-borough-council/2023-24/"


def test_search_json_twin_free_query_is_served_per_query(client):
    first, second = search(client, "xx"), search(client, "yy")
    assert "“xx”" in first.text and "“yy”" in second.text


def test_the_browsers_search_is_given_the_schemes_words_for_places_outside_england(client):
    page = client.get("/search/").text
    attribute = page.split("data-elsewhere='", 1)[1].split("'", 1)[0]
    assert json.loads(html.unescape(attribute)) == load_scheme("lgsco").elsewhere
    assert "GY1 is in the Channel Islands, which are not part of England" in search(client, "GY1").text


def test_the_pages_words_for_bodies_come_from_the_scheme(client, demo_settings):
    words = dataclasses.replace(demo_settings.scheme.words, body="landlord", bodies="landlords")
    scheme = dataclasses.replace(demo_settings.scheme, words=words)
    other = TestClient(create_app(client.app.state.site.database, dataclasses.replace(demo_settings, scheme=scheme)))
    page = other.get("/search/").text
    assert "<h1 class=\"govuk-heading-xl\">Find a landlord</h1>" in page and ">All landlords</a>" in page
    assert "Find a council" not in page and "All councils" not in page
    assert "<h1 class=\"govuk-heading-xl\">Find a council</h1>" in client.get("/search/").text
