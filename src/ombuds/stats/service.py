"""The statistics service: a year's statistics (every authority, the type averages) computed once per year and
averaging method, and reused by every page, export, letter and CLI call until the data changes.

The cache is keyed by the store's data version, which every import, published-figures import and migration bumps.
Years with case records are computed from them; years with none but published documents (`parse --import`) are
served from those documents' figures, each marked `"from": "published letter"`. A year that `ombuds stats` has
kept for the current data version and statistics code (`stats.kept`) is read back instead of computed.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

from cachetools import LRUCache
from sqlalchemy import Connection

from ombuds.errors import OmbudsError
from ombuds.labels import EngineLabels, engine_labels
from ombuds.registry import Authority, registry_of
from ombuds.schemes import Scheme
from ombuds.stats import comparison
from ombuds.stats.compute import check_method, statistics_from_counts
from ombuds.stats.kept import statistics_fingerprint
from ombuds.stats.model import Stats
from ombuds.stats.record import FROM_CASE_RECORDS, FROM_PUBLISHED, Averages, PublishedDocument, StatisticsRecord
from ombuds.store import Database
from ombuds.store.kept import kept_year
from ombuds.store.queries import (
    case_record_years,
    data_version,
    has_case_records,
    published_figures,
    published_years,
    year_counts,
)
from ombuds.years import Year

VERSION_CHECK_SECONDS = 0.5


@dataclass(frozen=True)
class YearStatistics:
    """Every authority's statistics for one year, by one averaging method."""

    year: Year
    method: str
    source: str  # FROM_CASE_RECORDS or FROM_PUBLISHED
    records: tuple[StatisticsRecord, ...]  # by name
    labels: EngineLabels  # the scheme's words, which key the records' counts
    averages: Mapping[str, Averages] = field(default_factory=dict)  # by council type; none for published years

    @cached_property
    def by_code(self) -> dict[str, StatisticsRecord]:
        return {r.authority.code: r for r in self.records}

    def get(self, code: str) -> StatisticsRecord | None:
        return self.by_code.get(code)

    @property
    def published(self) -> bool:
        return self.source == FROM_PUBLISHED


class DataVersionCache:
    """Figures computed from one database, kept while its data version stays the same (this service, and the
    measures service of a generic scheme); safe to share between threads."""

    def __init__(self, database: Database):
        self.database = database
        self._lock = threading.RLock()  # re-entrant: a year's tested change reads the year before
        self._version: int | None = None
        self._checked = (-1, 0.0)  # (the database object's commits, when) at the last look at the data version

    def _current(self) -> None:
        """Forget everything computed from an older version of the data. The version is read again after any
        commit through this process's database object, and otherwise at most every VERSION_CHECK_SECONDS (another
        process may have imported)."""
        now = time.monotonic()
        commits, when = self._checked
        if commits == self.database.commits and now - when < VERSION_CHECK_SECONDS:
            return
        self._checked = (self.database.commits, now)
        with self.database.read() as connection:
            version = data_version(connection)
        if version != self._version:
            self._version = version
            self._forget()

    def _forget(self) -> None:
        raise NotImplementedError

    def data_version(self) -> int:
        with self._lock:
            self._current()
            return self._version


class StatisticsService(DataVersionCache):
    """One per database (see `service`), for the scheme whose data it holds: its bodies and its labels' words;
    safe to share between threads."""

    def __init__(self, database: Database, scheme: Scheme):
        super().__init__(database)
        self.scheme = scheme
        self.authorities = registry_of(scheme)
        self._fingerprint = statistics_fingerprint(scheme.folder)
        self._years: dict[str, list[Year]] = {}
        self._computed: dict[tuple[Year, str], YearStatistics] = {}
        self._plain: dict[tuple[Year, str], list[Stats]] = {}

    @cached_property
    def labels(self) -> EngineLabels:
        """The scheme's labels, as the engine words them (built on first use: a measures scheme's site asks this
        service only for the data version)."""
        return engine_labels(self.scheme)

    def _forget(self) -> None:
        self._years, self._computed, self._plain = {}, {}, {}

    def computed(self) -> tuple:
        """What has been computed, as plain data, for another process reading the same data to `adopt`."""
        with self._lock:
            return self._version, dict(self._years), dict(self._computed)

    def adopt(self, computed: tuple) -> None:
        """Take over statistics computed by another process (the static build's workers take the parent's)."""
        with self._lock:
            self._version, self._years, self._computed = computed[0], dict(computed[1]), dict(computed[2])
            self._plain = {}
            self._checked = (self.database.commits, time.monotonic())

    def case_years(self) -> list[Year]:
        """Years with case records, oldest first."""
        return self._held()["case"]

    def years(self) -> list[Year]:
        """Every year with figures: case records or, failing those, published documents; oldest first."""
        held = self._held()
        return sorted(set(held["case"]) | set(held["published"]))

    def _held(self) -> dict[str, list[Year]]:
        with self._lock:
            self._current()
            if not self._years:
                with self.database.read() as connection:
                    case = case_record_years(connection)
                    published = [y for y in published_years(connection) if y not in case]
                self._years = {"case": case, "published": published}
            return self._years

    def year(self, year: Year, method: str = "pooled") -> YearStatistics:
        """The year's statistics, computed on first use and kept until the data changes."""
        check_method(method)
        held = self._held()
        with self._lock:
            found = self._computed.get((year, method))
            if found is None:
                found = self._kept(year, method)
            if found is None:
                if year in held["case"]:
                    found = self._from_case_records(year, method)
                elif year in held["published"]:
                    found = self._from_published(year, method)
                else:
                    raise OmbudsError(f"no figures for {year}: {_holdings(held)}")
            self._computed[(year, method)] = found  # read back or computed, once per data version
            return found

    def _kept(self, year: Year, method: str) -> YearStatistics | None:
        """The year as `ombuds stats` kept it for this data version and statistics code, if it did (`stats.kept`):
        reading it back costs a fraction of computing it."""
        with self.database.read() as connection:
            kept = kept_year(connection, year.label, method, self._fingerprint, self._version)
        if kept is None:
            return None
        published, body = kept
        objects = json.loads(f"[{body}]")
        if published:
            return YearStatistics(year, method, FROM_PUBLISHED,
                                  tuple(PublishedDocument.model_validate(o) for o in objects), self.labels)
        records = tuple(StatisticsRecord.model_validate(o) for o in objects)
        return YearStatistics(year, method, FROM_CASE_RECORDS, records, self.labels,
                              _type_averages(records, self.labels))

    def _counted(self, year: Year, method: str) -> list[Stats]:
        """The year's statistics from its case counts, before any comparison (kept: the year after's tested
        change needs only these, so one year's statistics do not compare every year before it)."""
        found = self._plain.get((year, method))
        if found is None:
            with self.database.read() as connection:
                counts = year_counts(connection, year)
            found = self._plain[(year, method)] = statistics_from_counts(year, counts, method, self.authorities,
                                                                                 self.labels)
        return found

    def _previous(self, year: Year, method: str) -> dict[str, StatisticsRecord] | None:
        """The year before's records by code, for the tested change: its counts, or its published figures."""
        before = Year(year.start_year - 1)
        held = self._held()
        if before in held["case"]:
            return {s.authority.code: s.to_record() for s in self._counted(before, method)}
        return self.year(before, method).by_code if before in held["published"] else None

    def _from_case_records(self, year: Year, method: str) -> YearStatistics:
        return _case_year(year, method, self._counted(year, method), self._previous(year, method), self.labels)

    def _from_published(self, year: Year, method: str) -> YearStatistics:
        with self.database.read() as connection:
            rows = published_figures(connection, year)
        return _published_year(year, method, rows, self.labels)

    def authority(self, year: Year, authority: Authority, method: str = "pooled") -> StatisticsRecord:
        found = self.year(year, method).get(authority.code)
        if found is None:
            raise OmbudsError(f"{authority.name} ({authority.code}) has no statistics for {year}: it did not exist "
                              "then and no case about it was counted")
        return found

    def history(self, code: str, method: str = "pooled") -> list[StatisticsRecord]:
        """The authority's statistics in every year that has them, oldest first."""
        return [r for y in self.years() if (r := self.year(y, method).get(code)) is not None]


def _case_year(year: Year, method: str, stats: list[Stats], previous: dict[str, StatisticsRecord] | None,
               labels: EngineLabels, plain: list[StatisticsRecord] | None = None) -> YearStatistics:
    """`plain`: the stats' records (`Stats.to_record`, in their order), when the caller has them already."""
    groups = {s.authority.code: s.authority.type for s in stats
              if s.authority.current_in(year) and s.authority.has_type_average}
    records = comparison.compared(plain if plain is not None else (s.to_record() for s in stats), groups,
                                  labels.measures, previous)
    return YearStatistics(year, method, FROM_CASE_RECORDS, records, labels, _type_averages(records, labels))


def _type_averages(records: tuple[StatisticsRecord, ...], labels: EngineLabels) -> dict[str, Averages]:
    """Each council type's averages, as its records state them."""
    averages: dict[str, Averages] = {}
    for record in records:
        if record.authority.type in labels.peer_average_types and record.average.uphold_rate is not None:
            averages.setdefault(record.authority.type, record.average)
    return averages


def _published_year(year: Year, method: str, rows: list[dict], labels: EngineLabels) -> YearStatistics:
    chosen: dict[str, PublishedDocument] = {}
    for row in rows:  # one document per authority: a statistics page or letter with figures beats one without
        document = PublishedDocument.model_validate(labels.counts_in_words(json.loads(row["figures"])))
        code = document.authority.code
        if code not in chosen or (chosen[code].edition is None and document.edition is not None):
            chosen[code] = document
    records = tuple(sorted(chosen.values(), key=lambda d: (d.authority.name, d.authority.code)))
    return YearStatistics(year, method, FROM_PUBLISHED, records, labels)


def statistics_as_seen_by(connection: Connection, scheme: Scheme, year: Year, method: str = "pooled", *,
                          compared: bool = True) -> YearStatistics | None:
    """A year's statistics as one connection sees them: inside an import's transaction, the rows it has written
    but not yet committed (a release's figures are checked there before the commit). None for a year without
    figures. `compared=False` leaves out the tested change from the year before."""
    if has_case_records(connection, year):
        previous = None
        if compared:
            before = statistics_as_seen_by(connection, scheme, Year(year.start_year - 1), method, compared=False)
            previous = before.by_code if before is not None else None
        counted = statistics_from_counts(year, year_counts(connection, year), method, registry_of(scheme),
                                         engine_labels(scheme))
        return _case_year(year, method, counted, previous, engine_labels(scheme))
    rows = published_figures(connection, year)
    return _published_year(year, method, rows, engine_labels(scheme)) if rows else None


def years_as_seen_by(connection: Connection, scheme: Scheme, years: list[Year],
                     method: str = "pooled") -> dict[Year, YearStatistics]:
    """Several years' statistics as one connection sees them (inside an import's transaction), exactly as the
    statistics service computes them from the same data, each year's counts read and its records built once (a
    year's plain records are also the next year's before its tested change; `compared` copies, never changes them)."""
    authorities, labels, case = registry_of(scheme), engine_labels(scheme), set(case_record_years(connection))
    counted: dict[Year, tuple[list[Stats], list[StatisticsRecord]]] = {}

    def plain(year: Year) -> tuple[list[Stats], list[StatisticsRecord]]:
        if year not in counted:
            stats = statistics_from_counts(year, year_counts(connection, year), method, authorities, labels)
            counted[year] = stats, [s.to_record() for s in stats]
        return counted[year]

    found = {}
    for year in years:
        if year not in case:
            found[year] = _published_year(year, method, published_figures(connection, year), labels)
            continue
        before = Year(year.start_year - 1)
        previous = None
        if before in case:
            previous = {r.authority.code: r for r in plain(before)[1]}
        elif rows := published_figures(connection, before):
            previous = _published_year(before, method, rows, labels).by_code
        stats, records = plain(year)
        found[year] = _case_year(year, method, stats, previous, labels, records)
    return found


def _holdings(held: dict[str, list[Year]]) -> str:
    years = sorted(set(held["case"]) | set(held["published"]))
    if not years:
        return "the database holds no case records or published figures yet: import some with 'ombuds import'"
    return f"the database holds figures for {', '.join(y.label for y in years)}"


SERVICES_KEPT = 8  # database objects whose statistics are kept; the least recently used are let go
_services: LRUCache = LRUCache(SERVICES_KEPT)
_services_lock = threading.Lock()


def statistics_service(database: Database, scheme: Scheme) -> StatisticsService:
    """The statistics service of a database object under a scheme, so that every caller shares its cache; kept
    for the SERVICES_KEPT most recently used databases (each service holds its database open)."""
    with _services_lock:
        entry = _services.get(id(database))
        if entry is None or entry[0] is not database or entry[1].scheme is not scheme:
            entry = _services[id(database)] = (database, StatisticsService(database, scheme))
        return entry[1]


def year_statistics(database: Database, scheme: Scheme, year: Year, method: str = "pooled") -> list[StatisticsRecord]:
    return list(statistics_service(database, scheme).year(year, method).records)


def authority_statistics(database: Database, scheme: Scheme, year: Year, authority: Authority,
                         method: str = "pooled") -> StatisticsRecord:
    return statistics_service(database, scheme).authority(year, authority, method)


def years_held(database: Database, scheme: Scheme) -> list[Year]:
    return statistics_service(database, scheme).years()
