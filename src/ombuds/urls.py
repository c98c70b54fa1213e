"""Every URL of the site, built in one place: pages, their JSON twins, the static build and the tests use these.

Paths are relative to the site root and never start with `/` (`councils/stevenage-borough-council/2023-24/`),
so the same page can be served live (root `/`) or written into a static build with relative links (root `../../`).
A page's path ends in `/` (a folder with `index.html` in the static build); a file's path has an extension.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

from ombuds.years import Year

METRICS = ("uphold_rate", "satisfactory_remedy_rate", "compliance_rate", "upheld_per_100k")


def home() -> str:
    return ""


def councils() -> str:
    return "councils/"


def council(slug: str, year: Year | None = None) -> str:
    return f"councils/{slug}/" if year is None else f"councils/{slug}/{year.label}/"


def council_json(slug: str, year: Year) -> str:
    return f"councils/{slug}/{year.label}.json"


def decisions(slug: str, year: Year, outcome: str = "all", page: int = 1) -> str:
    path = f"councils/{slug}/{year.label}/decisions/"
    if outcome != "all":
        path += f"{outcome}/"
    return path if page == 1 else f"{path}page-{page}/"


def feed(slug: str) -> str:
    return f"councils/{slug}/decisions.atom"


def letter(slug: str, year: Year, output_format: str) -> str:
    return f"councils/{slug}/{year.label}/letter.{output_format}"


def map_page(year: Year, tier: str, metric: str) -> str:
    return f"map/{year.label}/{tier}/{metric}/"


def national_latest() -> str:
    return "national/"


def national(year: Year) -> str:
    return f"national/{year.label}/"


def data() -> str:
    return "data/"


def download(year: Year, extension: str) -> str:
    return f"data/{year.label}/statistics.{extension}"


def download_all(extension: str) -> str:
    return f"data/statistics.{extension}"


def datapackage() -> str:
    return "data/datapackage.json"


def register(year: Year) -> str:
    """The self-assessment register: every organisation's self-assessment against the code in a year."""
    return f"self-assessment/{year.label}/"


def register_csv(year: Year) -> str:
    return f"self-assessment/self-assessment-{year.label}.csv"


def methods() -> str:
    return "methods/"


def search(query: str | None = None) -> str:
    return "search/" if not query else "search/?" + urlencode({"q": query})


def search_names() -> str:
    return "search/names.json"


def postcode_shard(outward: str) -> str:
    return f"search/postcodes/{outward}.json"


def api(path: str) -> str:
    """`api("authorities.json")` → `api/authorities.json`."""
    return f"api/{path}"


def static(name: str) -> str:
    return f"static/{name}"


def relative_root(path: str) -> str:
    """The prefix that leads from the page at `path` back to the site root in a static build: `../../`."""
    return "../" * path.count("/") or "./"


def type_slug(council_type: str) -> str:
    """`London Borough` → `london-borough`."""
    return council_type.lower().replace(" ", "-")


def funnel(year: Year, council_type: str, rate: str, highlight: str | None = None) -> str:
    """`funnel/2023-24/district/uphold_rate/`; `highlight` (a GSS code) marks one council (live site only)."""
    path = f"funnel/{year.label}/{type_slug(council_type)}/{rate}/"
    return path if not highlight else path + "?" + urlencode({"highlight": highlight})


# A generic ("measures") scheme's site: its bodies live under the plural of the scheme's word (`landlords/`).

def segment(words_bodies: str) -> str:
    """`landlords` from the scheme's word for its bodies."""
    return re.sub(r"[^a-z0-9]+", "-", words_bodies.lower()).strip("-")


def bodies(seg: str) -> str:
    return f"{seg}/"


def body(seg: str, slug: str, year: str | None = None) -> str:
    """`landlords/clarion-housing-association/2024-25/` (a year label, as the scheme's records give it)."""
    return f"{seg}/{slug}/" if year is None else f"{seg}/{slug}/{year}/"


def body_report(seg: str, slug: str, year: str, output_format: str) -> str:
    return f"{seg}/{slug}/{year}/report.{output_format}"


def measures_national(year: str) -> str:
    return f"national/{year}/"


def category(set_slug: str, year: str) -> str:
    """`by/category/2024-25/`: a label set's breakdown over every body."""
    return f"by/{set_slug}/{year}/"


def measures_funnel(year: str, measure: str, group: str) -> str:
    return f"funnel/{year}/{measure}/{group}/"


def measures_download(year: str, extension: str) -> str:
    return f"data/{year}/records.{extension}"


def measures_api(year: str, code: str | None = None) -> str:
    return f"api/records/{year}.json" if code is None else f"api/records/{year}/{code}.json"


def robots() -> str:
    return "robots.txt"


def sitemap() -> str:
    return "sitemap.xml"


def compare(chosen_slugs: list[str] | None = None) -> str:
    """The comparison page; with councils, its shareable address (`compare/?council=a&council=b`)."""
    return "compare/" + (f"?{urlencode([('council', s) for s in chosen_slugs])}" if chosen_slugs else "")


def compare_similar(slug: str) -> str:
    return f"compare/{slug}/"


def compare_similar_csv(slug: str) -> str:
    return f"compare/{slug}/comparison.csv"
