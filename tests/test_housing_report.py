"""The landlord report (the Housing Ombudsman's letter equivalent), drawn from the scheme's own editions and layouts:
its text as pdftotext reads it, PDF/UA (tagged, titled, English, row headers), the year record attached as
statistics.json, reproducible bytes, a report only from five determinations, the CLI path and edition problems named
FILE: key: reason."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from dataclasses import replace
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import housing_database
from ombuds.errors import OmbudsError
from ombuds.letters.batch import render_letters
from ombuds.letters.editions import EditionError
from ombuds.letters.report import load_report_edition, report_edition, scheme_report_jobs
from ombuds.profile import load_profile
from ombuds.stats.measures_service import measures_service
from ombuds.years import Year

YEAR = Year.parse("2024-25")
CLARION = "clarion-housing-association"


@pytest.fixture(scope="module")
def housing(tmp_path_factory):
    folder = tmp_path_factory.mktemp("housing-report")
    yield from housing_database(folder)


def render(housing, out: Path, output_format: str = "pdf", body: str = "Clarion Housing Association") -> Path:
    scheme, database = housing
    jobs = scheme_report_jobs(database, scheme, YEAR, out, output_format, load_profile(), body=body)
    [written] = render_letters(jobs, workers=1)
    return written.path


def pdf_text(path: Path) -> str:
    text = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    return " ".join(text.replace("\u2019", "'").replace("\u00a0", " ").split())


def test_report_text_holds_the_formatted_figures(housing, tmp_path):
    text = pdf_text(render(housing, tmp_path))
    for expected in (
        "Landlord report 2024-25 Clarion Housing Association 30 September 2025",
        "This report sets out the determinations we published about Clarion Housing Association for the year from 1 "
        "April 2024 to 31 March 2025: 168 determinations, making 397 findings.",
        "For Clarion Housing Association it was 60%, against 69% for housing associations with 50,000 or more homes.",
        "Determinations 168 96.9", "Findings 397 225.6", "Maladministration rate 60% 69%",
        "Severe maladministration findings 6 10.3",
        "Severe maladministration 6 2%", "Maladministration 144 36%", "Outside jurisdiction 3 1%",
        "Complaint handling 123 59%", "Pest control 5 100%",
        "95% interval 55% to 65%",
        "The maladministration rate of Clarion Housing Association is 60% (it could plausibly be between 55% and "
        "65%); housing associations with 50,000 or more homes average 69%: below the expected range (outside the 95% "
        "limits).",
        "These figures cover the determinations the Ombudsman published only",
        "HousingOmbudsmanData, CC-BY-4.0",
    ):
        assert expected in text, expected


def test_report_is_pdf_ua_with_row_headers_and_the_record_attached(housing, tmp_path):
    scheme, database = housing
    path = render(housing, tmp_path)
    reader = PdfReader(path)
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/Lang"] == "en-GB" and bool(root["/MarkInfo"]["/Marked"])
    assert reader.metadata.title == "Landlord report 2024-25: Clarion Housing Association"
    assert "pdfuaid:part>1<" in reader.xmp_metadata.stream.get_data().decode("utf-8").replace('"', "<")
    raw = path.read_bytes()
    headers = len(re.findall(rb"/S/TH(?![a-z])", raw))
    assert headers - raw.count(b"/Scope/Row") == 3 + 3 + 3 + 2  # the four tables' column headings
    assert raw.count(b"/Scope/Row") == 4 + 6 + 10 + 3  # every row label a row header
    assert b"/S/Figure" in raw and b"/Alt" in raw  # the chart is a figure with its text alternative
    [attached] = reader.attachments["statistics.json"]
    record = measures_service(database, scheme).year(YEAR).get("HO-clarion-housing-association")
    assert json.loads(attached) == record.as_json(scheme)
    pages = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Pages: +2$", pages, re.M)


def test_same_input_same_bytes_and_html_says_the_same(housing, tmp_path):
    first = render(housing, tmp_path / "a").read_bytes()
    assert first == render(housing, tmp_path / "b").read_bytes()
    html = render(housing, tmp_path / "c", "html").read_text(encoding="utf-8")
    assert "<h1>Landlord report 2024-25</h1>" in html
    assert '<th scope="row">Maladministration rate</th><td data-label="This year">60%</td>' in html
    assert "<svg" in html and "Dear" not in html and "Yours sincerely" not in html


def test_reports_only_for_five_or_more_determinations(housing, tmp_path):
    scheme, database = housing
    jobs = scheme_report_jobs(database, scheme, YEAR, tmp_path, "pdf", load_profile())
    records = measures_service(database, scheme).year(YEAR).records
    assert len(jobs) == sum(1 for r in records if r.values["determinations"] >= 5) == 150
    small = next(r for r in records if r.values["determinations"] < 5)
    with pytest.raises(OmbudsError, match=f"{small.body.slug}: no landlord report for 2024-25: no such landlord has "
                                          "5 or more determinations"):
        scheme_report_jobs(database, scheme, YEAR, tmp_path, "pdf", load_profile(), body=small.body.slug)


def test_letters_command_writes_the_reports(housing, tmp_path):
    _, database = housing
    ombuds = str(Path(sys.executable).parent / "ombuds")
    done = subprocess.run([ombuds, "--db", database.url, "--scheme", "housing-ombudsman", "letters", "--year",
                           "2024-25", "--authority", "Hammersmith and Fulham", "--format", "html", "--out",
                           str(tmp_path)], capture_output=True, text=True)
    assert done.returncode != 0 and "no such landlord" in done.stderr  # a name must be the landlord's own
    done = subprocess.run([ombuds, "--db", database.url, "--scheme", "housing-ombudsman", "letters", "--year",
                           "2024-25", "--authority", "London Borough of Hammersmith and Fulham", "--out",
                           str(tmp_path)], capture_output=True, text=True, check=True)
    written = tmp_path / "london-borough-of-hammersmith-and-fulham-2024-25.pdf"
    assert done.stdout.strip() == str(written)
    assert "London Borough of Hammersmith and Fulham" in pdf_text(written)


def test_edition_and_layout_problems_name_file_key_and_reason(housing):
    scheme, _ = housing
    edition = tomllib.loads((scheme.folder / "editions/2024-25.toml").read_text(encoding="utf-8"))
    edition["section"][0]["paragraphs"].append("{uphold_rate} of {body}")
    with pytest.raises(EditionError) as found:
        load_report_edition(scheme, edition, "edition.toml")
    assert str(found.value).startswith("edition.toml: section[1].paragraphs: unknown placeholder {uphold_rate}; known:")
    layout = dict(scheme.layouts["landlord-report"])
    layout["sections"] = [{**layout["sections"][0], "measures": ["determinations", "uphold_rate"]},
                          {"kind": "labels", "heading": "x", "caption": "x", "measure": "findings_total"}]
    broken = replace(scheme, layouts={**scheme.layouts, "landlord-report": layout})
    with pytest.raises(EditionError) as found:
        report_edition(broken, "2024-25")
    assert str(found.value).splitlines() == [
        f"{scheme.folder}/layouts/landlord-report.toml: sections[1].measure: no measure 'uphold_rate' in measures.toml",
        f"{scheme.folder}/layouts/landlord-report.toml: sections[2].measure: measure 'findings_total' cannot be "
        "shown in a 'labels' section"]
    with pytest.raises(OmbudsError, match="has no landlord report edition for 2023-24; it has 2024-25"):
        report_edition(scheme, "2023-24")
