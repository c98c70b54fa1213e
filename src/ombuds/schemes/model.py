"""The typed, frozen `Scheme`: everything ombuds knows about one ombudsman's scheme, loaded from its folder."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

from ombuds.errors import OmbudsError
from ombuds.schemes.keys import label_key


@dataclass(frozen=True)
class CaseColumn:
    """One column of an input file, and the table column it is stored in."""

    name: str  # the column's key in the file (`received_date`); problems name it
    field: str  # the table column (`authority_code`)
    type: str  # one of schemes.case_kinds.CASE_TYPES
    required: bool = False
    aliases: tuple[str, ...] = ()  # other headers accepted, as column keys
    set: str | None = None  # label: the label set
    values: tuple[str, ...] | str = ()  # choice: the words accepted, or a case_kinds.WORD_LISTS name
    default: str | None = None  # label or choice: the value of an empty cell
    width: int | None = None  # label, choice, provision: the stored text's most characters
    integer: bool = False  # choice: stored as a whole number (a stage "1" or "2")
    date: str | None = None  # body: the date (or year) column whose day picks the body and, with lifetime,
    lifetime: bool = True  # must fall within the body's life (cases outlive councils by two years)
    lines: bool = False  # text: may run over several lines
    formats: tuple[str, ...] = ()  # date: strptime formats read besides the usual ones (`%d.%m.%Y`)
    personal: bool = False  # never read nor stored (left empty): personal data a scheme chooses not to keep


@dataclass(frozen=True)
class CaseKind:
    """One input kind and its table."""

    id: str
    columns: tuple[CaseColumn, ...]  # in the order the file's columns are listed (required, then optional)
    key: tuple[str, ...]  # the fields a later import replaces a row by (the table's primary key)
    order: tuple[str, ...]  # the table's columns (fields), in order
    indexes: Mapping[str, tuple[str, ...]]  # index name → fields
    rules: tuple[str, ...] = ()
    first_load: bool = True  # rows may go straight into an empty table (False: checked against each other)

    def column(self, field: str) -> CaseColumn:
        return next(c for c in self.columns if c.field == field)


Engine = Literal["lgsco", "measures"]
ColumnType = Literal["text", "date", "label", "flag", "body", "int"]
MeasureKind = Literal["distinct", "count", "by_label", "ratio", "per_size"]
Display = Literal["count", "percent", "rate"]

ENGINES: tuple[str, ...] = ("lgsco", "measures")
COLUMN_TYPES: tuple[str, ...] = ("text", "date", "label", "flag", "body", "int")
MEASURE_KINDS: tuple[str, ...] = ("distinct", "count", "by_label", "ratio", "per_size")
DISPLAYS: tuple[str, ...] = ("count", "percent", "rate")
PEER_KEYS: tuple[str, ...] = ("type", "size_band")
PEER_METHODS: tuple[str, ...] = ("pooled",)
POSTCODES: tuple[str, ...] = ("none", "england")
# The places outside England the "england" geography's postcode directory puts postcodes in (each needs a message)
ELSEWHERE: dict[str, tuple[str, ...]] = {
    "none": (), "england": ("Wales", "Scotland", "Northern Ireland", "Channel Islands", "Isle of Man")}


def _by_id(items: tuple[Any, ...], wanted: str, missing: str) -> Any:
    """The item whose `id` is `wanted`; OmbudsError `missing 'wanted'` if none is."""
    for item in items:
        if item.id == wanted:
            return item
    raise OmbudsError(f"{missing} '{wanted}'")


@dataclass(frozen=True)
class Words:
    """The words pages and reports use for the scheme's bodies."""

    body: str
    bodies: str
    body_type: str
    size: str
    letter: Mapping[str, str] = field(default_factory=dict)  # engine "lgsco": its letters' plain words (LETTER)
    site: Mapping[str, str] = field(default_factory=dict)  # engine "lgsco": its pages' own words (SITE)


@dataclass(frozen=True)
class Report:
    name: str  # "annual review letter", "landlord report"
    min_records: int  # a report only for bodies with at least this many of `min_measure` (0: every body)
    min_measure: str  # a measure id, or "" when min_records is 0


@dataclass(frozen=True)
class License:
    """A licence the data is published under, as a Data Package names it."""

    name: str  # an Open Definition id, e.g. "OGL-UK-3.0"
    title: str
    path: str  # the licence's address


@dataclass(frozen=True)
class DataNotes:
    coverage: str  # one sentence every page shows
    attribution: str  # licence and attribution shown with the data and downloads
    licenses: tuple[License, ...] = ()


@dataclass(frozen=True)
class Label:
    id: str  # stable, stored in the database
    name: str  # display words
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class LabelSet:
    id: str
    name: str
    labels: tuple[Label, ...]  # in display order
    plural: str = ""  # the set's name in the plural as a sentence uses it ("service areas"); "" where none is given
    editions: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # edition → label id → words

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(label.id for label in self.labels)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(label.name for label in self.labels)

    def get(self, label_id: str) -> Label:
        return _by_id(self.labels, label_id, f"label set '{self.id}' has no label")

    def name_of(self, label_id: str, edition: str | None = None) -> str:
        """The label's words, as an edition words it where it does."""
        if edition is not None and label_id in self.editions.get(edition, {}):
            return self.editions[edition][label_id]
        return self.get(label_id).name

    def resolve(self, text: str) -> str | None:
        """The id of the label `text` names (its id, name or an alias, compared by `label_key`), or None."""
        wanted = label_key(text)
        for label in self.labels:
            if wanted in {label_key(label.id), label_key(label.name), *map(label_key, label.aliases)}:
                return label.id
        return None


@dataclass(frozen=True)
class BodyType:
    id: str
    name: str  # singular words: "district council"
    plural: str  # "district councils"
    peer_average: bool  # whether bodies of this type are compared with their peers' average


@dataclass(frozen=True)
class Body:
    """One body overseen, as `bodies.csv` states it."""

    code: str
    name: str
    short_name: str
    takes_the: bool
    type: str
    start_date: date | None
    end_date: date | None  # the last day it existed
    successors: tuple[str, ...]
    size: int | None
    lat: float | None
    long: float | None
    former_codes: tuple[str, ...]
    aliases: tuple[str, ...]
    extra: Mapping[str, str] = field(default_factory=dict)  # scheme-specific columns, as written


@dataclass(frozen=True)
class Column:
    name: str  # the header as the scheme writes it
    field: str  # where the value goes
    type: ColumnType
    required: bool
    set: str | None = None  # the label set of a "label" column
    aliases: tuple[str, ...] = ()  # header variants accepted


@dataclass(frozen=True)
class Kind:
    """A record kind: the columns of one input file."""

    id: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # the fields that identify a row


@dataclass(frozen=True)
class LabelMatch:
    set: str
    ids: tuple[str, ...]  # () means every row


@dataclass(frozen=True)
class Measure:
    id: str
    name: str
    kind: MeasureKind
    display: Display
    field: str | None = None  # distinct
    label: LabelMatch | None = None  # count
    flag: str | None = None  # count: only the rows with this flag field set
    set: str | None = None  # by_label
    numerator: str | None = None  # ratio
    denominator: str | None = None  # ratio
    measure: str | None = None  # per_size
    per: int | None = None  # per_size
    breakdown: str | None = None  # a label set to repeat the measure for, label by label
    fair: bool = False  # ratio: intervals and funnel plot

    @property
    def depends_on(self) -> tuple[str, ...]:
        """The measures this one is computed from."""
        return tuple(m for m in (self.numerator, self.denominator, self.measure) if m)


@dataclass(frozen=True)
class SizeBand:
    id: str
    name: str
    min: int
    max: int | None  # None: no upper bound

    def holds(self, size: int) -> bool:
        return self.min <= size and (self.max is None or size <= self.max)


@dataclass(frozen=True)
class PeerGroups:
    by: tuple[str, ...]  # ("type",) or ("type", "size_band")
    method: str  # "pooled": sum of numerators / sum of denominators
    size_bands: tuple[SizeBand, ...] = ()

    def size_band(self, size: int | None) -> SizeBand | None:
        if size is None:
            return None
        return next((band for band in self.size_bands if band.holds(size)), None)


@dataclass(frozen=True)
class Provision:
    """One provision of the Complaint Handling Code (`code.toml`)."""

    id: str  # "1.2"
    section: str
    title: str


@dataclass(frozen=True)
class MapView:
    """One map of the site: the bodies of some types (the LGSCO's lower and upper tiers)."""

    id: str
    name: str
    types: tuple[str, ...]


@dataclass(frozen=True)
class MapInset:
    """The home map's inset: the bodies of one type again, larger and labelled (the LGSCO's London boroughs)."""

    id: str  # in the inset's element ids ("hex-map-london-2024-25")
    type: str  # a body type id, in some map view
    heading: str  # above the inset: "London, larger and labelled"
    title: str  # the map's title, before the figure and year: "London boroughs"
    description: str  # what the inset shows, for screen readers


@dataclass(frozen=True)
class Scheme:
    folder: Path
    id: str
    name: str
    short_name: str
    engine: Engine
    year_start: tuple[int, int]  # (month, day) a reporting year starts
    earliest_year: str  # "2019-20"
    words: Words
    report: Report
    data: DataNotes
    postcodes: str  # "none" or "england"
    elsewhere: Mapping[str, str]  # place outside the area → what a postcode search there says ({postcode})
    hexjson: str  # "" (no map), "generated" (from centroids) or a file name in the folder
    map_views: tuple[MapView, ...]  # the maps the site offers, the home page's first; () with a map: one of every body
    map_inset: MapInset | None  # engine "lgsco": the home map's inset, if any
    bodies: tuple[Body, ...]
    aliases: Mapping[str, str]  # alias → body code
    types: tuple[BodyType, ...]
    label_sets: Mapping[str, LabelSet]
    kinds: Mapping[str, Kind]
    measures: tuple[Measure, ...]
    peer_groups: PeerGroups
    editions: Mapping[str, Mapping[str, Any]]  # edition file stem → its TOML
    layouts: Mapping[str, Mapping[str, Any]]  # layout file stem → its TOML
    map: Mapping[str, Any] | None  # the HexJSON, if the scheme ships one
    provisions: tuple[Provision, ...]
    case_kinds: Mapping[str, CaseKind] = field(default_factory=dict)  # engine lgsco: kinds.toml's kinds by id
    """Empty when an engine "lgsco" scheme has no kinds.toml (the shipped LGSCO's are used) and for engine
    "measures", whose kinds.toml is `kinds`."""

    def labels(self, set_id: str) -> LabelSet:
        try:
            return self.label_sets[set_id]
        except KeyError:
            raise OmbudsError(f"scheme '{self.id}' has no label set '{set_id}'") from None

    def type(self, type_id: str) -> BodyType:
        return _by_id(self.types, type_id, f"scheme '{self.id}' has no body type")

    @property
    def type_ids(self) -> tuple[str, ...]:
        return tuple(t.id for t in self.types)

    @property
    def peer_average_types(self) -> tuple[str, ...]:
        """The types whose bodies are compared with an average of their peers, in the scheme's order."""
        return tuple(t.id for t in self.types if t.peer_average)

    def measure(self, measure_id: str) -> Measure:
        return _by_id(self.measures, measure_id, f"scheme '{self.id}' has no measure")

    @property
    def editions_dir(self) -> Path | None:
        folder = self.folder / "editions"
        return folder if folder.is_dir() else None
