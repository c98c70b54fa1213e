"""Editions: one data file per year holding the letter's date, title, layout, signatory and narrative.

The narrative is Markdown with placeholders such as `{authority}` and `{uphold_rate}`; the placeholders are filled
with figures formatted by `stats.format` after the Markdown is parsed, so nothing in the data can change the
document's structure. Every problem in an edition file is reported with the file, the key and what is wrong.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

from ombuds.errors import OmbudsError
from ombuds.registry import AuthorityNotFound, Registry, registry_of
from ombuds.schemes import Scheme, load_scheme
from ombuds.stats.layouts import Layout, layouts_of
from ombuds.years import Year

PLACEHOLDERS = frozenset({
    "authority", "authority_short", "year", "year_end", "period", "letter_date", "publication_date",
    "received", "decided", "detailed_investigations", "upheld", "uphold_rate", "average_uphold_rate",
    "satisfactory_remedies", "satisfactory_remedy_rate", "average_satisfactory_remedy_rate", "compliance_outcomes",
    "compliance_rate", "average_compliance_rate", "upheld_per_100k", "average_upheld_per_100k", "type_plural",
    "uphold_rate_change", "satisfactory_remedy_rate_change", "compliance_rate_change",
})
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


class EditionError(OmbudsError):
    """An edition file that cannot be used: every problem, each with its file and key."""


@dataclass(frozen=True)
class Section:
    heading: str | None
    paragraphs: tuple[str, ...]
    # per paragraph: shown only to an authority with a type average (it promises a comparison with similar ones)
    needs_average: tuple[bool, ...] = ()

    def shown(self, has_average: bool) -> list[str]:
        flags = self.needs_average or (False,) * len(self.paragraphs)
        return [p for p, needs in zip(self.paragraphs, flags, strict=True) if has_average or not needs]


@dataclass(frozen=True)
class Edition:
    source: str
    year: Year
    letter_date: date
    publication_date: date
    title: str
    layout: str
    organisation: str | None  # None: the profile's name (an edition names the organisation only as it was then)
    signatory_name: str
    signatory_titles: tuple[str, ...]  # (): the profile's titles
    sections: tuple[Section, ...]
    statistics: Layout  # the layout named, from the scheme's `layouts/` (`layout` is its id)
    authority_paragraphs: dict[str, str] = field(default_factory=dict)  # authority code → Markdown
    comparability_note: str | None = None  # why the year should not be compared naively with others (site)
    minimum_denominator: int | None = None  # rates on fewer cases read "too few cases to give a reliable rate"
    signature: Path | None = None  # an image of the signatory's signature (SVG or PNG), shown above the name

    @property
    def closing(self) -> str:
        return "Yours sincerely,"


def placeholders_in(text: str) -> list[str]:
    return _PLACEHOLDER.findall(text)


class Checker:
    """Collects an edition or report file's problems, each as `FILE: key: reason`."""

    def __init__(self, source: str):
        self.source = source
        self.problems: list[str] = []

    def problem(self, key: str, reason: str) -> None:
        self.problems.append(f"{self.source}: {key}: {reason}")

    def text(self, data: dict, key: str, *, where: str = "") -> str:
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            self.problem(where + key, "required text is missing" if value is None else "must be text")
            return ""
        return value

    def day(self, data: dict, key: str) -> date:
        value = data.get(key)
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        self.problem(key, "required date is missing" if value is None else f"not a date: {value!r} (write 2020-07-22)")
        return date(1970, 1, 1)

    def markdown(self, text: str, key: str) -> str:
        for name in placeholders_in(text):
            if name not in PLACEHOLDERS:
                self.problem(key, f"unknown placeholder {{{name}}}; known: {', '.join(sorted(PLACEHOLDERS))}")
        return text


def load_edition(path: Path | str, scheme: Scheme) -> Edition:
    """Read and check an edition file, its layout one of `scheme`'s and its authorities `scheme`'s bodies; raise
    EditionError listing every problem."""
    path = Path(path)
    source = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise EditionError(f"{source}: no such edition file") from None
    except IsADirectoryError:
        raise EditionError(f"{source}: a folder, not an edition file: name the .toml file") from None
    except OSError as error:
        raise EditionError(f"{source}: cannot read the edition file: {error.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise EditionError(f"{source}: not valid TOML: {error}") from None
    c = Checker(source)
    year = None
    try:
        year = Year.parse(c.text(data, "year") or "?")
    except OmbudsError as error:
        c.problem("year", str(error))
    layout = c.text(data, "layout")
    layouts = layouts_of(scheme)
    chosen = next((candidate for candidate in layouts if candidate.id == layout), None)
    if layout and chosen is None:
        c.problem("layout", f"unknown layout '{layout}'; one of {', '.join(known.id for known in layouts)}")
    signatory = data.get("signatory") if isinstance(data.get("signatory"), dict) else {}
    if not signatory:
        c.problem("signatory", "required table is missing (the signatory's name)")
    titles = signatory.get("titles", [])
    if not isinstance(titles, list) or not all(isinstance(t, str) for t in titles):
        c.problem("signatory.titles", "must be a list of text")
        titles = []
    sections = []
    for i, section in enumerate(data.get("section", []), start=1):
        paragraphs = section.get("paragraphs", [])
        entries = [(p, False) if isinstance(p, str) else (p.get("text"), p.get("with_average") is True)
                   for p in paragraphs if isinstance(p, str | dict)] if isinstance(paragraphs, list) else []
        if not isinstance(paragraphs, list) or len(entries) != len(paragraphs) or not all(
                isinstance(text, str) for text, _ in entries):
            c.problem(f"section[{i}].paragraphs", "must be a list of Markdown text (or of { text = \"…\", "
                      "with_average = true } for a paragraph that compares with similar authorities)")
            continue
        heading = section.get("heading")
        sections.append(Section(heading, tuple(c.markdown(t, f"section[{i}].paragraphs") for t, _ in entries),
                                tuple(needs for _, needs in entries)))
    if not sections:
        c.problem("section", "the narrative has no sections")
    extra = _authority_paragraphs(path, data.get("authority_paragraphs"), c, registry_of(scheme))
    edition = Edition(
        source=source, year=year or Year(1970), letter_date=c.day(data, "letter_date"),
        publication_date=c.day(data, "publication_date"), title=c.text(data, "title"), layout=layout,
        organisation=_optional_text(data, "organisation", c),
        signatory_name=c.text(signatory, "name", where="signatory."),
        signatory_titles=tuple(titles), sections=tuple(sections), statistics=chosen, authority_paragraphs=extra,
        comparability_note=_optional_text(data, "comparability_note", c),
        minimum_denominator=_optional_count(data, "minimum_denominator", c),
        signature=_signature(path, signatory.get("signature"), c),
    )
    for key in sorted(set(data) - {"year", "letter_date", "publication_date", "title", "layout", "organisation",
                                   "signatory", "section", "authority_paragraphs",
                                   "comparability_note", "minimum_denominator"}):
        c.problem(key, "unknown key")
    if c.problems:
        raise EditionError("\n".join(c.problems))
    return edition


def _signature(path: Path, name: object, c: Checker) -> Path | None:
    """The signatory's signature image, a file beside the edition."""
    if name is None:
        return None
    image = path.parent / str(name)
    if not isinstance(name, str) or not image.is_file() or image.suffix.lower() not in (".svg", ".png"):
        c.problem("signatory.signature", f"{image} is not an SVG or PNG file")
        return None
    return image.resolve()


def _optional_text(data: dict, key: str, c: Checker) -> str | None:
    value = data.get(key)
    if value is not None and (not isinstance(value, str) or not value.strip()):
        c.problem(key, "must be text")
        return None
    return value


def _optional_count(data: dict, key: str, c: Checker) -> int | None:
    value = data.get(key)
    if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
        c.problem(key, "must be a whole number of cases, 0 or more")
        return None
    return value or None


def _authority_paragraphs(path: Path, name: object, c: Checker, bodies: Registry) -> dict[str, str]:
    """The optional file of extra paragraphs: `"authority name or code" = "Markdown"`."""
    if name is None:
        return {}
    if not isinstance(name, str):
        c.problem("authority_paragraphs", "must be the name of a file beside the edition")
        return {}
    extra_path = path.parent / name
    try:
        data = tomllib.loads(extra_path.read_text(encoding="utf-8"))
    except (FileNotFoundError, tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        c.problem("authority_paragraphs", f"cannot read {extra_path}: {error}")
        return {}
    extra_checker = Checker(str(extra_path))
    paragraphs = {}
    for key, text in data.items():
        try:
            authority = bodies.resolve(key)
        except AuthorityNotFound as error:
            extra_checker.problem(key, str(error))
            continue
        if not isinstance(text, str):
            extra_checker.problem(key, "must be Markdown text")
            continue
        paragraphs[authority.code] = extra_checker.markdown(text, key)
    c.problems.extend(extra_checker.problems)
    return paragraphs




def edition_in(folder: Path, year: Year, scheme: Scheme) -> Edition:
    """The edition for `year` in a folder of edition files (`<year>.toml`, e.g. `2024-25.toml`), its layout one of
    `scheme`'s (see `load_edition`)."""
    return _edition_in(folder, year, scheme.folder)


@cache
def _edition_in(folder: Path, year: Year, scheme: Path) -> Edition:
    path = folder / f"{year.label}.toml"
    if not path.is_file():
        raise OmbudsError(f"no edition is in {folder} for {year}: give one with --edition FILE")
    return load_edition(path, load_scheme(scheme))
