"""A body's page for a year in a generic ("measures") scheme (a landlord's): every measure of the scheme beside its
peer group's average, counts per label as a chart and a table, breakdowns, each fair ratio with its interval and
funnel class, and its report (PDF and HTML) where it has one. `/<bodies>/<slug>/` goes to its latest year."""

from __future__ import annotations

from ombuds import urls
from ombuds.charts import bar_chart
from ombuds.site.data import NotFound
from ombuds.site.measures_data import MeasuresSite
from ombuds.site.pages import File, FileKind, Page, PageKind
from ombuds.site.pages.measures_common import base, year_links
from ombuds.site.pages.register import self_assessment_section
from ombuds.stats import format as fmt
from ombuds.stats import measure_views as views

REPORT_FORMATS = {"pdf": "application/pdf", "html": "text/html; charset=utf-8"}


def label_charts(site: MeasuresSite, record: dict, about: str) -> list[dict]:
    """Each by_label measure as a bar chart and its table."""
    found = []
    for m in views.label_measures(site.scheme):
        counts = views.label_counts(site.scheme, record, m.id)
        caption = f"{m.name}, {about}"
        each = fmt.in_sentence(site.scheme.labels(m.set).name)
        chart = bar_chart([(c.label, c.count, c.shown) for c in counts], caption,
                          f"{caption}: one bar for each {each}; the table below gives the same figures.",
                          chart_id=f"chart-{m.id}")
        found.append({"id": m.id, "name": m.name, "caption": caption, "chart": chart, "counts": counts,
                      "heading": site.scheme.labels(m.set).name})
    return found


def fair_comparisons(site: MeasuresSite, record: dict, year) -> list[dict]:
    found = []
    group_id = (record.get("average") or {}).get("group")
    for m in views.fair_measures(site.scheme):
        compared = views.compared(site.scheme, record, m.id)
        link = urls.measures_funnel(year.label, m.id, urls.segment(group_id)) if group_id else None
        found.append({"id": m.id, "compared": compared, "funnel_link": link})
    return found


def body_page(site: MeasuresSite, query, slug: str, year: str) -> Page:
    site.named(slug)
    chosen = site.year(year, slug)
    record = site.record(slug, chosen)
    scheme = site.scheme
    who = views.body(scheme, record)
    average = record.get("average") or {}
    report = record.get("report") and chosen.label in site.reports()
    years = site.years_of(slug)
    context = {
        **base(site), "who": who, "year": chosen, "years": years,
        "year_links": year_links(years, chosen, lambda y: urls.body(site.segment, slug, y)),
        "size": who.get(scheme.words.size), "group": average.get("group"),
        "peer_bodies": fmt.number(average.get("bodies")) if average else None,
        "figures": views.figures(scheme, record),
        "labels": label_charts(site, record, f"{who['name']}, {chosen.label}"),
        "breakdowns": [(s, views.breakdown(scheme, record, s)) for s in views.breakdown_sets(scheme)],
        "fair": fair_comparisons(site, record, chosen),
        "report": {fmt: urls.body_report(site.segment, slug, chosen.label, fmt) for fmt in REPORT_FORMATS}
        if report else None,
        "json": urls.body(site.segment, slug, chosen.label)[:-1] + ".json",
        "self_assessment": self_assessment_section(site, who["code"], who["name"], chosen),
    }
    twin = {**record, "url": urls.body(site.segment, slug, chosen.label),
            "report_files": context["report"],
            "self_assessment": context["self_assessment"] and context["self_assessment"]["rows"],
            "years": {y.label: urls.body(site.segment, slug, y.label) for y in context["years"]}}
    return Page("measures/body.html", context, json=twin)


def body_latest(site: MeasuresSite, query, slug: str) -> Page:
    site.named(slug)
    years = site.years_of(slug)
    target = urls.body(site.segment, slug, years[-1].label)
    return Page("measures/redirect.html", {**base(site), "target": target}, redirect=target)


def report_file(site: MeasuresSite, slug: str, year: str, output_format: str) -> File:
    """The body's report for the year, as the `letters` command writes it (one assembly: `letters.report`)."""
    from ombuds.letters.render import shared_renderer
    from ombuds.letters.report import report_content

    site.named(slug)
    chosen = site.year(year, slug)
    if output_format not in REPORT_FORMATS:
        raise NotFound(f"there is no report as '{output_format}': pdf or html")
    record = site.record(slug, chosen)
    edition = site.reports().get(chosen.label)
    if edition is None or not record.get("report"):
        raise NotFound(f"there is no {site.scheme.report.name} for {views.body(site.scheme, record)['name']} in "
                       f"{chosen}")
    from ombuds.letters.render import timestamp

    content = report_content(site.scheme, record, edition, site.profile)
    return File(lambda: shared_renderer().render(content, timestamp(edition.report_date), output_format),
                REPORT_FORMATS[output_format])


def _every_page(site: MeasuresSite):
    for year in site.years():
        for r in site.records(year):
            yield {"slug": views.body(site.scheme, r)["slug"], "year": year.label}


def _every_body(site: MeasuresSite):
    return ({"slug": who["slug"]} for who, _ in site.bodies())


def _every_report(site: MeasuresSite):
    editions = site.reports()
    for year in site.years():
        if year.label in editions:
            for r in site.records(year):
                if r.get("report"):
                    for output_format in REPORT_FORMATS:
                        yield {"slug": views.body(site.scheme, r)["slug"], "year": year.label,
                               "output_format": output_format}


def kinds(seg: str) -> list:
    return [
        PageKind("body-latest", f"/{seg}/{{slug}}/", body_latest, lambda slug: urls.body(seg, slug), _every_body),
        PageKind("body", f"/{seg}/{{slug}}/{{year}}/", body_page, lambda slug, year: urls.body(seg, slug, year),
                 _every_page, json_path=f"/{seg}/{{slug}}/{{year}}.json",
                 json_url=lambda slug, year: urls.body(seg, slug, year)[:-1] + ".json"),
        FileKind("body-report", f"/{seg}/{{slug}}/{{year}}/report.{{output_format}}", report_file,
                 lambda slug, year, output_format: urls.body_report(seg, slug, year, output_format), _every_report,
                 max_age=3600),
    ]
