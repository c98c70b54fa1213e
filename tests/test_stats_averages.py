"""Type averages: pooled by default, or the unweighted mean; none for abolished councils and type Other."""

from __future__ import annotations

from builders import Cases
from conftest import LGSCO, registry
from ombuds.ingest import import_files
from ombuds.stats import year_statistics
from ombuds.years import Year


def _by_code(db, year: str, method: str):
    return {s.authority.code: s for s in year_statistics(db, LGSCO, Year.parse(year), method)}


def test_pooled_and_mean_averages_differ_as_defined(db, tmp_path):
    cases = Cases(tmp_path)
    cases.decided("Stevenage", "2021-06-01", {"Not Upheld": 1, "Upheld": 1})  # 1/2
    cases.decided("Hertsmere", "2021-06-01", {"Not Upheld": 2, "Upheld": 8}, satisfactory_remedies=2)  # 8/10
    cases.decided("Dacorum", "2021-06-01", {"Advice Given": 3})  # no investigations: left out of the mean
    cases.compliance("Hertsmere", "2021-09-01", on_time=3, not_complied=1)
    cases.population("Stevenage", "2021-22", 100_000)
    cases.population("Hertsmere", "2021-22", 100_000)
    import_files(db, cases.files(), scheme=LGSCO)
    pooled = _by_code(db, "2021-22", "pooled")["E07000243"].average
    assert (pooled.method, pooled.uphold_rate, pooled.satisfactory_remedy_rate, pooled.compliance_rate) == (
        "pooled", 9 / 12, 2 / 9, 3 / 4)
    districts = [a for a in registry().current_in(Year(2021)) if a.type == "District"]
    population = sum(a.population_2020 for a in districts if a.code not in ("E07000243", "E07000098")) + 200_000
    assert pooled.upheld_per_100k == 9 / population * 100_000
    mean = _by_code(db, "2021-22", "mean")["E07000243"].average
    assert (mean.method, mean.uphold_rate, mean.satisfactory_remedy_rate, mean.compliance_rate) == (
        "mean", (1 / 2 + 8 / 10) / 2, (0 + 2 / 8) / 2, 3 / 4)
    per_100k = [1.0, 8.0] + [0.0] * (len(districts) - 2)
    assert abs(mean.upheld_per_100k - sum(per_100k) / len(per_100k)) < 1e-12


def test_every_current_council_is_listed_with_zeros_and_other_bodies_only_with_cases(db, tmp_path):
    cases = Cases(tmp_path)
    cases.decided("Greater Manchester Combined Authority", "2021-06-01", {"Upheld": 1})
    cases.decided("Stevenage", "2021-06-01", {"Upheld": 1})
    import_files(db, cases.files(), scheme=LGSCO)
    stats = _by_code(db, "2021-22", "pooled")
    councils = [a for a in registry().current_in(Year(2021)) if a.type != "Other"]
    assert len(stats) == len(councils) + 1
    gmca = stats["E47000001"]
    assert gmca.authority.type == "Other" and gmca.average.uphold_rate is None and gmca.upheld == 1
    assert stats["E07000098"].dealt_with == 0 and stats["E07000098"].uphold_rate is None
