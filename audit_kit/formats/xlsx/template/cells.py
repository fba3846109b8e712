"""Write cells safely (text stays text, within Excel's limits); size rows to fit wrapped text."""

from __future__ import annotations

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


def put_text(cell: Cell, text: str, style: str | None = None) -> None:
    """Write text that stays text: a leading '=' never makes it a formula."""
    if style:
        cell.style = style
    cell.value = safe_text(text)
    if cell.data_type != "s":
        # openpyxl turns any string starting with '=' into a formula; keep it a string
        cell.data_type = "s"
        cell.quotePrefix = True


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
