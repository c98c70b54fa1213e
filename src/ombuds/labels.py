"""The LGSCO engine's labels (SPEC 1.2, 2.1), read from the chosen scheme's `labels.toml`, `types.toml` and
`scheme.toml` `[words.letter]`: change a label's words there, not here. The database stores each label's id; its
display words (the published spelling, in the published order) are the scheme's and reach the outputs through
`EngineLabels`, built once per scheme (`engine_labels(settings.scheme)`) and handed down with the settings and the
statistics service. Which labels each figure counts (which outcomes are a detailed investigation, which upheld, which
compliance outcomes complied) is the scheme's `measures.toml`, carried as `EngineLabels.measures`. What else the
engine does with the labels (who a letter is addressed to, which decisions may carry a remedy) is SPEC 2.3 and stays
code, naming labels by id: the constants below are ids and engine facts, never words a scheme may change."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field

from ombuds.schemes import DEFAULT, LabelSet, Measure, Scheme, load_scheme
from ombuds.schemes.keys import label_key

__all__ = ["ADDRESSEE", "ASSESSED_AND_CLOSED_IDS", "COMPLIES", "FROM_CASE_RECORDS", "FROM_PUBLISHED", "NOT_FOR_US_IDS",
           "NOT_UPHELD_ID", "OWN_OUTCOMES", "UPHELD_ID", "Choices", "Count", "EngineLabels", "EngineMeasures",
           "engine_labels", "label_key", "lookup"]

# The outcome ids the engine singles out where no measure answers: a remedy's flags are on upheld decisions only
# (the import's rule), the demo's decisions, a published letter's "upheld" line and the decision lists' filters.
UPHELD_ID, NOT_UPHELD_ID = "upheld", "not-upheld"
NOT_FOR_US_IDS = ("incomplete-or-invalid", "advice-given", "referred-back-for-local-resolution")
ASSESSED_AND_CLOSED_IDS = ("closed-after-initial-enquiries",)
ADDRESSEE = "chief-executive"  # the contact role a letter is addressed to

# An organisation's own complaints (the Complaint Handling Code): outcomes, and self-assessment answers.
OWN_OUTCOMES = ("upheld", "partly upheld", "not upheld", "withdrawn", "not a complaint")
COMPLIES = ("yes", "partly", "no")

FROM_CASE_RECORDS = "case records"
FROM_PUBLISHED = "published letter"  # figures read back from published letters and pages (`parse --import`)


@dataclass(frozen=True)
class Count:
    """A count measure of the LGSCO engine: the cases whose label of `set` is one of `ids` (with `flag`, only the
    decisions that have it)."""

    id: str
    set: str
    ids: tuple[str, ...]
    flag: str | None


@dataclass(frozen=True, eq=False)
class EngineMeasures:
    """The LGSCO engine's measures (the scheme's measures.toml; schemes.engine_measures fixes their ids): each count's
    labels, each rate's numerator and denominator, the count per size unit. Evaluated by `stats.model`."""

    counts: tuple[Count, ...]
    ratios: dict[str, tuple[str, str]]  # rate id → (numerator, denominator) count ids
    per_size: dict[str, tuple[str, int]]  # upheld_per_100k → (count id, per)

    @classmethod
    def of(cls, measures: tuple[Measure, ...], sets: Mapping[str, LabelSet]) -> EngineMeasures:
        counts = tuple(Count(m.id, m.label.set, m.label.ids or sets[m.label.set].ids, m.flag)
                       for m in measures if m.kind == "count" and m.label is not None)
        ratios = {m.id: (m.numerator or "", m.denominator or "") for m in measures if m.kind == "ratio"}
        per_size = {m.id: (m.measure or "", m.per or 1) for m in measures if m.kind == "per_size"}
        return cls(counts, ratios, per_size)

    def ids_of(self, count_id: str) -> tuple[str, ...]:
        """The label ids a count measure counts (`upheld` → ("upheld",))."""
        return next(c.ids for c in self.counts if c.id == count_id)

    def counted(self, labelled: Mapping[str, Mapping[str, int]],
                flagged: Mapping[str, Mapping[str, int]]) -> dict[str, int]:
        """Each count's value for one authority, from its cases by label set then label id, and from its decisions
        with each flag by outcome id."""
        found = {}
        for c in self.counts:
            by_label = flagged[c.flag] if c.flag else labelled[c.set]
            found[c.id] = sum(by_label.get(label, 0) for label in c.ids)
        return found


@dataclass(frozen=True, eq=False)
class EngineLabels:
    """One LGSCO-engine scheme's labels and type words: the sets by id and, for the SPEC 2.3 record (keyed by
    words), each set's words in the scheme's order; and the plain words of its letters. One per loaded scheme
    (`engine_labels`), compared and hashed by identity."""

    sets: dict[str, LabelSet]  # service_area, outcome, compliance, contact_role
    type_names: dict[str, str]  # type id → its name ("district council"), as the site words a type
    type_plurals: dict[str, str]  # type id → its plural ("district councils")
    letter: Mapping[str, str]  # the letters' plain words (scheme.toml [words.letter])
    peer_average_types: tuple[str, ...]  # the type ids compared with an average of their type, in the scheme's order
    measures: EngineMeasures  # what each SPEC 2.3 figure counts (measures.toml)
    area_words: dict[str, str] = field(init=False)  # stored id → display words, in the published order
    outcome_words: dict[str, str] = field(init=False)
    role_words: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        words = {name: {label.id: label.name for label in self.sets[name].labels}
                 for name in ("service_area", "outcome", "contact_role")}
        object.__setattr__(self, "area_words", words["service_area"])
        object.__setattr__(self, "outcome_words", words["outcome"])
        object.__setattr__(self, "role_words", words["contact_role"])

    @property
    def service_areas(self) -> tuple[str, ...]:
        """The service areas' words, in the published order: the keys of a record's `received`."""
        return self.sets["service_area"].names

    @property
    def outcomes(self) -> tuple[str, ...]:
        """The outcomes' words, in the published order: the keys of a record's `decided`."""
        return self.sets["outcome"].names

    @property
    def roles(self) -> tuple[str, ...]:
        """The contact roles' ids, in the scheme's order (a letter's copies follow it)."""
        return self.sets["contact_role"].ids

    def outcome(self, outcome_id: str) -> str:
        """An outcome's words, by id (`upheld` → "Upheld")."""
        return self.outcome_words[outcome_id]

    def outcomes_of(self, ids: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(self.outcome_words[i] for i in ids)

    def counts_by_id(self, record: dict) -> dict:
        """A SPEC 2.3 record (JSON data) with its counts by service area and outcome keyed by label id, as the
        database keeps published and frozen figures."""
        return _rekeyed(record, {key: {name: i for i, name in words.items()} for key, words in self._words.items()})

    def counts_in_words(self, record: dict) -> dict:
        """The stored form of `counts_by_id` back in the scheme's words: the SPEC 2.3 record."""
        return _rekeyed(record, self._words)

    def figure_in_words(self, figure: str) -> str:
        """The name of one of a record's figures, flattened as a release compares them, with its label id in the
        scheme's words (`decided.upheld` → `decided.Upheld`); any other figure (`uphold_rate`) as it is."""
        key, _, label = figure.partition(".")
        words = self._words.get(key, {})
        return f"{key}.{words[label]}" if label in words else figure

    @property
    def _words(self) -> dict[str, dict[str, str]]:
        """A SPEC 2.3 record's counts by label (and "total"): the words of each label id."""
        return {"received": self.area_words, "decided": self.outcome_words}


ENGINE_SETS = ("service_area", "outcome", "compliance", "contact_role")  # the label sets the engine needs
_built: dict[int, tuple[Scheme, EngineLabels]] = {}
_lock = threading.Lock()


def engine_labels(scheme: Scheme) -> EngineLabels:
    """The scheme's LGSCO-engine labels, built once per loaded scheme."""
    with _lock:
        entry = _built.get(id(scheme))
        if entry is None or entry[0] is not scheme:
            for set_id in ENGINE_SETS:
                scheme.labels(set_id)  # OmbudsError naming the scheme and the set it lacks
            measures = scheme.measures or load_scheme(DEFAULT).measures  # no measures.toml: the shipped LGSCO's
            labels = EngineLabels(sets=dict(scheme.label_sets), type_names={t.id: t.name for t in scheme.types},
                                  type_plurals={t.id: t.plural for t in scheme.types}, letter=scheme.words.letter,
                                  peer_average_types=scheme.peer_average_types,
                                  measures=EngineMeasures.of(measures, scheme.label_sets))
            entry = _built[id(scheme)] = (scheme, labels)
        return entry[1]


class Choices(dict[str, str]):
    """What an input column may hold: each accepted spelling's `label_key` → the value stored; `words` are the
    accepted values as an error message lists them."""

    def __init__(self, spellings: dict[str, str], words: tuple[str, ...]):
        super().__init__(spellings)
        self.words = words


def lookup(labels: tuple[str, ...] | LabelSet) -> Choices:
    """A label set's choices (its names and aliases, each giving the label's id), or plain words' (each giving
    itself)."""
    if isinstance(labels, LabelSet):
        spellings = {label_key(spelling): label.id for label in labels.labels
                     for spelling in (label.name, *label.aliases)}
        return Choices(spellings, labels.names)
    return Choices({label_key(label): label for label in labels}, labels)


def _rekeyed(record: dict, keys: dict[str, dict[str, str]]) -> dict:
    return {**record, **{key: {keys[key].get(k, k): v for k, v in record[key].items()}
                         for key in keys if isinstance(record.get(key), dict)}}
