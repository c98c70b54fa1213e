"""A generic ("measures") scheme's year records, shown: every figure a report or a page draws, formatted by
`stats.format` from the record and the scheme's `measures.toml` alone, so that any scheme renders without Python.

A year record is the engine's JSON (docs/schemes.md, "The year record"): the body under the scheme's body word, then
one key per measure, `by_<set>` for the measures broken down by a label set, `average` (the peer group's figures)
and `comparison` (interval and funnel class of each fair ratio). Totals over several bodies (the national page) are
pooled here, in `stats`, never in an output.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ombuds.stats import fairness
from ombuds.stats import format as fmt

VALUE_KINDS = ("distinct", "count", "ratio", "per_size")


def body(scheme, record: Mapping) -> Mapping:
    """The body the record is about (`landlord` for the Housing Ombudsman)."""
    return record[scheme.words.body]


def per_words(scheme, measure) -> str:
    """`per 1,000 homes` for a per-size measure."""
    return f"per {fmt.number(measure.per)} {scheme.words.size}" if measure.kind == "per_size" else ""


def shown(scheme, measure, value) -> str:
    return fmt.measure(value, measure.display, per=per_words(scheme, measure))


def value_measures(scheme, ids: Iterable[str] | None = None) -> list:
    """The measures with one value per record (not counts per label), in the scheme's order or as `ids` lists."""
    if ids is not None:
        return [scheme.measure(i) for i in ids]
    return [m for m in scheme.measures if m.kind in VALUE_KINDS]


def label_measures(scheme) -> list:
    return [m for m in scheme.measures if m.kind == "by_label"]


def breakdown_sets(scheme) -> list[str]:
    """The label sets some measure is broken down by, in the order of their first measure."""
    return list(dict.fromkeys(m.breakdown for m in scheme.measures if m.breakdown))


def breakdown_measures(scheme, set_id: str) -> list:
    return [m for m in scheme.measures if m.breakdown == set_id]


def fair_measures(scheme) -> list:
    return [m for m in scheme.measures if m.kind == "ratio" and m.fair]


def label_name(scheme, set_id: str, key: str, edition: str | None = None) -> str:
    """A label's words, whether the record keys it by id or by name."""
    labels = scheme.labels(set_id)
    found = labels.resolve(key)
    return labels.name_of(found, edition) if found else key


def _in_order(scheme, set_id: str, counts: Mapping) -> list[tuple[str, object]]:
    """The record's entries for a label set in the set's order (unknown keys after, as written)."""
    labels = scheme.labels(set_id)
    by_id = {labels.resolve(k) or k: (k, v) for k, v in counts.items()}
    ordered = [by_id.pop(i) for i in labels.ids if i in by_id]
    return ordered + list(by_id.values())


@dataclass(frozen=True)
class Figure:
    id: str
    name: str
    value: str
    average: str | None  # the peer group's figure, as shown; None where the group has none


def figures(scheme, record: Mapping, ids: Iterable[str] | None = None) -> list[Figure]:
    """The record's value measures (all, or `ids`), each with its peer average."""
    average = record.get("average") or {}
    found = []
    for m in value_measures(scheme, ids):
        if m.id not in record:
            continue
        mean = shown(scheme, m, average[m.id]) if average.get(m.id) is not None else None
        found.append(Figure(m.id, m.name, shown(scheme, m, record[m.id]), mean))
    return found


@dataclass(frozen=True)
class LabelCount:
    label: str
    count: int
    shown: str
    share: str  # the count's share of the total, as a percentage


def label_counts(scheme, record: Mapping, measure_id: str) -> list[LabelCount]:
    """A by_label measure's counts, label by label in the set's order, with each one's share of the total."""
    m = scheme.measure(measure_id)
    counts = record.get(m.id) or {}
    total = sum(counts.values())
    return [LabelCount(label_name(scheme, m.set, key), n, fmt.number(n),
                       fmt.percent(n / total) if total else fmt.NOT_AVAILABLE)
            for key, n in _in_order(scheme, m.set, counts)]


@dataclass(frozen=True)
class Breakdown:
    set_name: str
    columns: list[str]  # the measures' names
    rows: list[tuple[str, list[str]]]  # (label, values as shown)
    values: list[list[float | int | None]]  # the same values unformatted, row by row (for charts)


def breakdown(scheme, record: Mapping, set_id: str, ids: Iterable[str] | None = None) -> Breakdown:
    """The measures broken down by `set_id` (all, or `ids`), one row per label the record has."""
    chosen = [scheme.measure(i) for i in ids] if ids is not None else breakdown_measures(scheme, set_id)
    entries = record.get(f"by_{set_id}") or {}
    ordered = _in_order(scheme, set_id, entries)
    rows = [(label_name(scheme, set_id, key), [shown(scheme, m, (entry or {}).get(m.id)) for m in chosen])
            for key, entry in ordered]
    values = [[(entry or {}).get(m.id) for m in chosen] for _, entry in ordered]
    return Breakdown(scheme.labels(set_id).name, [m.name for m in chosen], rows, values)


@dataclass(frozen=True)
class Compared:
    measure: str  # its name
    value: str
    average: str
    group: str
    bodies: str  # how many bodies the average is of
    method: str
    interval: str | None  # "53% to 74%"
    funnel: str  # "within the expected range"
    sentence: str


def compared(scheme, record: Mapping, measure_id: str) -> Compared:
    """A fair ratio beside its peer group's average: the 95% interval and the funnel class, in words."""
    m = scheme.measure(measure_id)
    average = record.get("average") or {}
    found = (record.get("comparison") or {}).get(m.id) or {}
    value = shown(scheme, m, record.get(m.id))
    mean = shown(scheme, m, average.get(m.id))
    interval = found.get("interval")
    between = f"{fmt.percent(interval[0])} to {fmt.percent(interval[1])}" if interval else None
    funnel = fmt.funnel_class(found.get("funnel"))
    group = average.get("group") or ""
    name = body(scheme, record)["name"]
    if record.get(m.id) is None:
        sentence = f"{name} has no {m.name.lower()} this year: there was nothing to divide by."
    else:
        sentence = (f"The {m.name.lower()} of {name} is {value}"
                    + (f" (it could plausibly be between {fmt.percent(interval[0])} and {fmt.percent(interval[1])})"
                       if interval else "")
                    + (f"; {fmt.in_sentence(group)} average {mean}" if group and average.get(m.id) is not None else "")
                    + f": {funnel}.")
    return Compared(m.name, value, mean, group, fmt.number(average.get("bodies")), average.get("method") or "",
                    between, funnel, sentence)


# Totals over many bodies (the national page), pooled: counts added, ratios as sum of numerators / denominators.

def _numerator(measure, row: Mapping) -> int:
    """A ratio's numerator in a record or breakdown entry: held, or (a breakdown keeps the rate and its
    denominator only) the rate times the denominator, which gives back the whole count."""
    if measure.numerator in row:
        return row[measure.numerator] or 0
    return round((row.get(measure.id) or 0) * (row.get(measure.denominator) or 0))


def _pooled(scheme, measure, rows: list[Mapping]) -> int | float | None:
    """Counts added; a ratio as the sum of numerators over the sum of denominators (None when that is 0); a
    per-size figure is a body's own (no total size is held), so None."""
    if measure.kind in ("distinct", "count"):
        return sum(r.get(measure.id) or 0 for r in rows)
    if measure.kind != "ratio":
        return None
    n = sum(r.get(measure.denominator) or 0 for r in rows)
    return sum(_numerator(measure, r) for r in rows) / n if n else None


@dataclass(frozen=True)
class Totals:
    bodies: int
    figures: list[Figure]  # pooled, without averages
    labels: dict[str, list[LabelCount]]  # by_label measure id → counts
    breakdowns: dict[str, Breakdown]  # set id → the pooled breakdown


def totals(scheme, records: list[Mapping]) -> Totals:
    """Every value measure, label count and breakdown of `records` pooled into one, as a record of its own."""
    pooled_values = [m for m in value_measures(scheme) if m.kind != "per_size"]
    pooled: dict = {m.id: _pooled(scheme, m, records) for m in pooled_values}
    for m in label_measures(scheme):
        counts: dict[str, int] = {}
        for r in records:
            for key, n in (r.get(m.id) or {}).items():
                counts[key] = counts.get(key, 0) + n
        pooled[m.id] = counts
    for set_id in breakdown_sets(scheme):
        entries: dict[str, list[Mapping]] = {}
        for r in records:
            for key, entry in (r.get(f"by_{set_id}") or {}).items():
                entries.setdefault(key, []).append(entry or {})
        pooled[f"by_{set_id}"] = {key: {m.id: _pooled(scheme, m, rows) for m in breakdown_measures(scheme, set_id)}
                                  for key, rows in entries.items()}
    return Totals(len(records), figures(scheme, pooled, [m.id for m in pooled_values]),
                  {m.id: label_counts(scheme, pooled, m.id) for m in label_measures(scheme)},
                  {s: breakdown(scheme, pooled, s) for s in breakdown_sets(scheme)})


def groups(scheme, records: list[Mapping]) -> dict[str, list[Mapping]]:
    """The records by peer group (the name their average gives), groups in order of first appearance."""
    found: dict[str, list[Mapping]] = {}
    for r in records:
        name = (r.get("average") or {}).get("group")
        if name:
            found.setdefault(name, []).append(r)
    return dict(sorted(found.items()))


# Funnel plots: one per peer group and fair ratio.

@dataclass(frozen=True)
class FunnelPoint:
    record: Mapping
    numerator: int
    denominator: int
    rate: float
    funnel: str | None  # the engine's class
    label: str


@dataclass(frozen=True)
class Funnel:
    group: str
    target: float | None
    target_shown: str
    points: list[FunnelPoint]
    inner: list[tuple[int, float, float]]  # 95% limits (n, lower, upper)
    outer: list[tuple[int, float, float]]  # 99.8% limits


def funnel(scheme, records: list[Mapping], measure_id: str, group: str, points: int = 120) -> Funnel:
    """The funnel of one peer group for a fair ratio: each body with a denominator a point, limits around the
    group's average (with the over-dispersion the group shows, as for the LGSCO)."""
    m = scheme.measure(measure_id)
    members = [r for r in records if (r.get("average") or {}).get("group") == group]
    plotted = []
    for r in members:
        n = r.get(m.denominator) or 0
        if not n:
            continue
        k = _numerator(m, r)
        cls = ((r.get("comparison") or {}).get(m.id) or {}).get("funnel")
        label = (f"{body(scheme, r)['name']}: {fmt.part_of(k, n)}, {fmt.percent(k / n)}, "
                 f"{fmt.funnel_class(cls)}")
        plotted.append(FunnelPoint(r, k, n, k / n, cls, label))
    target = next(((r.get("average") or {}).get(m.id) for r in members
                   if (r.get("average") or {}).get(m.id) is not None), None)
    inner: list = []
    outer: list = []
    if target is not None and plotted and 0 < target < 1:
        n_max = max(p.denominator for p in plotted)
        dispersion = fairness.overdispersion(((p.numerator, p.denominator) for p in plotted), target)
        inner = [(p.n, p.lower, p.upper) for p in fairness.funnel_curve(target, fairness.INNER, n_max, points,
                                                                         dispersion)]
        outer = [(p.n, p.lower, p.upper) for p in fairness.funnel_curve(target, fairness.OUTER, n_max, points,
                                                                         dispersion)]
    plotted.sort(key=lambda p: body(scheme, p.record)["name"])
    return Funnel(group, target, shown(scheme, m, target), plotted, inner, outer)


def placeholders(scheme, record: Mapping, year_label: str) -> dict[str, str]:
    """Every placeholder a report edition may use: `{body}`, `{year}`, `{group}`, `{size_band}`, `{body_type}`,
    each value measure `{<id>}` and its peer average `{average_<id>}`."""
    who = body(scheme, record)
    average = record.get("average") or {}
    values = {"body": who["name"], "year": year_label, "group": fmt.in_sentence(average.get("group") or ""),
              "size_band": who.get("size_band") or "", "body_type": who.get("type") or "",
              "peer_bodies": fmt.number(average.get("bodies")), "method": average.get("method") or ""}
    for m in value_measures(scheme):
        values[m.id] = shown(scheme, m, record.get(m.id))
        values[f"average_{m.id}"] = shown(scheme, m, average.get(m.id))
    return values
