"""The item walk: each item in turn, answered or changed, with skip logic worked out as it goes.

At the answer prompt digits are a score or a percentage, letters pick a choice, and the
commands are whole words (note, back, skip, quit, na, ne, ?), so that nothing typed means one
thing on one item and another on the next.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping

from audit_kit.fill.dialogue import Dialogue, NotAccepted, short, valid
from audit_kit.fill.items import (
    BACK,
    HELP_WORDS,
    NO_ELIGIBLE,
    NO_ELIGIBLE_REASON,
    NO_ELIGIBLE_WORDS,
    NOTE,
    OLD_KEYS,
    QUIT,
    SKIP,
    Entry,
    ItemView,
    answer_prompt,
    answer_range,
    describe,
    parse_answer,
    status_of,
)
from audit_kit.fill.responses_file import ResponsesFile
from audit_kit.model.applicability import Skipped, skipped_items
from audit_kit.model.instrument import Item
from audit_kit.model.responses import NA_WORDS, Answer, fold
from audit_kit.model.vocab import AnswerKind, ItemStatus, NaKind

CANCEL = "cancel"  # typed at the N/A reason prompt to answer the item after all
KEYS = f"Commands: {NOTE} · {BACK} · {SKIP} · {QUIT} · ? help"
_WHAT = {
    AnswerKind.SCALE: "a score",
    AnswerKind.CHOICE: "the letter of a choice, or the start of its wording",
    AnswerKind.PERCENT: "a percentage (1% to 5% with the % sign)",
}
_HELP = """\
At the answer prompt, type one of these and press Enter:
  {accepted:<10} the answer: {what}{na_lines}
  {note:<10} add or change a note and an evidence reference
  {back:<10} back to the previous item
  {skip:<10} leave this item as it is and go on
  Enter      keep the current answer, when there is one
  ? or help  this help
  {quit:<10} save and quit (continue later with the same -o file)"""
_HELP_AFTER = (
    "Commands are whole words. Letters only pick choices, and numbers are only scores or "
    "percentages, so nothing you type means one thing here and another on the next item. "
    "Every answer is saved to the file as soon as you press Enter."
)


class _Move(enum.Enum):
    NEXT = "next"
    BACK = "back"
    QUIT = "quit"


class ItemWalk:
    """The items that apply to the program, each saved to the file once answered.

    A first fill stops at the unanswered items; a review at the answered ones. Going back
    stops at every item on the way. Items that an earlier answer makes not applicable (skip
    logic) are passed over; which those are is worked out again after every answer, and each
    change is said once, with its reason. Items that come to apply again are asked.
    """

    def __init__(self, talk: Dialogue, file: ResponsesFile, *, review: bool) -> None:
        self.talk = talk
        self.file = file
        self.review = review
        self.view = ItemView(talk, file.instrument)
        self.skipped: dict[str, Skipped] = self._skip_logic()
        self.stops: set[str] = set()

    def run(self) -> bool:
        """Go through the items; False when the user quit, True at the end of the walk."""
        seq = self._items()
        self._say_not_asked(list(self.skipped), "Not asked, because of earlier answers")
        self.stops = self._stops(seq)
        later = [n for n, (_, _, item) in enumerate(seq) if self._stops_at(item)]
        if not later:
            return True
        pos = later[0]
        while True:
            move = self._item(seq, pos)
            if move is _Move.QUIT:
                return False
            self._follow_skip_logic()
            if move is _Move.BACK:
                earlier = [n for n in range(pos) if seq[n][2].id not in self.skipped]
                if earlier:
                    pos = earlier[-1]
                    self.stops.add(seq[pos][2].id)
                continue
            later = [n for n in range(pos + 1, len(seq)) if self._stops_at(seq[n][2])]
            if not later:
                return True
            pos = later[0]

    def _items(self) -> list[Entry]:
        """The items the walk goes through: those that apply to the program's setting."""
        setting = self.file.responses.program.setting
        if setting is None:
            return list(self.file.instrument.iter_items())
        return [entry for entry in self.file.instrument.iter_items() if entry[2].applies(setting)]

    def _stops_at(self, item: Item) -> bool:
        return item.id in self.stops and item.id not in self.skipped

    def _skip_logic(self) -> dict[str, Skipped]:
        """Items that the answers so far make not applicable (skip logic), in instrument order."""
        responses = self.file.responses
        found = skipped_items(self.file.instrument, responses.program.setting, responses.answers)
        return {i: why for i, why in found.items() if why.kind is NaKind.SKIP_LOGIC}

    def _follow_skip_logic(self) -> None:
        """Work out again which items apply; say what changed, and stop at items that apply anew."""
        before, self.skipped = self.skipped, self._skip_logic()
        self._say_not_asked([i for i in self.skipped if i not in before], "Not asked from now on")
        back = [i for i in before if i not in self.skipped]
        if not back:
            return
        answers = self.file.responses.answers
        self.stops.update(i for i in back if status_of(answers.get(i)) is ItemStatus.UNANSWERED)
        shown = "; ".join(self._named(i, answers) for i in back)
        self.talk.wrap(f"Apply again after this answer (unanswered ones will be asked): {shown}.")

    def _say_not_asked(self, item_ids: list[str], heading: str) -> None:
        """Name items passed over by skip logic, grouped by reason, each reason said once."""
        answers = self.file.responses.answers
        by_reason: dict[str, list[str]] = {}
        for item_id in item_ids:
            by_reason.setdefault(self.skipped[item_id].reason, []).append(item_id)
        for reason, ids in by_reason.items():
            self.talk.wrap(f"{heading}: {reason}")
            for item_id in ids:
                self.talk.wrap(self._named(item_id, answers), "  ", "    ")
            kept = [i for i in ids if status_of(answers.get(i)) is not ItemStatus.UNANSWERED]
            if kept:
                self.talk.wrap(
                    "  Their earlier answers stay in the file but are not scored while this "
                    "holds; change the deciding answer back and they count again.",
                    "  ",
                )

    def _named(self, item_id: str, answers: Mapping[str, Answer]) -> str:
        instrument = self.file.instrument
        item = instrument.item(item_id)
        shown = describe(item, answers.get(item_id))
        return f"{instrument.code(item_id)} {item.title}" + (
            f" (answered {shown})" if shown else ""
        )

    def _stops(self, seq: list[Entry]) -> set[str]:
        """The items to stop at, saying why when there are none, or when some are passed over."""
        answers = self.file.responses.answers
        applying = [i for _, _, i in seq if i.id not in self.skipped]
        if self.review:
            stops = {
                i.id for i in applying if status_of(answers.get(i.id)) is not ItemStatus.UNANSWERED
            }
            if not stops:
                self.talk.say("Nothing to review yet: no item is answered.")
            return stops
        stops = {i.id for i in applying if status_of(answers.get(i.id)) is ItemStatus.UNANSWERED}
        if not stops:
            self.talk.say("Every item that applies is answered (use --review to change answers).")
        elif len(stops) < len(applying):
            self.talk.say("Continuing at the first unanswered item.")
        return stops

    def _item(self, seq: list[Entry], pos: int) -> _Move:
        """Show one item and handle what is typed until the user moves on."""
        item = seq[pos][2]
        self.view.show(seq, pos, self.file.responses.answers.get(item.id))
        self.talk.say(KEYS)
        while True:
            current = self.file.responses.answers.get(item.id)
            typed = self.talk.ask(answer_prompt(item, current))
            word = fold(typed)
            if not typed:
                if status_of(current) is not ItemStatus.UNANSWERED:
                    return _Move.NEXT
                self.talk.say(f"Type an answer, or {SKIP} to leave this item for now (? for help).")
            elif word in HELP_WORDS:
                self._help(item)
            elif word == QUIT:
                return _Move.QUIT
            elif word == BACK:
                if pos > 0:
                    return _Move.BACK
                self.talk.say("This is the first item; there is nothing to go back to.")
            elif word == SKIP:
                if status_of(current) is ItemStatus.UNANSWERED:
                    self.talk.say("Skipped: left unanswered.")
                else:
                    self.talk.say("Skipped: kept as it is.")
                return _Move.NEXT
            elif word == NOTE:
                self._ask_note(item, current)
            elif word in NA_WORDS:
                if self._ask_na(item, current):
                    return _Move.NEXT
            elif word in NO_ELIGIBLE_WORDS:
                if self._no_eligible(item):
                    return _Move.NEXT
            else:
                try:
                    value = parse_answer(item, typed)
                except NotAccepted as refused:
                    self._refuse(item, word, str(refused))
                    continue
                self.file.set_answer(item.id, value=value, not_applicable=False, na_reason=None)
                self.view.say_saved(item, value)
                return _Move.NEXT

    def _refuse(self, item: Item, word: str, problem: str) -> None:
        problem = problem.rstrip(".")
        old = OLD_KEYS.get(word)
        if old is not None:
            problem += f". Commands are whole words: type {old}, not {word}"
        self.talk.wrap(f"{problem}; or {NOTE}, {BACK}, {SKIP}, {QUIT} (? for help).")

    def _help(self, item: Item) -> None:
        na_lines = ""
        if item.kind is AnswerKind.PERCENT:
            na_lines += f"\n  {NO_ELIGIBLE:<10} no eligible cases in the audit (recorded as N/A)"
        if item.na_allowed:
            na_lines += "\n  na         not applicable to this program (you will be asked why)"
        else:
            na_lines += "\n  (na, not applicable, is not accepted for this item)"
        self.talk.say(
            _HELP.format(
                accepted=answer_range(item),
                what=_WHAT[item.kind],
                na_lines=na_lines,
                note=NOTE,
                back=BACK,
                skip=SKIP,
                quit=QUIT,
            )
        )
        self.talk.wrap(_HELP_AFTER)

    def _ask_note(self, item: Item, current: Answer | None) -> None:
        note = self.talk.ask_optional(
            "Note",
            current.note if current else None,
            Answer,
            "note",
            "A note on this answer for the report and for whoever reassesses the program.",
        )
        evidence = self.talk.ask_optional(
            "Evidence reference (document, chart sample, meeting)",
            current.evidence if current else None,
            Answer,
            "evidence",
            "Where the evidence for this answer is: a policy's name, the charts audited, a "
            "meeting or a data report.",
        )
        self.file.set_answer(item.id, note=note, evidence=evidence)
        self.talk.say("Note saved.")

    def _no_eligible(self, item: Item) -> bool:
        """Record that the audit found no eligible cases; False on an item that is no audit."""
        if item.kind is not AnswerKind.PERCENT:
            self.talk.wrap(
                f"{NO_ELIGIBLE} (no eligible cases) is for chart-audit percentages; this item "
                f"takes {answer_range(item)}."
            )
            return False
        self.file.set_answer(item.id, value=None, not_applicable=True, na_reason=NO_ELIGIBLE_REASON)
        self.talk.say("Saved: not applicable — no eligible cases in the audit.")
        return True

    def _ask_na(self, item: Item, current: Answer | None) -> bool:
        """Ask why the item does not apply and record N/A; False when refused or cancelled."""
        if not item.na_allowed:
            setting = self.file.responses.program.setting
            self.talk.wrap(
                "N/A is not accepted for this item: it applies to every "
                f"{setting.kind if setting else 'such'} program. Type {answer_range(item)}, "
                f"or {SKIP} to leave it unanswered for now."
            )
            return False
        if item.na_guidance:
            self.talk.wrap(f"N/A is fair when: {item.na_guidance}")
        elif item.kind is AnswerKind.PERCENT:
            self.talk.wrap(
                f"N/A is fair when the audit found no eligible cases (type {NO_ELIGIBLE} "
                "for just that)."
            )
        old = current.na_reason if current and current.not_applicable else None

        def read(typed: str) -> str | None:
            if not typed and old:
                typed = old
            if not typed:
                raise NotAccepted(
                    f"A reason is required: it goes into the report. Type it, or {CANCEL} to "
                    "answer the item instead."
                )
            if typed.casefold() == CANCEL:
                return None
            return valid(Answer, "na_reason", typed)

        hint = f" [{short(old, 30)}]" if old else ""
        reason = self.talk.ask_until(
            f"Why does it not apply?{hint}: ",
            read,
            "Say why the item does not apply to this program; the reason is printed in the "
            f"report. Type {CANCEL} to answer the item instead.",
        )
        if reason is None:
            return False
        self.file.set_answer(item.id, value=None, not_applicable=True, na_reason=reason)
        self.talk.say("Saved: not applicable.")
        return True
