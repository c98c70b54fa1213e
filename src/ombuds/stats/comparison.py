"""Fair comparison of a year's records: intervals, funnel classes, tested change from the year before, the funnel plot
of a type, and a council's trend over the years (with its predecessors' combined figures before it existed).

Numbers in, numbers out (`stats.fairness` does the statistics); `stats.format` words them. The result models are
built without re-validation, as `Stats.to_record` explains. Methods:
docs/methods-fair-comparison.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ombuds.labels import EngineMeasures
from ombuds.stats import fairness
from ombuds.stats.record import Changes, FunnelClasses, Intervals, RateChange, StatisticsRecord

RATES = ("uphold_rate", "satisfactory_remedy_rate", "compliance_rate")
"""The three rates compared fairly (upheld per 100,000 residents has no binomial denominator)."""


def counts(record: StatisticsRecord, rate: str, measures: EngineMeasures) -> tuple[int, int] | None:
    """(numerator, denominator) of a rate, as the scheme's measures count them; None where a published document did
    not state them."""
    if rate == "compliance_rate":
        k = complied(record, measures)
    else:
        k = {"uphold_rate": record.upheld, "satisfactory_remedy_rate": record.satisfactory_remedies}[rate]
    n = base(record, rate)
    return None if k is None or n is None else (k, n)


def base(record: StatisticsRecord, rate: str) -> int | None:
    """A rate's denominator, which the record holds (None where a published document did not state it)."""
    return {"uphold_rate": record.investigated, "satisfactory_remedy_rate": record.upheld,
            "compliance_rate": record.compliance.recorded}[rate]


def complied(record: StatisticsRecord, measures: EngineMeasures) -> int | None:
    """The recommendations complied with, as the scheme's `complied` measure counts them: the one part of a rate the
    record does not hold, summed from its compliance outcomes."""
    found = [getattr(record.compliance, label.replace("-", "_")) for label in measures.ids_of("complied")]
    return None if None in found else sum(found)


def intervals(record: StatisticsRecord, measures: EngineMeasures) -> Intervals:
    found = {}
    for rate in RATES:
        pair = counts(record, rate, measures)
        found[rate] = fairness.wilson_interval(*pair) if pair else None
    return Intervals.model_construct(**found)


@dataclass(frozen=True)
class FunnelGroup:
    """One type's funnel for one rate in one year: the pooled target and the over-dispersion around it."""

    target: float | None
    dispersion: fairness.Overdispersion | None
    units: tuple[tuple[StatisticsRecord, int, int], ...]  # (record, numerator, denominator), denominators above 0

    @property
    def n_max(self) -> int:
        return max((n for _, _, n in self.units), default=0)

    def classify(self, k: int, n: int) -> fairness.Classification | None:
        if self.target is None:
            return None
        return fairness.classify(k, n, self.target, self.dispersion)


def funnel_group(members: Iterable[StatisticsRecord], rate: str, measures: EngineMeasures) -> FunnelGroup:
    """The funnel of `members` (the authorities of one type compared with its average) for a rate."""
    units = tuple((r, *pair) for r in members if (pair := counts(r, rate, measures)) and pair[1] > 0)
    total = sum(n for _, _, n in units)
    if not total:
        return FunnelGroup(None, None, units)
    target = sum(k for _, k, _ in units) / total
    dispersion = fairness.overdispersion(((k, n) for _, k, n in units), target)
    return FunnelGroup(target, dispersion, units)


def compared(records: Iterable[StatisticsRecord], groups: Mapping[str, str], measures: EngineMeasures,
             previous: Mapping[str, StatisticsRecord] | None = None) -> tuple[StatisticsRecord, ...]:
    """The records with intervals, funnel classes and tested change set.

    groups: authority code → council type, for the authorities compared with their type's average (current
    councils); others get no funnel classes. previous: the year before's records by code, if that year is held."""
    records = tuple(records)
    by_type: dict[str, list[StatisticsRecord]] = {}
    for r in records:
        if r.authority.code in groups:
            by_type.setdefault(groups[r.authority.code], []).append(r)
    funnels = {(t, rate): funnel_group(members, rate, measures) for t, members in by_type.items() for rate in RATES}
    out = []
    for r in records:
        update: dict = {"interval": intervals(r, measures)}
        council_type = groups.get(r.authority.code)
        if council_type is not None:
            classes = {}
            for rate in RATES:
                pair = counts(r, rate, measures)
                classes[rate] = funnels[(council_type, rate)].classify(*pair) if pair else None
            update["funnel"] = FunnelClasses.model_construct(**classes)
        before = (previous or {}).get(r.authority.code)
        if before is not None:
            update["change"] = change(before, r, measures)
        out.append(r.model_copy(update=update))
    return tuple(out)


def change(before: StatisticsRecord, after: StatisticsRecord, measures: EngineMeasures) -> Changes:
    found = {}
    for rate in RATES:
        old, new = counts(before, rate, measures), counts(after, rate, measures)
        tested = fairness.change_test(*old, *new) if old and new else None
        found[rate] = None if tested is None else RateChange.model_construct(
            previous_year=before.year, previous=old[0] / old[1], current=new[0] / new[1], p_value=tested.p_value,
            test=tested.test, significant=tested.significant, direction=tested.direction)
    return Changes.model_construct(**found)


@dataclass(frozen=True)
class FunnelPlot:
    """What a funnel plot draws: the target, the 95% and 99.8% limit curves and every authority as a point."""

    rate: str
    council_type: str
    target: float | None
    dispersion: fairness.Overdispersion | None
    points: tuple[tuple[StatisticsRecord, int, int, fairness.Classification | None], ...]  # by name
    inner: tuple[fairness.FunnelPoint, ...]
    outer: tuple[fairness.FunnelPoint, ...]


def funnel_plot(records: Iterable[StatisticsRecord], council_type: str, rate: str, measures: EngineMeasures,
                points: int = 120) -> FunnelPlot:
    """The funnel of the authorities of `council_type` compared with its average (those with funnel classes)."""
    members = [r for r in records if r.funnel is not None and r.authority.type == council_type]
    group = funnel_group(members, rate, measures)
    plotted = tuple((r, k, n, getattr(r.funnel, rate)) for r, k, n in group.units)
    inner = outer = ()
    if group.target is not None and group.n_max:
        inner = fairness.funnel_curve(group.target, fairness.INNER, group.n_max, points, group.dispersion)
        outer = fairness.funnel_curve(group.target, fairness.OUTER, group.n_max, points, group.dispersion)
    return FunnelPlot(rate, council_type, group.target, group.dispersion, plotted, inner, outer)


@dataclass(frozen=True)
class TrendPoint:
    year: str
    numerator: int | None
    denominator: int | None
    rate: float | None
    average: float | None
    predecessors: tuple[str, ...] = ()  # names, where these are the predecessors' combined figures

    @property
    def combined(self) -> bool:
        return bool(self.predecessors)


def trend(years: Iterable[tuple[str, Mapping[str, StatisticsRecord]]], code: str, predecessors: Iterable[str],
          council_type: str, rate: str, measures: EngineMeasures) -> list[TrendPoint]:
    """The authority's rate in every year (label, records by code), oldest first, with its type's average.

    A year in which the authority has no record but some of its predecessors (codes) have one shows their combined
    counts (numerators and denominators added); a predecessor that was shared between successors (a county split
    in two) is counted whole. Years with neither are left out."""
    predecessors = tuple(predecessors)
    out = []
    for label, by_code in years:
        own = by_code.get(code)
        average = type_average(by_code.values(), council_type, rate)
        if own is not None:
            pair = counts(own, rate, measures)
            out.append(TrendPoint(label, *(pair or (None, None)), getattr(own, rate), average))
            continue
        before = [by_code[c] for c in predecessors if c in by_code]
        pairs = [counts(r, rate, measures) for r in before]
        if not before or None in pairs:
            continue
        k, n = sum(p[0] for p in pairs), sum(p[1] for p in pairs)
        out.append(TrendPoint(label, k, n, k / n if n else None, average,
                              tuple(r.authority.name for r in before)))
    return out


def type_average(records: Iterable[StatisticsRecord], council_type: str, rate: str) -> float | None:
    """The year's average of the type, as stated in the records of that type."""
    for r in records:
        if r.authority.type == council_type and (value := getattr(r.average, rate)) is not None:
            return value
    return None
