"""Working days as the Complaint Handling Code counts them: Monday to Friday, not a bank holiday of the
organisation's nation, counted from the day after the start up to and including the end.

Bank holidays come from the `holidays` library (England and Wales: the subdivision ENG, whose bank holidays
Wales shares), never from a hand-kept list."""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

import holidays

NATIONS = {"england-and-wales": ("GB", "ENG")}
DEFAULT_NATION = "england-and-wales"


@cache
def _calendar(nation: str) -> holidays.HolidayBase:
    country, subdivision = NATIONS[nation]
    return holidays.country_holidays(country, subdiv=subdivision)


def is_working_day(day: date, nation: str = DEFAULT_NATION) -> bool:
    return day.weekday() < 5 and day not in _calendar(nation)


def working_days(start: date, end: date, nation: str = DEFAULT_NATION) -> int:
    """The working days after `start` up to and including `end` (0 when `end` is not after `start`)."""
    count, day = 0, start + timedelta(days=1)
    while day <= end:
        count += is_working_day(day, nation)
        day += timedelta(days=1)
    return count


def add_working_days(start: date, days: int, nation: str = DEFAULT_NATION) -> date:
    """The date `days` working days after `start`: the last day a code limit of `days` allows."""
    day = start
    while days > 0:
        day += timedelta(days=1)
        days -= is_working_day(day, nation)
    return day
