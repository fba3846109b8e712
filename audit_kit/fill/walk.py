"""The item walk: each item in turn, answered or changed with the commands na, n, b, s, ? and q."""

from __future__ import annotations

import enum

from audit_kit.fill.dialogue import Dialogue, NotAccepted, short, valid
from audit_kit.fill.items import (
    Entry,
    ItemView,
    accepted,
    answer_prompt,
    answer_range,
    parse_answer,
    status_of,
)
from audit_kit.fill.responses_file import ResponsesFile
from audit_kit.model.applicability import Skipped, skipped_items
from audit_kit.model.instrument import Item
from audit_kit.model.responses import NA_WORDS, Answer
from audit_kit.model.vocab import ItemStatus, NaKind

CANCEL = "cancel"  # typed at the N/A reason prompt to answer the item after all
KEYS = "Keys: n note · b back · s skip · ? help · q save and quit"
_HELP = """\
At the answer prompt, type one of these and press Enter:
  {accepted:<10} the answer{na_line}
  n          add or change a note and an evidence reference
  b          back to the previous item
  s          skip: leave this item as it is and go on
  Enter      keep the current answer, when there is one
  ?          this help
  q          save and quit (continue later with the same -o file)
Every answer is saved to the file as soon as you press Enter."""


class _Move(enum.Enum):
    NEXT = "next"
    BACK = "back"
    QUIT = "quit"


class ItemWalk:
    """The items that apply to the program's setting, each saved to the file once answered.

    A first fill stops at the unanswered items; a review at the answered ones. Going back
    stops at every item on the way.
    """

    def __init__(self, talk: Dialogue, file: ResponsesFile, *, review: bool) -> None:
        self.talk = talk
        self.file = file
        self.review = review
        self.view = ItemView(talk, file.instrument)

    def run(self) -> bool:
        """Go through the items; False when the user quit, True at the end of the walk.

        Items that an earlier answer makes not applicable (skip logic) are passed over, and
        which those are is worked out again after every answer.
        """
        seq = self._items()
        stops = self._stops(seq)
        if not stops:
            return True
        pos = next(n for n, (_, _, item) in enumerate(seq) if item.id in stops)
        while True:
            move = self._item(seq, pos)
            if move is _Move.QUIT:
                return False
            skipped = self._skipped()
            if move is _Move.BACK:
                earlier = [n for n in range(pos) if seq[n][2].id not in skipped]
                if earlier:
                    pos = earlier[-1]
                    stops.add(seq[pos][2].id)
                continue
            later = [
                n
                for n in range(pos + 1, len(seq))
                if seq[n][2].id in stops and seq[n][2].id not in skipped
            ]
            if not later:
                return True
            self._say_skipped(seq, pos, later[0], skipped)
            pos = later[0]

    def _items(self) -> list[Entry]:
        """The items the walk goes through: those that apply to the program's setting."""
        setting = self.file.responses.program.setting
        return [entry for entry in self.file.instrument.iter_items() if entry[2].applies(setting)]

    def _setting_kind(self) -> str:
        setting = self.file.responses.program.setting
        return setting.kind if setting else "such"

    def _skipped(self) -> dict[str, Skipped]:
        """Items that the answers so far make not applicable (skip logic)."""
        responses = self.file.responses
        return {
            item_id: why
            for item_id, why in skipped_items(
                self.file.instrument, responses.program.setting, responses.answers
            ).items()
            if why.kind is NaKind.SKIP_LOGIC
        }

    def _say_skipped(
        self, seq: list[Entry], pos: int, target: int, skipped: dict[str, Skipped]
    ) -> None:
        """Name the items passed over on the way to the next stop, and why."""
        instrument = self.file.instrument
        for n in range(pos + 1, target):
            why = skipped.get(seq[n][2].id)
            if why is not None:
                self.talk.say(
                    f"{instrument.code(seq[n][2].id)} {seq[n][2].title}: does not apply "
                    f"({why.reason.rstrip('.')}); recorded as not applicable."
                )

    def _stops(self, seq: list[Entry]) -> set[str]:
        """The items to stop at, saying why when there are none, or when some are passed over."""
        answers = self.file.responses.answers
        if self.review:
            stops = {
                i.id for _, _, i in seq if status_of(answers.get(i.id)) is not ItemStatus.UNANSWERED
            }
            if not stops:
                self.talk.say("Nothing to review yet: no item is answered.")
            return stops
        skipped = self._skipped()
        stops = {
            i.id
            for _, _, i in seq
            if status_of(answers.get(i.id)) is ItemStatus.UNANSWERED and i.id not in skipped
        }
        if not stops:
            self.talk.say("Every item that applies is answered (use --review to change answers).")
        elif len(stops) < len(seq):
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
            command = typed.casefold()
            if not typed:
                if status_of(current) is not ItemStatus.UNANSWERED:
                    return _Move.NEXT
                self.talk.say("Type an answer, or s to leave this item for now (? for help).")
            elif command in ("?", "h", "help"):
                self._help(item)
            elif command == "q":
                return _Move.QUIT
            elif command == "b":
                if pos > 0:
                    return _Move.BACK
                self.talk.say("This is the first item; there is nothing to go back to.")
            elif command == "s":
                if status_of(current) is ItemStatus.UNANSWERED:
                    self.talk.say("Skipped: left unanswered.")
                else:
                    self.talk.say("Skipped: kept as it is.")
                return _Move.NEXT
            elif command == "n":
                self._ask_note(item, current)
            elif command in NA_WORDS:
                if self._ask_na(item, current):
                    return _Move.NEXT
            else:
                value = parse_answer(item, typed)
                if value is not None:
                    self.file.set_answer(item.id, value=value, not_applicable=False, na_reason=None)
                    self.view.say_saved(item, value)
                    return _Move.NEXT
                self.talk.wrap(
                    f"Not an answer here: {typed!r}. Type {accepted(item)}; "
                    "or n, b, s, q (? for help)."
                )

    def _help(self, item: Item) -> None:
        if item.allow_na:
            na_line = "\n  na         not applicable to this program (you will be asked why)"
        else:
            na_line = "\n  (na, not applicable, is not accepted for this item)"
        self.talk.say(_HELP.format(accepted=answer_range(item), na_line=na_line))

    def _ask_note(self, item: Item, current: Answer | None) -> None:
        note = self.talk.ask_optional("Note", current.note if current else None, Answer, "note")
        evidence = self.talk.ask_optional(
            "Evidence reference (document, chart sample, meeting)",
            current.evidence if current else None,
            Answer,
            "evidence",
        )
        self.file.set_answer(item.id, note=note, evidence=evidence)
        self.talk.say("Note saved.")

    def _ask_na(self, item: Item, current: Answer | None) -> bool:
        """Ask why the item does not apply and record N/A; False when refused or cancelled."""
        if not item.allow_na:
            self.talk.wrap(
                "N/A is not accepted for this item: it applies to every "
                f"{self._setting_kind()} program. Type "
                f"{accepted(item)}, or s to leave it unanswered for now."
            )
            return False
        if item.na_guidance:
            self.talk.wrap(f"N/A is fair when: {item.na_guidance}")
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
        reason = self.talk.ask_until(f"Why does it not apply?{hint}: ", read)
        if reason is None:
            return False
        self.file.set_answer(item.id, value=None, not_applicable=True, na_reason=reason)
        self.talk.say("Saved: not applicable.")
        return True
