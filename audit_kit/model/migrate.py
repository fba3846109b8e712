"""Carry an assessment to another version of its instrument: what carries over, what does not."""

from __future__ import annotations

from dataclasses import dataclass

from audit_kit.model.instrument import Instrument
from audit_kit.model.responses import Answer, Responses, normalize_value


@dataclass(frozen=True)
class Migration:
    """Responses carried to another version, and which items did not come along and why."""

    responses: Responses
    carried: tuple[str, ...]  # answered (or N/A) in the old version, same meaning in the new
    changed: tuple[str, ...]  # answered in the old version, but its answers mean something else now
    new: tuple[str, ...]  # items of the new version that the old one did not have
    dropped: tuple[str, ...]  # answered in the old version, not in the new one


def version_key(version: str) -> tuple[int, ...]:
    """'1.10' as (1, 10): versions compare by number, not as text."""
    return tuple(int(part) for part in version.split("."))


def carries_over(old: Instrument, new: Instrument, item_id: str, answer: Answer) -> bool:
    """Whether an answer given with ``old`` means the same for the item in ``new``."""
    if not (old.has_item(item_id) and new.has_item(item_id)):
        return False
    item = new.item(item_id)
    if item.revised_in is not None and version_key(item.revised_in) > version_key(old.version):
        return False
    if answer.not_applicable:
        return item.na_allowed
    return answer.value is None or normalize_value(item, answer.value) is not None


def migrate(old: Instrument, new: Instrument, responses: Responses) -> Migration:
    """The responses for ``new``: every answer whose item means the same carried over with its
    note and evidence; an item whose answers changed meaning keeps only its note and evidence,
    so that it shows up unanswered, with what was written about it."""
    answers: dict[str, Answer] = {}
    carried, changed, dropped = [], [], []
    for item_id, answer in responses.answers.items():
        if not new.has_item(item_id):
            dropped.append(item_id)
        elif carries_over(old, new, item_id, answer):
            answers[item_id] = answer
            carried.append(item_id)
        else:
            changed.append(item_id)
            kept = answer.model_copy(
                update={"value": None, "not_applicable": False, "na_reason": None}
            )
            if kept.note or kept.evidence:
                answers[item_id] = kept
    ordered = {i: answers[i] for i in new.item_ids if i in answers}
    moved = responses.model_copy(
        update={
            "instrument_id": new.id,
            "instrument_version": new.version,
            "answers": ordered,
        }
    )
    fresh = tuple(i for i in new.item_ids if not old.has_item(i))
    return Migration(moved, tuple(carried), tuple(changed), fresh, tuple(dropped))
