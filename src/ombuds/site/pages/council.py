"""A council's page for a year: its figures laid out as that year's edition shows them, the decisions behind them,
public interest reports, service improvements, every year's letter, and the councils before and after it."""

from __future__ import annotations

from datetime import UTC, datetime
from xml.sax.saxutils import escape

from ombuds.errors import OmbudsError
from ombuds.labels import TYPE_NAMES, TYPE_PLURALS
from ombuds.letters.editions import shipped_edition
from ombuds.registry import Authority
from ombuds.site import urls
from ombuds.site.data import NotFound, SiteData
from ombuds.site.pages import File, FileKind, Page, PageKind
from ombuds.stats import layouts
from ombuds.years import Year


def comparability_note(year: Year) -> str | None:
    try:
        return shipped_edition(year).comparability_note
    except OmbudsError:
        return None


def _linked(site: SiteData, codes: tuple[str, ...]) -> list[Authority]:
    return [a for a in (site.authorities.get(c) for c in codes) if site.years_of(a)]


def council(site: SiteData, query, slug: str, year: str) -> Page:
    authority = site.by_slug(slug)
    chosen = site.year(year)
    record = site.record(authority, chosen)
    held = site.year_statistics(chosen)
    layout = layouts.layout(record.edition) if held.published and record.edition else layouts.layout_for(chosen)
    years = site.years_of(authority)
    letters = [y for y in years if site.has_case_records(y)]
    context = {
        "authority": authority, "year": chosen, "record": record, "sections": layout.sections(record),
        "published": held.published, "source": getattr(record, "source", None), "years": years,
        "type_name": TYPE_NAMES[authority.type], "type_plural": TYPE_PLURALS[authority.type],
        "method": held.method, "note": comparability_note(chosen),
        "reports": [] if held.published else site.public_reports(authority, chosen),
        "improvements": [] if held.published else site.improvements(authority, chosen),
        "letters": letters, "predecessors": _linked(site, authority.predecessors),
        "successors": _linked(site, authority.successors),
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
            "comparability_note": context["note"]}
    return Page("council.html", context, json=twin)


def latest(site: SiteData, query, slug: str) -> Page:
    authority = site.by_slug(slug)
    years = site.years_of(authority)
    if not years:
        raise NotFound(f"{authority.name} has no figures in any year")
    target = urls.council(slug, years[-1])
    return Page("redirect.html", {"target": target, "authority": authority}, redirect=target)


def _every_council_year(site: SiteData):
    for a in site.authorities:
        for y in site.years_of(a):
            yield {"slug": a.slug, "year": y.label}


def _every_council(site: SiteData):
    return ({"slug": a.slug} for a in site.authorities if site.years_of(a))


def letter(site: SiteData, slug: str, year: str, output_format: str) -> File:
    from ombuds.letters.batch import contacts_by_authority
    from ombuds.letters.content import letter_content
    from ombuds.letters.render import Renderer, timestamp

    authority = site.by_slug(slug)
    chosen = site.year(year)
    if not site.has_case_records(chosen):
        raise NotFound(f"no letter is held for {chosen}: that year's figures come from published documents")
    edition = shipped_edition(chosen)
    content = letter_content(site.record(authority, chosen), edition,
                             contacts_by_authority(site.database).get(authority.code, []),
                             allow_missing_contacts=True)
    body = Renderer().render(content, timestamp(edition.letter_date), output_format)
    return File(body, "application/pdf" if output_format == "pdf" else "text/html; charset=utf-8")


def _every_letter(site: SiteData):
    for params in _every_council_year(site):
        if site.has_case_records(Year.parse(params["year"])):
            yield from ({**params, "output_format": f} for f in ("html", "pdf"))


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
