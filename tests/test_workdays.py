"""Working days against a calendar counted by hand (bank holidays of England and Wales, from gov.uk's list)."""

from datetime import date

import pytest

from ombuds.workdays import add_working_days, is_working_day, working_days

# Hand-counted. Bank holidays met: Thu 25 and Fri 26 Dec 2025, Thu 1 Jan 2026, Fri 3 and Mon 6 Apr 2026,
# Mon 4 May 2026; Fri 25 Dec 2026, Mon 28 Dec 2026 (Boxing Day, a Saturday, moved to the Monday), Fri 1 Jan 2027.
HAND_COUNTED = [
    # start, end, working days counted from the day after start to end inclusive: the days listed
    (date(2025, 12, 19), date(2026, 1, 2), 7),   # Mon 22, Tue 23, Wed 24, Mon 29, Tue 30, Wed 31 Dec; Fri 2 Jan
    (date(2025, 12, 24), date(2025, 12, 29), 1),  # Mon 29 (Thu 25, Fri 26 holidays; Sat 27, Sun 28)
    (date(2025, 12, 31), date(2026, 1, 5), 2),    # Fri 2, Mon 5 (Thu 1 Jan holiday)
    (date(2026, 3, 30), date(2026, 4, 10), 7),    # Tue 31 Mar, Wed 1, Thu 2, Tue 7, Wed 8, Thu 9, Fri 10 Apr
    (date(2026, 4, 2), date(2026, 4, 7), 1),      # Tue 7 (Fri 3 Good Friday, Mon 6 Easter Monday)
    (date(2026, 4, 30), date(2026, 5, 8), 5),     # Fri 1, Tue 5, Wed 6, Thu 7, Fri 8 May (Mon 4 May Day)
    (date(2026, 12, 23), date(2027, 1, 4), 5),    # Thu 24, Tue 29, Wed 30, Thu 31 Dec, Mon 4 Jan
    (date(2026, 6, 1), date(2026, 6, 1), 0),      # the start day itself never counts
    (date(2026, 6, 5), date(2026, 6, 8), 1),      # Fri to Mon: Mon 8 only
]


@pytest.mark.parametrize(("start", "end", "expected"), HAND_COUNTED)
def test_working_days_match_the_hand_counted_calendar(start, end, expected):
    assert working_days(start, end) == expected


def test_the_fifth_working_day_after_christmas_eve_2025_is_the_second_of_january():
    # Mon 29, Tue 30, Wed 31 Dec, Fri 2 Jan (Thu 1 Jan a holiday) are four; Mon 5 Jan is the fifth
    assert add_working_days(date(2025, 12, 24), 4) == date(2026, 1, 2)
    assert add_working_days(date(2025, 12, 24), 5) == date(2026, 1, 5)
    assert working_days(date(2025, 12, 24), add_working_days(date(2025, 12, 24), 10)) == 10


def test_bank_holidays_and_weekends_are_not_working_days():
    assert not is_working_day(date(2026, 4, 3))  # Good Friday
    assert not is_working_day(date(2026, 12, 28))  # Boxing Day observed
    assert not is_working_day(date(2026, 12, 26))  # Saturday
    assert is_working_day(date(2026, 12, 24))
