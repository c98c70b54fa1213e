"""The settings of one run, built once by the command line and passed down: the scheme, the organisation's
profile, the folder of letter editions and the database. Library code takes what it needs from here and never
falls back on a default of its own."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ombuds.profile import Profile, load_profile
from ombuds.schemes import Scheme, load_scheme


@dataclass(frozen=True)
class Settings:
    scheme: Scheme
    profile: Profile
    editions: Path  # the letters' (reports') editions, one `<year>.toml` each
    db_url: str | None  # None: the default database (OMBUDS_DB or ombuds.db here, see store.locate)
    letter_cache: Path | None = None  # rendered letters kept by fingerprint (letters.cache); None: none kept


def make_settings(scheme: str | Path, profile: Path | None, editions: Path | None, db_url: str | None,
                  letter_cache: Path | None = None) -> Settings:
    """The settings the options name: a scheme (shipped name or folder), a profile file (None: the demo profile),
    an editions folder (None: the scheme's own `editions/`; a scheme without one has no editions, so asking for
    one says so), the folder of the letter cache (None: letters are not kept; the command line's default is beside
    a SQLite database, `letters.cache.default_location`)."""
    chosen = load_scheme(scheme)
    return Settings(scheme=chosen, profile=load_profile(profile), editions=editions or chosen.folder / "editions",
                    db_url=db_url, letter_cache=letter_cache)
