"""Look of the PDF report: embedded fonts, colours, page geometry in mm and one named stylesheet."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import reportlab
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle, StyleSheet1
from reportlab.lib.units import mm

from audit_kit.model.vocab import Level
from audit_kit.outputs.wording import number

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
MARGIN_LEFT = 16 * mm
MARGIN_RIGHT = 16 * mm
MARGIN_TOP = 19 * mm
MARGIN_BOTTOM = 16 * mm
HEADER_BASELINE = 11 * mm  # from the top edge
FOOTER_BASELINE = 8.5 * mm  # from the bottom edge
CONTENT_WIDTH = PAGE[0] - MARGIN_LEFT - MARGIN_RIGHT
FRAME_HEIGHT = PAGE[1] - MARGIN_TOP - MARGIN_BOTTOM

# Colours. Every colour doubles a word that is printed next to it; none carries meaning alone.
INK = colors.HexColor("#1F2933")
MUTED_HEX = "#52606D"
MUTED = colors.HexColor(MUTED_HEX)
ACCENT = colors.HexColor("#0B4F6C")
RULE = colors.HexColor("#BCC5CE")
HEAD_FILL = colors.HexColor("#E3ECF2")
ZEBRA = colors.HexColor("#F6F8FA")
CRITICAL_HEX = "#A61B1B"  # also used inside paragraph markup
CRITICAL = colors.HexColor(CRITICAL_HEX)
CRITICAL_FILL = colors.HexColor("#FBE3E3")
DRAFT = colors.HexColor("#B4530F")
DRAFT_FILL = colors.HexColor("#FDF0E1")
CAPABLE_LINE = colors.HexColor("#2E7D32")
ENHANCED_LINE = colors.HexColor("#1A4E9A")
NO_LEVEL_FILL = colors.HexColor("#E6E9EC")
# pale fills behind words (tables), and stronger ones for the chart's bars
LEVEL_FILLS = {
    Level.NOT_YET_CAPABLE: colors.HexColor("#F6D5D5"),
    Level.EMERGING: colors.HexColor("#FBE7C2"),
    Level.CAPABLE: colors.HexColor("#D6EDD8"),
    Level.ENHANCED: colors.HexColor("#D2E4F6"),
}
LEVEL_BARS = {
    Level.NOT_YET_CAPABLE: colors.HexColor("#C0504D"),
    Level.EMERGING: colors.HexColor("#E3A33B"),
    Level.CAPABLE: colors.HexColor("#5A9E5E"),
    Level.ENHANCED: colors.HexColor("#3F74B8"),
}
CRITICAL_BAR = colors.HexColor("#8E1B1B")
NO_LEVEL_BAR = colors.HexColor("#9AA5B1")

# Type sizes: body text never under 9.5 pt, tables and the chart never under 8.5 pt.
BODY_SIZE = 9.5
TABLE_SIZE = 9
SMALL_TABLE_SIZE = 8.5
FURNITURE_SIZE = 8


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


#: What stands in for a character the embedded font cannot draw: visible, and unlike any
#: character a person would type in a note (a '?' would read as punctuation).
PLACEHOLDER = "\u25ca"  # ◊ LOZENGE, which Vera has
_SILENT = ("Cc", "Cf")  # control and invisible format characters (zero-width space, marks)


def printable(text: str) -> str:
    """Text the embedded font can draw: NFC, no control characters, unknown glyphs as ◊.

    Newlines and tabs are kept (callers decide how to break lines); other spaces become a
    plain space and invisible format characters (zero-width space, direction marks) go.
    Every other character the font lacks becomes PLACEHOLDER; ``undrawable`` names them.
    """
    return _scan(text)[0]


def undrawable(text: str) -> list[str]:
    """The distinct characters of ``text`` that the report shows as PLACEHOLDER, in order."""
    return list(dict.fromkeys(_scan(text)[1]))


@cache
def _unusual() -> re.Pattern[str]:
    """Any character the font lacks, and any line break or space that is not plain."""
    drawable = "".join(
        re.escape(chr(c)) for c in sorted(register_fonts()) if not chr(c).isspace() or c == 32
    )
    return re.compile(f"[^{drawable}\n\t]")


def _scan(text: str) -> tuple[str, list[str]]:
    if text.isascii() and text.isprintable():
        return text, []  # the common case, and every ASCII printable is in the font
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    if not _unusual().search(text):
        return text, []  # curly quotes, dashes, accents: all in the font
    covered = register_fonts()
    out: list[str] = []
    missing: list[str] = []
    for ch in text:
        if ch in "\n\t" or ord(ch) in covered:
            out.append(ch)
            continue
        category = unicodedata.category(ch)
        if category in ("Zs", "Zl", "Zp"):
            out.append(" " if category == "Zs" else "\n")
        elif category not in _SILENT:
            out.append(PLACEHOLDER)
            missing.append(ch)
    return "".join(out), missing


def build_styles() -> StyleSheet1:
    """The report's one stylesheet; every paragraph style the renderer uses is named here."""
    register_fonts()
    sheet = StyleSheet1()
    base = ParagraphStyle(
        "Body",
        fontName=FONT,
        fontSize=BODY_SIZE,
        leading=13,
        textColor=INK,
        alignment=TA_LEFT,
        spaceAfter=5,
        splitLongWords=1,
        spaceShrinkage=0,
    )
    sheet.add(base)

    def add(name: str, **kw: object) -> None:
        parent = kw.pop("parent", base)
        sheet.add(ParagraphStyle(name, parent=parent, **kw))  # type: ignore[arg-type]

    add("BodyTight", spaceAfter=1)
    add("Muted", textColor=MUTED)
    add("Notice", fontSize=TABLE_SIZE, leading=11.5, textColor=MUTED, spaceAfter=4)
    add("Bullet", leftIndent=11, bulletIndent=0, spaceAfter=3, bulletFontName=FONT)
    add(
        "Kicker", fontName=FONT_BOLD, fontSize=BODY_SIZE, leading=12, textColor=ACCENT, spaceAfter=4
    )
    add("CoverTitle", fontName=FONT_BOLD, fontSize=18, leading=22, textColor=INK, spaceAfter=4)
    add("CoverLine", textColor=MUTED, spaceAfter=2)
    add(
        "H1",
        fontName=FONT_BOLD,
        fontSize=15,
        leading=19,
        textColor=ACCENT,
        spaceBefore=0,
        spaceAfter=6,
        keepWithNext=1,
    )
    add(
        "H2",
        fontName=FONT_BOLD,
        fontSize=12,
        leading=15,
        textColor=INK,
        spaceBefore=9,
        spaceAfter=4,
        keepWithNext=1,
    )
    add(
        "H3",
        fontName=FONT_BOLD,
        fontSize=BODY_SIZE,
        leading=12,
        textColor=INK,
        spaceBefore=5,
        spaceAfter=2,
        keepWithNext=0,  # callers keep it with what follows by a conditional page break
    )
    # before a long table: keeping the two together would push the whole table to a new page
    add("H2Table", parent=sheet["H2"], keepWithNext=0)
    add("Cell", fontSize=TABLE_SIZE, leading=11.2, spaceAfter=0)
    add("Entry", parent=sheet["Cell"], fontSize=SMALL_TABLE_SIZE, leading=10.2)
    add("CellBold", parent=sheet["Cell"], fontName=FONT_BOLD)
    add("CellRight", parent=sheet["Cell"], alignment=TA_RIGHT)
    add("CellCenter", parent=sheet["Cell"], alignment=TA_CENTER)
    add("CellHead", parent=sheet["Cell"], fontName=FONT_BOLD, textColor=INK)
    add("CellHeadRight", parent=sheet["CellHead"], alignment=TA_RIGHT)
    add("CellCritical", parent=sheet["Cell"], fontName=FONT_BOLD, textColor=CRITICAL)
    add("CellMuted", parent=sheet["Cell"], textColor=MUTED)
    add("CellSmall", parent=sheet["Cell"], fontSize=SMALL_TABLE_SIZE, leading=10.8)
    add(
        "Reference",
        parent=sheet["CellSmall"],
        leftIndent=12,
        firstLineIndent=-12,
        spaceAfter=2,
        allowWidows=0,
        allowOrphans=0,
    )
    add("Fingerprint", parent=sheet["Cell"], fontName=FONT, fontSize=TABLE_SIZE, leading=12)
    return sheet


def font_warnings(fields: Iterable[tuple[str, str | None]]) -> list[str]:
    """One warning per field that has characters the font cannot draw, naming them."""
    warnings = []
    for where, text in fields:
        missing = undrawable(text) if text else []
        if not missing:
            continue
        shown = ", ".join(f"{ch} (U+{ord(ch):04X})" for ch in missing[:5])
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        noun = number(len(missing), "character")
        warnings.append(
            f"{where}: the report's font cannot draw the {noun} {shown}{more}; "
            f"the report shows {PLACEHOLDER} in their place"
        )
    return warnings
