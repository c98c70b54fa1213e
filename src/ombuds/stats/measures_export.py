"""What `ombuds stats` prints for a measures scheme: the year records as JSON objects (`MeasuresRecord.as_json`),
or flattened into CSV rows as for the LGSCO (`stats.export`)."""

from __future__ import annotations

from ombuds.errors import OmbudsError
from ombuds.registry.lookup import strict_key
from ombuds.schemes.model import Body, Scheme
from ombuds.stats.export import flatten, neutralise
from ombuds.stats.measures_service import MeasuresService
from ombuds.years import Year


def find_body(scheme: Scheme, text: str) -> Body:
    """The body a code, name, short name or alias names (case, punctuation and "&"/"and" aside)."""
    wanted = strict_key(text)
    codes = {strict_key(alias): code for alias, code in scheme.aliases.items()}
    for body in scheme.bodies:
        if wanted in {strict_key(body.code), strict_key(body.name), strict_key(body.short_name),
                      *map(strict_key, body.aliases)} or codes.get(wanted) == body.code:
            return body
    raise OmbudsError(f"no {scheme.words.body} '{text}' in the {scheme.short_name} scheme's bodies or aliases")


def printed_objects(service: MeasuresService, year: Year | None, body: str | None = None) -> list[dict]:
    """The records of the year (or of every year held), of one body if named, as `stats --format json` prints."""
    years = [year] if year is not None else service.years()
    if not years:
        raise OmbudsError("the database holds no records yet: import some with 'ombuds import'")
    scheme = service.scheme
    code = find_body(scheme, body).code if body else None
    found = [r.as_json(scheme) for y in years for r in service.year(y).records if code in (None, r.body.code)]
    if code and not found:
        raise OmbudsError(f"no figures for '{body}' in {', '.join(y.label for y in years)}")
    return found


def csv_rows(objects: list[dict]) -> list[dict]:
    """Each object flattened (nested keys joined with dots, intervals as .low and .high), safe for a spreadsheet."""
    return [{k: neutralise(v) for k, v in flatten(o).items()} for o in objects]
