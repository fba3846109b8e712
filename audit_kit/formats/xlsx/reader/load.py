"""Load a checked workbook once into plain cell values, and say where each one is."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from io import BytesIO
from typing import TYPE_CHECKING, Any

from audit_kit.errors import InputFileError, Location, Problem
from audit_kit.formats.xlsx import layout as lay
from audit_kit.model.responses import fold

if TYPE_CHECKING:
    from audit_kit.formats.xlsx.guard import Checked, Merge

NEW_TEMPLATE = "make a new template with `audit-kit template` and copy the answers into it"

# What a number format shows literally: "quoted text", \x escapes, [colours and conditions]
_FORMAT_LITERALS = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')
_DIGIT_PLACES = re.compile(r"[0#?]")
_DECIMAL_PLACES = re.compile(r"\.([0#?]+)")
_EXPONENT = re.compile(r"[eE][+-]")

# sheets of text for people: never holding answers (no domain sheet takes these names)
_NOT_READ = frozenset(fold(n) for n in (lay.INSTRUCTIONS_SHEET, lay.GUIDE_SHEET, lay.LISTS_SHEET))


@dataclass(frozen=True)
class Raw:
    """One non-empty cell as read: its value (a formula's saved result) and how it is held."""

    value: object
    error: bool = False  # a spreadsheet error such as #N/A or #REF!
    formula: bool = False
    percent: bool = False  # a number shown as a percentage (85% is held as 0.85)
    decimals: int | None = None  # decimals a number is shown with; None: as many as it has


Cells = dict[tuple[int, int], Raw]

Order = tuple[int, int, int]  # sheet position, row, column: problems are listed in this order
Located = tuple[Order, Problem]


@dataclass(frozen=True)
class Spot:
    """Where something was read, and where its problems sort."""

    order: Order
    location: Location

    def problem(self, message: str, code: str) -> Located:
        """A problem at this spot, with its sort order."""
        return self.order, Problem(self.location, message, code)


class Book:
    """The cells of every sheet worth reading, in workbook order, and the file as shown."""

    def __init__(
        self, sheets: dict[str, Cells], shown: str, merges: dict[str, list[Merge]] | None = None
    ) -> None:
        self.sheets = sheets
        self.shown = shown
        self.merges = merges or {}
        self.titles = {fold(title): title for title in sheets}
        self.order = {title: n for n, title in enumerate(sheets)}

    def at(self, sheet: str | None = None, cell: str | None = None) -> Location:
        """A location in this workbook."""
        return Location(file=self.shown, sheet=sheet, cell=cell)

    def spot(self, title: str, row: int, col: int) -> Spot:
        """The cell at ``row``, ``col`` of sheet ``title``."""
        return Spot((self.order[title], row, col), self.at(title, lay.cell_name(row, col)))

    def sheet(self, name: str) -> tuple[str, Cells] | None:
        """The title and cells of the sheet called ``name`` (in any case), if there is one."""
        title = self.titles.get(fold(name))
        return None if title is None else (title, self.sheets[title])


def read_failures() -> tuple[type[BaseException], ...]:
    """What openpyxl may still raise on a workbook the pre-flight checks let through."""
    import zipfile
    import zlib
    from xml.etree.ElementTree import ParseError

    from openpyxl.utils.exceptions import InvalidFileException

    return (
        zipfile.BadZipFile,
        InvalidFileException,
        KeyError,
        IndexError,
        ValueError,
        TypeError,
        ParseError,
        zlib.error,
        EOFError,
        OSError,
    )


def failure_reason(exc: BaseException) -> str:
    """The first line of what went wrong, short enough for a one-line message."""
    return str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__


def load(checked: Checked, shown: str) -> Book:
    """Every non-empty cell of every sheet worth reading; parser failures become one message."""
    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            # openpyxl warns about parts it does not keep (extensions, odd styles): we only read
            warnings.simplefilter("ignore")
            sheets = _cells(load_workbook(BytesIO(checked.data), read_only=True, data_only=True))
            if checked.formulas is None:  # the guard could not place them all
                formulas = load_workbook(BytesIO(checked.data), read_only=True, data_only=False)
                _mark_formulas(sheets, formulas)
            else:
                _mark_placed_formulas(sheets, checked.formulas)
    except read_failures() as exc:
        reason = failure_reason(exc)
        raise InputFileError.single(
            f"the workbook cannot be read ({reason}); open it in Excel or LibreOffice, save it "
            f"as .xlsx and try again, or {NEW_TEMPLATE}",
            code="unreadable",
            file=shown,
        ) from None
    return Book(sheets, shown, checked.merges)


def shows_percent(number_format: str | None) -> bool:
    """Whether a number format shows numbers as percentages (85% held as 0.85): a % sign
    outside quoted text, escapes and [brackets]."""
    return "%" in _FORMAT_LITERALS.sub("", number_format or "")


def shown_decimals(number_format: str | None) -> int | None:
    """How many decimals a number format shows positive numbers with ('0.0%': 1, '#,##0': 0),
    or None when it shows them as they are (General, text) or in a way not worked out here."""
    shown = _FORMAT_LITERALS.sub("", (number_format or "General").split(";")[0])
    if "general" in shown.lower() or not _DIGIT_PLACES.search(shown) or _EXPONENT.search(shown):
        return None
    decimals = _DECIMAL_PLACES.search(shown)
    return len(decimals.group(1)) if decimals else 0


def _sheets(wb: Any) -> Iterable[Any]:
    for ws in wb.worksheets:
        if fold(ws.title) not in _NOT_READ:
            # the declared size may be wrong; rows are read to the last real cell instead
            ws.reset_dimensions()
            yield ws


def _cells(wb: Any) -> dict[str, Cells]:
    try:
        sheets: dict[str, Cells] = {}
        for ws in _sheets(wb):
            cells: Cells = {}
            # bounded: the guard has refused anything beyond these already
            for row in ws.iter_rows(min_row=1, max_row=lay.MAX_ROWS):
                for cell in row[: lay.MAX_COLS]:
                    value = cell.value
                    if value is None:
                        continue
                    kind = cell.data_type
                    number = kind == "n" and not isinstance(value, bool)
                    cells[(cell.row, cell.column)] = Raw(
                        value,
                        error=kind == "e",
                        percent=number and shows_percent(cell.number_format),
                        decimals=shown_decimals(cell.number_format) if number else None,
                    )
            sheets[ws.title] = cells
        return sheets
    finally:
        wb.close()


def _mark_placed_formulas(sheets: dict[str, Cells], formulas: dict[str, frozenset[Any]]) -> None:
    for title, cells in sheets.items():
        for key in formulas.get(title, ()):
            saved = cells.get(key)
            cells[key] = Raw(
                None if saved is None else saved.value,
                error=saved is not None and saved.error,
                formula=True,
                percent=saved is not None and saved.percent,
                decimals=None if saved is None else saved.decimals,
            )


def _mark_formulas(sheets: dict[str, Cells], wb: Any) -> None:
    try:
        for ws in _sheets(wb):
            cells = sheets.get(ws.title)
            if cells is None:
                continue
            for row in ws.iter_rows(min_row=1, max_row=lay.MAX_ROWS):
                for cell in row[: lay.MAX_COLS]:
                    if cell.value is not None and cell.data_type == "f":
                        key = (cell.row, cell.column)
                        saved = cells.get(key)
                        cells[key] = Raw(
                            None if saved is None else saved.value,
                            error=saved is not None and saved.error,
                            formula=True,
                            percent=saved is not None and saved.percent,
                            decimals=None if saved is None else saved.decimals,
                        )
    finally:
        wb.close()
