"""The workbook's look: the named cell styles, and the page setup and protection of every sheet."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from audit_kit.formats.xlsx.template.cells import FONT, SIZE, safe_text

if TYPE_CHECKING:
    from openpyxl.workbook import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

    from audit_kit.model.instrument import Instrument

TITLE_SIZE, HEADING_SIZE = 14, 12

_DARK = "1F3864"
_ANSWER_FILL = "FFF2CC"
_BANNER_FILL = "DDE4F0"
_GREY = "6F6F6F"
#: How a row that does not apply looks (conditional formatting): grey text on grey.
OFF_FONT, OFF_FILL = "8C8C8C", "EDEDED"
SMALL_SIZE = 8
#: Header texts are cut to these lengths, so that left and right never meet on a portrait
#: page: sheet name (at most 31) + heading, then program + instrument.
_HEADING_CHARS, _PROGRAM_CHARS, _INSTRUMENT_CHARS = 36, 24, 20

# Named cell styles (also offered in the spreadsheet's style list)
TITLE, SHEET_TITLE, HEADING = "ak title", "ak sheet title", "ak heading"
BODY, HINT, HINT_BLOCK = "ak body", "ak hint", "ak hint block"
HEADER, LABEL, ITEM, ITEM_CODE, ITEM_TITLE, ITEM_ID, ITEM_OFF = (
    "ak header",
    "ak label",
    "ak item",
    "ak item code",
    "ak item title",
    "ak item id",
    "ak item off",
)
BANNER, STATUS, COUNT = "ak banner", "ak applies", "ak count"
FILL, FILL_ANSWER, FILL_DATE = "ak fill in", "ak fill in answer", "ak fill in date"


def add_styles(wb: Workbook) -> None:
    """Arial 10 as the default font (it sets the unit of column widths), and the named styles."""
    from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Protection, Side
    from openpyxl.utils.indexed_list import IndexedList

    base = Font(name=FONT, size=SIZE)
    # openpyxl has no public way to change the Normal style; with Calibri's unit, machines
    # without Calibri substitute a wider font and the printed layout drifts
    wb._fonts = IndexedList([base])  # type: ignore[attr-defined]
    wb._named_styles["Normal"].font = base  # type: ignore[attr-defined]

    thin = Side(style="thin", color="A6A6A6")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    fill = PatternFill("solid", fgColor=_ANSWER_FILL)
    unlocked = Protection(locked=False)
    bold = Font(name=FONT, size=SIZE, bold=True)
    grey = Font(name=FONT, size=SIZE, color=_GREY)
    title = Font(name=FONT, size=TITLE_SIZE, bold=True, color=_DARK)
    specs: dict[str, dict[str, Any]] = {
        TITLE: {"font": title, "alignment": wrap},
        SHEET_TITLE: {"font": title},
        HEADING: {
            "font": Font(name=FONT, size=HEADING_SIZE, bold=True, color=_DARK),
            "alignment": wrap,
        },
        BODY: {"font": base, "alignment": wrap},
        HINT: {"font": grey},
        HINT_BLOCK: {"font": grey, "alignment": wrap},
        HEADER: {
            "font": Font(name=FONT, size=SIZE, bold=True, color="FFFFFF"),
            "fill": PatternFill("solid", fgColor=_DARK),
            "border": box,
            "alignment": wrap,
        },
        LABEL: {"font": bold, "border": box, "alignment": wrap},
        ITEM: {"font": base, "border": box, "alignment": wrap},
        ITEM_CODE: {"font": bold, "border": box, "alignment": Alignment(vertical="top")},
        ITEM_TITLE: {"font": bold, "border": box, "alignment": wrap},
        # never wrapped: an id broken over two lines reads as two words
        ITEM_ID: {
            "font": Font(name=FONT, size=SMALL_SIZE, color=_GREY),
            "border": box,
            "alignment": Alignment(vertical="top", shrink_to_fit=True),
        },
        ITEM_OFF: {"font": grey, "border": box, "alignment": wrap},
        BANNER: {
            "font": bold,
            "fill": PatternFill("solid", fgColor=_BANNER_FILL),
            "alignment": Alignment(vertical="center"),
        },
        STATUS: {"font": Font(name=FONT, size=SIZE, italic=True), "border": box, "alignment": wrap},
        COUNT: {"font": Font(name=FONT, size=SIZE, bold=True, color=_DARK)},
        FILL: {
            "font": base,
            "fill": fill,
            "border": box,
            "alignment": wrap,
            "protection": unlocked,
        },
        FILL_ANSWER: {
            "font": base,
            "fill": fill,
            "border": box,
            "alignment": Alignment(wrap_text=True, vertical="top", horizontal="center"),
            "protection": unlocked,
        },
        FILL_DATE: {
            "font": base,
            "fill": fill,
            "border": box,
            "alignment": Alignment(vertical="top", horizontal="left"),
            "protection": unlocked,
            "number_format": "yyyy-mm-dd",
        },
    }
    for name, spec in specs.items():
        wb.add_named_style(NamedStyle(name=name, **spec))


def _cut(text: str, limit: int) -> str:
    """Text for a page header: one line, at most ``limit`` characters, '&' written '&&' (in
    header text '&' starts a code)."""
    text = " ".join(safe_text(text).split())
    text = text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
    return text.replace("&", "&&")


def print_setup(
    ws: Worksheet,
    instrument: Instrument,
    *,
    landscape: bool,
    heading: str | None = None,
    program: str | None = None,
) -> None:
    """Letter paper, one page wide; the sheet's name and ``heading`` on the left of the header,
    the instrument (and the program) on the right, each cut short so that they never meet;
    page numbers below."""
    from openpyxl.worksheet.page import PageMargins

    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_LETTER
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.6, bottom=0.6, header=0.3, footer=0.3)
    ws.print_options.horizontalCentered = True
    left = "&A" + (f" · {_cut(heading, _HEADING_CHARS)}" if heading else "")
    right = _cut(f"{instrument.id} {instrument.version}", _INSTRUMENT_CHARS)
    if program:
        right = f"{_cut(program, _PROGRAM_CHARS)} · {right}"
    ws.oddHeader.left.text = left  # &A: the sheet's name
    ws.oddHeader.right.text = right
    ws.oddFooter.center.text = "Page &P of &N"
    for part in (ws.oddHeader.left, ws.oddHeader.right, ws.oddFooter.center):
        part.size = SMALL_SIZE


def protect(ws: Worksheet) -> None:
    """Guard the sheet against accidental edits; no password. Rows and columns can still be
    resized and inserted (the reader finds items by their id, wherever they are)."""
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.protection.insertRows = False
    ws.protection.insertColumns = False
