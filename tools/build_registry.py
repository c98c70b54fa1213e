"""Build the project's authority registry from the reference files in ../shared/reference.

Run once when the reference data changes:

    python tools/build_registry.py ../shared/reference src/ombuds/schemes/lgsco/bodies.csv

The output is the project's own file of facts; `src/ombuds/schemes/lgsco/SOURCES.md` names the sources and licences.
"""

from __future__ import annotations

import csv
import re
import sys
from datetime import date, timedelta
from pathlib import Path

TYPES = {
    "CTY": "County",
    "NMD": "District",
    "MD": "Metropolitan",
    "UA": "Unitary",
    "LBO": "London Borough",
    "CC": "London Borough",  # City of London counts as a London Borough (SPEC 1.1)
    "COMB": "Other",
    "SRA": "Other",
}
COLUMNS = [
    "code", "name", "short_name", "takes_the", "type", "start_date", "end_date", "successors", "size", "lat", "long",
    "former_codes", "aliases", "register_code", "county", "region",
]
TAKES_THE = re.compile(r"^(?:Council of|(?:London |Royal |Metropolitan )?Borough (?:Council )?of)\b"
                       r"|\b(?:Authority|Corporation)$")
IN_SCOPE_SINCE = date(2014, 4, 1)
# GSS codes ONS has issued since the register was made, kept as further codes of the council the register lists
# (lookups by either code work; the register's code stays the primary one).
NEW_CODES = {
    "E08000016": ("E08000038",),  # Barnsley, recoded in 2024 after a boundary change with Sheffield
    "E08000019": ("E08000039",),  # Sheffield, likewise
}

# Where the register names the wrong county for a district (checked against ONS's lookups of the time).
COUNTY_CORRECTIONS = {
    "E07000201": "E10000029",  # Forest Heath (abolished 2019) was in Suffolk; the register says Surrey (SRY)
}


def start_date(value: str) -> str:
    """Dates in 2005 are when the register began recording a council, not when it was created."""
    return "" if not value or value.startswith("2005-") else value


def end_date(value: str) -> str:
    """The source mixes 'last day' (2020-03-31) and 'first day gone' (2023-04-01); we keep the last day."""
    if not value:
        return ""
    day = date.fromisoformat(value)
    if (day.month, day.day) == (4, 1):
        day -= timedelta(days=1)
    return day.isoformat()


def takes_the(name: str) -> bool:
    """Whether running text puts "the" before the official name, by English usage (SOURCES.md): "Council of …",
    "[London/Royal/Metropolitan] Borough [Council] of …" and names ending "Authority" or "Corporation" do."""
    return bool(TAKES_THE.search(name))


def number(value: str) -> str:
    return str(int(float(value))) if value else ""


def build(reference: Path) -> list[dict[str, str]]:
    with open(reference / "uk_local_authorities.csv", encoding="utf-8") as f:
        source = [r for r in csv.DictReader(f) if r["nation"] == "England"]
    gss = {r["local-authority-code"]: r["gss-code"] for r in source}
    with open(reference / "ons_lad_to_county_2021.csv", encoding="utf-8-sig") as f:
        ons = {r["LAD21CD"]: r for r in csv.DictReader(f)}
    by_code = {}
    for r in source:
        ended = end_date(r["end-date"])
        if ended and date.fromisoformat(ended) < IN_SCOPE_SINCE:
            continue
        names = {r["official-name"].strip(), r["nice-name"].strip()}
        names.update(n.strip() for n in r["alt-names"].split(",") if n.strip())
        county = gss.get(r["county-la"], "")
        lookup = ons.get(r["gss-code"])
        if lookup and lookup["CTY21CD"].startswith("E10"):
            if county and county != lookup["CTY21CD"]:
                sys.exit(f"county mismatch for {r['gss-code']}: {county} vs {lookup['CTY21CD']}")
            county = lookup["CTY21CD"]
            names.add(lookup["LAD21NM"].strip())
        county = COUNTY_CORRECTIONS.get(r["gss-code"], county)
        by_code[r["gss-code"]] = {
            "code": r["gss-code"],
            "name": " ".join(r["official-name"].split()),
            "short_name": r["nice-name"].strip(),
            "takes_the": "yes" if takes_the(" ".join(r["official-name"].split())) else "",
            "type": TYPES[r["local-authority-type"]],
            "register_code": r["local-authority-code"],
            "start_date": start_date(r["start-date"]),
            "end_date": ended,
            "successors": " ".join(gss[c] for c in r["replaced-by"].split(",") if c),
            "county": county,
            "region": r["region"],
            "size": number(r["pop-2020"]),
            "lat": f"{float(r['lat']):.5f}" if r["lat"] else "",
            "long": f"{float(r['long']):.5f}" if r["long"] else "",
            "former_codes": " ".join([*r["former-gss-codes"].split(","), *NEW_CODES.get(r["gss-code"], ())]).strip(),
            "aliases": "|".join(sorted(names - {r["official-name"].strip()}, key=lambda n: (n.lower(), n))),
        }
    for row in by_code.values():  # an abolished council's region is its successor's
        if not row["region"] and row["successors"]:
            row["region"] = by_code[row["successors"].split()[0]]["region"]
    for row in by_code.values():
        if row["type"] == "County":
            row["lat"], row["long"] = county_centroid(row, by_code)
    return sorted(by_code.values(), key=lambda row: row["code"])


def existed_on(row: dict[str, str], day: str) -> bool:
    return (not row["start_date"] or row["start_date"] <= day) and (not row["end_date"] or day <= row["end_date"])


def centroid(row: dict[str, str], by_code: dict[str, dict[str, str]]) -> tuple[float, float] | None:
    """A council's own centroid, else the mean of its successors' (the register has none for some abolished ones)."""
    if row["lat"] and row["long"]:
        return float(row["lat"]), float(row["long"])
    points = [p for p in (centroid(by_code[c], by_code) for c in row["successors"].split()) if p is not None]
    if not points:
        return None
    return sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points)


def county_centroid(county: dict[str, str], by_code: dict[str, dict[str, str]]) -> tuple[str, str]:
    """The mean of the centroids of the county's districts on its last day (today for a current county), else of
    every district that names it. The register's own county centroids are unreliable (Lancashire's is in
    Northamptonshire)."""
    named = [r for r in by_code.values() if r["type"] == "District" and r["county"] == county["code"]]
    last_day = county["end_date"] or date.today().isoformat()
    districts = [r for r in named if existed_on(r, last_day)] or named
    points = [p for p in (centroid(r, by_code) for r in districts) if p is not None]
    if not points:
        return county["lat"], county["long"]
    lat = sum(p[0] for p in points) / len(points)
    long = sum(p[1] for p in points) / len(points)
    return f"{lat:.5f}", f"{long:.5f}"


def main() -> None:
    reference, out = Path(sys.argv[1]), Path(sys.argv[2])
    rows = build(reference)
    with open(out, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} authorities written to {out}")


if __name__ == "__main__":
    main()
