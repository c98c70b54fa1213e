"""The invented third scheme (tests/schemes/valleys-ombudsman/: its words, measures, report edition and layout as
data only) drawn by the same pages and report as the Housing Ombudsman's, with no Python of its own."""

from __future__ import annotations

import re
import subprocess

import pytest
from fastapi.testclient import TestClient

from conftest import write_csv
from ombuds.ingest.records import import_records
from ombuds.letters.batch import render_letters
from ombuds.letters.report import scheme_report_jobs
from ombuds.profile import load_profile
from ombuds.schemes import load_scheme
from ombuds.settings import make_settings
from ombuds.site.app import create_app
from ombuds.store import open_database
from ombuds.years import Year
from test_third_scheme import FOLDER, HEADER, ROWS


@pytest.fixture(scope="module")
def valleys(tmp_path_factory):
    folder = tmp_path_factory.mktemp("valleys")
    scheme = load_scheme(FOLDER)
    database = open_database(f"sqlite:///{folder / 'valleys.db'}")
    import_records(database, scheme, [write_csv(folder / "closed.csv", HEADER, ROWS)])
    yield scheme, database
    database.close()


def test_its_pages_use_its_words_and_measures(valleys):
    scheme, database = valleys
    settings = make_settings(scheme.folder, None, None, None)
    client = TestClient(create_app(open_database(database.url, read_only=True), settings))
    page = client.get("/authorities/aber-county-council/2023-24/").text
    assert "<h1 class=\"govuk-heading-xl\">Aber County Council</h1>" in page
    figures = dict(re.findall(r'id="figures-([a-z_0-9]+)">([^<]*)<', page))
    assert figures == {"complaints": "3", "interventions": "2", "intervention_rate": "67%",
                       "complaints_per_1000": "0 per 1,000 residents"}
    assert "the average for <strong>councils</strong>: 2 authorities" in page
    assert "Invented figures for testing." in page and "Made up for ombuds&#39; tests." in page
    assert 'href="/authorities/aber-county-council/2023-24/report.pdf"' in page  # 3 complaints: its minimum
    assert client.get("/authorities/").status_code == 200
    assert "All authorities" in client.get("/national/2023-24/").text
    bryn = client.get("/authorities/bryn-county-borough-council/2023-24/").text
    assert "report.pdf" not in bryn  # 1 complaint: no annual letter


def test_its_report_is_drawn_from_its_own_edition_and_layout(valleys, tmp_path):
    scheme, database = valleys
    jobs = scheme_report_jobs(database, scheme, Year(2023), tmp_path, "pdf", load_profile())
    assert [job.authority.name for job in jobs] == ["Aber County Council"]
    [written] = render_letters(jobs, workers=1)
    text = " ".join(subprocess.run(["pdftotext", "-layout", str(written.path), "-"], capture_output=True, text=True,
                                   check=True).stdout.replace("\u00a0", " ").split())
    for expected in ("Annual letter 2023/24 Aber County Council 28 June 2024",
                     "We closed 3 complaints about Aber County Council this year and intervened in 67% of them (all "
                     "councils: 50%).",
                     "Your figures in 2023-24", "Complaints about Aber County Council, 2023-24",
                     "Complaints closed 3 2", "Intervention rate 67% 50%",
                     "Health 1", "Housing 2", "Intervention rate beside other councils"):
        assert expected in text, expected
