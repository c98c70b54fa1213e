"""What the site draws and says, checked in a real browser by computed styles and geometry (issue 19 parts 1, 2
and 6): trend lines are lines with a key that matches them, funnel plots carry a key and keep the highlighted
council inside the plot on a phone, the map's classes separate councils on a scale where darker is more fault, and
a rate with nothing behind it is said in words. Screenshots of each page kind at both widths go to tests/artefacts/.
"""

from __future__ import annotations

import re
from itertools import pairwise

import pytest
import test_site_browser as shared
from test_site_browser import ARTEFACTS, STEVENAGE, STEVENAGE_NAME, STEVENAGE_SLUG, WIDTHS, visit

from ombuds.stats import format as fmt
from ombuds.stats.summary import totals

site, browser = shared.site, shared.browser  # the served demo and the browser, shared with the key-path tests

playwright_api = pytest.importorskip("playwright.sync_api")


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
    hexes = styles(sized, "svg.hex-map polygon.hex")
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
    few = sized.locator("svg.hex-map a:has(polygon.band-few)")
    assert few.count() == sized.locator("svg.hex-map a:has(circle.hex-mark)").count()
    swatches = {s["cls"].split()[-1]: s["background"] for s in styles(sized, ".map-legend__swatch")}
    for number, fill in fills.items():
        assert fill in swatches[f"band-{number}"]
    legend = sized.locator(".map-legend li").all_inner_texts()
    assert sum(int(re.search(r"\((\d+)\)$", t)[1]) for t in legend) == len(hexes)
    values = {}
    held = data.year_statistics(data.year(site.latest))
    for a in sized.locator("svg.hex-map a").element_handles():
        record = held.get(a.get_attribute("data-code"))
        klass = a.query_selector("polygon").get_attribute("class")
        if record is not None and (n := re.search(r"band-(\d)", klass)):
            values.setdefault(int(n[1]), []).append(getattr(record, metric))
    ranks = [(min(v), max(v)) for _, v in sorted(values.items())]
    higher_is_worse = metric != "satisfactory_remedy_rate"
    for (low_a, high_a), (low_b, high_b) in pairwise(ranks):
        assert (high_a <= low_b) if higher_is_worse else (low_a >= high_b)


def test_home_headline_says_what_the_percentage_is_of(sized, site, data):
    visit(sized, site.url("/"))
    shot(sized, "home", ".headline-figures")
    national = totals(data.year_statistics(data.latest_year()).records)
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
    import json
    import urllib.request

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
