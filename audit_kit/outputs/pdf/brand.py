"""A consultancy's brand on a PDF: in the page header and footer, and as a block on a cover."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Image, Paragraph, Table, TableStyle

from audit_kit.model.brand import Brand
from audit_kit.outputs.pdf import styles as st
from audit_kit.outputs.pdf.blocks import esc, fit

HEADER_LOGO_HEIGHT = 6 * mm
COVER_LOGO_HEIGHT = 14 * mm
NAME_SIZE = 8


def accent(brand: Brand | None) -> Any:
    """The brand's accent colour, or the report's own."""
    return colors.HexColor(brand.accent) if brand and brand.accent else st.ACCENT


@cache
def _logo(path: Path) -> tuple[ImageReader, float]:
    """The logo, read once per process, and its width over its height."""
    reader = ImageReader(str(path))
    width, height = reader.getSize()
    return reader, width / height


def logo_size(brand: Brand, height: float, max_width: float) -> tuple[float, float]:
    """Width and height of the logo drawn at most ``height`` high and ``max_width`` wide."""
    if brand.logo is None:
        return 0.0, 0.0
    _, ratio = _logo(brand.logo)
    width = min(height * ratio, max_width)
    return width, width / ratio


def draw_brand_header(
    canvas: Canvas, brand: Brand, x: float, baseline: float, max_width: float
) -> float:
    """Draw the logo and the consultancy's name from ``x`` along a header line; return the width
    used. The logo sits on the baseline, at most 6 mm high and a third of ``max_width`` wide."""
    used = 0.0
    canvas.saveState()
    if brand.logo is not None:
        width, height = logo_size(brand, HEADER_LOGO_HEIGHT, max_width / 3)
        reader, _ = _logo(brand.logo)
        canvas.drawImage(reader, x, baseline - 1.5, width, height, mask="auto")
        used = width + 2 * mm
    canvas.setFont(st.FONT_BOLD, NAME_SIZE)
    canvas.setFillColor(accent(brand))
    name = fit(st.printable(brand.name), max_width - used, True, NAME_SIZE)
    canvas.drawString(x + used, baseline, name)
    used += stringWidth(name, st.FONT_BOLD, NAME_SIZE)
    canvas.restoreState()
    return used


def draw_brand_footer(
    canvas: Canvas, brand: Brand, x: float, baseline: float, max_width: float
) -> None:
    """Draw 'Prepared by <name> · <contact>' along a footer line from ``x``."""
    text = f"Prepared by {brand.name}" + (f" · {brand.contact}" if brand.contact else "")
    canvas.saveState()
    canvas.setFont(st.FONT, 7)
    canvas.setFillColor(st.MUTED)
    canvas.drawString(x, baseline, fit(st.printable(text), max_width, False, 7))
    canvas.restoreState()


def brand_block(brand: Brand, styles: Any, width: float) -> list[Flowable]:
    """'Prepared by' with the logo, the name and the contact line, for a cover page."""
    lines = f"<font color='{st.MUTED_HEX}'>Prepared by</font><br/><b>{esc(brand.name)}</b>"
    if brand.contact:
        lines += f"<br/>{esc(brand.contact)}"
    text = Paragraph(lines, styles["Body"])
    cells: list[Any] = [text]
    widths = [width]
    if brand.logo is not None:
        logo_w, logo_h = logo_size(brand, COVER_LOGO_HEIGHT, width / 3)
        image = Image(str(brand.logo), width=logo_w, height=logo_h)
        cells = [image, text]
        widths = [logo_w + 4 * mm, width - logo_w - 4 * mm]
    block = Table([cells], colWidths=widths, hAlign="LEFT")
    block.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
                ("LINEBELOW", (0, 0), (-1, 0), 1.2, accent(brand)),
            ]
        )
    )
    return [block]
