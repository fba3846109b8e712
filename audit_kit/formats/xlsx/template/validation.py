"""Dropdown lists and the checks of answer cells: what a cell offers and accepts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from audit_kit.formats.xlsx import layout as lay
from audit_kit.formats.xlsx.template.cells import put_text
from audit_kit.model.vocab import AnswerKind

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

    from audit_kit.model.instrument import Instrument, Item


class Lists:
    """The hidden sheet holding the dropdown lists, one column per distinct list."""

    def __init__(self, ws: Worksheet) -> None:
        self.ws = ws
        self._sources: dict[tuple[str | int, ...], str] = {}

    def source(self, name: str, entries: Sequence[str | int]) -> str:
        """The range holding ``entries`` (written on first use), for a list validation."""
        key = tuple(entries)
        if key not in self._sources:
            col = len(self._sources) + 1
            put_text(self.ws.cell(1, col), name)
            for row, entry in enumerate(entries, start=2):
                if isinstance(entry, str):
                    put_text(self.ws.cell(row, col), entry)
                else:
                    self.ws.cell(row, col).value = entry
            letter = lay.column_letter(col)
            self._sources[key] = f"{lay.LISTS_SHEET}!${letter}$2:${letter}${len(entries) + 1}"
        return self._sources[key]

    def finish(self) -> None:
        """Put the sheet last, hidden and protected."""
        book = self.ws.parent
        book.move_sheet(self.ws, offset=len(book.sheetnames) - 1 - book.index(self.ws))
        self.ws.sheet_state = "hidden"
        self.ws.protection.sheet = True


def list_validation(source: str) -> Any:
    """A check offering the list in range ``source`` and refusing anything else."""
    from openpyxl.worksheet.datavalidation import DataValidation

    # a range, never an inline list: inline lists break past 255 characters or on commas
    return DataValidation(
        type="list",
        formula1=source,
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Not in the list",
        error="Pick an answer from the cell's list, or clear the cell.",
    )


#: Excel refuses to open a file whose input message is longer than these.
MAX_PROMPT_TITLE, MAX_PROMPT = 32, 255

#: What the 1-5 scale means on every scale item, in short (each item words it for itself).
_SCALE_SHORT = {
    1: "not in place, or against the guidance",
    3: "routine practice",
    5: "fully in place, monitored, improved",
}


def answer_validation(lists: Lists, instrument: Instrument, item: Item, cell: str) -> Any:
    """The check of an item's answer cell (``cell``, e.g. 'C5'): what it offers and accepts,
    and the input message shown while the cell is selected."""
    from openpyxl.worksheet.datavalidation import DataValidation

    na = item.na_allowed  # items not for some settings are left empty there, not N/A
    title, prompt = answer_prompt(instrument, item)
    shared: dict[str, Any] = {
        "allow_blank": True,
        "showErrorMessage": True,
        "errorStyle": "stop",
        "showInputMessage": True,
        "promptTitle": title,
        "prompt": prompt,
    }
    if item.kind is AnswerKind.PERCENT:
        typed = f"TRIM({cell})"
        return DataValidation(
            type="custom",
            formula1=(
                f"OR(AND(ISNUMBER({cell}),{cell}>=0,{cell}<=100),"
                f'{typed}="{lay.NA_TEXT}",{typed}="{lay.NO_CASES_TEXT}")'
            ),
            errorTitle="Not a percentage",
            error=f"Type a percentage from 0 to 100 (95 or 95%), {lay.NO_CASES_TEXT} or N/A.",
            **shared,
        )
    if item.kind is AnswerKind.CHOICE:
        labels: list[str | int] = [c.label for c in item.choices or []]
        source = lists.source(item.id, [*labels, lay.NA_TEXT] if na else labels)
    else:
        entries: list[str | int] = list(lay.SCALE_ENTRIES)
        source = lists.source(
            *(("scale or N/A", [*entries, lay.NA_TEXT]) if na else ("scale", entries))
        )
    dv = list_validation(source)
    for key, value in shared.items():
        setattr(dv, key, value)
    return dv


def answer_prompt(instrument: Instrument, item: Item) -> tuple[str, str]:
    """The input message of an item's answer cell: a title and a text within Excel's limits."""
    code = instrument.code(item.id)
    if item.kind is AnswerKind.PERCENT:
        title = f"{code}: a percentage"
        lines = [
            "Type the share of audited charts that meet it, from 0 to 100: 95 or 95% (not 0.95).",
            f"The audit found no eligible cases? Type: {lay.NO_CASES_TEXT}",
        ]
    elif item.kind is AnswerKind.CHOICE:
        title = f"{code}: pick one"
        lines = [
            "Pick the answer that fits from the cell's list. Each choice with its score: hover "
            "over the question (red corner), or see the Guide sheet."
        ]
    else:
        title = f"{code}: a score, 1 to 5"
        lines = [f"{n} = {text}" for n, text in _SCALE_SHORT.items()]
        lines.append("2 and 4 lie between. This item's own 1, 3 and 5: hover over the question.")
    if item.allow_na:
        lines.append("N/A allowed: say why in N/A reason.")
    if item.applies_to is not None or item.applies_when is not None:
        lines.append("It may not apply: see Applies?")
    prompt = "\n".join(lines)
    return title[:MAX_PROMPT_TITLE], _fit(prompt, MAX_PROMPT)


def _fit(text: str, limit: int) -> str:
    """Text cut at a line end to fit ``limit`` characters (never mid-sentence)."""
    while len(text) > limit and "\n" in text:
        text = text.rsplit("\n", 1)[0]
    return text[:limit]
