"""The live site in-process: every page kind I own answers, errors are helpful 404s, and every response carries
caching, security and CORS headers."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from fastapi.testclient import TestClient

from builders import Cases
from conftest import LGSCO
from ombuds.ingest import import_files
from ombuds.site.app import SECURITY_HEADERS, create_app
from ombuds.store import open_database

STEVENAGE = "stevenage-borough-council"


@pytest.fixture(scope="module")
def client(demo_settings, tmp_path_factory):
    folder = tmp_path_factory.mktemp("site")
    cases = Cases(folder, "S")
    cases.decided("Stevenage", "2023-10-01", {"Upheld": 3, "Not Upheld": 1}, satisfactory_remedies=1)
    cases.decided("Stevenage", "2024-10-01", {"Upheld": 1, "Not Upheld": 1})
    cases.decided("Allerdale", "2023-06-01", {"Upheld": 1})
    cases.compliance("Stevenage", "2023-11-01", on_time=2)
    cases.received("Stevenage", "2024-06-01", {"Housing": 2, "Adult Care Services": 1})
    url = f"sqlite:///{folder / 'site.db'}"
    import_files(open_database(url), cases.files(), scheme=LGSCO)
    with TestClient(create_app(open_database(url, read_only=True), demo_settings)) as test_client:
        yield test_client


def test_home_has_the_map_search_and_headline_figures(client):
    page = client.get("/")
    assert page.status_code == 200
    html = page.text
    assert 'class="hex-map"' in html and 'data-code="E07000243"' in html
    assert 'aria-label="Stevenage Borough Council: uphold rate 50%"' in html
    assert '<input class="govuk-input' in html and 'name="q"' in html
    assert "<h2 class=\"govuk-heading-l\">2024-25 in numbers</h2>" in html
    twin = client.get("/index.json").json()
    assert twin["year"] == "2024-25" and twin["tier"] == "lower"
    [stevenage] = [c for c in twin["councils"] if c["code"] == "E07000243"]
    assert stevenage == {"code": "E07000243", "name": "Stevenage Borough Council", "value": 0.5, "shown": "50%",
                         "url": f"councils/{STEVENAGE}/2024-25/"}


def test_map_pages_switch_tier_metric_and_year(client):
    upper = client.get("/map/2023-24/upper/compliance_rate/")
    assert upper.status_code == 200
    assert 'data-code="E10000015"' in upper.text and 'data-code="E07000243"' not in upper.text
    lower = client.get("/map/2023-24/lower/compliance_rate.json").json()
    [stevenage] = [c for c in lower["councils"] if c["code"] == "E07000243"]
    assert (stevenage["value"], stevenage["shown"]) == (1.0, "100%")
    for bad in ("/map/2023-24/middle/uphold_rate/", "/map/2023-24/lower/happiness/", "/map/1999-00/lower/uphold_rate/"):
        assert client.get(bad).status_code == 404, bad


def test_council_page_shows_the_layout_decisions_letters_and_neighbours(client):
    page = client.get(f"/councils/{STEVENAGE}/2023-24/")
    assert page.status_code == 200
    html = page.text
    assert "<h1 class=\"govuk-heading-xl\">Stevenage Borough Council</h1>" in html
    assert "75% of complaints we investigated were upheld." in html
    assert "In 100% of cases we were satisfied the authority had successfully implemented our recommendations." in html
    assert "In 33% of upheld cases we found the authority had provided a satisfactory remedy" in html
    assert f'href="/councils/{STEVENAGE}/2023-24/decisions/upheld/"' in html
    assert f'href="/councils/{STEVENAGE}/2024-25/"' in html  # the year switcher
    assert f'href="/councils/{STEVENAGE}/2023-24/letter.pdf"' in html
    assert f'href="/councils/{STEVENAGE}/decisions.atom"' in html
    twin = client.get(f"/councils/{STEVENAGE}/2023-24.json").json()
    assert twin["statistics"]["upheld"] == 3 and twin["statistics"]["uphold_rate"] == 0.75
    assert twin["letters"]["2024-25"] == {"html": f"councils/{STEVENAGE}/2024-25/letter.html",
                                          "pdf": f"councils/{STEVENAGE}/2024-25/letter.pdf"}


def test_comparability_note_and_abolished_council(client):
    allerdale = client.get("/councils/allerdale-borough-council/2023-24/")
    assert allerdale.status_code == 200
    assert "no longer existed for all of 2023-24" in allerdale.text
    assert "This compares to an average of n/a in similar authorities." in allerdale.text
    assert 'href="/councils/cumberland-council/' in allerdale.text  # its successor


def test_latest_year_redirect(client):
    page = client.get(f"/councils/{STEVENAGE}/", follow_redirects=False)
    assert (page.status_code, page.headers["location"]) == (307, f"/councils/{STEVENAGE}/2024-25/")


@pytest.mark.parametrize(("path", "reason"), [
    ("/councils/atlantis/2023-24/", "no council is called 'atlantis'"),
    (f"/councils/{STEVENAGE}/2010-11/", "there are no figures for 2010-11"),
    (f"/councils/{STEVENAGE}/next-year/", "'next-year' is not a year"),
    ("/no/such/page", "there is no page at this address"),
])
def test_unknown_pages_are_helpful_404s(client, path, reason):
    page = client.get(path)
    assert page.status_code == 404
    assert f"We could not show this page: {reason}." in page.text.replace("&#39;", "'")
    assert 'href="/search/"' in page.text and 'href="/councils/"' in page.text


def test_letters_and_feed(client):
    pdf = client.get(f"/councils/{STEVENAGE}/2023-24/letter.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    html = client.get(f"/councils/{STEVENAGE}/2023-24/letter.html")
    assert html.status_code == 200 and "Stevenage Borough Council" in html.text
    feed = ET.fromstring(client.get(f"/councils/{STEVENAGE}/decisions.atom").content)
    entries = feed.findall("{http://www.w3.org/2005/Atom}entry")
    assert len(entries) == 6
    assert entries[0].find("{http://www.w3.org/2005/Atom}updated").text == "2024-10-01T00:00:00Z"


def test_every_response_has_cache_security_and_cors_headers(client):
    page = client.get(f"/councils/{STEVENAGE}/2023-24/")
    for name, value in SECURITY_HEADERS.items():
        assert page.headers[name] == value
    assert "unsafe-inline" not in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "public, max-age=300"
    assert page.headers["access-control-allow-origin"] == "*"
    again = client.get(f"/councils/{STEVENAGE}/2023-24/", headers={"if-none-match": page.headers["etag"]})
    assert (again.status_code, again.content) == (304, b"")
    preflight = client.options("/api/years.json", headers={"origin": "https://example.org",
                                                           "access-control-request-method": "GET"})
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-methods"] == "GET, HEAD, OPTIONS"
    assert client.post("/", content=b"x").status_code == 405
    assert client.get("/static/vendor/site.css").headers["content-type"].startswith("text/css")


def test_api_answers_from_the_typed_record(client):
    years = client.get("/api/years.json").json()
    assert [y["year"] for y in years] == ["2023-24", "2024-25"]
    one = client.get("/api/statistics/2023-24/E07000243.json").json()
    assert one == client.get(f"/councils/{STEVENAGE}/2023-24.json").json()["statistics"]
    assert client.get("/api/statistics/2023-24/E99999999.json").status_code == 404
    schema = client.get("/api/openapi.json").json()
    assert "/api/statistics/{year}/{code}.json" in schema["paths"]
    assert "StatisticsRecord" in json.dumps(schema["components"])


def test_pages_stay_served_while_new_data_are_prepared(demo_settings, tmp_path, monkeypatch):
    """After an import the server prepares the new statistics in the background, serving the pages it has until
    they are ready, then switches to the new figures all at once."""
    import threading
    import time

    from ombuds.site import app as live
    from ombuds.stats import service

    url = f"sqlite:///{tmp_path / 'site.db'}"
    first = Cases(tmp_path, "P")
    first.decided("Stevenage", "2024-10-01", {"Upheld": 1, "Not Upheld": 1})
    import_files(open_database(url), first.files(), scheme=LGSCO)
    application = create_app(open_database(url, read_only=True), demo_settings)
    cache = application.state.cache
    gate = threading.Event()
    prepare = cache._prepare
    monkeypatch.setattr(cache, "_prepare", lambda version: (gate.wait(30), prepare(version)))
    page = f"/councils/{STEVENAGE}/2024-25.json"
    with TestClient(application) as test_client:
        before = test_client.get(page).json()
        (tmp_path / "more").mkdir()
        more = Cases(tmp_path / "more", "Q")
        more.decided("Stevenage", "2024-11-01", {"Upheld": 2})
        import_files(open_database(url), more.files(), scheme=LGSCO)
        monkeypatch.setattr(live, "VERSION_CHECK_SECONDS", 0.0)
        monkeypatch.setattr(service, "VERSION_CHECK_SECONDS", 0.0)
        assert test_client.get(page).json() == before  # still the old figures while the new ones are prepared
        assert cache._warming is not None
        gate.set()
        for _ in range(300):
            if cache._warming is None:
                break
            time.sleep(0.1)
        after = test_client.get(page).json()
    assert after != before
    assert (before["statistics"]["uphold_rate"], after["statistics"]["uphold_rate"]) == (0.5, 0.75)  # 1 of 2, 3 of 4


def test_robots_and_sitemap_list_every_page_and_no_redirect(client):
    base = client.app.state.site.profile.base_url
    robots = client.get("/robots.txt")
    assert robots.headers["content-type"] == "text/plain; charset=utf-8"
    assert robots.text == f"User-agent: *\nAllow: /\nSitemap: {base}sitemap.xml\n"
    sitemap = client.get("/sitemap.xml")
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locations = [e.text for e in ET.fromstring(sitemap.content).findall("s:url/s:loc", namespace)]
    assert f"{base}councils/{STEVENAGE}/2024-25/" in locations and f"{base}national/2023-24/" in locations
    assert f"{base}councils/{STEVENAGE}/" not in locations and f"{base}national/" not in locations
    assert len(locations) == len(set(locations))
    for location in locations[:40]:
        assert client.get("/" + location.removeprefix(base)).status_code == 200, location


def test_national_redirects_to_the_latest_year(client):
    page = client.get("/national/", follow_redirects=False)
    assert (page.status_code, page.headers["location"]) == (307, "/national/2024-25/")


def test_text_is_sent_gzipped_to_clients_that_accept_it(client):
    page = client.get("/", headers={"accept-encoding": "gzip"})
    assert page.headers["content-encoding"] == "gzip" and "Accept-Encoding" in page.headers["vary"]
    raw = client.get("/", headers={"accept-encoding": "identity"})
    assert "content-encoding" not in raw.headers and raw.text == page.text


def test_pages_name_their_icon_and_describe_themselves_for_sharing(client):
    html = client.get(f"/councils/{STEVENAGE}/2024-25/").text
    assert '<link rel="icon" href="/static/logo.svg" type="image/svg+xml">' in html
    assert '<meta property="og:title" content="Stevenage Borough Council, 2024-25">' in html


def test_a_zero_denominator_is_said_in_words_not_as_a_rate(client):
    html = client.get("/councils/allerdale-borough-council/2023-24/").text
    assert ("We recorded no outcomes of our recommendations to Allerdale Borough Council, so there is no "
            "compliance rate.") in html
    assert "of cases we were satisfied" not in html


def test_each_download_is_named_with_its_year(client):
    for extension in ("csv", "json", "xlsx"):
        download = client.get(f"/data/2023-24/statistics.{extension}")
        assert download.headers["content-disposition"] == (
            f'attachment; filename="complaint-statistics-2023-24.{extension}"')
    assert "content-disposition" not in client.get("/data/2023-24/statistics.pdf").headers


def test_compare_councils_of_the_readers_choosing(client):
    empty = client.get("/compare/")
    assert empty.status_code == 200 and "Choose up to six councils" in empty.text
    page = client.get("/compare/?council=Stevenage+Borough+Council&council=allerdale-borough-council")
    assert page.status_code == 200
    html = page.text
    assert "2 councils of your choosing, in the order you chose them." in html
    assert "75% (30% to 95%) of 4 investigations" in html  # Stevenage 2023-24: 3 of 4, with its Wilson interval
    assert html.index("Stevenage Borough Council</a></th>") < html.index("Allerdale Borough Council</a></th>")
    assert "<th scope=\"row\" class=\"govuk-table__header\">2023-24</th>" in html
    twin = client.get("/compare.json?council=Stevenage+Borough+Council&council=allerdale-borough-council").json()
    assert [c["code"] for c in twin["councils"]] == ["E07000243", "E07000026"]
    assert twin["rates"]["uphold_rate"]["E07000243"][twin["years"].index("2023-24")]["denominator"] == 4
    assert client.get("/compare/?council=Atlantis").status_code == 404
    too_many = client.get("/compare/?" + "&".join(["council=allerdale-borough-council"] * 7))
    assert too_many.status_code == 404 and "a comparison holds at most 6 councils, not 7" in too_many.text


def test_every_year_says_what_the_complaints_were_about(client):
    import re

    html = client.get(f"/councils/{STEVENAGE}/2024-25/").text
    table = html[html.index('<table class="govuk-table service-areas">'):]
    table = table[:table.index("</table>")]
    cells = re.findall(r'<th scope="row" class="govuk-table__header">([^<]+)</th><td[^>]*>([^<]+)</td>', table)
    assert cells[0] == ("Adult Care Services", "1") and ("Housing", "2") in cells
    assert cells[-1] == ("Total", "3") and len(cells) == 10 and sum(int(n) for _, n in cells[:-1]) == 3
    assert 'class="govuk-table service-areas"' not in client.get(f"/councils/{STEVENAGE}/2023-24/").text


def test_the_api_documents_what_it_answers_and_answers_head(client):
    schema = client.get("/api/openapi.json").json()
    one = schema["paths"]["/api/statistics/{year}/{code}.json"]["get"]
    assert sorted(one["responses"]) == ["200", "404"]
    patterns = {p["name"]: p["schema"]["pattern"] for p in one["parameters"]}
    assert patterns == {"year": r"^\d{4}-\d{2}$", "code": r"^[A-Z]\d{8}$"}
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    assert sorted(schema["paths"]["/api/years.json"]["get"]["responses"]) == ["200"]
    head = client.head("/api/statistics/2023-24/E07000243.json")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == client.get("/api/statistics/2023-24/E07000243.json").headers["etag"]
    assert client.get("/api/statistics/not-a-year.json").status_code == 404


def test_one_address_per_file_no_trailing_slash_twin(client):
    for path in ("/api/years.json/", "/data.json/", f"/councils/{STEVENAGE}/2024-25.json/",
                 "/data/2023-24/statistics.csv/"):
        assert client.get(path, follow_redirects=False).status_code == 404, path
    assert client.get(f"/councils/{STEVENAGE}/2024-25", follow_redirects=False).headers["location"].endswith(
        f"/councils/{STEVENAGE}/2024-25/")  # a page's address without its slash still leads to the page


def test_pages_name_their_canonical_address_without_the_query(client):
    base = client.app.state.site.profile.base_url
    html = client.get("/funnel/2023-24/district/uphold_rate/?highlight=E07000243").text
    assert f'<link rel="canonical" href="{base}funnel/2023-24/district/uphold_rate/">' in html
    assert f'<meta property="og:url" content="{base}funnel/2023-24/district/uphold_rate/">' in html


def test_fingerprinted_assets_may_be_kept_for_a_year(client):
    import re

    html = client.get("/").text
    css = re.search(r'href="/(static/vendor/site\.css\?v=[0-9a-f]{12})"', html)[1]
    script = re.search(r'src="/(static/site\.js\?v=[0-9a-f]{12})"', html)[1]
    for path in (css, script):
        response = client.get("/" + path)
        assert response.status_code == 200 and response.headers["cache-control"] == (
            "public, max-age=31536000, immutable")
    assert client.get("/static/site.js").headers["cache-control"] == "public, max-age=300"
