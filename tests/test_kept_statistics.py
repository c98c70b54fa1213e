"""Kept statistics: `ombuds stats` keeps what it computed for the data version and the statistics code, so asking
again reads rows (and starts without SQLAlchemy, pydantic or SciPy); any change to the data or the code means
computing again. On SQLite and PostgreSQL, through the real command."""

from __future__ import annotations

import json

from click.testing import CliRunner

from conftest import LGSCO, write_csv
from ombuds.cli import cli
from ombuds.stats.kept import statistics_fingerprint
from ombuds.store import open_database
from test_cli_startup import loaded

STEVENAGE, HERTSMERE = "E07000243", "E07000098"
DECIDED = ["reference", "authority", "decision_date", "outcome"]
DECIDED_IN_FULL = [*DECIDED, "service_area", "satisfactory_remedy", "remedied_by_ombudsman", "public_report", "summary"]


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
    rows = kept_rows(db_url)  # kept by the import itself
    assert [(y, m) for y, m, _, _ in rows] == [("", "pooled"), ("2019-20", "pooled"), ("2020-21", "pooled")]
    first = run(db_url, "stats")
    assert kept_rows(db_url) == rows
    assert {f for _, _, _, f in rows} == {statistics_fingerprint(LGSCO.folder)}
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
    assert loaded("--db", db_url, "stats") == []  # the first run after the import reads what the import kept
    assert loaded("--db", db_url, "stats", "--average", "mean")  # nothing kept for this method: computed
    assert loaded("--db", db_url, "stats", "--average", "mean") == []
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
    assert {(m, f) for _, m, _, f in kept_rows(db_url)} == {("mean", statistics_fingerprint(LGSCO.folder)),
                                                           ("pooled", statistics_fingerprint(LGSCO.folder))}


def test_one_authority_is_computed_and_not_kept(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'ombuds.db'}"
    imported(db_url, tmp_path, [["S1", "Stevenage", "2019-10-01", "Upheld"]])
    tamper(db_url, "fingerprint = 'older'")  # as if kept by older code: --authority must compute, and keep nothing
    kept = kept_rows(db_url)
    done = run(db_url, "stats", "--authority", "Stevenage")
    assert [r["authority"]["code"] for r in json.loads(done.output)] == [STEVENAGE]
    assert kept_rows(db_url) == kept


def test_the_statistics_service_reads_what_was_kept(db_url, tmp_path):
    """Letters and the site read the statistics through the service: it takes a kept year as it was computed."""
    from ombuds.stats.service import StatisticsService
    from ombuds.years import Year

    imported(db_url, tmp_path, [["S1", "Stevenage", "2019-10-01", "Upheld"],
                                ["S2", "Stevenage", "2020-05-01", "Not upheld"]])
    database = open_database(db_url)
    computed = StatisticsService(database, LGSCO).year(Year.parse("2020-21"))
    run(db_url, "stats")
    read = StatisticsService(database, LGSCO).year(Year.parse("2020-21"))
    assert [r.to_json() for r in read.records] == [r.to_json() for r in computed.records]
    assert read.averages == computed.averages and list(read.averages) == ["District"]
    assert read.get(STEVENAGE).change.uphold_rate.previous == 1.0
    tamper(db_url, "body = replace(body, '\"population\": 88104', '\"population\": 1')")
    assert StatisticsService(database, LGSCO).year(Year.parse("2020-21")).get(STEVENAGE).population == 1
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
    service = service_module.StatisticsService(database, LGSCO)
    first = service.year(Year.parse("2020-21"))
    for _ in range(5):
        assert service.year(Year.parse("2020-21")) is first
        service.history(STEVENAGE)
    assert sorted(reads) == ["2019-20", "2020-21"]
    _, _, computed = service.computed()
    assert sorted(y.label for y, _ in computed) == ["2019-20", "2020-21"]
    database.close()


def kept_bodies(db_url: str) -> dict[tuple[str, str], tuple[int, str]]:
    database = open_database(db_url)
    with database.read() as connection:
        rows = connection.exec_driver_sql("SELECT year, method, data_version, body FROM kept_statistics").all()
    database.close()
    return {(year, method): (version, body) for year, method, version, body in rows}


def fresh_bodies(db_url: str, method: str = "pooled") -> dict[str, str]:
    """Every year held computed afresh by the statistics service, as `stats` would print it, without what was kept."""
    from ombuds.stats.kept import body
    from ombuds.stats.service import StatisticsService

    database = open_database(db_url)
    service = StatisticsService(database, LGSCO)
    service._kept = lambda *_: None
    found = {y.label: body([r.to_json() for r in service.year(y, method).records]) for y in service.years()}
    database.close()
    return found


def data_version_of(db_url: str) -> int:
    from ombuds.store.queries import data_version

    database = open_database(db_url)
    with database.read() as connection:
        version = data_version(connection)
    database.close()
    return version


def import_rows(db_url: str, tmp_path, rows: list[list], name: str):
    from ombuds.ingest.run import import_files

    database = open_database(db_url)
    try:
        header = DECIDED_IN_FULL if len(rows[0]) > len(DECIDED) else DECIDED
        return import_files(database, [write_csv(tmp_path / name, header, rows)], scheme=LGSCO)
    finally:
        database.close()


YEARS_ROWS = [["Y1", "Stevenage", "2018-10-01", "Upheld"], ["Y2", "Hertsmere", "2019-10-01", "Not upheld"],
              ["Y3", "Stevenage", "2021-06-01", "Upheld"], ["Y4", "Stevenage", "2022-06-01", "Upheld"],
              ["Y5", "Hertsmere", "2023-06-01", "Upheld"]]


def test_an_import_keeps_every_year_held_as_computing_afresh_gives(db_url, tmp_path):
    report = import_rows(db_url, tmp_path, YEARS_ROWS, "years.csv")
    held = ["2018-19", "2019-20", "2021-22", "2022-23", "2023-24"]
    assert [y.label for y in report.computed] == held
    kept = kept_bodies(db_url)
    version = data_version_of(db_url)
    assert sorted(kept) == [("", "pooled")] + [(y, "pooled") for y in held]
    assert {v for v, _ in kept.values()} == {version}
    assert json.loads(kept[("", "pooled")][1]) == held
    assert {y: b for (y, _), (_, b) in kept.items() if y} == fresh_bodies(db_url)


def test_a_later_import_computes_only_the_years_it_touched_and_the_year_after(db_url, tmp_path):
    import_rows(db_url, tmp_path, YEARS_ROWS, "years.csv")
    assert "mean" in run(db_url, "stats", "--average", "mean").output  # kept for the mean too from now on
    before = kept_bodies(db_url)
    report = import_rows(db_url, tmp_path, [["Y3", "Stevenage", "2021-06-01", "Not upheld"]], "change.csv")
    assert [y.label for y in report.computed] == ["2021-22", "2022-23"]
    after = kept_bodies(db_url)
    version = data_version_of(db_url)
    assert sorted(after) == sorted(before) and {v for v, _ in after.values()} == {version}
    changed = sorted(key for key in after if after[key][1] != before[key][1])
    assert changed == [("2021-22", "mean"), ("2021-22", "pooled"), ("2022-23", "mean"), ("2022-23", "pooled")]
    for method in ("pooled", "mean"):
        assert {y: b for (y, m), (_, b) in after.items() if y and m == method} == fresh_bodies(db_url, method)
    wording = import_rows(db_url, tmp_path, [["Y3", "Stevenage", "2021-06-01", "Not upheld", "", "no", "no", "no",
                                              "A summary changes no figure"]], "summary.csv")
    assert wording.changes["decided"].changed == 1 and wording.computed == []
    assert {k: b for k, (_, b) in kept_bodies(db_url).items()} == {k: b for k, (_, b) in after.items()}
    assert {v for v, _ in kept_bodies(db_url).values()} == {data_version_of(db_url)} != {version}


def test_a_failed_import_leaves_the_kept_statistics_as_they_were(db_url, tmp_path):
    import pytest

    from ombuds.ingest.problems import ImportFailed

    import_rows(db_url, tmp_path, YEARS_ROWS, "years.csv")
    before = kept_bodies(db_url)
    with pytest.raises(ImportFailed):
        import_rows(db_url, tmp_path, [["Y6", "Stevenage", "2020-06-01", "Upheld"],
                                       ["Y7", "Nowhere at all", "2020-06-01", "Upheld"]], "bad.csv")
    assert kept_bodies(db_url) == before
    assert run(db_url, "stats").output.count('"year": "2020-21"') == 0


def test_a_population_figure_touches_its_year_and_the_year_after(db_url, tmp_path):
    from ombuds.ingest.run import import_files

    import_rows(db_url, tmp_path, YEARS_ROWS, "years.csv")
    database = open_database(db_url)
    people = write_csv(tmp_path / "population.csv", ["authority", "year", "population"],
                       [["Stevenage", "2021-22", "90,000"]])
    report = import_files(database, [people], scheme=LGSCO)
    database.close()
    assert [y.label for y in report.computed] == ["2021-22", "2022-23"]
    assert {y: b for (y, _), (_, b) in kept_bodies(db_url).items() if y} == fresh_bodies(db_url)
    assert '"population": 90000' in kept_bodies(db_url)[("2021-22", "pooled")][1]


def test_the_years_with_figure_inputs_are_those_figure_inputs_digests(db_url, tmp_path):
    """A first import (nothing held before) takes every year with figure inputs as changed without digesting them
    (store.kept.figure_input_years): the same years as the digests', from counts, population and published figures."""
    from ombuds.store.kept import figure_input_years, figure_inputs

    import_rows(db_url, tmp_path, YEARS_ROWS, "years.csv")
    database = open_database(db_url)
    with database.transaction() as connection:
        connection.exec_driver_sql("INSERT INTO population (authority_code, year, population) "
                                   f"VALUES ('{STEVENAGE}', '2016-17', 87000)")
        connection.exec_driver_sql("INSERT INTO published (authority_code, year, source, figures) "
                                   f"VALUES ('{HERTSMERE}', '2015-16', 'letter.pdf', '{{}}')")
    with database.read() as connection:
        years = figure_input_years(connection)
        assert years == set(figure_inputs(connection).years)
    database.close()
    assert years == {2015, 2016, 2018, 2019, 2021, 2022, 2023}
