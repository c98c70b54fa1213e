"""The home page and the map pages: a hex map of every council, coloured by a chosen figure and year, with the
same data as a table; search; the latest year's national headline figures."""

from __future__ import annotations

from dataclasses import replace

from ombuds import urls
from ombuds.registry import Authority
from ombuds.site.data import NotFound, SiteData
from ombuds.site.map import MapHex, abbreviations, hex_layout, inset_layout, map_svg, tier_councils
from ombuds.site.pages import Page, PageKind
from ombuds.stats import format as fmt
from ombuds.stats.bands import METRIC_LABELS, banding
from ombuds.stats.summary import totals
from ombuds.years import Year


def rooted(hexes: dict[str, MapHex], root: str) -> dict[str, MapHex]:
    """The hexes with their links led from the page to the site root (`/` live, `../../` in the static build)."""
    return {code: replace(h, href=root + h.href) for code, h in hexes.items()}


def map_context(site: SiteData, year: Year, tier: str, metric: str) -> dict:
    held = site.year_statistics(year)
    councils = tier_councils(year, tier, site.scheme)
    tiers = {view.id: view.name for view in site.scheme.map_views}  # scheme.toml [[map.views]]
    records = {a.code: held.get(a.code) for a in councils}
    bands = banding(metric, records, small_base=site.profile.minimum_denominator)
    hexes, rows = {}, []
    for a in councils:
        band = bands.of(a.code)
        shown = band.shown
        label = f"{a.name}: {METRIC_LABELS[metric].lower()} {shown}"
        hexes[a.code] = MapHex(a.code, urls.council(a.slug, year), label, band.css_class, marked=band.few)
        rows.append({"authority": a, "type": site.labels.type_names[a.type], "shown": shown, "band": band})
    return {
        **_inset(site, year, councils, hexes),
        "year": year, "tier": tier, "metric": metric, "metric_label": METRIC_LABELS[metric],
        "tier_label": tiers[tier], "legend": bands.legend, "banding": bands, "rows": rows,
        "layout": hex_layout(year, tier, site.scheme), "hexes": hexes, "map_svg": map_svg, "rooted": rooted,
        "years": site.years(), "tiers": tiers, "metrics": METRIC_LABELS,
    }


def _inset(site: SiteData, year: Year, councils: tuple[Authority, ...], hexes: dict[str, MapHex]) -> dict:
    """The scheme's inset (`[map.inset]`: the LGSCO's London), its hexes labelled with short names; shown only where
    every body of it is on this map."""
    layout, inset = inset_layout(year, site.scheme), site.scheme.map_inset
    if layout is None:
        return {"inset": None, "inset_layout": None, "inset_hexes": {}}
    short = abbreviations({a.code: a.short_name or a.name for a in councils if a.type == inset.type})
    labelled = {code: replace(hexes[code], short=short[code],  # the visible label is part of the link's name
                              label=f"{short[code]}: {hexes[code].label}")
                for code in layout.cells if code in hexes}
    return {"inset": inset, "inset_layout": layout if len(labelled) == len(layout.cells) else None,
            "inset_hexes": labelled}


def views(site: SiteData) -> tuple[str, ...]:
    """The ids of the scheme's map views (`[[map.views]]`), the home page's first."""
    return tuple(view.id for view in site.scheme.map_views)


def _map_page(site: SiteData, year: Year, tier: str, metric: str, template: str) -> Page:
    if tier not in views(site):
        raise NotFound(f"there is no '{tier}' map: choose {' or '.join(views(site))}")
    if metric not in urls.METRICS:
        raise NotFound(f"there is no map of '{metric}'")
    context = map_context(site, year, tier, metric)
    return Page(template, context, json={"year": year.label, "tier": tier, "metric": metric, "councils": [
        {"code": r["authority"].code, "name": r["authority"].name, "value": r["band"].value, "shown": r["shown"],
         "url": urls.council(r["authority"].slug, year)} for r in context["rows"]]})


def home(site: SiteData, query) -> Page:
    year = site.latest_year()
    page = _map_page(site, year, views(site)[0], "uphold_rate", "home.html")
    held = site.year_statistics(year)
    national = totals(held.records, held.labels.measures)
    page.context.update(national=national, published=site.year_statistics(year).published)
    return page


def map_page(site: SiteData, query, year: str, tier: str, metric: str) -> Page:
    return _map_page(site, site.year(year), tier, metric, "map.html")


def _every_map(site: SiteData):
    for year in site.years():
        for tier in views(site):
            for metric in urls.METRICS:
                yield {"year": year.label, "tier": tier, "metric": metric}


KINDS = [
    PageKind("home", "/", home, lambda: urls.home(), lambda site: [{}], json_path="/index.json",
             json_url=lambda: "index.json"),
    PageKind("map", "/map/{year}/{tier}/{metric}/", map_page,
             lambda year, tier, metric: urls.map_page(Year.parse(year), tier, metric), _every_map,
             json_path="/map/{year}/{tier}/{metric}.json",
             json_url=lambda year, tier, metric: urls.map_page(Year.parse(year), tier, metric)[:-1] + ".json"),
]

__all__ = ["KINDS", "fmt"]
