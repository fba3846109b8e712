"""The plan's look: named cell styles, the colours that follow status and due date, printing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from audit_kit.formats.plan import layout as lay
from audit_kit.formats.xlsx.layout import column_letter
from audit_kit.formats.xlsx.template.cells import FONT, SIZE, safe_text
from audit_kit.model.vocab import GapKind

if TYPE_CHECKING:
    from openpyxl.workbook import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

TITLE_SIZE = 14
_DARK = "1F3864"
_GREY = "6F6F6F"
_RULE = "A6A6A6"
_FILL_IN = "FFF2CC"
#: The time-frame cell of each kind of action; the words say the same, so colour is extra.
KIND_FILLS = {
    GapKind.CRITICAL: "F4CCCC",
    GapKind.BELOW_CAPABLE: "FCE4D6",
    GapKind.TOWARDS_ENHANCED: "DDEBF7",
}
_DONE, _IN_PROGRESS, _WONT_DO, _OVERDUE = "C6EFCE", "FFEB9C", "D9D9D9", "FFC7CE"
#: Letters of a program name the page header keeps; Excel allows 255 for the whole header.
HEADER_NAME_CHARS = 120

TITLE, SUMMARY, HINT, HEADER = "plan title", "plan summary", "plan hint", "plan header"
CELL, CELL_BOLD, CELL_CENTRE = "plan cell", "plan cell bold", "plan cell centre"
FILL_TEXT, FILL_DATE, FILL_STATUS = "plan fill text", "plan fill date", "plan fill status"


def add_styles(wb: Workbook) -> None:
    """Arial 10 as the default font (it sets the unit of column widths), and the named styles."""
    from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
    from openpyxl.utils.indexed_list import IndexedList

    base = Font(name=FONT, size=SIZE)
    # openpyxl has no public way to change the Normal style; with Calibri's unit, machines
    # without Calibri substitute a wider font and the printed columns drift
    wb._fonts = IndexedList([base])  # type: ignore[attr-defined]
    wb._named_styles["Normal"].font = base  # type: ignore[attr-defined]

    thin = Side(style="thin", color=_RULE)
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    fill_in = PatternFill("solid", fgColor=_FILL_IN)
    specs: dict[str, dict[str, Any]] = {
        TITLE: {
            "font": Font(name=FONT, size=TITLE_SIZE, bold=True, color=_DARK),
            "alignment": wrap,
        },
        SUMMARY: {"font": base, "alignment": wrap},
        HINT: {"font": Font(name=FONT, size=SIZE, color=_GREY), "alignment": wrap},
        HEADER: {
            "font": Font(name=FONT, size=SIZE, bold=True, color="FFFFFF"),
            "fill": PatternFill("solid", fgColor=_DARK),
            "border": box,
            "alignment": wrap,
        },
        CELL: {"font": base, "border": box, "alignment": wrap},
        CELL_BOLD: {
            "font": Font(name=FONT, size=SIZE, bold=True),
            "border": box,
            "alignment": wrap,
        },
        CELL_CENTRE: {
            "font": base,
            "border": box,
            "alignment": Alignment(vertical="top", horizontal="center"),
        },
        # what the team types stays text: a name or note starting with '=' is not a formula
        FILL_TEXT: {
            "font": base,
            "fill": fill_in,
            "border": box,
            "alignment": wrap,
            "number_format": "@",
        },
        FILL_DATE: {
            "font": base,
            "fill": fill_in,
            "border": box,
            "alignment": Alignment(vertical="top", horizontal="left"),
            "number_format": "yyyy-mm-dd",
        },
        FILL_STATUS: {"font": base, "fill": fill_in, "border": box, "alignment": wrap},
    }
    for name, spec in specs.items():
        wb.add_named_style(NamedStyle(name=name, **spec))


def kind_fill(kind: GapKind) -> Any:
    """The fill of a time-frame cell."""
    from openpyxl.styles import PatternFill

    return PatternFill("solid", fgColor=KIND_FILLS[kind])


def group_top(cell: Any) -> None:
    """A heavier rule above the first action of a time frame, so the groups read apart."""
    from openpyxl.styles import Border, Side

    thin = Side(style="thin", color=_RULE)
    cell.border = Border(left=thin, right=thin, bottom=thin, top=Side(style="medium", color=_DARK))


def progress_colours(ws: Worksheet, first: int, last: int) -> None:
    """Status cells coloured by their value, and due dates past and not closed in red."""
    from openpyxl.formatting.rule import CellIsRule, FormulaRule
    from openpyxl.styles import PatternFill

    def fill(colour: str) -> PatternFill:
        return PatternFill("solid", fgColor=colour, bgColor=colour)

    status = column_letter(lay.COLUMN_INDEX["status"])
    due = column_letter(lay.COLUMN_INDEX["due"])
    statuses = f"{status}{first}:{status}{last}"
    for label, colour in (
        (lay.Status.DONE.label, _DONE),
        (lay.Status.IN_PROGRESS.label, _IN_PROGRESS),
        (lay.Status.WONT_DO.label, _WONT_DO),
    ):
        # spreadsheets compare text without case: 'done' is coloured as 'Done'
        rule = CellIsRule(operator="equal", formula=[_quoted(label)], fill=fill(colour))
        ws.conditional_formatting.add(statuses, rule)
    closed = ",".join(f"${status}{first}<>{_quoted(s.label)}" for s in lay.Status if s.closed)
    overdue = f"AND(ISNUMBER(${due}{first}),${due}{first}<TODAY(),{closed})"
    ws.conditional_formatting.add(
        f"{due}{first}:{due}{last}", FormulaRule(formula=[overdue], fill=fill(_OVERDUE))
    )


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def status_validation(first: int, last: int) -> Any:
    """The Status dropdown: the four labels, nothing else."""
    from openpyxl.worksheet.datavalidation import DataValidation

    # four short labels without commas: an inline list is safe here
    dv = DataValidation(
        type="list",
        formula1=_quoted(",".join(lay.STATUS_LABELS)),
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="stop",
        errorTitle="Not a status",
        error="Pick a status from the list: " + ", ".join(lay.STATUS_LABELS) + ".",
        showInputMessage=True,
        promptTitle="Status",
        prompt="Where the action stands.",
    )
    letter = column_letter(lay.COLUMN_INDEX["status"])
    dv.add(f"{letter}{first}:{letter}{last}")
    return dv


#: 2000-01-01 and 2100-12-31 as spreadsheet day numbers.
_FIRST_DAY, _LAST_DAY = 36526, 73415


def due_validation(first: int, last: int) -> Any:
    """The Due date check: a date, so that 'next week' is caught when it is typed."""
    from openpyxl.worksheet.datavalidation import DataValidation

    letter = column_letter(lay.COLUMN_INDEX["due"])
    dv = DataValidation(
        type="date",
        operator="between",
        formula1=str(_FIRST_DAY),
        formula2=str(_LAST_DAY),
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="stop",
        errorTitle="Not a date",
        error="Type the due date as YYYY-MM-DD, e.g. 2026-12-31.",
    )
    dv.add(f"{letter}{first}:{letter}{last}")
    return dv


def print_setup(ws: Worksheet, program: str) -> None:
    """Letter landscape, one page wide, the header row on every page, program and page number."""
    from openpyxl.worksheet.page import PageMargins

    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_LETTER
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins = PageMargins(left=0.3, right=0.3, top=0.6, bottom=0.6, header=0.3, footer=0.3)
    ws.print_options.horizontalCentered = True
    ws.print_title_rows = f"{lay.HEADER_ROW}:{lay.HEADER_ROW}"
    name = safe_text(program).replace("\n", " ")
    if len(name) > HEADER_NAME_CHARS:
        name = name[: HEADER_NAME_CHARS - 1].rstrip() + "…"
    # in header text '&' starts a code; a literal one is written '&&'
    ws.oddHeader.left.text = name.replace("&", "&&")
    ws.oddHeader.right.text = "Action plan"
    ws.oddFooter.center.text = "Page &P of &N"
    for part in (ws.oddHeader.left, ws.oddHeader.right, ws.oddFooter.center):
        part.size = 8
