"""A generic ("measures") scheme's home page, its bodies from A to Z, and search by a body's name (no postcodes: a
scheme without postcode geography has none). Live, the server answers `/search/?q=…`; in the static build the same
page answers in the browser from `search/names.json` (`static/names.js`)."""

from __future__ import annotations

import difflib

from ombuds import urls
from ombuds.registry.lookup import strict_key
from ombuds.site.data import NotFound
from ombuds.site.measures_data import MeasuresSite
from ombuds.site.pages import File, FileKind, Page, PageKind, query_value
from ombuds.site.pages.measures_common import base
from ombuds.site.render import json_bytes
from ombuds.stats import format as fmt

MAX_LISTED = 30
MAX_SUGGESTED = 5


def home(site: MeasuresSite, query) -> Page:
    latest = site.latest_complete_year()
    records = site.records(latest)
    context = {**base(site), "year": latest, "bodies": fmt.number(len(site.bodies())),
               "latest_bodies": fmt.number(len(records)),
               "reports": fmt.number(sum(1 for r in records if r.get("report"))),
               "years": [(y.label, urls.measures_national(y.label)) for y in reversed(site.years())],
               "sets": [(site.scheme.labels(s).name, urls.category(urls.segment(s), latest.label))
                        for s in _sets(site)],
               "registers": [(y.label, urls.register(y)) for y in reversed(site.assessment_years())]}
    context["code_name"] = site.code.name if context["registers"] else None
    twin = {"scheme": site.scheme.id, "latest_year": latest.label, "bodies": len(site.bodies()),
            "national": {y: link for y, link in context["years"]},
            "self_assessment": {y: link for y, link in context["registers"]}}
    return Page("measures/home.html", context, json=twin)


def _sets(site: MeasuresSite) -> list[str]:
    from ombuds.stats.measure_views import breakdown_sets

    return breakdown_sets(site.scheme)


def _entry(site: MeasuresSite, who: dict, year) -> dict:
    return {"name": who["name"], "code": who["code"], "type": who.get("type") or "",
            "url": urls.body(site.segment, who["slug"], year.label), "year": year.label}


DIGITS = "0-9"  # the group of names that start with a figure ("54 North"): a heading and a valid fragment id


def bodies_page(site: MeasuresSite, query) -> Page:
    entries = [_entry(site, who, year) for who, year in site.bodies()]
    letters: dict[str, list[dict]] = {}
    for e in entries:
        first = e["name"][:1].upper()
        letters.setdefault(first if first.isalpha() else DIGITS, []).append(e)
    context = {**base(site), "letters": sorted(letters.items()), "count": fmt.number(len(entries))}
    return Page("measures/bodies.html", context, json=entries)


def name_matches(site: MeasuresSite, text: str) -> list[dict]:
    """Bodies whose name (or short name) holds `text`, compared by the registry's name key."""
    key = strict_key(text)
    if len(key) < 2:
        return []
    return [_entry(site, who, year) for who, year in site.bodies() if key in strict_key(who["name"])]


def search(site: MeasuresSite, query) -> Page:
    q = query_value(query, "q")
    context: dict = {**base(site), "query": q or "", "results": [], "message": None, "suggestions": [],
                     "answered": bool(q)}
    if not q:
        return Page("measures/search.html", context, json={"query": "", "results": []})
    matches = name_matches(site, q)
    if len(matches) == 1:
        return Page("measures/redirect.html", {**base(site), "target": matches[0]["url"]}, redirect=matches[0]["url"],
                    json={"query": q, "results": matches})
    words = site.scheme.words
    if matches:
        context["results"] = matches[:MAX_LISTED]
        context["message"] = f"{fmt.counted(len(matches), words.body, words.bodies)} match “{q}”."
    else:
        context["message"] = f"No {words.body} matches “{q}”."
        context["suggestions"] = close_names(site, q)
    return Page("measures/search.html", context, json={"query": q, "message": context["message"],
                                                       "results": context["results"]})


def close_names(site: MeasuresSite, text: str) -> list[dict]:
    """Up to five bodies whose name is spelt nearly as `text` is ("clarrion housing association")."""
    by_key = {strict_key(who["name"]): (who, year) for who, year in site.bodies()}
    return [_entry(site, *by_key[k]) for k in difflib.get_close_matches(strict_key(text), list(by_key), n=5,
                                                                        cutoff=0.6)]


def not_found_context(site: MeasuresSite, error: NotFound | str) -> dict:
    """What a 404 page offers besides its reason: for a body no page is about, the search form filled in with the
    words of its address and the bodies named most like them; for a year, the years held (a body's own, when the
    body is held); always every body from A to Z."""
    asked, slug = getattr(error, "asked", None), getattr(error, "slug", None)
    context = {**base(site), "reason": str(error), "query": asked or "", "suggestions": [], "years": [],
               "bodies": fmt.number(len(site.bodies())), "name": None}
    if asked:
        context["suggestions"] = name_matches(site, asked)[:MAX_SUGGESTED] or close_names(site, asked)
    elif slug:
        context["name"] = site.named(slug)["name"]
        context["years"] = [(y.label, urls.body(site.segment, slug, y.label)) for y in reversed(site.years_of(slug))]
    else:
        context["years"] = [(y.label, urls.measures_national(y.label)) for y in reversed(site.years())]
    return context


def names_file(site: MeasuresSite) -> File:
    return File(json_bytes([_entry(site, who, year) for who, year in site.bodies()]), "application/json")


def kinds(seg: str) -> list:
    return [
        PageKind("home", "/", home, lambda: urls.home(), lambda site: [{}], json_path="/index.json",
                 json_url=lambda: "index.json"),
        PageKind("bodies", f"/{seg}/", bodies_page, lambda: urls.bodies(seg), lambda site: [{}],
                 json_path=f"/{seg}.json", json_url=lambda: f"{seg}.json"),
        PageKind("search", "/search/", search, lambda: urls.search(), lambda site: [{}], query=("q",)),
        FileKind("search-names", "/search/names.json", names_file, urls.search_names, lambda site: [{}]),
    ]
