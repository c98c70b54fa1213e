"""The Stats record: one authority's counts for one year, and the rates computed from them (SPEC 1.3).

Stats is the statistics package's working form; what leaves the package is its typed `StatisticsRecord`."""

from __future__ import annotations

from dataclasses import dataclass

from ombuds.labels import EngineLabels
from ombuds.registry import Authority
from ombuds.stats.record import AuthorityRef, Averages, ComplianceCounts, StatisticsRecord
from ombuds.years import Year


def rate(numerator: int, denominator: int) -> float | None:
    """An unrounded fraction, or None when there is nothing to divide by."""
    return numerator / denominator if denominator else None


def per_size(count: int, size: int | None, per: int) -> float | None:
    """A count per `per` units of size (upheld decisions per 100,000 residents), or None without a size."""
    return count / size * per if size else None


@dataclass(frozen=True)
class Average:
    """The type average an authority is compared with; all None where it has none (abolished, or type Other)."""

    method: str
    uphold_rate: float | None = None
    compliance_rate: float | None = None
    satisfactory_remedy_rate: float | None = None
    upheld_per_100k: float | None = None


@dataclass(frozen=True)
class Stats:
    """One authority's counts for a year, and its figures as the scheme's measures (`labels.measures`) count them:
    `counts` holds each count measure's value, a rate divides two of them."""

    authority: Authority
    year: Year
    received: dict[str, int]  # every service area by id, in the published order
    decided: dict[str, int]  # every outcome by id, in the published order
    compliance: dict[str, int]  # the compliance outcomes recorded, by id
    population: int | None
    counts: dict[str, int]  # each count measure's value, by measure id (`EngineMeasures.counted`)
    average: Average
    labels: EngineLabels  # the scheme's words, which key the SPEC 2.3 record, and its measures

    def ratio(self, rate_id: str) -> float | None:
        """A rate as its measure divides (uphold_rate: upheld / investigated)."""
        numerator, denominator = self.labels.measures.ratios[rate_id]
        return rate(self.counts[numerator], self.counts[denominator])

    @property
    def uphold_rate(self) -> float | None:
        return self.ratio("uphold_rate")

    @property
    def satisfactory_remedy_rate(self) -> float | None:
        return self.ratio("satisfactory_remedy_rate")

    @property
    def compliance_rate(self) -> float | None:
        return self.ratio("compliance_rate")

    @property
    def received_total(self) -> int:
        return sum(self.received.values())

    @property
    def decided_total(self) -> int:
        """From 2024-25 called complaints "dealt with"."""
        return sum(self.decided.values())

    def per_size(self, measure_id: str) -> float | None:
        """A count per size unit as its measure says (upheld_per_100k: upheld per 100,000 residents)."""
        count, per = self.labels.measures.per_size[measure_id]
        return per_size(self.counts[count], self.population, per)

    @property
    def upheld_per_100k(self) -> float | None:
        return self.per_size("upheld_per_100k")

    def to_record(self) -> StatisticsRecord:
        """The typed SPEC 2.3 object that every output receives. Built without validation (`model_construct`):
        these are the statistics' own counts and rates, and validating some 40,000 fields a year was a sixth of
        computing it. tests/test_stats_service.py validates what this builds."""
        a, avg, counts, compliance = self.authority, self.average, self.counts, self.compliance
        return StatisticsRecord.model_construct(
            authority=AuthorityRef.model_construct(code=a.code, name=a.name, type=a.type),
            year=self.year.label,
            received={**{words: self.received[area] for area, words in self.labels.area_words.items()},
                      "total": self.received_total},
            decided={**{words: self.decided[o] for o, words in self.labels.outcome_words.items()},
                     "total": self.decided_total},
            investigated=counts["investigated"],
            upheld=counts["upheld"],
            uphold_rate=self.uphold_rate,
            satisfactory_remedies=counts["satisfactory_remedies"],
            satisfactory_remedy_rate=self.satisfactory_remedy_rate,
            remedied_by_ombudsman=counts["remedied_by_ombudsman"],
            compliance=ComplianceCounts.model_construct(  # the record's three outcomes are SPEC 2.3's, by id
                recorded=counts["compliance_recorded"], on_time=compliance.get("on-time", 0),
                late=compliance.get("late", 0), not_complied=compliance.get("not-complied", 0)),
            compliance_rate=self.compliance_rate,
            population=self.population,
            upheld_per_100k=self.upheld_per_100k,
            average=Averages.model_construct(method=avg.method, uphold_rate=avg.uphold_rate,
                                             compliance_rate=avg.compliance_rate,
                                             satisfactory_remedy_rate=avg.satisfactory_remedy_rate,
                                             upheld_per_100k=avg.upheld_per_100k),
        )

    def to_dict(self) -> dict:
        """The SPEC 2.3 object as JSON data."""
        return self.to_record().to_json()
