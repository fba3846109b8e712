"""How an item looks at the terminal and how its answer is read: text, choices, prompt, parsing.

One key means one thing on every item: digits are a score (scale items) or a percentage
(percent items), letters pick a choice, and commands are whole words.
"""

from __future__ import annotations

import re

from audit_kit.fill.dialogue import (
    KEEP,
    Dialogue,
    NotAccepted,
    Option,
    bracketed,
    key_range,
    options,
    pick,
    short,
)
from audit_kit.model.instrument import SCALE_MAX, SCALE_MIN, Dimension, Domain, Instrument, Item
from audit_kit.model.responses import NA_WORDS, Answer, AnswerValue, normalize_value
from audit_kit.model.vocab import AnswerKind, ItemStatus
from audit_kit.scoring import is_critical, item_score

Entry = tuple[Domain, Dimension, Item]

NOTE, BACK, SKIP, QUIT = "note", "back", "skip", "quit"
NO_ELIGIBLE = "ne"  # percent items: no eligible cases in the audit
NO_ELIGIBLE_WORDS = frozenset({NO_ELIGIBLE, "no eligible cases"})
NO_ELIGIBLE_REASON = "No eligible cases in the audit."
HELP_WORDS = frozenset({"?", "help"})
#: Words that are commands at the answer prompt, whatever the item; never a choice's key.
COMMANDS = frozenset({NOTE, BACK, SKIP, QUIT, *HELP_WORDS, *NA_WORDS, *NO_ELIGIBLE_WORDS})
#: The one-letter commands of earlier versions, to point people to the words.
OLD_KEYS = {"n": NOTE, "b": BACK, "s": SKIP, "q": QUIT, "h": "help"}

_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")


def choice_options(item: Item) -> list[Option[str]]:
    """A choice item's answers as a lettered list (a, b, c …) in the instrument's order."""
    return options([(c.label, c.value, (c.value,)) for c in item.choices or []], reserved=COMMANDS)


def parse_answer(item: Item, text: str) -> AnswerValue:
    """The canonical value typed for an item; NotAccepted, saying what to type, otherwise.

    Scale items take a whole score 1-5. Choice items take a choice's letter, its stored value,
    its label or a start of the label that fits no other choice; text that fits two choices
    is refused. Percent items take 0-100 with or without ``%`` (a decimal comma is a point),
    but a bare 1 to 5 could be a score and a bare 0.x a fraction: those need the ``%``.
    """
    typed = text.strip()
    if item.kind is AnswerKind.CHOICE:
        return _parse_choice(item, typed)
    if item.kind is AnswerKind.PERCENT:
        return _parse_percent(item, typed)
    if _NUMBER.match(typed):
        number = float(typed.replace(",", "."))
        value = normalize_value(item, int(number) if number.is_integer() else number)
        if value is not None:
            return value
    raise NotAccepted(
        f"Not an answer here: {typed!r}. Type a score from {SCALE_MIN} to {SCALE_MAX}"
    )


def _parse_choice(item: Item, typed: str) -> AnswerValue:
    listed = choice_options(item)
    found = pick(listed, typed)
    if found is not None:
        return found.value
    if _NUMBER.match(typed):
        raise NotAccepted(
            f"Not an answer here: {typed!r}. Choices are picked by letter ({key_range(listed)}), "
            "never by number: each choice's score is shown beside it"
        )
    raise NotAccepted(
        f"Not an answer here: {typed!r}. Type a letter {key_range(listed)} or the start of a "
        "choice's wording"
    )


def _parse_percent(item: Item, typed: str) -> AnswerValue:
    marked = typed.endswith("%")
    number_text = typed.removesuffix("%").strip()
    if not _NUMBER.match(number_text):
        raise NotAccepted(
            f"Not an answer here: {typed!r}. Type a percentage from 0 to 100, e.g. 85 or 85%"
        )
    number = float(number_text.replace(",", "."))
    value = normalize_value(item, int(number) if number.is_integer() else number)
    if value is None:
        raise NotAccepted(f"Not an answer here: {typed!r}. A percentage is from 0 to 100")
    if not marked and 0 < number < 1:
        whole = f"{number * 100:.4g}"
        raise NotAccepted(
            f"{typed!r} looks like a fraction, and percentages are out of 100: type {whole} "
            f"or {whole}% (or {number_text}% for under one percent)"
        )
    if not marked and SCALE_MIN <= number <= SCALE_MAX:
        raise NotAccepted(
            f"{typed!r} could be a score rather than a percentage. For {number_text} percent "
            f"type {number_text}%; otherwise type the percentage of audited cases (0-100)"
        )
    return value


def status_of(answer: Answer | None) -> ItemStatus:
    """Answered, not applicable, or unanswered."""
    if answer is not None and answer.not_applicable:
        return ItemStatus.NOT_APPLICABLE
    if answer is not None and answer.value is not None:
        return ItemStatus.ANSWERED
    return ItemStatus.UNANSWERED


def answer_range(item: Item) -> str:
    """What the item takes, as short as the prompt shows it ('1-5', 'a-d', '0-100%')."""
    if item.kind is AnswerKind.CHOICE:
        return key_range(choice_options(item))
    if item.kind is AnswerKind.PERCENT:
        return "0-100%"
    return f"{SCALE_MIN}-{SCALE_MAX}"


def answer_prompt(item: Item, current: Answer | None) -> str:
    """The answer prompt, with the current answer as its default."""
    taken = answer_range(item)
    if item.kind is AnswerKind.PERCENT:
        taken += f", {NO_ELIGIBLE} or na" if item.allow_na else f" or {NO_ELIGIBLE}"
    elif item.allow_na:
        taken += " or na"
    return f"Answer ({taken}){bracketed(describe(item, current))}: "


def describe(item: Item, answer: Answer | None) -> str | None:
    """The current answer, short, for the prompt's brackets."""
    if answer is None:
        return None
    if answer.not_applicable:
        return f"na: {short(answer.na_reason or '', 30)}"
    if answer.value is None:
        return None
    if item.kind is AnswerKind.CHOICE:
        chosen = next(o for o in choice_options(item) if o.value == answer.value)
        return f"{chosen.key}) {short(chosen.label, 30)}"
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
        talk.wrap(f"{self.instrument.code(item.id)} [{item.id}] {item.title}")
        talk.say()
        talk.wrap(item.question)
        talk.say()
        evidence = ", ".join(e.label for e in item.evidence)
        talk.wrap(f"Evidence ({evidence}): {item.guidance}")
        talk.say()
        for key, text in self._answer_lines(item):
            talk.wrap(text, f"  {key}", " " * (len(key) + 2))
        if item.kind is AnswerKind.PERCENT:
            talk.wrap(
                f"No eligible cases in the audit: type {NO_ELIGIBLE} (recorded as not applicable)."
            )
        if item.allow_na:
            guidance = f" — {item.na_guidance}" if item.na_guidance else ""
            talk.wrap(f"N/A: allowed (type na){guidance}")
        elif item.kind is not AnswerKind.PERCENT:
            talk.say("N/A: not accepted for this item.")
        if current is not None and current.not_applicable:
            talk.wrap(f"Current answer: not applicable — {current.na_reason}")
        if current is not None and current.note:
            talk.wrap(f"Note: {current.note}")
        if current is not None and current.evidence:
            talk.wrap(f"Evidence reference: {current.evidence}")

    def say_saved(self, item: Item, value: AnswerValue) -> None:
        """Confirm a saved value with the score it gives, and name a critical finding it makes."""
        scored = item_score(self.instrument, item, value)
        if item.kind is AnswerKind.CHOICE:
            chosen = next(o for o in choice_options(item) if o.value == value)
            shown = f"{chosen.key}) {chosen.label} (scores{KEEP}{scored})"
        elif item.kind is AnswerKind.PERCENT:
            shown = f"{value}% (scores{KEEP}{scored})"
        else:
            shown = str(value)
        self.talk.wrap(f"Saved: {shown}", later="  ")
        if item.critical and is_critical(item, value):
            self.talk.wrap(f"Critical finding: {item.critical.finding}", "  ! ", "    ")

    def _answer_lines(self, item: Item) -> list[tuple[str, str]]:
        """(key column, text) pairs listing what the item accepts."""
        if item.kind is AnswerKind.CHOICE:
            listed = choice_options(item)
            size = max(len(o.key) for o in listed)
            scores = {c.value: c.score for c in item.choices or []}
            return [
                (f"{o.key + ')':<{size + 1}} ", f"{o.label} (scores{KEEP}{scores[o.value]})")
                for o in listed
            ]
        if item.kind is AnswerKind.PERCENT:
            bands = self.instrument.bands_for(item)
            keys = [b.span for b in bands]
            size = max(len(key) for key in keys) + 2
            lines = [
                (
                    "",
                    "A percentage 0-100 from the chart audit, scored by band (type 1% to 5% "
                    "with the % sign, so that they are not taken for scores):",
                )
            ]
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
