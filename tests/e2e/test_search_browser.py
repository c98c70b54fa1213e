"""The static site's search in a real browser (Debian Chromium via Playwright): with JavaScript it ranks from
search/names.json exactly as the live server does (the cases of tests/test_search_ranking.py), suggests close
spellings, and marks abolished councils; without JavaScript it says what to do. Screenshots at 1000 and 390 px,
JavaScript on and off, go to tests/artefacts/search/ (not committed)."""

from __future__ import annotations

import functools
import http.server
import json
import shutil
import threading
from pathlib import Path

import pytest

from conftest import LGSCO, demo
from ombuds.ingest import import_files
from ombuds.registry import registry_of
from ombuds.registry.postcodes import postcode_shards
from ombuds.site import assets
from ombuds.site.build import render_page
from ombuds.site.data import SiteData
from ombuds.site.pages.search import KINDS, names_file
from ombuds.store import open_database
from test_search_ranking import CASES, ranking_cases

playwright_api = pytest.importorskip("playwright.sync_api")

ARTEFACTS = Path(__file__).resolve().parents[1] / "artefacts" / "search"
CHROMIUM = "/usr/bin/chromium"
WIDTHS = (1000, 390)


@pytest.fixture(scope="module")
def static_search(tmp_path_factory):
    """The static build's search page, its names index and the site's assets, served by a plain file server."""
    folder = tmp_path_factory.mktemp("static-search")
    cases = ranking_cases(folder)
    database = open_database(f"sqlite:///{folder / 'site.db'}")
    import_files(database, cases.files(), scheme=LGSCO)
    site = SiteData(database, demo())
    out = folder / "site"
    (out / "search").mkdir(parents=True)
    _, html = render_page(site, KINDS[0], {}, root="../")
    (out / "search" / "index.html").write_bytes(html)
    (out / "search" / "names.json").write_bytes(names_file(site).body)
    (out / "search" / "postcodes").mkdir()
    # Stevenage's, in Hertfordshire
    shard = next(shard for outward, shard in postcode_shards(registry_of(LGSCO)) if outward == "SG1")
    (out / "search" / "postcodes" / "SG1.json").write_text(json.dumps(shard), encoding="utf-8")
    shutil.copytree(assets.STATIC, out / "static", ignore=shutil.ignore_patterns("__pycache__", ".*"))
    database.close()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(out))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _page(browser, javascript: bool, width: int = 1000):
    return browser.new_context(java_script_enabled=javascript, viewport={"width": width, "height": 800}).new_page()


def _search(page, base: str, text: str) -> None:
    page.goto(base + "/search/")
    page.locator("#q").fill(text)
    page.locator("form.search-form button[type=submit]").click()


def _listed(page) -> list[str]:
    return [" ".join(item.split()) for item in page.locator("#search-results li").all_inner_texts()]


@pytest.mark.parametrize("query", list(CASES))
def test_the_browser_ranks_as_the_server_does(browser, static_search, query):
    page = _page(browser, javascript=True)
    _search(page, static_search, query)
    expected = CASES[query]
    if isinstance(expected, str):
        page.wait_for_url(static_search + expected)
    else:
        page.wait_for_function("document.querySelectorAll('#search-results li').length > 0")
        assert _listed(page)[:len(expected)] == expected
        assert page.locator("#search-results p").first.inner_text() == (
            f"{len(_listed(page))} councils match “{query}”, the closest first.")
    page.context.close()


def test_a_postcode_of_two_councils_is_answered_in_the_schemes_words(browser, static_search):
    """A district's postcode gives the district and its county, worded by the scheme's [words.site]
    two_tier_postcode, which the page hands to search.js."""
    page = _page(browser, javascript=True)
    _search(page, static_search, "SG1 1HN")
    page.wait_for_function("document.querySelectorAll('#search-results li').length > 0")
    assert _listed(page) == ["Stevenage Borough Council", "Hertfordshire County Council"]
    assert page.locator("#search-results p").first.inner_text() == (
        "SG1 1HN is covered by 2 councils: the district council and the county council each handle different "
        "services.")
    page.context.close()


def test_the_browser_suggests_close_spellings(browser, static_search):
    page = _page(browser, javascript=True)
    _search(page, static_search, "stevnage")
    page.wait_for_function("document.querySelectorAll('#search-results li').length > 0")
    assert page.locator("#search-results p").all_inner_texts() == ["No council matches “stevnage”.", "Did you mean:"]
    assert _listed(page) == ["Stevenage Borough Council"]
    page.context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_screenshots_with_and_without_javascript(browser, static_search, width):
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page = _page(browser, javascript=True, width=width)
    _search(page, static_search, "Northampton")
    page.wait_for_function("document.querySelectorAll('#search-results li').length > 0")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(ARTEFACTS / f"search-northampton-js-{width}.png"), full_page=True)
    page.context.close()
    page = _page(browser, javascript=False, width=width)
    page.goto(static_search + "/search/?q=Northampton")
    message = page.locator("#search-without-script")
    assert message.is_visible()
    assert message.inner_text() == ("This copy of the site searches in your browser, which needs JavaScript. Without "
                                    "it, find your council in the list of every council from A to Z, sorted by the "
                                    "name people use.")
    assert message.locator("a").get_attribute("href") == "../councils/"
    page.screenshot(path=str(ARTEFACTS / f"search-no-js-{width}.png"), full_page=True)
    page.context.close()
