"""The Complaint Handling Code year of one organisation: its own stages' figures, the escalation from its stages
to the ombudsman, its self-assessment against the code, and what the ombudsman found. Plain data (JSON-ready):
figures unrounded, unknown figures None (never zero)."""

from __future__ import annotations

from collections.abc import Mapping

from ombuds.errors import OmbudsError
from ombuds.handling_code import handling_code
from ombuds.labels import UPHELD
from ombuds.registry import Authority, registry
from ombuds.schemes import DEFAULT, Scheme, load_scheme
from ombuds.stats.record import StatisticsRecord
from ombuds.stats.register import self_assessment
from ombuds.stats.service import statistics_service
from ombuds.stats.timeliness import stage_figures
from ombuds.store import Database
from ombuds.store.own import assessments, own_complaints
from ombuds.store.queries import decisions, improvements_agreed
from ombuds.years import Year

ESCALATION_STEPS = ("stage1_closed", "stage2", "ombudsman_received", "ombudsman_decided", "ombudsman_upheld")


def ombudsman_record(database: Database, year: Year, code: str) -> tuple[StatisticsRecord | None, str | None]:
    """The ombudsman's figures for the body and year, and where they come from (case records or published
    figures); None and None if the database holds neither for the year."""
    service = statistics_service(database)
    if year not in service.years():
        return None, None
    held = service.year(year)
    record = held.get(code)
    return record, held.source if record else None


def escalation(stage1: dict, stage2: dict, record: StatisticsRecord | None, source: str | None) -> dict:
    """The funnel: the organisation's own stages, then the ombudsman's side, each None where it is not known."""
    return {"stage1_closed": stage1["responded"], "stage2": stage2["received"],
            "ombudsman_received": record.received_total if record else None,
            "ombudsman_decided": record.dealt_with if record else None,
            "ombudsman_upheld": record.upheld if record else None,
            "ombudsman_from": source}


def resolve_body(name: str) -> Authority:
    return registry().resolve(name)


def code_report(database: Database, year: Year, body: Authority, *, scheme: Scheme | str = DEFAULT,
                areas: Mapping[str, str] | None = None) -> dict:
    """Everything the code report shows, as data."""
    chosen = load_scheme(scheme) if isinstance(scheme, str) else scheme
    code = handling_code(chosen)
    with database.read() as connection:
        complaints = own_complaints(connection, body.code, year.start, year.end)
        assessed = assessments(connection, year.label, body.code)
        last = assessments(connection, Year(year.start_year - 1).label, body.code)
        agreed = improvements_agreed(connection, body.code, year)
        upheld = [d for d in decisions(connection, body.code, year) if d.outcome == UPHELD]
    if not complaints and not assessed:
        raise OmbudsError(f"no own complaints or self-assessment of {body.name} for {year}: import them first "
                          "(ombuds import; see docs/code-report.md)")
    record, source = ombudsman_record(database, year, body.code)
    size = (record.population if record else None) or body.population_2020
    stages = {stage: stage_figures([c for c in complaints if c.stage == stage], code, size=size, areas=areas)
              for stage in (1, 2)}
    return {
        "body": {"code": body.code, "name": body.name, "slug": body.slug},
        "year": year.label,
        "code": {"name": code.name, "acknowledge": code.acknowledge,
                 **{f"stage{s}": {"respond": lim.respond, "extended": lim.extended} for s, lim in code.stages.items()}},
        "size": {"measure": chosen.words.size, "value": size},
        "stage1": stages[1],
        "stage2": stages[2],
        "escalation": escalation(stages[1], stages[2], record, source),
        "self_assessment": self_assessment(code, assessed, last),
        "improvements": [{"reference": i.reference, "agreed_date": i.agreed_date.isoformat(),
                          "improvement": i.improvement} for i in agreed],
        "non_compliance": [{"reference": d.reference, "decision_date": d.decision_date.isoformat(),
                            "service_area": d.service_area, "summary": d.summary} for d in upheld],
    }
