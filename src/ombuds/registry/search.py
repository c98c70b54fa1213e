"""Finding an authority by what people type: exact names and known short forms first ("Herts" is Hertfordshire),
existing authorities before abolished ones (an abolished one brings its successor up with it), then names that
begin with the words typed, then names that contain them; close spellings when nothing matches.

`static/search.js` ranks the same way from `search/names.json` (`index_entry`): keep the two in step.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ombuds.registry.authorities import Authority
from ombuds.registry.lookup import strict_key

# The short forms people write for county names (as the counties' own councils and the Royal Mail use them).
SHORT_FORMS = {
    "bedfordshire": "beds", "berkshire": "berks", "buckinghamshire": "bucks", "cambridgeshire": "cambs",
    "derbyshire": "derbys", "gloucestershire": "glos", "hampshire": "hants", "hertfordshire": "herts",
    "lancashire": "lancs", "leicestershire": "leics", "lincolnshire": "lincs", "northamptonshire": "northants",
    "nottinghamshire": "notts", "oxfordshire": "oxon", "shropshire": "shrops", "staffordshire": "staffs",
    "warwickshire": "warks", "wiltshire": "wilts", "worcestershire": "worcs", "yorkshire": "yorks",
}
_LONG = re.compile(r"\b(" + "|".join(SHORT_FORMS) + r")\b")
EXACT, ALIAS, BEGINS, CONTAINS = range(4)
CLOSE = 0.75  # a suggestion differs from what was typed in at most a quarter of its letters


def abbreviated(key: str) -> str:
    """`north hertfordshire` → `north herts`."""
    return _LONG.sub(lambda m: SHORT_FORMS[m[1]], key)


def main_names(a: Authority) -> list[str]:
    """The keys of the names people use for it: official, short, and with a county's short form."""
    keys = [strict_key(n) for n in (a.name, a.short_name) if n]
    return list(dict.fromkeys([*keys, *(abbreviated(k) for k in keys)]))


def other_names(a: Authority) -> list[str]:
    return [k for k in dict.fromkeys(strict_key(n) for n in a.aliases) if k not in main_names(a)]


def by_name_in_use(a: Authority) -> str:
    """The sort key of the name people use: `camden` for the London Borough of Camden."""
    return strict_key(a.short_name or a.name)


def existing(a: Authority) -> bool:
    return a.end_date is None


def _tier(a: Authority, key: str) -> int | None:
    if key in main_names(a):
        return EXACT
    if key in other_names(a):
        return ALIAS
    every = [*main_names(a), *other_names(a)]
    if any(k.startswith(key) for k in every):
        return BEGINS
    if len(key) >= 2 and any(key in k for k in every):
        return CONTAINS
    return None


@dataclass(frozen=True)
class Found:
    authorities: list[Authority]  # best first
    sure: bool  # one existing authority is the answer: go to it


def find(authorities: Iterable[Authority], text: str) -> Found:
    """Every authority among `authorities` that `text` names, best first: by tier; an abolished authority's
    successor at its tier; existing before abolished; councils before other bodies; by the name people use."""
    key = strict_key(text)
    pool = {a.code: a for a in authorities}
    tiers: dict[str, int] = {}
    for a in pool.values():
        tier = _tier(a, key) if key else None
        if tier is not None:
            tiers[a.code] = min(tier, tiers.get(a.code, tier))
            for code in a.successors if not existing(a) else ():
                if code in pool:
                    tiers[code] = min(tier, tiers.get(code, tier))
    found = sorted((pool[c] for c in tiers), key=lambda a: (tiers[a.code], not existing(a), a.type == "Other",
                                                           by_name_in_use(a)))
    best = [a for a in found if tiers[a.code] == tiers[found[0].code]] if found else []
    sure = len(best) == 1 and existing(best[0]) and (tiers[best[0].code] <= ALIAS or len(found) == 1)
    return Found(found, sure)


def similarity(a: str, b: str) -> float:
    """1 - edit distance / the longer length (Levenshtein)."""
    if not a or not b:
        return 0.0
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, start=1):
        previous, row[0] = row[0], i
        for j, y in enumerate(b, start=1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (x != y))
    return 1 - row[len(b)] / max(len(a), len(b))


def close_spellings(authorities: Iterable[Authority], text: str, limit: int = 5) -> list[Authority]:
    """Authorities one of whose names (or its start) is spelt like `text` ("stevnage" → Stevenage), closest
    first."""
    key = strict_key(text)
    scored = []
    for a in authorities:
        names = [*main_names(a), *other_names(a)]
        if len(key) >= 4:  # the start of a longer name: "stevanage borogh" is "stevenage boroug…"
            names += [k[:len(key)] for k in names]
        score = max(similarity(key, k) for k in names)
        if score >= CLOSE:
            scored.append((-score, not existing(a), by_name_in_use(a), a))
    return [entry[-1] for entry in sorted(scored, key=lambda e: e[:3])[:limit]]


def index_entry(a: Authority) -> dict:
    """What the browser's search needs of an authority to rank it as `find` does."""
    return {"main": main_names(a), "other": other_names(a), "existing": existing(a), "other_body": a.type == "Other",
            "sort": by_name_in_use(a), "successors": list(a.successors)}
