"""The national page (England's figures for a year, charts with table alternatives) and the data page with its
CSV, JSON and XLSX downloads, formula injection neutralised."""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from builders import WORDS, Cases
from conftest import LGSCO
from ombuds.charts import bar_chart
from ombuds.ingest import import_files
from ombuds.site.app import create_app
from ombuds.stats.downloads import neutralise, received_by_area, to_csv, to_xlsx
from ombuds.store import open_database

YEAR = "2023-24"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def client(demo_settings, tmp_path_factory):
    folder = tmp_path_factory.mktemp("national")
    url = f"sqlite:///{folder / 'site.db'}"
    cases = Cases(folder, "N")
    # Stevenage (District): 3 upheld of 4 investigated, 1 satisfactory remedy; 2 on time + 1 late of 4 recorded
    cases.received("Stevenage", "2023-05-01", {"Housing": 5, "Planning and Development": 2})
    cases.decided("Stevenage", "2023-10-01", {"Upheld": 3, "Not Upheld": 1, "Advice Given": 2},
                  satisfactory_remedies=1)
    cases.compliance("Stevenage", "2023-11-01", on_time=2, late=1, not_complied=1)
    # Hertfordshire (County): 1 upheld of 4 investigated
    cases.received("Hertfordshire", "2023-06-01", {"Adult Care Services": 4, "Housing": 1})
    cases.decided("Hertfordshire", "2023-10-02", {"Upheld": 1, "Not Upheld": 3})
    cases.compliance("Hertfordshire", "2023-11-02", on_time=1)
    # Birmingham (Metropolitan): 2 upheld of 2
    cases.received("Birmingham", "2023-07-01", {"Highways and Transport": 3})
    cases.decided("Birmingham", "2023-10-03", {"Upheld": 2, "Closed After Initial Enquiries": 1},
                  satisfactory_remedies=2)
    database = open_database(url)
    import_files(database, cases.files(), scheme=LGSCO)
    database.close()
    readonly = open_database(url, read_only=True)
    yield TestClient(create_app(readonly, demo_settings))
    readonly.close()


def cells(html: str, table_id: str) -> list[list[str]]:
    """The text of every row's header and data cells in the table with that id."""
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', html, re.S).group(0)
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)]


def test_the_national_page_shows_englands_exact_totals(client):
    page = client.get(f"/national/{YEAR}/")
    assert page.status_code == 200
    html = page.text
    for element, shown in (("total-received", "15"), ("total-decided", "13"), ("total-investigations", "10"),
                           ("total-upheld", "6"), ("uphold-rate", "60%"), ("satisfactory-remedy-rate", "50%"),
                           ("compliance-rate", "80%")):
        assert re.search(rf'id="{element}">{re.escape(shown)}</dd>', html), element
    assert 'style="' not in html and "<script>" not in html
    rows = {r[0]: r[1:] for r in cells(html, "by-type")[1:]}
    assert rows["District councils"] == ["164", "7", "6", "4", "3", "75%", "33%", "75%"]
    assert rows["County councils"][1:] == ["5", "4", "4", "1", "25%", "0%", "100%"]
    assert rows["Metropolitan boroughs"][1:] == ["3", "3", "2", "2", "100%", "100%", "n/a"]
    assert rows["Unitary councils"][1:] == ["0", "0", "0", "0", "n/a", "n/a", "n/a"]


def test_the_json_twin_has_the_same_totals(client):
    twin = client.get(f"/national/{YEAR}.json").json()
    assert twin["year"] == YEAR and twin["url"] == f"national/{YEAR}/"
    england = twin["england"]
    assert {k: england[k] for k in ("received", "decided", "detailed_investigations", "upheld",
                                    "satisfactory_remedies", "compliance_recorded", "complied")} == {
        "received": 15, "decided": 13, "detailed_investigations": 10, "upheld": 6, "satisfactory_remedies": 3,
        "compliance_recorded": 5, "complied": 4}
    assert england["uphold_rate"] == 0.6 and england["satisfactory_remedy_rate"] == 0.5
    assert england["compliance_rate"] == 0.8
    assert twin["by_type"]["District"]["uphold_rate"] == 0.75
    assert twin["received_by_service_area"]["Housing"] == 6 and twin["received_by_service_area"]["total"] == 15


def _chart(html: str, chart_id: str) -> ET.Element:
    svg = re.search(rf'<svg[^>]*aria-labelledby="{chart_id}-title {chart_id}-desc".*?</svg>', html, re.S).group(0)
    return ET.fromstring(svg)


def test_the_uphold_chart_has_one_bar_per_type_with_accessible_text(client):
    html = client.get(f"/national/{YEAR}/").text
    svg = _chart(html, "chart-uphold-by-type")
    assert svg.get("role") == "img" and svg.get("style") is None
    assert svg.find(f"{SVG}title").text == f"Uphold rate by type of authority, {YEAR}"
    assert svg.find(f"{SVG}desc").text
    bars = svg.findall(f".//{SVG}rect[@class='chart-bar']")
    # one bar per type with investigations; types with none keep their label and show n/a
    assert [b.find(f"{SVG}title").text for b in bars] == [
        "County councils: 25%", "District councils: 75%", "Metropolitan boroughs: 100%"]
    labels = [t.text for t in svg.iter(f"{SVG}text")]
    assert "Unitary councils" in labels and "n/a" in labels
    widths = [float(b.get("width")) for b in bars]
    assert widths[2] == pytest.approx(4 * widths[0]) and widths[1] == pytest.approx(3 * widths[0])
    table = cells(html, "uphold-by-type-table")
    assert table[0] == ["Type", "Upheld", "Detailed investigations", "Uphold rate"]
    assert ["District councils", "3", "4", "75%"] in table and ["County councils", "1", "4", "25%"] in table
    assert ["Metropolitan boroughs", "2", "2", "100%"] in table


def test_the_received_chart_and_its_table(client):
    html = client.get(f"/national/{YEAR}/").text
    svg = _chart(html, "chart-received-by-area")
    bars = [b.find(f"{SVG}title").text for b in svg.findall(f".//{SVG}rect[@class='chart-bar']")]
    assert "Housing: 6" in bars and "Adult Care Services: 4" in bars and len(bars) == 9
    table = {r[0]: r[1] for r in cells(html, "received-by-area-table")[1:]}
    assert table["Housing"] == "6" and table["Highways and Transport"] == "3" and table["Total"] == "15"
    assert table["Benefits and Tax"] == "0"


def test_the_year_switcher_and_unknown_years(client):
    html = client.get(f"/national/{YEAR}/").text
    assert f'<span class="year-switch__current" aria-current="page">{YEAR}</span>' in html
    assert client.get("/national/2011-12/").status_code == 404
    assert client.get("/national/nonsense/").status_code == 404


def test_the_data_page_links_every_download_the_api_and_the_licence(client):
    page = client.get("/data/")
    assert page.status_code == 200
    for ext in ("csv", "json", "xlsx"):
        assert f'href="/data/{YEAR}/statistics.{ext}"' in page.text
    assert 'href="/api/openapi.json"' in page.text and 'href="/api/years.json"' in page.text
    assert "Open Government Licence v3.0" in page.text and "received.total" in page.text
    twin = client.get("/data.json").json()
    assert twin["downloads"][YEAR]["xlsx"] == f"data/{YEAR}/statistics.xlsx"


def test_the_json_download_equals_the_api(client):
    download = client.get(f"/data/{YEAR}/statistics.json")
    assert download.status_code == 200 and download.headers["content-type"].startswith("application/json")
    assert download.json() == client.get(f"/api/statistics/{YEAR}.json").json()


def _stevenage(rows: list[dict]) -> dict:
    return next(r for r in rows if r["authority.code"] == "E07000243")


def test_the_csv_download(client):
    download = client.get(f"/data/{YEAR}/statistics.csv")
    assert download.status_code == 200 and download.headers["content-type"].startswith("text/csv")
    reader = csv.reader(io.StringIO(download.content.decode("utf-8")))
    header = next(reader)
    assert header[:4] == ["authority.code", "authority.name", "authority.type", "year"]
    assert "received.Housing" in header and "compliance.on_time" in header and "average.method" in header
    rows = [dict(zip(header, r, strict=True)) for r in reader]
    row = _stevenage(rows)
    assert row["authority.name"] == "Stevenage Borough Council" and row["authority.type"] == "District"
    assert row["year"] == YEAR and row["received.Housing"] == "5" and row["received.total"] == "7"
    assert row["decided.total"] == "6" and row["investigated"] == "4" and row["upheld"] == "3"
    assert row["uphold_rate"] == "0.75" and row["compliance.late"] == "1" and row["compliance_rate"] == "0.75"
    assert row["population"] == "88104" and row["remedied_by_ombudsman"] == "0"


def test_the_xlsx_download_has_the_same_values(client):
    download = client.get(f"/data/{YEAR}/statistics.xlsx")
    assert download.status_code == 200 and "spreadsheetml" in download.headers["content-type"]
    book = load_workbook(io.BytesIO(download.content), read_only=True)
    assert book.sheetnames == ["statistics"]
    values = list(book["statistics"].iter_rows(values_only=True))
    header = list(values[0])
    csv_header = next(csv.reader(io.StringIO(client.get(f"/data/{YEAR}/statistics.csv").text)))
    assert header == csv_header
    row = _stevenage([dict(zip(header, r, strict=True)) for r in values[1:]])
    assert row["received.Housing"] == 5 and row["upheld"] == 3 and row["uphold_rate"] == 0.75
    assert row["authority.name"] == "Stevenage Borough Council"


def test_unknown_downloads_are_not_found(client):
    assert client.get(f"/data/{YEAR}/statistics.pdf").status_code == 404
    assert client.get("/data/2011-12/statistics.csv").status_code == 404
    assert client.get("/data/nonsense/statistics.json").status_code == 404


@pytest.mark.parametrize("hostile", ['=HYPERLINK("x")', "+cmd|' /C calc'!A0", "@SUM(A1)", "-1+1", "\tx", "\rx"])
def test_text_a_spreadsheet_would_run_is_neutralised(hostile):
    assert neutralise(hostile) == "'" + hostile


def test_numbers_and_plain_text_are_left_alone():
    assert neutralise(-1) == -1 and isinstance(neutralise(-1), int)
    assert neutralise(-0.5) == -0.5 and neutralise(3) == 3
    assert neutralise("Stevenage Borough Council") == "Stevenage Borough Council" and neutralise("") == ""


class _Hostile:
    """A record whose text fields a spreadsheet would run, with a negative number that must stay a number."""

    def to_json(self) -> dict:
        return {"authority": {"code": "=HYPERLINK(\"x\")", "name": "@SUM(A1)", "type": "+cmd|' /C calc'!A0"},
                "year": "-1+1", "received": {"total": -1}}


def test_the_files_neutralise_hostile_text():
    text = to_csv([_Hostile()], WORDS).decode("utf-8")
    header, row = list(csv.reader(io.StringIO(text)))
    total = header.index("received.total")
    assert [*row[:4], row[total]] == ["'=HYPERLINK(\"x\")", "'@SUM(A1)", "'+cmd|' /C calc'!A0", "'-1+1", "-1"]
    values = list(load_workbook(io.BytesIO(to_xlsx([_Hostile()], WORDS)), read_only=True)["statistics"]
                  .iter_rows(values_only=True))
    assert (*values[1][:4], values[1][total]) == ("'=HYPERLINK(\"x\")", "'@SUM(A1)", "'+cmd|' /C calc'!A0",
                                                   "'-1+1", -1)


def test_xlsx_bytes_are_deterministic():
    assert to_xlsx([_Hostile()], WORDS) == to_xlsx([_Hostile()], WORDS)


def test_received_by_area_is_unknown_where_any_figure_is():
    class R:
        def __init__(self, received):
            self.received = received

    summed = received_by_area([R({"Housing": 2, "total": 2}), R({"Housing": None, "Other": 1, "total": 1})], WORDS)
    assert summed == {"Housing": None, "Other": 1, "total": 3}


def test_bar_chart_escapes_its_text():
    hostile = '<script>alert(1)</script>"><img onerror=x>'
    svg = str(bar_chart([(hostile, 1.0, hostile)], hostile, hostile))
    assert "<script>" not in svg and "<img" not in svg and 'style=' not in svg
    ET.fromstring(svg)
