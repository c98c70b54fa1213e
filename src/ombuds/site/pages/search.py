"""Search: a council by name or postcode. Live, the server answers (`/search/?q=…`); in the static build the same
page answers in the browser from `search/names.json` and the postcode shards (`static/search.js`)."""

from __future__ import annotations

import json

from ombuds import urls
from ombuds.registry import Authority
from ombuds.registry.lookup import looks_like_code
from ombuds.registry.postcodes import looks_like_postcode, lookup_postcode
from ombuds.registry.search import Found, close_spellings, existing, find, index_entry
from ombuds.site.data import SiteData
from ombuds.site.pages import File, FileKind, Page, PageKind, query_value
from ombuds.stats import format as fmt
from ombuds.years import Year

MAX_LISTED = 30


def _latest_years(site: SiteData) -> dict[str, Year]:
    """GSS code → the latest year with figures, for every authority with any (one pass over the years)."""
    latest: dict[str, Year] = {}
    for year in site.years():
        for record in site.year_statistics(year).records:
            latest[record.authority.code] = year
    return latest


def _shown(site: SiteData, latest: dict[str, Year] | None = None) -> list[Authority]:
    """Every authority with figures, A to Z (`latest`: `_latest_years`, if worked out already)."""
    latest = latest if latest is not None else _latest_years(site)
    return sorted((a for a in site.authorities if a.code in latest), key=lambda a: a.name)


def _latest_url(authority: Authority, latest: dict[str, Year]) -> str:
    """The address of the authority's page for its latest year with figures (`latest`: `_latest_years`)."""
    return urls.council(authority.slug, latest[authority.code])


def _names(a: Authority) -> list[str]:
    return list(dict.fromkeys(n for n in (a.name, a.short_name, *a.aliases) if n))


def name_matches(site: SiteData, text: str) -> Found:
    """Authorities with figures that `text` names, best first (`registry.search.find`)."""
    shown = _shown(site)
    code = site.authorities.candidates(text) if looks_like_code(text) else []
    if code:
        return Found([a for a in shown if a.code == code[0].code], True)
    return find(shown, text)


def note(site: SiteData, a: Authority) -> str | None:
    """`abolished 1 April 2021; now West Northamptonshire Council` for a body that no longer exists."""
    if existing(a):
        return None
    now = " and ".join(site.authorities.get(c).name for c in a.successors)
    return f"abolished {fmt.long_date(a.abolished)}" + (f"; now {now}" if now else "")


def _result(site: SiteData, a: Authority) -> dict:
    return {"name": a.name, "code": a.code, "url": _latest_url(a, _latest_years(site)), "note": note(site, a)}


def search(site: SiteData, query) -> Page:
    q = query_value(query, "q")
    context: dict = {"query": q or "", "results": [], "message": None, "suggestions": [], "answered": bool(q),
                     "elsewhere": site.scheme.elsewhere}
    if not q:
        return Page("search.html", context, json={"query": "", "results": []})
    shown = {a.code: a for a in _shown(site)}
    if looks_like_postcode(q):
        found = lookup_postcode(q, site.authorities, site.scheme.elsewhere)
        councils = [shown[c] for c in found.councils if c in shown]
        context["postcode"] = found.postcode
        if found.kind == "found" and len(councils) == 1:
            target = _latest_url(councils[0], _latest_years(site))
            return Page("redirect.html", {"target": target, "authority": councils[0]}, redirect=target,
                        json={"query": q, "results": [_result(site, councils[0])]})
        if councils:
            context["results"] = [_result(site, a) for a in councils]
            context["message"] = found.message or site.scheme.words.site["two_tier_postcode"].format(
                postcode=found.postcode, count=len(councils))
        else:
            context["message"] = found.message or (f"We have no figures for the {site.scheme.words.bodies} that cover "
                                                   f"{found.postcode}.")
    else:
        found = name_matches(site, q)
        matches = found.authorities
        if found.sure:
            target = _latest_url(matches[0], _latest_years(site))
            return Page("redirect.html", {"target": target, "authority": matches[0]}, redirect=target,
                        json={"query": q, "results": [_result(site, matches[0])]})
        if matches:
            context["results"] = [_result(site, a) for a in matches[:MAX_LISTED]]
            words = site.scheme.words
            context["message"] = (f"1 {words.body} matches “{q}”." if len(matches) == 1
                                  else f"{len(matches)} {words.bodies} match “{q}”, the closest first.")
        else:
            context["message"] = f"No {site.scheme.words.body} matches “{q}”."
            context["suggestions"] = [_result(site, a) for a in close_spellings(_shown(site), q)]
    return Page("search.html", context, json={"query": q, "message": context["message"],
                                              "results": context["results"]})


def names_index(site: SiteData) -> list[dict]:
    """Every authority with figures, for the browser's search: name, other names, path of its latest page, and
    what `static/search.js` ranks by (`registry.search.index_entry`)."""
    latest = _latest_years(site)  # once for the whole index, not once per authority
    return [{"name": a.name, "aliases": [n for n in _names(a) if n != a.name], "code": a.code,
             "url": _latest_url(a, latest), "note": note(site, a), **index_entry(a)}
            for a in _shown(site, latest)]


def names_file(site: SiteData) -> File:
    body = json.dumps(names_index(site), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return File(body, "application/json")


KINDS = [
    PageKind("search", "/search/", search, lambda: urls.search(), lambda site: [{}], query=("q",), max_age=300),
    FileKind("search-names", "/search/names.json", names_file, urls.search_names, lambda site: [{}]),
]
