"""Loading the registry file and resolving codes and names to authorities."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from datetime import date
from pathlib import Path

from ombuds.errors import OmbudsError
from ombuds.registry.authorities import Authority
from ombuds.schemes import Body, Scheme
from ombuds.years import Year

_GSS = re.compile(r"^[A-Za-z]\d{8}$")
_FILLER = frozenset({"council", "borough", "city", "district", "county", "metropolitan", "of", "the",
                     "corporation", "royal"})


def looks_like_code(text: str) -> bool:
    """A GSS code, such as E07000243."""
    return bool(_GSS.match(text.strip()))


def strict_key(name: str) -> str:
    """Case, punctuation and "&"/"and" do not matter."""
    text = name.casefold().replace("&", " and ").replace("'", "").replace("’", "")
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text).split())


def loose_key(name: str) -> str:
    """Nor do the words Council, Borough, City, District, County and their like."""
    return " ".join(word for word in strict_key(name).split() if word not in _FILLER)


class AuthorityNotFound(OmbudsError):
    """An unknown or ambiguous authority; the message lists the closest matches."""


class Registry:
    def __init__(self, authorities: list[Authority]):
        self.authorities = sorted(authorities, key=lambda a: a.name)
        self.by_code = {a.code: a for a in authorities}
        self._codes: dict[str, Authority] = {}
        self._official: dict[str, set[str]] = defaultdict(set)
        self._strict: dict[str, set[str]] = defaultdict(set)
        self._loose: dict[str, set[str]] = defaultdict(set)
        self._names: dict[str, Authority] = {}
        self._loose_names: dict[str, Authority] = {}
        for a in authorities:
            for code in (a.code, *a.former_codes):
                self._codes[code.upper()] = a
            self._official[strict_key(a.name)].add(a.code)
            for name in (a.name, a.short_name, *a.aliases):
                self._strict[strict_key(name)].add(a.code)
                if loose_key(name):
                    self._loose[loose_key(name)].add(a.code)
            for name in (a.name, a.short_name):
                self._names.setdefault(strict_key(name), a)
                self._loose_names.setdefault(loose_key(name), a)

    def __iter__(self):
        return iter(self.authorities)

    def __len__(self) -> int:
        return len(self.authorities)

    def get(self, code: str) -> Authority:
        return self.by_code[code]

    def candidates(self, text: str) -> list[Authority]:
        """Every authority `text` may name: a code gives one, a name may give several."""
        text = text.strip()
        if _GSS.match(text):
            found = self._codes.get(text.upper())
            return [found] if found else []
        codes = self._official.get(strict_key(text))
        if not codes:  # a short name or alias may be shared by an abolished council and its successor
            codes = self._strict.get(strict_key(text), set()) | self._loose.get(loose_key(text) or "-", set())
        return sorted((self.by_code[c] for c in codes), key=lambda a: a.code)

    def resolve(self, text: str, on: date | None = None) -> Authority:
        """The one authority `text` names; `on` picks among namesakes by who existed that day."""
        found = self.candidates(text)
        if len(found) > 1 and on is not None:
            found = pick_by_date(found, on)
        if len(found) == 1:
            return found[0]
        if not found:
            raise AuthorityNotFound(f"unknown authority '{text}'{self._suggestions(text)}")
        listed = "; ".join(f"{a.name} ({a.code}{lifespan(a)})" for a in found)
        raise AuthorityNotFound(f"ambiguous authority '{text}': could be {listed}; use the GSS code")

    def _suggestions(self, text: str) -> str:
        """Near misses on the distinctive words first (Stevenag → Stevenage), then on the whole name."""
        key = loose_key(text)
        matches = [a for k, a in self._loose_names.items() if key and k.startswith(key + " ")]
        import difflib  # only for a name that is not found

        close = difflib.get_close_matches(key, list(self._loose_names), n=5, cutoff=0.7)
        matches += [self._loose_names[k] for k in close]
        if not matches:
            close = difflib.get_close_matches(strict_key(text), list(self._names), n=5, cutoff=0.75)
            matches = [self._names[k] for k in close]
        matches = list(dict.fromkeys(matches))[:5]
        return "; closest matches: " + ", ".join(f"{a.name} ({a.code})" for a in matches) if matches else ""

    def current_in(self, year: Year) -> list[Authority]:
        return [a for a in self.authorities if a.current_in(year)]


def pick_by_date(found: list[Authority], on: date) -> list[Authority]:
    existing = [a for a in found if a.existed_on(on)]
    if existing:
        return existing
    return [a for a in found if a.lifetime_problem(on) is None] or found


def lifespan(a: Authority) -> str:
    if a.start_date and a.end_date:
        return f", {a.start_date.isoformat()} to {a.end_date.isoformat()}"
    if a.start_date:
        return f", from {a.start_date.isoformat()}"
    if a.end_date:
        return f", until {a.end_date.isoformat()}"
    return ""


def _optional_date(value: str) -> date | None:
    return date.fromisoformat(value) if value else None


def authorities_from_rows(rows: list[dict[str, str]], peer_average_types: tuple[str, ...]) -> list[Authority]:
    predecessors: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        for successor in row["successors"].split():
            predecessors[successor].append(row["code"])
    return [
        Authority(
            code=row["code"],
            name=row["name"],
            short_name=row["short_name"],
            takes_the=row["takes_the"] == "yes",
            type=row["type"],
            start_date=_optional_date(row["start_date"]),
            end_date=_optional_date(row["end_date"]),
            successors=tuple(row["successors"].split()),
            predecessors=tuple(sorted(predecessors[row["code"]])),
            county=row["county"] or None,
            region=row["region"],
            population_2020=int(row["size"]) if row["size"] else None,
            lat=float(row["lat"]) if row["lat"] else None,
            long=float(row["long"]) if row["long"] else None,
            former_codes=tuple(row["former_codes"].split()),
            aliases=tuple(a for a in row["aliases"].split("|") if a),
            peer_average=row["type"] in peer_average_types,
        )
        for row in rows
    ]


def authorities_of(bodies: tuple[Body, ...], aliases: Mapping[str, str], peer_average_types: tuple[str, ...]
                   ) -> list[Authority]:
    """A scheme's bodies as authorities, each knowing its predecessors, its names in `aliases.csv` (alias → code) and
    whether its type is compared with an average (`peer_average_types`)."""
    predecessors: dict[str, list[str]] = defaultdict(list)
    listed: dict[str, list[str]] = defaultdict(list)
    for alias, code in aliases.items():
        listed[code].append(alias)
    for body in bodies:
        for successor in body.successors:
            predecessors[successor].append(body.code)
    return [
        Authority(code=b.code, name=b.name, short_name=b.short_name, takes_the=b.takes_the, type=b.type,
                  start_date=b.start_date, end_date=b.end_date, successors=b.successors,
                  predecessors=tuple(sorted(predecessors[b.code])), county=b.extra.get("county") or None,
                  region=b.extra.get("region", ""), population_2020=b.size, lat=b.lat, long=b.long,
                  former_codes=b.former_codes, aliases=(*b.aliases, *listed[b.code]),
                  peer_average=b.type in peer_average_types)
        for b in bodies
    ]


_REGISTRIES: dict[Path, Registry] = {}


def registry_of(scheme: Scheme) -> Registry:
    """The registry of a scheme's bodies (`bodies.csv`), built once per scheme folder."""
    if scheme.folder not in _REGISTRIES:
        _REGISTRIES[scheme.folder] = Registry(authorities_of(scheme.bodies, scheme.aliases, scheme.peer_average_types))
    return _REGISTRIES[scheme.folder]
