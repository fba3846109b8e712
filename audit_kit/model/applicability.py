"""Which items apply to a program: its setting, and skip logic from earlier answers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from audit_kit.model.instrument import Instrument, Item
from audit_kit.model.responses import Answer, normalize_value
from audit_kit.model.vocab import AnswerKind, NaKind, Setting


@dataclass(frozen=True)
class Skipped:
    """An item that does not apply, why, and (for skip logic) the item that decided."""

    kind: NaKind
    reason: str
    decided_by: str | None = None


def skipped_items(
    instrument: Instrument, setting: Setting | None, answers: Mapping[str, Answer]
) -> dict[str, Skipped]:
    """Items that do not apply, by id, in instrument order; every other item applies.

    An item limited to other settings does not apply (with the setting unknown, every
    setting-limited item is taken to apply). An item with a condition does not apply when the
    item it names is answered otherwise, or does not apply itself, or is answered N/A; while
    that item is unanswered, it applies. Conditions name earlier items only, so one pass in
    instrument order decides every item.
    """
    skipped: dict[str, Skipped] = {}
    for _, _, item in instrument.iter_items():
        if setting is not None and not item.applies(setting):
            skipped[item.id] = Skipped(NaKind.SETTING, setting.na_reason)
            continue
        condition = item.applies_when
        if condition is None or not instrument.has_item(condition.item):
            continue
        decider = instrument.item(condition.item)
        answer = answers.get(decider.id)
        if decider.id in skipped or (answer is not None and answer.not_applicable):
            shown = f"{instrument.code(decider.id)} does not apply"
        elif answer is None or answer.value is None:
            continue
        else:
            value = normalize_value(decider, answer.value)
            if value is None or value in condition.answers:
                continue
            shown = f"{instrument.code(decider.id)} is answered {answer_label(decider, value)!r}"
        reason = (condition.reason or f"Applies only with other answers to {decider.title}").rstrip(
            "."
        )
        skipped[item.id] = Skipped(NaKind.SKIP_LOGIC, f"{reason} ({shown}).", decider.id)
    return skipped


def answer_label(item: Item, value: object) -> str:
    """An answer as a person reads it: the choice's label, '3' or '45%'."""
    if item.kind is AnswerKind.CHOICE:
        return next((c.label for c in item.choices or [] if c.value == value), str(value))
    if item.kind is AnswerKind.PERCENT:
        return f"{value}%"
    return str(value)
