"""Reading a scheme folder into a `Scheme`, collecting every problem as `FILE: key: reason`."""

from __future__ import annotations

import json
import re
import tomllib
from datetime import date
from itertools import pairwise
from pathlib import Path
from typing import Any

from ombuds.errors import OmbudsError
from ombuds.schemes.bodies import read_aliases, read_bodies
from ombuds.schemes.case_kinds import read_case_kinds
from ombuds.schemes.engine_measures import check_lgsco_measures, decision_flags
from ombuds.schemes.fields import Problems, fields, join
from ombuds.schemes.keys import is_id
from ombuds.schemes.measures import read_kinds, read_measures
from ombuds.schemes.model import (
    ELSEWHERE,
    ENGINES,
    PEER_KEYS,
    PEER_METHODS,
    POSTCODES,
    BodyType,
    DataNotes,
    Label,
    LabelSet,
    License,
    MapInset,
    MapView,
    PeerGroups,
    Provision,
    Report,
    Scheme,
    SizeBand,
    Words,
)
from ombuds.schemes.statistics_layouts import check_layouts
from ombuds.years import Year

FORMAT = 1
TOP = {"format": ("int", True), "id": ("str", True), "name": ("str", True), "short_name": ("str", True),
       "engine": ("str", True), "year_start": ("str", True), "earliest_year": ("str", True),
       "words": ("table", True), "report": ("table", True), "data": ("table", True), "geography": ("table", False),
       "map": ("table", False)}
WORDS = {"body": ("str", True), "bodies": ("str", True), "body_type": ("str", True), "size": ("str", True),
         "letter": ("table", False), "site": ("table", False)}
# An engine "lgsco" scheme's letter words ([words.letter]): each key and the placeholders its text may use.
LETTER = {
    "without_investigation": (), "compliance_corner": (), "uphold_rate_label": (), "compliance_rate_label": (),
    "satisfactory_remedy_rate_label": (), "nothing_investigated": ("about",), "nothing_recorded": (),
    "nothing_upheld": (), "nothing_received": ("about",), "nothing_decided": ("about",),
    "nothing_investigated_no_rate": ("about",), "no_average_no_type": (), "no_average_abolished": (),
    "no_average_no_cases": (), "average_was": ("average",), "average_label": (), "few_cases": ("cases",),
    "no_contact_recipient": (), "no_contact_salutation": (), "figures_page": ("authority",),
    "figures_page_link": ("site",), "figures_page_after": (), "reading_link": (), "reading_after": (),
    "synthetic_notice": (), "delivery": (),
}
# An engine "lgsco" scheme's site words ([words.site]) that name its own things, and their placeholders.
SITE = {"area": (), "uphold_by_type": (), "uphold_by_type_chart": (), "received_by_area": (),
        "received_by_area_chart": (), "received_by_area_table": (), "two_tier_search": (),
        "two_tier_postcode": ("postcode", "count"), "map_description": (), "decisions": (), "decisions_upheld": (),
        "decisions_satisfactory_remedy": (), "decisions_not_upheld": (), "all_decisions": (), "satisfactory_remedy": ()}
PLACEHOLDER = re.compile(r"\{(\w*)\}")
REPORT = {"name": ("str", True), "min_records": ("int", False), "min_measure": ("str", False)}
DATA = {"coverage": ("str", True), "attribution": ("str", True), "licenses": ("tables", False)}
LICENSE = {"name": ("str", True), "title": ("str", True), "path": ("str", True)}  # a Data Package licence
TYPE = {"id": ("str", True), "name": ("str", True), "plural": ("str", True), "peer_average": ("bool", True)}
LABEL_SET = {"name": ("str", True), "plural": ("str", False), "labels": ("tables", True), "editions": ("table", False)}
LABEL = {"id": ("str", True), "name": ("str", True), "aliases": ("strs", False)}
PEERS = {"by": ("strs", True), "method": ("str", True), "size_bands": ("tables", False)}
BAND = {"id": ("str", True), "name": ("str", True), "min": ("int", True), "max": ("int", False)}
VIEW = {"id": ("str", True), "name": ("str", True), "types": ("strs", True)}
INSET = {"id": ("str", True), "type": ("str", True), "heading": ("str", True), "title": ("str", True),
         "description": ("str", True)}
PROVISION = {"id": ("str", True), "section": ("str", True), "title": ("str", True)}
CODE = {"name": ("str", False), "applies_from": ("str", False), "timeliness": ("table", False),
        "escalation": ("table", False), "provisions": ("tables", True)}
ESCALATION = {"received": ("str", False), "decided": ("str", False), "upheld": ("str", False)}
TIMELINESS = {"acknowledge": ("int", True), "stage1": ("table", True), "stage2": ("table", True)}
STAGE_LIMITS = {"respond": ("int", True), "extended": ("int", True)}


def _toml(folder: Path, name: str, problems: Problems, required: bool = True) -> dict[str, Any] | None:
    path = folder / name
    if not path.exists():
        if required:
            problems.add(name, "", "missing file")
        return None
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        problems.add(name, "", f"not valid TOML: {error}")
        return None


def _duplicates(file: str, prefix: str, ids: list[str], problems: Problems) -> None:
    seen: set[str] = set()
    for i, item in enumerate(ids):
        if item in seen:
            problems.add(file, f"{prefix}[{i}].id", f"duplicate id '{item}'")
        seen.add(item)


def _engine_words(name: str, keys: dict[str, tuple[str, ...]], table: dict | None, needed: bool,
                  problems: Problems) -> dict[str, str]:
    """[words.<name>] (letter, site): every key of `keys`, each text using only its own placeholders; needed by
    engine "lgsco"."""
    if table is None:
        if needed:
            readers = {"letter": "letters", "site": "pages"}[name]
            problems.add("scheme.toml", f"words.{name}", f"missing (engine lgsco's {readers} take their words from it)")
        return {}
    words = fields(table, "scheme.toml", f"words.{name}", {key: ("str", True) for key in keys}, problems) or {}
    for key, text in words.items():
        for placeholder in PLACEHOLDER.findall(text):
            if placeholder not in keys[key]:
                known = ", ".join(f"{{{p}}}" for p in keys[key]) or "none"
                problems.add("scheme.toml", f"words.{name}.{key}",
                             f"unknown placeholder {{{placeholder}}} (known: {known})")
    return words


def _year_start(text: str, problems: Problems) -> tuple[int, int]:
    try:
        day = date.fromisoformat(f"2001-{text}")
    except ValueError:
        problems.add("scheme.toml", "year_start", f"'{text}' is not a month and day (write MM-DD, e.g. 04-01)")
        return (4, 1)
    return (day.month, day.day)


def _header(data: dict[str, Any] | None, folder: Path, problems: Problems) -> dict[str, Any]:
    """scheme.toml's keys, checked; sub-tables checked too."""
    file = "scheme.toml"
    top = fields(data, file, "", TOP, problems) if data is not None else None
    if top is None:
        return {}
    if "format" in top and top["format"] != FORMAT:
        problems.add(file, "format", f"{top['format']} is not a format this ombuds reads (write format = {FORMAT})")
    if "id" in top and not is_id(top["id"]):
        problems.add(file, "id", f"'{top['id']}' is not an id: lower-case letters, digits and -")
    if "engine" in top and top["engine"] not in ENGINES:
        problems.add(file, "engine", f"unknown engine '{top['engine']}' (one of: {', '.join(ENGINES)})")
    if "year_start" in top:
        top["year_start"] = _year_start(top["year_start"], problems)
    if "earliest_year" in top:
        try:
            Year.parse(top["earliest_year"])
        except OmbudsError as error:
            problems.add(file, "earliest_year", str(error))
    for name, spec in (("words", WORDS), ("report", REPORT), ("data", DATA)):
        if name in top:
            top[name] = fields(top[name], file, name, spec, problems) or {}
    if "words" in top:
        for name, keys in (("letter", LETTER), ("site", SITE)):
            top["words"][name] = _engine_words(name, keys, top["words"].get(name), top.get("engine") == "lgsco",
                                               problems)
    if "data" in top:
        top["data"]["licenses"] = _licenses(top["data"].get("licenses", []), problems)
    geography = fields(top.get("geography", {}), file, "geography",
                       {"postcodes": ("str", False), "elsewhere": ("table", False)}, problems) or {}
    top["postcodes"] = geography.get("postcodes", "none")
    if top["postcodes"] not in POSTCODES:
        problems.add(file, "geography.postcodes", f"unknown geography '{top['postcodes']}' (one of: "
                     f"{', '.join(POSTCODES)})")
    top["elsewhere"] = _elsewhere(geography.get("elsewhere", {}), ELSEWHERE.get(top["postcodes"], ()), problems)
    mapping = fields(top.get("map", {}), file, "map", {"hexjson": ("str", False), "views": ("tables", False),
                                                       "inset": ("table", False)}, problems) or {}
    top["hexjson"] = mapping.get("hexjson", "")
    top["views"] = mapping.get("views", [])
    top["inset"] = mapping.get("inset")
    if top["hexjson"] not in ("", "generated") and not (folder / top["hexjson"]).is_file():
        problems.add(file, "map.hexjson", f"no file '{top['hexjson']}' in the scheme folder")
    return top


def _licenses(items: list[Any], problems: Problems) -> tuple[License, ...]:
    """`[[data.licenses]]`: the licences the data is published under (name, title and path, as Data Packages
    name them)."""
    kept = []
    for i, item in enumerate(items):
        row = fields(item, "scheme.toml", f"data.licenses[{i}]", LICENSE, problems)
        if row is not None and LICENSE.keys() <= row.keys():
            kept.append(License(**row))
    return tuple(kept)


def _elsewhere(messages: dict[str, Any], places: tuple[str, ...], problems: Problems) -> dict[str, str]:
    """`[geography.elsewhere]`: one message per place outside the area the geography's postcodes reach."""
    if messages and not places:
        problems.add("scheme.toml", "geography.elsewhere", "no postcode search to say it (postcodes = \"none\")")
        return {}
    spec = {place: ("str", True) for place in places}
    kept = fields(messages, "scheme.toml", "geography.elsewhere", spec, problems) or {}
    for place, message in kept.items():
        if "{postcode}" not in message:
            problems.add("scheme.toml", f"geography.elsewhere.{place}", "must say where: it has no {postcode}")
    return kept


def _map_views(views: list[Any], types: tuple[BodyType, ...], problems: Problems) -> tuple[MapView, ...]:
    known = {t.id for t in types}
    kept = []
    for i, item in enumerate(views):
        row = fields(item, "scheme.toml", f"map.views[{i}]", VIEW, problems)
        if row is None or VIEW.keys() > row.keys():
            continue
        for type_id in row["types"]:
            if type_id not in known:
                problems.add("scheme.toml", f"map.views[{i}].types", f"unknown type '{type_id}'")
        kept.append(MapView(id=row["id"], name=row["name"], types=tuple(row["types"])))
    _duplicates("scheme.toml", "map.views", [v.id for v in kept], problems)
    for i, view in enumerate(kept):
        if not is_id(view.id):
            problems.add("scheme.toml", f"map.views[{i}].id", f"'{view.id}' is not an id: lower-case letters, "
                         "digits, - and _ (it is in the map's address)")
    return tuple(kept)


def _map_inset(item: dict[str, Any] | None, views: tuple[MapView, ...], problems: Problems) -> MapInset | None:
    """`[map.inset]`: one type's bodies again, larger and labelled, beside the home map."""
    if item is None:
        return None
    row = fields(item, "scheme.toml", "map.inset", INSET, problems)
    if row is None or INSET.keys() > row.keys():
        return None
    if not is_id(row["id"]):
        problems.add("scheme.toml", "map.inset.id", f"'{row['id']}' is not an id: lower-case letters, digits, - and _")
    if not any(row["type"] in view.types for view in views):
        problems.add("scheme.toml", "map.inset.type", f"'{row['type']}' is in no map view's types")
    return MapInset(**row)


def _types(data: dict[str, Any] | None, problems: Problems) -> tuple[BodyType, ...]:
    table = fields(data, "types.toml", "", {"types": ("tables", True)}, problems) if data is not None else None
    if not table or "types" not in table:
        return ()
    types = []
    for i, item in enumerate(table["types"]):
        row = fields(item, "types.toml", f"types[{i}]", TYPE, problems)
        if row is not None and TYPE.keys() <= row.keys():
            if not row["id"].strip() or "|" in row["id"]:
                problems.add("types.toml", f"types[{i}].id", "a type id is non-empty words without |")
            types.append(BodyType(**row))
    _duplicates("types.toml", "types", [t.id for t in types], problems)
    return tuple(types)


def _label_set(set_id: str, data: Any, problems: Problems) -> LabelSet | None:
    file, key = "labels.toml", f"sets.{set_id}"
    if not is_id(set_id):
        problems.add(file, key, "a label set id is lower-case letters, digits, - and _")
    table = fields(data, file, key, LABEL_SET, problems)
    if table is None or not {"name", "labels"} <= table.keys():
        return None
    labels = []
    for i, item in enumerate(table["labels"]):
        row = fields(item, file, f"{key}.labels[{i}]", LABEL, problems)
        if row is None or not {"id", "name"} <= row.keys():
            continue
        if not is_id(row["id"]):
            problems.add(file, f"{key}.labels[{i}].id", f"'{row['id']}' is not an id: lower-case letters, digits, "
                         "- and _")
        labels.append(Label(id=row["id"], name=row["name"], aliases=tuple(row.get("aliases", ()))))
    _duplicates(file, f"{key}.labels", [label.id for label in labels], problems)
    ids = {label.id for label in labels}
    editions: dict[str, dict[str, str]] = {}
    for edition, words in table.get("editions", {}).items():
        where = join(f"{key}.editions", f'"{edition}"')
        if not isinstance(words, dict):
            problems.add(file, where, "must be a table of label id = words")
            continue
        for label_id, text in words.items():
            if label_id not in ids:
                problems.add(file, f"{where}.{label_id}", f"label set '{set_id}' has no label '{label_id}'")
            elif not isinstance(text, str):
                problems.add(file, f"{where}.{label_id}", "must be a string")
        editions[edition] = {k: v for k, v in words.items() if k in ids and isinstance(v, str)}
    return LabelSet(id=set_id, name=table["name"], labels=tuple(labels), editions=editions,
                    plural=table.get("plural", ""))


def _label_sets(data: dict[str, Any] | None, problems: Problems) -> dict[str, LabelSet]:
    table = fields(data, "labels.toml", "", {"sets": ("table", True)}, problems) if data is not None else None
    if not table or "sets" not in table:
        return {}
    return {k: s for k, d in table["sets"].items() if (s := _label_set(k, d, problems))}


def _peer_groups(data: dict[str, Any] | None, problems: Problems) -> PeerGroups:
    file = "peer_groups.toml"
    table = (fields(data, file, "", PEERS, problems) if data is not None else None) or {}
    by = tuple(table.get("by", ("type",)))
    for item in by:
        if item not in PEER_KEYS:
            problems.add(file, "by", f"unknown grouping '{item}' (one of: {', '.join(PEER_KEYS)})")
    method = table.get("method", "pooled")
    if method not in PEER_METHODS:
        problems.add(file, "method", f"unknown method '{method}' (one of: {', '.join(PEER_METHODS)})")
    bands = []
    for i, item in enumerate(table.get("size_bands", ())):
        row = fields(item, file, f"size_bands[{i}]", BAND, problems)
        if row is not None and {"id", "name", "min"} <= row.keys():
            if row.get("max") is not None and row["max"] < row["min"]:
                problems.add(file, f"size_bands[{i}].max", f"{row['max']} is below min {row['min']}")
            bands.append(SizeBand(id=row["id"], name=row["name"], min=row["min"], max=row.get("max")))
    _duplicates(file, "size_bands", [b.id for b in bands], problems)
    ordered = sorted(bands, key=lambda b: b.min)
    for low, high in pairwise(ordered):
        if low.max is None or low.max >= high.min:
            problems.add(file, f"size_bands.{high.id}", f"overlaps size band '{low.id}'")
    if "size_band" in by and not bands:
        problems.add(file, "size_bands", "missing (peer groups by size_band need size bands)")
    return PeerGroups(by=by, method=method, size_bands=tuple(bands))


def _provisions(data: dict[str, Any] | None, measures: tuple, problems: Problems) -> tuple[Provision, ...]:
    if data is None:
        return ()
    table = fields(data, "code.toml", "", CODE, problems) or {}
    steps = fields(table.get("escalation", {}), "code.toml", "escalation", ESCALATION, problems) or {}
    kinds = {m.id: m.kind for m in measures}
    for step, measure in steps.items():  # the ombudsman's side of the funnel, from a measures scheme's figures
        wanted = ("count",) if step == "upheld" else ("count", "distinct")  # upheld: its records are listed
        if measure not in kinds:
            problems.add("code.toml", f"escalation.{step}", f"unknown measure '{measure}'")
        elif kinds[measure] not in wanted:
            problems.add("code.toml", f"escalation.{step}", f"measure '{measure}' is a {kinds[measure]}: the step "
                         f"needs a {' or '.join(wanted)} measure")
    if "timeliness" in table:  # the time limits, read by ombuds.handling_code
        limits = fields(table["timeliness"], "code.toml", "timeliness", TIMELINESS, problems) or {}
        for stage in ("stage1", "stage2"):
            fields(limits.get(stage, {}), "code.toml", f"timeliness.{stage}", STAGE_LIMITS, problems)
    rows = [fields(item, "code.toml", f"provisions[{i}]", PROVISION, problems)
            for i, item in enumerate(table.get("provisions", ()))]
    provisions = [Provision(**row) for row in rows if row is not None and PROVISION.keys() <= row.keys()]
    _duplicates("code.toml", "provisions", [p.id for p in provisions], problems)
    return tuple(provisions)


def _tomls(folder: Path, name: str, problems: Problems) -> dict[str, dict[str, Any]]:
    """Every `*.toml` of a sub-folder (editions/, layouts/), by file stem."""
    if not (folder / name).is_dir():
        return {}
    files = sorted((folder / name).glob("*.toml"))
    return {path.stem: data for path in files if (data := _toml(folder, f"{name}/{path.name}", problems)) is not None}


def _hexjson(folder: Path, name: str, codes: set[str], problems: Problems) -> dict[str, Any] | None:
    if name in ("", "generated") or not (folder / name).is_file():
        return None
    try:
        data = json.loads((folder / name).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        problems.add(name, "", f"not valid JSON: {error}")
        return None
    if not isinstance(data, dict) or not isinstance(data.get("hexes"), dict):
        problems.add(name, "hexes", "missing (a HexJSON has a layout and a table of hexes)")
        return None
    for code in data["hexes"]:
        if code not in codes:
            problems.add(name, f"hexes.{code}", "not a body code in bodies.csv")
    return data


def read_scheme(folder: Path) -> tuple[Scheme | None, list[str]]:
    """The scheme in `folder` and every problem found (the scheme is None when a required part is unusable)."""
    problems = Problems()
    if not folder.is_dir():
        return None, [f"{folder}: not a folder"]
    top = _header(_toml(folder, "scheme.toml", problems), folder, problems)
    types = _types(_toml(folder, "types.toml", problems), problems)
    sets = _label_sets(_toml(folder, "labels.toml", problems), problems)
    generic = top.get("engine") == "measures"
    kinds_data = _toml(folder, "kinds.toml", problems, required=generic)
    lgsco = top.get("engine") == "lgsco"  # its kinds.toml: the case tables' kinds (optional: the shipped LGSCO's)
    kinds = read_kinds(kinds_data, sets, problems) if kinds_data is not None and not lgsco else {}
    case_kinds = read_case_kinds(kinds_data, sets, problems) if kinds_data is not None and lgsco else {}
    measures_data = _toml(folder, "measures.toml", problems, required=generic)  # lgsco: absent, the shipped LGSCO's
    measures = (read_measures(measures_data, sets, kinds, problems, decision_flags if lgsco else None)
                if measures_data is not None else ())
    if lgsco and measures_data is not None:
        check_lgsco_measures(measures, problems)
    views = _map_views(top.get("views", []), types, problems)
    inset = _map_inset(top.get("inset"), views, problems)
    peers = _peer_groups(_toml(folder, "peer_groups.toml", problems), problems)
    bodies = read_bodies(folder, tuple(t.id for t in types), problems)
    known = None if bodies is None else {code for b in bodies for code in (b.code, *b.former_codes)}
    aliases = read_aliases(folder, known, problems)
    report = top.get("report", {})
    if report.get("min_records", 0) > 0 and report.get("min_measure") not in {m.id for m in measures}:
        problems.add("scheme.toml", "report.min_measure", f"unknown measure '{report.get('min_measure', '')}'"
                     if "min_measure" in report else "missing (min_records counts this measure)")
    editions = _tomls(folder, "editions", problems)
    layouts = _tomls(folder, "layouts", problems)
    if top.get("engine") == "lgsco":
        check_layouts(layouts, problems)
    hexmap = _hexjson(folder, top.get("hexjson", ""), known or set(), problems)
    provisions = _provisions(_toml(folder, "code.toml", problems, required=False), measures, problems)
    if problems.found:
        return None, problems.found
    scheme = Scheme(
        folder=folder, id=top["id"], name=top["name"], short_name=top["short_name"], engine=top["engine"],
        year_start=top["year_start"], earliest_year=top["earliest_year"],
        words=Words(**top["words"]),
        report=Report(name=report["name"], min_records=report.get("min_records", 0),
                      min_measure=report.get("min_measure", "")),
        data=DataNotes(**top["data"]), postcodes=top["postcodes"], elsewhere=top["elsewhere"], hexjson=top["hexjson"],
        map_views=views, map_inset=inset,
        bodies=bodies or (), aliases=aliases, types=types, label_sets=sets, kinds=kinds, measures=measures,
        peer_groups=peers, editions=editions, layouts=layouts, map=hexmap, provisions=provisions,
        case_kinds=case_kinds,
    )
    return scheme, []
