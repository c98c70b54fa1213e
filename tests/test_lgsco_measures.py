"""The LGSCO engine's figures count what its scheme's measures.toml says: a copy of schemes/lgsco whose detailed
investigations also take in the complaints closed after initial enquiries, and whose compliance counts only
recommendations met on time, gives other rates and averages from the same cases (worked out here by hand), while
the shipped scheme keeps the published ones. `ombuds scheme check` names a missing or wrong measure."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from statistics import fmean

import pytest
from click.testing import CliRunner

from builders import Cases, replace_once
from ombuds.cli import cli
from ombuds.schemes import check_scheme, load_scheme, scheme_folder
from ombuds.stats import fairness
from ombuds.stats.service import statistics_service
from ombuds.stats.summary import totals
from ombuds.store import open_database
from ombuds.years import Year

STEVENAGE, BROMSGROVE = "E07000243", "E07000234"  # two district councils
INVESTIGATED = 'label = { set = "outcome", ids = ["not-upheld", "upheld"] }'
COMPLIED = 'label = { set = "compliance", ids = ["on-time", "late"] }'


def _copy(folder: Path) -> Path:
    copy = folder / "lgsco-measures"
    shutil.copytree(scheme_folder("lgsco"), copy)
    return copy


@pytest.fixture(scope="module")
def recounted(tmp_path_factory) -> Path:
    copy = _copy(tmp_path_factory.mktemp("schemes"))
    replace_once(copy / "measures.toml", INVESTIGATED,
             'label = { set = "outcome", ids = ["closed-after-initial-enquiries", "not-upheld", "upheld"] }')
    replace_once(copy / "measures.toml", COMPLIED, 'label = { set = "compliance", ids = ["on-time"] }')
    return copy


@pytest.fixture(scope="module")
def case_files(tmp_path_factory) -> list[str]:
    cases = Cases(tmp_path_factory.mktemp("cases"))
    # incomplete, advice, referred back, closed after initial enquiries, not upheld, upheld
    cases.decided("Stevenage", "2019-09-03", [1, 0, 0, 4, 3, 5], satisfactory_remedies=2)
    cases.decided("Bromsgrove", "2019-10-01", [0, 0, 0, 2, 6, 2])
    cases.compliance("Stevenage", "2019-11-01", on_time=3, late=1, not_complied=1)
    cases.compliance("Bromsgrove", "2019-11-01", on_time=1, late=2)
    return [str(path) for path in cases.files()]


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def _stevenage(scheme: str, case_files: list[str], folder: Path, average: str) -> dict:
    db = f"sqlite:///{folder / 'cases.db'}"
    if not (folder / "cases.db").exists():
        run("--scheme", scheme, "--db", db, "import", *case_files)
    records = json.loads(run("--scheme", scheme, "--db", db, "stats", "--year", "2019-20", "--authority",
                             STEVENAGE, "--format", "json", "--average", average))
    (record,) = records
    return record


def test_the_copys_measures_decide_what_is_investigated_and_complied(recounted, case_files, tmp_path):
    record = _stevenage(str(recounted), case_files, tmp_path, "pooled")
    assert record["decided"] == {"Incomplete or Invalid": 1, "Advice Given": 0, "Referred back for Local Resolution": 0,
                                 "Closed After Initial Enquiries": 4, "Not Upheld": 3, "Upheld": 5, "total": 13}
    assert (record["investigated"], record["upheld"]) == (4 + 3 + 5, 5)
    assert record["uphold_rate"] == 5 / 12
    assert record["satisfactory_remedy_rate"] == 2 / 5  # its measures are unchanged
    assert record["compliance"] == {"recorded": 5, "on_time": 3, "late": 1, "not_complied": 1}
    assert record["compliance_rate"] == 3 / 5
    # the district average pools the same measures: Stevenage's and Bromsgrove's counts (the other districts have none)
    assert record["average"]["uphold_rate"] == (5 + 2) / (12 + 2 + 6 + 2)
    assert record["average"]["compliance_rate"] == (3 + 1) / (5 + 3)
    assert record["average"]["satisfactory_remedy_rate"] == 2 / (5 + 2)
    # fair comparison counts as the rate does: the compliance interval is of 3 in 5, not of 4 in 5
    assert record["interval"]["compliance_rate"] == list(fairness.wilson_interval(3, 5))
    assert record["interval"]["uphold_rate"] == list(fairness.wilson_interval(5, 12))


def test_the_copys_national_totals_count_its_measures(recounted, case_files, tmp_path):
    scheme = load_scheme(str(recounted))
    run("--scheme", str(recounted), "--db", f"sqlite:///{tmp_path / 'cases.db'}", "import", *case_files)
    database = open_database(f"sqlite:///{tmp_path / 'cases.db'}", read_only=True)
    held = statistics_service(database, scheme).year(Year.parse("2019-20"))
    england = totals(held.records, held.labels.measures)
    assert (england.complied, england.compliance_recorded) == (3 + 1, 5 + 3)
    assert (england.upheld, england.detailed_investigations) == (5 + 2, 12 + 10)


def test_the_copys_mean_average_is_of_its_own_rates(recounted, case_files, tmp_path):
    record = _stevenage(str(recounted), case_files, tmp_path, "mean")
    assert record["average"]["uphold_rate"] == fmean([5 / 12, 2 / 10])
    assert record["average"]["compliance_rate"] == fmean([3 / 5, 1 / 3])


def test_the_shipped_scheme_keeps_the_published_measures(case_files, tmp_path):
    record = _stevenage("lgsco", case_files, tmp_path, "pooled")
    assert (record["investigated"], record["upheld"], record["uphold_rate"]) == (8, 5, 5 / 8)
    assert record["compliance_rate"] == 4 / 5
    assert record["average"]["uphold_rate"] == (5 + 2) / (8 + 8)
    assert record["average"]["compliance_rate"] == (4 + 3) / (5 + 3)


@pytest.mark.parametrize(("old", "new", "problem"), [
    ('[[measures]]\nid = "compliance_rate"', '[[measures]]\nid = "compliance_rate_2"',
     "measures.compliance_rate: missing (engine lgsco's statistics need a ratio measure of this id)"),
    ('numerator = "upheld"', 'numerator = "upheld_cases"', "measures.uphold_rate.numerator: unknown measure "
     "'upheld_cases'"),
    ('numerator = "upheld"', 'numerator = "upheld_per_100k"', "measures.uphold_rate.numerator: 'upheld_per_100k' "
     "is a per_size: engine lgsco divides counts"),
    ('id = "investigated"\nname = "Detailed investigations"\nkind = "count"\n' + INVESTIGATED,
     'id = "investigated"\nname = "Detailed investigations"\nkind = "by_label"\nset = "outcome"',
     "measures.investigated.kind: engine lgsco needs a count measure here, not a by_label"),
    (COMPLIED, 'label = { set = "outcome", ids = ["upheld"] }',
     "measures.complied.label.set: engine lgsco counts labels of set 'compliance' here"),
    (INVESTIGATED, 'label = { set = "outcome", ids = ["upheld", "fault-found"] }',
     "measures.investigated.label.ids: label set 'outcome' has no label 'fault-found'"),
    ('flag = "satisfactory_remedy"', 'flag = "public_report"', "measures.satisfactory_remedies.flag: "
     "'public_report' is not a flag of the records whose 'outcome' label this counts"),
    ('per = 100000', 'per = 1000', "measures.upheld_per_100k.per: engine lgsco's upheld_per_100k is per 100000"),
    ('denominator = "investigated"\ndisplay = "percent"', 'denominator = "investigated"\ndisplay = "count"',
     "measures.uphold_rate.display: engine lgsco shows a ratio as 'percent'"),
    ('numerator = "upheld"', 'numerator = "satisfactory_remedies"', "measures.uphold_rate.numerator: engine "
     "lgsco's uphold_rate divides upheld by investigated (what each counts is set in its own measure)"),
    ('measure = "upheld"', 'measure = "investigated"', "measures.upheld_per_100k.measure: engine lgsco's "
     "upheld_per_100k counts upheld (what it counts is set in that measure)"),
    (COMPLIED, 'label = { set = "compliance", ids = ["on-time", "remedy-agreed"] }', "measures.complied.label.ids: "
     "'remedy-agreed' is not a compliance outcome the record keeps (one of: on-time, late, not-complied)"),
])
def test_scheme_check_names_a_missing_or_wrong_measure(tmp_path, old, new, problem):
    copy = _copy(tmp_path)
    replace_once(copy / "measures.toml", old, new)
    found = check_scheme(copy)
    assert f"measures.toml: {problem}" in found
    result = CliRunner().invoke(cli, ["scheme", "check", str(copy)])
    assert result.exit_code != 0 and f"measures.toml: {problem}" in result.output


def test_a_measure_the_engine_does_not_know_is_named(tmp_path):
    copy = _copy(tmp_path)
    with (copy / "measures.toml").open("a", encoding="utf-8") as measures:
        measures.write('\n[[measures]]\nid = "advice"\nname = "Advice given"\nkind = "count"\n'
                       'label = { set = "outcome", ids = ["advice-given"] }\ndisplay = "count"\n')
    assert check_scheme(copy) == [
        "measures.toml: measures.advice: not a measure of engine lgsco (its measures: investigated, upheld, "
        "uphold_rate, satisfactory_remedies, satisfactory_remedy_rate, remedied_by_ombudsman, compliance_recorded, "
        "complied, compliance_rate, upheld_per_100k)"]
