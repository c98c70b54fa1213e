"""The public site in a real browser (Debian Chromium driven by Playwright): the reader's key paths with JavaScript
on and off, axe-core accessibility checks and no sideways scrolling on a phone, full-page screenshots, and what the
charts, map and tables draw, checked by computed styles and geometry.

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
from itertools import pairwise
from pathlib import Path

import pytest
import uvicorn

from conftest import demo, demo_database
from ombuds.registry import registry_of
from ombuds.registry.postcodes import lookup_postcode
from ombuds.schemes import load_scheme
from ombuds.site.app import create_app
from ombuds.stats import format as fmt
from ombuds.stats.bands import SMALL_BASE
from ombuds.stats.summary import totals
from ombuds.store import open_database
from ombuds.years import Year

playwright_api = pytest.importorskip("playwright.sync_api")

REPOSITORY = Path(__file__).resolve().parents[2]
AXE = REPOSITORY / "node_modules/axe-core/axe.min.js"
ARTEFACTS = REPOSITORY / "tests/artefacts"
SEED = 2017
STEVENAGE, STEVENAGE_SLUG, STEVENAGE_NAME = "E07000243", "stevenage-borough-council", "Stevenage Borough Council"
HERTFORDSHIRE = "E10000015"
STEVENAGE_POSTCODE = "SG1 1HN"
WIDTHS = (1000, 390)
HEX = 'svg.hex-map:not(.hex-map--inset) a[data-code="{}"]'


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
    app = create_app(database, demo())
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
    hexes = page.locator("svg.hex-map:not(.hex-map--inset) a[data-code]")
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
    lgsco = load_scheme("lgsco")
    found = lookup_postcode(STEVENAGE_POSTCODE, registry_of(lgsco), lgsco.elsewhere)
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


# What the site draws and says (issue 19 parts 1, 2, 5, 6 and 7), checked by computed styles and geometry: trend
# lines are lines with a key that matches them, funnel plots carry a key and keep the highlighted council inside
# the plot on a phone, the map's classes separate councils on a scale where darker is more fault, a rate with
# nothing behind it is said in words, councils compare side by side, tables sort. Detail screenshots go beside the
# full-page ones in tests/artefacts/.



@pytest.fixture(scope="module")
def data(site):
    return site.data


@pytest.fixture(params=WIDTHS)
def sized(browser, request):
    context = browser.new_context(viewport={"width": request.param, "height": 900})
    page = context.new_page()
    page.width = request.param
    yield page
    context.close()


def shot(page, name: str, detail: str | None = None) -> None:
    """The whole page, and the first element `detail` selects alone (a long page's full shot is hard to read)."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / f"{name}-{page.width}.png"), full_page=True)
    if detail:
        page.locator(detail).first.screenshot(path=str(ARTEFACTS / f"{name}-detail-{page.width}.png"))


STYLE = """(selector) => [...document.querySelectorAll(selector)].map((e) => {
  const s = getComputedStyle(e); const r = e.getBoundingClientRect();
  return {cls: e.getAttribute("class"), fill: s.fill, stroke: s.stroke, width: parseFloat(s.strokeWidth),
          dash: s.strokeDasharray, background: s.backgroundImage + " " + s.backgroundColor,
          box: [r.left, r.top, r.right, r.bottom], text: e.textContent};
})"""


def styles(page, selector: str) -> list[dict]:
    return page.evaluate(STYLE, selector)


def test_trend_lines_are_lines_with_a_key_that_matches_them(sized, site):
    visit(sized, site.url(f"/councils/{STEVENAGE_SLUG}/{site.latest}/"))
    shot(sized, "council", ".trend-figure")
    charts = sized.locator("svg.fair-chart[aria-labelledby^='trend-']")
    assert charts.count() == 3
    for index in range(charts.count()):
        chart_id = charts.nth(index).get_attribute("aria-labelledby").split("-title")[0]
        lines = styles(sized, f"svg[aria-labelledby^='{chart_id}-title'] polyline.trend-line")
        keys = styles(sized, f"svg[aria-labelledby^='{chart_id}-title'] .chart-key line")
        labels = [t["text"] for t in styles(sized, f"svg[aria-labelledby^='{chart_id}-title'] .chart-key text")]
        assert lines, f"{chart_id} draws no line"
        for line in lines:
            assert line["fill"] == "none", f"{chart_id}: {line['cls']} is filled with {line['fill']}"
            assert line["stroke"] not in ("none", "") and line["width"] >= 2
        assert STEVENAGE_NAME in labels and "Average for district councils" in labels
        key_by_class = {k["cls"]: k for k in keys}
        for line in lines:
            key = key_by_class[line["cls"]]
            assert (key["stroke"], key["dash"], key["fill"]) == (line["stroke"], line["dash"], line["fill"])
        own = key_by_class["trend-line trend-line--own"]
        average = key_by_class["trend-line trend-line--average"]
        assert (own["stroke"], own["dash"]) != (average["stroke"], average["dash"])


TREND_RATES = ("uphold_rate", "satisfactory_remedy_rate", "compliance_rate")  # the council page's charts, in order


@pytest.mark.parametrize("which", ["older", "latest"])
def test_a_years_trend_charts_end_at_that_year(sized, site, which):
    """A council's page for a year is that year's statistics: its trend charts and tables show the years up to it
    (2017-18 to 2019-20 on the 2019-20 page, every year on the latest year's), say so in their headings and titles,
    and an older year's page says where every year is shown. Each chart draws one point per year shown for the
    council and for the average, left to right, the latest year shown at the right end, inside the chart."""
    year = site.years[2] if which == "older" else site.latest
    shown = site.years[:site.years.index(year) + 1]
    span = f"{shown[0]} to {shown[-1]}"
    stevenage = site.data.by_slug(STEVENAGE_SLUG)
    visit(sized, site.url(council_path(STEVENAGE_SLUG, year)))
    shot(sized, f"council-trend-{which}", ".trend-figure")
    names = [fmt.RATE_NAMES[rate] for rate in TREND_RATES]
    headings = [h.strip() for h in sized.locator("h2:has-text('Over the years') ~ h3").all_inner_texts()]
    assert headings[:3] == [f"The {name}, {span}" for name in names]
    note = sized.locator("h2:has-text('Over the years') + p")
    if which == "older":
        assert note.inner_text().strip() == (f"This page is about {year}, so its charts and tables stop at {year}. "
                                             f"{STEVENAGE_NAME} in {site.latest} shows every year to {site.latest}.")
        assert note.locator("a").get_attribute("href") == council_path(STEVENAGE_SLUG, site.latest)
    else:
        assert note.count() == 0 or not note.inner_text().startswith("This page is about")
    charts = sized.locator("svg.fair-chart[aria-labelledby^='trend-']")
    assert charts.count() == 3
    every_other = shown if len(shown) <= 5 else shown[len(shown) - 1::-2][::-1]
    for index, name in enumerate(names):
        chart = charts.nth(index)
        assert chart.locator("title").first.text_content() == f"{STEVENAGE_NAME}: the {name} by year, {span}"
        assert chart.locator("text.chart-axis[text-anchor='middle']").all_text_contents() == every_other
        box = chart.bounding_box()
        rate = TREND_RATES[index]
        records = [site.data.record(stevenage, Year.parse(y)) for y in shown]
        held = {"own": [getattr(r, rate) for r in records], "average": [getattr(r.average, rate) for r in records]}
        for series, values in held.items():
            points = [p["box"] for p in styles(sized, f"svg[aria-labelledby^='trend-{rate}-title'] "
                                                      f"circle.trend-point--{series}")]
            assert len(points) == len([v for v in values if v is not None]) > 0, f"{name}: {series}"
            centres = [(left + right) / 2 for left, _, right, _ in points]
            assert centres == sorted(centres) and len(set(centres)) == len(centres)
            for left, top, right, bottom in points:
                assert box["x"] <= left and right <= box["x"] + box["width"]
                assert box["y"] <= top and bottom <= box["y"] + box["height"]
        caption = sized.locator(f"caption:has-text('The {name} by year, {span}')")
        rows = caption.locator("xpath=..").locator("tbody tr th").all_inner_texts()
        assert [r.split()[0] for r in rows] == shown


def test_funnel_has_a_key_and_keeps_the_highlighted_council_inside(sized, site):
    visit(sized, site.url(f"/funnel/{site.latest}/district/uphold_rate/?highlight={STEVENAGE}"))
    shot(sized, "funnel", ".funnel-figure")
    chart = styles(sized, "svg.fair-chart")[0]["box"]
    point = styles(sized, "circle.funnel-point--highlight:not(.chart-key circle)")
    assert len(point) == 1
    left, top, right, bottom = point[0]["box"]
    assert chart[0] <= left and right <= chart[2] and chart[1] <= top and bottom <= chart[3]
    assert right - left >= 8, "the highlighted council is too small to see"
    keys = {k["cls"]: k for k in styles(sized, ".chart-key line")}
    for css in ("funnel-target", "funnel-limit funnel-limit--95", "funnel-limit funnel-limit--99-8"):
        drawn = styles(sized, f"svg.fair-chart > .{css.split()[-1]}")
        assert drawn and (keys[css]["stroke"], keys[css]["dash"]) == (drawn[0]["stroke"], drawn[0]["dash"])
    assert keys["funnel-limit funnel-limit--95"]["dash"] != keys["funnel-limit funnel-limit--99-8"]["dash"]
    key_text = [t["text"] for t in styles(sized, ".chart-key text")]
    assert key_text == ["Average", "95% limits (outside: unlikely by chance)", "99.8% limits (very unlikely)",
                        STEVENAGE_NAME]
    for text in styles(sized, ".chart-key text"):
        assert text["box"][2] <= chart[2], f"the key's '{text['text']}' runs past the chart's edge"
    assert "Investigations (square-root scale)" in sized.locator("svg.fair-chart").text_content()
    headers = [h.strip() for h in sized.locator("table thead th").all_inner_texts()]
    assert headers == ["Council", "Investigations", "Upheld", "Uphold rate", "Compared with the average"]
    smallest = min(box["bottom"] - box["top"] for box in
                   sized.evaluate("() => [...document.querySelectorAll('svg.fair-chart text')].map("
                                  "(t) => t.getBoundingClientRect().toJSON())"))
    assert smallest >= 9, f"axis text is drawn {smallest:.1f} px high at {sized.width} px"


def _rgb(colour: str) -> tuple[int, ...]:
    return tuple(int(v) for v in re.findall(r"\d+", colour)[:3])


def _luminance(colour: str) -> float:
    r, g, b = (c / 255 for c in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


@pytest.mark.parametrize("metric", ["uphold_rate", "satisfactory_remedy_rate", "upheld_per_100k"])
def test_map_classes_separate_councils_and_darker_is_more_fault(sized, site, data, metric):
    visit(sized, site.url(f"/map/{site.latest}/lower/{metric}/"))
    shot(sized, f"map-{metric}", ".map-figure")
    hexes = styles(sized, "svg.hex-map:not(.hex-map--inset) polygon.hex")
    coloured = [h for h in hexes if re.search(r"band-\d", h["cls"])]
    counts: dict[int, int] = {}
    fills: dict[int, str] = {}
    for h in coloured:
        number = int(re.search(r"band-(\d)", h["cls"])[1])
        counts[number] = counts.get(number, 0) + 1
        fills[number] = h["fill"]
    assert len(counts) == 5 and max(counts.values()) * 3 <= len(coloured), counts
    lightness = [_luminance(fills[n]) for n in sorted(fills)]
    assert lightness == sorted(lightness, reverse=True) and len(set(lightness)) == 5
    assert _rgb(fills[1]) != (255, 255, 255) and all(_rgb(h["stroke"]) != (255, 255, 255) for h in hexes)
    few = sized.locator("svg.hex-map:not(.hex-map--inset) a:has(polygon.band-few)")
    assert few.count() == sized.locator("svg.hex-map:not(.hex-map--inset) a:has(circle.hex-mark)").count()
    swatches = {s["cls"].split()[-1]: s["background"] for s in styles(sized, ".map-legend__swatch")}
    for number, fill in fills.items():
        assert fill in swatches[f"band-{number}"]
    legend = sized.locator(".map-legend li").all_inner_texts()
    assert sum(int(re.search(r"\((\d+)\)$", t)[1]) for t in legend) == len(hexes)
    values = {}
    held = data.year_statistics(data.year(site.latest))
    for a in sized.locator("svg.hex-map:not(.hex-map--inset) a").element_handles():
        record = held.get(a.get_attribute("data-code"))
        klass = a.query_selector("polygon").get_attribute("class")
        if record is not None and (n := re.search(r"band-(\d)", klass)):
            values.setdefault(int(n[1]), []).append(getattr(record, metric))
    ranks = [(min(v), max(v)) for _, v in sorted(values.items())]
    inset = sized.locator("svg.hex-map--inset")
    labels = inset.locator("text.hex-short").all_text_contents()
    assert len(labels) == len(set(labels)) == 33 and {"KC", "Cam", "Hrn", "Hrr", "CL"} <= set(labels)
    for text in styles(sized, "svg.hex-map--inset text.hex-short"):
        assert text["box"][2] - text["box"][0] >= 8, "an inset label is too small to read"
    for link in inset.locator("a").element_handles():
        code = link.get_attribute("data-code")
        main = sized.locator(f'svg.hex-map:not(.hex-map--inset) a[data-code="{code}"] polygon')
        assert link.query_selector("polygon").get_attribute("class") == main.get_attribute("class")
    higher_is_worse = metric != "satisfactory_remedy_rate"
    for (low_a, high_a), (low_b, high_b) in pairwise(ranks):
        assert (high_a <= low_b) if higher_is_worse else (low_a >= high_b)


def test_compliance_map_gives_councils_that_complied_with_everything_a_class_of_their_own(sized, site, data):
    """Nearly every council complies with every recommendation, so no class of similar size can hold a third: they
    are the lightest class, named in words with their count, and the rest are classed among themselves."""
    year = data.year(site.latest)
    visit(sized, site.url(f"/map/{site.latest}/lower/compliance_rate/"))
    shot(sized, "map-compliance_rate", ".map-figure")
    hexes = styles(sized, "svg.hex-map:not(.hex-map--inset) polygon.hex")
    numbers = [int(n[1]) for h in hexes if (n := re.search(r"band-(\d)", h["cls"]))]
    held = data.year_statistics(year)
    smallest = SMALL_BASE if data.profile.minimum_denominator is None else data.profile.minimum_denominator
    complete = [a for a in sized.locator("svg.hex-map:not(.hex-map--inset) a").element_handles()
                if (r := held.get(a.get_attribute("data-code"))) is not None and r.compliance_rate == 1
                and r.compliance.recorded >= smallest]
    assert numbers.count(1) == len(complete) > len(numbers) / 3
    legend = sized.locator(".map-legend li").all_inner_texts()
    assert legend[0] == f"All recommendations complied with ({len(complete)})"
    below = len(numbers) - len(complete)
    assert sized.locator(".map-legend__lead").inner_text() == (
        f"Key: {len(complete)} of the {len(numbers)} councils coloured complied with every recommendation, so they "
        "are one class of their own, the lightest: with so many alike, no split into groups of similar size could "
        f"keep them apart. The other classes split the {below} that did not by their rate; darker means fewer "
        "recommendations complied with.")
    fills = {n: h["fill"] for h in hexes if (n := int(m[1]) if (m := re.search(r"band-(\d)", h["cls"])) else 0)}
    lightness = [_luminance(fills[n]) for n in sorted(fills)]
    assert lightness == sorted(lightness, reverse=True) and len(set(lightness)) == len(fills)
    swatches = {s["cls"].split()[-1]: s["background"] for s in styles(sized, ".map-legend__swatch")}
    assert all(fill in swatches[f"band-{n}"] for n, fill in fills.items())
    assert max(numbers.count(n) for n in set(numbers) - {1}) * 3 <= below + 2  # classes of similar size below


def test_home_headline_says_what_the_percentage_is_of(sized, site, data):
    visit(sized, site.url("/"))
    shot(sized, "home", ".headline-figures")
    held = data.year_statistics(data.latest_year())
    national = totals(held.records, held.labels.measures)
    upheld = sized.locator(".headline-figures div", has_text="Upheld").inner_text()
    assert upheld.split("\n") == ["Upheld", fmt.percent(national.uphold_rate),
                                  f"of {fmt.number(national.detailed_investigations)} detailed investigations"]


def test_a_rate_with_nothing_behind_it_is_said_in_words(sized, site, data):
    year = data.latest_year()
    found = next(r for r in data.year_statistics(year).records
                 if r.investigated == 0 and r.authority.type != "Other" and r.upheld == 0)
    authority = data.authorities.get(found.authority.code)
    visit(sized, site.url(f"/councils/{authority.slug}/{year.label}/"))
    text = sized.locator("main").inner_text()
    name = authority.name
    assert f"We did not investigate any complaints about {name}, so there is no uphold rate." in text
    assert f"We upheld no complaints about {name}, so there is no satisfactory remedy rate." in text
    assert "of complaints we investigated were upheld" not in text
    assert "of upheld cases we found" not in text


def test_a_council_page_opens_on_its_last_year_not_after_its_abolition(site, data, browser):
    abolished = next(a for a in data.authorities
                     if a.end_date is not None and data.years_of(a)
                     and not a.current_in(data.years_of(a)[-1]) and any(a.current_in(y) for y in data.years_of(a)))
    last = [y for y in data.years_of(abolished) if abolished.current_in(y)][-1]
    context = browser.new_context()
    page = context.new_page()
    visit(page, site.url(f"/councils/{abolished.slug}/"))
    assert page.url.endswith(f"/councils/{abolished.slug}/{last.label}/")
    context.close()


def test_compare_a_council_with_its_similar_councils(sized, site, data):
    visit(sized, site.url(f"/councils/{STEVENAGE_SLUG}/{site.latest}/"))
    sized.get_by_role("link", name=f"Compare {STEVENAGE_NAME} with similar councils").click()
    assert sized.url.endswith(f"/compare/{STEVENAGE_SLUG}/")
    shot(sized, "compare", ".compare-table")
    held = data.year_statistics(data.latest_year())
    own = held.get(STEVENAGE).population
    districts = sorted((abs(r.population - own), r.authority.name) for r in held.records
                       if r.authority.type == "District" and r.authority.code != STEVENAGE and r.population)
    names = [t.strip() for t in sized.locator(".compare-table").first.locator("thead th").all_inner_texts()]
    assert names == ["Year", STEVENAGE_NAME, *(name for _, name in districts[:5])]
    record = held.get(STEVENAGE)
    low, high = record.interval.uphold_rate
    cell = sized.locator(".compare-table").first.locator("tbody tr").last.locator("td").first.inner_text()
    assert cell == (f"{fmt.percent(record.uphold_rate)} ({fmt.percent(low)} to {fmt.percent(high)}) of "
                    f"{fmt.counted(record.investigated, 'investigation')}")
    with sized.expect_download() as download:
        sized.get_by_role("link", name="CSV").click()
    assert download.value.suggested_filename == f"{STEVENAGE_SLUG}-and-similar-councils.csv"


def test_tables_sort_by_a_column_when_its_heading_is_pressed(browser, site):
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    page = context.new_page()
    visit(page, site.url(f"/funnel/{site.latest}/district/uphold_rate/"))
    table = page.locator("table[data-sortable]")
    before = table.locator("tbody tr th").all_inner_texts()
    assert before == sorted(before)  # A to Z as served
    table.get_by_role("button", name="Investigations").click()
    counts = [int(t.replace(",", "")) for t in table.locator("tbody tr td:nth-child(2)").all_inner_texts()]
    assert counts == sorted(counts) and len(set(counts)) > 1
    assert table.locator("th[aria-sort]").inner_text().strip().startswith("Investigations")
    assert table.locator("th[aria-sort]").get_attribute("aria-sort") == "ascending"
    table.get_by_role("button", name="Investigations").click()
    again = [int(t.replace(",", "")) for t in table.locator("tbody tr td:nth-child(2)").all_inner_texts()]
    assert again == sorted(counts, reverse=True)
    assert sorted(table.locator("tbody tr th").all_inner_texts()) == sorted(before)
    context.close()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    visit(page, site.url(f"/funnel/{site.latest}/district/uphold_rate/"))
    assert page.locator("table[data-sortable] button").count() == 0
    assert page.locator("table[data-sortable] tbody tr").count() == len(before)
    context.close()


def test_the_national_table_by_type_fits_at_1000_px(browser, site):
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    page = context.new_page()
    visit(page, site.url(f"/national/{site.latest}/"))
    region = page.locator("div.table-scroll:has(#by-type)")
    widths = region.evaluate("(e) => [e.scrollWidth, e.clientWidth]")
    assert widths[0] <= widths[1], f"the table is {widths[0]} px wide in a {widths[1]} px column"
    assert page.locator("#by-type thead th").last.inner_text().strip() == "Compliance rate"
    context.close()


def test_the_data_page_describes_the_dataset_without_breaking_the_csp(browser, site):
    context = browser.new_context()
    page = context.new_page()
    complaints: list[str] = []
    page.on("console", lambda message: complaints.append(message.text))
    visit(page, site.url("/data/"))
    [block] = page.locator('script[type="application/ld+json"]').all_text_contents()
    dataset = json.loads(block)
    assert dataset["@type"] == "Dataset" and dataset["spatialCoverage"] == "England"
    assert dataset["temporalCoverage"] == f"{site.years[0][:4]}-04-01/20{site.latest[-2:]}-03-31"
    base = site.data.profile.base_url
    for distribution in dataset["distribution"][:4]:
        with urllib.request.urlopen(site.url(distribution["contentUrl"].removeprefix(base))) as response:
            assert response.status == 200
    assert not [c for c in complaints if "Content Security Policy" in c], complaints
    canonical = page.locator('link[rel="canonical"]').get_attribute("href")
    assert canonical == base + "data/"
    context.close()
