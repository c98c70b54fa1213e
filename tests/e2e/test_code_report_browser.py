"""The code report in real headless Chromium: axe-core at 1000 px and 390 px, no sideways scrolling at 390 px, and
its PDF pages drawn by pdftoppm. Screenshots and page images go to tests/artefacts/code-report/ (not committed)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from test_site_browser import AXE, OVERFLOW, _describe

from conftest import LGSCO
from ombuds.code_report import write_report
from ombuds.ingest import import_files
from ombuds.profile import load_profile
from ombuds.stats.code_report import code_report, resolve_body
from ombuds.store import open_database
from ombuds.years import Year

playwright_api = pytest.importorskip("playwright.sync_api")

REPOSITORY = Path(__file__).resolve().parents[2]
ARTEFACTS = REPOSITORY / "tests" / "artefacts" / "code-report"
EXAMPLES = REPOSITORY / "examples"


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("code-report")
    database = open_database(f"sqlite:///{folder / 'o.db'}")
    import_files(database, [EXAMPLES / "own-complaints.csv", EXAMPLES / "self-assessment.csv"], scheme=LGSCO)
    record = code_report(database, Year(2025), resolve_body("Stevenage", LGSCO), scheme=LGSCO)
    database.close()
    response = (EXAMPLES / "governing-body-response.md").read_text(encoding="utf-8")
    written = write_report(record, load_profile(), folder / "out", response=response)
    return {path.suffix: path for path in written}


@pytest.mark.parametrize("width", (1000, 390))
def test_the_html_report_is_accessible_and_fits(browser, report, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        page.goto(report[".html"].as_uri())
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTEFACTS / f"report-{width}.png"), full_page=True)
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
        result = page.evaluate("async () => await axe.run()")
        overflow = page.evaluate(OVERFLOW)
        headings = page.eval_on_selector_all("h2", "els => els.map(e => e.textContent)")
    finally:
        context.close()
    violations = result["violations"]
    assert not violations, f"axe: {len(violations)} violations at {width}px:\n{_describe(violations)}"
    assert overflow["scroll"] <= overflow["inner"], json.dumps(overflow)
    assert headings == ["Summary", "Complaints received and answered", "Timeliness against the code",
                        "By service area", "Outcomes", "From stage 1 to the ombudsman",
                        "Learning and service improvements", "Findings of fault by the ombudsman",
                        "Self-assessment against the code", "The ombudsman's annual review letter",
                        "The governing body's response"]


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler's pdftoppm is not installed")
def test_the_pdf_report_pages_are_drawn(report):
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTEFACTS.glob("pdf-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(report[".pdf"]), str(ARTEFACTS / "pdf")], check=True)
    pages = sorted(ARTEFACTS.glob("pdf-*.png"))
    assert len(pages) == 5
    text = subprocess.run(["pdftotext", "-layout", str(report[".pdf"]), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Complaints performance and service improvement" in text and "1 April 2025 to 31 March 2026" in text
    assert "Complaints to the ombudsman" in text and "not known" in text
