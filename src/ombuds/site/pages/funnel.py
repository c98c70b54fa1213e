"""Funnel plots: one per year, council type and rate, every council of the type a point linked to its page, the 95%
and 99.8% limits around the type average, and the same figures as a table. `?highlight=CODE` marks one council
(live only: the static build renders every funnel unhighlighted)."""

from __future__ import annotations

from functools import partial

from ombuds import urls
from ombuds.site.charts_fair import funnel_chart
from ombuds.site.data import NotFound, SiteData
from ombuds.site.pages import Page, PageKind, query_value
from ombuds.stats import comparison
from ombuds.stats import format as fmt
from ombuds.years import Year


def funnel(site: SiteData, query, year: str, council_type: str, rate: str) -> Page:
    chosen = site.year(year)
    types = {urls.type_slug(t): t for t in site.scheme.peer_average_types}  # the types compared with an average
    kind = types.get(council_type)
    if kind is None:
        raise NotFound(f"no council type is called '{council_type}': one of {', '.join(types)}")
    if rate not in comparison.RATES:
        raise NotFound(f"no funnel plot of '{rate}': one of {', '.join(comparison.RATES)}")
    held = site.year_statistics(chosen)
    if held.published:
        raise NotFound(f"there are no funnel plots for {chosen}: its figures come from published documents")
    plot = comparison.funnel_plot(held.records, kind, rate, held.labels.measures)
    highlight = query_value(query, "highlight")
    slugs = {a.code: a.slug for a in site.authorities}
    name = fmt.RATE_NAMES[rate]
    points, rows = [], []
    for record, k, n, cls in sorted(plot.points, key=lambda p: p[0].authority.name):
        code = record.authority.code
        label = fmt.funnel_point_label(record.authority.name, rate, k, n, cls)
        link = urls.council(slugs[code], chosen)
        points.append((code, n, k / n, link, label, code == highlight))
        rows.append({"name": record.authority.name, "link": link, "numerator": fmt.number(k),
                     "denominator": fmt.number(n), "rate": fmt.percent(k / n), "class": fmt.funnel_class(cls),
                     "highlight": code == highlight})
    curves = {"95": [(p.n, p.lower, p.upper) for p in plot.inner],
              "99.8": [(p.n, p.lower, p.upper) for p in plot.outer]}
    plural = site.labels.type_plurals[kind]
    title = f"The {name} of {plural} in {chosen.label}: funnel plot"
    description = (f"Each of {len(points)} {plural} is a point: its {name} against its number of "
                   f"{fmt.RATE_BASES[rate][1]}. The line across is the average for {plural} "
                   f"({fmt.average(plot.target)}); the curves are the 95% and 99.8% limits around it.")
    highlighted = [row["name"] for row in rows if row["highlight"]]
    chart = partial(funnel_chart, points, curves, plot.target, title, description,
                    fmt.RATE_BASES[rate][1].capitalize(), chart_id=f"funnel-{rate}",
                    highlight_name=highlighted[0] if highlighted else None)  # the template gives the root
    context = {"base_heading": fmt.RATE_BASES[rate][1].capitalize(), "verb_heading": fmt.RATE_VERBS[rate].capitalize(),
               "year": chosen, "kind": kind, "plural": plural, "rate": rate, "rate_name": name, "chart": chart,
               "rows": rows, "target": fmt.average(plot.target), "title": title,
               "overdispersed": bool(plot.dispersion and plot.dispersion.overdispersed),
               "others": [(site.labels.type_plurals[t], urls.funnel(chosen, t, rate))
                          for t in site.scheme.peer_average_types if t != kind],
               "rates": [(fmt.RATE_NAMES[r], urls.funnel(chosen, kind, r)) for r in comparison.RATES if r != rate]}
    twin = {"year": chosen.label, "type": kind, "rate": rate, "target": plot.target,
            "overdispersed": context["overdispersed"],
            "points": [{"code": r.authority.code, "name": r.authority.name, "numerator": k, "denominator": n,
                        "class": cls} for r, k, n, cls in plot.points]}
    return Page("funnel.html", context, json=twin)


def _every(site: SiteData):
    for year in site.years():
        if site.has_case_records(year):
            for t in site.scheme.peer_average_types:
                for rate in comparison.RATES:
                    yield {"year": year.label, "council_type": urls.type_slug(t), "rate": rate}


# The address from a type's slug: urls.funnel slugs it again, and a slug's slug is itself.
KINDS = [PageKind("funnel", "/funnel/{year}/{council_type}/{rate}/", funnel,
                  lambda year, council_type, rate: urls.funnel(Year.parse(year), council_type, rate),
                  _every, query=("highlight",))]
