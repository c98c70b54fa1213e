"""A generic ("measures") scheme's open data: each year's records as CSV, XLSX and JSON downloads with the scheme's
attribution, the read-only JSON API (the same records the pages draw), and how each measure is counted."""

from __future__ import annotations

from ombuds import urls
from ombuds.site.data import NotFound
from ombuds.site.measures_data import MeasuresSite
from ombuds.site.pages import File, FileKind, Page, PageKind
from ombuds.site.pages.measures_common import base
from ombuds.site.render import json_bytes
from ombuds.stats import downloads
from ombuds.stats import format as fmt
from ombuds.stats import measure_views as views


def data(site: MeasuresSite, query) -> Page:
    years = [y.label for y in reversed(site.years())]
    files = {y: {ext: urls.measures_download(y, ext) for ext in downloads.EXTENSIONS} for y in years}
    context = {**base(site), "files": files, "api": _endpoints(site)}
    twin = {"attribution": site.scheme.data.attribution, "coverage": site.scheme.data.coverage,
            "downloads": files, "api": dict(_endpoints(site))}
    return Page("measures/data.html", context, json=twin)


def _endpoints(site: MeasuresSite) -> list[tuple[str, str]]:
    latest = site.latest_year().label
    return [("Years held", urls.api("years.json")), (f"Every {site.scheme.words.body}", urls.api("bodies.json")),
            (f"Every {site.scheme.words.body}'s record for {latest}", urls.measures_api(latest))]


def download(site: MeasuresSite, year: str, extension: str) -> File:
    if extension not in downloads.EXTENSIONS:
        raise NotFound(f"there is no '{extension}' download: choose {', '.join(downloads.EXTENSIONS)}")
    body, media_type = downloads.download_objects(site.records(site.year(year)), extension)
    return File(body, media_type)


def api_index(site: MeasuresSite, query) -> Page:
    return Page("measures/api.html", {**base(site), "endpoints": _endpoints(site)},
                json={"endpoints": dict(_endpoints(site))})


def api_years(site: MeasuresSite) -> File:
    return File(json_bytes([{"year": y.label, "records": urls.measures_api(y.label)} for y in site.years()]),
                "application/json")


def api_bodies(site: MeasuresSite) -> File:
    return File(json_bytes([{**who, "latest_year": year.label, "url": urls.body(site.segment, who["slug"])}
                            for who, year in site.bodies()]), "application/json")


def api_records(site: MeasuresSite, year: str) -> File:
    return File(json_bytes(site.records(site.year(year))), "application/json")


def api_record(site: MeasuresSite, year: str, code: str) -> File:
    chosen = site.year(year)
    found = next((r for r in site.records(chosen) if views.body(site.scheme, r)["code"] == code), None)
    if found is None:
        raise NotFound(f"no {site.scheme.words.body} with code '{code}' has figures for {chosen}")
    return File(json_bytes(found), "application/json")


KIND_WORDS = {"distinct": "the number of different {field}s", "count": "the number of {records}",
              "by_label": "the number of {records} with each {set}", "ratio": "{numerator} divided by {denominator}",
              "per_size": "{measure} per {per} {size}"}


def methods(site: MeasuresSite, query) -> Page:
    scheme = site.scheme
    rows = []
    for m in scheme.measures:
        words = KIND_WORDS[m.kind].format(
            field=m.field or "", set=fmt.in_sentence(scheme.labels(m.set).name) if m.set else "",
            numerator=fmt.in_sentence(scheme.measure(m.numerator).name) if m.numerator else "",
            denominator=fmt.in_sentence(scheme.measure(m.denominator).name) if m.denominator else "",
            measure=fmt.in_sentence(scheme.measure(m.measure).name) if m.measure else "", per=fmt.number(m.per),
            size=scheme.words.size, records=" or ".join(k.replace("_", " ") for k in scheme.kinds))
        if m.label and m.label.ids:
            names = [fmt.in_sentence(scheme.labels(m.label.set).name_of(i)) for i in m.label.ids]
            words += (" whose " + fmt.in_sentence(scheme.labels(m.label.set).name) + " is "
                      + " or ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names))
        if m.breakdown:
            words += f"; also given for each {fmt.in_sentence(scheme.labels(m.breakdown).name)}"
        rows.append((m.name, words[:1].upper() + words[1:] + "."))
    bands = [b.name for b in scheme.peer_groups.size_bands]
    context = {**base(site), "rows": rows, "bands": bands, "types": [t.plural for t in scheme.types]}
    return Page("measures/methods.html", context, json={"measures": dict(rows)})


def _every_download(site: MeasuresSite):
    for y in site.years():
        for ext in downloads.EXTENSIONS:
            yield {"year": y.label, "extension": ext}


def _every_record(site: MeasuresSite):
    for y in site.years():
        for r in site.records(y):
            yield {"year": y.label, "code": views.body(site.scheme, r)["code"]}


def _one(site):
    return [{}]


def kinds(seg: str) -> list:
    return [
        PageKind("data", "/data/", data, lambda: urls.data(), _one, json_path="/data.json",
                 json_url=lambda: "data.json"),
        FileKind("download", "/data/{year}/records.{extension}", download,
                 lambda year, extension: urls.measures_download(year, extension), _every_download, max_age=3600),
        PageKind("methods", "/methods/", methods, lambda: urls.methods(), _one),
        PageKind("api", "/api/", api_index, lambda: urls.api(""), _one),
        FileKind("api-years", "/api/years.json", api_years, lambda: urls.api("years.json"), _one),
        FileKind("api-bodies", "/api/bodies.json", api_bodies, lambda: urls.api("bodies.json"), _one),
        FileKind("api-records", "/api/records/{year}.json", api_records, lambda year: urls.measures_api(year),
                 lambda site: ({"year": y.label} for y in site.years())),
        FileKind("api-record", "/api/records/{year}/{code}.json", api_record,
                 lambda year, code: urls.measures_api(year, code), _every_record),
    ]
