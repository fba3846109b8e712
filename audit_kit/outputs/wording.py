"""Sentences every output shares, so that a domain's standing reads the same everywhere."""

from __future__ import annotations

from audit_kit.model.result import DomainResult
from audit_kit.model.vocab import DomainState
from audit_kit.scoring import MAX_UNANSWERED_SHARE


def standing(d: DomainResult) -> str:
    """A domain's level or state, with what qualifies it (the level its scores alone give)."""
    if d.state is DomainState.CAPPED:
        if d.scores_level_name:
            return f"{d.headline} (the scores alone give: {d.scores_level_name})"
        return f"{d.headline} (too few answers for a level from the scores)"
    if d.state is DomainState.INSUFFICIENT_EVIDENCE:
        return f"{d.headline} (more than {MAX_UNANSWERED_SHARE:.0%} of applicable items unanswered)"
    return d.headline


def count(n: int, noun: str, plural: str | None = None) -> str:
    """'1 answer', '3 answers': a number with its noun in the right number."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"
