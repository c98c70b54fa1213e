"""A generic ("measures") scheme's read-only JSON API under /api/: the years, the bodies, and the year records (the
JSON objects the pages draw, `MeasuresRecord.as_json`). The kinds are `site.api.ApiKind`s, as the LGSCO's are: the
live routes, the OpenAPI document and the static build's files all come from them. The response models are made
from the scheme (its word for a body, its measures and breakdowns), so /api/openapi.json documents exactly what is
served."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, Field, create_model

from ombuds import urls
from ombuds.schemes.model import Scheme
from ombuds.site.api import Api, ApiKind
from ombuds.site.data import NotFound
from ombuds.site.measures_data import MeasuresSite
from ombuds.stats import measure_views as views

PARAMETER_PATTERNS = {"year": r"^\d{4}-\d{2}$", "code": r"^[A-Za-z0-9][A-Za-z0-9-]*$"}
VALUE_TYPES = {"distinct": int | None, "count": int | None, "by_label": dict[str, int] | None,
               "ratio": float | None, "per_size": float | None}


class YearEntry(BaseModel):
    year: str
    records: str


class Comparison(BaseModel):
    interval: tuple[float, float] | None
    funnel: str | None
    expected: float | None


def years_listing(site: MeasuresSite) -> list[dict]:
    return [{"year": y.label, "records": urls.measures_api(y.label)} for y in site.years()]


def bodies_listing(site: MeasuresSite) -> list[dict]:
    return [{**who, "latest_year": year.label, "url": urls.body(site.segment, who["slug"])}
            for who, year in site.bodies()]


def year_records(site: MeasuresSite, year: str) -> list[dict]:
    return site.records(site.year(year))


def body_record(site: MeasuresSite, year: str, code: str) -> dict:
    """One body's record: the same record, and the same 404 reason, as its page's."""
    slug = next((who["slug"] for who, _ in site.bodies() if who["code"] == code), None)
    if slug is None:
        raise NotFound(f"no {site.scheme.words.body} has the code '{code}'")
    return site.record(slug, site.year(year, slug))


def _one(site: MeasuresSite) -> list[dict]:
    return [{}]


def _every_year(site: MeasuresSite) -> Iterable[dict]:
    return ({"year": y.label} for y in site.years())


def _every_record(site: MeasuresSite) -> Iterable[dict]:
    for y in site.years():
        for r in site.records(y):
            yield {"year": y.label, "code": views.body(site.scheme, r)["code"]}


def _model(name: str, fields: dict[str, Any]) -> type[BaseModel]:
    """A response model whose properties are `fields`' keys exactly (any key, `from` included, by alias)."""
    return create_model(name, **{f"field_{at}": (kind, Field(alias=key))
                                 for at, (key, kind) in enumerate(fields.items())})


def body_model(scheme: Scheme) -> type[BaseModel]:
    return _model(scheme.words.body.capitalize(), {
        "code": str, "name": str, "slug": str, "type": str, "type_id": str, "size_band": str | None,
        "size_band_id": str | None, scheme.words.size: int | None})


def record_model(scheme: Scheme, body: type[BaseModel]) -> type[BaseModel]:
    """A year record as `MeasuresRecord.as_json` lays it out."""
    averaged = {m.id: float | None for m in scheme.measures if m.kind != "by_label"}
    average = _model("PeerAverage", {"method": str, "group": str, "bodies": int, **averaged})
    fields: dict[str, Any] = {scheme.words.body: body, "year": str}
    fields |= {m.id: VALUE_TYPES[m.kind] for m in scheme.measures}
    fields |= {f"by_{m.breakdown}": dict[str, dict[str, float | None]] for m in scheme.measures if m.breakdown}
    fields |= {"average": average | None, "comparison": dict[str, Comparison], "report": bool, "from": str}
    return _model("YearRecord", fields)


def measures_api(scheme: Scheme) -> Api:
    """The scheme's API, in its own words."""
    body = body_model(scheme)
    listed = _model(f"{body.__name__}Entry", {**{k: f.annotation for k, f in _by_alias(body).items()},
                                              "latest_year": str, "url": str})
    record = record_model(scheme, body)
    word = scheme.words.body
    kinds = (
        ApiKind("years", "/years.json", years_listing, list[YearEntry], "The years with records", _one),
        ApiKind("bodies", "/bodies.json", bodies_listing, list[listed], f"Every {word} with records", _one),
        ApiKind("records", "/records/{year}.json", year_records, list[record], f"Every {word}'s record for a year",
                _every_year),
        ApiKind("record", "/records/{year}/{code}.json", body_record, record,
                f"One {word}'s record for a year, by code", _every_record),
    )
    return Api(kinds, PARAMETER_PATTERNS, f"No such year, {word} or record: `detail` says which")


def _by_alias(model: type[BaseModel]) -> dict[str, Any]:
    return {f.alias: f for f in model.model_fields.values()}
