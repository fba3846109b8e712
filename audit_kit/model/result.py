"""The score result: item, dimension and domain scores, levels, critical findings and gaps."""

from __future__ import annotations

from datetime import date

from pydantic import Field, computed_field

from audit_kit.model.frozen import Output as _Frozen
from audit_kit.model.instrument import Citation
from audit_kit.model.responses import AnswerValue, Program
from audit_kit.model.vocab import DomainState, GapKind, ItemStatus, Level, NaKind


class Completeness(_Frozen):
    """How much of a set of items was answered."""

    total: int = Field(description="Items in scope.")
    answered: int = Field(description="Items with a score.")
    not_applicable: int = Field(description="Items marked N/A (or not for this setting).")
    unanswered: int = Field(description="Applicable items left without an answer.")

    @computed_field(description="Items that count: total minus not applicable.")  # type: ignore[prop-decorator]
    @property
    def applicable(self) -> int:
        """Items that count: total minus not applicable."""
        return self.total - self.not_applicable

    @computed_field(description="Share of applicable items left unanswered (0-1).")  # type: ignore[prop-decorator]
    @property
    def unanswered_share(self) -> float:
        """Share of applicable items left unanswered (0 when nothing is applicable)."""
        return self.unanswered / self.applicable if self.applicable else 0.0


class ItemResult(_Frozen):
    """The outcome for one item."""

    item_id: str = Field(description="Item id.")
    code: str = Field(description="Short code people read, e.g. 'MAT-4'.")
    domain_id: str = Field(description="Domain id.")
    dimension_id: str = Field(description="Dimension id, within the domain.")
    title: str = Field(description="Short name of the practice.")
    status: ItemStatus = Field(description="answered, not_applicable or unanswered.")
    value: AnswerValue | None = Field(default=None, description="The answer as given.")
    score: int | None = Field(default=None, description="Item score 1-5 when answered.")
    weight: float = Field(description="Weight in the dimension mean.")
    critical: bool = Field(default=False, description="Whether the answer is a critical finding.")
    na_reason: str | None = Field(default=None, description="Why the item does not apply.")
    na_kind: NaKind | None = Field(
        default=None,
        description="Who decided it does not apply: respondent, setting or skip_logic.",
    )
    note: str | None = Field(default=None, description="The respondent's note.")
    evidence: str | None = Field(default=None, description="The evidence reference given.")


class DimensionResult(_Frozen):
    """The weighted mean of a dimension's answered, applicable items."""

    domain_id: str = Field(description="Domain id.")
    dimension_id: str = Field(description="Dimension id, within the domain.")
    title: str = Field(description="Name of the dimension.")
    score: float | None = Field(description="Weighted mean 1-5; None when nothing was scored.")
    completeness: Completeness = Field(description="Answered, N/A and unanswered items.")


class DomainResult(_Frozen):
    """A domain's score, state, level and completeness."""

    domain_id: str = Field(description="Domain id.")
    title: str = Field(description="Name of the domain.")
    score: float | None = Field(description="Mean of the dimension scores; None if none scored.")
    state: DomainState = Field(
        description="rated (it holds a level), capped (a critical finding: not capable until "
        "resolved), insufficient_evidence or not_applicable."
    )
    level: Level | None = Field(
        description="The capability level held; only when rated (None when capped, when the "
        "evidence is insufficient or when nothing applies)."
    )
    level_name: str | None = Field(description="The domain's own word for the level held.")
    scores_level: Level | None = Field(
        description="The level the scores alone give, critical findings aside; None when the "
        "evidence is insufficient or nothing applies."
    )
    scores_level_name: str | None = Field(description="The domain's own word for scores_level.")
    capped: bool = Field(description="Whether a critical finding caps the domain.")
    insufficient_evidence: bool = Field(
        description="More than 20% of applicable items unanswered: no level from the scores."
    )
    completeness: Completeness = Field(description="Answered, N/A and unanswered items.")
    lowest_dimension: str | None = Field(
        description="Id of the lowest-scoring dimension, which decides the level."
    )

    @computed_field(description="What the domain's result reads as: its level or its state.")  # type: ignore[prop-decorator]
    @property
    def headline(self) -> str:
        """The level's name when rated, else the state in words."""
        if self.state is DomainState.RATED and self.level_name:
            return self.level_name
        return self.state.label


class CriticalFinding(_Frozen):
    """An answer that is a safety finding: listed first and capping its domain."""

    item_id: str = Field(description="Item id.")
    code: str = Field(description="Short code people read, e.g. 'MAT-4'.")
    domain_id: str = Field(description="Domain id.")
    title: str = Field(description="Short name of the practice.")
    finding: str = Field(description="What was found.")
    value: AnswerValue = Field(description="The answer that triggered it.")
    citations: list[Citation] = Field(description="Sources for treating it as critical.")
    sections: list[str | None] = Field(
        description="Section of each citation relied on (None where not given)."
    )


class Gap(_Frozen):
    """One entry of the prioritised action plan."""

    rank: int = Field(description="Position in priority order, from 1.")
    kind: GapKind = Field(description="critical, below_capable or towards_enhanced.")
    item_id: str = Field(description="Item id.")
    code: str = Field(description="Short code people read, e.g. 'MAT-4'.")
    domain_id: str = Field(description="Domain id.")
    dimension_id: str = Field(description="Dimension id, within the domain.")
    title: str = Field(description="Short name of the practice.")
    score: int = Field(description="Item score 1-5.")
    weight: float = Field(description="Item weight.")
    priority: float = Field(
        description="weight × (3 − score) below capable; weight × (5 − score) towards enhanced."
    )
    recommendation: str = Field(description="What to do, tailored to the program's setting.")
    citations: list[Citation] = Field(description="Sources the recommendation rests on.")
    sections: list[str | None] = Field(
        description="Section of each citation relied on (None where not given)."
    )

    @computed_field(description="Suggested time frame for acting.")  # type: ignore[prop-decorator]
    @property
    def timeframe(self) -> str:
        """Suggested time frame: 30 days, 90 days or 12 months."""
        return self.kind.timeframe


class ScoreResult(_Frozen):
    """Everything the scoring rules say about one assessment."""

    instrument_id: str = Field(description="Instrument id.")
    instrument_version: str = Field(description="Instrument version.")
    instrument_title: str = Field(description="Instrument title.")
    program: Program = Field(description="The program assessed.")
    assessor: str = Field(description="Who assessed.")
    assessment_date: date | None = Field(description="Date of the assessment; None if not given.")
    completeness: Completeness = Field(description="Answered, N/A and unanswered, all items.")
    domains: list[DomainResult] = Field(description="One per domain, in instrument order.")
    dimensions: list[DimensionResult] = Field(description="One per dimension, in order.")
    items: list[ItemResult] = Field(description="One per item, in instrument order.")
    critical_findings: list[CriticalFinding] = Field(description="Critical findings, in order.")
    gaps: list[Gap] = Field(description="Every item below 5, in priority order.")
    warnings: list[str] = Field(description="Things the reader should know about the result.")
    missing: list[str] = Field(
        default_factory=list,
        description="Profile fields not given (program name, setting, hospital-based, date).",
    )

    @computed_field(
        description="Whether the result is a draft: a profile field is missing "  # type: ignore[prop-decorator]
        "or a domain has insufficient evidence."
    )
    @property
    def draft(self) -> bool:
        """A draft while a profile field is missing or a domain lacks the evidence for a level."""
        return bool(self.missing) or any(d.insufficient_evidence for d in self.domains)

    def domain(self, domain_id: str) -> DomainResult:
        """The result of one domain (KeyError if none)."""
        for domain in self.domains:
            if domain.domain_id == domain_id:
                return domain
        raise KeyError(domain_id)

    def dimensions_of(self, domain_id: str) -> list[DimensionResult]:
        """The dimension results of one domain, in order."""
        return [d for d in self.dimensions if d.domain_id == domain_id]

    def item(self, item_id: str) -> ItemResult:
        """The result of one item (KeyError if none)."""
        for item in self.items:
            if item.item_id == item_id:
                return item
        raise KeyError(item_id)
