"""The statistics part of a letter or page, laid out as each edition shows it (SPEC 1.4), as plain data.

Letters (HTML and PDF) and the site draw these sections; every figure in them comes from `format`. A section is a
dict with a `kind`: `heading` (lines), `table` (caption, header rows of cells, body rows, notes), `panel` (heading
and lines, each with a role) or `overview` (heading, sentences and labelled counts).
"""

from __future__ import annotations

from ombuds.labels import OUTCOMES, SERVICE_AREAS
from ombuds.stats import format as fmt
from ombuds.stats.model import Stats

UPHOLD_NOTE = ("The uphold rate is how often we found fault, as a percentage of the detailed investigations we "
               "completed.")
REMEDY_NOTE = ("These are the cases where the council got something wrong but had already offered a suitable way "
               "to put it right before the complaint came to us.")
REMEDIED_NOTE = ("Remedied complaints need not equal upheld complaints: we may find fault without finding an "
                 "injustice that needs a remedy.")
COMPLIANCE_NOTES = (
    "* The complaints where we recorded a response (or a failure to respond) to our recommended remedy during the "
    "year, including complaints we decided in an earlier year.",
    "** The share of those complaints where the council gave evidence that it had done what we recommended, on time "
    "or late.",
)
COMPLIANCE_PANEL_NOTE = ("Not complying with our recommendations is rare. A council with a compliance rate below "
                         "100% should look again at the complaints where it did not comply, and at what it can learn.")


def _cell(text: str, span: int = 1) -> dict:
    return {"text": text, "span": span}


def _row(*texts: str) -> list[dict]:
    return [_cell(t) for t in texts]


def _received_table(s: Stats) -> dict:
    return {"kind": "table", "caption": "Complaints and enquiries received",
            "header": [_row(*SERVICE_AREAS, "Total")],
            "rows": [_row(*(fmt.number(s.received[a]) for a in SERVICE_AREAS), fmt.number(s.received_total))],
            "notes": []}


def _decisions_table(s: Stats, layout: str, rate_heading: str, notes: list[str]) -> dict:
    return {"kind": "table", "caption": "Decisions made",
            "header": [[_cell("", 4), _cell("Detailed investigations", 3), _cell("")],
                       _row(*OUTCOMES, rate_heading, "Total")],
            "rows": [_row(*(fmt.number(s.decided[o]) for o in OUTCOMES),
                          fmt.rate(s.uphold_rate, "uphold_rate", layout), fmt.number(s.decided_total))],
            "notes": notes}


def _report_heading(s: Stats) -> dict:
    return {"kind": "heading", "lines": [f"Local Authority Report: {s.authority.name}", fmt.period_ending(s.year)]}


def appendix_2017(s: Stats) -> list[dict]:
    layout = fmt.APPENDIX_2017
    return [
        _report_heading(s),
        _received_table(s),
        _decisions_table(s, layout, "Uphold rate", []),
        {"kind": "table", "caption": "Complaints remedied",
         "header": [_row("By the Ombudsman", "Satisfactorily by the authority before the Ombudsman's involvement")],
         "rows": [_row(fmt.number(s.remedied_by_ombudsman), fmt.number(s.satisfactory_remedies))],
         "notes": [REMEDIED_NOTE]},
    ]


def appendix_2018(s: Stats) -> list[dict]:
    layout = fmt.APPENDIX_2018
    c = s.compliance
    return [
        _report_heading(s),
        _received_table(s),
        _decisions_table(s, layout, "Uphold rate (%)", [UPHOLD_NOTE]),
        {"kind": "table", "caption": "Satisfactory remedy provided by authority",
         "header": [_row("Upheld cases where the authority had provided a satisfactory remedy before the complaint "
                         "reached the Ombudsman", "% of upheld cases")],
         "rows": [_row(fmt.number(s.satisfactory_remedies),
                       fmt.rate(s.satisfactory_remedy_rate, "satisfactory_remedy_rate", layout))],
         "notes": [REMEDY_NOTE]},
        {"kind": "table", "caption": "Compliance with Ombudsman recommendations",
         "header": [_row("", "Complaints where compliance with the recommended remedy was recorded during the year*",
                         "Complied with our recommendations on time", "Complied with our recommendations late",
                         "Has not complied with our recommendations")],
         "rows": [_row("Number", fmt.number(c.recorded), fmt.number(c.on_time), fmt.number(c.late),
                       fmt.number(c.not_complied)),
                  [_cell("Compliance rate**"), _cell(fmt.rate(s.compliance_rate, "compliance_rate", layout), 4)]],
         "notes": list(COMPLIANCE_NOTES)},
    ]


def _line(role: str, text: str) -> dict:
    return {"role": role, "text": text}


def _based_on(count: str, s: Stats) -> dict:
    return _line("base", f"Statistics are based on a total of {count} for the period between {fmt.period(s.year)}")


def _upheld_panel(s: Stats, layout: str) -> dict:
    lines = []
    if layout == fmt.OVERVIEW:
        lines.append(_line("lead", f"We investigated {fmt.counted(s.detailed_investigations, 'complaint')} and "
                                   f"upheld {fmt.number(s.upheld)}."))
    lines += [
        _line("headline", f"{fmt.rate(s.uphold_rate, 'uphold_rate', layout)} of complaints we investigated were "
                          "upheld."),
        _line("comparison", f"This compares to an average of {fmt.average(s.average.uphold_rate)} in similar "
                            "authorities."),
        _line("figure", fmt.counted(s.upheld, "upheld decision")),
    ]
    if layout in (fmt.PANELS_PER_100K, fmt.OVERVIEW):
        if s.population:
            lines.append(_line("per100k", f"Adjusted for {s.authority.name}'s population, this is "
                               f"{fmt.per_100k_phrase(s.upheld_per_100k, 'upheld decision', 'upheld decisions')}."))
        else:
            lines.append(_line("per100k", f"No population figure is held for {s.authority.name}, so no figure per "
                                          "100,000 residents is shown."))
        lines.append(_line("per100k", "The average for authorities of this type is "
                           f"{fmt.per_100k_phrase(s.average.upheld_per_100k, 'upheld decision', 'upheld decisions')}."))
    lines.append(_based_on(fmt.counted(s.detailed_investigations, "detailed investigation"), s))
    return {"kind": "panel", "heading": "Complaints upheld", "lines": lines}


def _compliance_panel(s: Stats, layout: str) -> dict:
    return {"kind": "panel", "heading": "Compliance with Ombudsman recommendations", "lines": [
        _line("headline", f"In {fmt.rate(s.compliance_rate, 'compliance_rate', layout)} of cases we were satisfied "
                          "the authority had successfully implemented our recommendations."),
        _line("comparison", f"This compares to an average of {fmt.average(s.average.compliance_rate)} in similar "
                            "authorities."),
        _based_on(fmt.counted(s.compliance.recorded, "compliance outcome"), s),
        _line("note", COMPLIANCE_PANEL_NOTE),
    ]}


def _remedy_panel(s: Stats, layout: str) -> dict:
    return {"kind": "panel", "heading": "Satisfactory remedies provided by the authority", "lines": [
        _line("headline", f"In {fmt.rate(s.satisfactory_remedy_rate, 'satisfactory_remedy_rate', layout)} of upheld "
                          "cases we found the authority had provided a satisfactory remedy before the complaint "
                          "reached the Ombudsman."),
        _line("comparison", f"This compares to an average of {fmt.average(s.average.satisfactory_remedy_rate)} in "
                            "similar authorities."),
        _line("figure", fmt.counted(s.satisfactory_remedies, "satisfactory remedy decision")),
        _based_on(fmt.counted(s.upheld, "upheld decision"), s),
    ]}


def _overview(s: Stats) -> dict:
    return {"kind": "overview", "heading": "Complaint overview", "sentences": [
        f"Between {fmt.period(s.year)}, we dealt with {fmt.counted(s.dealt_with, 'complaint')}.",
        f"Of these, {fmt.was_were(s.not_for_us)} not for us or not ready for us to investigate.",
        f"We assessed and closed {fmt.counted(s.assessed_and_closed, 'complaint')}.",
        f"We investigated {fmt.counted(s.detailed_investigations, 'complaint')}.",
    ], "items": [
        {"label": "Complaints dealt with", "value": fmt.number(s.dealt_with)},
        {"label": "Not for us", "value": fmt.number(s.not_for_us)},
        {"label": "Assessed and closed", "value": fmt.number(s.assessed_and_closed)},
        {"label": "Investigated", "value": fmt.number(s.detailed_investigations)},
    ]}


def statistics_sections(s: Stats, layout: str) -> list[dict]:
    """The sections of `layout` for one authority's statistics."""
    if layout == fmt.APPENDIX_2017:
        return appendix_2017(s)
    if layout == fmt.APPENDIX_2018:
        return appendix_2018(s)
    if layout not in fmt.LAYOUTS:
        raise ValueError(f"unknown layout '{layout}'")
    panels = [_upheld_panel(s, layout), _compliance_panel(s, layout), _remedy_panel(s, layout)]
    return [_overview(s), *panels] if layout == fmt.OVERVIEW else panels
