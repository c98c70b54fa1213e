"""The published figures of the seed letters and the example statistics pages, reproduced from case-level rows."""

from __future__ import annotations

from builders import OUTCOMES, WORDS, Cases
from conftest import LGSCO, registry
from ombuds.ingest import import_files
from ombuds.stats import authority_statistics, layouts
from ombuds.stats import format as fmt
from ombuds.years import Year

STEVENAGE, BROMSGROVE, WELLINGBOROUGH = "E07000243", "E07000234", "E07000156"
KENT, ESSEX, BIRMINGHAM, COVENTRY, ALLERDALE = "E10000016", "E10000012", "E08000025", "E08000026", "E07000026"


def _stats(db, cases: Cases, year: str, authority: str):
    import_files(db, cases.files(), scheme=LGSCO)
    return authority_statistics(db, LGSCO, Year.parse(year), registry().get(authority))


def test_stevenage_2018_19_every_cell_of_both_tables(db, tmp_path):
    """Seed 000: Local Authority Report for Stevenage Borough Council, period ending 31/03/2019."""
    cases = Cases(tmp_path)
    cases.received("Stevenage Borough Council", "2018-06-01", [1, 0, 1, 0, 2, 0, 4, 1, 1])
    cases.decided("Stevenage", "2018-09-03", [2, 1, 3, 6, 0, 0])
    s = _stats(db, cases, "2018-19", STEVENAGE)
    d = s.to_json()
    assert d["authority"] == {"code": "E07000243", "name": "Stevenage Borough Council", "type": "District"}
    assert d["year"] == "2018-19"
    assert list(d["received"].values()) == [1, 0, 1, 0, 2, 0, 4, 1, 1, 10]
    assert list(d["decided"].values()) == [2, 1, 3, 6, 0, 0, 12]
    assert (d["investigated"], d["upheld"], d["uphold_rate"]) == (0, 0, None)
    assert (d["satisfactory_remedies"], d["satisfactory_remedy_rate"]) == (0, None)
    assert d["compliance"] == {"recorded": 0, "on_time": 0, "late": 0, "not_complied": 0}
    assert d["compliance_rate"] is None
    layout = layouts.layout_for(s.period, LGSCO)
    assert layout.id == layouts.APPENDIX_2018
    assert fmt.period_ending(s.period) == "For the Period Ending: 31/03/2019"
    assert layout.rate(s, "uphold_rate") == "0"
    assert layout.rate(s, "satisfactory_remedy_rate") == "0"
    assert layout.rate(s, "compliance_rate") == "-"


def test_bromsgrove_2017_18(db, tmp_path):
    """Seed 003: received includes 2 in Benefits and Tax (the header the text lost); 50% upheld; remedied 1 / 0."""
    cases = Cases(tmp_path)
    cases.received("Bromsgrove", "2017-05-02", [0, 2, 0, 0, 1, 0, 0, 8, 0])
    cases.decided("Bromsgrove District Council", "2017-11-20", [1, 0, 2, 6, 1, 1], remedied_by_ombudsman=1)
    s = _stats(db, cases, "2017-18", BROMSGROVE)
    assert s.received["Benefits and Tax"] == 2
    assert (s.received_total, s.dealt_with) == (11, 11)
    assert [s.decided[o] for o in OUTCOMES] == [1, 0, 2, 6, 1, 1]
    assert (s.investigated, s.upheld, s.uphold_rate) == (2, 1, 0.5)
    assert (s.remedied_by_ombudsman, s.satisfactory_remedies) == (1, 0)
    assert layouts.layout_for(s.period, LGSCO).rate(s, "uphold_rate") == "50%"


def test_wellingborough_2019_20_with_its_district_averages(db, tmp_path):
    """Seed 002: 2 investigations, 100% upheld (average 45%), compliance 100% of 1 outcome (average 99%),
    0 satisfactory remedies (average 20%). A second district supplies the rest of the district totals."""
    cases = Cases(tmp_path)
    cases.decided("Wellingborough", "2019-10-01", {"Upheld": 2})
    cases.compliance("Wellingborough", "2019-12-01", on_time=1)
    cases.decided("Stevenage", "2019-10-01", {"Not Upheld": 55, "Upheld": 43}, satisfactory_remedies=9)
    cases.compliance("Stevenage", "2019-12-01", on_time=90, late=8, not_complied=1)
    cases.population("Wellingborough", "2019-20", 79000)
    s = _stats(db, cases, "2019-20", WELLINGBOROUGH)
    d = s.to_json()
    assert d["authority"] == {"code": "E07000156", "name": "Wellingborough Borough Council", "type": "District"}
    assert (d["investigated"], d["upheld"], d["uphold_rate"]) == (2, 2, 1.0)
    assert (d["satisfactory_remedies"], d["satisfactory_remedy_rate"]) == (0, 0.0)
    assert d["compliance"] == {"recorded": 1, "on_time": 1, "late": 0, "not_complied": 0}
    assert d["compliance_rate"] == 1.0
    assert d["population"] == 79000
    assert d["average"]["method"] == "pooled"
    assert d["average"]["uphold_rate"] == 45 / 100
    assert d["average"]["compliance_rate"] == 99 / 100
    assert d["average"]["satisfactory_remedy_rate"] == 9 / 45
    panel = [fmt.percent(s.uphold_rate), fmt.average(s.average.uphold_rate), fmt.counted(s.upheld, "upheld decision"),
             fmt.counted(s.investigated, "detailed investigation"), fmt.percent(s.compliance_rate),
             fmt.average(s.average.compliance_rate), fmt.counted(s.compliance.recorded, "compliance outcome"),
             fmt.percent(s.satisfactory_remedy_rate), fmt.average(s.average.satisfactory_remedy_rate),
             fmt.counted(s.satisfactory_remedies, "satisfactory remedy decision"), fmt.period(s.period)]
    assert panel == ["100%", "45%", "2 upheld decisions", "2 detailed investigations", "100%", "99%",
                     "1 compliance outcome", "0%", "20%", "0 satisfactory remedy decisions",
                     "1 April 2019 to 31 March 2020"]
    assert fmt.per_100k(s.upheld_per_100k) == "2.5"


def test_kent_2022_23_statistics_page(db, tmp_path):
    """Example page: 87% upheld (average 80%), 53 upheld decisions, 3.4 per 100,000 (average 3.4), 61 detailed
    investigations, compliance 100% of 51 (average 100%), 8% satisfactory remedies (average 6%), 4 decisions.
    The page's per-100,000 figure uses a later population than 2020's, given here by a population file."""
    cases = Cases(tmp_path)
    cases.decided("Kent County Council", "2022-07-01", {"Not Upheld": 8, "Upheld": 53}, satisfactory_remedies=4)
    cases.compliance("Kent", "2022-10-01", on_time=45, late=6)
    cases.population("Kent", "2022-23", 1_576_069)
    year = Year.parse("2022-23")
    others = sum(a.population_2020 for a in registry().current_in(year) if a.type == "County" and a.code != KENT)
    upheld = round(3.4e-5 * (others + 1_576_069)) - 53  # the other counties' upheld decisions, all given to Essex
    investigated = round((53 + upheld) / 0.8) - 61
    cases.decided("Essex", "2022-07-01", {"Not Upheld": investigated - upheld, "Upheld": upheld},
                  satisfactory_remedies=round(0.06 * (53 + upheld)) - 4)
    cases.compliance("Essex", "2022-10-01", on_time=300)
    s = _stats(db, cases, "2022-23", KENT)
    shown = [fmt.percent(s.uphold_rate), fmt.average(s.average.uphold_rate), fmt.counted(s.upheld, "upheld decision"),
             fmt.per_100k(s.upheld_per_100k), fmt.per_100k(s.average.upheld_per_100k),
             fmt.counted(s.investigated, "detailed investigation"), fmt.percent(s.compliance_rate),
             fmt.average(s.average.compliance_rate), fmt.counted(s.compliance.recorded, "compliance outcome"),
             fmt.percent(s.satisfactory_remedy_rate), fmt.average(s.average.satisfactory_remedy_rate),
             fmt.counted(s.satisfactory_remedies, "satisfactory remedy decision")]
    assert shown == ["87%", "80%", "53 upheld decisions", "3.4", "3.4", "61 detailed investigations", "100%",
                     "100%", "51 compliance outcomes", "8%", "6%", "4 satisfactory remedy decisions"]
    assert s.satisfactory_remedy_rate == 4 / 53  # 7.55% shows 8%


def test_birmingham_2024_25_complaint_overview(db, tmp_path):
    """Example page: dealt with 572; 232 not for us; 226 assessed and closed; 114 investigated, 94 upheld: 82%
    (average 81%)."""
    cases = Cases(tmp_path)
    cases.decided("Birmingham", "2024-08-01", [50, 30, 152, 226, 20, 94])
    cases.decided("Coventry", "2024-08-01", {"Not Upheld": 18, "Upheld": 68})
    s = _stats(db, cases, "2024-25", BIRMINGHAM)
    assert (s.dealt_with, s.not_for_us(WORDS), s.assessed_and_closed(WORDS), s.investigated) == (572, 232, 226, 114)
    assert s.upheld == 94
    assert fmt.percent(s.uphold_rate) == "82%"
    assert fmt.average(s.average.uphold_rate) == "81%"
    assert s.population == 1_140_525
    assert fmt.per_100k(s.upheld_per_100k) == "8.2"
    assert layouts.layout_for(s.period, LGSCO).id == layouts.OVERVIEW


def test_allerdale_2023_24_after_abolition_has_no_averages(db, tmp_path):
    """Example page: Allerdale, abolished 1 April 2023, still has 2023-24 decisions; every average is n/a."""
    cases = Cases(tmp_path)
    cases.decided("Allerdale", "2023-06-12", {"Upheld": 1}, remedied_by_ombudsman=1)
    cases.compliance("Allerdale Borough Council", "2023-09-01", on_time=1)
    cases.decided("Carlisle", "2023-06-12", {"Upheld": 3, "Not Upheld": 1})  # a district peer, also abolished
    cases.decided("Stevenage", "2023-06-12", {"Upheld": 3, "Not Upheld": 1})
    s = _stats(db, cases, "2023-24", ALLERDALE)
    d = s.to_json()
    assert d["average"] == {"method": "pooled", "uphold_rate": None, "compliance_rate": None,
                            "satisfactory_remedy_rate": None, "upheld_per_100k": None}
    assert [fmt.percent(s.uphold_rate), fmt.average(s.average.uphold_rate), fmt.counted(s.upheld, "upheld decision"),
            fmt.percent(s.compliance_rate), fmt.average(s.average.compliance_rate),
            fmt.percent(s.satisfactory_remedy_rate), fmt.average(s.average.satisfactory_remedy_rate)] == [
        "100%", "n/a", "1 upheld decision", "100%", "n/a", "0%", "n/a"]
    stevenage = authority_statistics(db, LGSCO, Year.parse("2023-24"), registry().get(STEVENAGE))
    assert stevenage.average.uphold_rate == 3 / 4  # abolished councils are not in the year's district average


def test_half_up_rounding_from_case_rows(db, tmp_path):
    cases = Cases(tmp_path)
    cases.decided("Stevenage", "2021-05-05", {"Not Upheld": 14, "Upheld": 2})
    cases.decided("Hertsmere", "2021-05-05", {"Not Upheld": 7, "Upheld": 49})
    import_files(db, cases.files(), scheme=LGSCO)
    year = Year.parse("2021-22")
    assert fmt.percent(authority_statistics(db, LGSCO, year, registry().get(STEVENAGE)).uphold_rate) == "13%"
    assert fmt.percent(authority_statistics(db, LGSCO, year, registry().resolve("Hertsmere")).uphold_rate) == "88%"
