"""Fair comparison from records: intervals, funnel classes, tested change, trends with predecessors, and the words
`stats.format` gives them (minimum numbers on and off)."""

from __future__ import annotations

import pytest

from conftest import LGSCO, registry, shipped_edition
from ombuds.labels import engine_labels
from ombuds.letters.content import placeholder_values
from ombuds.stats import comparison
from ombuds.stats import format as fmt
from ombuds.stats.record import Averages, ComplianceCounts, StatisticsRecord
from ombuds.stats.service import StatisticsService
from ombuds.years import Year

MEASURES = engine_labels(LGSCO).measures


def record(code: str, upheld: int, investigated: int, year: str = "2023-24", remedies: int = 0,
           complied: int = 0, recorded: int = 0, average: float | None = 0.5) -> StatisticsRecord:
    a = registry().get(code)
    return StatisticsRecord(
        authority={"code": a.code, "name": a.name, "type": a.type}, year=year, received={"total": investigated},
        decided={"Upheld": upheld, "Not Upheld": investigated - upheld, "total": investigated},
        investigated=investigated, upheld=upheld, uphold_rate=upheld / investigated if investigated else None,
        satisfactory_remedies=remedies, satisfactory_remedy_rate=remedies / upheld if upheld else None,
        remedied_by_ombudsman=0,
        compliance=ComplianceCounts(recorded=recorded, on_time=complied, late=0, not_complied=recorded - complied),
        compliance_rate=complied / recorded if recorded else None, population=None, upheld_per_100k=None,
        average=Averages(method="pooled", uphold_rate=average))


STEVENAGE = "E07000243"


@pytest.mark.parametrize(("k", "n", "low", "high"), [
    (0, 0, None, None), (0, 1, 0.0, 0.79), (1, 1, 0.21, 1.0), (2, 2, 0.34, 1.0), (16, 20, 0.58, 0.92),
    (8000, 10000, 0.79, 0.81)])
def test_intervals_through_the_record(k, n, low, high):
    r = comparison.compared([record(STEVENAGE, k, n)], {}, MEASURES)[0]
    data = r.to_json()["interval"]
    if n == 0:
        assert data["uphold_rate"] is None
        assert fmt.interval_sentence("uphold_rate", 0, None) == (
            "There were no investigations, so there is no uphold rate.")
        return
    assert [round(x, 2) for x in data["uphold_rate"]] == [low, high]
    assert data["compliance_rate"] is None and data["satisfactory_remedy_rate"] is (None if k == 0 else data[
        "satisfactory_remedy_rate"])
    StatisticsRecord.model_validate(r.to_json())  # the JSON reads back


def test_interval_sentences_wide_and_narrow():
    assert fmt.interval_sentence("uphold_rate", 2, (0.342, 1.0)) == (
        "Based on 2 investigations, the uphold rate is uncertain: it could plausibly be anywhere between 34% and 100%.")
    assert fmt.interval_sentence("uphold_rate", 10000, (0.79, 0.81)) == (
        "The uphold rate could plausibly be between 79% and 81%.")


def test_funnel_classes_for_a_constructed_year():
    codes = [a.code for a in registry() if a.type == "District" and a.current_in(Year(2023))][:12]
    counts = {c: (50, 100) for c in codes}
    counts[codes[0]] = (95, 100)  # far above
    counts[codes[1]] = (5, 100)  # far below
    counts[codes[2]] = (2, 2)  # 2 of 2: chance explains it
    counts[codes[3]] = (0, 0)
    records = [record(c, *counts[c]) for c in codes]
    done = {r.authority.code: r for r in comparison.compared(records, {c: "District" for c in codes}, MEASURES)}
    assert done[codes[0]].funnel.uphold_rate in ("above", "above_95")
    assert done[codes[1]].funnel.uphold_rate in ("below", "below_95")
    assert done[codes[2]].funnel.uphold_rate == "within"
    assert done[codes[3]].funnel.uphold_rate is None
    assert done[codes[4]].to_json()["funnel"] == {"uphold_rate": "within", "satisfactory_remedy_rate": "within",
                                                  "compliance_rate": None}
    plot = comparison.funnel_plot(done.values(), "District", "uphold_rate", MEASURES)
    assert len(plot.points) == 11 and plot.inner[-1].n == 100 and plot.outer[0].n == 1
    assert fmt.funnel_point_label("Stevenage Borough Council", "uphold_rate", 3, 4, "within") == (
        "Stevenage Borough Council: 3 of 4 upheld, 75%, within the expected range")


def test_trend_with_predecessors_combined():
    north = registry().resolve("North Northamptonshire")
    before = {c: record(c, 3, 6, "2019-20") for c in north.predecessors}
    years = [("2019-20", before), ("2021-22", {north.code: record(north.code, 5, 10, "2021-22", average=0.6)})]
    points = comparison.trend(years, north.code, north.predecessors, north.type, "uphold_rate", MEASURES)
    assert [p.year for p in points] == ["2019-20", "2021-22"]
    assert points[0].combined and (points[0].numerator, points[0].denominator) == (15, 30)
    assert "Corby Borough Council" in points[0].predecessors
    assert not points[1].combined and points[1].rate == 0.5 and points[1].average == 0.6


def test_tested_change_sentences():
    before = record(STEVENAGE, 40, 100, "2022-23")
    rose = comparison.change(before, record(STEVENAGE, 75, 100), MEASURES).uphold_rate
    assert rose.significant and rose.direction == "up"
    assert fmt.change_sentence("uphold_rate", rose) == (
        f"The uphold rate rose from 40% to 75%; a change this large is unlikely to be chance "
        f"({fmt.p_value(rose.p_value)}).")
    small = comparison.change(record(STEVENAGE, 2, 5, "2022-23"), record(STEVENAGE, 3, 4), MEASURES).uphold_rate
    assert fmt.change_sentence("uphold_rate", small) == (
        "The uphold rate rose from 40% to 75%; the difference is within what chance would give.")
    assert fmt.change_sentence("uphold_rate", None) == "There is no earlier year to compare the uphold rate with."
    assert fmt.p_value(0.0123) == "p = 0.012" and fmt.p_value(0.00001) == "p < 0.001"


def test_minimum_numbers_on_and_off_in_letters():
    edition = shipped_edition(Year(2023))
    r = comparison.compared([record(STEVENAGE, 3, 4)], {}, MEASURES, {STEVENAGE: record(STEVENAGE, 2, 5, "2022-23")})[0]
    off = placeholder_values(r, edition)
    assert off["uphold_rate"] == "75%"
    assert off["uphold_rate_change"].startswith("The uphold rate rose from 40% to 75%")
    on = placeholder_values(r, edition.__class__(**{**edition.__dict__, "minimum_denominator": 10}))
    assert on["uphold_rate"] == fmt.TOO_FEW
    assert {k: v for k, v in on.items() if k != "uphold_rate" and "rate" not in k} == {
        k: v for k, v in off.items() if k != "uphold_rate" and "rate" not in k}
    assert fmt.reliable_rate(0.75, 4, None) == "75%" and fmt.reliable_rate(0.75, 4, 4) == "75%"


def test_service_sets_comparisons_for_case_record_years(tmp_path):
    from builders import Cases
    from ombuds.ingest import import_files
    from ombuds.store import open_database

    cases = Cases(tmp_path)
    cases.decided("Stevenage", "2022-10-01", {"Upheld": 2, "Not Upheld": 3})
    cases.decided("Stevenage", "2023-10-01", {"Upheld": 3, "Not Upheld": 1})
    cases.decided("Dacorum", "2023-10-01", {"Upheld": 1, "Not Upheld": 1})
    database = open_database(f"sqlite:///{tmp_path / 'c.db'}")
    import_files(database, cases.files(), scheme=LGSCO)
    service = StatisticsService(database, LGSCO)
    r = service.year(Year(2023)).get(STEVENAGE)
    data = r.to_json()
    assert [round(x, 2) for x in data["interval"]["uphold_rate"]] == [0.30, 0.95]
    assert data["funnel"]["uphold_rate"] == "within"
    assert data["change"]["uphold_rate"]["previous_year"] == "2022-23"
    assert service.year(Year(2022)).get(STEVENAGE).change is None
