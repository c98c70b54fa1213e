"""The SPEC 2.3 statistics object, typed: what `stats` hands to every output (CLI, letters, site, API, parse).

`StatisticsRecord` is one authority's figures for one year. Figures computed from case records are all known;
figures read from a published document are what it states, so any of them may be None. `PublishedDocument` adds
where such figures came from (SPEC 2.3, `ombuds parse`).
"""

from __future__ import annotations

from functools import cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from ombuds.labels import ASSESSED_AND_CLOSED_IDS, FROM_CASE_RECORDS, FROM_PUBLISHED, NOT_FOR_US_IDS, EngineLabels
from ombuds.years import Year

Classification = Literal["within", "above", "below", "above_95", "below_95"]
__all__ = ["FROM_CASE_RECORDS", "FROM_PUBLISHED", "AuthorityRef", "Averages", "Changes", "ComplianceCounts",
           "FunnelClasses", "Intervals", "LetterDetails", "Overview", "PublishedDocument", "RateChange",
           "StatisticsRecord", "typed_record"]
YEAR_PATTERN = r"^\d{4}-\d{2}$"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="forbid")


class AuthorityRef(_Model):
    code: str = Field(description="GSS code, e.g. E07000243")
    name: str = Field(description="Official name")
    type: str  # one of the scheme's type ids (its bodies.csv is checked against its types.toml); see typed_record


class ComplianceCounts(_Model):
    recorded: int | None = Field(None, description="Compliance outcomes recorded in the year")
    on_time: int | None = None
    late: int | None = None
    not_complied: int | None = None


class Averages(_Model):
    """The average of authorities of the same type; all None where there is none (abolished, or type Other)."""

    method: Literal["pooled", "mean"] | None = Field(None, description="pooled: sum of numerators over sum of "
                                                     "denominators; mean: unweighted mean of the authorities' rates")
    uphold_rate: float | None = None
    compliance_rate: float | None = None
    satisfactory_remedy_rate: float | None = None
    upheld_per_100k: float | None = None


class Intervals(_Model):
    """95% Wilson intervals [low, high] of the three rates (fractions); None where the denominator is zero."""

    uphold_rate: tuple[float, float] | None = None
    satisfactory_remedy_rate: tuple[float, float] | None = None
    compliance_rate: tuple[float, float] | None = None


class FunnelClasses(_Model):
    """Where the authority falls on the funnel plot of its type, per rate; None where it has no denominator or its
    type has no average."""

    uphold_rate: Classification | None = None
    satisfactory_remedy_rate: Classification | None = None
    compliance_rate: Classification | None = None


class RateChange(_Model):
    """A rate compared with the same authority's rate the year before (`stats.fairness.change_test`)."""

    previous_year: str = Field(pattern=YEAR_PATTERN)
    previous: float = Field(description="The rate the year before")
    current: float
    p_value: float
    test: Literal["fisher", "two-proportion z"]
    significant: bool = Field(description="p below 0.05")
    direction: Literal["up", "down", "none"] = Field(description="none when not significant")


class Changes(_Model):
    uphold_rate: RateChange | None = None
    satisfactory_remedy_rate: RateChange | None = None
    compliance_rate: RateChange | None = None


class Overview(_Model):
    """The 2024-25 complaint overview."""

    dealt_with: int | None = None
    not_for_us: int | None = None
    assessed_and_closed: int | None = None
    investigated: int | None = None


class LetterDetails(_Model):
    date: str | None = None
    recipient: str | None = None
    salutation: str | None = None
    signatory: str | None = None


class StatisticsRecord(_Model):
    """One authority's statistics for one year (SPEC 2.3). Rates are unrounded fractions, None where the
    denominator is zero or the figure is unknown."""

    authority: AuthorityRef
    year: str = Field(pattern=YEAR_PATTERN, description="1 April to 31 March, e.g. 2019-20")
    received: dict[str, int | None] = Field(description="Complaints and enquiries received, by service area, "
                                            "and total")
    decided: dict[str, int | None] = Field(description="Decisions by outcome, and total")
    investigated: int | None = Field(description="Detailed investigations: Upheld + Not Upheld")
    upheld: int | None
    uphold_rate: float | None
    satisfactory_remedies: int | None
    satisfactory_remedy_rate: float | None
    remedied_by_ombudsman: int | None
    compliance: ComplianceCounts
    compliance_rate: float | None
    population: int | None
    upheld_per_100k: float | None
    average: Averages
    interval: Intervals | None = Field(None, description="95% intervals of the rates; None for published figures")
    funnel: FunnelClasses | None = Field(None, description="Funnel plot classes among authorities of the same type; "
                                         "None for published figures and authorities without a type average")
    change: Changes | None = Field(None, description="Tested change from the year before; None where there is no "
                                   "year before with case records")

    @property
    def period(self) -> Year:
        return Year.parse(self.year)

    @property
    def received_total(self) -> int | None:
        return self.received.get("total")

    @property
    def dealt_with(self) -> int | None:
        """All decisions; from 2024-25 called complaints "dealt with"."""
        return self.decided.get("total")

    def not_for_us(self, labels: EngineLabels) -> int | None:
        """Decisions the ombudsman could not or would not take on, in the scheme's words (`labels`)."""
        return self._sum(labels.outcomes_of(NOT_FOR_US_IDS))

    def assessed_and_closed(self, labels: EngineLabels) -> int | None:
        return self._sum(labels.outcomes_of(ASSESSED_AND_CLOSED_IDS))

    def _sum(self, outcomes: tuple[str, ...]) -> int | None:
        values = [self.decided.get(o) for o in outcomes]
        return None if None in values else sum(values)

    def to_json(self) -> dict:
        """The SPEC 2.3 object as plain JSON data."""
        return self.model_dump(mode="json", by_alias=True)


class PublishedDocument(StatisticsRecord):
    """What a published letter or statistics page states (`ombuds parse`), and, once imported, where it came
    from: `from` is "published letter" for figures served from the store."""

    overview: Overview | None = None
    source: str = Field(description="The document the figures were read from")
    edition: str | None = Field(description="The layout found in the document; None for a letter whose "
                                "statistics are missing")
    letter: LetterDetails | None = None
    from_: Literal["published letter"] | None = Field(None, alias="from")

    @property
    def dealt_with(self) -> int | None:
        return self.overview.dealt_with if self.overview else super().dealt_with

    def not_for_us(self, labels: EngineLabels) -> int | None:
        return self.overview.not_for_us if self.overview else super().not_for_us(labels)

    def assessed_and_closed(self, labels: EngineLabels) -> int | None:
        return self.overview.assessed_and_closed if self.overview else super().assessed_and_closed(labels)

    def to_json(self) -> dict:
        data = super().to_json()
        for key in ("from", "interval", "funnel", "change"):  # a document states none of the comparisons
            if data[key] is None:
                del data[key]
        return data


@cache
def typed_record(type_ids: tuple[str, ...]) -> type[StatisticsRecord]:
    """The record whose authority's `type` is one of a scheme's type ids (`Scheme.type_ids`): the API's response
    model, so the OpenAPI document lists the chosen scheme's types."""
    ref = create_model("AuthorityRef", __base__=AuthorityRef, __module__=__name__, type=(Literal[type_ids], ...))
    return create_model("StatisticsRecord", __base__=StatisticsRecord, __module__=__name__,
                        __doc__=StatisticsRecord.__doc__, authority=(ref, ...))
