"""What the static build needs to rebuild only what changed: each page's inputs, recorded while it is built, and the
manifest that keeps them, beside the output folder (never inside it, so it is not published).

A page or file is built through a `Recorder`, which hands the page kind the real site data and notes every method
it calls (`record(authority, year)`, `years_of(authority)`, `all_decisions(authority, year)`, …) with a digest of the
answer: these are the page's facts. The next build asks the same questions of the new data; when every answer's
digest is the same, the page's bytes would be too, and the previous build's file is kept instead of being made
again, but only if that file still has the hash the manifest stored (a file edited, replaced or deleted in the output
folder is made again). A page that reads anything else of the site data (an attribute that is not a plain setting) has
facts that cannot be checked and is always made again. Code, templates, scheme, profile and editions enter one
digest for the whole build: any change to them makes everything again.

A rebuild does not ask every question again: it asks only those whose answers the data's changes since the
previous build can have moved (`Reach`). The manifest keeps the state the build read (its data version and that
step's token, the day, the years held); the store's change list (`store.changes`) says which (year, body) pairs every
import since then reached. A body's decisions or improvements in a year move only with that pair; a year's figures
(every record, the type averages, the decision counts, the revisions) with a change in that year or the year before
(each year's figures compare with the year before's); a body's years with a change to that body; the years shown,
and which of them have case records, with the years held (the state keeps both). A derived fact that asks only some
years moves with those alone: a council's trend for a year asks the years up to it, so a change to the latest year
moves no older year's page. A page module's derived fact (`fact`) is asked again only when a question it asked did move
(the manifest keeps the questions each asked). Anything else, or a change list that cannot say (a first load,
population, contacts, releases, a migration, another day or database), asks everything again, as a build of
unknown changes must. A page whose every answer is unchanged by that judgement is kept without a question asked.
"""

from __future__ import annotations

import dataclasses
import functools
import gc
import hashlib
import json
import operator
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from enum import Enum
from importlib import import_module
from pathlib import Path
from typing import Any

import msgpack
from cachetools import LRUCache
from pydantic import BaseModel

from ombuds.fingerprints import source_digest
from ombuds.registry import Authority
from ombuds.years import Year

MANIFEST_VERSION = 4
# The site data's settings: fixed for a build, and part of its digest (`build_digest`).
SETTINGS = frozenset({"profile", "scheme", "settings", "authorities", "method", "preview", "editions", "code",
                      "shared_context", "labels"})
OPAQUE = "?"  # a fact that cannot be asked again: the page is always made again
DERIVED_KEPT = 32  # derived facts' answers a process keeps (`fact`)


def manifest_path(out: Path) -> Path:
    """Where a build's manifest is kept: beside the output folder (`site/` → `.site.build.msgpack`), so a host that
    publishes the folder never publishes it. MessagePack: a rebuild reads and writes it whole, several times faster
    than the same as JSON."""
    return out.parent / f".{out.name}.build.msgpack"


def canonical(value: Any) -> Any:
    """`value` as plain JSON data, the same in every process (sets sorted, records as their fields)."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    form = _FORMS.get(kind)
    if form is None:
        form = _FORMS[kind] = _form_of(kind)
    return form(value)


def _form_of(kind: type) -> Callable[[Any], Any]:
    """How `canonical` writes a value of type `kind` (chosen once per type: the choice depends on the type alone)."""
    if kind is type(None) or issubclass(kind, bool | int | float | str):
        return _itself
    for base, form in _FIXED_FORMS:
        if issubclass(kind, base):
            return form
    if dataclasses.is_dataclass(kind) and not issubclass(kind, type):
        return _record_form(kind)
    for base, form in _CONTAINER_FORMS:
        if issubclass(kind, base):
            return form
    return _no_form


def _itself(value: Any) -> Any:
    return value


_PLAIN = frozenset({str, int, float, bool, type(None)})  # written as they are (most fields and list members)


def _record_form(kind: type) -> Callable[[Any], list]:
    """A dataclass's form: its name, then its fields' forms in order."""
    names = _field_names(kind)
    fields = operator.attrgetter(*names) if len(names) > 1 else lambda value: tuple(getattr(value, n) for n in names)
    return lambda value: [kind.__name__, *_members(fields(value))]


def _members(values: Iterable) -> list:
    return [v if type(v) in _PLAIN else canonical(v) for v in values]


def _no_form(value: Any) -> Any:
    raise TypeError(f"no canonical form for {type(value).__name__}")


def _mapping(value: dict) -> list:
    if all(isinstance(k, str) for k in value):
        return [[k, v if type(v := value[k]) in _PLAIN else canonical(v)] for k in sorted(value)]
    return sorted(([canonical(k), canonical(v)] for k, v in value.items()), key=_sort_key)


_FIXED_FORMS: tuple[tuple[type, Callable[[Any], Any]], ...] = (
    (Year, lambda value: ["year", value.label]),
    (Authority, lambda value: ["authority", value.code]),
    (Enum, lambda value: canonical(value.value)),
    (date, lambda value: value.isoformat()),
    (BaseModel, lambda value: canonical(value.model_dump(mode="json"))),
)
_CONTAINER_FORMS: tuple[tuple[type, Callable[[Any], Any]], ...] = (
    (dict, _mapping),
    (list | tuple, _members),
    (set | frozenset, lambda value: sorted((canonical(v) for v in value), key=_sort_key)),
    (Path, str),
    (range, lambda value: ["range", value.start, value.stop, value.step]),
)
_FORMS: dict[type, Callable[[Any], Any]] = {}


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


def _sort_key(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def digest(value: Any) -> str:
    """A hash of `value`'s canonical form, packed as MessagePack (plain lists, strings and numbers have one packing,
    the same in every process); OPAQUE when it has none."""
    try:
        form = canonical(value)
    except TypeError:
        return OPAQUE
    try:
        packed = msgpack.packb(form)
    except OverflowError:  # an integer beyond 64 bits, which MessagePack cannot hold: its JSON text instead
        packed = json.dumps(form).encode("utf-8")
    return hashlib.blake2b(packed, digest_size=16).hexdigest()


def file_hash(path: Path) -> str:
    with open(path, "rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


def _encode(value: Any) -> str | None:
    """An argument of a question as JSON text (`["a", code]`, `["y", label]`, `["v", value]`, `["l", [...]]`), or
    None when it cannot be written down."""
    if isinstance(value, Authority):
        return f'["a",{_text(value.code)}]'
    if isinstance(value, Year):
        return f'["y",{_text(value.label)}]'
    if value is None or isinstance(value, bool | int | str):
        return f'["v",{_text(value)}]'
    if isinstance(value, list):
        encoded = [_encode(v) for v in value]
        return None if None in encoded else f'["l",[{",".join(encoded)}]]'
    return None


def _text(value: str | int | bool | None) -> str:
    """`value` as `json.dumps` writes it (a plain ASCII string needs no escapes, so it is only quoted)."""
    if type(value) is str and value.isascii() and value.isprintable() and '"' not in value and "\\" not in value:
        return f'"{value}"'
    return json.dumps(value)


def fact_key(name: str, args: tuple, kwargs: dict) -> str | None:
    """The question `site.name(*args, **kwargs)` as text, or None when an argument cannot be written down: the JSON
    `[name, [argument, …], {keyword: argument, …}]` (keywords sorted, no spaces), written out directly (a page asks
    hundreds of questions; `json.dumps` of the same lists costs several times as much)."""
    encoded = [_encode(a) for a in args]
    if None in encoded:
        return None
    named = ""
    if kwargs:
        pairs = [(k, _encode(kwargs[k])) for k in sorted(kwargs)]
        if any(e is None for _, e in pairs):
            return None
        named = ",".join(f"{_text(k)}:{e}" for k, e in pairs)
    return f'[{_text(name)},[{",".join(encoded)}],{{{named}}}]'


class Facts:
    """The answers of one site data object, by question, each digested once (one build, one data version); with
    the previous build's `reach`, the questions it judges unmoved are not asked at all."""

    def __init__(self, site: Any, reach: Reach | Moved | None = None):
        self.site = site
        self.reach = reach if reach is not None else Reach(None)
        self._digests: dict[str, str] = {}
        self.inner: dict[str, list[str]] = {}  # the questions each derived fact asked, as asked in this process
        # the last derived facts' answers and questions (`fact`): one the pages of a kind all show (the comparison
        # form's council names) is worked out once, not once a page
        self.derived: LRUCache = LRUCache(DERIVED_KEPT)

    def digest_of(self, key: str) -> str:
        """The digest of a question's answer now, asking it if no page of this process has."""
        found = self._digests.get(key)
        if found is None:
            found = self._ask(key)
            self._digests[key] = found
        return found

    def same(self, key: str, old: str) -> bool:
        """Whether question `key`, answered `old` by the previous build, has that answer now."""
        return old != OPAQUE and (self.reach.still(key) or self.digest_of(key) == old)

    def note(self, key: str, answer: Any) -> str:
        found = self._digests.get(key)
        if found is None:
            found = self._digests[key] = digest(answer)
        return found

    def _ask(self, key: str) -> str:
        name, args, kwargs = json.loads(key)
        try:
            values = [self._decode(a) for a in args]
            if ":" in name:  # a derived fact: the questions it asks are noted again for the next rebuild
                asking = Recorder(self, keys_only=True)
                answer = _derived(name)(asking, *values)
                self.inner[key] = list(asking.facts)
            else:
                answer = getattr(self.site, name)(*values, **{k: self._decode(v) for k, v in kwargs.items()})
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

    def unmoved(self, facts: dict[str, str]) -> bool:
        """Whether the data's changes cannot have moved any recorded answer (no question is asked)."""
        return all(old != OPAQUE and self.reach.still(key) for key, old in facts.items())

    def unchanged(self, facts: dict[str, str]) -> bool:
        """Whether every recorded question still has the recorded answer."""
        return all(self.same(key, old) for key, old in facts.items())


BODY_YEAR = frozenset({"all_decisions", "public_reports", "improvements"})  # one body's rows in one year
YEAR = frozenset({"record", "year_statistics", "decision_counts", "revisions", "year_revisions",
                  "edition"})  # one year's figures, which compare with the year before's
BODY = frozenset({"years_of", "default_year", "recent_decisions"})  # one body's years (and the years held)
# the years held and which of them have case records (releases and day: unknown)
HELD = frozenset({"years", "latest_year", "year", "preview_notes", "has_case_records"})
NO_CASES = frozenset({"by_slug", "contacts", "self_assessments", "assessment_years", "edition_files", "synthetic"})


@dataclasses.dataclass(frozen=True)
class DataState:
    """What a build read besides its code and settings: its data version and that step's token, the day, the years
    held and those of them with case records (the others' figures come from published documents)."""

    token: str
    version: int
    day: str
    years: tuple[str, ...]
    case_years: tuple[str, ...] = ()


class Reach:
    """Which questions the data's changes since the previous build can have answered differently. `changed`: the
    (year, body) pairs the store's change list gives (None: unknown, every question moved); `years_moved`: the
    years held, or those with case records, are not those the previous build read; `inner`: the questions each
    derived fact asked then."""

    def __init__(self, changed: frozenset[tuple[int, str]] | None, years_moved: bool = False,
                 inner: dict[str, list[str]] | None = None):
        self.changed = changed
        self.years_moved = years_moved
        self.inner = inner or {}
        self._years = {year for year, _ in changed or ()}
        self._bodies = {code for _, code in changed or ()}
        self._still: dict[str, bool] = {}

    @classmethod
    def between(cls, before: DataState | None, now: DataState, changed: frozenset | None,
                inner: dict[str, list[str]]) -> Reach:
        """The reach from the state a previous build read to `now`, given the change list since its version (None
        when the store cannot say it, `store.changes.reach_since`: another history, a step that recorded nothing)."""
        if before is None or before.day != now.day:
            return cls(None)
        return cls(changed, (before.years, before.case_years) != (now.years, now.case_years), inner)

    def moves_anything(self) -> bool:
        """Whether the data's changes can have moved any answer at all."""
        return self.changed is None or bool(self.changed) or self.years_moved

    def still(self, key: str) -> bool:
        """Whether question `key`'s answer cannot have moved (judged once per question)."""
        found = self._still.get(key)
        if found is None:
            found = self._still[key] = self.changed is not None and self._judge(key)
        return found

    def _judge(self, key: str) -> bool:
        if not self.changed and not self.years_moved:
            return True  # nothing changed since the previous build
        name, args, _ = json.loads(key)
        if ":" in name:
            inner = self.inner.get(key)
            return inner is not None and OPAQUE not in inner and all(self.still(k) for k in inner)
        years = [Year.parse(value).start_year for tag, value in args if tag == "y"]
        bodies = [value for tag, value in args if tag == "a"]
        if name in BODY_YEAR:
            return len(years) == len(bodies) == 1 and (years[0], bodies[0]) not in self.changed
        if name in YEAR:
            return len(years) == 1 and not {years[0], years[0] - 1} & self._years
        if name in BODY:
            return len(bodies) == 1 and not self.years_moved and bodies[0] not in self._bodies
        if name in HELD:
            return not self.years_moved
        return name in NO_CASES


class Moved:
    """A reach judged beforehand (by the build's parent process, for a worker): the questions that can have moved
    among those of the items handed over; every other question of theirs cannot have."""

    def __init__(self, keys: frozenset[str]):
        self.keys = keys

    def still(self, key: str) -> bool:
        return key not in self.keys


class Recorder:
    """The site data as one page sees it: every method it calls is answered by the real object and noted, with
    the answer's digest, in `facts`."""

    def __init__(self, facts: Facts, keys_only: bool = False, known: dict[str, str] | None = None):
        self._facts = facts
        self._keys_only = keys_only  # noting the questions a derived fact asks, not their answers
        self._known = known or {}  # the previous build's digests of this page's answers
        self.facts: dict[str, str] = {}

    def __getattr__(self, name: str) -> Any:
        """A setting as it is, a method as one that notes its questions (both kept on the recorder: the page asks
        again without coming here), anything else as it is, the page's facts made opaque."""
        value = getattr(self._facts.site, name)
        if name in SETTINGS:
            self.__dict__[name] = value
            return value
        if name.startswith("_") or not callable(value):
            self.facts[OPAQUE] = OPAQUE
            return value

        def asked(*args, **kwargs):
            return self.note(fact_key(name, args, kwargs), value(*args, **kwargs))
        self.__dict__[name] = asked
        return asked

    def note(self, key: str | None, answer: Any) -> Any:
        """Record the answer to question `key` (None: a question that cannot be written down) and return it."""
        if key is None:
            self.facts[OPAQUE] = OPAQUE
        else:  # one string for each question in the process: the pages' facts sent back share them
            self.facts[sys.intern(key)] = "" if self._keys_only else self._digest(key, answer)
        return answer

    def _digest(self, key: str, answer: Any) -> str:
        """The answer's digest: the previous build's where the data's changes cannot have moved it."""
        old = self._known.get(key)
        if old is not None and old != OPAQUE and self._facts.reach.still(key):
            return old
        return self._facts.note(key, answer)


def fact(function: Callable) -> Callable:
    """A page module's function `function(site, *args)` whose answer a page shows as it is (strings, a chart): a
    page built through a Recorder records it as one fact, by the answer's digest, instead of every question it
    asks of the site data; so a page whose shown words and figures are the same is not made again even though the
    data behind them moved (a type's average by a thousandth). The answer is shared by the pages that ask the same
    of one build's data in one process (the last DERIVED_KEPT), so no page changes it."""
    name = f"{function.__module__}:{function.__qualname__}"

    @functools.wraps(function)
    def asked(site, *args):
        if not isinstance(site, Recorder):
            return function(site, *args)
        key = fact_key(name, args, {})
        facts = site._facts
        found = facts.derived.get(key) if key is not None else None
        if found is None:
            asking = Recorder(facts, keys_only=True)
            found = function(asking, *args), list(asking.facts)
            if key is not None:
                facts.derived[key] = found
        answer, questions = found
        if key is not None:
            facts.inner[key] = questions
        return site.note(key, answer)
    return asked


def _derived(name: str) -> Callable:
    module, _, qualname = name.partition(":")
    return getattr(import_module(module), qualname).__wrapped__


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


def data_state(database: Any, years: Iterable[Year], case_years: Iterable[Year] = ()) -> DataState:
    """The state of the data a build reads now: the data version and its step's token, today, the years held and
    those with case records."""
    from ombuds.store.changes import token_at
    from ombuds.store.queries import data_version

    with database.read() as connection:
        version = data_version(connection)
        return DataState(token_at(connection, version), version, date.today().isoformat(),
                         tuple(y.label for y in years), tuple(y.label for y in case_years))


def reach_since_build(database: Any, previous: Manifest, now: DataState) -> Reach:
    """What the data's changes since the previous build can have moved, by the store's change list."""
    from ombuds.store.changes import reach_since

    if previous.state is None:
        return Reach(None)
    with database.read() as connection:
        changed = reach_since(connection, previous.state.token, previous.state.version)
    return Reach.between(previous.state, now, changed, previous.inner)


def file_record(path: Path | str, sha256: str, stat: os.stat_result | None = None) -> list:
    """A file's entry in the manifest: its SHA-256, size, modification time (ns) and inode (from `stat`, the file's
    status as written, if given)."""
    stat = stat if stat is not None else os.stat(path)
    return [sha256, stat.st_size, stat.st_mtime_ns, stat.st_ino]


@dataclasses.dataclass(frozen=True)
class Manifest:
    """What the previous build made: per item (a page or file with its parameters) its facts, each file it wrote
    (`file_record`) and, for a file kind with one, its content fingerprint; the data state it read and the
    questions each derived fact asked. Stored with each fact written once, items naming them by number."""

    folder: Path
    build: str = ""
    items: dict[str, dict] = dataclasses.field(default_factory=dict)
    state: DataState | None = None
    inner: dict[str, list[str]] = dataclasses.field(default_factory=dict)

    @classmethod
    def read(cls, out: Path, build: str) -> Manifest:
        """The manifest of the build in `out`, if it was made with the same `build` digest; else an empty one."""
        try:
            with _collection_paused():
                stored = msgpack.unpackb(manifest_path(out).read_bytes())
                if stored["version"] == MANIFEST_VERSION and stored["build"] == build and out.is_dir():
                    table = stored["facts"]
                    items = {key: {**entry, "facts": {table[i][0]: table[i][1] for i in entry["facts"]}}
                             for key, entry in stored["items"].items()}
                    token, version, day, years, case_years = stored["state"]
                    state = DataState(token, version, day, tuple(years), tuple(case_years))
                    return cls(out, build, items, state, stored["inner"])
        except (OSError, ValueError, KeyError, TypeError, IndexError, msgpack.UnpackException):
            pass
        return cls(out, build)

    @functools.cached_property
    def _root(self) -> str:
        return os.path.join(self.folder, "")

    def intact(self, outputs: dict[str, list]) -> bool:
        """Whether every file the item wrote is still in the previous build as it was written. A file with the
        size, modification time and inode recorded is trusted without reading it: writing to a file sets its
        modification time and replacing it gives a new inode, so only a write that puts the old time back by hand
        goes unseen (the check rsync and make rely on). Any other file is hashed."""
        root = self._root
        try:
            for path, (sha256, *stat) in outputs.items():
                found = os.stat(root + path)
                if [found.st_size, found.st_mtime_ns, found.st_ino] != stat and (
                        found.st_size != stat[0] or file_hash(root + path) != sha256):
                    return False
        except (OSError, ValueError):
            return False
        return True


def write_manifest(out: Path, build: str, items: dict[str, dict], state: DataState,
                   inner: dict[str, list[str]]) -> Path:
    """Write the manifest beside `out` under a temporary name and return it (to be renamed into place); of the
    derived facts' questions, those of the facts the items asked."""
    with _collection_paused():
        numbers: dict[tuple[str, str], int] = {}
        compact = {key: {**entry, "facts": [numbers.setdefault(pair, len(numbers)) for pair in entry["facts"].items()]}
                   for key, entry in items.items()}
        asked = [key for key, _ in numbers]
        kept: dict[str, list[str]] = {}
        while asked:
            key = asked.pop()
            if key in inner and key not in kept:
                kept[key] = inner[key]
                asked += inner[key]
        packed = msgpack.packb({"version": MANIFEST_VERSION, "build": build, "facts": [list(p) for p in numbers],
                                "items": compact, "state": dataclasses.astuple(state), "inner": kept})
    temporary = manifest_path(out).with_name(manifest_path(out).name + f".tmp-{os.getpid()}")
    temporary.write_bytes(packed)
    return temporary


@contextmanager
def _collection_paused() -> Iterator[None]:
    """The cyclic garbage collector held off while the manifest's hundreds of thousands of lists, dicts and
    strings are made (it would walk them over and over; none of them forms a cycle)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def item_key(kind: str, params: dict) -> str:
    return json.dumps([kind, params], sort_keys=True, separators=(",", ":"))
