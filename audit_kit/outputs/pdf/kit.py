"""PDF helpers the progress page and the portfolio share: state colours, tables, outline headings.

Escaping, dates, cutting labels to a width and the page-numbering canvas are the report's own
(blocks.py and document.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from reportlab.lib import colors
from reportlab.platypus import Paragraph, Table, TableStyle

from audit_kit.model.vocab import DomainState, Level
from audit_kit.outputs.pdf import styles as st
from audit_kit.outputs.pdf.blocks import esc

STATE_FILLS = {
    DomainState.CAPPED: st.LEVEL_FILLS[Level.NOT_YET_CAPABLE],
    DomainState.INSUFFICIENT_EVIDENCE: st.NO_LEVEL_FILL,
    DomainState.NOT_APPLICABLE: colors.white,
}


def arrow() -> str:
    """'→' where the embedded font has it, else 'to' (Vera has no arrows)."""
    return "→" if ord("→") in st.register_fonts() else "to"


def standing_fill(state: DomainState | None, level: Level | None) -> Any:
    """The background colour of a domain's standing (a word is always printed on it)."""
    if state is DomainState.RATED and level is not None:
        return st.LEVEL_FILLS[level]
    return STATE_FILLS.get(state, colors.white) if state is not None else colors.white


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
