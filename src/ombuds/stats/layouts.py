"""The statistics part of a letter or page, laid out as each edition shows it (SPEC 1.4), as plain data.

Each layout is a record: its id, the years it is the default for (the only year → layout rule), its wording for a
rate with a zero denominator, and the function that lays out its sections. Letters (HTML and PDF) and the site
draw the sections; every figure in them comes from `format`. A section is a dict with a `kind`: `heading` (lines),
`table` (caption, header rows of cells, body rows, notes), `panel` (heading and lines, each with a role) or
`overview` (heading, sentences and labelled counts).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from ombuds.errors import OmbudsError
from ombuds.labels import OUTCOMES, SERVICE_AREAS
from ombuds.stats import format as fmt
from ombuds.stats.record import StatisticsRecord
from ombuds.years import Year

APPENDIX_2017 = "appendix-2017-18"
APPENDIX_2018 = "appendix-2018-19"
PANELS = "panels-2019-20"
PANELS_PER_100K = "panels-2022-23"
OVERVIEW = "overview-2024-25"

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


@dataclass(frozen=True)
class Layout:
    """How one edition lays out the statistics. `years` are the start years it is the default for."""

    id: str
    years: range
    lay_out: Callable[[Layout, StatisticsRecord], list[dict]]
    zero_denominator: Mapping[str, str] = field(default_factory=dict)  # rate name → what a 0/0 rate shows
    bare_rates: frozenset[str] = frozenset()  # rates printed without `%` (the table heading carries it)
    per_100k: bool = False
    overview: bool = False

    def rate(self, s: StatisticsRecord, name: str) -> str:
        """An authority's own rate (uphold_rate, satisfactory_remedy_rate, compliance_rate) as this layout shows
        it."""
        return fmt.rate(getattr(s, name), zero=self.zero_denominator.get(name, "0%"), bare=name in self.bare_rates)

    def sections(self, s: StatisticsRecord, *, zero_in_words: bool = False) -> list[dict]:
        """The sections; with `zero_in_words` (the site), a panel whose rate has nothing to divide by says so in
        words instead of showing a rate."""
        sections = self.lay_out(self, s)
        return [_zero_in_words(section, s) for section in sections] if zero_in_words else sections


def _cell(text: str, span: int = 1) -> dict:
    return {"text": text, "span": span}


def _row(*texts: str) -> list[dict]:
    return [_cell(t) for t in texts]


RECEIVED_CAPTION = "Complaints and enquiries received"


def _received_table(s: StatisticsRecord) -> dict:
    return {"kind": "table", "caption": RECEIVED_CAPTION,
            "header": [_row(*SERVICE_AREAS, "Total")],
            "rows": [_row(*(fmt.number(s.received.get(a)) for a in SERVICE_AREAS), fmt.number(s.received_total))],
            "notes": []}


def _decisions_table(s: StatisticsRecord, layout: Layout, rate_heading: str, notes: list[str]) -> dict:
    return {"kind": "table", "caption": "Decisions made",
            "header": [[_cell("", 4), _cell("Detailed investigations", 3), _cell("")],
                       _row(*OUTCOMES, rate_heading, "Total")],
            "rows": [_row(*(fmt.number(s.decided.get(o)) for o in OUTCOMES), layout.rate(s, "uphold_rate"),
                          fmt.number(s.dealt_with))],
            "notes": notes}


def _report_heading(s: StatisticsRecord) -> dict:
    return {"kind": "heading", "lines": [f"Local Authority Report: {s.authority.name}", fmt.period_ending(s.period)]}


def _appendix_2017(layout: Layout, s: StatisticsRecord) -> list[dict]:
    return [
        _report_heading(s),
        _received_table(s),
        _decisions_table(s, layout, "Uphold rate", []),
        {"kind": "table", "caption": "Complaints remedied",
         "header": [_row("By the Ombudsman", "Satisfactorily by the authority before the Ombudsman's involvement")],
         "rows": [_row(fmt.number(s.remedied_by_ombudsman), fmt.number(s.satisfactory_remedies))],
         "notes": [REMEDIED_NOTE]},
    ]


def _appendix_2018(layout: Layout, s: StatisticsRecord) -> list[dict]:
    c = s.compliance
    return [
        _report_heading(s),
        _received_table(s),
        _decisions_table(s, layout, "Uphold rate (%)", [UPHOLD_NOTE]),
        {"kind": "table", "caption": "Satisfactory remedy provided by authority",
         "header": [_row("Upheld cases where the authority had provided a satisfactory remedy before the complaint "
                         "reached the Ombudsman", "% of upheld cases")],
         "rows": [_row(fmt.number(s.satisfactory_remedies), layout.rate(s, "satisfactory_remedy_rate"))],
         "notes": [REMEDY_NOTE]},
        {"kind": "table", "caption": "Compliance with Ombudsman recommendations",
         "header": [_row("", "Complaints where compliance with the recommended remedy was recorded during the year*",
                         "Complied with our recommendations on time", "Complied with our recommendations late",
                         "Has not complied with our recommendations")],
         "rows": [_row("Number", fmt.number(c.recorded), fmt.number(c.on_time), fmt.number(c.late),
                       fmt.number(c.not_complied)),
                  [_cell("Compliance rate**"), _cell(layout.rate(s, "compliance_rate"), 4)]],
         "notes": list(COMPLIANCE_NOTES)},
    ]


def _line(role: str, text: str) -> dict:
    return {"role": role, "text": text}


def _based_on(count: str, s: StatisticsRecord) -> dict:
    return _line("base", f"Statistics are based on a total of {count} for the period from {fmt.period(s.period)}")


def _upheld_panel(layout: Layout, s: StatisticsRecord) -> dict:
    lines = []
    if layout.overview:
        lines.append(_line("lead", _investigated_and_upheld(s)))
    lines += [
        _line("headline", f"{layout.rate(s, 'uphold_rate')} of complaints we investigated were upheld."),
        _line("comparison", f"This compares to an average of {fmt.average(s.average.uphold_rate)} in similar "
                            "authorities."),
        _line("figure", fmt.counted(s.upheld, "upheld decision")),
    ]
    if layout.per_100k:
        if s.upheld_per_100k is not None:
            lines.append(_line("per100k", f"Adjusted for {s.authority.name}'s population, this is "
                               f"{fmt.per_100k_phrase(s.upheld_per_100k, 'upheld decision', 'upheld decisions')}."))
        else:
            lines.append(_line("per100k", f"No population figure is held for {s.authority.name}, so no figure per "
                                          "100,000 residents is shown."))
        lines.append(_line("per100k", "The average for authorities of this type is "
                           f"{fmt.per_100k_phrase(s.average.upheld_per_100k, 'upheld decision', 'upheld decisions')}."))
    lines.append(_based_on(fmt.counted(s.investigated, "detailed investigation"), s))
    return {"kind": "panel", "id": "upheld", "heading": "Complaints upheld", "lines": lines}


def _compliance_panel(layout: Layout, s: StatisticsRecord) -> dict:
    return {"kind": "panel", "id": "compliance", "heading": "Compliance with Ombudsman recommendations", "lines": [
        _line("headline", f"In {layout.rate(s, 'compliance_rate')} of cases we were satisfied the authority had "
                          "successfully implemented our recommendations."),
        _line("comparison", f"This compares to an average of {fmt.average(s.average.compliance_rate)} in similar "
                            "authorities."),
        _based_on(fmt.counted(s.compliance.recorded, "compliance outcome"), s),
        _line("note", COMPLIANCE_PANEL_NOTE),
    ]}


def _remedy_panel(layout: Layout, s: StatisticsRecord) -> dict:
    return {"kind": "panel", "id": "remedy", "heading": "Satisfactory remedies provided by the authority", "lines": [
        _line("headline", f"In {layout.rate(s, 'satisfactory_remedy_rate')} of upheld cases we found the authority "
                          "had provided a satisfactory remedy before the complaint reached the Ombudsman."),
        _line("comparison", f"This compares to an average of {fmt.average(s.average.satisfactory_remedy_rate)} in "
                            "similar authorities."),
        _line("figure", fmt.counted(s.satisfactory_remedies, "satisfactory remedy decision")),
        _based_on(fmt.counted(s.upheld, "upheld decision"), s),
    ]}


def _no_rate(s: StatisticsRecord) -> dict[str, str]:
    """Panel id → the sentence that stands in for its headline when the rate's denominator is zero."""
    name = s.authority.name
    sentences = {}
    if s.investigated == 0:
        sentences["upheld"] = f"We did not investigate any complaints about {name}, so there is no uphold rate."
    if s.compliance.recorded == 0:
        sentences["compliance"] = (f"We recorded no outcomes of our recommendations to {name}, so there is no "
                                   "compliance rate.")
    if s.upheld == 0:
        sentences["remedy"] = f"We upheld no complaints about {name}, so there is no satisfactory remedy rate."
    return sentences


def _zero_in_words(section: dict, s: StatisticsRecord) -> dict:
    sentence = _no_rate(s).get(section["id"]) if section["kind"] == "panel" else None
    if sentence is None:
        return section
    lines = [_line("headline", sentence) if line["role"] == "headline" else line for line in section["lines"]]
    return {**section, "lines": lines}


def _investigated_and_upheld(s: StatisticsRecord) -> str:
    """Never "we investigated 0 complaints and upheld 0" (issue 10): a plain sentence where a count is zero."""
    if not s.investigated:
        return "We did not investigate any complaints, so none were upheld."
    upheld = fmt.number(s.upheld) if s.upheld else "none"
    return f"We investigated {fmt.counted(s.investigated, 'complaint')} and upheld {upheld}."


def _overview_sentences(s: StatisticsRecord) -> list[str]:
    if not s.dealt_with:
        return [f"From {fmt.period(s.period)}, we did not deal with any complaints."]
    return [
        f"From {fmt.period(s.period)}, we dealt with {fmt.counted(s.dealt_with, 'complaint')}.",
        f"Of these, {fmt.was_were(s.not_for_us)} not for us or not ready for us to investigate." if s.not_for_us
        else "None of these was turned away as not for us or not ready for us to investigate.",
        f"We assessed and closed {fmt.counted(s.assessed_and_closed, 'complaint')}." if s.assessed_and_closed
        else "We did not close any at the assessment stage.",
        f"We investigated {fmt.counted(s.investigated, 'complaint')}." if s.investigated
        else "We did not investigate any of them.",
    ]


def _overview(s: StatisticsRecord) -> dict:
    return {"kind": "overview", "heading": "Complaint overview", "sentences": _overview_sentences(s), "items": [
        {"label": "Complaints dealt with", "value": fmt.number(s.dealt_with)},
        {"label": "Not for us", "value": fmt.number(s.not_for_us)},
        {"label": "Assessed and closed", "value": fmt.number(s.assessed_and_closed)},
        {"label": "Investigated", "value": fmt.number(s.investigated)},
    ]}


def _panels(layout: Layout, s: StatisticsRecord) -> list[dict]:
    panels = [_upheld_panel(layout, s), _compliance_panel(layout, s), _remedy_panel(layout, s)]
    return [_overview(s), *panels] if layout.overview else panels


LAYOUTS = (
    Layout(APPENDIX_2017, range(0, 2018), _appendix_2017,
           zero_denominator={"uphold_rate": "0%", "satisfactory_remedy_rate": "0%", "compliance_rate": "-"}),
    Layout(APPENDIX_2018, range(2018, 2019), _appendix_2018,
           zero_denominator={"uphold_rate": "0", "satisfactory_remedy_rate": "0", "compliance_rate": "-"},
           bare_rates=frozenset({"uphold_rate", "satisfactory_remedy_rate"})),
    Layout(PANELS, range(2019, 2022), _panels),
    Layout(PANELS_PER_100K, range(2022, 2024), _panels, per_100k=True),
    Layout(OVERVIEW, range(2024, 10_000), _panels, per_100k=True, overview=True),
)
LAYOUT_IDS = tuple(layout.id for layout in LAYOUTS)
_BY_ID = {layout.id: layout for layout in LAYOUTS}


def layout_for(year: Year) -> Layout:
    """The layout a year's letters and pages use unless an edition says otherwise."""
    return next(layout for layout in LAYOUTS if year.start_year in layout.years)


def layout(layout_id: str) -> Layout:
    try:
        return _BY_ID[layout_id]
    except KeyError:
        raise OmbudsError(f"unknown layout '{layout_id}': use one of {', '.join(LAYOUT_IDS)}") from None
