"""A letter as plain data: what the HTML and PDF renderings both draw, so that they always say the same.

Narrative Markdown is parsed first and its placeholders filled afterwards, inside text runs: a name or figure from
the data is always literal text, never markup.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from markdown_it import MarkdownIt

from ombuds import urls
from ombuds.errors import OmbudsError
from ombuds.labels import ADDRESSEE
from ombuds.letters import present
from ombuds.letters.editions import Edition, placeholders_in
from ombuds.profile import Profile
from ombuds.registry import registry_of
from ombuds.stats import format as fmt
from ombuds.stats.layouts import Layout
from ombuds.stats.record import StatisticsRecord

_MARKDOWN = MarkdownIt("commonmark", {"html": False})


class MissingContact(OmbudsError):
    """No chief executive on file for an authority that is getting a letter."""


@dataclass(frozen=True)
class Contact:
    role: str
    name: str
    title: str
    salutation: str
    email: str | None = None


def placeholder_values(s: StatisticsRecord, edition: Edition) -> dict[str, str]:
    """Every placeholder an edition may use, formatted for display."""
    a = s.average
    minimum = edition.minimum_denominator
    changes = s.change
    return {
        "authority": present.name_in_sentence(s, edition.statistics),
        "authority_short": registry_of(edition.statistics.scheme).get(s.authority.code).short_name,
        "year": s.year,
        "year_end": fmt.long_date(s.period.end),
        "period": fmt.period(s.period),
        "letter_date": fmt.long_date(edition.letter_date),
        "publication_date": fmt.long_date(edition.publication_date),
        "received": fmt.counted(s.received_total, "complaint or enquiry", "complaints and enquiries"),
        "decided": fmt.counted(s.dealt_with, "decision"),
        "detailed_investigations": fmt.counted(s.investigated, "detailed investigation"),
        "upheld": fmt.counted(s.upheld, "upheld decision"),
        "uphold_rate": fmt.reliable_rate(s.uphold_rate, s.investigated, minimum),
        "average_uphold_rate": fmt.average(a.uphold_rate),
        "satisfactory_remedies": fmt.counted(s.satisfactory_remedies, "satisfactory remedy", "satisfactory remedies"),
        "satisfactory_remedy_rate": fmt.reliable_rate(s.satisfactory_remedy_rate, s.upheld, minimum),
        "average_satisfactory_remedy_rate": fmt.average(a.satisfactory_remedy_rate),
        "compliance_outcomes": fmt.counted(s.compliance.recorded, "compliance outcome"),
        "compliance_rate": fmt.reliable_rate(s.compliance_rate, s.compliance.recorded, minimum),
        "average_compliance_rate": fmt.average(a.compliance_rate),
        "upheld_per_100k": fmt.per_100k_phrase(s.upheld_per_100k, "upheld decision", "upheld decisions"),
        "average_upheld_per_100k": fmt.per_100k_phrase(a.upheld_per_100k, "upheld decision", "upheld decisions"),
        "type_plural": edition.statistics.labels.type_plurals[s.authority.type],
        **{f"{rate}_change": fmt.change_sentence(rate, getattr(changes, rate) if changes else None)
           for rate in fmt.RATE_NAMES},
    }


def _fill(text: str, values: dict[str, str]) -> str:
    for name in placeholders_in(text):
        text = text.replace("{" + name + "}", values[name])
    return text


@lru_cache(maxsize=256)
def _parsed(source: str) -> tuple:
    """An edition's paragraph parsed once per process, not once per letter (placeholders are filled after)."""
    return tuple(_MARKDOWN.parse(source))


def markdown_blocks(source: str, values: dict[str, str]) -> list[dict]:
    """Paragraphs, headings and list items, each a list of runs: text, strong, emph, link."""
    blocks: list[dict] = []
    kind = "paragraph"
    for token in _parsed(source):
        if token.type == "heading_open":
            kind = "heading"
        elif token.type == "list_item_open":
            kind = "item"
        elif token.type in ("heading_close", "list_item_close"):
            kind = "paragraph"
        elif token.type == "inline":
            blocks.append({"kind": kind, "runs": _runs(token.children or [], values)})
    return blocks


def _runs(children, values: dict[str, str]) -> list[dict]:
    runs: list[dict] = []
    strong = emph = 0
    link = None
    for child in children:
        if child.type == "strong_open":
            strong += 1
        elif child.type == "strong_close":
            strong -= 1
        elif child.type == "em_open":
            emph += 1
        elif child.type == "em_close":
            emph -= 1
        elif child.type == "link_open":
            link = str(child.attrs.get("href", ""))
        elif child.type == "link_close":
            link = None
        else:
            text = " " if child.type in ("softbreak", "hardbreak") else child.content
            if text:
                runs.append({"text": present.typeset(_fill(text, values)), "strong": strong > 0, "emph": emph > 0,
                             "link": link})
    return runs


def recipient(s: StatisticsRecord, contacts: list[Contact], allow_missing: bool,
              words: Mapping[str, str]) -> tuple[list[str], str, Contact | None]:
    """(recipient block lines, salutation, the chief executive's contact); without one, as the scheme's letter
    `words` address a letter to no one in particular."""
    chief = next((c for c in contacts if c.role == ADDRESSEE), None)
    if chief is None:
        if not allow_missing:
            raise MissingContact(
                f"no chief executive contact for {s.authority.name} ({s.authority.code}): add one with a contacts "
                "file (columns authority, name, title, salutation, email, role) and 'ombuds import', or pass "
                "--allow-missing-contacts")
        return [words["no_contact_recipient"], s.authority.name], words["no_contact_salutation"], None
    return [chief.name, chief.title, s.authority.name], chief.salutation, chief


def _plain(text: str) -> dict:
    return {"text": text, "strong": False, "emph": False, "link": None}


def letterhead(edition: Edition, profile: Profile) -> dict:
    """Who writes: the profile's organisation (or the name an edition gives it as it was that year), logo,
    addresses and colours."""
    return profile_letterhead(profile, edition.organisation or profile.name)


def profile_letterhead(profile: Profile, name: str) -> dict:
    """The letterhead of any document written in the profile's identity, under `name`."""
    return {"name": name, "web_address": profile.web_address,
            "web_url": "https://" + profile.web_address.removeprefix("https://"),
            "postal_address": list(profile.postal_address), "logo": str(profile.logo) if profile.logo else None,
            "primary": profile.primary, "accent": profile.accent, "text_on_primary": profile.text_on_primary,
            "typeface": profile.typeface}


def link_blocks(s: StatisticsRecord, profile: Profile, layout: Layout) -> tuple[dict, list[dict]]:
    """The council's page on the public site and the page on reading the statistics, as links, in the layout's
    scheme's letter words."""
    words = layout.labels.letter
    slug = registry_of(layout.scheme).get(s.authority.code).slug
    links = {"council": profile.base_url + urls.council(slug, s.period),
             "interpreting": profile.base_url + urls.methods()}
    blocks = [
        {"kind": "paragraph", "runs": [
            _plain(words["figures_page"].replace("{authority}", present.name_in_sentence(s, layout))),
            {**_plain(words["figures_page_link"].replace("{site}", present.typeset(profile.site_title))),
             "link": links["council"]},
            _plain(words["figures_page_after"]),
            {**_plain(words["reading_link"]), "link": links["interpreting"]},
            _plain(words["reading_after"]),
        ]},
    ]
    return links, blocks


def letter_content(s: StatisticsRecord, edition: Edition, contacts: list[Contact], *,
                   allow_missing_contacts: bool = False, profile: Profile, synthetic: bool = False) -> dict:
    """Everything a letter shows, as JSON-ready data (`letters.assemble` is the one caller); a letter from
    synthetic data says so at its top."""
    values = placeholder_values(s, edition)
    words = edition.statistics.labels.letter
    lines, salutation, _ = recipient(s, contacts, allow_missing_contacts, words)
    blocks: list[dict] = []
    has_average = any(getattr(s.average, rate) is not None for rate in fmt.RATE_NAMES)
    for section in edition.sections:
        if section.heading:
            blocks.append({"kind": "heading", "runs": [{"text": _fill(section.heading, values), "strong": False,
                                                         "emph": False, "link": None}]})
        for paragraph in section.shown(has_average):
            blocks += markdown_blocks(paragraph, values)
    extra = edition.authority_paragraphs.get(s.authority.code)
    if extra:
        blocks += markdown_blocks(extra, values)
    links, linked = link_blocks(s, profile, edition.statistics)
    blocks += linked
    chosen = edition.statistics
    about = present.name_in_sentence(s, edition.statistics)
    return {
        "lang": "en-GB",
        "title": edition.title,
        "document_title": f"{edition.title}: {s.authority.name}",
        "organisation": edition.organisation or profile.name,
        "notices": [words["synthetic_notice"]] if synthetic else [],
        "date": present.typeset(fmt.long_date(edition.letter_date)),
        "letterhead": letterhead(edition, profile),
        "links": links,
        "signature": str(edition.signature) if edition.signature else None,
        "delivery": words["delivery"],
        "recipient": lines,
        "salutation": salutation,
        "blocks": blocks,
        "closing": edition.closing,
        "signatory": {"name": edition.signatory_name, "titles": list(edition.signatory_titles or profile.titles)},
        "statistics": present.sections(chosen.sections(s), chosen, s, about),
        "authority": {"code": s.authority.code, "name": s.authority.name,
                      "slug": registry_of(edition.statistics.scheme).get(s.authority.code).slug},
        "year": s.year,
        "statistics_json": s.to_json(),
    }
