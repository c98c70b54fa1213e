"""The year record of a measures scheme (SCHEME-FORMAT.md, "the generic engine's year record"): one per body and
year, its measures as measures.toml defines them, its peer group's average and the fair comparison of its rates.

Values are unrounded (rates as floats, null when the denominator is 0); `stats.format` words them. `as_json` lays
the record out as `ombuds stats --format json` prints it: the body under the scheme's word for it, then the measures
in measures.toml's order, each breakdown as `by_<label set>`, the average, the comparison and the report flag."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from ombuds.schemes.model import Scheme

FROM_CASE_RECORDS = "case records"


class BodyRef(BaseModel):
    """The body a record is about, with the words pages show for its type and size band."""

    model_config = ConfigDict(frozen=True)

    code: str
    name: str
    slug: str
    type: str  # the type's words, sentence case ("Housing association")
    type_id: str
    size_band: str | None  # the band's words ("50,000 or more"); None without a stated size
    size_band_id: str | None
    size: int | None  # homes, residents: the scheme's `words.size`


class PeerAverage(BaseModel):
    """The average of the body's peer group: ratios pooled (sum of numerators / sum of denominators), counts as the
    mean per body, per-size measures as the group's total per its total size."""

    model_config = ConfigDict(frozen=True)

    method: str
    group: str  # "Housing associations with 50,000 or more homes"
    group_id: str  # "housing-association/50000-plus"
    bodies: int  # bodies in the group with records in the year
    values: dict[str, float | None]  # measure id → average


class FairComparison(BaseModel):
    model_config = ConfigDict(frozen=True)

    numerator: int
    denominator: int
    interval: tuple[float, float] | None  # Wilson 95%; None when the denominator is 0
    funnel: str | None  # stats.fairness classification against the group's average
    expected: float | None  # the group's pooled rate


class MeasuresRecord(BaseModel):
    model_config = ConfigDict(frozen=True)

    body: BodyRef
    year: str
    values: dict[str, Any]  # measure id → int, float, None or {label id: count} (by_label)
    breakdowns: dict[str, dict[str, dict[str, Any]]]  # label set → label id → measure id → value
    average: PeerAverage | None
    comparison: dict[str, FairComparison]  # fair ratio measure id → its comparison
    report: bool
    source: str = FROM_CASE_RECORDS

    def as_json(self, scheme: Scheme) -> dict[str, Any]:
        body = self.body.model_dump()
        body[scheme.words.size] = body.pop("size")
        out: dict[str, Any] = {scheme.words.body: body, "year": self.year}
        out.update((m.id, self.values.get(m.id)) for m in scheme.measures)
        out.update((f"by_{set_id}", labels) for set_id, labels in self.breakdowns.items())
        average = None
        if self.average is not None:
            average = {"method": self.average.method, "group": self.average.group, "bodies": self.average.bodies,
                       **self.average.values}
        out["average"] = average
        out["comparison"] = {m: {"interval": list(c.interval) if c.interval else None, "funnel": c.funnel,
                                 "expected": c.expected} for m, c in self.comparison.items()}
        out["report"] = self.report
        out["from"] = self.source
        return out
