"""The API's documentation as a page of the site (FastAPI's own docs page loads scripts from a CDN, which the site
never does): each endpoint, what it returns, and a working example, beside the OpenAPI schema."""

from __future__ import annotations

from ombuds import urls
from ombuds.site.api import lgsco_api
from ombuds.site.data import SiteData
from ombuds.site.pages import Page, PageKind


def _example(path: str, site: SiteData) -> str:
    year = site.latest_year().label
    return path.removeprefix("/").replace("{year}", year).replace("{code}", "E07000243")


def api_docs(site: SiteData, query) -> Page:
    endpoints = []
    for kind in lgsco_api(site.scheme).kinds:
        path = f"/api{kind.path}"
        endpoints.append({"path": path, "summary": kind.summary,
                          "returns": getattr(kind.model, "__name__", None) or str(kind.model).replace("typing.", ""),
                          "example": _example(path, site)})
    return Page("api_docs.html", {"endpoints": endpoints, "schema": urls.api("openapi.json")},
                json={"openapi": urls.api("openapi.json"), "endpoints": endpoints})


KINDS = [PageKind("api-docs", "/api/", api_docs, lambda: urls.api(""), lambda site: [{}],
                  json_path="/api/index.json", json_url=lambda: urls.api("index.json"))]
