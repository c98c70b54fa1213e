"""The measures engine "lgsco" needs (its `measures.toml`): SPEC 2.3's figures by their stable field names, each of a
fixed kind and shown one way; what each counts (which labels, which flag) is the scheme's data."""

from __future__ import annotations

from collections.abc import Sequence

from ombuds.schemes.fields import Problems
from ombuds.schemes.measures import MEASURES
from ombuds.schemes.model import Measure

# id → (kind, the label set a count counts); the SPEC 2.3 record's fields, in its order
LGSCO_MEASURES: dict[str, tuple[str, str | None]] = {
    "investigated": ("count", "outcome"),
    "upheld": ("count", "outcome"),
    "uphold_rate": ("ratio", None),
    "satisfactory_remedies": ("count", "outcome"),
    "satisfactory_remedy_rate": ("ratio", None),
    "remedied_by_ombudsman": ("count", "outcome"),
    "compliance_recorded": ("count", "compliance"),
    "complied": ("count", "compliance"),
    "compliance_rate": ("ratio", None),
    "upheld_per_100k": ("per_size", None),
}
# What SPEC 2.3's figures divide: fixed, since the record names both parts; what each part counts is the data's.
RATIO_PARTS: dict[str, tuple[str, str]] = {"uphold_rate": ("upheld", "investigated"),
                                           "satisfactory_remedy_rate": ("satisfactory_remedies", "upheld"),
                                           "compliance_rate": ("complied", "compliance_recorded")}
PER_SIZE_OF = {"upheld_per_100k": "upheld"}
RECORD_COMPLIANCE = ("on-time", "late", "not-complied")  # the compliance outcomes a SPEC 2.3 record keeps
DISPLAYS = {"count": "count", "ratio": "percent", "per_size": "rate"}  # as the letters' layouts and the site show them
PER = 100_000  # upheld_per_100k: per 100,000 residents
DECISION_FLAGS = ("satisfactory_remedy", "remedied_by_ombudsman")  # the flags of a decision the store counts


def decision_flags(set_id: str) -> set[str]:
    """The flags a count over `set_id` may need: a decision's, over its outcome."""
    return set(DECISION_FLAGS) if set_id == "outcome" else set()


def check_lgsco_measures(measures: Sequence[Measure], problems: Problems) -> None:
    """Engine "lgsco" needs exactly its measures, each of its kind, counting its label set, shown its way."""
    by_id = {m.id: m for m in measures}
    for measure_id, (kind, set_id) in LGSCO_MEASURES.items():
        key = f"measures.{measure_id}"
        measure = by_id.get(measure_id)
        if measure is None:
            problems.add(MEASURES, key, f"missing (engine lgsco's statistics need a {kind} measure of this id)")
            continue
        if measure.kind != kind:
            problems.add(MEASURES, f"{key}.kind", f"engine lgsco needs a {kind} measure here, not a {measure.kind}")
            continue
        if set_id is not None and measure.label is not None and measure.label.set != set_id:
            problems.add(MEASURES, f"{key}.label.set", f"engine lgsco counts labels of set '{set_id}' here")
        if measure.display != DISPLAYS[kind]:
            problems.add(MEASURES, f"{key}.display", f"engine lgsco shows a {kind} as '{DISPLAYS[kind]}'")
        if kind == "per_size" and measure.per != PER:
            problems.add(MEASURES, f"{key}.per", f"engine lgsco's {measure_id} is per {PER}")
        _check_parts(measure, problems)
        for part in measure.depends_on:
            if part in by_id and by_id[part].kind != "count":
                name = next(n for n in ("numerator", "denominator", "measure") if getattr(measure, n) == part)
                problems.add(MEASURES, f"{key}.{name}", f"'{part}' is a {by_id[part].kind}: engine lgsco "
                             "divides counts")
    for measure in measures:
        if measure.id not in LGSCO_MEASURES:
            problems.add(MEASURES, f"measures.{measure.id}", "not a measure of engine lgsco (its measures: "
                         f"{', '.join(LGSCO_MEASURES)})")


def _check_parts(measure: Measure, problems: Problems) -> None:
    """A rate divides the counts the SPEC 2.3 record names; a compliance count counts outcomes the record keeps."""
    key = f"measures.{measure.id}"
    if measure.id in RATIO_PARTS:
        for name, part in zip(("numerator", "denominator"), RATIO_PARTS[measure.id], strict=True):
            named = getattr(measure, name)
            if named != part and named in LGSCO_MEASURES:  # an unknown measure is named as such elsewhere
                problems.add(MEASURES, f"{key}.{name}", f"engine lgsco's {measure.id} divides "
                             f"{' by '.join(RATIO_PARTS[measure.id])} (what each counts is set in its own measure)")
    if measure.id in PER_SIZE_OF and measure.measure in LGSCO_MEASURES and measure.measure != PER_SIZE_OF[measure.id]:
        problems.add(MEASURES, f"{key}.measure", f"engine lgsco's {measure.id} counts "
                     f"{PER_SIZE_OF[measure.id]} (what it counts is set in that measure)")
    if measure.label is not None and measure.label.set == "compliance":
        for label in measure.label.ids:
            if label not in RECORD_COMPLIANCE:
                problems.add(MEASURES, f"{key}.label.ids", f"'{label}' is not a compliance outcome the record keeps "
                             f"(one of: {', '.join(RECORD_COMPLIANCE)})")
