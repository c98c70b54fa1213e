"""Totals over many authorities: the national picture by year and by type.

A total is None where any authority's figure is unknown (a published document that did not state it)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ombuds.labels import EngineMeasures
from ombuds.stats.comparison import complied
from ombuds.stats.model import rate
from ombuds.stats.record import StatisticsRecord


@dataclass(frozen=True)
class Totals:
    authorities: int
    received: int | None
    decided: int | None
    detailed_investigations: int | None
    upheld: int | None
    satisfactory_remedies: int | None
    compliance_recorded: int | None
    complied: int | None

    @property
    def uphold_rate(self) -> float | None:
        return _rate(self.upheld, self.detailed_investigations)

    @property
    def satisfactory_remedy_rate(self) -> float | None:
        return _rate(self.satisfactory_remedies, self.upheld)

    @property
    def compliance_rate(self) -> float | None:
        return _rate(self.complied, self.compliance_recorded)


def _rate(numerator: int | None, denominator: int | None) -> float | None:
    return None if numerator is None or denominator is None else rate(numerator, denominator)


def _sum(values: Iterable[int | None]) -> int | None:
    values = list(values)
    return None if None in values else sum(values)


def totals(records: Iterable[StatisticsRecord], measures: EngineMeasures) -> Totals:
    records = list(records)
    return Totals(
        authorities=len(records),
        received=_sum(r.received_total for r in records),
        decided=_sum(r.dealt_with for r in records),
        detailed_investigations=_sum(r.investigated for r in records),
        upheld=_sum(r.upheld for r in records),
        satisfactory_remedies=_sum(r.satisfactory_remedies for r in records),
        compliance_recorded=_sum(r.compliance.recorded for r in records),
        complied=_sum(complied(r, measures) for r in records),
    )


def by_type(records: Iterable[StatisticsRecord], measures: EngineMeasures,
            type_ids: tuple[str, ...]) -> dict[str, Totals]:
    """Totals per type with records, in the scheme's order of its types (`Scheme.type_ids`)."""
    records = list(records)
    return {t: totals((r for r in records if r.authority.type == t), measures) for t in type_ids
            if any(r.authority.type == t for r in records)}
