"""Live skip logic in the sheet: each item's "Applies?" formula and the answered count.

The formulas follow model/applicability.py: an item limited to some settings does not apply to
a program of another setting (as picked on the Program sheet); an item with a condition does
not apply when its deciding item does not apply, is answered N/A, or is answered with one of
the answers outside the condition. The result each formula shows when the workbook is written
is the one skipped_items gives, so that the file reads the same before anything recalculates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from audit_kit.formats.xlsx import layout as lay
from audit_kit.model.responses import NA_WORDS
from audit_kit.model.vocab import AnswerKind, NaKind, Setting

if TYPE_CHECKING:
    from audit_kit.model.applicability import Skipped
    from audit_kit.model.instrument import Instrument, Item

MAX_FORMULA = 8192  # characters, Excel's limit

_SETTING_CELL = (
    f"{lay.PROGRAM_SHEET}!${lay.column_letter(lay.PROGRAM_VALUE_COL)}${lay.PROGRAM_ROW['setting']}"
)


@dataclass(frozen=True)
class Place:
    """Where an item's row is: its sheet and row."""

    sheet: str
    row: int


def text(value: str) -> str:
    """A string literal in a formula."""
    return '"' + value.replace('"', '""') + '"'


def cell_ref(place: Place, key: str, here: str) -> str:
    """An absolute reference to an item's cell in column ``key``, with its sheet when it is
    on another sheet than ``here``."""
    ref = f"${lay.column_letter(lay.COLUMN_INDEX[key])}${place.row}"
    if place.sheet == here:
        return ref
    return "'" + place.sheet.replace("'", "''") + "'!" + ref


def setting_text(setting: Setting) -> str:
    """What "Applies?" says of an item not meant for programs of ``setting``."""
    return f"No: not for {setting.kind} programs."


def condition_text(instrument: Instrument, item: Item) -> str:
    """What "Applies?" says of an item its condition rules out (as skipped_items words it)."""
    condition = item.applies_when
    assert condition is not None
    decider = instrument.item(condition.item)
    reason = condition.reason or f"Applies only with other answers to {decider.title}"
    return f"No: {reason.rstrip('.')}."


def status(
    instrument: Instrument, item: Item, skipped: Skipped | None, setting: Setting | None
) -> str:
    """What "Applies?" shows for an item, given what skipped_items says of it."""
    if skipped is None:
        return ""
    if skipped.kind is NaKind.SETTING:
        assert setting is not None
        return setting_text(setting)
    return condition_text(instrument, item)


def status_formula(instrument: Instrument, item: Item, places: dict[str, Place]) -> str | None:
    """The formula of an item's "Applies?" cell, or None for an item that always applies (or
    whose formula would be too long for Excel)."""
    here = places[item.id].sheet
    branches: list[tuple[str, str]] = []
    if item.applies_to is not None:
        branches += [
            (f"{_SETTING_CELL}={text(s.label)}", setting_text(s))
            for s in Setting
            if s not in item.applies_to
        ]
    condition = item.applies_when
    if condition is not None and instrument.has_item(condition.item):
        decider = instrument.item(condition.item)
        at = places[decider.id]
        answer = f"TRIM({cell_ref(at, 'answer', here)})"
        ruled_out = [f"{answer}={text(word)}" for word in sorted(NA_WORDS)]
        if decider.applies_to is not None or decider.applies_when is not None:
            ruled_out.insert(0, f'{cell_ref(at, "applies", here)}<>""')
        if decider.kind is AnswerKind.CHOICE:
            for choice in decider.choices or []:
                if choice.value not in condition.answers:
                    ruled_out += [
                        f"{answer}={text(choice.label)}",
                        f"{answer}={text(choice.value)}",
                    ]
        else:
            ruled_out += [
                f"{answer}={text(str(n))}" for n in lay.SCALE_ENTRIES if n not in condition.answers
            ]
        branches.append((f"OR({','.join(ruled_out)})", condition_text(instrument, item)))
    if not branches:
        return None
    formula = '""'
    for test, shown in reversed(branches):
        formula = f"IF({test},{text(shown)},{formula})"
    # Excel refuses to open a file with a longer formula (a custom instrument with very many
    # long choices): the cell then shows what applies as written, without updating
    return formula if len(formula) < MAX_FORMULA else None


def count_formula(first: int, last: int, items: int) -> str:
    """The formula of a sheet's progress line, over the answer and "Applies?" cells of rows
    ``first`` to ``last`` (dimension rows among them are empty). It counts as the scores do: a
    row the Applies? cell rules out does not apply whatever it holds, and N/A (or "no eligible
    cases") typed as the answer does not apply either."""
    answers = _range("answer", first, last)
    applies = _range("applies", first, last)
    # Excel's = ignores case and TRIM drops stray spaces, as the reader does
    words = sorted({*NA_WORDS, lay.NO_CASES_TEXT.lower(), lay.NO_CASES_TEXT.lower()[:-1]})
    typed_na = "+".join(f"(TRIM({answers})={text(word)})" for word in words)
    answered = f'SUMPRODUCT(({answers}<>"")*({applies}="")*(1-({typed_na})))'
    skipped = f'SUMPRODUCT(({applies}<>"")+({applies}="")*({typed_na}))'
    left = f"{items}-{answered}-{skipped}"
    return (
        f'"Progress: "&{answered}&" of {items} answered"'
        f'&IF({skipped}>0,", "&{skipped}&" do not apply","")'
        f'&IF({left}>0,", "&({left})&" to go","")'
    )


def count_text(items: int, answered: int, skipped: int) -> str:
    """What the progress line shows, as count_formula computes it."""
    shown = f"Progress: {answered} of {items} answered"
    if skipped:
        shown += f", {skipped} do not apply"
    if items - answered - skipped > 0:
        shown += f", {items - answered - skipped} to go"
    return shown


def off_rule(first: int, last: int) -> tuple[str, str]:
    """The range and formula of the conditional format greying the rows that do not apply."""
    cells = f"A{first}:{lay.column_letter(len(lay.COLUMNS))}{last}"
    applies = lay.column_letter(lay.COLUMN_INDEX["applies"])
    return cells, f'${applies}{first}<>""'


def _range(key: str, first: int, last: int) -> str:
    letter = lay.column_letter(lay.COLUMN_INDEX[key])
    return f"${letter}${first}:${letter}${last}"
