"""Checking one TOML table against the keys it may have: each problem is `FILE: key: reason`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Problems:
    """The problems found in a scheme folder, in the order found."""

    found: list[str] = field(default_factory=list)

    def add(self, file: str, key: str, reason: str) -> None:
        self.found.append(f"{file}: {key}: {reason}" if key else f"{file}: {reason}")

    def add_line(self, file: str, line: int, column: str, reason: str) -> None:
        self.found.append(f"{file}:{line}: {column}: {reason}")


def _is_str(value: Any) -> bool:
    return isinstance(value, str)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool)


def _is_strs(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _is_table(value: Any) -> bool:
    return isinstance(value, dict)


def _is_tables(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, dict) for v in value)


KINDS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "str": (_is_str, "a string"),
    "int": (_is_int, "a whole number"),
    "bool": (_is_bool, "true or false"),
    "strs": (_is_strs, "a list of strings"),
    "str or strs": (lambda value: _is_str(value) or _is_strs(value), "a string or a list of strings"),
    "table": (_is_table, "a table"),
    "tables": (_is_tables, "an array of tables ([[...]])"),
}


def join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


def fields(data: Any, file: str, prefix: str, spec: dict[str, tuple[str, bool]], problems: Problems,
           ) -> dict[str, Any] | None:
    """The keys of `data` that are as `spec` says (key → (kind, required)); a problem for each other key, each
    missing required key and each value of the wrong kind. None when `data` is not a table at all."""
    if not isinstance(data, dict):
        problems.add(file, prefix, "must be a table")
        return None
    kept: dict[str, Any] = {}
    for key, value in data.items():
        if key not in spec:
            problems.add(file, join(prefix, key), f"unknown key (expected one of: {', '.join(spec)})")
            continue
        test, wanted = KINDS[spec[key][0]]
        if test(value):
            kept[key] = value
        else:
            problems.add(file, join(prefix, key), f"must be {wanted}")
    for key, (_, required) in spec.items():
        if required and key not in data:
            problems.add(file, join(prefix, key), "missing")
    return kept
