"""Totals over many authorities: the national picture by year and by type."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ombuds.registry import TYPES
from ombuds.stats.model import KeyRates, Stats


@dataclass(frozen=True)
class Totals(KeyRates):
    authorities: int
    received: int
    decided: int
    detailed_investigations: int
    upheld: int
    satisfactory_remedies: int
    compliance_recorded: int
    complied: int


def totals(stats: Iterable[Stats]) -> Totals:
    stats = list(stats)
    return Totals(
        authorities=len(stats),
        received=sum(s.received_total for s in stats),
        decided=sum(s.decided_total for s in stats),
        detailed_investigations=sum(s.detailed_investigations for s in stats),
        upheld=sum(s.upheld for s in stats),
        satisfactory_remedies=sum(s.satisfactory_remedies for s in stats),
        compliance_recorded=sum(s.compliance.recorded for s in stats),
        complied=sum(s.compliance.complied for s in stats),
    )


def by_type(stats: Iterable[Stats]) -> dict[str, Totals]:
    stats = list(stats)
    return {t: totals(s for s in stats if s.authority.type == t) for t in TYPES
            if any(s.authority.type == t for s in stats)}
