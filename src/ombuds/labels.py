"""The LGSCO engine's labels (SPEC 1.2, 2.1), read from its scheme's `labels.toml` and `types.toml`
(schemes/lgsco/): change a label's words there, not here. The database stores each label's id; its display words
(the published spelling, in the published order) are the scheme's and reach the outputs through this module.
What the engine does with the labels (which outcomes are investigations, who a letter is addressed to) is SPEC
2.3 and stays code, naming labels by id."""

from __future__ import annotations

from ombuds.schemes import DEFAULT, LabelSet, load_scheme
from ombuds.schemes.keys import label_key

__all__ = ["ADDRESSEE", "AREA_WORDS", "ASSESSED_AND_CLOSED", "COMPLIANCE", "COMPLIES", "DETAILED_INVESTIGATION",
           "FROM_CASE_RECORDS", "FROM_PUBLISHED", "NOT_FOR_US", "NOT_UPHELD", "NOT_UPHELD_ID", "OUTCOMES",
           "OUTCOME_WORDS", "OWN_OUTCOMES", "ROLES", "ROLE_WORDS", "SERVICE_AREAS", "TYPE_NAMES", "TYPE_PLURALS",
           "UPHELD", "UPHELD_ID", "Choices", "counts_by_id", "counts_in_words", "figure_in_words", "label_key",
           "lookup", "sets"]

_LGSCO = load_scheme(DEFAULT)
_AREA = _LGSCO.labels("service_area")
_OUTCOME = _LGSCO.labels("outcome")

# The display words, in the published order: what the SPEC 2.3 record is keyed by.
SERVICE_AREAS = _AREA.names
OUTCOMES = _OUTCOME.names
UPHELD_ID, NOT_UPHELD_ID = "upheld", "not-upheld"  # the outcome ids the engine singles out (SPEC 2.3)
UPHELD = _OUTCOME.get(UPHELD_ID).name
NOT_UPHELD = _OUTCOME.get(NOT_UPHELD_ID).name
DETAILED_INVESTIGATION = (NOT_UPHELD, UPHELD)
NOT_FOR_US = tuple(_OUTCOME.get(i).name for i in ("incomplete-or-invalid", "advice-given",
                                                  "referred-back-for-local-resolution"))
ASSESSED_AND_CLOSED = (_OUTCOME.get("closed-after-initial-enquiries").name,)
COMPLIANCE = _LGSCO.labels("compliance").names

# Stored id → display words, for the outputs of rows read from the case tables.
AREA_WORDS = {label.id: label.name for label in _AREA.labels}
OUTCOME_WORDS = {label.id: label.name for label in _OUTCOME.labels}

# An organisation's own complaints (the Complaint Handling Code): outcomes, and self-assessment answers.
OWN_OUTCOMES = ("upheld", "partly upheld", "not upheld", "withdrawn", "not a complaint")
COMPLIES = ("yes", "partly", "no")

ROLES = _LGSCO.labels("contact_role").ids  # stored ids, in the scheme's order (a letter's copies follow it)
ROLE_WORDS = {label.id: label.name for label in _LGSCO.labels("contact_role").labels}
ADDRESSEE = "chief-executive"

FROM_CASE_RECORDS = "case records"
FROM_PUBLISHED = "published letter"  # figures read back from published letters and pages (`parse --import`)

# Authority types (SPEC 1.1) as the letters and the site word them.
TYPE_PLURALS = {t.id: t.plural for t in _LGSCO.types}
TYPE_NAMES = {t.id: t.name for t in _LGSCO.types}


def sets() -> dict[str, LabelSet]:
    """The engine's label sets by id: service_area, outcome, compliance, contact_role."""
    return dict(_LGSCO.label_sets)


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


_WORDS = {"received": AREA_WORDS, "decided": OUTCOME_WORDS}  # a SPEC 2.3 record's counts by label (and "total")
_IDS = {key: {name: i for i, name in words.items()} for key, words in _WORDS.items()}


def counts_by_id(record: dict) -> dict:
    """A SPEC 2.3 record (JSON data) with its counts by service area and outcome keyed by label id, as the
    database keeps published and frozen figures."""
    return _rekeyed(record, _IDS)


def counts_in_words(record: dict) -> dict:
    """The stored form of `counts_by_id` back in the scheme's words: the SPEC 2.3 record."""
    return _rekeyed(record, _WORDS)


def figure_in_words(figure: str) -> str:
    """The name of one of a record's figures, flattened as a release compares them, with its label id in the
    scheme's words (`decided.upheld` → `decided.Upheld`); any other figure (`uphold_rate`) as it is."""
    key, _, label = figure.partition(".")
    words = _WORDS.get(key, {})
    return f"{key}.{words[label]}" if label in words else figure


def _rekeyed(record: dict, keys: dict[str, dict[str, str]]) -> dict:
    return {**record, **{key: {keys[key].get(k, k): v for k, v in record[key].items()}
                         for key in keys if isinstance(record.get(key), dict)}}
