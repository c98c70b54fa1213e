"""The ombudsman's year: 1 April to 31 March, written `2019-20`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cached_property, lru_cache

from ombuds.errors import OmbudsError

_LABEL = re.compile(r"^\s*(\d{4})\s*[-/]\s*(\d{2}|\d{4})\s*$")
FIRST_TO_LAST = range(1974, 2100)  # the ombudsman began work in 1974; later years are typing slips
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")
EARLIEST_START_YEAR = 2017  # the earliest year the scheme covers (the LGSCO's: 2017-18): the one place to change,
# until the scheme's settings hold it (`earliest_year`)


@dataclass(frozen=True, order=True)
class Year:
    """A reporting year, identified by the calendar year it starts in."""

    start_year: int

    @classmethod
    def parse(cls, text: str) -> Year:
        """`2019-20` (also `2019/20`, `2019-2020`); anything else is an error saying what is expected."""
        return _parsed(str(text))

    @classmethod
    def of(cls, day: date) -> Year:
        return cls(day.year if day.month >= 4 else day.year - 1)

    @classmethod
    def span(cls, first: Year, last: Year) -> list[Year]:
        return [cls(y) for y in range(first.start_year, last.start_year + 1)]

    @cached_property
    def label(self) -> str:  # kept: a build asks a year's label hundreds of thousands of times
        return f"{self.start_year}-{(self.start_year + 1) % 100:02d}"

    @property
    def start(self) -> date:
        return date(self.start_year, 4, 1)

    @property
    def end(self) -> date:
        return date(self.start_year + 1, 3, 31)

    @property
    def period(self) -> str:
        """`1 April 2019 to 31 March 2020`."""
        return f"1 April {self.start_year} to 31 March {self.start_year + 1}"

    @property
    def period_ending(self) -> str:
        """`31/03/2020`, as the appendix tables write it."""
        return self.end.strftime("%d/%m/%Y")

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end

    def __str__(self) -> str:
        return self.label


@lru_cache(maxsize=1024)  # bounded: the labels of a few years, in the spellings met
def _parsed(text: str) -> Year:
    match = _LABEL.match(text)
    if match:
        first, second = int(match[1]), match[2]
        expected = first + 1
        if int(second) in (expected % 100, expected) and len(second) in (2, 4) and first in FIRST_TO_LAST:
            return Year(first)
    raise OmbudsError(f"'{text}' is not a year: write it as 2019-20 (1 April 2019 to 31 March 2020)")


EARLIEST_YEAR = Year(EARLIEST_START_YEAR)
EARLIEST_DATE = Year(EARLIEST_START_YEAR - 1).start
"""The earliest date a case may carry: the start of the year before the earliest year covered, whose complaints
are decided in it. Every year the store holds is then one every command can show."""
