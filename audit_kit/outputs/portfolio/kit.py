"""Small PDF helpers of this package: escaping, dates, tables and a page-numbering canvas.

The gap report's renderer (outputs/pdf) has helpers like these, but it is being rewritten, so
the few lines needed are kept here; colours, fonts and page geometry are imported from its
styles module.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date
from typing import Any

from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, Table, TableStyle

from audit_kit.model.vocab import DomainState, Level
from audit_kit.outputs.pdf import styles as st

_ENTITIES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"), ("'", "&#39;"))
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
STATE_FILLS = {
    DomainState.CAPPED: st.LEVEL_FILLS[Level.NOT_YET_CAPABLE],
    DomainState.INSUFFICIENT_EVIDENCE: st.NO_LEVEL_FILL,
    DomainState.NOT_APPLICABLE: colors.white,
}


def esc(text: object) -> str:
    """Any text as paragraph markup that shows it literally (font-safe, markup escaped)."""
    clean = st.printable(str(text)).replace("\t", " ")
    for char, entity in _ENTITIES:
        clean = clean.replace(char, entity)
    return clean.replace("\n", "<br/>")


def arrow() -> str:
    """'→' where the embedded font has it, else 'to' (Vera has no arrows)."""
    return "→" if ord("→") in st.register_fonts() else "to"


def long_date(day: date | None) -> str:
    """'October 1, 2026', or that the date was not given."""
    if day is None:
        return "date not given"
    return f"{_MONTHS[day.month - 1]} {day.day}, {day.year}"


def standing_fill(state: DomainState | None, level: Level | None) -> Any:
    """The background colour of a domain's standing (a word is always printed on it)."""
    if state is DomainState.RATED and level is not None:
        return st.LEVEL_FILLS[level]
    return STATE_FILLS.get(state, colors.white) if state is not None else colors.white


def fit(text: str, width: float, font: str, size: float) -> str:
    """Cut text to a width, ending it with an ellipsis."""
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def table(
    rows: list[list[Any]],
    widths: list[float],
    *,
    header: bool = True,
    accent: Any = st.ACCENT,
    extra: Iterable[tuple[Any, ...]] = (),
) -> Table:
    """A table of Paragraph cells that repeats its header row and may split inside a row."""
    t = Table(rows, colWidths=widths, repeatRows=1 if header else 0, splitInRow=1, hAlign="LEFT")
    style: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), st.FONT),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, st.RULE),
    ]
    if header:
        style += [
            ("BACKGROUND", (0, 0), (-1, 0), st.HEAD_FILL),
            ("LINEBELOW", (0, 0), (-1, 0), 0.8, accent),
        ]
    t.setStyle(TableStyle([*style, *extra]))
    return t


def heading(text: str, style: Any, key: str, level: int = 0) -> Paragraph:
    """A heading that documents of this package also put in the PDF outline."""
    para = Paragraph(esc(text), style)
    para.outline = (st.printable(text), key, level)  # type: ignore[attr-defined]
    return para


class NumberedCanvas(Canvas):
    """Holds pages back until the end so that each can say "Page x of y".

    The PDF's dates and file ID come from ``pdf_date``, never the clock, so that the same input
    gives the same bytes. Bookmarks are held back with their page.
    """

    def __init__(self, *args: Any, pdf_date: date, footer_right: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        stamp = f"D:{pdf_date:%Y%m%d}000000+00'00'"
        self.setDateFormatter(lambda *_: stamp)
        self._doc.signature = hashlib.md5(stamp.encode(), usedforsecurity=False)
        self._held_pages: list[dict[str, Any]] = []
        self._held_marks: list[tuple[str, dict[str, Any]]] = []
        self._footer_right = footer_right

    def bookmarkPage(self, key: str, **kw: Any) -> None:  # type: ignore[override]
        self._held_marks.append((key, kw))

    def showPage(self) -> None:
        self._held_pages.append(dict(self.__dict__))
        self._held_marks = []
        self._startPage()

    def save(self) -> None:
        total = len(self._held_pages)
        for number, state in enumerate(self._held_pages, start=1):
            self.__dict__.update(state)
            for key, kw in state["_held_marks"]:
                Canvas.bookmarkPage(self, key, **kw)
            width, _ = self._pagesize
            self.saveState()
            self.setFont(st.FONT, 7)
            self.setFillColor(st.MUTED)
            self.drawRightString(
                width - self._footer_right, st.FOOTER_BASELINE, f"Page {number} of {total}"
            )
            self.restoreState()
            Canvas.showPage(self)
        Canvas.save(self)
