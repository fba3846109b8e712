"""Look of the PDF report: embedded fonts, colours, page geometry in mm and one named stylesheet."""

from __future__ import annotations

import unicodedata
from functools import cache
from pathlib import Path

import reportlab
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import LETTER, landscape
from reportlab.lib.styles import ParagraphStyle, StyleSheet1
from reportlab.lib.units import mm

from audit_kit.model.vocab import Level

# Bitstream Vera ships inside reportlab, so the report needs no system font; it covers
# Spanish, ≥, curly quotes and dashes. Every face is embedded as a subset.
FONT_DIR = Path(reportlab.__file__).parent / "fonts"
FONT = "AuditKitVera"
FONT_BOLD = "AuditKitVera-Bold"
FONT_ITALIC = "AuditKitVera-Italic"
FONT_BOLD_ITALIC = "AuditKitVera-BoldItalic"
_FACES = {
    FONT: "Vera.ttf",
    FONT_BOLD: "VeraBd.ttf",
    FONT_ITALIC: "VeraIt.ttf",
    FONT_BOLD_ITALIC: "VeraBI.ttf",
}

# Page geometry. US Letter: the sources and most readers of the report are in the US.
PAGE = LETTER
PAGE_LANDSCAPE = landscape(LETTER)
MARGIN_LEFT = 18 * mm
MARGIN_RIGHT = 18 * mm
MARGIN_TOP = 24 * mm
MARGIN_BOTTOM = 20 * mm
HEADER_BASELINE = 13 * mm  # from the top edge
FOOTER_BASELINE = 10 * mm  # from the bottom edge
CONTENT_WIDTH = PAGE[0] - MARGIN_LEFT - MARGIN_RIGHT
CONTENT_WIDTH_LANDSCAPE = PAGE_LANDSCAPE[0] - MARGIN_LEFT - MARGIN_RIGHT
FRAME_HEIGHT = PAGE[1] - MARGIN_TOP - MARGIN_BOTTOM
FRAME_HEIGHT_LANDSCAPE = PAGE_LANDSCAPE[1] - MARGIN_TOP - MARGIN_BOTTOM

# Colours. Every colour doubles a word that is printed next to it; none carries meaning alone.
INK = colors.HexColor("#1F2933")
MUTED_HEX = "#52606D"
MUTED = colors.HexColor(MUTED_HEX)
ACCENT = colors.HexColor("#0B4F6C")
ACCENT_LIGHT = colors.HexColor("#8DBCD0")
RULE = colors.HexColor("#BCC5CE")
HEAD_FILL = colors.HexColor("#E3ECF2")
ZEBRA = colors.HexColor("#F6F8FA")
CRITICAL_HEX = "#A61B1B"  # also used inside paragraph markup
CRITICAL = colors.HexColor(CRITICAL_HEX)
CRITICAL_FILL = colors.HexColor("#FBE3E3")
CAPABLE_LINE = colors.HexColor("#2E7D32")
ENHANCED_LINE = colors.HexColor("#1A4E9A")
NO_LEVEL_FILL = colors.HexColor("#E6E9EC")
LEVEL_FILLS = {
    Level.NOT_YET_CAPABLE: colors.HexColor("#F6D5D5"),
    Level.EMERGING: colors.HexColor("#FBE7C2"),
    Level.CAPABLE: colors.HexColor("#D6EDD8"),
    Level.ENHANCED: colors.HexColor("#D2E4F6"),
}

BODY_SIZE = 9.5
SMALL_SIZE = 8


@cache
def register_fonts() -> frozenset[int]:
    """Register the Vera faces as one family (once per process); return the code points covered."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    fonts = {name: TTFont(name, str(FONT_DIR / file)) for name, file in _FACES.items()}
    for font in fonts.values():
        pdfmetrics.registerFont(font)
    pdfmetrics.registerFontFamily(
        FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_ITALIC, boldItalic=FONT_BOLD_ITALIC
    )
    covered = set(fonts[FONT].face.charToGlyph)
    for font in fonts.values():
        covered &= set(font.face.charToGlyph)
    return frozenset(covered)


def printable(text: str) -> str:
    """Text the embedded font can draw: NFC, no control characters, unknown glyphs as '?'.

    Newlines and tabs are kept (callers decide how to break lines); other spaces become a
    plain space and invisible format characters (zero-width space, direction marks) go.
    """
    if text.isascii() and text.isprintable():
        return text  # the common case, and every ASCII printable is in the font
    covered = register_fonts()
    out: list[str] = []
    for ch in unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n")):
        if ch in "\n\t" or ord(ch) in covered:
            out.append(ch)
            continue
        category = unicodedata.category(ch)
        if category == "Zs" or category in ("Zl", "Zp"):
            out.append(" " if category == "Zs" else "\n")
        elif category in ("Cc", "Cf", "Cs", "Co", "Cn", "Mn", "Me"):
            continue
        else:
            out.append("?")
    return "".join(out)


def build_styles() -> StyleSheet1:
    """The report's one stylesheet; every paragraph style the renderer uses is named here."""
    register_fonts()
    sheet = StyleSheet1()
    base = ParagraphStyle(
        "Body",
        fontName=FONT,
        fontSize=BODY_SIZE,
        leading=BODY_SIZE * 1.35,
        textColor=INK,
        alignment=TA_LEFT,
        spaceAfter=5,
        splitLongWords=1,
    )
    sheet.add(base)

    def add(name: str, **kw: object) -> None:
        parent = kw.pop("parent", base)
        sheet.add(ParagraphStyle(name, parent=parent, **kw))  # type: ignore[arg-type]

    add("BodyTight", spaceAfter=1)
    add("Small", fontSize=SMALL_SIZE, leading=SMALL_SIZE * 1.3, spaceAfter=2)
    add("Fineprint", fontSize=7, leading=9, textColor=MUTED, spaceAfter=2)
    add("Bullet", leftIndent=10, bulletIndent=0, spaceAfter=2, bulletFontName=FONT)
    add("SmallBullet", parent=sheet["Small"], leftIndent=9, bulletIndent=0, bulletFontName=FONT)
    add("Kicker", fontName=FONT_BOLD, fontSize=9, leading=12, textColor=ACCENT, spaceAfter=6)
    add("CoverTitle", fontName=FONT_BOLD, fontSize=24, leading=29, textColor=INK, spaceAfter=8)
    add("CoverSubtitle", fontSize=13, leading=17, textColor=ACCENT, spaceAfter=18)
    add(
        "H1",
        fontName=FONT_BOLD,
        fontSize=16,
        leading=20,
        textColor=ACCENT,
        spaceBefore=0,
        spaceAfter=8,
        keepWithNext=1,
    )
    add(
        "H2",
        fontName=FONT_BOLD,
        fontSize=12,
        leading=15,
        textColor=INK,
        spaceBefore=10,
        spaceAfter=5,
        keepWithNext=1,
    )
    # before a long table: keeping the two together would push the whole table to a new page
    add("H2Table", parent=sheet["H2"], keepWithNext=0)
    add(
        "H3",
        fontName=FONT_BOLD,
        fontSize=10,
        leading=13,
        textColor=INK,
        spaceBefore=7,
        spaceAfter=3,
        keepWithNext=1,
    )
    add("Cell", fontSize=SMALL_SIZE, leading=SMALL_SIZE * 1.28, spaceAfter=0)
    add("CellBold", parent=sheet["Cell"], fontName=FONT_BOLD)
    add("PlanCell", parent=sheet["Cell"], fontSize=7.5, leading=9.4)
    add("CellRight", parent=sheet["Cell"], alignment=TA_RIGHT)
    add("CellCenter", parent=sheet["Cell"], alignment=TA_CENTER)
    add("CellHead", parent=sheet["Cell"], fontName=FONT_BOLD, textColor=INK)
    add("CellHeadRight", parent=sheet["CellHead"], alignment=TA_RIGHT)
    add("CellMuted", parent=sheet["Cell"], textColor=MUTED)
    add("CellCritical", parent=sheet["Cell"], fontName=FONT_BOLD, textColor=CRITICAL)
    add(
        "Label", fontName=FONT_BOLD, fontSize=SMALL_SIZE, leading=SMALL_SIZE * 1.28, textColor=MUTED
    )
    add("Fact", fontSize=10, leading=13.5, spaceAfter=0)
    add("FactLabel", fontName=FONT_BOLD, fontSize=9, leading=13.5, textColor=MUTED, spaceAfter=0)
    add(
        "Fingerprint",
        fontSize=8.5,
        leading=12,
        spaceAfter=0,
        textColor=INK,
    )
    add("Critical", fontName=FONT_BOLD, textColor=CRITICAL, spaceAfter=2)
    add("Notice", fontSize=8.5, leading=11.5, textColor=MUTED, spaceAfter=4)
    add("Reference", fontSize=8.5, leading=11.5, leftIndent=14, firstLineIndent=-14, spaceAfter=4)
    return sheet
