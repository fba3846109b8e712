"""How an item looks at the terminal and how its answer is read: text, choices, prompt, parsing."""

from __future__ import annotations

import re

from audit_kit.fill.dialogue import KEEP, Dialogue, bracketed, short
from audit_kit.model.instrument import SCALE_MAX, SCALE_MIN, Dimension, Domain, Instrument, Item
from audit_kit.model.responses import Answer, AnswerValue, answer_hint, normalize_value
from audit_kit.model.vocab import AnswerKind, ItemStatus
from audit_kit.scoring import is_critical, item_score

Entry = tuple[Domain, Dimension, Item]
_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")


def parse_answer(item: Item, text: str) -> AnswerValue | None:
    """The canonical value typed for an item, or None when the text is not an answer to it.

    Choice items take the number shown, the value or the label; percent items a number with or
    without ``%``; a decimal comma is read as a point.
    """
    typed = text.strip()
    if item.kind is AnswerKind.CHOICE:
        choices = item.choices or []
        if typed.isascii() and typed.isdigit() and 1 <= int(typed) <= len(choices):
            return choices[int(typed) - 1].value
        return normalize_value(item, typed)
    if item.kind is AnswerKind.PERCENT:
        typed = typed.removesuffix("%").strip()
    if not _NUMBER.match(typed):
        return None
    number = float(typed.replace(",", "."))
    return normalize_value(item, int(number) if number.is_integer() else number)


def status_of(answer: Answer | None) -> ItemStatus:
    """Answered, not applicable, or unanswered."""
    if answer is not None and answer.not_applicable:
        return ItemStatus.NOT_APPLICABLE
    if answer is not None and answer.value is not None:
        return ItemStatus.ANSWERED
    return ItemStatus.UNANSWERED


def answer_range(item: Item) -> str:
    """What the item takes, as short as the prompt shows it ('1-5')."""
    if item.kind is AnswerKind.CHOICE:
        return f"1-{len(item.choices or [])}"
    if item.kind is AnswerKind.PERCENT:
        return "0-100%"
    return f"{SCALE_MIN}-{SCALE_MAX}"


def accepted(item: Item) -> str:
    """What the item takes as an answer, as a phrase ('1-5 or N/A')."""
    if item.kind is AnswerKind.CHOICE:
        return f"a number from 1 to {len(item.choices or [])} or {answer_hint(item)}"
    return answer_hint(item)


def answer_prompt(item: Item, current: Answer | None) -> str:
    """The answer prompt, with the current answer as its default."""
    taken = answer_range(item) + (" or na" if item.allow_na else "")
    return f"Answer ({taken}){bracketed(_describe(item, current))}: "


def _describe(item: Item, answer: Answer | None) -> str | None:
    """The current answer, short, for the prompt's brackets."""
    if answer is None:
        return None
    if answer.not_applicable:
        return f"na: {short(answer.na_reason or '', 30)}"
    if answer.value is None:
        return None
    if item.kind is AnswerKind.CHOICE:
        numbered = enumerate(item.choices or [], 1)
        n, label = next((n, c.label) for n, c in numbered if c.value == answer.value)
        return f"{n} {short(label, 30)}"
    if item.kind is AnswerKind.PERCENT:
        return f"{answer.value}%"
    return str(answer.value)


class ItemView:
    """Items as the walk shows them, with a heading whenever a new domain begins."""

    def __init__(self, talk: Dialogue, instrument: Instrument) -> None:
        self.talk = talk
        self.instrument = instrument
        self.shown_domain: str | None = None

    def show(self, seq: list[Entry], pos: int, current: Answer | None) -> None:
        """The item at ``pos``: where it is, its question, evidence, answers and current answer."""
        talk = self.talk
        domain, dimension, item = seq[pos]
        in_domain = [i for d, _, i in seq if d.id == domain.id]
        k = next(n for n, i in enumerate(in_domain, 1) if i.id == item.id)
        talk.say()
        if domain.id != self.shown_domain:
            self.shown_domain = domain.id
            talk.say("#" * talk.width)
            talk.wrap(f"{domain.title} ({domain.id.upper()}): {len(in_domain)} items")
        talk.say("=" * talk.width)
        talk.wrap(
            f"{domain.id.upper()} · {dimension.title} — item {k} of {len(in_domain)} "
            f"(overall {pos + 1} of {len(seq)})"
        )
        talk.wrap(f"[{item.id}] {item.title}")
        talk.say()
        talk.wrap(item.question)
        talk.say()
        evidence = ", ".join(e.label for e in item.evidence)
        talk.wrap(f"Evidence ({evidence}): {item.guidance}")
        talk.say()
        for key, text in self._answer_lines(item):
            talk.wrap(text, f"  {key}", " " * (len(key) + 2))
        if item.allow_na:
            guidance = f" — {item.na_guidance}" if item.na_guidance else ""
            talk.wrap(f"N/A: allowed (type na){guidance}")
        else:
            talk.say("N/A: not accepted for this item.")
        if current is not None and current.not_applicable:
            talk.wrap(f"Current answer: not applicable — {current.na_reason}")
        if current is not None and current.note:
            talk.wrap(f"Note: {current.note}")
        if current is not None and current.evidence:
            talk.wrap(f"Evidence reference: {current.evidence}")

    def say_saved(self, item: Item, value: AnswerValue) -> None:
        """Confirm a saved value, and name the critical finding it makes, if any."""
        if item.kind is AnswerKind.CHOICE:
            shown = next(c.label for c in item.choices or [] if c.value == value)
        elif item.kind is AnswerKind.PERCENT:
            # a score typed by habit would pass as a tiny percentage: show what it means
            shown = f"{value}% (scores {item_score(self.instrument, item, value)})"
        else:
            shown = str(value)
        self.talk.wrap(f"Saved: {shown}", later="  ")
        if item.critical and is_critical(item, value):
            self.talk.wrap(f"Critical finding: {item.critical.finding}", "  ! ", "    ")

    def _answer_lines(self, item: Item) -> list[tuple[str, str]]:
        """(key column, text) pairs listing what the item accepts."""
        if item.kind is AnswerKind.CHOICE:
            choices = item.choices or []
            size = len(str(len(choices)))
            return [
                (f"{n:>{size}}  ", f"{c.label} (scores{KEEP}{c.score})")
                for n, c in enumerate(choices, 1)
            ]
        if item.kind is AnswerKind.PERCENT:
            bands = self.instrument.bands_for(item)
            keys = [b.span for b in bands]
            size = max(len(key) for key in keys) + 2
            lines = [("", "A percentage 0-100 from the chart audit, scored by band:")]
            for key, band in zip(keys, bands, strict=True):
                anchor = item.anchors.get(band.score)
                text = f"scores {band.score}" + (f" ({anchor})" if anchor else "")
                lines.append((key.ljust(size), text))
            return lines
        lines = [(f"{score}  ", text) for score, text in item.anchors.items()]
        between = [str(s) for s in range(SCALE_MIN, SCALE_MAX + 1) if s not in item.anchors]
        if between:
            lines.append(("", f"({' and '.join(between)}: in between)"))
        return lines
