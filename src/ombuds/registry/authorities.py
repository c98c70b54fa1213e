"""The Authority record and its lifetime rules."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from ombuds.years import Year

GRACE_YEARS = 2  # cases about an abolished council are still accepted this long after it ends


@cache
def _slug(name: str) -> str:
    """A name's slug, made once per name (a static build asks every page's council for it, 40,000 times)."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


@dataclass(frozen=True)
class Authority:
    code: str
    name: str
    short_name: str
    takes_the: bool  # running text says "the Council of the Isles of Scilly" (registry column, see SOURCES.md)
    type: str
    start_date: date | None
    end_date: date | None  # the last day it existed
    successors: tuple[str, ...]
    predecessors: tuple[str, ...]
    county: str | None
    region: str
    population_2020: int | None
    lat: float | None
    long: float | None
    former_codes: tuple[str, ...]
    aliases: tuple[str, ...]
    peer_average: bool  # its type is compared with the average of its peers (the scheme's types.toml)

    @property
    def slug(self) -> str:
        """`London Borough of Sutton` → `london-borough-of-sutton` (SPEC 2.2)."""
        return _slug(self.name)

    @property
    def abolished(self) -> date | None:
        """The first day the authority no longer existed."""
        return self.end_date + timedelta(days=1) if self.end_date else None

    @property
    def has_type_average(self) -> bool:
        return self.peer_average

    def existed_on(self, day: date) -> bool:
        return (self.start_date is None or self.start_date <= day) and (
            self.end_date is None or day <= self.end_date
        )

    def current_in(self, year: Year) -> bool:
        """Existed on at least one day of the year."""
        return (self.start_date is None or self.start_date <= year.end) and (
            self.end_date is None or self.end_date >= year.start
        )

    @property
    def last_case_date(self) -> date | None:
        """The last date on which a case about this authority is accepted (cases outlive councils)."""
        if self.abolished is None:
            return None
        gone = self.abolished
        try:
            return gone.replace(year=gone.year + GRACE_YEARS)
        except ValueError:  # 29 February
            return gone.replace(year=gone.year + GRACE_YEARS, day=28)

    def lifetime_problem(self, day: date) -> str | None:
        """Why a case dated `day` cannot be about this authority, or None if it can."""
        if self.start_date and day < self.start_date:
            return f"{self.name} ({self.code}) did not exist until {self.start_date.isoformat()}"
        last = self.last_case_date
        if last and day > last:
            return (f"{self.name} ({self.code}) was abolished on {self.abolished.isoformat()}; cases dated more "
                    f"than {GRACE_YEARS} years later are not accepted")
        return None
