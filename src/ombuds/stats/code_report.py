"""The Complaint Handling Code year of one organisation: its own stages' figures, the escalation from its stages
to the ombudsman, its self-assessment against the code, and what the ombudsman found. Plain data (JSON-ready):
figures unrounded, unknown figures None (never zero)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ombuds.errors import OmbudsError
from ombuds.handling_code import HandlingCode, handling_code
from ombuds.labels import FROM_CASE_RECORDS
from ombuds.registry import Authority, registry_of
from ombuds.schemes import Scheme
from ombuds.schemes.model import Measure
from ombuds.stats.measures import kind_of, year_bounds
from ombuds.stats.measures_service import measures_service
from ombuds.stats.record import StatisticsRecord
from ombuds.stats.register import self_assessment
from ombuds.stats.service import statistics_service
from ombuds.stats.timeliness import stage_figures
from ombuds.store import Database
from ombuds.store.own import assessments, own_complaints
from ombuds.store.queries import decisions, improvements_agreed
from ombuds.store.records import kind_records
from ombuds.years import Year

ESCALATION_STEPS = ("stage1_closed", "stage2", "ombudsman_received", "ombudsman_decided", "ombudsman_upheld")
STEPS = {"stage1_closed": "Closed at stage 1", "stage2": "Escalated to stage 2",
         "ombudsman_received": "Complaints to the ombudsman", "ombudsman_decided": "Decided by the ombudsman",
         "ombudsman_upheld": "Upheld by the ombudsman"}


@dataclass(frozen=True)
class OmbudsmanSide:
    """The ombudsman's steps of the funnel (None: not known), their words, where they come from (None: nowhere),
    and its findings of fault about the body."""

    received: int | None = None
    decided: int | None = None
    upheld: int | None = None
    source: str | None = None
    steps: dict[str, str] = field(default_factory=lambda: dict(STEPS))
    faults: list[dict] = field(default_factory=list)


def ombudsman_record(database: Database, scheme: Scheme, year: Year,
                     code: str) -> tuple[StatisticsRecord | None, str | None]:
    """The ombudsman's figures for the body and year, and where they come from (case records or published
    figures); None and None if the database holds neither for the year."""
    service = statistics_service(database, scheme)
    if year not in service.years():
        return None, None
    held = service.year(year)
    record = held.get(code)
    return record, held.source if record else None


def _lgsco_side(database: Database, scheme: Scheme, year: Year, code: str) -> OmbudsmanSide:
    record, source = ombudsman_record(database, scheme, year, code)
    labels = statistics_service(database, scheme).labels
    with database.read() as connection:
        upheld_words = labels.outcomes_of(labels.measures.ids_of("upheld"))  # the outcomes the upheld measure counts
        upheld = [d for d in decisions(connection, code, year, labels) if d.outcome in upheld_words]
    faults = [{"reference": d.reference, "decision_date": d.decision_date.isoformat(),
               "service_area": d.service_area, "summary": d.summary} for d in upheld]
    if record is None:
        return OmbudsmanSide(faults=faults)
    return OmbudsmanSide(record.received_total, record.dealt_with, record.upheld, source, faults=faults)


def _measured_side(database: Database, scheme: Scheme, code: HandlingCode, year: Year, body: str) -> OmbudsmanSide:
    """The funnel's ombudsman steps from the measures `code.toml` names in `[escalation]`; a step it does not name,
    or a year the records do not reach, is not known. Findings of fault: the records the `upheld` measure counts."""
    service = measures_service(database, scheme)
    steps = {**STEPS, **{f"ombudsman_{step}": scheme.measure(m).name for step, m in code.escalation.items()}}
    if year not in service.years():
        return OmbudsmanSide(steps=steps)
    record = service.body(year, body)
    values = record.values if record else {}
    known = {step: values.get(m, 0) for step, m in code.escalation.items()}  # held years: no records is none
    faults = _measured_faults(database, scheme, scheme.measure(code.escalation["upheld"]), year, body) \
        if "upheld" in code.escalation else []
    return OmbudsmanSide(known.get("received"), known.get("decided"), known.get("upheld"),
                         record.source if record else FROM_CASE_RECORDS, steps, faults)


def _measured_faults(database: Database, scheme: Scheme, measure: Measure, year: Year, body: str) -> list[dict]:
    """The body's records in the year that a `count` measure counts, one per record: its key, date, other labels
    and the label counted, in words."""
    kind_id, label_field = kind_of(scheme, measure)
    kind = scheme.kinds[kind_id]
    wanted = set(measure.label.ids) if measure.label else set()
    start, end = year_bounds(scheme, year)
    with database.read() as connection:
        rows = [r for r in kind_records(connection, kind_id, start, end)
                if r.body_code == body and (not wanted or r.fields.get(label_field) in wanted)]
    others = [c for c in kind.columns if c.type == "label" and c.field != label_field]
    found = []
    order = scheme.labels(measure.label.set).ids
    for r in sorted(rows, key=lambda r: (r.record_date, [str(r.fields.get(k)) for k in kind.key],
                                         order.index(r.fields[label_field]))):
        found.append({"reference": "/".join(str(r.fields.get(k)) for k in kind.key),
                      "decision_date": r.record_date.isoformat(),
                      "service_area": ", ".join(scheme.labels(c.set).name_of(r.fields[c.field])
                                                for c in others if r.fields.get(c.field)) or None,
                      "summary": scheme.labels(measure.label.set).name_of(r.fields[label_field])})
    return found


def ombudsman_side(database: Database, scheme: Scheme, code: HandlingCode, year: Year, body: str) -> OmbudsmanSide:
    if scheme.engine == "lgsco":
        return _lgsco_side(database, scheme, year, body)
    return _measured_side(database, scheme, code, year, body)


def escalation(stage1: dict, stage2: dict, side: OmbudsmanSide) -> dict:
    """The funnel: the organisation's own stages, then the ombudsman's side, each None where it is not known."""
    return {"stage1_closed": stage1["responded"], "stage2": stage2["received"],
            "ombudsman_received": side.received, "ombudsman_decided": side.decided,
            "ombudsman_upheld": side.upheld, "ombudsman_from": side.source}


def resolve_body(name: str, scheme: Scheme) -> Authority:
    """The body `name` means, through the scheme's registry (its bodies and aliases)."""
    return registry_of(scheme).resolve(name)


def code_report(database: Database, year: Year, body: Authority, *, scheme: Scheme,
                areas: Mapping[str, str] | None = None) -> dict:
    """Everything the code report shows, as data."""
    chosen = scheme
    code = handling_code(chosen)
    with database.read() as connection:
        complaints = own_complaints(connection, body.code, year.start, year.end)
        assessed = assessments(connection, year.label, body.code)
        last = assessments(connection, Year(year.start_year - 1).label, body.code)
        agreed = improvements_agreed(connection, body.code, year)
    if not complaints and not assessed:
        raise OmbudsError(f"no own complaints or self-assessment of {body.name} for {year}: import them first "
                          "(ombuds import; see docs/code-report.md)")
    side = ombudsman_side(database, chosen, code, year, body.code)
    size = _size(database, chosen, year, body)
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
        "escalation": escalation(stages[1], stages[2], side),
        "steps": side.steps,
        "coverage": chosen.data.coverage or None,
        "ombudsman_report": {"name": chosen.report.name,
                             "published": chosen.engine == "lgsco" and side.source == FROM_CASE_RECORDS},
        "self_assessment": self_assessment(code, assessed, last),
        "improvements": [{"reference": i.reference, "agreed_date": i.agreed_date.isoformat(),
                          "improvement": i.improvement} for i in agreed],
        "non_compliance": side.faults,
    }


def _size(database: Database, scheme: Scheme, year: Year, body: Authority) -> int | None:
    """The body's size (residents, homes): the LGSCO's population of the year where held, else the registry's."""
    if scheme.engine == "lgsco":
        record, _source = ombudsman_record(database, scheme, year, body.code)
        if record is not None and record.population:
            return record.population
    return body.population_2020
