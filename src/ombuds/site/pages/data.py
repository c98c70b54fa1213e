"""Open data: every authority's statistics for each year as CSV, JSON and XLSX downloads, the API, the licence and
notes on the columns."""

from __future__ import annotations

from ombuds import urls
from ombuds.site.data import NotFound, SiteData
from ombuds.site.datapackage import Table, licenses, package, stem
from ombuds.site.pages import File, FileKind, Page, PageKind
from ombuds.stats import downloads
from ombuds.stats import format as fmt
from ombuds.years import Year

COLUMNS = [
    ("authority.code", "The authority's GSS code, for example E07000243."),
    ("authority.name, authority.type", "Its official name and type ({types})."),  # the scheme's type ids
    ("year", "The year, 1 April to 31 March, for example 2023-24."),
    ("received.<{area}>, received.total", "Complaints and enquiries received, by {area}, and in all."),
    ("decided.<outcome>, decided.total", "Decisions made, by outcome, and in all."),
    ("investigated, upheld", "Detailed investigations (upheld plus not upheld), and those upheld."),
    ("uphold_rate", "Upheld divided by detailed investigations, as a fraction (0.5 is 50%); empty where there were "
                    "none."),
    ("satisfactory_remedies, satisfactory_remedy_rate", "Upheld complaints where the council had already put "
                                                        "things right, and their share of those upheld."),
    ("remedied_by_ombudsman", "Upheld complaints where the ombudsman recommended a remedy."),
    ("compliance.*, compliance_rate", "Recommendations whose compliance was recorded: on time, late, not "
                                      "complied; the share complied with."),
    ("population, upheld_per_100k", "Residents, and upheld decisions per 100,000 residents."),
    ("average.*", "The average of authorities of the same type, and how it was worked out (pooled or mean)."),
]


def columns(site: SiteData) -> list[tuple[str, str]]:
    """What each download column holds, the type ids the scheme's (types.toml: "County, …, London Borough or Other")
    and the service areas' label set its (labels.toml)."""
    ids = site.scheme.type_ids
    types = f"{', '.join(ids[:-1])} or {ids[-1]}" if len(ids) > 1 else ", ".join(ids)
    area = fmt.in_sentence(site.scheme.label_sets["service_area"].name)
    return [(names.replace("{area}", area), text.replace("{types}", types).replace("{area}", area))
            for names, text in COLUMNS]


def data(site: SiteData, query) -> Page:
    years = list(reversed(site.years()))
    rows = [{"year": y, "published": site.year_statistics(y).published, "revisions": site.year_revisions(y),
             "files": [(ext.upper(), urls.download(y, ext)) for ext in downloads.EXTENSIONS]} for y in years]
    licence = next(iter(site.scheme.data.licenses), None)  # the first is the one the page names
    context = {"dataset": dataset_description(site), "rows": rows, "licence": licence, "columns": columns(site),
               "datapackage": urls.datapackage(),
               "all_years": [(ext.upper(), urls.download_all(ext)) for ext in downloads.EXTENSIONS],
               "api": {"openapi": urls.api("openapi.json"), "years": urls.api("years.json")}}
    twin = {"licence": {"name": licence.title, "url": licence.path} if licence else None,
            "api": context["api"],
            "downloads": {y.label: {ext: urls.download(y, ext) for ext in downloads.EXTENSIONS} for y in years},
            "all_years": {ext: urls.download_all(ext) for ext in downloads.EXTENSIONS},
            "datapackage": urls.datapackage(),
            "revisions": {row["year"].label: [{"date": r["date"], "reason": r["reason"]} for r in row["revisions"]]
                          for row in rows if row["revisions"]}}
    return Page("data.html", context, json=twin)


def dataset_description(site: SiteData) -> dict:
    """The open data as a schema.org Dataset (JSON-LD in the data page's head), for search engines' dataset
    listings."""
    years = site.years()
    base = site.profile.base_url
    licence = next(iter(site.scheme.data.licenses), None)
    files = [(urls.download_all(ext), ext) for ext in downloads.EXTENSIONS]
    files += [(urls.download(y, ext), ext) for y in reversed(years) for ext in downloads.EXTENSIONS]
    words = site.scheme.words
    return {
        "@context": "https://schema.org", "@type": "Dataset",
        "name": f"{site.profile.site_title}: complaint statistics by {words.body}",
        "description": f"Complaints about {words.bodies} in {words.site['area']} decided by the "
                       f"{site.profile.name}: complaints received by "
                       f"{fmt.in_sentence(site.scheme.label_sets['service_area'].name)}, decisions by outcome, uphold, "
                       "satisfactory remedy and compliance rates with their 95% intervals, for every "
                       f"{words.body} and year.",
        "url": base + urls.data(), "license": licence.path if licence else None, "isAccessibleForFree": True,
        "creator": {"@type": "Organization", "name": site.profile.name},
        "spatialCoverage": words.site["area"],
        "temporalCoverage": f"{years[0].start.isoformat()}/{years[-1].end.isoformat()}" if years else None,
        "distribution": [{"@type": "DataDownload", "encodingFormat": downloads.MEDIA_TYPES[ext].split(";")[0],
                          "contentUrl": base + path} for path, ext in files],
    }


def statistics_file(site: SiteData, year: str, extension: str) -> File:
    if extension not in downloads.EXTENSIONS:
        raise NotFound(f"there is no '{extension}' download: choose {', '.join(downloads.EXTENSIONS)}")
    chosen = site.year(year)
    body, media_type = downloads.download(site.year_statistics(chosen).records, extension, site.labels)
    return File(body, media_type)


def all_years_file(site: SiteData, extension: str) -> File:
    """Every year's statistics in one file: the same columns as each year's file."""
    if extension not in downloads.EXTENSIONS:
        raise NotFound(f"there is no '{extension}' download: choose {', '.join(downloads.EXTENSIONS)}")
    body, media_type = downloads.download(_all_records(site), extension, site.labels)
    return File(body, media_type)


def _all_records(site: SiteData) -> list:
    return [r for y in site.years() for r in site.year_statistics(y).records]


def datapackage(site: SiteData) -> File:
    """A Frictionless Data Package describing every download: a Table Schema for each CSV and XLSX file, and each
    JSON file as JSON (the SPEC object per authority, nested, so not a table)."""
    every = [(y.label, urls.download(y, "csv"), site.year_statistics(y).records) for y in site.years()]
    every.append(("all years", urls.download_all("csv"), _all_records(site)))
    tables = [Table("statistics-" + label.replace(" ", "-"), f"Statistics by authority, {label}", stem(csv_path),
                    downloads.table_schema(downloads.columns(downloads.rows(records, site.labels), site.labels),
                                           site.labels))
              for label, csv_path, records in every]
    about = {"name": "complaint-statistics", "title": f"{site.profile.site_title}: statistics by authority",
             "description": f"Complaints about {site.scheme.words.bodies} in {site.scheme.words.site['area']} "
                            f"decided by the {site.profile.name}, by authority and year.",
             "homepage": site.profile.base_url + urls.data(),
             "licenses": licenses(site.scheme)}
    return File(package(about, tables), "application/json")


def _every_download(site: SiteData):
    for y in site.years():
        for ext in downloads.EXTENSIONS:
            yield {"year": y.label, "extension": ext}


KINDS = [
    PageKind("data", "/data/", data, lambda: urls.data(), lambda site: [{}], json_path="/data.json",
             json_url=lambda: "data.json"),
    FileKind("download", "/data/{year}/statistics.{extension}", statistics_file,
             lambda year, extension: urls.download(Year.parse(year), extension), _every_download, max_age=3600,
             filename=lambda year, extension: f"complaint-statistics-{year}.{extension}"),
    FileKind("download-all", "/data/statistics.{extension}", all_years_file,
             lambda extension: urls.download_all(extension),
             lambda site: ({"extension": ext} for ext in downloads.EXTENSIONS), max_age=3600,
             filename=lambda extension: f"complaint-statistics-all-years.{extension}"),
    FileKind("datapackage", "/data/datapackage.json", datapackage, lambda: urls.datapackage(), lambda site: [{}],
             max_age=3600),
]
