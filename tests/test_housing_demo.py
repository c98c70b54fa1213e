"""`ombuds --scheme housing-ombudsman demo`: the shipped real data imported (refused rows written, not dropped), the
2024-25 landlord reports rendered and the static site built (serving is the same app as `serve`, tested there)."""

from __future__ import annotations

import csv

from ombuds.demo.measures import run_measures_demo
from ombuds.settings import make_settings
from ombuds.store import open_database


def test_demo_imports_renders_the_reports_and_builds_the_site(tmp_path):
    said: list[str] = []
    database = open_database(f"sqlite:///{tmp_path / 'housing.db'}")
    settings = make_settings("housing-ombudsman", None, None, None)
    run_measures_demo(database, settings, tmp_path / "out", echo=said.append)
    database.close()
    assert "  findings: 15,700 new, 0 changed, 0 unchanged" in said
    assert "  115 rows refused, not imported" in said
    with open(tmp_path / "out/rejects.csv", encoding="utf-8", newline="") as f:
        assert len(list(csv.DictReader(f))) == 115
    reports = tmp_path / "out/reports/2024-25"
    assert len(list(reports.glob("*.pdf"))) == len(list(reports.glob("*.html"))) == 150
    assert f"  2024-25: 150 landlord reports as PDF and HTML in {reports}/" in said
    site = tmp_path / "out/site"
    assert (site / "landlords/clarion-housing-association/2024-25/index.html").is_file()
    assert (site / "landlords/clarion-housing-association/2024-25/report.pdf").is_file()
    assert any(line.startswith("  1,944 pages, 548 redirects") for line in said)
