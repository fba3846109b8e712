"""The portfolio report's document: one page template with the brand in header and footer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import partial
from io import BytesIO
from typing import TYPE_CHECKING, Any

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, PageTemplate

from audit_kit import __version__
from audit_kit.outputs.pdf import styles as st
from audit_kit.outputs.pdf.blocks import fit
from audit_kit.outputs.pdf.brand import accent, draw_brand_footer, draw_brand_header
from audit_kit.outputs.pdf.document import NumberedCanvas, body_frame, page_options

if TYPE_CHECKING:
    from audit_kit.model.brand import Brand
    from audit_kit.model.instrument import Instrument
    from audit_kit.model.portfolio import ProgramRow

TITLE = "Portfolio overview"
PAGE_NUMBER_ROOM = 22 * mm


def render_portfolio(
    rows: list[ProgramRow],
    instruments: dict[str, Instrument],
    *,
    brand: Brand | None = None,
    compared: bool = False,
) -> bytes:
    """The portfolio report (PDF bytes): levels per domain, programs with critical findings
    first, the most frequent gaps with their recommendations, the change since last time
    (``compared``), and the files that failed. The same rows and brand give the same bytes."""
    from audit_kit.outputs.portfolio.parts import Portfolio, story

    latest = max((r.assessment_date for r in rows if r.assessment_date), default=None)
    portfolio = Portfolio(
        rows=rows,
        instruments=instruments,
        brand=brand,
        compared=compared,
        styles=st.build_styles(),
        accent=accent(brand),
        latest=latest,
    )
    buffer = BytesIO()
    doc = _Doc(buffer, brand, latest)
    doc.build(
        story(portfolio),
        canvasmaker=partial(NumberedCanvas, pdf_date=latest or date(2000, 1, 1)),
    )
    return buffer.getvalue()


@dataclass(frozen=True)
class _Furniture:
    brand: Brand | None
    right: str

    def page(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        width, height = canvas._pagesize
        room = width - st.MARGIN_LEFT - st.MARGIN_RIGHT
        y = height - st.HEADER_BASELINE
        right_w = stringWidth(self.right, st.FONT, 7.5)
        canvas.saveState()
        canvas.setFont(st.FONT, 7.5)
        canvas.setFillColor(st.MUTED)
        canvas.drawRightString(width - st.MARGIN_RIGHT, y, self.right)
        if self.brand is not None:
            draw_brand_header(canvas, self.brand, st.MARGIN_LEFT, y, room - right_w - 12)
        else:
            canvas.drawString(st.MARGIN_LEFT, y, f"audit-kit {__version__}")
        canvas.setStrokeColor(accent(self.brand))
        canvas.setLineWidth(0.6)
        canvas.line(st.MARGIN_LEFT, y - 3.5, width - st.MARGIN_RIGHT, y - 3.5)
        canvas.setStrokeColor(st.RULE)
        canvas.setLineWidth(0.5)
        canvas.line(
            st.MARGIN_LEFT, st.FOOTER_BASELINE + 8, width - st.MARGIN_RIGHT, st.FOOTER_BASELINE + 8
        )
        footer_room = room - PAGE_NUMBER_ROOM
        if self.brand is not None:
            draw_brand_footer(canvas, self.brand, st.MARGIN_LEFT, st.FOOTER_BASELINE, footer_room)
        else:
            canvas.setFont(st.FONT, 7)
            text = "Self-assessments for quality improvement, not accreditation decisions."
            canvas.drawString(st.MARGIN_LEFT, st.FOOTER_BASELINE, fit(text, footer_room, False, 7))
        canvas.restoreState()


class _Doc(BaseDocTemplate):
    """Portrait pages; each heading with an outline entry becomes a bookmark."""

    def __init__(self, buffer: BytesIO, brand: Brand | None, latest: date | None) -> None:
        by = brand.name if brand else f"audit-kit {__version__}"
        super().__init__(
            buffer,
            title=f"{TITLE}" + (f", {latest.isoformat()}" if latest else ""),
            author=st.printable(by),
            subject="Self-assessments of addiction-treatment programs, side by side",
            **page_options(),
        )
        right = TITLE + (f" · latest assessment {latest.isoformat()}" if latest else "")
        furniture = _Furniture(brand, right)
        frame = body_frame("portrait")
        self.addPageTemplates([PageTemplate("portrait", [frame], onPage=furniture.page)])

    def afterFlowable(self, flowable: Flowable) -> None:
        """Bookmark each heading that carries an outline entry."""
        entry: Any = getattr(flowable, "outline", None)
        if entry is None:
            return
        title, key, level = entry
        self.canv.bookmarkPage(key, fit="XYZ", left=0, top=self.frame._y + flowable.height + 8)
        self.canv.addOutlineEntry(title, key, level=level, closed=level > 0)
