"""Every authority's statistics for a year, and the type averages they are compared with (SPEC 1.2, 1.3)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from statistics import fmean

from ombuds.errors import OmbudsError
from ombuds.labels import OUTCOMES, SERVICE_AREAS
from ombuds.registry import COUNCIL_TYPES, Authority, Registry, registry
from ombuds.stats.model import Average, Compliance, Stats, per_100k, rate
from ombuds.store import Database
from ombuds.store.queries import YearCounts, date_range, has_case_records, published_figures, year_counts
from ombuds.years import Year

AVERAGE_METHODS = ("pooled", "mean")


def _stats(authority: Authority, year: Year, counts: YearCounts, average: Average) -> Stats:
    code = authority.code
    received, decided = counts.received.get(code, {}), counts.decided.get(code, {})
    compliance = counts.compliance.get(code, {})
    return Stats(
        authority=authority,
        year=year,
        received={area: received.get(area, 0) for area in SERVICE_AREAS},
        decided={outcome: decided.get(outcome, 0) for outcome in OUTCOMES},
        satisfactory_remedies=counts.satisfactory_remedies.get(code, 0),
        remedied_by_ombudsman=counts.remedied_by_ombudsman.get(code, 0),
        compliance=Compliance(compliance.get("on time", 0), compliance.get("late", 0),
                              compliance.get("not complied", 0)),
        population=counts.population.get(code, authority.population_2020),
        average=average,
    )


def type_average(group: list[Stats], method: str) -> Average:
    """Pooled: sum of numerators over sum of denominators. Mean: the unweighted mean of the authorities' rates,
    leaving out those with a zero denominator (or, per 100,000, an unknown population)."""
    if method == "pooled":
        known = [s for s in group if s.population]
        return Average(
            method,
            uphold_rate=rate(sum(s.upheld for s in group), sum(s.detailed_investigations for s in group)),
            compliance_rate=rate(sum(s.compliance.complied for s in group), sum(s.compliance.recorded for s in group)),
            satisfactory_remedy_rate=rate(sum(s.satisfactory_remedies for s in group), sum(s.upheld for s in group)),
            upheld_per_100k=per_100k(sum(s.upheld for s in known), sum(s.population for s in known)),
        )
    if method == "mean":
        def mean(values: Iterable[float | None]) -> float | None:
            present = [v for v in values if v is not None]
            return fmean(present) if present else None

        return Average(
            method,
            uphold_rate=mean(s.uphold_rate for s in group),
            compliance_rate=mean(s.compliance_rate for s in group),
            satisfactory_remedy_rate=mean(s.satisfactory_remedy_rate for s in group),
            upheld_per_100k=mean(s.upheld_per_100k for s in group),
        )
    raise OmbudsError(f"unknown average method '{method}': use one of {', '.join(AVERAGE_METHODS)}")


def statistics_from_counts(year: Year, counts: YearCounts, method: str = "pooled",
                           authorities: Registry | None = None) -> list[Stats]:
    """Stats for every current council and every authority with a case counted in the year, by name."""
    authorities = authorities or registry()
    none = Average(method)
    current = [a for a in authorities if a.current_in(year) and a.type in COUNCIL_TYPES]
    averages = {}
    for council_type in COUNCIL_TYPES:
        group = [_stats(a, year, counts, none) for a in current if a.type == council_type]
        averages[council_type] = type_average(group, method)
    codes = {a.code for a in current} | counts.authority_codes
    chosen = sorted((authorities.get(code) for code in codes), key=lambda a: (a.name, a.code))
    return [
        _stats(a, year, counts, averages[a.type] if a.current_in(year) and a.has_type_average else none)
        for a in chosen
    ]


def years_held(database: Database) -> list[Year]:
    """The years in which at least one case record is counted, oldest first."""
    with database.read() as connection:
        span = date_range(connection)
        if span is None:
            return []
        return [y for y in Year.span(Year.of(span[0]), Year.of(span[1])) if has_case_records(connection, y)]


def year_statistics(database: Database, year: Year, method: str = "pooled") -> list[Stats]:
    if method not in AVERAGE_METHODS:
        raise OmbudsError(f"unknown average method '{method}': use one of {', '.join(AVERAGE_METHODS)}")
    with database.read() as connection:
        counts = year_counts(connection, year)
    if not counts.authority_codes:
        held = years_held(database)
        where = f"the database holds {held[0]} to {held[-1]}" if held else "the database holds no case records yet"
        raise OmbudsError(f"no case records counted in {year}: {where}")
    return statistics_from_counts(year, counts, method)


def authority_statistics(database: Database, year: Year, authority: Authority, method: str = "pooled") -> Stats:
    for stats in year_statistics(database, year, method):
        if stats.authority.code == authority.code:
            return stats
    raise OmbudsError(f"{authority.name} ({authority.code}) has no statistics for {year}: it did not exist then "
                      "and no case about it was counted")


def published_statistics(database: Database, year: Year) -> list[dict] | None:
    """For a year with no case records, the figures of published documents imported with `parse --import`
    (each marked with its source); None when the year has case records or nothing was published."""
    with database.read() as connection:
        if has_case_records(connection, year):
            return None
        rows = published_figures(connection, year)
    return [json.loads(row["figures"]) for row in rows] or None
