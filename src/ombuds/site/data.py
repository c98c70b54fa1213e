"""What the site's pages read: the statistics service, the registry, editions and the store's listings.

Pages never query the database or compute a figure themselves; they ask this object. Everything here is read-only.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

from cachetools import LRUCache

from ombuds import releases
from ombuds.errors import OmbudsError
from ombuds.handling_code import HandlingCode, handling_code
from ombuds.labels import EngineLabels
from ombuds.letters.editions import Edition, edition_in
from ombuds.profile import Profile
from ombuds.registry import Authority, registry_of
from ombuds.schemes import Scheme
from ombuds.settings import Settings
from ombuds.stats.record import StatisticsRecord
from ombuds.stats.service import StatisticsService, YearStatistics, statistics_service
from ombuds.store import Database, own, queries
from ombuds.store.own import Assessment
from ombuds.years import Year

PAGE_SIZE = 50
DECISIONS_KEPT = 64  # authority-years of decisions kept in memory: a council's pages are built or browsed together
MEMO_KEPT = 2048  # listings kept (a year's revisions per council, decision counts, …): a few versions' worth
_MISSING = object()


class NotFound(OmbudsError):
    """A page that does not exist; the message says what was asked for and where to go instead."""


def latest_of(years: list[Year]) -> Year:
    """The latest of the years a site shows."""
    if not years:
        raise NotFound("there are no figures to show yet")
    return years[-1]


def year_held(label: str, years: list[Year]) -> Year:
    """The year a page's address names, if the site shows it."""
    try:
        year = Year.parse(label)
    except OmbudsError:
        raise NotFound(f"'{label}' is not a year") from None
    if year not in years:
        raise NotFound(f"there are no figures for {year}")
    return year


@dataclass
class SiteData:
    database: Database
    settings: Settings  # the scheme (its words), the profile (who speaks) and the letters' editions folder
    method: str = "pooled"
    preview: bool = False  # a staff preview: every year held, embargoed ones included (site build --preview)
    whole_years: bool = False  # read each year's decisions and improvements at once (the static build asks for all)
    _memo: LRUCache = field(default_factory=lambda: LRUCache(MEMO_KEPT), repr=False)  # listings by data version
    _decisions: dict = field(default_factory=dict, repr=False)  # recently read decisions, least recent first
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def _once(self, key: tuple, make: Callable[[], Any]) -> Any:
        """What `make` reads, once per key (keys name the data version); the least recently used are forgotten,
        so a long-running server keeps at most MEMO_KEPT listings whatever the versions it has seen."""
        with self._lock:
            found = self._memo.get(key, _MISSING)
        if found is _MISSING:
            found = make()
            with self._lock:
                self._memo[key] = found
        return found

    @property
    def profile(self) -> Profile:
        return self.settings.profile

    @property
    def scheme(self) -> Scheme:
        return self.settings.scheme

    @property
    def editions(self) -> Path:
        """The folder of the letters' editions, one `<year>.toml` each."""
        return self.settings.editions

    def shared_context(self) -> dict:
        """What every page's template reads besides its own context: who speaks (`site`, the profile) and the
        scheme's words for its bodies (`words.body` "council", `words.bodies`, `words.body_type`) and its service
        areas' label set (`area_set.name` "Service area", `area_set.plural`)."""
        return {"site": self.profile, "words": self.scheme.words, "area_set": self.scheme.label_sets["service_area"]}

    def edition(self, year: Year) -> Edition:
        """The edition the site's letter and notes for `year` follow (OmbudsError if there is none)."""
        return edition_in(self.editions, year, self.scheme)

    def edition_files(self) -> list[tuple[Year, Edition]]:
        """Every year's edition in the editions folder, oldest first (files that are not a year's are skipped)."""
        found = []
        for path in sorted(self.editions.glob("*.toml")):
            try:
                year = Year.parse(path.stem)
                found.append((year, edition_in(self.editions, year, self.scheme)))
            except OmbudsError:
                continue
        return found

    @property
    def statistics(self) -> StatisticsService:
        return statistics_service(self.database, self.scheme)

    @property
    def labels(self) -> EngineLabels:
        """The scheme's labels and type words (engine "lgsco"), as the pages word them."""
        return self.statistics.labels

    @cached_property
    def authorities(self):
        return registry_of(self.scheme)

    @cached_property
    def code(self) -> HandlingCode:
        """The scheme's Complaint Handling Code, which the self-assessment register is checked against."""
        return handling_code(self.scheme)

    def version(self) -> tuple[int, date]:
        """Changes with the data and with the day (an embargoed year becomes public at the start of its day)."""
        return self.statistics.data_version(), date.today()

    def years(self) -> list[Year]:
        """The years the site shows, oldest first: the one place an unpublished year is left out (see
        `ombuds.releases.public_years`); a preview shows every year held."""
        def shown() -> list[Year]:
            held = self.statistics.years()
            return held if self.preview else releases.public_years(held, self._releases(), date.today())
        return self._once(("years", self.version()), shown)

    def _releases(self) -> dict:
        return self._once(("releases", self.version()), lambda: releases.site_releases(self.database))

    def preview_notes(self) -> list[str]:
        """In a preview, why each year shown is not public yet; empty on the public site."""
        if not self.preview:
            return []
        found = self._releases()
        public = releases.public_years(self.statistics.years(), found, date.today())
        return [releases.embargo_note(y, found) for y in self.years() if y not in public]

    def revisions(self, authority: Authority, year: Year) -> list[dict]:
        """The revisions of the authority's figures (and its type's average) in a year, oldest first."""
        return releases.revisions_told(self._revisions(year), self.scheme, (authority.code, authority.type))

    def year_revisions(self, year: Year) -> list[dict]:
        """Every revision of a year's figures, oldest first (the data page)."""
        return releases.revisions_told(self._revisions(year), self.scheme)

    def _revisions(self, year: Year) -> list:
        """A year's revisions as stored, read once for every council's page."""
        return self._once(("revisions", self.version(), year), lambda: releases.year_revisions(self.database, year))

    def latest_year(self) -> Year:
        return latest_of(self.years())

    def year(self, label: str) -> Year:
        return year_held(label, self.years())

    def year_statistics(self, year: Year) -> YearStatistics:
        return self.statistics.year(year, self.method)

    def by_slug(self, slug: str) -> Authority:
        found = self._slugs.get(slug)
        if found is None:
            raise NotFound(f"no council is called '{slug}'")
        return found

    @cached_property
    def _slugs(self) -> dict[str, Authority]:
        return {a.slug: a for a in self.authorities}

    def record(self, authority: Authority, year: Year) -> StatisticsRecord:
        found = self.year_statistics(year).get(authority.code)
        if found is None:
            raise NotFound(f"{authority.name} has no figures for {year}")
        return found

    def years_of(self, authority: Authority) -> list[Year]:
        """The years in which the authority has figures."""
        return list(self._years_by_code().get(authority.code, ()))

    def _years_by_code(self) -> dict[str, tuple[Year, ...]]:
        """GSS code → the years with its figures, read once per data version (every council page and every
        comparison asks it for every council, hundreds of thousands of times in a site build)."""
        def read() -> dict[str, tuple[Year, ...]]:
            found: dict[str, list[Year]] = {}
            for year in self.years():
                for code in self.year_statistics(year).by_code:
                    found.setdefault(code, []).append(year)
            return {code: tuple(years) for code, years in found.items()}
        return self._once(("years by council", self.version()), read)

    def default_year(self, authority: Authority) -> Year:
        """The year a council's page opens on: its latest year with figures in which it existed (complaints
        decided after its abolition still count against it, but its page opens on its last year, not on those)."""
        years = self.years_of(authority)
        existing = [y for y in years if authority.current_in(y)]
        return (existing or years)[-1]

    def has_case_records(self, year: Year) -> bool:
        return not self.year_statistics(year).published

    def contacts(self) -> dict:
        """The contacts on file by authority code, read once per data version (letters need the addressee)."""
        from ombuds.letters.batch import contacts_by_authority

        return self._once(("contacts", self.version()), lambda: contacts_by_authority(self.database))

    def synthetic(self) -> bool:
        """Whether the database holds synthetic data (`store.scheme.mark_synthetic`), which its letters say."""
        from ombuds.store.scheme import holds_synthetic

        return self._once(("synthetic", self.version()), lambda: holds_synthetic(self.database))

    def decision_counts(self, year: Year) -> dict[str, dict[str, int]]:
        """Each authority's number of decisions in the year by filter (all, upheld, …), read once per year."""
        def read() -> dict[str, dict[str, int]]:
            with self.database.read() as connection:
                return queries.decision_counts(connection, year)
        return self._once(("decision counts", self.version(), year), read)

    def all_decisions(self, authority: Authority, year: Year) -> list[queries.Decision]:
        """An authority's decisions in a year, read once for all its filters and pages (the last few kept)."""
        if self.whole_years:
            return self._by_authority("decisions", year, lambda connection, year: queries.decisions_by_authority(
                connection, year, self.labels)).get(authority.code, [])
        key = (self.version(), authority.code, year)
        with self._lock:
            found = self._decisions.pop(key, None)
        if found is None:
            with self.database.read() as connection:
                found = queries.decisions(connection, authority.code, year, self.labels)
        with self._lock:
            self._decisions[key] = found  # re-inserted last: the dict is kept in order of use
            while len(self._decisions) > DECISIONS_KEPT:
                del self._decisions[next(iter(self._decisions))]
        return found

    def public_reports(self, authority: Authority, year: Year) -> list[queries.Decision]:
        return [d for d in self.all_decisions(authority, year) if d.public_report]

    def recent_decisions(self, authority: Authority, limit: int = 50) -> list[queries.Decision]:
        """The newest decisions across every year held, for the council's feed."""
        found: list[queries.Decision] = []
        years = reversed([y for y in self.statistics.case_years() if y in self.years()])
        with self.database.read() as connection:
            for year in years:
                if self.whole_years and self._read_whole("decisions", year):
                    found += self.all_decisions(authority, year)[:limit - len(found)]
                else:  # a year not read whole (a rebuild making a few pages): this authority's rows alone
                    found += queries.decisions(connection, authority.code, year, self.labels,
                                               limit=limit - len(found))
                if len(found) >= limit:
                    break
        return found

    def _read_whole(self, what: str, year: Year) -> bool:
        """Whether a year's rows of every authority (`_by_authority`) are read already."""
        key = (what, self.version(), year)
        with self._lock:
            return key in self._memo

    def improvements(self, authority: Authority, year: Year) -> list[queries.Improvement]:
        if self.whole_years:
            return self._by_authority("improvements", year, queries.improvements_by_authority).get(authority.code, [])
        with self.database.read() as connection:
            return queries.improvements_agreed(connection, authority.code, year)

    def _by_authority(self, what: str, year: Year, read: Callable) -> dict[str, list]:
        """A year's rows of every authority (`read(connection, year)`), read once per data version."""
        def rows() -> dict[str, list]:
            with self.database.read() as connection:
                return read(connection, year)
        return self._once((what, self.version(), year), rows)

    def self_assessments(self, year: Year | None = None) -> list[Assessment]:
        """Organisations' self-assessments against the code: one year's, or every year's (read once per data
        version: every council page asks for its year's)."""
        def read() -> list[Assessment]:
            with self.database.read() as connection:
                return own.assessments(connection, year.label if year else None)
        return self._once(("self-assessments", self.version(), year), read)

    def assessment_years(self) -> list[Year]:
        """Years with a self-assessment, oldest first."""
        return sorted({Year.parse(a.year) for a in self.self_assessments()})
