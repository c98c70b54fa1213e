"""Schemes: an ombudsman's scheme as a folder of data (see docs/schemes.md), loaded once into a typed `Scheme`.

Shipped schemes are folders beside this package's modules (`lgsco/`, ...); a user may name any folder instead.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from ombuds.errors import OmbudsError
from ombuds.schemes.keys import label_key
from ombuds.schemes.model import Body, BodyType, Label, LabelSet, Measure, PeerGroups, Scheme
from ombuds.schemes.read import read_scheme

DEFAULT = "lgsco"
__all__ = ["DEFAULT", "Body", "BodyType", "Label", "LabelSet", "Measure", "PeerGroups", "Scheme", "SchemeError",
           "check_scheme", "label_key", "load_scheme", "scheme_folder", "shipped"]


class SchemeError(OmbudsError):
    """A scheme folder with problems; the message names the first as `FOLDER/FILE: key: reason`."""


def _shipped_root() -> Path:
    return Path(str(resources.files("ombuds.schemes")))


def shipped() -> tuple[str, ...]:
    """The names of the schemes shipped with ombuds."""
    return tuple(sorted(p.name for p in _shipped_root().iterdir() if (p / "scheme.toml").is_file()))


def scheme_folder(name_or_dir: str | Path) -> Path:
    """A shipped scheme's folder by name, or the folder given (a path, or a name containing a separator)."""
    text = str(name_or_dir)
    if text in shipped():
        return _shipped_root() / text
    folder = Path(text)
    if folder.is_dir():
        return folder.resolve()
    raise SchemeError(f"'{text}' is neither a shipped scheme ({', '.join(shipped())}) nor a scheme folder")


def check_scheme(folder: str | Path) -> list[str]:
    """Every problem of the scheme folder, each as `FILE: key: reason` (or `FILE:LINE: column: reason` in a CSV)."""
    return read_scheme(Path(folder))[1]


@cache
def _load(folder: Path) -> Scheme:
    scheme, problems = read_scheme(folder)
    if scheme is None:
        more = f" (and {len(problems) - 1} more: run `ombuds scheme check {folder}`)" if len(problems) > 1 else ""
        raise SchemeError(f"{folder}/{problems[0]}{more}")
    return scheme


def load_scheme(name_or_dir: str | Path) -> Scheme:
    """The scheme named (shipped) or in the folder given, loaded once; every problem is an error naming it."""
    return _load(scheme_folder(name_or_dir))
