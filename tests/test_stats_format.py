"""The display rules of SPEC 1.3, in the one formatting module."""

import subprocess
import sys
from datetime import date

import pytest

from conftest import LGSCO
from ombuds.errors import OmbudsError
from ombuds.stats import format as fmt
from ombuds.stats import layouts
from ombuds.years import Year


@pytest.mark.parametrize(("numerator", "denominator", "shown"), [
    (2, 16, "13%"), (49, 56, "88%"), (29, 200, "15%"), (1, 8, "13%"), (1, 3, "33%"), (2, 3, "67%"), (0, 5, "0%"),
    (5, 5, "100%"), (1, 200, "1%"), (199, 200, "100%"), (53, 61, "87%"), (4, 53, "8%"), (94, 114, "82%"),
])
def test_percentages_round_half_up(numerator, denominator, shown):
    assert fmt.percent(numerator / denominator) == shown


def test_zero_denominators_by_layout():
    assert fmt.percent(None) == "0%"
    assert fmt.average(None) == "n/a"
    assert fmt.rate(None) == "0%"
    assert fmt.rate(None, zero="-") == "-"
    assert fmt.rate(0.5, bare=True) == "50"
    assert fmt.rate(0.875) == "88%"
    appendix_2018 = layouts.layout(layouts.APPENDIX_2018, LGSCO)
    assert appendix_2018.zero_denominator == {"uphold_rate": "0", "satisfactory_remedy_rate": "0",
                                              "compliance_rate": "-"}
    assert appendix_2018.bare_rates == {"uphold_rate", "satisfactory_remedy_rate"}
    assert layouts.layout(layouts.APPENDIX_2017, LGSCO).zero_denominator["compliance_rate"] == "-"
    for layout_id in (layouts.PANELS, layouts.PANELS_PER_100K, layouts.OVERVIEW):
        assert layouts.layout(layout_id, LGSCO).zero_denominator == {}
        assert layouts.layout(layout_id, LGSCO).bare_rates == frozenset()
    with pytest.raises(OmbudsError, match="unknown layout 'tables'"):
        layouts.layout("tables", LGSCO)


def test_format_needs_no_database():
    code = "import sys, ombuds.stats.format, ombuds.stats.layouts; print('sqlalchemy' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout == "False\n"


@pytest.mark.parametrize(("value", "shown"), [
    (7.6, "7.6"), (11.0, "11"), (10.96, "11"), (3.35, "3.4"), (0.05, "0.1"), (0.04, "0"), (1234.56, "1,234.6"),
    (53 / 1_576_069 * 100_000, "3.4"), (None, "n/a"),
])
def test_per_100k_one_decimal_trailing_zero_dropped(value, shown):
    assert fmt.per_100k(value) == shown


def test_counts_agree_with_their_nouns():
    assert fmt.counted(1, "upheld decision") == "1 upheld decision"
    assert fmt.counted(2, "upheld decision") == "2 upheld decisions"
    assert fmt.counted(0, "compliance outcome") == "0 compliance outcomes"
    assert fmt.counted(1, "compliance outcome") == "1 compliance outcome"
    assert fmt.counted(1400, "person", "people") == "1,400 people"
    assert fmt.number(22010) == "22,010"


def test_dates_and_periods():
    assert fmt.long_date(date(2019, 7, 24)) == "24 July 2019"
    assert fmt.period(Year(2019)) == "1 April 2019 to 31 March 2020"
    assert fmt.period_ending(Year(2018)) == "For the Period Ending: 31/03/2019"
    assert [layouts.layout_for(Year(y), LGSCO).id for y in (2017, 2018, 2019, 2021, 2022, 2023, 2024, 2030)] == [
        layouts.APPENDIX_2017, layouts.APPENDIX_2018, layouts.PANELS, layouts.PANELS, layouts.PANELS_PER_100K,
        layouts.PANELS_PER_100K, layouts.OVERVIEW, layouts.OVERVIEW]


def test_flatten_gives_every_row_the_same_columns():
    from ombuds.stats.export import flatten

    row = flatten({"year": "2019-20", "interval": {"uphold_rate": [0.25, 0.75], "compliance_rate": None},
                   "average": {"method": "pooled", "uphold_rate": None}})
    assert row == {"year": "2019-20", "interval.uphold_rate.low": 0.25, "interval.uphold_rate.high": 0.75,
                   "interval.compliance_rate.low": "", "interval.compliance_rate.high": "",
                   "average.method": "pooled", "average.uphold_rate": ""}
