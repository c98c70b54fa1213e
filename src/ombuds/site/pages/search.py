"""Search: a council by name or postcode. Live, the server answers (`/search/?q=…`); in the static build the same
page answers in the browser from `search/names.json` and the postcode shards (`static/search.js`)."""

from __future__ import annotations

import json

from ombuds import urls
from ombuds.registry import Authority
from ombuds.registry.lookup import strict_key
from ombuds.registry.postcodes import looks_like_postcode, lookup_postcode
from ombuds.site.data import SiteData
from ombuds.site.pages import File, FileKind, Page, PageKind, query_value
from ombuds.years import Year

MAX_LISTED = 30


def _latest_years(site: SiteData) -> dict[str, Year]:
    """GSS code → the latest year with figures, for every authority with any (one pass over the years)."""
    latest: dict[str, Year] = {}
    for year in site.years():
        for record in site.year_statistics(year).records:
            latest[record.authority.code] = year
    return latest


def _shown(site: SiteData) -> list[Authority]:
    """Every authority with figures, A to Z."""
    latest = _latest_years(site)
    return sorted((a for a in site.authorities if a.code in latest), key=lambda a: a.name)


def _latest_url(site: SiteData, authority: Authority) -> str:
    return urls.council(authority.slug, _latest_years(site)[authority.code])


def _names(a: Authority) -> list[str]:
    return list(dict.fromkeys(n for n in (a.name, a.short_name, *a.aliases) if n))


def name_matches(site: SiteData, text: str) -> list[Authority]:
    """Authorities with figures that `text` names: the registry's candidates, else a substring of a name."""
    shown = {a.code for a in _shown(site)}
    found = [a for a in site.authorities.candidates(text) if a.code in shown]
    if found:
        return sorted(found, key=lambda a: a.name)
    key = strict_key(text)
    if len(key) < 2:
        return []
    return [a for a in _shown(site) if any(key in strict_key(n) for n in _names(a))]


def _suggestions(site: SiteData, text: str) -> list[Authority]:
    import difflib

    by_key: dict[str, Authority] = {}
    for a in _shown(site):
        for n in _names(a):
            by_key.setdefault(strict_key(n), a)
    close = difflib.get_close_matches(strict_key(text), list(by_key), n=5, cutoff=0.6)
    return list(dict.fromkeys(by_key[k] for k in close))


def _result(site: SiteData, a: Authority) -> dict:
    return {"name": a.name, "code": a.code, "url": _latest_url(site, a)}


def search(site: SiteData, query) -> Page:
    q = query_value(query, "q")
    context: dict = {"query": q or "", "results": [], "message": None, "suggestions": [], "answered": bool(q)}
    if not q:
        return Page("search.html", context, json={"query": "", "results": []})
    shown = {a.code: a for a in _shown(site)}
    if looks_like_postcode(q):
        found = lookup_postcode(q)
        councils = [shown[c] for c in found.councils if c in shown]
        context["postcode"] = found.postcode
        if found.kind == "found" and len(councils) == 1:
            target = _latest_url(site, councils[0])
            return Page("redirect.html", {"target": target, "authority": councils[0]}, redirect=target,
                        json={"query": q, "results": [_result(site, councils[0])]})
        if councils:
            context["results"] = [_result(site, a) for a in councils]
            context["message"] = found.message or (
                f"{found.postcode} is covered by {len(councils)} councils: the district council and the county "
                f"council each handle different services.")
        else:
            context["message"] = found.message or f"We have no figures for the councils that cover {found.postcode}."
    else:
        matches = name_matches(site, q)
        if len(matches) == 1:
            target = _latest_url(site, matches[0])
            return Page("redirect.html", {"target": target, "authority": matches[0]}, redirect=target,
                        json={"query": q, "results": [_result(site, matches[0])]})
        if matches:
            context["results"] = [_result(site, a) for a in matches[:MAX_LISTED]]
            context["message"] = f"{len(matches)} councils match “{q}”."
        else:
            context["message"] = f"No council matches “{q}”."
            context["suggestions"] = [_result(site, a) for a in _suggestions(site, q)]
    return Page("search.html", context, json={"query": q, "message": context["message"],
                                              "results": context["results"]})


def names_index(site: SiteData) -> list[dict]:
    """Every authority with figures, for the browser's search: name, other names, path of its latest page."""
    return [{"name": a.name, "aliases": [n for n in _names(a) if n != a.name], "code": a.code,
             "url": _latest_url(site, a)} for a in _shown(site)]


def names_file(site: SiteData) -> File:
    body = json.dumps(names_index(site), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return File(body, "application/json")


KINDS = [
    PageKind("search", "/search/", search, lambda: urls.search(), lambda site: [{}], query=("q",), max_age=300),
    FileKind("search-names", "/search/names.json", names_file, urls.search_names, lambda site: [{}]),
]
