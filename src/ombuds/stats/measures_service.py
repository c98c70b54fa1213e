"""The measures service: a measures scheme's year records (`stats.measures`), computed once per year and reused by
every page, report, export and CLI call until the data changes (the store's data version, as for the LGSCO's
`stats.service`)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from functools import cached_property

from ombuds.errors import OmbudsError
from ombuds.schemes.model import Scheme
from ombuds.stats.measures import year_bounds, year_of, year_records
from ombuds.stats.measures_record import MeasuresRecord
from ombuds.store import Database
from ombuds.store.queries import data_version
from ombuds.store.records import kind_records, record_dates
from ombuds.years import Year

VERSION_CHECK_SECONDS = 0.5


@dataclass(frozen=True)
class YearMeasures:
    """Every body's record for one year."""

    year: Year
    records: tuple[MeasuresRecord, ...]  # by name

    @cached_property
    def by_code(self) -> dict[str, MeasuresRecord]:
        return {r.body.code: r for r in self.records}

    def get(self, code: str) -> MeasuresRecord | None:
        return self.by_code.get(code)

    @property
    def reported(self) -> tuple[MeasuresRecord, ...]:
        """The records of bodies that get a report this year."""
        return tuple(r for r in self.records if r.report)


class MeasuresService:
    """One per database and scheme (see `measures_service`); safe to share between threads."""

    def __init__(self, database: Database, scheme: Scheme):
        self.database, self.scheme = database, scheme
        self._lock = threading.RLock()
        self._version: int | None = None
        self._checked = (-1, 0.0)
        self._years: list[Year] | None = None
        self._computed: dict[Year, YearMeasures] = {}

    def _current(self) -> None:
        now = time.monotonic()
        commits, when = self._checked
        if commits == self.database.commits and now - when < VERSION_CHECK_SECONDS:
            return
        self._checked = (self.database.commits, now)
        with self.database.read() as connection:
            version = data_version(connection)
        if version != self._version:
            self._version, self._years, self._computed = version, None, {}

    def data_version(self) -> int:
        with self._lock:
            self._current()
            return self._version

    def years(self) -> list[Year]:
        """Every year from the first record's to the last's, oldest first."""
        with self._lock:
            self._current()
            if self._years is None:
                with self.database.read() as connection:
                    span = record_dates(connection, self.scheme.kinds)
                self._years = [] if span is None else Year.span(year_of(self.scheme, span[0]),
                                                                 year_of(self.scheme, span[1]))
            return self._years

    def year(self, year: Year) -> YearMeasures:
        held = self.years()
        with self._lock:
            found = self._computed.get(year)
            if found is None:
                if year not in held:
                    span = f"{held[0]} to {held[-1]}" if held else "none yet: import records first"
                    raise OmbudsError(f"no figures for {year}: the years held are {span}")
                start, end = year_bounds(self.scheme, year)
                with self.database.read() as connection:
                    rows = {kind: kind_records(connection, kind, start, end) for kind in self.scheme.kinds}
                found = self._computed[year] = YearMeasures(year, tuple(year_records(self.scheme, year, rows)))
            return found

    def body(self, year: Year, code: str) -> MeasuresRecord | None:
        return self.year(year).get(code)


_services: dict[tuple[int, str], tuple[Database, MeasuresService]] = {}


def measures_service(database: Database, scheme: Scheme) -> MeasuresService:
    """The one measures service of a database object and scheme, so that every caller shares its cache."""
    key = (id(database), scheme.id)
    entry = _services.get(key)
    if entry is None or entry[0] is not database or entry[1].scheme is not scheme:
        entry = _services[key] = (database, MeasuresService(database, scheme))
    return entry[1]
