"""What the static build needs to rebuild only what changed: each page's inputs, recorded while it is built, and the
manifest that keeps them, beside the output folder (never inside it, so it is not published).

A page or file is built through a `Recorder`, which hands the page kind the real site data and notes every method
it calls (`record(authority, year)`, `years_of(authority)`, `all_decisions(authority, year)`, …) with a digest of the
answer: these are the page's facts. The next build asks the same questions of the new data; when every answer's
digest is the same, the page's bytes would be too, and the previous build's file is linked instead of being made
again, but only if that file still has the hash the manifest stored (a file edited or deleted in the output folder
is made again). A page that reads anything else of the site data (an attribute that is not a plain setting) has
facts that cannot be checked and is always made again. Code, templates, scheme, profile and editions enter one
digest for the whole build: any change to them makes everything again.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
from collections.abc import Callable, Iterable
from datetime import date
from enum import Enum
from importlib import import_module
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from ombuds.fingerprints import source_digest
from ombuds.registry import Authority
from ombuds.years import Year

MANIFEST_VERSION = 1
# The site data's settings: fixed for a build, and part of its digest (`build_digest`).
SETTINGS = frozenset({"profile", "scheme", "settings", "authorities", "method", "preview", "editions", "code",
                      "shared_context", "labels"})
OPAQUE = "?"  # a fact that cannot be asked again: the page is always made again


def manifest_path(out: Path) -> Path:
    """Where a build's manifest is kept: beside the output folder (`site/` → `.site.build.json`), so a host that
    publishes the folder never publishes it."""
    return out.parent / f".{out.name}.build.json"


def canonical(value: Any) -> Any:
    """`value` as plain JSON data, the same in every process (sets sorted, records as their fields)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Year):
        return ["year", value.label]
    if isinstance(value, Authority):
        return ["authority", value.code]
    if isinstance(value, Enum):
        return canonical(value.value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, BaseModel):
        return canonical(value.model_dump(mode="json"))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [type(value).__name__, *(canonical(getattr(value, name)) for name in _field_names(type(value)))]
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value):
            return [[k, canonical(value[k])] for k in sorted(value)]
        return sorted(([canonical(k), canonical(v)] for k, v in value.items()), key=_sort_key)
    if isinstance(value, list | tuple):
        return [canonical(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted((canonical(v) for v in value), key=_sort_key)
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, range):
        return ["range", value.start, value.stop, value.step]
    raise TypeError(f"no canonical form for {type(value).__name__}")


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


def _sort_key(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def digest(value: Any) -> str:
    """A hash of `value`'s canonical form; OPAQUE when it has none."""
    try:
        text = json.dumps(canonical(value), sort_keys=True, separators=(",", ":"))
    except TypeError:
        return OPAQUE
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def file_hash(path: Path) -> str:
    with open(path, "rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


def _encode(value: Any) -> list | None:
    if isinstance(value, Authority):
        return ["a", value.code]
    if isinstance(value, Year):
        return ["y", value.label]
    if value is None or isinstance(value, bool | int | str):
        return ["v", value]
    if isinstance(value, list):
        encoded = [_encode(v) for v in value]
        return None if any(e is None for e in encoded) else ["l", encoded]
    return None


def fact_key(name: str, args: tuple, kwargs: dict) -> str | None:
    """The question `site.name(*args, **kwargs)` as text, or None when an argument cannot be written down."""
    encoded = [_encode(a) for a in args]
    named = {k: _encode(v) for k, v in kwargs.items()}
    if any(e is None for e in encoded) or any(e is None for e in named.values()):
        return None
    return json.dumps([name, encoded, named], separators=(",", ":"), sort_keys=True)


class Facts:
    """The answers of one site data object, by question, each digested once (one build, one data version)."""

    def __init__(self, site: Any):
        self.site = site
        self._digests: dict[str, str] = {}

    def digest_of(self, key: str) -> str:
        """The digest of a question's answer now, asking it if no page of this process has."""
        found = self._digests.get(key)
        if found is None:
            found = self._ask(key)
            self._digests[key] = found
        return found

    def note(self, key: str, answer: Any) -> str:
        found = self._digests.get(key)
        if found is None:
            found = self._digests[key] = digest(answer)
        return found

    def _ask(self, key: str) -> str:
        name, args, kwargs = json.loads(key)
        try:
            method = _derived(name, self.site) if ":" in name else getattr(self.site, name)
            answer = method(*(self._decode(a) for a in args), **{k: self._decode(v) for k, v in kwargs.items()})
        except Exception:  # the question has no answer now (the page would say why when built): not the same
            return OPAQUE
        return digest(answer)

    def _decode(self, encoded: list) -> Any:
        tag, value = encoded
        if tag == "a":
            return self.site.authorities.get(value)
        if tag == "y":
            return Year.parse(value)
        if tag == "l":
            return [self._decode(v) for v in value]
        return value

    def unchanged(self, facts: dict[str, str]) -> bool:
        """Whether every recorded question still has the recorded answer."""
        return all(old != OPAQUE and self.digest_of(key) == old for key, old in facts.items())


class Recorder:
    """The site data as one page sees it: every method it calls is answered by the real object and noted, with
    the answer's digest, in `facts`."""

    def __init__(self, facts: Facts):
        self._facts = facts
        self.facts: dict[str, str] = {}

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._facts.site, name)
        if name in SETTINGS:
            return value
        if name.startswith("_") or not callable(value):
            self.facts[OPAQUE] = OPAQUE
            return value

        def asked(*args, **kwargs):
            return self.note(fact_key(name, args, kwargs), value(*args, **kwargs))
        return asked

    def note(self, key: str | None, answer: Any) -> Any:
        """Record the answer to question `key` (None: a question that cannot be written down) and return it."""
        if key is None:
            self.facts[OPAQUE] = OPAQUE
        else:
            self.facts[key] = self._facts.note(key, answer)
        return answer


def fact(function: Callable) -> Callable:
    """A page module's function `function(site, *args)` whose answer a page shows as it is (strings, a chart): a
    page built through a Recorder records it as one fact, by the answer's digest, instead of every question it
    asks of the site data; so a page whose shown words and figures are the same is not made again even though the
    data behind them moved (a type's average by a thousandth)."""
    name = f"{function.__module__}:{function.__qualname__}"

    @functools.wraps(function)
    def asked(site, *args):
        if not isinstance(site, Recorder):
            return function(site, *args)
        return site.note(fact_key(name, args, {}), function(site._facts.site, *args))
    return asked


def _derived(name: str, site: Any) -> Callable:
    module, _, qualname = name.partition(":")
    return functools.partial(getattr(import_module(module), qualname).__wrapped__, site)


def build_digest(settings: Any, preview: bool, kinds: Iterable[str]) -> str:
    """Everything a build is made from besides the data: the package's code, templates and static files, the
    scheme's folder, the profile, the editions, whether it is a preview, and the kinds it builds."""
    parts = [source_digest(("**/*",)), _folder_digest(settings.scheme.folder), _folder_digest(settings.editions),
             digest(settings.profile), str(preview), ",".join(kinds)]
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


def _folder_digest(folder: Path) -> str:
    hashed = hashlib.sha256()
    if folder.is_dir():
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            hashed.update(path.relative_to(folder).as_posix().encode("utf-8") + b"\0" + path.read_bytes())
    return hashed.hexdigest()


@dataclasses.dataclass(frozen=True)
class Manifest:
    """What the previous build made: per item (a page or file with its parameters) its facts, the hash of each file
    it wrote and, for a file kind with one, its content fingerprint. Stored with each fact written once, items
    naming them by number."""

    folder: Path
    build: str = ""
    items: dict[str, dict] = dataclasses.field(default_factory=dict)

    @classmethod
    def read(cls, out: Path, build: str) -> Manifest:
        """The manifest of the build in `out`, if it was made with the same `build` digest; else an empty one."""
        try:
            stored = json.loads(manifest_path(out).read_text(encoding="utf-8"))
            if stored["version"] == MANIFEST_VERSION and stored["build"] == build and out.is_dir():
                table = stored["facts"]
                items = {key: {**entry, "facts": {table[i][0]: table[i][1] for i in entry["facts"]}}
                         for key, entry in stored["items"].items()}
                return cls(out, build, items)
        except (OSError, ValueError, KeyError, TypeError, IndexError):
            pass
        return cls(out, build)

    def intact(self, outputs: dict[str, str]) -> bool:
        """Whether every file the item wrote is still in the previous build with the hash it had."""
        try:
            return all(file_hash(self.folder / path) == stored for path, stored in outputs.items())
        except OSError:
            return False

    def link(self, outputs: Iterable[str], folder: Path) -> bool:
        """Link the previous build's files into `folder`; False if any cannot be."""
        try:
            for path in outputs:
                target = folder / path
                target.parent.mkdir(parents=True, exist_ok=True)
                os.link(self.folder / path, target)
        except OSError:
            return False
        return True


def write_manifest(out: Path, build: str, items: dict[str, dict]) -> Path:
    """Write the manifest beside `out` under a temporary name and return it (to be renamed into place)."""
    numbers: dict[tuple[str, str], int] = {}
    compact = {key: {**entry, "facts": [numbers.setdefault(pair, len(numbers)) for pair in entry["facts"].items()]}
               for key, entry in items.items()}
    temporary = manifest_path(out).with_name(manifest_path(out).name + f".tmp-{os.getpid()}")
    temporary.write_text(json.dumps({"version": MANIFEST_VERSION, "build": build, "facts": [list(p) for p in numbers],
                                     "items": compact}, separators=(",", ":")), encoding="utf-8")
    return temporary


def item_key(kind: str, params: dict) -> str:
    return json.dumps([kind, params], sort_keys=True, separators=(",", ":"))
