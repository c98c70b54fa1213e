from datetime import date

import pytest

from ombuds.errors import OmbudsError
from ombuds.years import Year


def test_year_label_period_and_membership():
    year = Year.parse("2019-20")
    assert (year.label, year.start, year.end) == ("2019-20", date(2019, 4, 1), date(2020, 3, 31))
    assert year.period == "1 April 2019 to 31 March 2020"
    assert year.period_ending == "31/03/2020"
    assert date(2020, 3, 31) in year and date(2020, 4, 1) not in year
    assert Year.of(date(2020, 3, 31)) == year and Year.of(date(2020, 4, 1)) == Year(2020)
    assert Year.parse("2019/20") == Year.parse("2019-2020") == year
    assert Year.parse("1999-00").label == "1999-00"
    assert [y.label for y in Year.span(Year(2017), Year(2019))] == ["2017-18", "2018-19", "2019-20"]


@pytest.mark.parametrize("text", ["2019", "2019-21", "19-20", "2019-2021", "twenty"])
def test_bad_years_say_what_is_expected(text):
    with pytest.raises(OmbudsError, match=f"'{text}' is not a year: write it as 2019-20"):
        Year.parse(text)
