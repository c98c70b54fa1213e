"""The generic ("measures") engine: a year's records for every body, computed from the rows of a scheme's record
kinds as its measures.toml says. Numbers in, records out: nothing here reads a database or words a figure.

A measure counts the rows of the kind that holds its field or label set: `distinct` the distinct values of a field,
`count` the rows whose label is one of `ids` (any label when `ids` is empty; with `flag`, only the rows with that
flag set), `by_label` the rows of each label of a set, `ratio` one measure over another (None over 0), `per_size` a
measure per `per` units of the body's size. A measure with a `breakdown` is computed again on the rows of each label
of that set. Bodies are compared with their
peer group (peer_groups.toml: by type, or type and size band), and fair ratios with the group's funnel
(`stats.fairness`)."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from ombuds.schemes.model import Body, Kind, Measure, Scheme
from ombuds.stats import fairness
from ombuds.stats.measures_record import BodyRef, FairComparison, MeasuresRecord, PeerAverage
from ombuds.store.records import Record
from ombuds.years import Year

Rows = Mapping[str, Sequence[Record]]  # kind id → the rows of one body (or of one label of a breakdown)


def year_bounds(scheme: Scheme, year: Year) -> tuple[date, date]:
    """The first and last days of the scheme's reporting year that starts in `year.start_year`."""
    month, day = scheme.year_start
    start = date(year.start_year, month, day)
    return start, date(year.start_year + 1, month, day) - timedelta(days=1)


def year_of(scheme: Scheme, day: date) -> Year:
    month, first = scheme.year_start
    return Year(day.year if (day.month, day.day) >= (month, first) else day.year - 1)


def kind_of(scheme: Scheme, measure: Measure) -> tuple[str, str]:
    """(kind id, field) of the rows a counting measure reads."""
    for kind in scheme.kinds.values():
        for column in kind.columns:
            if measure.kind == "distinct" and column.field == measure.field:
                return kind.id, column.field
            wanted = measure.set if measure.kind == "by_label" else measure.label.set if measure.label else None
            if column.type == "label" and wanted is not None and column.set == wanted:
                return kind.id, column.field
    raise ValueError(f"measure {measure.id}: no record kind holds what it counts")


def _label_field(kind: Kind, set_id: str) -> str | None:
    return next((c.field for c in kind.columns if c.type == "label" and c.set == set_id), None)


class Evaluator:
    """Each measure of one scheme, over one set of rows."""

    def __init__(self, scheme: Scheme):
        self.scheme = scheme
        self.reads = {m.id: kind_of(scheme, m) for m in scheme.measures if m.kind in ("distinct", "count", "by_label")}

    def values(self, rows: Rows, size: int | None, only: Iterable[Measure] | None = None) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for measure in self.scheme.measures if only is None else only:
            self._value(measure, rows, size, found)
        return found

    def _value(self, measure: Measure, rows: Rows, size: int | None, found: dict[str, Any]) -> Any:
        if measure.id in found:
            return found[measure.id]
        if measure.kind in ("ratio", "per_size"):
            parts = [self._value(self.scheme.measure(m), rows, size, found) for m in measure.depends_on]
            value = _ratio(*parts) if measure.kind == "ratio" else _per_size(parts[0], size, measure.per)
        else:
            kind_id, field = self.reads[measure.id]
            kind_rows = rows.get(kind_id, ())
            if measure.flag is not None:  # a count of the rows with a flag set
                kind_rows = [r for r in kind_rows if r.fields.get(measure.flag)]
            values = [r.fields.get(field) for r in kind_rows]
            if measure.kind == "distinct":
                value = len({v for v in values if v is not None})
            elif measure.kind == "by_label":
                counted: dict[str, int] = defaultdict(int)
                for v in values:
                    counted[v] += 1
                value = {label: counted.get(label, 0) for label in self.scheme.labels(measure.set).ids}
            else:
                ids = set(measure.label.ids)
                value = sum(1 for v in values if v is not None and (not ids or v in ids))
        found[measure.id] = value
        return value

    def breakdowns(self, rows: Rows, size: int | None) -> dict[str, dict[str, dict[str, Any]]]:
        """Each breakdown set → label id → the measures broken down by it, on that label's rows."""
        out: dict[str, dict[str, dict[str, Any]]] = {}
        for set_id in dict.fromkeys(m.breakdown for m in self.scheme.measures if m.breakdown):
            measures = [m for m in self.scheme.measures if m.breakdown == set_id]
            out[set_id] = {}
            for label in self.scheme.labels(set_id).ids:
                subset = {kind_id: [r for r in kind_rows if r.fields.get(field) == label]
                          for kind_id, kind_rows in rows.items()
                          if (field := _label_field(self.scheme.kinds[kind_id], set_id))}
                found = self.values(subset, size, measures)
                out[set_id][label] = {m.id: found[m.id] for m in measures}
        return out


def _ratio(numerator: Any, denominator: Any) -> float | None:
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def _per_size(value: Any, size: int | None, per: int | None) -> float | None:
    if value is None or not size:
        return None
    return value / size * (per or 1)


def slug(name: str) -> str:
    text = name.casefold().replace("&", " and ").replace("’", "").replace("'", "")
    return "-".join(re.sub(r"[^0-9a-z]+", " ", text).split())


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class PeerGroup:
    id: str
    name: str


def peer_group(scheme: Scheme, body: Body) -> PeerGroup | None:
    """The body's peer group, or None when its type is not compared with its peers."""
    body_type = scheme.type(body.type)
    if not body_type.peer_average:
        return None
    name, parts = _sentence(body_type.plural), [body_type.id]
    if "size_band" in scheme.peer_groups.by:
        band = scheme.peer_groups.size_band(body.size)
        parts.append(band.id if band else "size-not-stated")
        name += (f" with {band.name} {scheme.words.size}" if band
                 else f" whose {scheme.words.size} are not stated")
    return PeerGroup("/".join(parts), name)


def body_ref(scheme: Scheme, body: Body) -> BodyRef:
    band = scheme.peer_groups.size_band(body.size)
    return BodyRef(code=body.code, name=body.name, slug=slug(body.name), type=_sentence(scheme.type(body.type).name),
                   type_id=body.type, size_band=band.name if band else None, size_band_id=band.id if band else None,
                   size=body.size)


def _average(scheme: Scheme, members: list[tuple[Body, dict[str, Any]]]) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    for m in scheme.measures:
        if m.kind == "ratio":
            num, den = (sum(v[d] or 0 for _, v in members) for d in (m.numerator, m.denominator))
            out[m.id] = _ratio(num, den)
        elif m.kind == "per_size":
            sized = [(b.size, v[m.measure]) for b, v in members if b.size and v[m.measure] is not None]
            out[m.id] = _per_size(sum(v for _, v in sized), sum(s for s, _ in sized), m.per) if sized else None
        elif m.kind in ("count", "distinct"):
            out[m.id] = sum(v[m.id] for _, v in members) / len(members)
    return out


def _comparison(measure: Measure, values: Mapping[str, Any], target: float | None,
                dispersion: fairness.Overdispersion | None) -> FairComparison | None:
    k, n = values[measure.numerator], values[measure.denominator]
    if not isinstance(k, int) or not isinstance(n, int) or not 0 <= k <= n:
        return None
    funnel = fairness.classify(k, n, target, dispersion) if target is not None and n else None
    return FairComparison(numerator=k, denominator=n, interval=fairness.wilson_interval(k, n), funnel=funnel,
                          expected=target)


def _funnel(scheme: Scheme, measure: Measure, members: list[tuple[Body, dict[str, Any]]]
            ) -> tuple[float | None, fairness.Overdispersion | None]:
    units = [(v[measure.numerator], v[measure.denominator]) for _, v in members]
    units = [(k, n) for k, n in units if isinstance(k, int) and isinstance(n, int) and 0 <= k <= n and n > 0]
    total = sum(n for _, n in units)
    if not total:
        return None, None
    target = sum(k for k, _ in units) / total
    return target, fairness.overdispersion(units, target)


def year_records(scheme: Scheme, year: Year, rows: Mapping[str, Iterable[Record]]) -> list[MeasuresRecord]:
    """Every body with rows in the year (kind id → the year's rows), by name."""
    bodies = {b.code: b for b in scheme.bodies}
    by_body: dict[str, dict[str, list[Record]]] = defaultdict(lambda: defaultdict(list))
    for kind_id, kind_rows in rows.items():
        for r in kind_rows:
            by_body[r.body_code][kind_id].append(r)
    evaluator = Evaluator(scheme)
    held = sorted((bodies[code] for code in by_body if code in bodies), key=lambda b: (b.name.casefold(), b.code))
    values = {b.code: evaluator.values(by_body[b.code], b.size) for b in held}
    groups = {b.code: peer_group(scheme, b) for b in held}
    members: dict[str, list[tuple[Body, dict[str, Any]]]] = defaultdict(list)
    for b in held:
        if groups[b.code] is not None:
            members[groups[b.code].id].append((b, values[b.code]))
    averages = {gid: _average(scheme, group) for gid, group in members.items()}
    fair = [m for m in scheme.measures if m.kind == "ratio" and m.fair]
    funnels = {(gid, m.id): _funnel(scheme, m, group) for gid, group in members.items() for m in fair}
    report = scheme.report
    out = []
    for b in held:
        group, own = groups[b.code], values[b.code]
        average = comparison = None
        if group is not None:
            average = PeerAverage(method=scheme.peer_groups.method, group=group.name, group_id=group.id,
                                  bodies=len(members[group.id]), values=averages[group.id])
        comparison = {}
        for m in fair:
            target, dispersion = funnels[(group.id, m.id)] if group is not None else (None, None)
            found = _comparison(m, own, target, dispersion)
            if found is not None:
                comparison[m.id] = found
        out.append(MeasuresRecord(
            body=body_ref(scheme, b), year=year.label, values=own,
            breakdowns=evaluator.breakdowns(by_body[b.code], b.size), average=average, comparison=comparison,
            report=report.min_records <= 0 or (own.get(report.min_measure) or 0) >= report.min_records))
    return out
