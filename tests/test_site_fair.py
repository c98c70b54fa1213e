"""Fair comparison on the site: the council page's intervals, funnel classes, tested change and trends (with a
successor's predecessors' combined figures), the funnel pages, and minimum numbers on and off."""

from __future__ import annotations

import dataclasses

import pytest
from fastapi.testclient import TestClient

from builders import Cases
from conftest import LGSCO
from ombuds.ingest import import_files
from ombuds.site.app import create_app
from ombuds.site.data import SiteData
from ombuds.site.pages import funnel
from ombuds.stats import format as fmt
from ombuds.store import open_database

STEVENAGE = "stevenage-borough-council"


@pytest.fixture(scope="module")
def url(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fair")
    cases = Cases(folder, "F")
    cases.decided("Stevenage", "2022-10-01", {"Upheld": 2, "Not Upheld": 3})
    cases.decided("Stevenage", "2023-10-01", {"Upheld": 3, "Not Upheld": 1})
    cases.decided("Dacorum", "2023-10-01", {"Upheld": 1, "Not Upheld": 1})
    cases.decided("Corby", "2019-10-01", {"Upheld": 1, "Not Upheld": 1})
    cases.decided("Kettering", "2019-10-01", {"Upheld": 2})
    cases.decided("North Northamptonshire", "2021-10-01", {"Upheld": 1, "Not Upheld": 3})
    address = f"sqlite:///{folder / 'fair.db'}"
    import_files(open_database(address), cases.files(), scheme=LGSCO)
    return address


@pytest.fixture(scope="module")
def client(demo_settings, url):
    with TestClient(create_app(open_database(url, read_only=True), demo_settings)) as test_client:
        yield test_client


def test_council_page_words_intervals_funnel_and_change(client):
    page = client.get(f"/councils/{STEVENAGE}/2023-24/").text
    assert "Based on 4 investigations, the uphold rate is uncertain: it could plausibly be anywhere between" in page
    assert "Compared with other district councils: within the expected range" in page
    assert "The uphold rate rose from 40% to 75%; the difference is within what chance would give." in page
    assert "funnel/2023-24/district/uphold_rate/?highlight=E07000243" in page
    twin = client.get(f"/councils/{STEVENAGE}/2023-24.json").json()
    assert twin["statistics"]["funnel"]["uphold_rate"] == "within"
    assert len(twin["statistics"]["interval"]["uphold_rate"]) == 2


def test_funnel_page_points_are_links_with_labels_and_a_table(client):
    page = client.get("/funnel/2023-24/district/uphold_rate/?highlight=E07000243")
    assert page.status_code == 200
    text = page.text
    assert 'aria-label="Stevenage Borough Council: 3 of 4 upheld, 75%, within the expected range"' in text
    assert 'href="/councils/stevenage-borough-council/2023-24/"' in text
    assert "funnel-point--highlight" in text and "funnel-limit--99-8" in text and "funnel-target" in text
    assert 'role="group"' in text and "style=" not in text
    assert "<table" in text
    assert client.get("/funnel/2023-24/nowhere/uphold_rate/").status_code == 404
    assert client.get("/funnel/2023-24/district/nothing/").status_code == 404


def test_every_funnel_is_listed_for_the_static_build(demo_settings, url):
    site = SiteData(open_database(url, read_only=True), demo_settings)
    listed = list(funnel.KINDS[0].every(site))
    assert {"year": "2023-24", "council_type": "london-borough", "rate": "compliance_rate"} in listed
    assert len(listed) == len(site.years()) * 5 * 3


def test_successor_trend_shows_predecessors_combined_figures(client):
    page = client.get("/councils/north-northamptonshire-council/2021-22/").text
    assert "predecessors' combined figures: Corby Borough Council, East Northamptonshire Council, Kettering" in page
    assert 'class="trend-line trend-line--average"' in page or "trend-point--average" in page


def test_minimum_numbers_on_and_off(demo_settings, url):
    database = open_database(url, read_only=True)
    with TestClient(create_app(database, demo_settings)) as off:
        assert fmt.TOO_FEW not in off.get(f"/councils/{STEVENAGE}/2023-24/").text
    strict = dataclasses.replace(demo_settings.profile, minimum_denominator=10)
    with TestClient(create_app(database, dataclasses.replace(demo_settings, profile=strict))) as on:
        page = on.get(f"/councils/{STEVENAGE}/2023-24/").text
        assert f"Uphold rate: {fmt.TOO_FEW}" in page
        assert "Based on 4 investigations" not in page


def test_a_years_trend_shows_the_years_up_to_it(client):
    """A council's page for a year shows the trend of the years held up to that year, never a later one; the first
    year's page has one year to show, so a table and no chart."""
    years = client.get(f"/councils/{STEVENAGE}/2023-24.json").json()["years"]
    first, *_, before_last, last = years
    page = client.get(f"/councils/{STEVENAGE}/{before_last}/").text
    assert f"<h3 class=\"govuk-heading-m\">The uphold rate, {first} to {before_last}</h3>" in page
    assert f"This page is about {before_last}, so its charts and tables stop at {before_last}." in page
    assert f'href="/councils/{STEVENAGE}/{last}/">Stevenage Borough Council in {last}</a>' in page
    assert f'<th scope="row" class="govuk-table__header">{last}' not in page
    latest = client.get(f"/councils/{STEVENAGE}/{last}/").text
    assert f"The uphold rate, {first} to {last}</h3>" in latest and "This page is about" not in latest
    oldest = client.get(f"/councils/{STEVENAGE}/{first}/").text
    assert f"The uphold rate, {first}</h3>" in oldest and "trend-line" not in oldest
    assert f"The uphold rate by year, {first}</caption>" in oldest
