"""The Stats record: one authority's counts for one year, and the rates computed from them (SPEC 1.3).

Stats is the statistics package's working form; what leaves the package is its typed `StatisticsRecord`."""

from __future__ import annotations

from dataclasses import dataclass

from ombuds.labels import DETAILED_INVESTIGATION_IDS, UPHELD_ID, EngineLabels
from ombuds.registry import Authority
from ombuds.stats.record import AuthorityRef, Averages, ComplianceCounts, StatisticsRecord
from ombuds.years import Year


def rate(numerator: int, denominator: int) -> float | None:
    """An unrounded fraction, or None when there is nothing to divide by."""
    return numerator / denominator if denominator else None


def per_100k(count: int, population: int | None) -> float | None:
    return count / population * 100_000 if population else None


@dataclass(frozen=True)
class Compliance:
    on_time: int = 0
    late: int = 0
    not_complied: int = 0

    @property
    def recorded(self) -> int:
        return self.on_time + self.late + self.not_complied

    @property
    def complied(self) -> int:
        return self.on_time + self.late


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
    authority: Authority
    year: Year
    received: dict[str, int]  # every service area by id, in the published order
    decided: dict[str, int]  # every outcome by id, in the published order
    satisfactory_remedies: int
    remedied_by_ombudsman: int
    compliance: Compliance
    population: int | None
    average: Average
    labels: EngineLabels  # the scheme's words, which key the SPEC 2.3 record

    @property
    def uphold_rate(self) -> float | None:
        return rate(self.upheld, self.detailed_investigations)

    @property
    def satisfactory_remedy_rate(self) -> float | None:
        return rate(self.satisfactory_remedies, self.upheld)

    @property
    def compliance_rate(self) -> float | None:
        return rate(self.complied, self.compliance_recorded)

    @property
    def received_total(self) -> int:
        return sum(self.received.values())

    @property
    def decided_total(self) -> int:
        """From 2024-25 called complaints "dealt with"."""
        return sum(self.decided.values())

    @property
    def detailed_investigations(self) -> int:
        return sum(self.decided[o] for o in DETAILED_INVESTIGATION_IDS)

    @property
    def upheld(self) -> int:
        return self.decided[UPHELD_ID]

    @property
    def complied(self) -> int:
        return self.compliance.complied

    @property
    def compliance_recorded(self) -> int:
        return self.compliance.recorded

    @property
    def upheld_per_100k(self) -> float | None:
        return per_100k(self.upheld, self.population)

    def to_record(self) -> StatisticsRecord:
        """The typed SPEC 2.3 object that every output receives. Built without validation (`model_construct`):
        these are the statistics' own counts and rates, and validating some 40,000 fields a year was a sixth of
        computing it. tests/test_stats_service.py validates what this builds."""
        a, c, avg = self.authority, self.compliance, self.average
        return StatisticsRecord.model_construct(
            authority=AuthorityRef.model_construct(code=a.code, name=a.name, type=a.type),
            year=self.year.label,
            received={**{words: self.received[area] for area, words in self.labels.area_words.items()},
                      "total": self.received_total},
            decided={**{words: self.decided[o] for o, words in self.labels.outcome_words.items()},
                     "total": self.decided_total},
            investigated=self.detailed_investigations,
            upheld=self.upheld,
            uphold_rate=self.uphold_rate,
            satisfactory_remedies=self.satisfactory_remedies,
            satisfactory_remedy_rate=self.satisfactory_remedy_rate,
            remedied_by_ombudsman=self.remedied_by_ombudsman,
            compliance=ComplianceCounts.model_construct(recorded=c.recorded, on_time=c.on_time, late=c.late,
                                                        not_complied=c.not_complied),
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
