"""The instrument: domains, dimensions and items with anchors, weights, citations and rules."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from audit_kit.model import limits as lim
from audit_kit.model.vocab import (
    HOSPITAL_BASED,
    NOT_HOSPITAL_BASED,
    AnswerKind,
    EvidenceKind,
    Level,
    Setting,
)

SCALE_MIN, SCALE_MAX = 1, 5
REQUIRED_ANCHORS = (1, 3, 5)

Score = Annotated[int, Field(ge=SCALE_MIN, le=SCALE_MAX)]
# Bounded so that no custom instrument can make a table cell taller than a PDF page, and every
# report is written in seconds (model/limits.py).
Name = Annotated[str, Field(min_length=1, max_length=lim.NAME_MAX)]
ItemTitle = Annotated[str, Field(min_length=1, max_length=lim.ITEM_TITLE_MAX)]
Text = Annotated[str, Field(min_length=1, max_length=lim.TEXT_MAX)]
LongText = Annotated[str, Field(max_length=lim.TEXT_MAX)]
ShortText = Annotated[str, Field(max_length=lim.SHORT_MAX)]
Source = Annotated[str, Field(min_length=1, max_length=lim.SOURCE_MAX)]
SourcePart = Annotated[str, Field(max_length=lim.SOURCE_MAX)]
Section = Annotated[str, Field(max_length=lim.SECTION_MAX)]
Author = Annotated[str, Field(min_length=1, max_length=lim.AUTHOR_MAX)]
Abbreviation = Annotated[str, Field(max_length=lim.ABBREVIATION_MAX)]
Recommendation = Annotated[str, Field(min_length=1, max_length=lim.RECOMMENDATION_MAX)]
Anchor = Annotated[str, Field(min_length=1, max_length=lim.ANCHOR_MAX)]
Finding = Annotated[str, Field(min_length=1, max_length=lim.FINDING_MAX)]
Answers = Annotated[list[int | str], Field(max_length=lim.MAX_CHOICES)]
VariantKey = Literal[
    "residential",
    "outpatient",
    "intensive_outpatient",
    "hospital_inpatient",
    "opioid_treatment_program",
    "other",
    "hospital_based",
    "not_hospital_based",
]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Citation(_Frozen):
    """One source in the instrument's citations catalogue."""

    id: str = Field(
        pattern=r"^[a-z0-9][a-z0-9-]*$",
        max_length=lim.MAX_ID_LENGTH,
        description="Short key that items use to cite this source, e.g. 'asam-2020'.",
    )
    author: Author = Field(description="Author(s) or issuing organisation.")
    abbreviation: Abbreviation | None = Field(
        default=None,
        description="Short name for running text and tables, e.g. 'ASAM' or 'McGovern et al.'.",
    )
    title: Source = Field(description="Title of the guideline, article, manual or standard.")
    year: int = Field(ge=1900, le=2100, description="Year of publication (or of the edition used).")
    published_in: SourcePart | None = Field(
        default=None, description="Journal, series or publisher, with volume and pages if known."
    )
    section: Section | None = Field(
        default=None, description="Section, chapter or table of the source most items rely on."
    )
    url: SourcePart | None = Field(default=None, description="Where a reader can find the source.")

    def reference(self) -> str:
        """The citation as one line of a reference list."""
        text = f"{self.author} ({self.year}). {self.title}."
        if self.published_in:
            text += f" {self.published_in}."
        if self.section:
            text += f" {self.section}."
        if self.url:
            text += f" {self.url}"
        return text

    def short(self) -> str:
        """Short name and year, e.g. 'ASAM (2020)'."""
        return f"{self.abbreviation or self.author} ({self.year})"


class CitationRef(_Frozen):
    """A citation of one catalogue source by an item, optionally naming the section relied on."""

    id: str = Field(
        max_length=lim.MAX_ID_LENGTH,
        description="Id of a source in the instrument's citations catalogue.",
    )
    section: Section | None = Field(
        default=None, description="Section, chapter, dimension or table of the source."
    )

    @model_validator(mode="before")
    @classmethod
    def _from_plain_id(cls, data: Any) -> Any:
        return {"id": data} if isinstance(data, str) else data


class Choice(_Frozen):
    """One labelled answer of a choice item and the score it carries."""

    value: str = Field(
        pattern=r"^[a-z0-9][a-z0-9_]*$",
        max_length=lim.MAX_ID_LENGTH,
        description="The answer as stored in responses, e.g. 'yes' or 'by_referral'.",
    )
    label: Name = Field(description="The answer as shown to the person filling in.")
    score: Score = Field(description="Item score (1-5) that this answer gives.")


class Band(_Frozen):
    """A range of chart-audit percentages and the item score it maps to."""

    min: float = Field(ge=0, le=100, description="Lowest percentage in the band (inclusive).")
    max: float = Field(
        ge=0,
        le=100,
        description="Upper end of the band: exclusive, except 100 which belongs to the last band.",
    )
    score: Score = Field(description="Item score (1-5) for a percentage in this band.")

    @property
    def span(self) -> str:
        """The band in words: '50% to under 80%', or '90% to 100%' for the top band."""
        upper = "100%" if self.max == 100 else f"under {self.max:g}%"
        return f"{self.min:g}% to {upper}"

    def contains(self, percent: float) -> bool:
        """Whether a percentage falls in this band."""
        return self.min <= percent < self.max or (percent == self.max == 100)


#: Chart-audit bands used unless an item or instrument sets its own.
DEFAULT_BANDS: tuple[Band, ...] = (
    Band(min=0, max=20, score=1),
    Band(min=20, max=50, score=2),
    Band(min=50, max=80, score=3),
    Band(min=80, max=90, score=4),
    Band(min=90, max=100, score=5),
)


class CriticalRule(_Frozen):
    """Answers to an item that are a critical safety finding, capping the domain's level."""

    answers: Answers = Field(
        default_factory=list,
        description="Scale scores (scale items) or choice values (choice items) that are critical.",
    )
    below_percent: float | None = Field(
        default=None,
        gt=0,
        le=100,
        description="Percent items only: a chart-audit share below this is critical.",
    )
    finding: Finding = Field(description="The finding as stated in the report, e.g. 'No naloxone'.")
    citations: list[CitationRef] = Field(
        default_factory=list,
        max_length=lim.MAX_ITEM_CITATIONS,
        description="Sources for treating this as critical; the item's citations when empty.",
    )

    @model_validator(mode="after")
    def _has_trigger(self) -> CriticalRule:
        if not self.answers and self.below_percent is None:
            raise ValueError("a critical rule needs 'answers' or 'below_percent'")
        if self.answers and self.below_percent is not None:
            raise ValueError("a critical rule takes 'answers' or 'below_percent', not both")
        return self


class Condition(_Frozen):
    """Skip logic: the item applies only when an earlier item has one of some answers."""

    item: str = Field(
        max_length=lim.MAX_ID_LENGTH, description="Id of an earlier item whose answer decides."
    )
    answers: Answers = Field(
        min_length=1,
        description="Scale scores (scale items) or choice values (choice items) for which the "
        "item applies; any other answer makes it not applicable.",
    )
    reason: ShortText | None = Field(
        default=None,
        description="Why the item does not apply otherwise, in words a reader understands; "
        "recorded as its N/A reason.",
    )


class Item(_Frozen):
    """One question of the instrument, with everything needed to score it and act on a gap."""

    id: str = Field(
        pattern=r"^[a-z][a-z0-9]*\.[a-z0-9_]+$",
        max_length=lim.MAX_ID_LENGTH,
        description="Stable id, '<domain>.<name>', e.g. 'mat.admit_on_moud'.",
    )
    code: str | None = Field(
        default=None,
        pattern=r"^[A-Z][A-Z0-9]{0,7}-[0-9]{1,3}$",
        description="Short code people read in reports, e.g. 'MAT-4'; stable across versions. "
        "Default: the domain id in capitals and the item's position in its domain.",
    )
    title: ItemTitle = Field(
        description="Short name of the practice, for tables and the action plan."
    )
    question: Text = Field(description="The question, as asked of the program.")
    guidance: Text = Field(description="Which evidence to look at and how to judge it.")
    evidence: list[EvidenceKind] = Field(
        min_length=1,
        max_length=len(EvidenceKind),
        description="Kinds of evidence: policy, chart_audit, interview, ...",
    )
    kind: AnswerKind = Field(default=AnswerKind.SCALE, description="scale, choice or percent.")
    anchors: dict[int, Anchor] = Field(
        description="What the program looks like at a score; at least 1, 3 and 5."
    )
    choices: list[Choice] | None = Field(
        default=None,
        max_length=lim.MAX_CHOICES,
        description="Choice items only: the answers and the score of each.",
    )
    bands: list[Band] | None = Field(
        default=None,
        min_length=1,
        max_length=lim.MAX_BANDS,
        description="Percent items only: bands of the audited share; the instrument's when empty.",
    )
    weight: float = Field(default=1.0, gt=0, le=10, description="Weight in its dimension's mean.")
    citations: list[CitationRef] = Field(
        min_length=1,
        max_length=lim.MAX_ITEM_CITATIONS,
        description="Sources the item and its recommendation rest on.",
    )
    recommendation: Recommendation = Field(description="What to do when the item falls short.")
    recommendation_variants: dict[VariantKey, Recommendation] = Field(
        default_factory=dict,
        description=(
            "Recommendation for particular programs, keyed by setting or by 'hospital_based' / "
            "'not_hospital_based'; a setting key wins over the hospital keys."
        ),
    )
    critical: CriticalRule | None = Field(
        default=None, description="Answers that are a critical safety finding."
    )
    allow_na: bool = Field(default=False, description="Whether 'not applicable' is accepted.")
    na_guidance: LongText | None = Field(
        default=None, description="When 'not applicable' is a fair answer (shown to the user)."
    )
    applies_to: list[Setting] | None = Field(
        default=None,
        max_length=len(Setting),
        description="Settings the item applies to; it is skipped for other programs. All if empty.",
    )
    revised_in: str | None = Field(
        default=None,
        pattern=r"^\d+(\.\d+){0,2}$",
        description="The instrument version in which this item's answers last changed meaning; "
        "answers given with an earlier version are not carried over to this one.",
    )
    applies_when: Condition | None = Field(
        default=None,
        description="Skip logic: the item applies only when an earlier item has one of these "
        "answers; otherwise it is not applicable, with the condition's reason.",
    )

    @field_validator("anchors")
    @classmethod
    def _anchor_keys(cls, anchors: dict[int, str]) -> dict[int, str]:
        outside = sorted(k for k in anchors if not SCALE_MIN <= k <= SCALE_MAX)
        if outside:
            raise ValueError(f"anchor {outside[0]} is outside the 1-5 scale")
        missing = [k for k in REQUIRED_ANCHORS if k not in anchors]
        if missing:
            raise ValueError(f"anchors for 1, 3 and 5 are required; {missing[0]} is missing")
        return dict(sorted(anchors.items()))

    @model_validator(mode="after")
    def _kind_fields(self) -> Item:
        if self.kind is AnswerKind.CHOICE and not self.choices:
            raise ValueError("a choice item needs 'choices'")
        if self.kind is not AnswerKind.CHOICE and self.choices:
            raise ValueError(f"'choices' belong to choice items; this item is '{self.kind}'")
        if self.kind is not AnswerKind.PERCENT and self.bands:
            raise ValueError(f"'bands' belong to percent items; this item is '{self.kind}'")
        if self.allow_na is False and self.na_guidance:
            raise ValueError("'na_guidance' is given but 'allow_na' is false")
        return self

    @property
    def domain_id(self) -> str:
        """The domain part of the id."""
        return self.id.split(".", 1)[0]

    def recommendation_for(self, setting: Setting | None, hospital_based: bool | None) -> str:
        """The recommendation for a program: setting variant, else hospital variant, else plain
        (what is not known picks no variant)."""
        variants: dict[str, str] = dict(self.recommendation_variants)
        by_setting = variants.get(setting.value) if setting else None
        by_hospital = None
        if hospital_based is not None:
            by_hospital = variants.get(HOSPITAL_BASED if hospital_based else NOT_HOSPITAL_BASED)
        return by_setting or by_hospital or self.recommendation

    def applies(self, setting: Setting) -> bool:
        """Whether the item applies to a program of this setting."""
        return self.applies_to is None or setting in self.applies_to

    @property
    def na_allowed(self) -> bool:
        """Whether the respondent may answer N/A: where allowed, and on every percent item
        (no eligible cases in the audit)."""
        return self.allow_na or self.kind is AnswerKind.PERCENT


def default_code(domain_id: str, position: int) -> str:
    """The code of an item that does not set one: 'MAT-4' for the fourth item of 'mat'."""
    return f"{domain_id.upper()}-{position}"


class Dimension(_Frozen):
    """A group of items scored together by weighted mean."""

    id: str = Field(
        pattern=r"^[a-z][a-z0-9_]*$",
        max_length=lim.MAX_ID_LENGTH,
        description="Id, unique within its domain.",
    )
    title: Name = Field(description="Name shown in tables and charts.")
    description: LongText | None = Field(default=None, description="What the dimension covers.")
    items: list[Item] = Field(
        min_length=1, max_length=lim.MAX_ITEMS, description="The items of the dimension."
    )


class LevelNames(_Frozen):
    """What a domain calls each capability level."""

    not_yet_capable: Name = Field(description="Name of the lowest level.")
    emerging: Name = Field(description="Name of the level between lowest and capable.")
    capable: Name = Field(description="Name of the capable level (every dimension at least 3.0).")
    enhanced: Name = Field(description="Name of the enhanced level (every dimension at least 4.5).")

    def name(self, level: Level) -> str:
        """The domain's word for a level."""
        return str(getattr(self, level.value))


class Domain(_Frozen):
    """One of the areas assessed, e.g. medications, TSF, co-occurring care."""

    id: str = Field(
        pattern=r"^[a-z][a-z0-9]*$",
        max_length=lim.MAX_ID_LENGTH,
        description="Short id, the prefix of item ids.",
    )
    title: Name = Field(description="Name shown in the report.")
    description: LongText | None = Field(default=None, description="What the domain covers.")
    levels: LevelNames = Field(description="The domain's own names for the four levels.")
    dimensions: list[Dimension] = Field(
        min_length=1, max_length=lim.MAX_DIMENSIONS, description="The dimensions of the domain."
    )


class Instrument(_Frozen):
    """A complete self-assessment instrument."""

    id: str = Field(
        pattern=r"^[a-z0-9][a-z0-9-]*$",
        max_length=lim.MAX_ID_LENGTH,
        description="Id, e.g. 'mat-tsf-cod'.",
    )
    version: str = Field(
        pattern=r"^\d+(\.\d+){0,2}$", description="Version of the instrument, e.g. '1.0'."
    )
    title: Name = Field(description="Full title.")
    description: LongText | None = Field(default=None, description="Purpose and scope.")
    publisher: ShortText | None = Field(default=None, description="Who maintains the instrument.")
    percent_bands: list[Band] = Field(
        default_factory=lambda: list(DEFAULT_BANDS),
        min_length=1,
        max_length=lim.MAX_BANDS,
        description="Default chart-audit bands for percent items.",
    )
    domains: list[Domain] = Field(
        min_length=1, max_length=lim.MAX_DOMAINS, description="The domains assessed."
    )
    citations: list[Citation] = Field(
        min_length=1, max_length=lim.MAX_CITATIONS, description="The citations catalogue."
    )

    _items: dict[str, tuple[Domain, Dimension, Item]] = PrivateAttr(default_factory=dict)
    _citations: dict[str, Citation] = PrivateAttr(default_factory=dict)
    _codes: dict[str, str] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _within_limits(self) -> Instrument:
        items = [item for _, _, item in self.iter_items()]
        if len(items) > lim.MAX_ITEMS:
            raise ValueError(
                f"the instrument has {len(items):,} items; at most {lim.MAX_ITEMS} are accepted"
            )
        critical = sum(1 for item in items if item.critical is not None)
        if critical > lim.MAX_CRITICAL_RULES:
            raise ValueError(
                f"{critical} items have a critical rule; at most {lim.MAX_CRITICAL_RULES} may"
            )
        return self

    def model_post_init(self, context: Any, /) -> None:
        """Index items, codes and citations by id (first one wins; duplicates are checked)."""
        for domain in self.domains:
            position = 0
            for dimension in domain.dimensions:
                for item in dimension.items:
                    position += 1
                    self._items.setdefault(item.id, (domain, dimension, item))
                    self._codes.setdefault(item.id, item.code or default_code(domain.id, position))
        for citation in self.citations:
            self._citations.setdefault(citation.id, citation)

    def code(self, item_id: str) -> str:
        """The short code people read for an item, e.g. 'MAT-4' (KeyError if no such item)."""
        return self._codes[item_id]

    @property
    def ref(self) -> str:
        """Id and version, as written on the command line: 'mat-tsf-cod@1.1'."""
        return f"{self.id}@{self.version}"

    def iter_items(self) -> Iterator[tuple[Domain, Dimension, Item]]:
        """Every item with its domain and dimension, in instrument order."""
        for domain in self.domains:
            for dimension in domain.dimensions:
                for item in dimension.items:
                    yield domain, dimension, item

    @property
    def item_ids(self) -> list[str]:
        """Item ids in instrument order."""
        return list(self._items)

    def item(self, item_id: str) -> Item:
        """The item with this id (KeyError if none)."""
        return self._items[item_id][2]

    def has_item(self, item_id: str) -> bool:
        """Whether an item with this id exists."""
        return item_id in self._items

    def citation(self, citation_id: str) -> Citation:
        """The catalogue entry with this id (KeyError if none)."""
        return self._citations[citation_id]

    def bands_for(self, item: Item) -> list[Band]:
        """The chart-audit bands that apply to a percent item."""
        return item.bands or self.percent_bands

    def domain(self, domain_id: str) -> Domain:
        """The domain with this id (KeyError if none)."""
        for domain in self.domains:
            if domain.id == domain_id:
                return domain
        raise KeyError(domain_id)

    @property
    def item_count(self) -> int:
        """Number of items."""
        return sum(1 for _ in self.iter_items())
