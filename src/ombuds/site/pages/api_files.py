"""The JSON API's files as kinds, for the static build: each is built by the same function the live API's route
(`site.api`) answers with, so the files written are the bytes served."""

from __future__ import annotations

from ombuds import urls
from ombuds.site.api import authorities_listing, authority_record, decision_listing, year_records, years_listing
from ombuds.site.data import SiteData
from ombuds.site.pages import File, FileKind
from ombuds.site.render import json_bytes


def _json_file(data) -> File:
    return File(json_bytes(data), "application/json")


def _every_year(site: SiteData):
    return ({"year": year.label} for year in site.years())


def _every_record(site: SiteData):
    for year in site.years():
        for record in site.year_statistics(year).records:
            yield {"year": year.label, "code": record.authority.code}


def _every_decision_listing(site: SiteData):
    for year in site.years():
        if site.has_case_records(year):
            for record in site.year_statistics(year).records:
                yield {"code": record.authority.code, "year": year.label}


API_KINDS = (
    FileKind("api-years", "/api/years.json", lambda site: _json_file(years_listing(site)),
             lambda: urls.api("years.json"), lambda site: [{}]),
    FileKind("api-authorities", "/api/authorities.json", lambda site: _json_file(authorities_listing(site)),
             lambda: urls.api("authorities.json"), lambda site: [{}]),
    FileKind("api-statistics", "/api/statistics/{year}.json",
             lambda site, year: _json_file(year_records(site, year)),
             lambda year: urls.api(f"statistics/{year}.json"), _every_year),
    FileKind("api-authority-statistics", "/api/statistics/{year}/{code}.json",
             lambda site, year, code: _json_file(authority_record(site, year, code)),
             lambda year, code: urls.api(f"statistics/{year}/{code}.json"), _every_record),
    FileKind("api-decisions", "/api/decisions/{code}/{year}.json",
             lambda site, code, year: _json_file(decision_listing(site, code, year)),
             lambda code, year: urls.api(f"decisions/{code}/{year}.json"), _every_decision_listing),
)
