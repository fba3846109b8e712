"""Write cells safely (text stays text, within Excel's limits); size rows to fit wrapped text."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from audit_kit.model.responses import clean_text

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell

MAX_CELL_CHARS = 32_767  # Excel's limit per cell
# Arial is on every machine with Excel, and LibreOffice substitutes the metric-compatible
# Liberation Sans, so the row heights estimated below hold in both
FONT = "Arial"
SIZE = 10
_MAX_ROW_HEIGHT = 409  # Excel's limit, in points


def safe_text(text: str) -> str:
    """Text a cell can hold: no control characters, line ends as \\n, at most 32,767 characters."""
    return clean_text(text)[:MAX_CELL_CHARS]


# Text a spreadsheet would turn into something else once the cell is edited and confirmed:
# a formula (= + - @), or a number, percentage, date or time
_NOT_PLAIN = re.compile(r"^\s*(?:[=+\-@]|[0-9.,][0-9.,/:\- ]*%?\s*$)")


def put_text(cell: Cell, text: str, style: str | None = None) -> None:
    """Write text that stays text, also when the cell is edited later: text starting with
    = + - @ or looking like a number gets the quote prefix (the ' a person types first)."""
    if style:
        cell.style = style
    cell.value = safe_text(text)
    # openpyxl turns any string starting with '=' into a formula; keep it a string
    cell.data_type = "s"
    if _NOT_PLAIN.match(cell.value):
        cell.quotePrefix = True


class SavedResults:
    """The result each formula cell shows, saved in the file beside its formula.

    openpyxl writes formulas without a result; spreadsheets compute them on opening, but
    viewers and readers that do not calculate would show nothing. The results are put into
    the saved file by workbook.py.
    """

    def __init__(self) -> None:
        self.by_sheet: dict[str, dict[str, str]] = {}

    def put(self, cell: Cell, formula: str, result: str, style: str | None = None) -> None:
        """Write ``formula`` (without its '=') into ``cell``, showing ``result`` until computed."""
        if style:
            cell.style = style
        cell.value = f"={formula}"
        self.by_sheet.setdefault(cell.parent.title, {})[cell.coordinate] = safe_text(result)


def _wrapped_lines(text: str, per_line: int) -> int:
    """Lines a text takes when wrapped at ``per_line`` characters, breaking between words."""
    lines = 0
    for part in text.split("\n"):
        lines += 1
        length = 0
        for word in part.split():
            if length and length + 1 + len(word) <= per_line:
                length += 1 + len(word)
            else:
                lines += 1 if length else 0
                length = len(word)
            while length > per_line:
                lines += 1
                length -= per_line
    return lines


def row_height(cells: Iterable[tuple[float, str, float]]) -> float:
    """Points a row needs to show every line of its wrapped cells: (column width, text, size).

    Spreadsheets do not grow a row to fit wrapped text written by a program (LibreOffice keeps
    the default height), so the height is estimated, erring on the tall side: Arial fits about
    1.2 characters per unit of column width, and Excel spaces lines 1.275 times the font size.
    """
    points = SIZE * 1.275
    for width, text, size in cells:
        if text:
            per_line = max(1, int(width * 1.15 * SIZE / size))
            points = max(points, _wrapped_lines(text, per_line) * size * 1.275)
    return min(round(points + 3, 1), _MAX_ROW_HEIGHT)


def put_titled(cell: Cell, title: str, text: str, style: str, *, same_line: bool) -> str:
    """Write a bold title followed by text, on the same line or the next; return the text
    as a whole (for sizing the row)."""
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont

    title = safe_text(title)
    if same_line:
        title += "" if title.endswith((".", "?", "!", ":")) else "."
    rest = (" " if same_line else "\n") + safe_text(text)
    cell.style = style
    bold = InlineFont(rFont=FONT, sz=SIZE, b=True)
    cell.value = CellRichText([TextBlock(bold, title), rest])
    return title + rest
