"""The Housing Ombudsman's site in a real browser (Debian Chromium via Playwright) on the shipped real data: axe-core
on every page kind at 1000 and 390 px, no sideways scrolling on a phone, the static search answering by name, and
full-page screenshots (plus the landlord report's PDF pages, by pdftoppm) in tests/artefacts/."""

from __future__ import annotations

import re
import subprocess
import threading
import time
import urllib.request

import pytest
import uvicorn
from test_site_browser import ARTEFACTS, AXE, OVERFLOW, WIDTHS, _describe, _free_port

from conftest import housing_database
from ombuds.profile import load_profile
from ombuds.settings import make_settings
from ombuds.site.app import create_app
from ombuds.site.build import build_site
from ombuds.store import open_database

playwright_api = pytest.importorskip("playwright.sync_api")

YEAR = "2024-25"
CLARION = "clarion-housing-association"
PAGES = {
    "home": "/",
    "landlords": "/landlords/",
    "landlord": f"/landlords/{CLARION}/{YEAR}/",
    "national": f"/national/{YEAR}/",
    "category": f"/by/category/{YEAR}/",
    "funnel": f"/funnel/{YEAR}/maladministration_rate/housing-associations-with-50-000-or-more-homes/",
    "search": "/search/?q=housing",
    "data": "/data/",
    "methods": "/methods/",
    "not-found-landlord": "/landlords/clarion-housing/2024-25/",  # 404s: what would help instead
    "not-found-year": f"/landlords/{CLARION}/2010-11/",
    "not-found-page": "/no-such-page/",
}


@pytest.fixture(scope="module")
def housing(tmp_path_factory):
    folder = tmp_path_factory.mktemp("housing-browser")
    yield from housing_database(folder)


@pytest.fixture(scope="module")
def live(housing):
    scheme, database = housing
    app = create_app(open_database(database.url, read_only=True), make_settings(scheme.folder, None, None, None))
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    while not server.started:
        assert thread.is_alive(), "the site did not start"
        time.sleep(0.05)
    yield base
    server.should_exit = True
    thread.join(timeout=10)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", list(PAGES))
def test_accessible_and_fits(browser, live, name, width):
    context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        response = page.goto(live + PAGES[name])
        assert response.status == (404 if name.startswith("not-found") else 200)
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTEFACTS / f"housing-{name}-{width}.png"), full_page=True)
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
        result = page.evaluate("async () => await axe.run()")
        overflow = page.evaluate(OVERFLOW)
    finally:
        context.close()
    violations = result["violations"]
    assert not violations, f"axe found {len(violations)} violations on {name} at {width}px:\n{_describe(violations)}"
    if width < 600:
        assert overflow["scroll"] <= overflow["inner"], f"{name} scrolls sideways at {width}px: {overflow}"


def test_static_search_answers_by_name_in_the_browser(browser, housing, tmp_path):
    scheme, database = housing
    build_site(database, tmp_path / "site", make_settings(scheme.folder, None, None, None), workers=1)
    handler = subprocess.Popen(["python3", "-m", "http.server", str(port := _free_port()), "--bind", "127.0.0.1",
                                "--directory", str(tmp_path / "site")], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/search/", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        page = browser.new_page()
        page.goto(base + "/search/?q=hammersmith")
        landlord = re.escape(base) + r"/landlords/{}/20\d\d-\d\d/"
        page.wait_for_url(re.compile(landlord.format("london-borough-of-hammersmith-and-fulham")))
        page.goto(base + "/search/?q=peabody")
        page.wait_for_url(re.compile(landlord.format("peabody-trust")))
        page.goto(base + "/search/?q=zzzz")
        assert page.locator("#search-message").inner_text() == "No landlord matches “zzzz”."
        page.close()
    finally:
        handler.terminate()
        handler.wait(timeout=10)


def test_report_pages_as_images(housing, tmp_path):
    """The landlord report's pages, rendered by poppler, kept to be looked at."""
    from ombuds.letters.batch import render_letters
    from ombuds.letters.report import scheme_report_jobs
    from ombuds.years import Year

    scheme, database = housing
    jobs = scheme_report_jobs(database, scheme, Year.parse(YEAR), tmp_path, "pdf", load_profile(), body=CLARION)
    [written] = render_letters(jobs, workers=1)
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-r", "70", "-png", str(written.path), str(ARTEFACTS / "housing-report-page")],
                   check=True)
    assert sorted(p.name for p in ARTEFACTS.glob("housing-report-page-*.png")) == [
        "housing-report-page-1.png", "housing-report-page-2.png"]
