"""A council's page for a year: its figures laid out as that year's edition shows them, the decisions behind them,
public interest reports, service improvements, every year's letter, and the councils before and after it."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from ombuds import urls
from ombuds.errors import OmbudsError
from ombuds.registry import Authority
from ombuds.site.charts_fair import trend_chart
from ombuds.site.data import NotFound, SiteData
from ombuds.site.incremental import fact
from ombuds.site.pages import File, FileKind, Page, PageKind
from ombuds.site.pages.register import council_self_assessment
from ombuds.stats import comparison, layouts
from ombuds.stats import format as fmt
from ombuds.years import Year


def comparability_note(site: SiteData, year: Year) -> str | None:
    try:
        return site.edition(year).comparability_note
    except OmbudsError:
        return None


def _linked(site: SiteData, codes: tuple[str, ...]) -> list[Authority]:
    return [a for a in (site.authorities.get(c) for c in codes) if site.years_of(a)]


def fair_comparison(site: SiteData, authority: Authority, year: Year, record) -> list[dict]:
    """Per rate: the rate (or "too few cases"), its interval in words, its funnel class and plot, and the tested
    change from the year before."""
    minimum = site.profile.minimum_denominator
    rows = []
    for rate in comparison.RATES:
        n = comparison.base(record, rate)
        shown = fmt.reliable_rate(getattr(record, rate), n, minimum, zero=fmt.NOT_AVAILABLE)
        entry = {"rate": rate, "name": fmt.RATE_NAMES[rate], "shown": shown, "interval": None, "funnel": None,
                 "funnel_link": None, "change": None}
        reliable = shown != fmt.TOO_FEW
        if record.interval is not None and n is not None and reliable:
            entry["interval"] = fmt.interval_sentence(rate, n, getattr(record.interval, rate))
        if record.funnel is not None:
            entry["funnel"] = fmt.funnel_class(getattr(record.funnel, rate))
            entry["funnel_link"] = urls.funnel(year, authority.type, rate, highlight=authority.code)
        if record.interval is not None and reliable:
            entry["change"] = fmt.change_sentence(rate, getattr(record.change, rate) if record.change else None)
        rows.append(entry)
    return rows


def service_areas(record, layout: layouts.Layout) -> list[dict] | None:
    """What the complaints received were about, by service area, for a year whose layout does not already show it
    (the 2017-18 and 2018-19 appendices do); None where it does or nothing was received."""
    if layout.shows("received_by_area"):
        return None
    if not record.received_total:
        return None
    return [{"area": area, "received": fmt.number(record.received.get(area))} for area in layout.labels.service_areas]


@fact
def trends(site: SiteData, authority: Authority, year: Year) -> list[dict]:
    """Per rate: the council's rate in each year up to and including `year` against its type's average (a chart,
    when there are two years or more, and a table); years before it existed show its predecessors' combined figures,
    marked as such. A page for a year is that year's statistics: it shows the years before it, never a later one
    (its latest year's page shows them all), so a change to a year's figures moves no earlier year's page."""
    held = [(y.label, site.year_statistics(y).by_code) for y in site.years() if y <= year]
    minimum = site.profile.minimum_denominator
    out = []
    for rate in comparison.RATES:
        points = comparison.trend(held, authority.code, authority.predecessors, authority.type, rate,
                                   site.labels.measures)
        if not points:
            continue
        name = fmt.RATE_NAMES[rate]
        labels = [p.year for p in points]
        span = labels[0] if len(labels) == 1 else f"{labels[0]} to {labels[-1]}"
        plural = site.labels.type_plurals[authority.type]
        series = [(authority.name, "own", [None if p.combined else p.rate for p in points]),
                  ("Predecessors' combined figures", "predecessors", [p.rate if p.combined else None for p in points]),
                  (f"Average for {plural}", "average", [p.average for p in points])]
        chart = trend_chart(labels, series, f"{authority.name}: the {name} by year, {span}",
                            f"The {name} of {authority.name} in each year from {labels[0]} to {labels[-1]}, with the "
                            f"average for {plural}; the same figures are in the table below.",
                            chart_id=f"trend-{rate}") if len(labels) > 1 else None
        rows = [{"year": p.year, "shown": fmt.reliable_rate(p.rate, p.denominator, minimum, zero=fmt.NOT_AVAILABLE),
                 "cases": fmt.number(p.denominator), "average": fmt.average(p.average),
                 "predecessors": ", ".join(p.predecessors)} for p in points]
        out.append({"rate": rate, "name": name, "span": span, "chart": chart, "rows": rows,
                    "combined": any(p.combined for p in points)})
    return out


def council(site: SiteData, query, slug: str, year: str) -> Page:
    authority = site.by_slug(slug)
    chosen = site.year(year)
    record = site.record(authority, chosen)
    published = not site.has_case_records(chosen)
    layout = layouts.layout(record.edition, site.scheme) if published and record.edition else \
        layouts.layout_for(chosen, site.scheme)
    years = site.years_of(authority)
    letters = [y for y in years if site.has_case_records(y)]
    sections = layout.sections(record, zero_in_words=True)
    context = {
        "authority": authority, "year": chosen, "record": record, "sections": sections,
        "areas": service_areas(record, layout),
        "published": published, "source": getattr(record, "source", None), "years": years,
        "type_name": site.labels.type_names[authority.type], "type_plural": site.labels.type_plurals[authority.type],
        "method": site.method, "note": comparability_note(site, chosen),
        "reports": [] if published else site.public_reports(authority, chosen),
        "improvements": [] if published else site.improvements(authority, chosen),
        "letters": letters, "predecessors": _linked(site, authority.predecessors),
        "successors": _linked(site, authority.successors),
        "fair": fair_comparison(site, authority, chosen, record), "trends": trends(site, authority, chosen),
        "revisions": site.revisions(authority, chosen),
        "self_assessment": council_self_assessment(site, authority, chosen),
    }
    twin = {"statistics": record.to_json(), "url": urls.council(slug, chosen),
            "years": {y.label: urls.council(slug, y) for y in years},
            "letters": {y.label: {"html": urls.letter(slug, y, "html"), "pdf": urls.letter(slug, y, "pdf")}
                        for y in letters},
            "decisions": {"upheld": urls.decisions(slug, chosen, "upheld"),
                          "satisfactory_remedy": urls.decisions(slug, chosen, "satisfactory-remedy")},
            "public_interest_reports": [r.reference for r in context["reports"]],
            "service_improvements": [{"reference": i.reference, "agreed": i.agreed_date.isoformat(),
                                      "improvement": i.improvement} for i in context["improvements"]],
            "comparability_note": context["note"], "revisions": context["revisions"],
            "self_assessment": context["self_assessment"] and context["self_assessment"]["rows"],
            "funnel": {r: urls.funnel(chosen, authority.type, r) for r in comparison.RATES} if record.funnel else {}}
    return Page("council.html", context, json=twin)


def latest(site: SiteData, query, slug: str) -> Page:
    authority = site.by_slug(slug)
    years = site.years_of(authority)
    if not years:
        raise NotFound(f"{authority.name} has no figures in any year")
    target = urls.council(slug, site.default_year(authority))
    return Page("redirect.html", {"target": target, "title": authority.name,
                                  "link_text": f"Go to {authority.name}'s latest figures"}, redirect=target)


def _every_council_year(site: SiteData):
    for a in site.authorities:
        for y in site.years_of(a):
            yield {"slug": a.slug, "year": y.label}


def _every_council(site: SiteData):
    return ({"slug": a.slug} for a in site.authorities if site.years_of(a))


def letter(site: SiteData, slug: str, year: str, output_format: str) -> File:
    from ombuds.letters.cache import LetterCache, cached_render, letter_fingerprint
    from ombuds.letters.render import shared_renderer

    if output_format not in ("html", "pdf"):
        raise NotFound(f"letters are HTML or PDF, not '{output_format}'")
    authority = site.by_slug(slug)
    chosen = site.year(year)
    if not site.has_case_records(chosen):
        raise NotFound(f"no letter is held for {chosen}: that year's figures come from published documents")
    content, created = _assembled(site.record(authority, chosen), site.edition(chosen),
                                  site.contacts().get(authority.code, []), site.profile, site.synthetic())
    fingerprint = letter_fingerprint(content, created, output_format)
    folder = site.settings.letter_cache
    cache = LetterCache(folder) if folder is not None else None
    return File(lambda: cached_render(cache, fingerprint, output_format,
                                      lambda: shared_renderer().render(content, created, output_format)),
                "application/pdf" if output_format == "pdf" else "text/html; charset=utf-8", fingerprint)


def _assembled(record, edition, contacts, profile, synthetic: bool) -> tuple[dict, int]:
    """A letter's content and timestamp, assembled once for its two formats (the build lists them together);
    `synthetic`: the database holds synthetic data, which the letter says."""
    from ombuds.letters.assemble import assemble_letter

    def assemble() -> tuple[dict, int]:
        letter = assemble_letter(record, edition, contacts, profile, synthetic=synthetic)
        return letter.content, letter.created
    return _latest("letter", (record, edition, contacts, profile, synthetic), assemble)


_LATEST: dict[str, tuple] = {}


def _latest(use: str, inputs: tuple, make: Callable[[], Any]) -> Any:
    """`make()`, unless the latest call for `use` had the same inputs (the same objects, or equal ones): a letter's
    two formats are made one after another."""
    found = _LATEST.get(use)
    if found is None or any(a is not b and a != b for a, b in zip(found[0], inputs, strict=True)):
        found = _LATEST[use] = (inputs, make())
    return found[1]


def _every_letter(site: SiteData):
    """Year by year: a year's letters share most of their layout, which Typst keeps from one letter to the next
    (each costs a seventh less than in a council's own order, a year after another)."""
    by_year: dict[str, list[dict]] = {}
    for params in _every_council_year(site):
        by_year.setdefault(params["year"], []).append(params)
    for year, councils in sorted(by_year.items()):
        if site.has_case_records(Year.parse(year)):
            yield from ({**params, "output_format": f} for params in councils for f in ("html", "pdf"))


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
"""Characters XML 1.0 cannot hold at all, even escaped: dropped from the feed (imports refuse them; this keeps the
feed valid over data stored before they did)."""


def escape(text: str) -> str:
    return xml_escape(_NOT_XML.sub("", text))


def feed(site: SiteData, slug: str) -> File:
    """An Atom feed of the council's newest decisions."""
    authority = site.by_slug(slug)
    decisions = site.recent_decisions(authority)
    base = site.profile.base_url
    updated = max((d.decision_date for d in decisions), default=None)
    stamp = (datetime.combine(updated, datetime.min.time(), UTC) if updated else datetime(2000, 1, 1, tzinfo=UTC))
    entries = []
    for d in decisions:
        year = Year.of(d.decision_date)
        link = base + urls.decisions(slug, year)
        summary = escape(d.summary or "")
        entries.append(
            f"<entry><id>{escape(link)}#{escape(d.reference)}</id><title>{escape(d.reference)}: {escape(d.outcome)}"
            f"{' (' + escape(d.service_area) + ')' if d.service_area else ''}</title>"
            f"<updated>{d.decision_date.isoformat()}T00:00:00Z</updated><link href=\"{escape(link)}\"/>"
            f"<summary>{summary}</summary></entry>")
    body = (f'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
            f"<id>{escape(base + urls.feed(slug))}</id><title>{escape(authority.name)}: decisions of the "
            f"{escape(site.profile.name)}</title><updated>{stamp.strftime('%Y-%m-%dT%H:%M:%SZ')}</updated>"
            f"<author><name>{escape(site.profile.name)}</name></author>"
            f"<link rel=\"self\" href=\"{escape(base + urls.feed(slug))}\"/>{''.join(entries)}</feed>\n")
    return File(body.encode("utf-8"), "application/atom+xml; charset=utf-8")


KINDS = [
    PageKind("council", "/councils/{slug}/{year}/", council, lambda slug, year: urls.council(slug, Year.parse(year)),
             _every_council_year, json_path="/councils/{slug}/{year}.json",
             json_url=lambda slug, year: urls.council_json(slug, Year.parse(year))),
    PageKind("council-latest", "/councils/{slug}/", latest, lambda slug: urls.council(slug), _every_council),
    FileKind("letter", "/councils/{slug}/{year}/letter.{output_format}", letter,
             lambda slug, year, output_format: urls.letter(slug, Year.parse(year), output_format), _every_letter,
             max_age=3600),
    FileKind("feed", "/councils/{slug}/decisions.atom", feed, lambda slug: urls.feed(slug), _every_council),
]
