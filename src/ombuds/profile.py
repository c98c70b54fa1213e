"""The organisation's identity as data: name, logo, addresses, colours and typeface (a TOML file).

Letters and the site draw who is speaking from one profile; ombuds ships a neutral demo profile of its own design.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from ombuds.errors import OmbudsError

_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_ADDRESS = re.compile(r"^[^@\s<>,;]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
DEFAULT = "demo.toml"


@dataclass(frozen=True)
class Profile:
    source: str
    name: str
    short_name: str
    site_title: str
    base_url: str  # where the public site lives, ending in /
    web_address: str
    postal_address: tuple[str, ...]
    logo: Path | None
    typeface: str
    primary: str
    accent: str
    text_on_primary: str
    minimum_denominator: int | None = None  # below it the site shows "too few cases" instead of a rate; None: off
    signatory_titles: tuple[str, ...] = ()  # under the signatory's name in letters; () for the organisation's name
    email_from: str = ""  # the letters' sender address; "" for letters@ the domain of web_address

    @property
    def sender(self) -> str:
        """The address letters are sent from: the profile's own, else `letters@` its web address's domain (a
        real domain mail servers can check, never `localhost`)."""
        if self.email_from:
            return self.email_from
        host = self.web_address.removeprefix("https://").removeprefix("http://").split("/")[0]
        return f"letters@{host.removeprefix('www.')}"

    @property
    def titles(self) -> tuple[str, ...]:
        """The signatory's titles under the name: the profile's, else the organisation's name."""
        return self.signatory_titles or (self.name,)

    def logo_svg(self) -> str | None:
        """The logo's SVG text, or None for a PNG logo or none."""
        if self.logo is None or self.logo.suffix.lower() != ".svg":
            return None
        return self.logo.read_text(encoding="utf-8")


def load_profile(path: Path | str | None = None) -> Profile:
    """The profile in `path`, or the shipped demo profile. Every problem names the file and the key."""
    if path is None:
        return _demo()
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise OmbudsError(f"{path}: cannot read the profile: {error}") from None
    return _profile(path, data)


@cache
def _demo() -> Profile:
    path = Path(str(resources.files("ombuds").joinpath("profiles", DEFAULT)))
    return _profile(path, tomllib.loads(path.read_text(encoding="utf-8")))


def _profile(path: Path, data: dict) -> Profile:
    problems = []

    def text(key: str, where: dict = data, prefix: str = "") -> str:
        value = where.get(key)
        if not isinstance(value, str) or not value.strip():
            problems.append(f"{path}: {prefix}{key}: required text is missing")
            return ""
        return value

    colours = data.get("colours") if isinstance(data.get("colours"), dict) else {}
    for key in ("primary", "accent", "text_on_primary"):
        if not _COLOUR.match(str(colours.get(key, ""))):
            problems.append(f"{path}: colours.{key}: must be a colour written #rrggbb")
    base_url = text("base_url")
    if base_url and not base_url.endswith("/"):
        base_url += "/"
    logo = None
    if data.get("logo"):
        logo = path.parent / str(data["logo"])
        if not logo.is_file() or logo.suffix.lower() not in (".svg", ".png"):
            problems.append(f"{path}: logo: {logo} is not an SVG or PNG file")
    address = data.get("postal_address", [])
    if not isinstance(address, list) or not all(isinstance(line, str) for line in address):
        problems.append(f"{path}: postal_address: must be a list of lines")
        address = []
    for key in sorted(set(data) - {"name", "short_name", "site_title", "base_url", "web_address", "postal_address",
                                   "logo", "typeface", "colours", "minimum_denominator", "signatory_titles",
                                   "email_from"}):
        problems.append(f"{path}: {key}: unknown key")
    minimum = data.get("minimum_denominator")
    if minimum is not None and (not isinstance(minimum, int) or isinstance(minimum, bool) or minimum < 0):
        problems.append(f"{path}: minimum_denominator: must be a whole number of cases, 0 or more")
        minimum = None
    titles = data.get("signatory_titles", [])
    if not isinstance(titles, list) or not all(isinstance(t, str) and t.strip() for t in titles):
        problems.append(f"{path}: signatory_titles: must be a list of titles")
        titles = []
    email_from = data.get("email_from", "")
    if not isinstance(email_from, str) or (email_from and not _ADDRESS.match(email_from)):
        problems.append(f"{path}: email_from: must be one email address, name@domain")
        email_from = ""
    profile = Profile(str(path), text("name"), text("short_name"), text("site_title"), base_url,
                      text("web_address"), tuple(address), logo, str(data.get("typeface", "DejaVu Sans")),
                      str(colours.get("primary", "")), str(colours.get("accent", "")),
                      str(colours.get("text_on_primary", "")), minimum or None, tuple(titles), email_from)
    if problems:
        raise OmbudsError("\n".join(problems))
    return profile
