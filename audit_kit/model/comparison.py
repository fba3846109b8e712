"""Two assessments of one program side by side: scores, levels, gaps and critical findings."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import Field, computed_field

from audit_kit.model.frozen import Output as _Frozen
from audit_kit.model.vocab import DomainState, GapKind, ItemStatus, Level


class Direction(StrEnum):
    """Which way a domain's standing moved between the two assessments."""

    UP = "up"
    DOWN = "down"
    SAME = "same"
    NOT_COMPARABLE = "not_comparable"  # one side has no level (insufficient evidence, N/A, absent)

    @property
    def label(self) -> str:
        """The direction in words."""
        return _DIRECTION_LABELS[self]


_DIRECTION_LABELS = {
    Direction.UP: "up",
    Direction.DOWN: "down",
    Direction.SAME: "unchanged",
    Direction.NOT_COMPARABLE: "not comparable",
}


def score_change(old: float | None, new: float | None) -> float | None:
    """New minus old, to two decimals; None when either side has no score."""
    if old is None or new is None:
        return None
    return round(new - old, 2)


class DomainChange(_Frozen):
    """One domain before and after; a side is None where that instrument has no such domain."""

    domain_id: str = Field(description="Domain id.")
    title: str = Field(description="Name of the domain (the newer one's where both have it).")
    old_score: float | None = Field(description="Domain score before; None if none.")
    new_score: float | None = Field(description="Domain score now; None if none.")
    old_state: DomainState | None = Field(description="State before; None if not assessed.")
    new_state: DomainState | None = Field(description="State now; None if not assessed.")
    old_level: Level | None = Field(description="Level held before (only when rated).")
    new_level: Level | None = Field(description="Level held now (only when rated).")
    old_headline: str | None = Field(description="Level or state before, in words.")
    new_headline: str | None = Field(description="Level or state now, in words.")
    old_scores_level_name: str | None = Field(
        description="The level the scores alone gave before (differs from the headline when "
        "capped)."
    )
    new_scores_level_name: str | None = Field(description="The level the scores alone give now.")
    direction: Direction = Field(description="up, down, same or not_comparable.")

    @computed_field(description="New score minus old, two decimals; None without both.")  # type: ignore[prop-decorator]
    @property
    def score_change(self) -> float | None:
        """New score minus old, to two decimals."""
        return score_change(self.old_score, self.new_score)


class DimensionChange(_Frozen):
    """One dimension before and after, matched by (domain id, dimension id)."""

    domain_id: str = Field(description="Domain id.")
    dimension_id: str = Field(description="Dimension id, within the domain.")
    title: str = Field(description="Name of the dimension (the newer one's where both have it).")
    old_score: float | None = Field(description="Score before; None if none or not assessed.")
    new_score: float | None = Field(description="Score now; None if none or not assessed.")
    in_old: bool = Field(description="Whether the older instrument has this dimension.")
    in_new: bool = Field(description="Whether the newer instrument has this dimension.")

    @computed_field(description="New score minus old, two decimals; None without both.")  # type: ignore[prop-decorator]
    @property
    def score_change(self) -> float | None:
        """New score minus old, to two decimals."""
        return score_change(self.old_score, self.new_score)


class ItemChange(_Frozen):
    """An item on one of the gap lists, with its answer before and now."""

    item_id: str = Field(description="Item id.")
    code: str = Field(description="Short code people read, e.g. 'MAT-4'.")
    domain_id: str = Field(description="Domain id.")
    title: str = Field(description="Short name of the practice.")
    old_status: ItemStatus | None = Field(description="Before; None where the item was not asked.")
    new_status: ItemStatus | None = Field(description="Now; None where the item is not asked.")
    old_score: int | None = Field(description="Item score before, when answered.")
    new_score: int | None = Field(description="Item score now, when answered.")
    old_kind: GapKind | None = Field(description="Kind of gap before; None if it was none.")
    new_kind: GapKind | None = Field(description="Kind of gap now; None if it is none.")


class CriticalChange(_Frozen):
    """A critical finding that was resolved, is new, persists, or cannot be compared."""

    item_id: str = Field(description="Item id.")
    code: str = Field(description="Short code people read, e.g. 'MAT-4'.")
    domain_id: str = Field(description="Domain id.")
    title: str = Field(description="Short name of the practice.")
    finding: str = Field(description="The finding as stated (the newer one's where both).")
    before: bool = Field(description="Whether it was a critical finding before.")
    now: bool = Field(description="Whether it is a critical finding now.")
    new_status: ItemStatus | None = Field(description="The item now; None where not asked.")


class Comparison(_Frozen):
    """What changed between two assessments of one program.

    Items are matched by id. Across instrument versions only the items the two versions share
    with the same meaning (not revised since the older version) are compared; the rest are
    listed as not compared. Domain and dimension scores always rest on each version's own items.
    """

    instrument_id: str = Field(description="Instrument id (the same for both).")
    old_version: str = Field(description="Instrument version of the earlier assessment.")
    new_version: str = Field(description="Instrument version of the later assessment.")
    old_program: str = Field(description="Program name in the earlier assessment.")
    new_program: str = Field(description="Program name in the later assessment.")
    old_date: date | None = Field(description="Date of the earlier assessment; None if not given.")
    new_date: date | None = Field(description="Date of the later assessment; None if not given.")
    domains: list[DomainChange] = Field(description="One per domain, newer order first.")
    dimensions: list[DimensionChange] = Field(description="One per dimension, by domain.")
    shared_items: list[str] = Field(
        description="Ids of the items compared: in both versions with the same meaning."
    )
    new_item_count: int = Field(description="Items in the newer instrument.")
    changed_meaning: list[str] = Field(
        description="Ids of items in both versions whose answers changed meaning (not compared)."
    )
    only_old: list[str] = Field(description="Ids of items only the older version has.")
    only_new: list[str] = Field(description="Ids of items only the newer version has.")
    gaps_closed: list[ItemChange] = Field(description="A gap before, answered at 5 now.")
    gaps_new: list[ItemChange] = Field(
        description="A gap now that was none before (answered at 5, N/A or unanswered then)."
    )
    gaps_still_open: list[ItemChange] = Field(description="A gap before and now.")
    gaps_unconfirmed: list[ItemChange] = Field(
        description="A gap before that is now unanswered or not applicable: not counted as closed."
    )
    gaps_not_compared: list[ItemChange] = Field(
        description="Gaps now on items outside the shared items."
    )
    criticals_resolved: list[CriticalChange] = Field(
        description="Critical before; answered now, without a critical finding."
    )
    criticals_new: list[CriticalChange] = Field(description="Critical now, not before.")
    criticals_still_open: list[CriticalChange] = Field(description="Critical before and now.")
    criticals_unconfirmed: list[CriticalChange] = Field(
        description="Critical before; now unanswered or not applicable: not counted as resolved."
    )
    criticals_not_compared: list[CriticalChange] = Field(
        description="Critical findings (before or now) on items outside the shared items."
    )
    warnings: list[str] = Field(description="Things the reader should know about the comparison.")

    @computed_field(description="Whether the two assessments use different instrument versions.")  # type: ignore[prop-decorator]
    @property
    def across_versions(self) -> bool:
        """Whether the two assessments use different versions of the instrument."""
        return self.old_version != self.new_version

    @computed_field(description="Share of the newer instrument's items that are compared (0-1).")  # type: ignore[prop-decorator]
    @property
    def shared_share(self) -> float:
        """Shared items as a share of the newer instrument's items."""
        return len(self.shared_items) / self.new_item_count if self.new_item_count else 0.0

    def domain(self, domain_id: str) -> DomainChange:
        """The change of one domain (KeyError if none)."""
        for change in self.domains:
            if change.domain_id == domain_id:
                return change
        raise KeyError(domain_id)

    def dimensions_of(self, domain_id: str) -> list[DimensionChange]:
        """The dimension changes of one domain, in order."""
        return [d for d in self.dimensions if d.domain_id == domain_id]
