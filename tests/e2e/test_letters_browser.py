"""HTML letters in real headless Chromium: every layout, for a council with many cases and one with none, passes
axe-core at 1000 px and 390 px, and reads at 390 px and 320 px with no sideways scrolling (tables stack). Screenshots
go to tests/artefacts/letters/ (not committed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_site_browser import AXE, OVERFLOW, _describe

from test_letter_design import LAYOUT_YEARS, MANY, NONE, design_db, letters  # noqa: F401 - fixtures

playwright_api = pytest.importorskip("playwright.sync_api")

ARTEFACTS = Path(__file__).resolve().parents[1] / "artefacts" / "letters"
WIDTHS = (1000, 390, 320)


@pytest.fixture(scope="module")
def contexts(browser):
    made = {width: browser.new_context(viewport={"width": width, "height": 900}) for width in WIDTHS}
    yield made
    for context in made.values():
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", [MANY, NONE])
@pytest.mark.parametrize("year", LAYOUT_YEARS)
def test_html_letter_is_accessible_and_fits(contexts, letters, year, name, width):  # noqa: F811
    path = letters[year, name, "html"]
    page = contexts[width].new_page()
    try:
        page.goto(path.as_uri())
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTEFACTS / f"{path.stem}-{width}.png"), full_page=True)
        result = None
        if width != 320:
            page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
            result = page.evaluate("async () => await axe.run()")
        overflow = page.evaluate(OVERFLOW)
        family = page.evaluate("() => getComputedStyle(document.body).fontFamily")
    finally:
        page.close()
    if result is not None:
        violations = result["violations"]
        assert not violations, f"axe: {len(violations)} violations at {width}px:\n{_describe(violations)}"
    assert overflow["scroll"] <= overflow["inner"], json.dumps(overflow)
    assert family.startswith('"DejaVu Sans"')
