"""The open data as a Frictionless Data Package: every download described by a Table Schema that `frictionless
validate` passes (CSV and XLSX alike), one column set for every year and for the all-years file, booleans as
true/false, and each download named with its year."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient

from builders import WORDS, Cases
from conftest import LGSCO
from ombuds.ingest import import_files
from ombuds.site.app import create_app
from ombuds.stats.downloads import fixed_columns
from ombuds.store import open_database

frictionless = pytest.importorskip("frictionless")


@pytest.fixture(scope="module")
def client(demo_settings, tmp_path_factory):
    folder = tmp_path_factory.mktemp("datapackage")
    cases = Cases(folder, "D")
    cases.decided("Stevenage", "2023-10-01", {"Upheld": 3, "Not Upheld": 1}, satisfactory_remedies=1)
    cases.decided("Stevenage", "2024-10-01", {"Upheld": 1, "Not Upheld": 5})
    cases.decided("Allerdale", "2022-06-01", {"Upheld": 1})
    cases.compliance("Stevenage", "2023-11-01", on_time=2)
    url = f"sqlite:///{folder / 'site.db'}"
    import_files(open_database(url), cases.files(), scheme=LGSCO)
    with TestClient(create_app(open_database(url, read_only=True), demo_settings)) as test_client:
        yield test_client


def _header(client, path: str) -> list[str]:
    return next(csv.reader(io.StringIO(client.get(path).text)))


def test_frictionless_validates_every_download_in_the_package(client, tmp_path):
    package = client.get("/data/datapackage.json").json()
    (tmp_path / "datapackage.json").write_bytes(client.get("/data/datapackage.json").content)
    paths = [r["path"] for r in package["resources"]]
    assert sorted(paths) == sorted(f"{stem}.{ext}" for stem in ("2022-23/statistics", "2023-24/statistics",
                                                               "2024-25/statistics", "statistics")
                                   for ext in ("csv", "xlsx", "json"))
    for path in paths:
        target = tmp_path / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(client.get(f"/data/{path}").content)
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    problems = [(task.name, error.type, error.note) for task in report.tasks for error in task.errors]
    assert report.valid, problems[:10]
    assert len(report.tasks) == 12


def test_every_year_and_the_all_years_file_share_one_column_set(client):
    headers = [_header(client, f"/data/{y}/statistics.csv") for y in ("2022-23", "2023-24", "2024-25")]
    headers.append(_header(client, "/data/statistics.csv"))
    columns = fixed_columns(WORDS)
    assert all(h == list(columns) for h in headers)
    assert len(columns) == 69 and "funnel" not in columns and "change.uphold_rate" not in columns


def test_booleans_are_true_or_false_and_all_years_holds_every_year(client):
    rows = list(csv.DictReader(io.StringIO(client.get("/data/statistics.csv").text)))
    assert {r["year"] for r in rows} == {"2022-23", "2023-24", "2024-25"}
    [stevenage] = [r for r in rows if r["year"] == "2024-25" and r["authority.code"] == "E07000243"]
    assert stevenage["change.uphold_rate.significant"] in ("true", "false")
    assert stevenage["change.uphold_rate.previous_year"] == "2023-24"
    flags = {r[f"change.{rate}.significant"] for r in rows
             for rate in ("uphold_rate", "satisfactory_remedy_rate", "compliance_rate")}
    assert flags <= {"true", "false", ""}


def test_the_all_years_file_is_named_as_such(client):
    download = client.get("/data/statistics.xlsx")
    assert download.headers["content-disposition"] == 'attachment; filename="complaint-statistics-all-years.xlsx"'
