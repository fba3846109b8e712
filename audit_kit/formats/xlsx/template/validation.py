"""Dropdown lists and the checks of answer cells: what a cell offers and accepts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from audit_kit.formats.xlsx import layout as lay
from audit_kit.formats.xlsx.template.cells import put_text
from audit_kit.model.vocab import AnswerKind

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

    from audit_kit.model.instrument import Item


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


def answer_validation(lists: Lists, item: Item) -> tuple[str, Any]:
    """The validation of an item's answer cell, and a key shared by cells validated alike."""
    from openpyxl.worksheet.datavalidation import DataValidation

    na = item.allow_na  # items not for some settings are left empty there, not N/A
    if item.kind is AnswerKind.PERCENT:
        return f"percent {na}", DataValidation(
            type="decimal",
            operator="between",
            formula1="0",
            formula2="100",
            allow_blank=True,
            showErrorMessage=True,
            # where N/A is allowed the check only warns, so that N/A can be typed
            errorStyle="warning" if na else "stop",
            errorTitle="Not a percentage",
            error="Type a percentage from 0 to 100" + (", or N/A." if na else "."),
        )
    if item.kind is AnswerKind.CHOICE:
        labels: list[str | int] = [c.label for c in item.choices or []]
        source = lists.source(item.id, [*labels, lay.NA_TEXT] if na else labels)
    else:
        entries: list[str | int] = list(lay.SCALE_ENTRIES)
        source = lists.source(
            *(("scale or N/A", [*entries, lay.NA_TEXT]) if na else ("scale", entries))
        )
    return source, list_validation(source)
