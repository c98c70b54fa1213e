"""`bodies.csv` (the bodies a scheme oversees) and `aliases.csv` (name variants that resolve to a body)."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from ombuds.schemes.fields import Problems
from ombuds.schemes.model import Body

BODY_COLUMNS = ("code", "name", "short_name", "takes_the", "type", "start_date", "end_date", "successors", "size",
                "lat", "long", "former_codes", "aliases")
ALIAS_COLUMNS = ("alias", "code")
BODIES, ALIASES = "bodies.csv", "aliases.csv"


def codes(text: str) -> tuple[str, ...]:
    """Codes in one cell, separated by `|` or spaces."""
    return tuple(text.replace("|", " ").split())


def _rows(path: Path, wanted: tuple[str, ...], problems: Problems) -> list[tuple[int, dict[str, str]]] | None:
    try:
        with open(path, encoding="utf-8", newline="") as f:
            reader = csv.DictReader(f)
            header = reader.fieldnames or []
            missing = [c for c in wanted if c not in header]
            if missing:
                problems.add_line(path.name, 1, ", ".join(missing), "missing column")
                return None
            return [(reader.line_num, row) for row in reader]
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        problems.add(path.name, "", f"cannot read: {error}")
        return None


def _date(text: str, line: int, column: str, problems: Problems) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        problems.add_line(BODIES, line, column, f"'{text}' is not a date (write YYYY-MM-DD)")
        return None


def _number(text: str, line: int, column: str, problems: Problems, kind: type) -> int | float | None:
    if not text:
        return None
    try:
        value = kind(text)
    except ValueError:
        problems.add_line(BODIES, line, column, f"'{text}' is not a {'whole ' if kind is int else ''}number")
        return None
    if kind is int and value < 0:
        problems.add_line(BODIES, line, column, f"'{text}' is negative")
        return None
    return value


def _body(line: int, row: dict[str, str], types: tuple[str, ...], problems: Problems) -> Body | None:
    code, name = row["code"].strip(), row["name"].strip()
    for column, value in (("code", code), ("name", name)):
        if not value:
            problems.add_line(BODIES, line, column, "empty")
    if row["type"] not in types:
        known = ", ".join(dict.fromkeys(types))
        problems.add_line(BODIES, line, "type", f"unknown type '{row['type']}' (types.toml has: {known})")
    if row["takes_the"] not in ("", "yes"):
        problems.add_line(BODIES, line, "takes_the", f"'{row['takes_the']}' must be 'yes' or empty")
    start = _date(row["start_date"], line, "start_date", problems)
    end = _date(row["end_date"], line, "end_date", problems)
    if start and end and end < start:
        problems.add_line(BODIES, line, "end_date", f"{end} is before the start date {start}")
    if not code or not name:
        return None
    extra = {k: v for k, v in row.items() if k not in BODY_COLUMNS and k is not None}
    return Body(
        code=code, name=name, short_name=row["short_name"] or name, takes_the=row["takes_the"] == "yes",
        type=row["type"], start_date=start, end_date=end, successors=codes(row["successors"]),
        size=_number(row["size"], line, "size", problems, int),
        lat=_number(row["lat"], line, "lat", problems, float), long=_number(row["long"], line, "long", problems, float),
        former_codes=codes(row["former_codes"]), aliases=tuple(a for a in row["aliases"].split("|") if a),
        extra=extra,
    )


def read_bodies(folder: Path, types: tuple[str, ...], problems: Problems) -> tuple[Body, ...] | None:
    """The bodies, or None when the file cannot be read at all."""
    rows = _rows(folder / BODIES, BODY_COLUMNS, problems)
    if rows is None:
        return None
    bodies: list[tuple[int, Body]] = []
    lines: dict[str, int] = {}
    for line, row in rows:
        body = _body(line, row, types, problems)
        if body is None:
            continue
        for code in (body.code, *body.former_codes):
            if code in lines:
                problems.add_line(BODIES, line, "code", f"'{code}' is already used on line {lines[code]}")
            lines[code] = line
        bodies.append((line, body))
    for line, body in bodies:
        for successor in body.successors:
            if successor not in lines:
                problems.add_line(BODIES, line, "successors", f"unknown body '{successor}'")
    return tuple(body for _, body in bodies)


def read_aliases(folder: Path, known: set[str] | None, problems: Problems) -> dict[str, str]:
    """alias → body code; optional file. Codes are not checked when the bodies could not be read (`known` None)."""
    if not (folder / ALIASES).exists():
        return {}
    rows = _rows(folder / ALIASES, ALIAS_COLUMNS, problems)
    if rows is None:
        return {}
    aliases: dict[str, str] = {}
    seen: dict[str, tuple[int, str]] = {}  # alias, any case → (line, code)
    for line, row in rows:
        alias, code = row["alias"].strip(), row["code"].strip()
        if not alias:
            problems.add_line(ALIASES, line, "alias", "empty")
            continue
        if known is not None and code not in known:
            problems.add_line(ALIASES, line, "code", f"unknown body '{code}'")
            continue
        earlier = seen.setdefault(alias.casefold(), (line, code))
        if earlier[1] != code:
            problems.add_line(ALIASES, line, "alias", f"'{alias}' already names another body on line {earlier[0]}")
            continue
        aliases[alias] = code
    return aliases
