"""Comparing councils side by side: up to six councils of the reader's choosing (`/compare/?council=…`, live), or a
council and its similar councils (same type, nearest in population: `/compare/<slug>/`, built for every council),
each rate over the years with its 95% interval. The councils stay in the order chosen: this is not a league table.
Each comparison has a JSON twin, and the similar-councils one a CSV download."""

from __future__ import annotations

import csv
import io

from ombuds import urls
from ombuds.memo import KeptByIdentity
from ombuds.registry import Authority
from ombuds.site.data import NotFound, SiteData
from ombuds.site.incremental import fact
from ombuds.site.pages import File, FileKind, Page, PageKind
from ombuds.stats import comparison
from ombuds.stats import format as fmt
from ombuds.years import Year

MOST = 6  # councils on one comparison
SIMILAR = MOST - 1


@fact
def similar(site: SiteData, authority: Authority) -> list[Authority]:
    """The councils of the same type nearest in population in the council's default year, nearest first (ties by
    name); none for an authority that is not a council or has no population."""
    year = site.default_year(authority)
    held = site.year_statistics(year)
    own = held.get(authority.code)
    if authority.type == "Other" or own is None or own.population is None:
        return []
    others = [(abs(r.population - own.population), r.authority.name, r.authority.code) for r in held.records
              if r.authority.type == authority.type and r.authority.code != authority.code
              and r.population is not None]
    return [site.authorities.get(code) for *_, code in sorted(others)[:SIMILAR]]


NO_FIGURES = {"shown": "no figures", "value": None, "low": None, "high": None, "denominator": None}
_cells: KeptByIdentity[dict] = KeptByIdentity(16384)
"""Records' cells by rate: a council is in its own comparison and its neighbours'."""


def _cell(record, rate: str) -> dict:
    """A council's rate in a year as a comparison shows it, made once for every comparison it is in."""
    if record is None:
        return NO_FIGURES
    return _cells.get(record, rate, lambda: _made_cell(record, rate))


def _made_cell(record, rate: str) -> dict:
    n = comparison.base(record, rate)
    interval = getattr(record.interval, rate) if record.interval is not None else None
    value = getattr(record, rate)
    return {"shown": fmt.rate_with_interval(rate, value, n, interval), "value": value,
            "low": interval[0] if interval else None, "high": interval[1] if interval else None, "denominator": n}


@fact
def comparison_tables(site: SiteData, chosen: list[Authority]) -> tuple[list[Year], list[dict]]:
    """The years any chosen council has figures in, and per rate one row per council (in the order chosen) with a
    cell per year."""
    codes = {a.code for a in chosen}
    held = [(y, site.year_statistics(y)) for y in site.years()]  # each year asked once, not once a cell
    shown = [(y, statistics) for y, statistics in held if any(statistics.get(c) is not None for c in codes)]
    tables = []
    for rate in comparison.RATES:
        rows = [{"authority": a, "cells": [_cell(statistics.get(a.code), rate) for _, statistics in shown]}
                for a in chosen]
        tables.append({"rate": rate, "name": fmt.RATE_NAMES[rate], "rows": rows})
    return [y for y, _ in shown], tables


@fact
def names_with_figures(site: SiteData) -> list[str]:
    """The names of the councils with figures in any year, in order (the comparison form's choices)."""
    return sorted({a.name for a in site.authorities if site.years_of(a)})


def _page(site: SiteData, chosen: list[Authority], *, title: str, lead: str, link: str, csv_link: str | None,
          anchor: Authority | None) -> Page:
    years, tables = comparison_tables(site, chosen)
    twin = {"councils": [{"code": a.code, "name": a.name, "type": a.type} for a in chosen],
            "years": [y.label for y in years],
            "rates": {t["rate"]: {row["authority"].code: [{k: c[k] for k in ("value", "low", "high", "denominator")}
                                                           for c in row["cells"]] for row in t["rows"]}
                      for t in tables}}
    options = names_with_figures(site)
    json_link = link.replace("compare/?", "compare.json?") if link.startswith("compare/?") else \
        link.removesuffix("/") + ".json"
    context = {"live": True, "every": [], "title": title, "lead": lead, "chosen": chosen, "years": years,
               "tables": tables, "link": link,
               "csv_link": csv_link, "json_link": json_link, "anchor": anchor, "names": options, "most": MOST,
               "slots": [chosen[i].name if i < len(chosen) else "" for i in range(MOST)]}
    return Page("compare.html", context, json=twin)


def _named(site: SiteData) -> dict[str, Authority]:
    found = {}
    for a in site.authorities:
        if site.years_of(a):
            found[a.name.casefold()] = a
            found[a.slug] = a
    return found


def chosen_councils(site: SiteData, query) -> list[Authority]:
    """The councils a query names (`council`, repeated: a name or a page's slug), in order, repeats dropped."""
    given = query.getlist("council") if hasattr(query, "getlist") else ([query["council"]] if "council" in query
                                                                         else [])
    given = [t.strip() for t in given if t.strip()]
    if len(given) > MOST:
        raise NotFound(f"a comparison holds at most {MOST} {site.scheme.words.bodies}, not {len(given)}")
    named = _named(site)
    chosen: list[Authority] = []
    for text in given:
        found = named.get(text.casefold()) or named.get(text)
        if found is None:
            raise NotFound(f"no {site.scheme.words.body} with figures is called '{text}'")
        if found not in chosen:
            chosen.append(found)
    return chosen


def compare(site: SiteData, query) -> Page:
    """Live, the query chooses the councils; the static build (whose query is a plain empty mapping) writes the
    page without a choice, and there the form cannot be answered, so it lists each council's comparison with its
    similar councils instead."""
    live = hasattr(query, "getlist")
    chosen = chosen_councils(site, query)
    link = urls.compare(chosen_slugs=[a.slug for a in chosen])
    bodies = site.scheme.words.bodies
    lead = (f"Choose up to six {bodies} to see their figures side by side, year by year." if not chosen else
            f"{len(chosen)} {bodies} of your choosing, in the order you chose them.")
    page = _page(site, chosen, title=f"Compare {bodies}", lead=lead, link=link, csv_link=None, anchor=None)
    page.context.update(live=live, every=sorted((a for a in site.authorities if site.years_of(a)),
                                                key=lambda a: a.name))
    return page


def compare_similar(site: SiteData, query, slug: str) -> Page:
    authority = site.by_slug(slug)
    if not site.years_of(authority):
        raise NotFound(f"{authority.name} has no figures in any year")
    near = similar(site, authority)
    plural = site.labels.type_plurals[authority.type]
    lead = (f"{authority.name} and the {len(near)} {plural} nearest to it in population."
            if near else f"{authority.name} has no similar {site.scheme.words.bodies} to compare with (no type or no "
            "population).")
    return _page(site, [authority, *near], title=f"{authority.name} and similar {site.scheme.words.bodies}",
                 lead=lead,
                 link=urls.compare_similar(slug), csv_link=urls.compare_similar_csv(slug), anchor=authority)


def comparison_csv(site: SiteData, slug: str) -> File:
    """The similar-councils comparison as one row per council, year and rate."""
    authority = site.by_slug(slug)
    chosen = [authority, *similar(site, authority)]
    years, tables = comparison_tables(site, chosen)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["authority.code", "authority.name", "year", "rate", "value", "interval.low", "interval.high",
                     "denominator"])
    for table in tables:
        for row in table["rows"]:
            for year, cell in zip(years, row["cells"], strict=True):
                if cell["denominator"] is not None:
                    writer.writerow([row["authority"].code, row["authority"].name, year.label, table["rate"],
                                     *("" if cell[k] is None else cell[k]
                                       for k in ("value", "low", "high", "denominator"))])
    return File(out.getvalue().encode("utf-8"), "text/csv; charset=utf-8")


def _every_council(site: SiteData):
    return ({"slug": a.slug} for a in site.authorities if site.years_of(a))


KINDS = [
    PageKind("compare", "/compare/", compare, lambda: urls.compare(), lambda site: [{}], json_path="/compare.json",
             json_url=lambda: "compare.json", query=("council",)),
    PageKind("compare-similar", "/compare/{slug}/", compare_similar, lambda slug: urls.compare_similar(slug),
             _every_council, json_path="/compare/{slug}.json", json_url=lambda slug: urls.compare_similar(slug)[:-1]
             + ".json"),
    FileKind("compare-csv", "/compare/{slug}/comparison.csv", comparison_csv,
             lambda slug: urls.compare_similar_csv(slug), _every_council, max_age=3600,
             filename=lambda slug: f"{slug}-and-similar-councils.csv"),
]
