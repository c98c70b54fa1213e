"""Timeliness as the Complaint Handling Code defines it, and a stage's figures for a year (pure: no database).

A complaint counts in the year it was received at that stage. Acknowledged on time: within the code's limit of
working days after receipt. Responded on time: within the stage's limit after acknowledgement (after receipt when
no acknowledgement is recorded), or, with an agreed extension, by the agreed date when that date is within the
code's longest extension."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from statistics import median

from ombuds.handling_code import HandlingCode
from ombuds.labels import OWN_OUTCOMES
from ombuds.store.own import OwnComplaint
from ombuds.workdays import working_days


def acknowledged_on_time(c: OwnComplaint, code: HandlingCode) -> bool:
    return c.acknowledged_date is not None and working_days(c.received_date, c.acknowledged_date) <= code.acknowledge


def response_days(c: OwnComplaint) -> int | None:
    """Working days from acknowledgement (or receipt) to response; None while the complaint is open."""
    if c.response_date is None:
        return None
    return working_days(c.acknowledged_date or c.received_date, c.response_date)


def responded_on_time(c: OwnComplaint, code: HandlingCode) -> bool:
    days = response_days(c)
    if days is None:
        return False
    limits = code.stages[c.stage]
    if days <= limits.respond:
        return True
    if c.extended_to is None or c.response_date > c.extended_to:
        return False
    return working_days(c.acknowledged_date or c.received_date, c.extended_to) <= limits.extended


def stage_figures(complaints: Iterable[OwnComplaint], code: HandlingCode, *, size: int | None,
                  areas: Mapping[str, str] | None = None) -> dict:
    """A stage's figures: the keys of the code report's `stage1` and `stage2` objects."""
    rows = list(complaints)
    figures = _counts(rows, code)
    figures["outcomes"] = {o: sum(c.outcome == o for c in rows) for o in OWN_OUTCOMES}
    figures["per_1000"] = None if not size else figures["received"] * 1000 / size
    by_area: dict[str, list[OwnComplaint]] = {}
    for c in rows:
        by_area.setdefault((areas or {}).get(c.service_area, c.service_area), []).append(c)
    figures["by_service_area"] = {area: _counts(by_area[area], code) for area in sorted(by_area)}
    return figures


def _counts(rows: list[OwnComplaint], code: HandlingCode) -> dict:
    days = [d for d in map(response_days, rows) if d is not None]
    on_time = sum(responded_on_time(c, code) for c in rows)
    return {
        "received": len(rows),
        "responded": len(days),
        "acknowledged_on_time": sum(acknowledged_on_time(c, code) for c in rows),
        "on_time": on_time,
        "on_time_rate": on_time / len(days) if days else None,
        "extended": sum(c.extended_to is not None for c in rows),
        "median_working_days": median(days) if days else None,
    }
