"""The document around the story: page templates, running header and footer, "Page x of y"."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from functools import partial
from io import BytesIO
from typing import Any

from reportlab.lib import colors
from reportlab.lib.colors import Color
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate

from audit_kit import __version__
from audit_kit.model.brand import Brand
from audit_kit.outputs.pdf import styles as st
from audit_kit.outputs.pdf.blocks import REPORT_NAME, Report, fit, long_date
from audit_kit.outputs.pdf.brand import accent, draw_brand_header

_DRAFT_MARK = "DRAFT"


def lay_out(report: Report, story: list[Flowable]) -> tuple[bytes, int]:
    """Lay the story out on pages: the PDF and its number of pages."""
    buffer = BytesIO()
    doc = _ReportDoc(buffer, report)
    with _plain_streams():
        doc.build(
            story,
            canvasmaker=partial(
                # no date given: a fixed stamp, so that the same input still gives the same bytes
                NumberedCanvas,
                pdf_date=report.result.assessment_date or date(2000, 1, 1),
            ),
        )
    return buffer.getvalue(), doc.page


@contextmanager
def _plain_streams() -> Iterator[None]:
    """Compressed streams without reportlab's extra ASCII85 layer, for this build only.

    ASCII85 makes the file a quarter larger and, without reportlab's optional C accelerator,
    is slow pure Python. reportlab reads the switch only from its global configuration, so it
    is set for the build and always put back.
    """
    from reportlab import rl_config

    saved = rl_config.useA85
    rl_config.useA85 = 0
    try:
        yield
    finally:
        rl_config.useA85 = saved


def page_options() -> dict[str, Any]:
    """The page, margins and PDF settings every document of audit-kit shares."""
    return {
        "pagesize": st.PAGE,
        "leftMargin": st.MARGIN_LEFT,
        "rightMargin": st.MARGIN_RIGHT,
        "topMargin": st.MARGIN_TOP,
        "bottomMargin": st.MARGIN_BOTTOM,
        "creator": f"audit-kit {__version__}",
        "producer": f"audit-kit {__version__} (ReportLab)",
        "invariant": 1,
        "initialFontName": st.FONT,
        "lang": "en-US",
        "displayDocTitle": 1,
    }


def body_frame(name: str) -> Frame:
    """The text area of a page, within the shared margins."""
    return Frame(
        st.MARGIN_LEFT,
        st.MARGIN_BOTTOM,
        st.CONTENT_WIDTH,
        st.FRAME_HEIGHT,
        id=name,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )


class _ReportDoc(BaseDocTemplate):
    """Two page templates (page 1 and the rest) and an outline entry per heading."""

    def __init__(self, buffer: BytesIO, report: Report) -> None:
        r = report.result
        program = st.printable(r.program.display_name)
        day = r.assessment_date.isoformat() if r.assessment_date else "undated"
        draft = " (draft)" if report.draft else ""
        super().__init__(
            buffer,
            title=f"{REPORT_NAME}: {program}, {day}{draft}",
            author=st.printable(r.assessor) or program,
            subject=(
                f"Self-assessment of {program} with {st.printable(r.instrument_title)} "
                f"({st.printable(r.instrument_id)} {st.printable(r.instrument_version)}); "
                f"answers SHA-256 {report.fingerprint}"
            ),
            keywords=["self-assessment", "gap report", st.printable(r.instrument_id)],
            **page_options(),
        )
        self.furniture = Furniture(
            header_left=program,
            header_right=f"{REPORT_NAME} · {long_date(r.assessment_date)}",
            footer_left=st.printable(r.instrument_title),
            footer_tail=(
                f", version {st.printable(r.instrument_version)}"
                + (" · full report" if report.full else "")
            ),
            draft=report.draft,
            brand=report.brand,
            accent=accent(report.brand),
        )
        frame = body_frame("body")
        self.addPageTemplates(
            [
                PageTemplate(
                    "first", [frame], onPage=self.furniture.first, autoNextPageTemplate="page"
                ),
                PageTemplate("page", [frame], onPage=self.furniture.page),
            ]
        )

    def afterFlowable(self, flowable: Flowable) -> None:
        """Bookmark each heading that carries an outline entry, at its place on the page."""
        entry = getattr(flowable, "outline", None)
        if entry is None:
            return
        title, key, level = entry
        top = self.frame._y + flowable.height + 8
        self.canv.bookmarkPage(key, fit="XYZ", left=0, top=top)
        self.canv.addOutlineEntry(title, key, level=level, closed=level > 0)


@dataclass(frozen=True)
class Furniture:
    """What every page carries around the text: header, footer, the draft mark.

    NumberedCanvas adds "Page x of y" once the total is known. With a consultancy's brand, its
    logo and name open the running header and its accent colours page 1's band.
    """

    header_left: str
    header_right: str
    footer_left: str
    footer_tail: str = ""  # printed whole after footer_left, which is cut to fit
    draft: bool = False
    brand: Brand | None = None
    accent: Color = st.ACCENT

    def first(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        """Page 1: a band across the top instead of the running header."""
        self._band(canvas)
        canvas.showOutline()
        self._footer(canvas)

    def page(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        """Every later page: the running header."""
        width, height = canvas._pagesize
        canvas.saveState()
        y = height - st.HEADER_BASELINE
        size = st.FURNITURE_SIZE
        canvas.setFont(st.FONT, size)
        canvas.setFillColor(st.MUTED)
        right_w = stringWidth(self.header_right, st.FONT, size)
        x = st.MARGIN_LEFT
        if self.draft:
            x += self._draft_badge(canvas, y) + 6
        if self.brand is not None:
            room = (width - st.MARGIN_RIGHT - right_w - 12 - x) / 2
            x += draw_brand_header(canvas, self.brand, x, y, room) + 8
            canvas.setFont(st.FONT, size)
            canvas.setFillColor(st.MUTED)
        room = width - st.MARGIN_RIGHT - right_w - 12 - x
        canvas.drawString(x, y, fit(self.header_left, room, False, size))
        canvas.drawRightString(width - st.MARGIN_RIGHT, y, self.header_right)
        canvas.setStrokeColor(st.RULE)
        canvas.setLineWidth(0.5)
        canvas.line(st.MARGIN_LEFT, y - 4, width - st.MARGIN_RIGHT, y - 4)
        canvas.restoreState()
        self._footer(canvas)

    def _band(self, canvas: Canvas) -> None:
        width, height = canvas._pagesize
        canvas.saveState()
        canvas.setFillColor(self.accent)
        canvas.rect(0, height - 9 * mm, width, 9 * mm, stroke=0, fill=1)
        if self.draft:
            canvas.setFillColor(colors.white)
            canvas.setFont(st.FONT_BOLD, 10)
            canvas.drawString(st.MARGIN_LEFT, height - 6 * mm, _DRAFT_MARK)
        canvas.restoreState()

    def _draft_badge(self, canvas: Canvas, y: float) -> float:
        """The draft mark at the left of the header; returns its width."""
        size = st.FURNITURE_SIZE + 1
        text_w = stringWidth(_DRAFT_MARK, st.FONT_BOLD, size)
        canvas.setFillColor(st.DRAFT)
        canvas.roundRect(st.MARGIN_LEFT, y - 3, text_w + 8, size + 4, 2, stroke=0, fill=1)
        canvas.setFillColor(colors.white)
        canvas.setFont(st.FONT_BOLD, size)
        canvas.drawString(st.MARGIN_LEFT + 4, y, _DRAFT_MARK)
        canvas.setFont(st.FONT, st.FURNITURE_SIZE)
        canvas.setFillColor(st.MUTED)
        return text_w + 8

    def _footer(self, canvas: Canvas) -> None:
        width, _ = canvas._pagesize
        canvas.saveState()
        y = st.FOOTER_BASELINE
        canvas.setStrokeColor(st.RULE)
        canvas.setLineWidth(0.5)
        canvas.line(st.MARGIN_LEFT, y + 9, width - st.MARGIN_RIGHT, y + 9)
        canvas.setFont(st.FONT, st.FURNITURE_SIZE)
        canvas.setFillColor(st.MUTED)
        size = st.FURNITURE_SIZE
        room = width - st.MARGIN_LEFT - st.MARGIN_RIGHT - 80
        room -= stringWidth(self.footer_tail, st.FONT, size)
        footer = fit(self.footer_left, room, False, size, words=True) + self.footer_tail
        canvas.drawString(st.MARGIN_LEFT, y, footer)
        canvas.restoreState()


class NumberedCanvas(Canvas):
    """Holds pages back until the end so that each can say "Page x of y".

    Bookmarks are held back with their page: a bookmark points at the page being written,
    which is only known once the page is really emitted.
    """

    def __init__(self, *args: Any, pdf_date: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        stamp = f"D:{pdf_date:%Y%m%d}000000+00'00'"
        # the PDF's creation date is the assessment's, never the clock's
        self.setDateFormatter(lambda *_: stamp)
        # reportlab seeds the file ID with a timestamp, SOURCE_DATE_EPOCH when that is set;
        # seed it with the assessment date, so that the bytes depend on the input alone
        self._doc.signature = hashlib.md5(stamp.encode(), usedforsecurity=False)
        self._held_pages: list[dict[str, Any]] = []
        self._held_marks: list[tuple[str, dict[str, Any]]] = []

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
            self.setFont(st.FONT, st.FURNITURE_SIZE)
            self.setFillColor(st.MUTED)
            self.drawRightString(
                width - st.MARGIN_RIGHT, st.FOOTER_BASELINE, f"Page {number} of {total}"
            )
            self.restoreState()
            Canvas.showPage(self)
        Canvas.save(self)
