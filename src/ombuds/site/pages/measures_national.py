"""A generic ("measures") scheme's national figures for a year: every measure pooled over all bodies, by peer group,
counts per label as a chart and a table; and a page per breakdown label set (e.g. by category). No body is ranked."""

from __future__ import annotations

from ombuds import urls
from ombuds.charts import bar_chart
from ombuds.site.data import NotFound
from ombuds.site.measures_data import MeasuresSite
from ombuds.site.pages import Page, PageKind
from ombuds.site.pages.measures_common import base, year_links
from ombuds.stats import format as fmt
from ombuds.stats import measure_views as views


def _json(totals: views.Totals) -> dict:
    return {"bodies": totals.bodies, "figures": {f.id: f.value for f in totals.figures},
            "labels": {m: {c.label: c.count for c in counts} for m, counts in totals.labels.items()},
            "breakdowns": {s: {label: dict(zip(b.columns, cells, strict=True)) for label, cells in b.rows}
                           for s, b in totals.breakdowns.items()}}


def national(site: MeasuresSite, query, year: str) -> Page:
    chosen = site.year(year)
    scheme = site.scheme
    records = site.records(chosen)
    everyone = views.totals(scheme, records)
    groups = [(name, views.totals(scheme, members)) for name, members in views.groups(scheme, records).items()]
    charts = []
    for m in views.label_measures(scheme):
        caption = f"{m.name}, all {scheme.words.bodies}, {chosen.label}"
        counts = everyone.labels[m.id]
        charts.append({"id": m.id, "name": m.name, "caption": caption, "counts": counts,
                       "heading": scheme.labels(m.set).name,
                       "chart": bar_chart([(c.label, c.count, c.shown) for c in counts], caption,
                                          f"{caption}: one bar for each label; the table below gives the same "
                                          "figures.", chart_id=f"chart-{m.id}")})
    fair = views.fair_measures(scheme)
    compared = {i for m in fair for i in (m.denominator, m.id)}  # what the group table has room for
    context = {**base(site), "year": chosen, "totals": everyone, "charts": charts,
               "groups": [(name, t.bodies, [f for f in t.figures if f.id in compared]) for name, t in groups],
               "group_columns": [f.name for f in everyone.figures if f.id in compared],
               "year_links": year_links(site.years(), chosen, urls.measures_national),
               "sets": [(scheme.labels(s).name, urls.category(urls.segment(s), chosen.label))
                        for s in views.breakdown_sets(scheme)],
               "funnels": [(m.name, name, urls.measures_funnel(chosen.label, m.id, urls.segment(name)))
                           for m in fair for name, _ in groups],
               "register": {"url": urls.register(chosen), "code": site.code.name}
               if chosen in site.assessment_years() else None}
    twin = {"year": chosen.label, "url": urls.measures_national(chosen.label), "all": _json(everyone),
            "groups": {name: _json(t) for name, t in groups},
            "years": {y.label: urls.measures_national(y.label) for y in site.years()},
            "self_assessment": context["register"] and context["register"]["url"]}
    return Page("measures/national.html", context, json=twin)


def category(site: MeasuresSite, query, set_slug: str, year: str) -> Page:
    """One label set's breakdown over every body (the measures broken down by it), and by peer group."""
    scheme = site.scheme
    sets = {urls.segment(s): s for s in views.breakdown_sets(scheme)}
    if set_slug not in sets:
        raise NotFound(f"no breakdown is called '{set_slug}': one of {', '.join(sets)}")
    set_id = sets[set_slug]
    chosen = site.year(year)
    records = site.records(chosen)
    table = views.totals(scheme, records).breakdowns[set_id]
    groups = [(name, views.totals(scheme, members).breakdowns[set_id])
              for name, members in views.groups(scheme, records).items()]
    first = table.columns[0] if table.columns else ""
    chart = bar_chart([(label, values[0], cells[0]) for (label, cells), values in zip(table.rows, table.values,
                                                                                    strict=True)],
                      f"{first} by {fmt.in_sentence(table.set_name)}, all {scheme.words.bodies}, {chosen.label}",
                      f"One bar for each {fmt.in_sentence(table.set_name)}; the table below gives the same figures.",
                      chart_id=f"chart-{set_slug}") if table.columns else None
    context = {**base(site), "year": chosen, "table": table, "groups": groups, "chart": chart,
               "set_name": table.set_name,
               "year_links": year_links(site.years(), chosen, lambda y: urls.category(set_slug, y))}
    twin = {"year": chosen.label, "set": set_id,
            "all": {label: dict(zip(table.columns, cells, strict=True)) for label, cells in table.rows},
            "groups": {name: {label: dict(zip(t.columns, cells, strict=True)) for label, cells in t.rows}
                       for name, t in groups}}
    return Page("measures/category.html", context, json=twin)


def _every_year(site: MeasuresSite):
    return ({"year": y.label} for y in site.years())


def _every_category(site: MeasuresSite):
    for s in views.breakdown_sets(site.scheme):
        for y in site.years():
            yield {"set_slug": urls.segment(s), "year": y.label}


def kinds(seg: str) -> list:
    return [
        PageKind("national", "/national/{year}/", national, lambda year: urls.measures_national(year), _every_year,
                 json_path="/national/{year}.json", json_url=lambda year: urls.measures_national(year)[:-1] + ".json"),
        PageKind("category", "/by/{set_slug}/{year}/", category,
                 lambda set_slug, year: urls.category(set_slug, year), _every_category,
                 json_path="/by/{set_slug}/{year}.json",
                 json_url=lambda set_slug, year: urls.category(set_slug, year)[:-1] + ".json"),
    ]
