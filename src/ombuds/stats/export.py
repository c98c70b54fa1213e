"""The SPEC 2.3 object as one flat CSV row: nested keys joined with dots (`received.Housing`, `average.method`)."""

from __future__ import annotations


def flatten(obj: dict, prefix: str = "") -> dict:
    flat = {}
    for key, value in obj.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, f"{name}."))
        else:
            flat[name] = "" if value is None else value
    return flat
