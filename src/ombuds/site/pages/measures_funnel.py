"""Funnel plots of a generic ("measures") scheme: one per year, fair ratio and peer group, every body of the group a
point linked to its page, the 95% and 99.8% limits around the group's average, and the same figures as a table.
`?highlight=CODE` marks one body (live only)."""

from __future__ import annotations

from functools import partial

from ombuds import urls
from ombuds.site.charts_fair import funnel_chart
from ombuds.site.data import NotFound
from ombuds.site.measures_data import MeasuresSite
from ombuds.site.pages import Page, PageKind, query_value
from ombuds.site.pages.measures_common import base
from ombuds.stats import format as fmt
from ombuds.stats import measure_views as views


def _groups(site: MeasuresSite, records: list[dict]) -> dict[str, str]:
    return {urls.segment(name): name for name in views.groups(site.scheme, records)}


def funnel(site: MeasuresSite, query, year: str, measure: str, group: str) -> Page:
    chosen = site.year(year)
    scheme = site.scheme
    fair = {m.id: m for m in views.fair_measures(scheme)}
    if measure not in fair:
        raise NotFound(f"no funnel plot of '{measure}': one of {', '.join(fair)}")
    records = site.records(chosen)
    groups = _groups(site, records)
    if group not in groups:
        raise NotFound(f"no group is called '{group}' in {chosen}")
    m, name = fair[measure], groups[group]
    plot = views.funnel(scheme, records, measure, name)
    highlight = query_value(query, "highlight")
    denominator = scheme.measure(m.denominator).name
    points, rows = [], []
    for p in plot.points:
        who = views.body(scheme, p.record)
        link = urls.body(site.segment, who["slug"], chosen.label)
        points.append((who["code"], p.denominator, p.rate, link, p.label, who["code"] == highlight))
        rows.append({"name": who["name"], "link": link, "numerator": fmt.number(p.numerator),
                     "denominator": fmt.number(p.denominator), "rate": fmt.percent(p.rate),
                     "class": fmt.funnel_class(p.funnel), "highlight": who["code"] == highlight})
    title = f"{m.name} of {fmt.in_sentence(name)}, {chosen.label}: funnel plot"
    description = (f"Each of {len(points)} {scheme.words.bodies} is a point: its {fmt.in_sentence(m.name)} against "
                   f"its number of {fmt.in_sentence(denominator)}. The line across is the group's average "
                   f"({plot.target_shown}); the curves are the 95% and 99.8% limits around it.")
    chart = partial(funnel_chart, points, {"95": plot.inner, "99.8": plot.outer}, plot.target, title, description,
                    denominator, chart_id=f"funnel-{measure}")
    context = {**base(site), "year": chosen, "measure": m, "group": name, "chart": chart, "rows": rows,
               "target": plot.target_shown, "title": title, "denominator": denominator,
               "others": [(other, urls.measures_funnel(chosen.label, measure, slug))
                          for slug, other in groups.items() if slug != group]}
    twin = {"year": chosen.label, "measure": measure, "group": name, "target": plot.target,
            "points": [{"code": views.body(scheme, p.record)["code"], "name": views.body(scheme, p.record)["name"],
                        "numerator": p.numerator, "denominator": p.denominator, "class": p.funnel}
                       for p in plot.points]}
    return Page("measures/funnel.html", context, json=twin)


def _every(site: MeasuresSite):
    for year in site.years():
        groups = _groups(site, site.records(year))
        for m in views.fair_measures(site.scheme):
            for slug in groups:
                yield {"year": year.label, "measure": m.id, "group": slug}


def kinds(seg: str) -> list:
    return [PageKind("funnel", "/funnel/{year}/{measure}/{group}/", funnel,
                     lambda year, measure, group: urls.measures_funnel(year, measure, group), _every,
                     json_path="/funnel/{year}/{measure}/{group}.json",
                     json_url=lambda year, measure, group: urls.measures_funnel(year, measure, group)[:-1] + ".json",
                     query=("highlight",))]
