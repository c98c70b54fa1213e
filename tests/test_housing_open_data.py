"""The Housing Ombudsman's open data as an open-data site gives it, built from the LGSCO's code: a Frictionless Data
Package that `frictionless validate` passes on the static build and the live files (every download the data page
links, each year's and the all-years file, CSV and XLSX with one Table Schema: one column set for every year, rates
as numbers, flags as true/false, no always-empty column, formulas neutralised), each download named with its year,
and an OpenAPI document that Schemathesis finds true (404 documented, path parameters with patterns, HEAD answered,
one address per record), live and static identical. On a small part of the shipped real data: four
landlords in 2023-24 and 2024-25, and every landlord of 2019-20 (three)."""

from __future__ import annotations

import csv
import gzip
import io
import json
import re

import pytest
from fastapi.testclient import TestClient

from ombuds.ingest.records import import_records
from ombuds.schemes import load_scheme
from ombuds.settings import make_settings
from ombuds.site.app import create_app
from ombuds.site.build import build_site
from ombuds.store import open_database
from test_security import assert_strict_headers

frictionless = pytest.importorskip("frictionless")

LANDLORDS = ("Clarion Housing Association", "London Borough of Hammersmith and Fulham", "Peabody Trust",
             "Hyde Housing Association")
YEARS = ("2019-20", "2023-24", "2024-25")
BODIES = {"2019-20": 3, "2023-24": 4, "2024-25": 4}
CLARION_CODE = "HO-clarion-housing-association"
EXTENSIONS = ("csv", "json", "xlsx")


@pytest.fixture(scope="module")
def housing(tmp_path_factory):
    """The shipped findings of four landlords decided 1 April 2023 to 31 March 2025, and of every landlord in
    2019-20, imported."""
    folder = tmp_path_factory.mktemp("housing-open")
    scheme = load_scheme("housing-ombudsman")
    with gzip.open(scheme.folder / "data" / "findings.csv.gz", "rt", encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        rows = [r for r in reader if "2019-04-01" <= r["decision_date"] <= "2020-03-31"
                or (r["landlord"] in LANDLORDS and "2023-04-01" <= r["decision_date"] <= "2025-03-31")]
        header = reader.fieldnames
    with open(folder / "findings.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, header)
        writer.writeheader()
        writer.writerows(rows)
    database = open_database(f"sqlite:///{folder / 'housing.db'}")
    import_records(database, scheme, [folder / "findings.csv"])
    settings = make_settings(scheme.folder, None, None, None)
    build_site(database, folder / "site", settings, workers=1)
    yield folder, database, settings
    database.close()


@pytest.fixture(scope="module")
def client(housing):
    _, database, settings = housing
    with TestClient(create_app(open_database(database.url, read_only=True), settings),
                    raise_server_exceptions=False) as test_client:
        yield test_client


def test_frictionless_validates_the_static_builds_package_and_every_file_the_data_page_links(housing):
    out = housing[0] / "site"
    package = frictionless.Package(str(out / "data" / "datapackage.json"))
    paths = sorted(r.path for r in package.resources)
    assert paths == sorted([f"{y}/records.{ext}" for y in YEARS for ext in EXTENSIONS]
                           + [f"statistics.{ext}" for ext in EXTENSIONS])
    page = (out / "data" / "index.html").read_text(encoding="utf-8")
    linked = sorted(re.findall(r'href="\.\./data/((?:\d{4}-\d{2}/records|statistics)\.\w+)"', page))
    assert linked == paths
    report = frictionless.validate(str(out / "data" / "datapackage.json"))
    assert report.valid, [(task.name, error.type, error.note) for task in report.tasks for error in task.errors][:10]
    assert len(report.tasks) == 12
    assert [x["name"] for x in json.loads((out / "data" / "datapackage.json").read_bytes())["licenses"]] == [
        "OGL-UK-3.0", "CC-BY-4.0"]  # the scheme's [[data.licenses]]
    assert not (out / "data" / "2021-22").exists()  # no landlord's record that year: nothing to download


def test_frictionless_validates_the_live_package_and_files(client, tmp_path):
    package = client.get("/data/datapackage.json")
    (tmp_path / "datapackage.json").write_bytes(package.content)
    for resource in package.json()["resources"]:
        (tmp_path / resource["path"]).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / resource["path"]).write_bytes(client.get("/data/" + resource["path"]).content)
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, [(task.name, error.type, error.note) for task in report.tasks for error in task.errors][:10]
    assert [t.name for t in report.tasks][-3:] == ["records-all-years", "records-all-years-xlsx",
                                                   "records-all-years-json"]


def test_a_year_without_records_has_no_download(client):
    assert client.get("/data/2021-22/records.csv").status_code == 404
    assert "2021-22" not in client.get("/data/").text


def test_each_column_is_typed_by_what_it_holds_and_none_is_always_empty(client):
    package = client.get("/data/datapackage.json").json()
    [table] = [r for r in package["resources"] if r["path"] == "2024-25/records.csv"]
    types = {f["name"]: f["type"] for f in table["schema"]["fields"]}
    assert (types["determinations"], types["maladministration_rate"], types["report"], types["landlord.code"],
            types["average.determinations"]) == ("integer", "number", "boolean", "string", "number")
    assert table["schema"]["primaryKey"] == ["landlord.code", "year"]
    assert all(r["schema"] == table["schema"] for r in package["resources"] if "schema" in r)  # one for every file
    rows = list(csv.DictReader(io.StringIO(client.get("/data/statistics.csv").text)))
    assert [c for c in rows[0] if all(r[c] == "" for r in rows)] == []
    for year in YEARS:
        text = client.get(f"/data/{year}/records.csv").text
        year_rows = list(csv.DictReader(io.StringIO(text)))
        assert len(year_rows) == BODIES[year]
        assert {r["report"] for r in year_rows} == {"2019-20": {"false"}}.get(year, {"true"})
        assert list(year_rows[0]) == list(types)


def test_every_year_and_the_all_years_file_share_one_column_set(client):
    """54 columns in every file: the same for 2019-20, whose three landlords had no finding about pest control (or
    six other categories), so its rates for them are empty, as for 2024-25, where they are not."""
    from openpyxl import load_workbook

    headers = {path: next(csv.reader(io.StringIO(client.get(path).text)))
               for path in [*(f"/data/{y}/records.csv" for y in YEARS), "/data/statistics.csv"]}
    sheets = {path: next(load_workbook(io.BytesIO(client.get(path).content)).active.iter_rows(values_only=True))
              for path in [*(f"/data/{y}/records.xlsx" for y in YEARS), "/data/statistics.xlsx"]}
    [header] = {tuple(h) for h in [*headers.values(), *sheets.values()]}
    assert len(header) == 54 and header[:3] == ("landlord.code", "landlord.name", "landlord.slug")
    assert header[-2:] == ("report", "from")
    rows = list(csv.DictReader(io.StringIO(client.get("/data/2019-20/records.csv").text)))
    json_rows = client.get("/data/2019-20/records.json").json()
    assert [r["by_category"]["pest-control"] for r in json_rows] == [
        {"findings_total": 0, "maladministration_rate": None}] * 3
    assert [r["by_category.pest-control.findings_total"] for r in rows] == ["0", "0", "0"]
    assert [r["by_category.pest-control.maladministration_rate"] for r in rows] == ["", "", ""]


def test_the_all_years_file_holds_every_years_rows_exactly(client):
    every = list(csv.DictReader(io.StringIO(client.get("/data/statistics.csv").text)))
    assert [r["year"] for r in every] == ["2019-20"] * 3 + ["2023-24"] * 4 + ["2024-25"] * 4
    for year in YEARS:
        assert [r for r in every if r["year"] == year] == list(
            csv.DictReader(io.StringIO(client.get(f"/data/{year}/records.csv").text)))
    assert client.get("/data/statistics.json").json() == [
        r for y in YEARS for r in client.get(f"/data/{y}/records.json").json()]
    clarion = next(r for r in every if r["year"] == "2024-25" and r["landlord.code"] == CLARION_CODE)
    assert (clarion["determinations"], clarion["findings_total"], clarion["maladministration_rate"],
            clarion["report"]) == ("168", "397", str(238 / 397), "true")
    assert {r["report"] for r in every} == {"true", "false"}


def test_the_all_years_file_neutralises_formulas(housing, monkeypatch):
    """Names come from the scheme's bodies, not from input files; a hostile one is given here: every text cell a
    spreadsheet would run gets a leading quote, in CSV and XLSX; numbers stay numbers."""
    from openpyxl import load_workbook

    from ombuds.site.app import site_data
    from ombuds.site.pages import measures_open

    _, database, settings = housing
    site = site_data(database, settings)
    real = site.records
    formulas = ['=HYPERLINK("http://evil.example/","Click")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3"]

    def hostile(year):
        return [{**r, "landlord": {**r["landlord"], "name": formulas[i % 4]}} for i, r in enumerate(real(year))]
    monkeypatch.setattr(site, "records", hostile)
    rows = list(csv.DictReader(io.StringIO(measures_open.all_years_file(site, "csv").body.decode("utf-8"))))
    assert [r["landlord.name"] for r in rows[3:7]] == ["'" + f for f in formulas]  # 2023-24's four
    sheet = load_workbook(io.BytesIO(measures_open.all_years_file(site, "xlsx").body)).active
    cells = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [c[1] for c in cells[3:7]] == ["'" + f for f in formulas]
    assert isinstance(cells[0][9], int) and all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def test_each_download_is_named_with_its_year(client):
    for year in YEARS:
        for ext in EXTENSIONS:
            response = client.get(f"/data/{year}/records.{ext}")
            assert response.headers["content-disposition"] == f'attachment; filename="landlords-{year}.{ext}"'
    for ext in EXTENSIONS:
        response = client.get(f"/data/statistics.{ext}")
        assert response.headers["content-disposition"] == f'attachment; filename="landlords-all-years.{ext}"'
    assert client.get("/data.json").json()["all_years"] == {ext: f"data/statistics.{ext}" for ext in EXTENSIONS}


def test_live_and_static_serve_the_same_package_openapi_and_api_files(housing, client):
    out = housing[0] / "site"
    for path in ("data/datapackage.json", "data/statistics.csv", "data/statistics.json", "data/statistics.xlsx",
                 "data/2024-25/records.csv", "api/openapi.json", "api/years.json", "api/bodies.json",
                 "api/records/2024-25.json", f"api/records/2024-25/{CLARION_CODE}.json"):
        assert (out / path).read_bytes() == client.get("/" + path).content, path


def test_openapi_documents_404_patterns_and_no_422(client):
    schema = client.get("/api/openapi.json").json()
    assert sorted(schema["paths"]) == ["/api/bodies.json", "/api/records/{year}.json",
                                       "/api/records/{year}/{code}.json", "/api/years.json"]
    one = schema["paths"]["/api/records/{year}/{code}.json"]["get"]
    assert sorted(one["responses"]) == ["200", "404"]
    assert one["responses"]["404"]["description"] == "No such year, landlord or record: `detail` says which"
    assert {p["name"]: p["schema"]["pattern"] for p in one["parameters"]} == {
        "year": r"^\d{4}-\d{2}$", "code": r"^[A-Za-z0-9][A-Za-z0-9-]*$"}
    assert sorted(schema["paths"]["/api/years.json"]["get"]["responses"]) == ["200"]
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    record = schema["components"]["schemas"]["YearRecord"]["properties"]
    assert record["from"] == {"type": "string", "title": "From"} and "landlord" in record


def test_head_is_answered_and_each_record_has_one_address(client):
    path = f"/api/records/2024-25/{CLARION_CODE}.json"
    got, head = client.get(path), client.head(path)
    assert got.status_code == head.status_code == 200 and head.content == b""
    assert got.json()["landlord"]["name"] == "Clarion Housing Association"
    assert client.get(path + "/", follow_redirects=False).status_code == 404
    missing = client.get("/api/records/2024-25/HO-no-such-landlord.json")
    assert missing.status_code == 404 and missing.headers["content-type"] == "application/json"


def test_schemathesis_finds_the_housing_api_true_to_its_openapi(client):
    import schemathesis
    from hypothesis import HealthCheck, given, settings

    schema = schemathesis.openapi.from_asgi("/api/openapi.json", client.app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 4
    for operation in operations:
        @given(operation.as_strategy())
        @settings(max_examples=12, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def check(case):
            response = case.call()
            assert response.status_code in (200, 404), (case.formatted_path, response.status_code)
            assert_strict_headers(response)
            case.validate_response(response)

        check()
    real = {"/api/years.json": {}, "/api/bodies.json": {}, "/api/records/{year}.json": {"year": "2024-25"},
            "/api/records/{year}/{code}.json": {"year": "2024-25", "code": CLARION_CODE}}
    for operation in operations:  # every answer of the real data too, not only the fuzzed ones
        case = operation.Case(path_parameters=real[operation.path])
        response = case.call()
        assert response.status_code == 200, operation.path
        case.validate_response(response)
