"""The SPEC 2.3 object as one flat CSV row: nested keys joined with dots (`received.Housing`, `average.method`),
and an interval's two ends as `.low` and `.high` (`interval.uphold_rate.low`)."""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def flatten(obj: dict, prefix: str = "") -> dict:
    flat = {}
    for key, value in obj.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, f"{name}."))
        elif isinstance(value, list | tuple) or (value is None and prefix == "interval."):
            low, high = value or ("", "")
            flat[f"{name}.low"], flat[f"{name}.high"] = low, high
        else:
            flat[name] = "" if value is None else value
    return flat


def columns(rows: list[dict]) -> list[str]:
    """Every column of any row, in first-seen order: rows differ where a comparison is missing (no earlier year)."""
    return list(dict.fromkeys(key for row in rows for key in row))


def neutralise(value):
    """A cell value safe from formula injection: text that a spreadsheet would run as a formula gets a leading `'`."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
