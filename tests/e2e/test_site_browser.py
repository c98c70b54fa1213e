"""The public site in a real browser (Debian Chromium driven by Playwright): the reader's key paths with JavaScript
on and off, axe-core accessibility checks and no sideways scrolling on a phone, and full-page screenshots.

The live app serves the synthetic demo (seed 2017) from a read-only SQLite file, with uvicorn on 127.0.0.1.
Screenshots go to tests/artefacts/ (test artefacts, not committed).
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
import urllib.request
from pathlib import Path

import pytest
import uvicorn

from conftest import demo_database
from ombuds.registry.postcodes import lookup_postcode
from ombuds.site.app import create_app
from ombuds.store import open_database

playwright_api = pytest.importorskip("playwright.sync_api")

REPOSITORY = Path(__file__).resolve().parents[2]
AXE = REPOSITORY / "node_modules/axe-core/axe.min.js"
ARTEFACTS = REPOSITORY / "tests/artefacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
SEED = 2017
STEVENAGE, STEVENAGE_SLUG, STEVENAGE_NAME = "E07000243", "stevenage-borough-council", "Stevenage Borough Council"
HERTFORDSHIRE = "E10000015"
STEVENAGE_POSTCODE = "SG1 1HN"
WIDTHS = (1000, 390)
HEX = 'svg.hex-map a[data-code="{}"]'


class Site:
    def __init__(self, base: str, years: list[str], data=None):
        self.base = base
        self.data = data  # the served app's SiteData
        self.years = years  # oldest first
        self.latest = years[-1]

    def url(self, path: str) -> str:
        return self.base + "/" + path.lstrip("/")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """The demo database served live by uvicorn in a background thread; stopped at the end of the session."""
    folder = tmp_path_factory.mktemp("browser-site")
    with demo_database(folder, SEED):
        pass
    database = open_database(f"sqlite:///{folder / 'demo.db'}", read_only=True)
    app = create_app(database)
    years = [y.label for y in app.state.site.years()]
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(base + "/", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if time.monotonic() > deadline or not thread.is_alive():
            server.should_exit = True
            raise RuntimeError(f"the site did not start on {base}")
        time.sleep(0.1)
    yield Site(base, years, app.state.site)
    server.should_exit = True
    thread.join(timeout=10)
    database.close()


@pytest.fixture(scope="session")
def browser():
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1000, "height": 800})
    yield context.new_page()
    context.close()


@pytest.fixture
def page_no_js(browser):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1000, "height": 800})
    yield context.new_page()
    context.close()


def visit(page, url: str):
    response = page.goto(url)
    assert response is not None and response.status == 200, f"{url} answered {response and response.status}"
    return response


def heading(page) -> str:
    return page.locator("h1").inner_text().strip()


def council_path(slug: str, year: str) -> str:
    return f"/councils/{slug}/{year}/"


def _earlier_year_link(page, site: Site):
    """The year switcher's link to the newest year before the latest one shown."""
    links = page.locator("nav.year-switch a")
    assert links.count() > 0, "the council page has no year switcher links"
    label = links.first.inner_text().strip()
    assert label in site.years and label != site.latest
    return links.first, label


# With JavaScript on


def test_js_hex_map_leads_to_the_council_page(page, site):
    visit(page, site.url("/"))
    hexes = page.locator("svg.hex-map a[data-code]")
    codes = hexes.evaluate_all("links => links.map(a => a.dataset.code)")
    assert len(codes) == len(set(codes)) > 100, "one hex per council"
    page.locator(HEX.format(STEVENAGE)).click()
    page.wait_for_url(site.url(council_path(STEVENAGE_SLUG, site.latest)))
    assert heading(page) == STEVENAGE_NAME


def test_js_year_switch(page, site):
    visit(page, site.url(council_path(STEVENAGE_SLUG, site.latest)))
    link, year = _earlier_year_link(page, site)
    link.click()
    page.wait_for_url(site.url(council_path(STEVENAGE_SLUG, year)))
    assert heading(page) == STEVENAGE_NAME
    assert page.locator('nav.year-switch [aria-current="page"]').inner_text().strip() == year
    assert year in page.title()


def test_js_tier_switch_changes_the_map(page, site):
    visit(page, site.url("/"))
    assert page.locator(HEX.format(STEVENAGE)).count() == 1
    assert page.locator(HEX.format(HERTFORDSHIRE)).count() == 0
    page.get_by_role("link", name="Counties and single-tier councils", exact=True).click()
    page.wait_for_url(re.compile(r"/map/[^/]+/upper/[^/]+/$"))
    assert page.locator(HEX.format(HERTFORDSHIRE)).count() == 1
    assert page.locator(HEX.format(STEVENAGE)).count() == 0


def _search_from_home(page, site: Site, text: str):
    visit(page, site.url("/"))
    page.locator("form.search-form input[name=q]").fill(text)
    page.locator("form.search-form button[type=submit]").click()


def test_js_search_by_name(page, site):
    """Needs /search/ (fails, not skips, if it is missing)."""
    _search_from_home(page, site, "Stevenage")
    page.wait_for_url(re.compile(r"/(search|councils)/"))
    if "/search/" in page.url:  # a list of matches rather than a redirect: follow the council's link
        page.get_by_role("link", name=STEVENAGE_NAME, exact=True).click()
    page.wait_for_url(site.url(council_path(STEVENAGE_SLUG, site.latest)))
    assert heading(page) == STEVENAGE_NAME


def test_js_search_by_postcode(page, site):
    """Needs /search/ (fails, not skips, if it is missing). A district postcode lists the district and county."""
    found = lookup_postcode(STEVENAGE_POSTCODE)
    assert found.kind == "found" and STEVENAGE in found.councils
    _search_from_home(page, site, STEVENAGE_POSTCODE)
    page.wait_for_url(re.compile(r"/(search|councils)/"))
    if "/search/" in page.url:
        results = page.locator("#search-results")
        results.get_by_role("link", name=STEVENAGE_NAME, exact=True).wait_for()
        if HERTFORDSHIRE in found.councils:
            assert results.get_by_role("link", name="Hertfordshire County Council", exact=True).count() == 1
        results.get_by_role("link", name=STEVENAGE_NAME, exact=True).click()
    page.wait_for_url(site.url(council_path(STEVENAGE_SLUG, site.latest)))
    assert heading(page) == STEVENAGE_NAME


# With JavaScript off


def test_no_js_hex_map_leads_to_the_council_page(page_no_js, site):
    page = page_no_js
    visit(page, site.url("/"))
    page.locator(HEX.format(STEVENAGE)).click()
    page.wait_for_url(site.url(council_path(STEVENAGE_SLUG, site.latest)))
    assert heading(page) == STEVENAGE_NAME


def test_no_js_year_switch(page_no_js, site):
    page = page_no_js
    visit(page, site.url(council_path(STEVENAGE_SLUG, site.latest)))
    link, year = _earlier_year_link(page, site)
    link.click()
    page.wait_for_url(site.url(council_path(STEVENAGE_SLUG, year)))
    assert heading(page) == STEVENAGE_NAME
    assert page.locator('nav.year-switch [aria-current="page"]').inner_text().strip() == year


def test_no_js_a_to_z_list_leads_to_a_council_page(page_no_js, site):
    page = page_no_js
    visit(page, site.url("/councils/"))
    link = page.locator("main a", has_text=re.compile(f"^{STEVENAGE_NAME}$")).first
    link.click()
    page.wait_for_url(re.compile(f"/councils/{STEVENAGE_SLUG}/"))
    assert heading(page) == STEVENAGE_NAME


def test_no_js_search_by_postcode(page_no_js, site):
    """The search form works without JavaScript: the server answers."""
    page = page_no_js
    _search_from_home(page, site, STEVENAGE_POSTCODE)
    page.wait_for_url(re.compile(r"/(search|councils)/"))
    if "/search/" in page.url:
        page.locator("#search-results").get_by_role("link", name=STEVENAGE_NAME, exact=True).click()
    page.wait_for_url(site.url(council_path(STEVENAGE_SLUG, site.latest)))
    assert heading(page) == STEVENAGE_NAME


# axe-core, phone layout and screenshots

CHECKED = {  # page name: path, given the latest year
    "home": lambda y: "/",
    "councils": lambda y: "/councils/",
    "council": lambda y: council_path(STEVENAGE_SLUG, y),
    "decisions": lambda y: council_path(STEVENAGE_SLUG, y) + "decisions/",
    "national": lambda y: f"/national/{y}/",
    "funnel": lambda y: f"/funnel/{y}/district/uphold_rate/",
    "data": lambda y: "/data/",
    "methods": lambda y: "/methods/",
    "search": lambda y: "/search/?q=SG1+1HN",
    "compare": lambda y: f"/compare/{STEVENAGE_SLUG}/",
    "compare-chosen": lambda y: "/compare/?council=Stevenage+Borough+Council&council=Hertfordshire+County+Council",
    "map": lambda y: f"/map/{y}/upper/compliance_rate/",
}


@pytest.fixture(scope="module")
def axe_contexts(browser):
    """One CSP-bypassing context per width (the site's CSP forbids the injected axe script)."""
    contexts = {width: browser.new_context(bypass_csp=True, viewport={"width": width, "height": 900})
                for width in WIDTHS}
    yield contexts
    for context in contexts.values():
        context.close()


OVERFLOW = """() => {
  const inner = window.innerWidth;
  const name = (e) => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") +
    (e.classList.length ? "." + [...e.classList].join(".") : "");
  const wide = [...document.body.querySelectorAll("*")].filter((e) => {
    const r = e.getBoundingClientRect();
    const parent = e.parentElement.getBoundingClientRect();
    return r.width > 0 && r.right > inner + 1 && parent.right <= inner + 1;
  }).slice(0, 8).map((e) =>
    `${name(e)} in ${name(e.parentElement)} (right edge ${Math.round(e.getBoundingClientRect().right)}px)`);
  return {scroll: document.documentElement.scrollWidth, inner, wide};
}"""


def _describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} [{v['helpUrl']}]")
        for node in v["nodes"][:10]:
            lines.append(f"    {json.dumps(node['target'])}: {node['html'][:160]}")
        if len(v["nodes"]) > 10:
            lines.append(f"    … and {len(v['nodes']) - 10} more")
    return "\n".join(lines)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", list(CHECKED))
def test_accessible_and_fits(axe_contexts, site, name, width):
    page = axe_contexts[width].new_page()
    try:
        visit(page, site.url(CHECKED[name](site.latest)))
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTEFACTS / f"{name}-{width}.png"), full_page=True)
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
        result = page.evaluate("async () => await axe.run()")
        overflow = page.evaluate(OVERFLOW)
    finally:
        page.close()
    violations = result["violations"]
    assert not violations, f"axe found {len(violations)} violations on {name} at {width}px:\n{_describe(violations)}"
    if width < 600:
        assert overflow["scroll"] <= overflow["inner"], (
            f"{name} scrolls sideways at {width}px: scrollWidth {overflow['scroll']} > {overflow['inner']}; "
            f"too wide: {'; '.join(overflow['wide'])}")
