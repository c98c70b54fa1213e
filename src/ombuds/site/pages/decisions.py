"""A council's decisions in a year: all of them, the upheld ones, those with a satisfactory remedy, or those not
upheld, newest first, a page of `PAGE_SIZE` at a time; live, `?area=` narrows them to one service area."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from ombuds import urls
from ombuds.labels import EngineLabels, label_key
from ombuds.registry import Authority
from ombuds.schemes import Label
from ombuds.site.data import PAGE_SIZE, NotFound, SiteData
from ombuds.site.pages import Page, PageKind, query_value
from ombuds.stats import format as fmt
from ombuds.store.queries import DECISION_FILTERS, Decision, matching_decisions
from ombuds.years import Year

OUTCOMES = ("upheld", "satisfactory-remedy", "not-upheld")  # the filters with their own address
TITLES = {"all": "decisions", "upheld": "decisions_upheld", "satisfactory-remedy": "decisions_satisfactory_remedy",
          "not-upheld": "decisions_not_upheld"}  # each filter's title: its key in the scheme's [words.site]
LINK_TEXT = {"all": "all_decisions", "satisfactory-remedy": "satisfactory_remedy"}  # the filters that are no outcome


def title(site: SiteData, choice: str) -> str:
    return site.scheme.words.site[TITLES[choice]]


def link_text(site: SiteData, choice: str) -> str:
    """A filter's link: an outcome's words from the scheme's label set, in sentence case ("Not upheld"); the other
    filters' words from the scheme's [words.site]."""
    if choice in site.labels.outcome_words:
        words = site.labels.outcome(choice)
        return words[:1] + words[1:].lower()
    return site.scheme.words.site[LINK_TEXT[choice]]


def area_slug(label: str) -> str:
    """`Education and Children's Services` → `education-and-childrens-services`."""
    return re.sub(r"[^a-z0-9]+", "-", label.casefold().replace("'", "").replace("’", "")).strip("-")


def service_area(labels: EngineLabels, text: str | None) -> Label | None:
    """The service area `text` names, by its words or its id (the `?area=` of a page's address: a slug of the
    published words, so the address stays when the words change); None where it names none."""
    if not text:
        return None
    for label in labels.sets["service_area"].labels:
        if label_key(text) in (label_key(label.name), label_key(label.id)) or area_slug(text) == label.id:
            return label
    return None


def _page_number(page) -> int:
    try:
        return int(page)
    except (TypeError, ValueError):
        raise NotFound(f"'{page}' is not a page number") from None


def _pages(total: int) -> int:
    return max(1, -(-total // PAGE_SIZE))


def _held(site: SiteData, slug: str, year: str) -> tuple[Authority, Year]:
    authority = site.by_slug(slug)
    chosen = site.year(year)
    if chosen not in site.years_of(authority):
        raise NotFound(f"{authority.name} has no figures for {chosen}")
    if not site.has_case_records(chosen):
        raise NotFound(f"decisions are held only for years with case records; the figures for {chosen} come from "
                       f"published documents, so there is no list of decisions for {authority.name} that year")
    return authority, chosen


def _pagination(slug: str, year: Year, outcome: str, page: int, pages: int, suffix: str) -> dict | None:
    if pages <= 1:
        return None

    def href(n: int) -> str:
        return urls.decisions(slug, year, outcome, n) + suffix

    shown = sorted({n for n in (1, page - 1, page, page + 1, pages) if 1 <= n <= pages})
    items: list[dict] = []
    for n in shown:
        if items and n - items[-1]["number"] > 1:
            items.append({"ellipsis": True, "number": n - 1, "href": "", "current": False})
        items.append({"number": n, "href": href(n), "current": n == page, "ellipsis": False})
    return {"previous": href(page - 1) if page > 1 else None, "next": href(page + 1) if page < pages else None,
            "items": items}


def _twin(decision: Decision) -> dict:
    return {"reference": decision.reference, "date": decision.decision_date.isoformat(),
            "service_area": decision.service_area, "outcome": decision.outcome,
            "satisfactory_remedy": decision.satisfactory_remedy, "public_report": decision.public_report,
            "summary": decision.summary}


def _every_decision(site: SiteData, authority: Authority, year: Year) -> list[Decision]:
    return list(site.all_decisions(authority, year))


def _one_page(site: SiteData, authority: Authority, year: Year, outcome: str, service_area: str | None,
              page: int) -> tuple[list[Decision], int]:
    """One page of the decisions a filter keeps, and how many it keeps in all (from the authority-year's
    decisions, read once for every filter and page, and so one fact for the incremental build)."""
    rows = matching_decisions(site.all_decisions(authority, year), site.labels, outcome, service_area)
    return rows[(page - 1) * PAGE_SIZE:page * PAGE_SIZE], len(rows)


def decisions(site: SiteData, query, slug: str, year: str, outcome: str = "all", page: int | str = 1) -> Page:
    if outcome not in DECISION_FILTERS:
        raise NotFound(f"'{outcome}' is not a kind of decision: choose upheld, satisfactory-remedy or not-upheld")
    number = _page_number(page)
    authority, chosen = _held(site, slug, year)
    asked = query_value(query, "area") if query else None
    area = service_area(site.labels, asked)
    unknown_area = asked if asked and area is None else None
    suffix = "?" + urlencode({"area": area.id}) if area else ""
    rows, total = _one_page(site, authority, chosen, outcome, area.name if area else None, number)
    pages = _pages(total)
    if number > pages:
        raise NotFound(f"there is no page {number} of {title(site, outcome).lower()} about {authority.name} in "
                       f"{chosen}: there {'is' if pages == 1 else 'are'} {fmt.counted(pages, 'page')}, starting at "
                       f"/{urls.decisions(slug, chosen, outcome)}")
    heading = f"{title(site, outcome)} about {authority.name}, {chosen.label}"
    if area:
        heading += f": {area.name}"
    heading += f" ({fmt.number(total)})"
    filters = [{"outcome": o, "text": link_text(site, o), "href": urls.decisions(slug, chosen, o) + suffix,
                "current": o == outcome} for o in DECISION_FILTERS]
    context = {
        "authority": authority, "year": chosen, "outcome": outcome, "title": title(site, outcome), "heading": heading,
        "rows": rows, "total": total, "page": number, "pages": pages, "first": (number - 1) * PAGE_SIZE + 1,
        "last": (number - 1) * PAGE_SIZE + len(rows), "area": area.name if area else None,
        "area_slug": area.id if area else "", "unknown_area": unknown_area,
        "areas": [{"label": a.name, "slug": a.id} for a in site.labels.sets["service_area"].labels],
        "filters": filters, "form_action": urls.decisions(slug, chosen, outcome),
        "pagination": _pagination(slug, chosen, outcome, number, pages, suffix),
    }
    twin = None
    if outcome == "all" and number == 1:
        every = _every_decision(site, authority, chosen)
        twin = {"authority": authority.code, "name": authority.name, "year": chosen.label,
                "url": urls.decisions(slug, chosen), "count": len(every), "decisions": [_twin(d) for d in every]}
    return Page("decisions.html", context, json=twin)


def _outcome_page(site: SiteData, query, slug: str, year: str, outcome: str, page: int | str = 1) -> Page:
    if outcome == "all":
        raise NotFound(f"every decision is listed at /{urls.decisions(slug, site.year(year))}")
    return decisions(site, query, slug, year, outcome, page)


def _paged(site: SiteData, query, slug: str, year: str, page: int | str, outcome: str = "all") -> Page:
    if _page_number(page) < 2:
        first = urls.decisions(slug, site.year(year), outcome if outcome in DECISION_FILTERS else "all")
        raise NotFound(f"there is no page-{page} address: the first page of these decisions is at /{first}")
    return (decisions if outcome == "all" else _outcome_page)(site, query, slug, year, outcome, page)


def _council_years(site: SiteData):
    """(authority, year) for every council with figures in a year with case records: one pass over the years."""
    for year in site.years():
        held = site.year_statistics(year)
        if not held.published:
            found = (site.authorities.get(r.authority.code) for r in held.records)
            for authority in sorted((a for a in found if a is not None), key=lambda a: a.slug):
                yield authority, year


def _every(site: SiteData, outcomes: tuple[str, ...], paged: bool):
    for authority, year in _council_years(site):
        for outcome in outcomes:
            params = {"slug": authority.slug, "year": year.label}
            if outcome != "all":
                params["outcome"] = outcome
            if not paged:
                yield params
                continue
            total = site.decision_counts(year).get(authority.code, {}).get(outcome, 0)
            for page in range(2, _pages(total) + 1):
                yield {**params, "page": page}


KINDS = [
    PageKind("decisions", "/councils/{slug}/{year}/decisions/", decisions,
             lambda slug, year: urls.decisions(slug, Year.parse(year)),
             lambda site: _every(site, ("all",), False),
             json_path="/councils/{slug}/{year}/decisions.json",
             json_url=lambda slug, year: f"councils/{slug}/{Year.parse(year).label}/decisions.json",
             query=("area",)),
    # the page-N kinds come before the outcome kind, whose `{outcome}` would otherwise take `page-2`
    PageKind("decisions-page", "/councils/{slug}/{year}/decisions/page-{page:int}/",
             lambda site, query, slug, year, page: _paged(site, query, slug, year, page),
             lambda slug, year, page: urls.decisions(slug, Year.parse(year), "all", int(page)),
             lambda site: _every(site, ("all",), True), query=("area",)),
    PageKind("decisions-outcome-page", "/councils/{slug}/{year}/decisions/{outcome}/page-{page:int}/",
             lambda site, query, slug, year, outcome, page: _paged(site, query, slug, year, page, outcome),
             lambda slug, year, outcome, page: urls.decisions(slug, Year.parse(year), outcome, int(page)),
             lambda site: _every(site, OUTCOMES, True), query=("area",)),
    PageKind("decisions-outcome", "/councils/{slug}/{year}/decisions/{outcome}/", _outcome_page,
             lambda slug, year, outcome: urls.decisions(slug, Year.parse(year), outcome),
             lambda site: _every(site, OUTCOMES, False), query=("area",)),
]
