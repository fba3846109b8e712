"""Write the Guide sheet: every item in full — what its answers mean and the evidence to look
at — to read beside the compact item sheets, and to print."""

from __future__ import annotations

from typing import TYPE_CHECKING

from audit_kit.formats.xlsx import layout as lay
from audit_kit.formats.xlsx.template import styles as st
from audit_kit.formats.xlsx.template.cells import SIZE, put_text, put_titled, row_height
from audit_kit.model.applicability import answer_label
from audit_kit.model.vocab import AnswerKind

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

    from audit_kit.model.instrument import Instrument, Item

# Code, question, what the answers mean, evidence to look at
_HEADERS = ("Code", "Question", "What the answers mean", "Evidence to look at")
_WIDTHS = (8, 42, 56, 48)
_HEADER_ROW = 3


def answers_text(instrument: Instrument, item: Item) -> str:
    """What each answer to an item means, and when it applies, as lines of text."""
    lines: list[str] = []
    if item.kind is AnswerKind.CHOICE:
        lines.append("Pick one:")
        lines += [f"• {c.label} (scores {c.score})" for c in item.choices or []]
    elif item.kind is AnswerKind.PERCENT:
        lines.append("Type the % of audited charts that meet it, 0 to 100 (95 or 95%). It scores:")
        for band in sorted(instrument.bands_for(item), key=lambda b: -b.score):
            lines.append(f"{band.score} = {band.span}")
        lines.append(f"No eligible cases in the audit? Type: {lay.NO_CASES_TEXT}.")
    else:
        lines += [f"{score} = {text}" for score, text in item.anchors.items()]
    if item.allow_na:
        lines.append("N/A allowed" + (f": {item.na_guidance}" if item.na_guidance else "."))
    if item.applies_to:
        kinds = ", ".join(s.label for s in item.applies_to)
        lines.append(f"Only for: {kinds}. Other programs leave it empty.")
    condition = item.applies_when
    if condition is not None and instrument.has_item(condition.item):
        decider = instrument.item(condition.item)
        shown = [repr(answer_label(decider, a)) for a in condition.answers]
        listed = ", ".join(shown[:-1]) + (" or " if len(shown) > 1 else "") + shown[-1]
        lines.append(
            f"Applies only when {instrument.code(decider.id)} is answered {listed}; "
            "otherwise leave it empty."
        )
    return "\n".join(lines)


def evidence_text(item: Item) -> str:
    """Which evidence to look at for an item, and how to judge it."""
    kinds = ", ".join(e.label for e in item.evidence)
    return f"Look at: {kinds}.\n{item.guidance}"


def write_guide(ws: Worksheet, instrument: Instrument, sheets: dict[str, str]) -> None:
    """Every item of every domain, in full, grouped by domain and dimension."""
    ws.title = lay.GUIDE_SHEET
    for n, width in enumerate(_WIDTHS, start=1):
        ws.column_dimensions[lay.column_letter(n)].width = width
    put_text(ws.cell(1, 1), "Guide: what the answers mean, item by item", st.SHEET_TITLE)
    ws.row_dimensions[1].height = 20
    put_text(
        ws.cell(2, 1),
        "For reading and printing; answers go on the domain sheets, in the row with the same code.",
        st.HINT,
    )
    for n, header in enumerate(_HEADERS, start=1):
        put_text(ws.cell(_HEADER_ROW, n), header, st.HEADER)
    row = _HEADER_ROW + 1
    for domain in instrument.domains:
        for dimension in domain.dimensions:
            _banner(ws, row, f"{sheets[domain.id]} · {domain.title} · {dimension.title}")
            row += 1
            for item in dimension.items:
                put_text(ws.cell(row, 1), instrument.code(item.id), st.ITEM_CODE)
                question = put_titled(
                    ws.cell(row, 2), item.title, item.question, st.ITEM, same_line=False
                )
                put_text(ws.cell(row, 3), answers_text(instrument, item), st.ITEM)
                put_text(ws.cell(row, 4), evidence_text(item), st.ITEM)
                texts = ("", question, ws.cell(row, 3).value, ws.cell(row, 4).value)
                ws.row_dimensions[row].height = row_height(
                    (w, t, SIZE) for w, t in zip(_WIDTHS, texts, strict=True)
                )
                row += 1
    ws.freeze_panes = ws.cell(_HEADER_ROW + 1, 1).coordinate
    ws.print_title_rows = f"{_HEADER_ROW}:{_HEADER_ROW}"
    st.protect(ws)
    st.print_setup(ws, instrument, landscape=True, heading=instrument.title)


def _banner(ws: Worksheet, row: int, text: str) -> None:
    for n in range(1, len(_WIDTHS) + 1):
        ws.cell(row, n).style = st.BANNER
    put_text(ws.cell(row, 1), text)
    ws.row_dimensions[row].height = 16
