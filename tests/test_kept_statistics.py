"""Kept statistics: `ombuds stats` keeps what it computed for the data version and the statistics code, so asking
again reads rows (and starts without SQLAlchemy, pydantic or SciPy); any change to the data or the code means
computing again. On SQLite and PostgreSQL, through the real command."""

from __future__ import annotations

import json

from click.testing import CliRunner

from conftest import write_csv
from ombuds.cli import cli
from ombuds.stats.kept import statistics_fingerprint
from ombuds.store import open_database
from test_cli_startup import loaded

STEVENAGE, HERTSMERE = "E07000243", "E07000098"
DECIDED = ["reference", "authority", "decision_date", "outcome"]


def run(db_url: str, *args: str):
    return CliRunner().invoke(cli, ["--db", db_url, *args], catch_exceptions=False)


def kept_rows(db_url: str) -> list[tuple]:
    database = open_database(db_url)
    with database.read() as connection:
        rows = connection.exec_driver_sql(
            "SELECT year, method, data_version, fingerprint FROM kept_statistics ORDER BY method, year").all()
    database.close()
    return [tuple(r) for r in rows]


def tamper(db_url: str, change: str) -> None:
    database = open_database(db_url)
    with database.transaction() as connection:
        connection.exec_driver_sql(f"UPDATE kept_statistics SET {change}")
    database.close()


def imported(db_url: str, tmp_path, rows: list[list], name: str = "decided.csv") -> None:
    done = run(db_url, "import", str(write_csv(tmp_path / name, DECIDED, rows)))
    assert done.exit_code == 0, done.output


def test_a_second_run_prints_the_same_from_the_kept_rows(db_url, tmp_path):
    imported(db_url, tmp_path, [["S1", "Stevenage", "2019-10-01", "Upheld"],
                                ["S2", "Stevenage", "2020-05-01", "Not upheld"],
                                ["S3", "Hertsmere", "2020-06-01", "Upheld"]])
    assert kept_rows(db_url) == []
    first = run(db_url, "stats")
    rows = kept_rows(db_url)
    assert [(y, m) for y, m, _, _ in rows] == [("", "pooled"), ("2019-20", "pooled"), ("2020-21", "pooled")]
    assert {f for _, _, _, f in rows} == {statistics_fingerprint()}
    assert run(db_url, "stats").output == first.output
    records = json.loads(first.output)
    assert [(r["year"], r["authority"]["code"], r["upheld"]) for r in records
            if r["authority"]["code"] in (STEVENAGE, HERTSMERE)] == [
        ("2019-20", HERTSMERE, 0), ("2019-20", STEVENAGE, 1), ("2020-21", HERTSMERE, 1), ("2020-21", STEVENAGE, 0)]
    tamper(db_url, "body = replace(body, '\"upheld\": 1', '\"upheld\": 7')")  # proof that the rows are read
    assert "\"upheld\": 7" in run(db_url, "stats").output
    one_year = run(db_url, "stats", "--year", "2020-21", "--format", "csv")
    assert one_year.output == run(db_url, "stats", "--year", "2020-21", "--format", "csv").output
    assert one_year.output.splitlines()[0].startswith("authority.code,authority.name,authority.type,year,")


def test_a_kept_run_starts_without_the_heavy_libraries(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'ombuds.db'}"
    imported(db_url, tmp_path, [["S1", "Stevenage", "2019-10-01", "Upheld"]])
    assert "scipy" in loaded("--db", db_url, "stats")  # the first run computes
    assert loaded("--db", db_url, "stats") == []
    assert loaded("--db", db_url, "stats", "--year", "2019-20", "--format", "csv") == []


def test_an_import_means_computing_again(db_url, tmp_path):
    imported(db_url, tmp_path, [["S1", "Stevenage", "2019-10-01", "Upheld"]])
    before = json.loads(run(db_url, "stats", "--year", "2019-20").output)
    imported(db_url, tmp_path, [["S2", "Stevenage", "2019-11-01", "Upheld"]], "more.csv")
    after = json.loads(run(db_url, "stats", "--year", "2019-20").output)
    stevenage = [(r["upheld"], a["upheld"]) for r, a in zip(before, after, strict=True)
                 if r["authority"]["code"] == STEVENAGE]
    assert stevenage == [(1, 2)]
    versions = {v for _, _, v, _ in kept_rows(db_url)}
    assert len(versions) == 1  # what the older data gave is gone


def test_other_code_or_another_method_is_not_read(db_url, tmp_path):
    imported(db_url, tmp_path, [["S1", "Stevenage", "2019-10-01", "Upheld"]])
    pooled = run(db_url, "stats").output
    tamper(db_url, "fingerprint = 'older', body = replace(body, '\"upheld\": 1', '\"upheld\": 7')")
    assert run(db_url, "stats").output == pooled
    mean = run(db_url, "stats", "--average", "mean").output
    assert json.loads(mean)[0]["average"]["method"] == "mean"
    assert {(m, f) for _, m, _, f in kept_rows(db_url)} == {("mean", statistics_fingerprint()),
                                                           ("pooled", statistics_fingerprint())}


def test_one_authority_is_computed_and_not_kept(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'ombuds.db'}"
    imported(db_url, tmp_path, [["S1", "Stevenage", "2019-10-01", "Upheld"]])
    done = run(db_url, "stats", "--authority", "Stevenage")
    assert [r["authority"]["code"] for r in json.loads(done.output)] == [STEVENAGE]
    assert kept_rows(db_url) == []


def test_the_statistics_service_reads_what_was_kept(db_url, tmp_path):
    """Letters and the site read the statistics through the service: it takes a kept year as it was computed."""
    from ombuds.stats.service import StatisticsService
    from ombuds.years import Year

    imported(db_url, tmp_path, [["S1", "Stevenage", "2019-10-01", "Upheld"],
                                ["S2", "Stevenage", "2020-05-01", "Not upheld"]])
    database = open_database(db_url)
    computed = StatisticsService(database).year(Year.parse("2020-21"))
    run(db_url, "stats")
    read = StatisticsService(database).year(Year.parse("2020-21"))
    assert [r.to_json() for r in read.records] == [r.to_json() for r in computed.records]
    assert read.averages == computed.averages and list(read.averages) == ["District"]
    assert read.get(STEVENAGE).change.uphold_rate.previous == 1.0
    tamper(db_url, "body = replace(body, '\"population\": 88104', '\"population\": 1')")
    assert StatisticsService(database).year(Year.parse("2020-21")).get(STEVENAGE).population == 1
    database.close()


def test_a_kept_year_is_decoded_once_and_then_held(db_url, tmp_path, monkeypatch):
    """Every site page asks for every year: a kept year is read back once and held with the computed ones (a
    small data set's static build once ran for 14 minutes decoding every year again on every page)."""
    from ombuds.stats import service as service_module
    from ombuds.years import Year

    imported(db_url, tmp_path, [["S1", "Stevenage", "2019-10-01", "Upheld"],
                                ["S2", "Stevenage", "2020-05-01", "Not upheld"]])
    run(db_url, "stats")
    reads = []
    original = service_module.kept_year
    monkeypatch.setattr(service_module, "kept_year", lambda *a: reads.append(a[1]) or original(*a))
    database = open_database(db_url)
    service = service_module.StatisticsService(database)
    first = service.year(Year.parse("2020-21"))
    for _ in range(5):
        assert service.year(Year.parse("2020-21")) is first
        service.history(STEVENAGE)
    assert sorted(reads) == ["2019-20", "2020-21"]
    _, _, computed = service.computed()
    assert sorted(y.label for y, _ in computed) == ["2019-20", "2020-21"]
    database.close()
