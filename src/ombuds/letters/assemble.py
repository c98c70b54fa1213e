"""The one place a body's letter for a year is assembled: `ombuds letters`, `send`, the site's letter pages and a
release's checksums all take it from here, so a release checksums exactly the letter the site publishes."""

from __future__ import annotations

from dataclasses import dataclass

from ombuds.letters.content import Contact, letter_content
from ombuds.letters.editions import Edition
from ombuds.letters.render import timestamp
from ombuds.profile import Profile
from ombuds.stats.record import StatisticsRecord


@dataclass(frozen=True)
class Letter:
    content: dict  # everything the letter shows, JSON-ready
    created: int  # the documents' timestamp: the edition's letter date


def assemble_letter(record: StatisticsRecord, edition: Edition, contacts: list[Contact], profile: Profile, *,
                    allow_missing_contacts: bool = True, synthetic: bool = False) -> Letter:
    """The letter about `record`'s body and year in `edition`, from `profile`'s organisation (`synthetic`: made
    from the demo's invented data, and saying so)."""
    return Letter(letter_content(record, edition, contacts, allow_missing_contacts=allow_missing_contacts,
                                 profile=profile, synthetic=synthetic), timestamp(edition.letter_date))
