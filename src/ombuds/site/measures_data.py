"""What a generic ("measures") scheme's pages read: the scheme, and its year records from the measures service as the
JSON objects `ombuds stats --format json` prints (one source for pages, twins, downloads and the API).

Pages never query the database or compute a figure themselves; they ask this object. Everything here is read-only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from ombuds import urls
from ombuds.handling_code import HandlingCode, handling_code
from ombuds.profile import Profile
from ombuds.registry import Registry, registry_of
from ombuds.schemes.model import Scheme
from ombuds.site.data import NotFound, latest_of, year_held
from ombuds.stats import downloads
from ombuds.stats.measures_service import MeasuresService, measures_service
from ombuds.store import Database, own
from ombuds.store.own import Assessment
from ombuds.years import Year


class Missing(NotFound):
    """A page about a body or a year the site does not hold, saying what it does hold; `asked`, the name the address
    gave for a body no page is about (to search for), or `slug`, the body held whose years to offer."""

    def __init__(self, reason: str, asked: str | None = None, slug: str | None = None):
        super().__init__(reason)
        self.asked = asked
        self.slug = slug


def listed(labels: list[str]) -> str:
    """`2019-20, 2020-21 and 2021-22`."""
    return " and ".join([", ".join(labels[:-1]), labels[-1]] if len(labels) > 1 else labels)


@dataclass
class MeasuresSite:
    database: Database
    profile: Profile
    scheme: Scheme
    preview: bool = False
    _memo: dict = field(default_factory=dict, repr=False)  # year records as JSON, keyed by data version
    _adopted: dict = field(default_factory=dict, repr=False)  # a build worker's records, from its parent

    @property
    def statistics(self) -> MeasuresService:
        return measures_service(self.database, self.scheme)

    @cached_property
    def segment(self) -> str:
        """Where bodies' pages live: `landlords/`."""
        return urls.segment(self.scheme.words.bodies)

    def version(self) -> tuple[int, date]:
        return self.statistics.data_version(), date.today()

    def years(self) -> list[Year]:
        """Every year with records, oldest first (a measures scheme has no releases: its data are published)."""
        if self._adopted:
            return sorted(Year.parse(label) for label in self._adopted)
        return self.statistics.years()

    def shared_context(self) -> dict:
        """What every page's template reads besides its own context: who speaks and the scheme's words."""
        return {"site": self.profile, "words": self.scheme.words}

    def preview_notes(self) -> list[str]:
        return []

    def latest_year(self) -> Year:
        return latest_of(self.years())

    def latest_complete_year(self) -> Year:
        """The latest year that has ended (the home page's), else the latest held."""
        ended = [y for y in self.years() if y.end < date.today()]
        return ended[-1] if ended else self.latest_year()

    def year(self, label: str, slug: str | None = None) -> Year:
        """The year an address names; a year not held (or no year) says which years are: the body's, when the
        address is a body's page."""
        try:
            return year_held(label, self.years())
        except NotFound as error:
            raise Missing(f"{error}: {self._held(slug)}", slug=slug) from None

    def _held(self, slug: str | None) -> str:
        if slug is not None:
            return f"{self.named(slug)['name']} has figures for {listed([y.label for y in self.years_of(slug)])}"
        years = [y.label for y in self.years()]
        return f"the years with figures are {listed(years)}" if years else "none is held yet"

    def records(self, year: Year) -> list[dict]:
        """Every body's year record as JSON, by name."""
        if year.label in self._adopted:
            return self._adopted[year.label]
        key = (self.statistics.data_version(), year)
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = [r.as_json(self.scheme) for r in self.statistics.year(year).records]
        return found

    def every_record(self) -> list[dict]:
        """Every year's records, oldest year first (the all-years download)."""
        return [r for y in self.years() for r in self.records(y)]

    def download_columns(self) -> list[str]:
        """The one column set of every CSV and XLSX download, each year's and the all-years file's."""
        key = ("columns", self.statistics.data_version() if not self._adopted else 0)
        if key not in self._memo:
            self._memo[key] = downloads.object_columns(self.every_record())
        return self._memo[key]

    def year_statistics(self, year: Year) -> list[dict]:
        """The live app's cache warms a new data version through this (as the LGSCO's SiteData)."""
        return self.records(year)

    def computed(self) -> dict[str, list[dict]]:
        """Every year's records, for the static build's workers to take over."""
        return {y.label: self.records(y) for y in self.years()}

    def adopt(self, computed: dict[str, list[dict]]) -> None:
        self._adopted = dict(computed)

    def _by_slug(self, year: Year) -> dict[str, dict]:
        key = ("slugs", self.statistics.data_version() if not self._adopted else 0, year)
        if key not in self._memo:
            self._memo[key] = {r[self.scheme.words.body]["slug"]: r for r in self.records(year)}
        return self._memo[key]

    def record(self, slug: str, year: Year) -> dict:
        """The body's record for the year; a body not held, or without figures that year, says so (and which years
        it has)."""
        found = self._by_slug(year).get(slug)
        if found is None:
            raise Missing(f"there are no figures for {year}: {self._held(slug)}", slug=slug)
        return found

    def named(self, slug: str) -> dict:
        """A body with figures in any year, as its latest record names it; Missing (with the words the address
        gave, to search for) when no body has that slug."""
        key = ("named", self.version() if not self._adopted else 0)
        if key not in self._memo:
            self._memo[key] = {who["slug"]: who for who, _ in self.bodies()}
        found = self._memo[key].get(slug)
        if found is None:
            raise Missing(f"no {self.scheme.words.body} is called '{slug}'", asked=slug.replace("-", " "))
        return found

    def years_of(self, slug: str) -> list[Year]:
        return [y for y in self.years() if slug in self._by_slug(y)]

    def bodies(self) -> list[tuple[dict, Year]]:
        """Every body with figures in any year (as its latest record names it) and its latest year, A to Z."""
        key = ("bodies", self.version() if not self._adopted else 0)
        if key not in self._memo:
            latest: dict[str, tuple[dict, Year]] = {}
            for year in self.years():
                for r in self.records(year):
                    who = r[self.scheme.words.body]
                    latest[who["slug"]] = (who, year)
            self._memo[key] = sorted(latest.values(), key=lambda item: item[0]["name"].lower())
        return self._memo[key]

    @cached_property
    def authorities(self) -> Registry:
        """The scheme's bodies (`bodies.csv`), by code."""
        return registry_of(self.scheme)

    @cached_property
    def code(self) -> HandlingCode:
        """The scheme's Complaint Handling Code, which the self-assessment register is checked against."""
        return handling_code(self.scheme)

    def self_assessments(self, year: Year | None = None) -> list[Assessment]:
        """Bodies' self-assessments against the code: one year's, or every year's (none without a code)."""
        if not self.scheme.provisions:
            return []
        key = ("assessments", self.statistics.data_version(), year)
        if key not in self._memo:
            with self.database.read() as connection:
                self._memo[key] = own.assessments(connection, year.label if year else None)
        return self._memo[key]

    def assessment_years(self) -> list[Year]:
        """Years with a self-assessment, oldest first."""
        return sorted({Year.parse(a.year) for a in self.self_assessments()})

    def reports(self) -> dict[str, object]:
        """The scheme's report editions by year (only years with an edition get report files)."""
        from ombuds.letters.report import report_edition

        key = "reports"
        if key not in self._memo:
            self._memo[key] = {label: report_edition(self.scheme, label) for label in self.scheme.editions}
        return self._memo[key]
