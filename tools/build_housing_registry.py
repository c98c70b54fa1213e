"""Build the Housing Ombudsman scheme's landlord register (bodies.csv, aliases.csv) from its findings file.

    python tools/build_housing_registry.py [FINDINGS.csv.gz]

Reads the shipped `src/ombuds/schemes/housing-ombudsman/data/findings.csv.gz` unless given another file, and
writes `bodies.csv` and `aliases.csv` beside the scheme's other files. The same input always gives the same output.

Landlord names are published in several spellings. Two names are one landlord when they agree once case, "&"/"and",
punctuation, a leading "The", a trailing "Limited"/"Ltd" and every space are set aside ("54 North" and "54North",
"The Joseph Rowntree" and "Joseph Rowntree"), or when SAME_LANDLORD below says so (typing slips and text the
decision reports ran into the name). The landlord's name is the spelling SAME_LANDLORD names, or else its most used
one; the others become aliases. Its type is the most recently published `landlord_type` other than "Unknown"
("other" when none was stated); its homes are the most recently stated `stock_size`. Names that are not landlords
("Unknown Landlord", dates, case numbers, empty) get no body, so the import lists their rows as unknown landlords.
"""

from __future__ import annotations

import csv
import gzip
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

SCHEME = Path(__file__).resolve().parents[1] / "src" / "ombuds" / "schemes" / "housing-ombudsman"
FINDINGS = SCHEME / "data" / "findings.csv.gz"

BODY_COLUMNS = ("code", "name", "short_name", "takes_the", "type", "start_date", "end_date", "successors", "size",
                "lat", "long", "former_codes", "aliases")

TYPES = {
    "housing association": "housing-association",
    "voluntary": "housing-association",
    "local authority / almo or tmo": "local-authority",
    "local authority": "local-authority",
    "local": "local-authority",
    "for profit": "other",
}
"""Published `landlord_type` spellings → the scheme's type ids (types.toml); "Unknown" states nothing."""

SAME_LANDLORD = {
    "A2 Domination Housing": "A2Dominion Housing Group",
    "Catalyst": "Catalyst Housing",
    "Metropolitan Thames Valley": "Metropolitan Thames Valley Housing",
    "Metropolitan Thames Valley Housing Mtv": "Metropolitan Thames Valley Housing",
    "Metropolitan Thames Valley Housing Mtvh": "Metropolitan Thames Valley Housing",
    "Plus Dane": "Plus Dane Housing",
    "Sage Housing Shl": "Sage Housing",
    "Sage Rented Srl": "Sage Rented",
    "Southendonsea": "Southend On Sea",
    "South Kesteven District Councill": "South Kesteven",
    "Stokeontrent": "Stoke On Trent",
    "Stonewater 2": "Stonewater",
    "Stonewater 5": "Stonewater",
    "Trident 28 February 2023": "Trident",
    "Tuntum Housing Assioation": "Tuntum",
    "Westminister": "Westminster",
    "Wythenshawe Community 2": "Wythenshawe Community",
}
"""Spellings the rules cannot join, or should not name the landlord: typing slips, words run together, an
abbreviation, a date or a number run into the name. The right-hand spelling names the landlord."""

NOT_LANDLORDS = re.compile(r"^(|unknown landlord|complaint \d+|\d{1,2} [a-z]+ \d{4})$", re.IGNORECASE)


def name_key(name: str) -> str:
    """What two spellings of one landlord share."""
    text = name.casefold().replace("&", " and ").replace("’", "").replace("'", "")
    words = re.sub(r"[^0-9a-z]+", " ", text).split()
    if words[:1] == ["the"]:
        words = words[1:]
    if words[-1:] in (["limited"], ["ltd"]):
        words = words[:-1]
    return "".join(words)


def slug(name: str) -> str:
    text = name.casefold().replace("&", " and ").replace("’", "").replace("'", "")
    return "-".join(re.sub(r"[^0-9a-z]+", " ", text).split())


def read_findings(path: Path) -> list[dict[str, str]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def landlords(rows: list[dict[str, str]]) -> tuple[list[dict[str, str]], list[tuple[str, str]]]:
    """(bodies.csv rows, (alias, code) pairs), both sorted."""
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    by_name: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        name = row["landlord"].strip()
        if not NOT_LANDLORDS.match(name):
            spellings[name_key(SAME_LANDLORD.get(name, name))][name] += 1
            by_name[name].append(row)
    bodies, aliases = [], []
    for counted in spellings.values():
        chosen = [SAME_LANDLORD[n] for n in counted if SAME_LANDLORD.get(n) in counted]
        name = chosen[0] if chosen else min(counted, key=lambda n: (-counted[n], -len(n), n))
        code = f"HO-{slug(name)}"
        bodies.append(_body(code, name, [row for spelling in counted for row in by_name[spelling]]))
        aliases += [(alias, code) for alias in sorted(counted) if alias != name]
    codes = Counter(body["code"] for body in bodies)
    if clash := [code for code, n in codes.items() if n > 1]:
        raise SystemExit(f"two landlords share the code {', '.join(clash)}: add a spelling to SAME_LANDLORD")
    return sorted(bodies, key=lambda b: b["code"]), sorted(aliases)


def _body(code: str, name: str, rows: list[dict[str, str]]) -> dict[str, str]:
    latest_first = sorted(rows, key=lambda r: r["decision_date"] or "", reverse=True)
    stated = [TYPES[r["landlord_type"].strip().casefold()] for r in latest_first
              if r["landlord_type"].strip().casefold() in TYPES]
    homes = next((r["stock_size"].strip() for r in latest_first if r["stock_size"].strip()), "")
    body = dict.fromkeys(BODY_COLUMNS, "")
    body.update(code=code, name=name, short_name=name, takes_the="", type=stated[0] if stated else "other",
                size=str(int(homes)) if homes else "")
    return body


def write(folder: Path, bodies: list[dict[str, str]], aliases: list[tuple[str, str]]) -> None:
    with open(folder / "bodies.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, BODY_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(bodies)
    with open(folder / "aliases.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(("alias", "code"))
        writer.writerows(aliases)


def main(argv: list[str]) -> None:
    source = Path(argv[0]) if argv else FINDINGS
    bodies, aliases = landlords(read_findings(source))
    write(SCHEME, bodies, aliases)
    print(f"{len(bodies)} landlords, {len(aliases)} aliases from {source}")


if __name__ == "__main__":
    main(sys.argv[1:])
