"""The national figures for a year (the scheme's area: England): the totals, the same by type of authority, and
complaints received by service area, with two bar charts each followed by a table of the same figures. No council is
ranked."""

from __future__ import annotations

from ombuds import urls
from ombuds.charts import bar_chart
from ombuds.site.data import SiteData
from ombuds.site.pages import Page, PageKind
from ombuds.stats import format as fmt
from ombuds.stats.downloads import received_by_area
from ombuds.stats.summary import Totals, by_type, totals
from ombuds.years import Year


def _totals_json(t: Totals) -> dict:
    return {"authorities": t.authorities, "received": t.received, "decided": t.decided,
            "detailed_investigations": t.detailed_investigations, "upheld": t.upheld,
            "satisfactory_remedies": t.satisfactory_remedies, "compliance_recorded": t.compliance_recorded,
            "complied": t.complied, "uphold_rate": t.uphold_rate,
            "satisfactory_remedy_rate": t.satisfactory_remedy_rate, "compliance_rate": t.compliance_rate}


def type_label(site: SiteData, authority_type: str) -> str:
    plural = site.labels.type_plurals[authority_type]
    return plural[:1].upper() + plural[1:]


def national(site: SiteData, query, year: str) -> Page:
    chosen = site.year(year)
    held = site.year_statistics(chosen)
    records = held.records
    words = site.scheme.words.site
    england = totals(records, site.labels.measures)
    types = by_type(records, site.labels.measures, site.scheme.type_ids)
    areas = received_by_area(records, site.labels)
    area_rows = [(name, n) for name, n in areas.items() if name != "total"]
    uphold_chart = bar_chart(
        [(type_label(site, t), v.uphold_rate, fmt.percent(v.uphold_rate, none="n/a")) for t, v in types.items()],
        f"{words['uphold_by_type']}, {chosen.label}", words["uphold_by_type_chart"],
        chart_id="chart-uphold-by-type")
    area_chart = bar_chart(
        [(name, n, fmt.number(n)) for name, n in area_rows],
        f"{words['received_by_area']}, {chosen.label}", words["received_by_area_chart"],
        chart_id="chart-received-by-area")
    context = {"year": chosen, "years": site.years(), "published": held.published, "england": england,
               "types": [(type_label(site, t), v) for t, v in types.items()], "areas": area_rows,
               "received_total": areas["total"], "uphold_chart": uphold_chart, "area_chart": area_chart}
    twin = {"year": chosen.label, "url": urls.national(chosen), "published": held.published,
            "england": _totals_json(england), "by_type": {t: _totals_json(v) for t, v in types.items()},
            "received_by_service_area": areas,
            "years": {y.label: urls.national(y) for y in site.years()}}
    return Page("national.html", context, json=twin)


def _every_year(site: SiteData):
    return ({"year": y.label} for y in site.years())


def latest(site: SiteData, query) -> Page:
    """`/national/` sends the reader to the latest year, as a council's own address does."""
    target = urls.national(site.latest_year())
    area = site.scheme.words.site["area"]
    return Page("redirect.html", {"target": target, "title": area, "link_text": f"Go to the latest figures for {area}"},
                redirect=target)


KINDS = [
    PageKind("national-latest", "/national/", latest, lambda: urls.national_latest(), lambda site: [{}]),
    PageKind("national", "/national/{year}/", national, lambda year: urls.national(Year.parse(year)), _every_year,
             json_path="/national/{year}.json",
             json_url=lambda year: urls.national(Year.parse(year))[:-1] + ".json"),
]
