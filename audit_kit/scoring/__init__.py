"""Scoring: pure functions from (instrument, responses) to results; no files, no clock."""

from audit_kit.scoring.rules import (
    CAPABLE,
    EMERGING,
    ENHANCED,
    MAX_UNANSWERED_SHARE,
    is_critical,
    item_score,
    level_from_scores,
    round_score,
    score,
)

__all__ = [
    "CAPABLE",
    "EMERGING",
    "ENHANCED",
    "MAX_UNANSWERED_SHARE",
    "is_critical",
    "item_score",
    "level_from_scores",
    "round_score",
    "score",
]
