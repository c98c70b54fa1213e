"""A third scheme, invented and defined only in tests/schemes/valleys-ombudsman/ (a Welsh-like ombudsman: complaints
closed, intervention rate, complaints per 1,000 residents), imports, computes and prints through the same code as
the Housing Ombudsman's, with no Python of its own. Figures worked out by hand below."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import write_csv
from ombuds.cli import cli
from ombuds.ingest.problems import ImportFailed
from ombuds.ingest.records import import_records
from ombuds.schemes import check_scheme, load_scheme
from ombuds.stats.measures_export import csv_rows, printed_objects
from ombuds.stats.measures_service import measures_service
from ombuds.years import Year

FOLDER = Path(__file__).resolve().parent / "schemes" / "valleys-ombudsman"
HEADER = ["Reference", "Body", "Closed", "Outcome", "Subject", "Caseworker notes"]
ROWS = [
    ["V1", "Aber County Council", "2023-04-03", "Upheld", "Housing", "a resident's name"],
    ["V2", "Cyngor Sir Aber", "2023-06-10", "Not upheld", "Housing", ""],
    ["V3", "aber county council", "2024-03-31", "early resolution or voluntary settlement", "Health", ""],
    ["V4", "Bryn", "2023-09-01", "Not upheld", "Housing", ""],
    ["V5", "Cwm Health Board", "2023-11-11", "Upheld", "Health", ""],
    ["V6", "Cwm Health Board", "2024-04-01", "Upheld", "Health", ""],
]


@pytest.fixture
def scheme():
    return load_scheme(FOLDER)


def test_the_invented_scheme_is_valid():
    assert check_scheme(FOLDER) == []


def test_it_imports_computes_and_prints(db, scheme, tmp_path):
    path = write_csv(tmp_path / "closed.csv", HEADER, ROWS)
    assert import_records(db, scheme, [path]).lines() == [f"{path}: 6 closed rows",
                                                          "closed: 6 new, 0 changed, 0 unchanged"]
    service = measures_service(db, scheme)
    assert service.years() == [Year(2023), Year(2024)]
    printed = printed_objects(service, Year(2023))
    aber, bryn, cwm = printed
    assert list(aber) == ["authority", "year", "complaints", "interventions", "intervention_rate",
                          "complaints_per_1000", "by_subject", "average", "comparison", "report", "from"]
    assert aber["authority"] == {"code": "VO-aber", "name": "Aber County Council", "slug": "aber-county-council",
                                 "type": "Council", "type_id": "council", "size_band": None, "size_band_id": None,
                                 "residents": 120000}
    assert (aber["complaints"], aber["interventions"], aber["intervention_rate"]) == (3, 2, 2 / 3)
    assert aber["complaints_per_1000"] == pytest.approx(0.025)
    assert aber["by_subject"] == {"health": {"complaints": 1}, "housing": {"complaints": 2}}
    assert aber["average"] == {"method": "pooled", "group": "Councils", "bodies": 2, "complaints": 2.0,
                               "interventions": 1.0, "intervention_rate": 0.5,
                               "complaints_per_1000": pytest.approx(0.02)}
    assert aber["comparison"]["intervention_rate"]["expected"] == 0.5
    assert aber["comparison"]["intervention_rate"]["funnel"] == "within"
    assert aber["comparison"]["intervention_rate"]["interval"] == pytest.approx([0.2077, 0.9385], abs=1e-4)
    assert (aber["report"], bryn["report"], cwm["report"]) == (True, False, False)
    assert (bryn["complaints"], bryn["intervention_rate"], bryn["complaints_per_1000"]) == (1, 0.0, 0.0125)
    assert cwm["average"]["group"] == "Health boards" and cwm["average"]["bodies"] == 1
    assert [o["authority"]["code"] for o in printed_objects(service, Year(2024))] == ["VO-cwm"]
    assert [o["year"] for o in printed_objects(service, None, "Cwm")] == ["2023-24", "2024-25"]
    row = csv_rows(printed)[0]
    assert (row["authority.name"], row["by_subject.housing.complaints"], row["average.group"]) == (
        "Aber County Council", 2, "Councils")
    assert row["comparison.intervention_rate.interval.low"] == pytest.approx(0.2077, abs=1e-4)


def test_its_problems_use_its_own_words(db, scheme, tmp_path):
    path = write_csv(tmp_path / "closed.csv", HEADER, [["V9", "Dyffryn Council", "2023-05-05", "Upheld", "Roads", ""]])
    with pytest.raises(ImportFailed) as failed:
        import_records(db, scheme, [path])
    assert str(failed.value).splitlines()[:2] == [
        f"{path}:2: Body: unknown authority 'Dyffryn Council': not in the scheme's bodies.csv or aliases.csv",
        f"{path}:2: Subject: 'Roads' is not a subject: expected one of Health, Housing"]


def test_the_command_line_imports_and_prints_it(db_url, tmp_path):
    path = write_csv(tmp_path / "closed.csv", HEADER, ROWS)
    runner = CliRunner()
    imported = runner.invoke(cli, ["--scheme", str(FOLDER), "--db", db_url, "import", str(path)])
    assert imported.exit_code == 0, imported.output
    assert imported.output == f"{path}: 6 closed rows\nclosed: 6 new, 0 changed, 0 unchanged\n"
    printed = runner.invoke(cli, ["--scheme", str(FOLDER), "--db", db_url, "stats", "--year", "2024-25"])
    assert printed.exit_code == 0, printed.output
    found = json.loads(printed.output)
    interval = found[0]["comparison"]["intervention_rate"].pop("interval")
    assert interval == pytest.approx([0.2065, 1.0], abs=1e-4)  # Wilson, 1 of 1
    assert found == [{
        "authority": {"code": "VO-cwm", "name": "Cwm Health Board", "slug": "cwm-health-board",
                      "type": "Health board", "type_id": "health-board", "size_band": None, "size_band_id": None,
                      "residents": 400000},
        "year": "2024-25", "complaints": 1, "interventions": 1, "intervention_rate": 1.0,
        "complaints_per_1000": 0.0025, "by_subject": {"health": {"complaints": 1}, "housing": {"complaints": 0}},
        "average": {"method": "pooled", "group": "Health boards", "bodies": 1, "complaints": 1.0,
                    "interventions": 1.0, "intervention_rate": 1.0, "complaints_per_1000": 0.0025},
        "comparison": {"intervention_rate": {"funnel": "within", "expected": 1.0}},
        "report": False, "from": "case records"}]
