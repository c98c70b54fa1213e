"""The measures service: a measures scheme's year records (`stats.measures`), computed once per year and reused by
every page, report, export and CLI call until the data changes (the store's data version, kept as the LGSCO's
`stats.service` keeps it)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from ombuds.errors import OmbudsError
from ombuds.schemes.model import Scheme
from ombuds.stats.measures import year_bounds, year_of, year_records
from ombuds.stats.measures_record import MeasuresRecord
from ombuds.stats.service import DataVersionCache
from ombuds.store import Database
from ombuds.store.records import kind_records, record_dates
from ombuds.years import Year


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


class MeasuresService(DataVersionCache):
    """One per database and scheme (see `measures_service`); safe to share between threads."""

    def __init__(self, database: Database, scheme: Scheme):
        super().__init__(database)
        self.scheme = scheme
        self._years: list[Year] | None = None
        self._computed: dict[Year, YearMeasures] = {}

    def _forget(self) -> None:
        self._years, self._computed = None, {}

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
