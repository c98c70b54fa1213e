"""The Stats record: one authority's figures for one year, in the SPEC 2.3 shape."""

from __future__ import annotations

from dataclasses import dataclass

from ombuds.labels import ASSESSED_AND_CLOSED, DETAILED_INVESTIGATION, NOT_FOR_US, OUTCOMES, SERVICE_AREAS, UPHELD
from ombuds.registry import Authority
from ombuds.years import Year


def rate(numerator: int, denominator: int) -> float | None:
    """An unrounded fraction, or None when there is nothing to divide by."""
    return numerator / denominator if denominator else None


def per_100k(count: int, population: int | None) -> float | None:
    return count / population * 100_000 if population else None


class KeyRates:
    """The key rates of SPEC 1.3, for anything that has the counts: one authority's Stats or a national total."""

    upheld: int
    detailed_investigations: int
    satisfactory_remedies: int
    complied: int
    compliance_recorded: int

    @property
    def uphold_rate(self) -> float | None:
        return rate(self.upheld, self.detailed_investigations)

    @property
    def satisfactory_remedy_rate(self) -> float | None:
        return rate(self.satisfactory_remedies, self.upheld)

    @property
    def compliance_rate(self) -> float | None:
        return rate(self.complied, self.compliance_recorded)


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
class Stats(KeyRates):
    authority: Authority
    year: Year
    received: dict[str, int]  # every service area, in the published order
    decided: dict[str, int]  # every outcome, in the published order
    satisfactory_remedies: int
    remedied_by_ombudsman: int
    compliance: Compliance
    population: int | None
    average: Average

    @property
    def received_total(self) -> int:
        return sum(self.received.values())

    @property
    def decided_total(self) -> int:
        """From 2024-25 called complaints "dealt with"."""
        return sum(self.decided.values())

    dealt_with = decided_total

    @property
    def not_for_us(self) -> int:
        return sum(self.decided[o] for o in NOT_FOR_US)

    @property
    def assessed_and_closed(self) -> int:
        return sum(self.decided[o] for o in ASSESSED_AND_CLOSED)

    @property
    def detailed_investigations(self) -> int:
        return sum(self.decided[o] for o in DETAILED_INVESTIGATION)

    @property
    def upheld(self) -> int:
        return self.decided[UPHELD]

    @property
    def complied(self) -> int:
        return self.compliance.complied

    @property
    def compliance_recorded(self) -> int:
        return self.compliance.recorded

    @property
    def upheld_per_100k(self) -> float | None:
        return per_100k(self.upheld, self.population)

    def to_dict(self) -> dict:
        """The SPEC 2.3 object."""
        a = self.authority
        return {
            "authority": {"code": a.code, "name": a.name, "type": a.type},
            "year": self.year.label,
            "received": {**{area: self.received[area] for area in SERVICE_AREAS}, "total": self.received_total},
            "decided": {**{o: self.decided[o] for o in OUTCOMES}, "total": self.decided_total},
            "investigated": self.detailed_investigations,
            "upheld": self.upheld,
            "uphold_rate": self.uphold_rate,
            "satisfactory_remedies": self.satisfactory_remedies,
            "satisfactory_remedy_rate": self.satisfactory_remedy_rate,
            "remedied_by_ombudsman": self.remedied_by_ombudsman,
            "compliance": {
                "recorded": self.compliance.recorded,
                "on_time": self.compliance.on_time,
                "late": self.compliance.late,
                "not_complied": self.compliance.not_complied,
            },
            "compliance_rate": self.compliance_rate,
            "population": self.population,
            "upheld_per_100k": self.upheld_per_100k,
            "average": {
                "method": self.average.method,
                "uphold_rate": self.average.uphold_rate,
                "compliance_rate": self.average.compliance_rate,
                "satisfactory_remedy_rate": self.average.satisfactory_remedy_rate,
                "upheld_per_100k": self.average.upheld_per_100k,
            },
        }
