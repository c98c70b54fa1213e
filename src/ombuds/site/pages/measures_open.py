"""A generic ("measures") scheme's open data: each year's records, and every year's in one file, as CSV, XLSX and
JSON downloads with the scheme's attribution, one column set for all of them, described by a Frictionless Data
Package; the read-only JSON API's index (its routes are `site.measures_api`), and how each measure is counted."""

from __future__ import annotations

from ombuds import urls
from ombuds.site.data import NotFound
from ombuds.site.datapackage import Table, licenses, package, stem
from ombuds.site.measures_data import MeasuresSite
from ombuds.site.pages import File, FileKind, Page, PageKind
from ombuds.site.pages.measures_common import base
from ombuds.stats import downloads
from ombuds.stats import format as fmt


def data(site: MeasuresSite, query) -> Page:
    years = [y.label for y in reversed(_years_with_records(site))]
    files = {y: {ext: urls.measures_download(y, ext) for ext in downloads.EXTENSIONS} for y in years}
    all_years = {ext: urls.download_all(ext) for ext in downloads.EXTENSIONS} if years else {}
    context = {**base(site), "files": files, "all_years": all_years, "api": _endpoints(site),
               "datapackage": urls.datapackage()}
    twin = {"attribution": site.scheme.data.attribution, "coverage": site.scheme.data.coverage,
            "downloads": files, "all_years": all_years, "datapackage": urls.datapackage(),
            "api": dict(_endpoints(site))}
    return Page("measures/data.html", context, json=twin)


def _endpoints(site: MeasuresSite) -> list[tuple[str, str]]:
    latest = site.latest_year().label
    return [("Years held", urls.api("years.json")), (f"Every {site.scheme.words.body}", urls.api("bodies.json")),
            (f"Every {site.scheme.words.body}'s record for {latest}", urls.measures_api(latest)),
            ("The API described in OpenAPI", urls.api("openapi.json"))]


def datapackage(site: MeasuresSite) -> File:
    """A Frictionless Data Package describing every download (`site.datapackage`, as the LGSCO's): one Table Schema
    for every year's CSV and XLSX file and the all-years file, typed by the values each column holds in any year,
    and each JSON file as JSON."""
    word = site.scheme.words.body
    years = _years_with_records(site)
    schema = downloads.objects_schema(site.every_record(), [f"{word}.code", "year"])
    tables = [Table(f"records-{y.label}", f"Records by {word}, {y.label}",
                    stem(urls.measures_download(y.label, "csv")), schema) for y in years]
    if years:
        tables.append(Table("records-all-years", f"Records by {word}, every year", stem(urls.download_all("csv")),
                            schema))
    about = {"name": urls.segment(f"{site.scheme.short_name} records"),
             "title": f"{site.profile.site_title}: records by {word}",
             "description": f"{site.scheme.data.coverage} {site.scheme.data.attribution}",
             "homepage": site.profile.base_url + urls.data(), "licenses": licenses(site.scheme)}
    return File(package(about, tables), "application/json")


def download(site: MeasuresSite, year: str, extension: str) -> File:
    if extension not in downloads.EXTENSIONS:
        raise NotFound(f"there is no '{extension}' download: choose {', '.join(downloads.EXTENSIONS)}")
    records = site.records(site.year(year))
    if not records:
        raise NotFound(f"there are no records for {year}")
    body, media_type = downloads.download_objects(records, extension, site.download_columns())
    return File(body, media_type)


def all_years_file(site: MeasuresSite, extension: str) -> File:
    """Every year's records in one file, oldest year first: the same columns as each year's file."""
    if extension not in downloads.EXTENSIONS:
        raise NotFound(f"there is no '{extension}' download: choose {', '.join(downloads.EXTENSIONS)}")
    records = site.every_record()
    if not records:
        raise NotFound("there are no records yet")
    body, media_type = downloads.download_objects(records, extension, site.download_columns())
    return File(body, media_type)


def api_index(site: MeasuresSite, query) -> Page:
    return Page("measures/api.html", {**base(site), "endpoints": _endpoints(site)},
                json={"endpoints": dict(_endpoints(site))})


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


def _years_with_records(site: MeasuresSite) -> list:
    """The years a download is made for: those with any body's record (a year between two held may have none)."""
    return [y for y in site.years() if site.records(y)]


def _every_download(site: MeasuresSite):
    for y in _years_with_records(site):
        for ext in downloads.EXTENSIONS:
            yield {"year": y.label, "extension": ext}


def _every_all_years(site: MeasuresSite):
    return [{"extension": ext} for ext in downloads.EXTENSIONS] if _years_with_records(site) else []


def _one(site):
    return [{}]


def kinds(seg: str) -> list:
    return [
        PageKind("data", "/data/", data, lambda: urls.data(), _one, json_path="/data.json",
                 json_url=lambda: "data.json"),
        FileKind("download", "/data/{year}/records.{extension}", download,
                 lambda year, extension: urls.measures_download(year, extension), _every_download, max_age=3600,
                 filename=lambda year, extension: f"{seg}-{year}.{extension}"),
        FileKind("download-all", "/data/statistics.{extension}", all_years_file,
                 lambda extension: urls.download_all(extension), _every_all_years, max_age=3600,
                 filename=lambda extension: f"{seg}-all-years.{extension}"),
        FileKind("datapackage", "/data/datapackage.json", datapackage, lambda: urls.datapackage(), _one,
                 max_age=3600),
        PageKind("methods", "/methods/", methods, lambda: urls.methods(), _one),
        PageKind("api", "/api/", api_index, lambda: urls.api(""), _one),
    ]
