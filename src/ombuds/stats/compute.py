"""Every authority's statistics for a year from its counts, and the type averages they are compared with
(SPEC 1.2, 1.3). The statistics service (`stats.service`) calls these once per year and method."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from statistics import fmean

from ombuds.errors import OmbudsError
from ombuds.labels import EngineLabels
from ombuds.registry import Authority, Registry
from ombuds.stats.methods import AVERAGE_METHODS
from ombuds.stats.model import Average, Stats, per_size, rate
from ombuds.store.queries import YearCounts
from ombuds.years import Year


def _stats(authority: Authority, year: Year, counts: YearCounts, average: Average, labels: EngineLabels) -> Stats:
    code = authority.code
    by_area, by_outcome = counts.received.get(code, {}), counts.decided.get(code, {})
    received = {area: by_area.get(area, 0) for area in labels.area_words}  # by id, in the published order
    decided = {outcome: by_outcome.get(outcome, 0) for outcome in labels.outcome_words}
    compliance = counts.compliance.get(code, {})
    flagged = {flag: by_code.get(code, {}) for flag, by_code in counts.flagged.items()}
    labelled = {"service_area": received, "outcome": decided, "compliance": compliance}
    return Stats(
        authority=authority,
        year=year,
        received=received,
        decided=decided,
        compliance=compliance,
        population=counts.population.get(code, authority.population_2020),
        counts=labels.measures.counted(labelled, flagged),
        average=average,
        labels=labels,
    )


def check_method(method: str) -> None:
    if method not in AVERAGE_METHODS:
        raise OmbudsError(f"unknown average method '{method}': use one of {', '.join(AVERAGE_METHODS)}")


def type_average(group: list[Stats], method: str, labels: EngineLabels) -> Average:
    """Pooled: each rate's numerators summed over its denominators summed (the scheme's measures name both), and a
    count per size unit the counts summed over the sizes known summed. Mean: the unweighted mean of the authorities'
    rates, leaving out those with a zero denominator (or, per 100,000, an unknown population)."""
    measures = labels.measures
    if method == "pooled":
        known = [s for s in group if s.population]
        return Average(
            method,
            **{rate_id: rate(sum(s.counts[numerator] for s in group), sum(s.counts[denominator] for s in group))
               for rate_id, (numerator, denominator) in measures.ratios.items()},
            **{measure_id: per_size(sum(s.counts[count] for s in known), sum(s.population for s in known), per)
               for measure_id, (count, per) in measures.per_size.items()},
        )
    if method == "mean":
        def mean(values: Iterable[float | None]) -> float | None:
            present = [v for v in values if v is not None]
            return fmean(present) if present else None

        return Average(
            method,
            **{rate_id: mean(s.ratio(rate_id) for s in group) for rate_id in measures.ratios},
            **{measure_id: mean(s.per_size(measure_id) for s in group) for measure_id in measures.per_size},
        )
    check_method(method)
    raise AssertionError("unreachable")


def statistics_from_counts(year: Year, counts: YearCounts, method: str, authorities: Registry,
                           labels: EngineLabels) -> list[Stats]:
    """Stats for every current council and every authority with a case counted in the year, by name."""
    none = Average(method)
    current = [a for a in authorities if a.current_in(year) and a.has_type_average]
    compared = {a.code: _stats(a, year, counts, none, labels) for a in current}  # counted once, then averaged
    averages = {council_type: type_average([s for s in compared.values() if s.authority.type == council_type],
                                           method, labels)
                for council_type in labels.peer_average_types}
    codes = set(compared) | counts.authority_codes
    chosen = sorted((authorities.get(code) for code in codes), key=lambda a: (a.name, a.code))
    return [replace(compared[a.code], average=averages[a.type]) if a.code in compared
            else _stats(a, year, counts, none, labels) for a in chosen]


