"""The read-only JSON API under /api/: years, authorities, statistics by year and authority. Its response models
are the typed SPEC 2.3 record, so /api/openapi.json documents exactly what is served. Paths end in `.json` so the
static build can write the same files."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal, NamedTuple

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from pydantic import BaseModel, create_model

from ombuds import urls
from ombuds.schemes import Scheme
from ombuds.site.data import NotFound, SiteData
from ombuds.site.render import json_bytes
from ombuds.site.responses import respond
from ombuds.stats.record import typed_record


class YearEntry(BaseModel):
    year: str
    source: str
    statistics: str


class AuthorityEntry(BaseModel):
    code: str
    name: str
    type: str  # one of the scheme's type ids: `lgsco_api` gives each scheme's API its own
    slug: str
    start_date: str | None
    end_date: str | None
    successors: list[str]
    predecessors: list[str]
    years: list[str]


class DecisionEntry(BaseModel):
    reference: str
    decision_date: str
    service_area: str | None
    outcome: str
    satisfactory_remedy: bool
    public_report: bool
    summary: str | None


class NotFoundAnswer(BaseModel):
    detail: str


PARAMETER_PATTERNS = {"year": r"^\d{4}-\d{2}$", "code": r"^[A-Z]\d{8}$"}
NOT_FOUND = "No such year, authority or figures: `detail` says which"


def tidy_openapi(app, patterns: dict[str, str] = PARAMETER_PATTERNS) -> dict:
    """The API's OpenAPI document as it really answers: 404 documented, no 422 (a path parameter that does not match
    its pattern is a 404: nothing is there), each path parameter with its pattern (`patterns`, by name)."""
    from fastapi.openapi.utils import get_openapi

    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(title=app.title, version=app.version, routes=app.routes)
    for operations in schema["paths"].values():
        for operation in operations.values():
            operation.get("responses", {}).pop("422", None)
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path" and parameter["name"] in patterns:
                    parameter["schema"]["pattern"] = patterns[parameter["name"]]
    for unused in ("HTTPValidationError", "ValidationError"):
        schema.get("components", {}).get("schemas", {}).pop(unused, None)
    app.openapi_schema = schema
    return schema


def _get_and_head(router: APIRouter, path: str, not_found: str, **documented):
    """A GET route, documented, and the same route for HEAD (answered, left out of the OpenAPI document: FastAPI
    would give both operations one id). `not_found` says what a 404 means."""
    named = "{" in path  # only an address with a parameter can name nothing
    answers = {404: {"description": not_found, "model": NotFoundAnswer}} if named else {}

    def register(endpoint):
        router.head(path, include_in_schema=False)(endpoint)
        return router.get(path, responses=answers, **documented)(endpoint)
    return register


def _site(request: Request) -> SiteData:
    return request.app.state.site


def _json(request: Request, data) -> Response:
    return respond(request, json_bytes(data), "application/json", 300)


def years_listing(site: SiteData) -> list[dict]:
    return [{"year": y.label, "source": site.year_statistics(y).source,
             "statistics": urls.api(f"statistics/{y.label}.json")} for y in site.years()]


def authorities_listing(site: SiteData) -> list[dict]:
    return [{"code": a.code, "name": a.name, "type": a.type, "slug": a.slug,
             "start_date": a.start_date and a.start_date.isoformat(), "end_date": a.end_date and a.end_date.isoformat(),
             "successors": list(a.successors), "predecessors": list(a.predecessors),
             "years": [y.label for y in site.years_of(a)]} for a in site.authorities if site.years_of(a)]


def year_records(site: SiteData, year: str) -> list[dict]:
    try:
        return [r.to_json() for r in site.year_statistics(site.year(year)).records]
    except NotFound as error:
        raise HTTPException(404, str(error)) from None


def authority_record(site: SiteData, year: str, code: str) -> dict:
    try:
        authority = site.authorities.by_code.get(code)
        if authority is None:
            raise NotFound(f"no authority has the code '{code}'")
        return site.record(authority, site.year(year)).to_json()
    except NotFound as error:
        raise HTTPException(404, str(error)) from None


def decision_listing(site: SiteData, code: str, year: str) -> list[dict]:
    """Every decision about an authority in a year, newest first."""
    try:
        authority = site.authorities.by_code.get(code)
        if authority is None:
            raise NotFound(f"no authority has the code '{code}'")
        chosen = site.year(year)
        if not site.has_case_records(chosen):
            raise NotFound(f"decisions are held only for years with case records, not {chosen}")
        rows = site.all_decisions(authority, chosen)
    except NotFound as error:
        raise HTTPException(404, str(error)) from None
    return [{"reference": d.reference, "decision_date": d.decision_date.isoformat(), "service_area": d.service_area,
             "outcome": d.outcome, "satisfactory_remedy": d.satisfactory_remedy, "public_report": d.public_report,
             "summary": d.summary} for d in rows]


def _every_year(site: SiteData) -> Iterable[dict]:
    return ({"year": year.label} for year in site.years())


def _every_record(site: SiteData) -> Iterable[dict]:
    for year in site.years():
        for record in site.year_statistics(year).records:
            yield {"year": year.label, "code": record.authority.code}


def _every_decision_listing(site: SiteData) -> Iterable[dict]:
    for year in site.years():
        if site.has_case_records(year):
            for record in site.year_statistics(year).records:
                yield {"code": record.authority.code, "year": year.label}


@dataclass(frozen=True)
class ApiKind:
    """One kind of API answer: the live route and the static build's files (`pages.api_files`) both come from it."""

    name: str  # the route's name (the start of its OpenAPI operation id)
    path: str  # under /api/, ending in .json, e.g. "/statistics/{year}.json"
    data: Callable[..., Any]  # (site, **path parameters) → the JSON data
    model: Any  # the response model OpenAPI documents
    summary: str
    every: Callable[[SiteData], Iterable[dict]]  # the path parameters of every file the static build writes

    @property
    def parameters(self) -> list[str]:
        return re.findall(r"\{(\w+)\}", self.path)


def _kinds(entry: type[AuthorityEntry], record: type[BaseModel]) -> tuple[ApiKind, ...]:
    return (
        ApiKind("years", "/years.json", years_listing, list[YearEntry], "The years with figures", lambda site: [{}]),
        ApiKind("authorities", "/authorities.json", authorities_listing, list[entry],
                "Every authority with figures", lambda site: [{}]),
        ApiKind("statistics", "/statistics/{year}.json", year_records, list[record],
                "Every authority's statistics for a year (SPEC 2.3)", _every_year),
        ApiKind("authority_statistics", "/statistics/{year}/{code}.json", authority_record, record,
                "One authority's statistics for a year, by GSS code", _every_record),
        ApiKind("authority_decisions", "/decisions/{code}/{year}.json", decision_listing, list[DecisionEntry],
                "Every decision about one authority in a year, by GSS code", _every_decision_listing),
    )


def _endpoint(kind: ApiKind) -> Callable[..., Response]:
    """The route's function: its path parameters are strings, in the path's order (FastAPI reads the signature)."""

    def endpoint(request: Request, **parameters: str) -> Response:
        try:
            return _json(request, kind.data(_site(request), **parameters))
        except NotFound as error:
            raise HTTPException(404, str(error)) from None

    endpoint.__name__ = kind.name
    endpoint.__signature__ = inspect.Signature([
        inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Request),
        *(inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=str) for name in kind.parameters)])
    return endpoint


class Api(NamedTuple):
    """A scheme's JSON API: its kinds, its path parameters' patterns (by name) and what a 404 from it means."""

    kinds: tuple[ApiKind, ...]
    patterns: dict[str, str]
    not_found: str


def lgsco_api(scheme: Scheme) -> Api:
    """An engine "lgsco" scheme's API: its response models' authority `type` is one of the scheme's type ids, so
    /api/openapi.json lists them."""
    return _typed_api(scheme.type_ids)


@cache
def _typed_api(type_ids: tuple[str, ...]) -> Api:
    entry = create_model("AuthorityEntry", __base__=AuthorityEntry, __module__=__name__,
                         type=(Literal[type_ids], ...))
    return Api(_kinds(entry, typed_record(type_ids)), PARAMETER_PATTERNS, NOT_FOUND)


def api_router(api: Api) -> APIRouter:
    """The live API (the LGSCO's, or a measures scheme's): a GET (and HEAD) route per kind."""
    router = APIRouter(prefix="/api", tags=["open data"])
    for kind in api.kinds:
        _get_and_head(router, kind.path, api.not_found, response_model=kind.model,
                      summary=kind.summary)(_endpoint(kind))
    return router
