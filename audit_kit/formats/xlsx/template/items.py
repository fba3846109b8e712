"""Write an item sheet: one domain's items, one row each, with answers when there are some."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from audit_kit.formats.xlsx import layout as lay
from audit_kit.formats.xlsx.template import styles as st
from audit_kit.formats.xlsx.template.cells import FONT, SIZE, put_text, row_height, safe_text
from audit_kit.formats.xlsx.template.validation import answer_validation
from audit_kit.model.vocab import AnswerKind

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

    from audit_kit.formats.xlsx.template.validation import Lists
    from audit_kit.model.instrument import Dimension, Instrument, Item
    from audit_kit.model.responses import Answer, Responses
    from audit_kit.model.vocab import Setting

_COL = lay.COLUMN_INDEX


def write_item_sheet(
    ws: Worksheet,
    instrument: Instrument,
    domain_id: str,
    lists: Lists,
    responses: Responses | None,
    setting: Setting | None,
) -> None:
    """The sheet of one domain: title, hint and header rows, then a row per item."""
    domain = instrument.domain(domain_id)
    _head(ws, domain.title)
    validations: dict[str, Any] = {}  # one per list and sheet, holding all its cells
    row = lay.FIRST_ITEM_ROW
    for dimension in domain.dimensions:
        for item in dimension.items:
            answer = responses.answers.get(item.id) if responses is not None else None
            _item_row(ws, row, instrument, dimension, item, setting, answer)
            key, dv = answer_validation(lists, item)
            validations.setdefault(key, dv).add(ws.cell(row, _COL["answer"]))
            row += 1
    for dv in validations.values():
        ws.add_data_validation(dv)
    ws.freeze_panes = ws.cell(lay.FIRST_ITEM_ROW, 1).coordinate
    ws.print_title_rows = f"{lay.HEADER_ROW}:{lay.HEADER_ROW}"
    st.protect(ws)
    st.print_setup(ws, instrument, landscape=True)


def _head(ws: Worksheet, title: str) -> None:
    for n, column in enumerate(lay.COLUMNS, start=1):
        ws.column_dimensions[lay.column_letter(n)].width = column.width
    put_text(ws.cell(lay.TITLE_ROW, 1), title, st.SHEET_TITLE)
    ws.row_dimensions[lay.TITLE_ROW].height = 20
    put_text(
        ws.cell(lay.HINT_ROW, 1),
        "Answer in the yellow columns. Rows are found by their item id: keep column "
        f"'{lay.header('id')}' as it is. Instructions: see the first sheet.",
        st.HINT,
    )
    for n, column in enumerate(lay.COLUMNS, start=1):
        put_text(ws.cell(lay.HEADER_ROW, n), column.header, st.HEADER)
    ws.row_dimensions[lay.HEADER_ROW].height = row_height(
        (c.width, c.header, SIZE) for c in lay.COLUMNS
    )


def _item_row(
    ws: Worksheet,
    row: int,
    instrument: Instrument,
    dimension: Dimension,
    item: Item,
    setting: Setting | None,
    answer: Answer | None,
) -> None:
    """The item's row: what it asks in grey when it is not for the setting, then the answer."""
    off = setting is not None and not item.applies(setting)
    evidence = ", ".join(e.label for e in item.evidence)
    texts = {
        "id": item.id,
        "dimension": dimension.title,
        "question": f"{item.title}\n{item.question}",
        "guidance": f"Look at: {evidence}.\n{item.guidance}",
        "scores": _scores_text(instrument, item, setting),
    }
    for key, text in texts.items():
        style = st.ITEM_OFF if off else st.ITEM_ID if key == "id" else st.ITEM
        put_text(ws.cell(row, _COL[key]), text, style)
    if not off:
        ws.cell(row, _COL["question"]).value = _question(item)
    for column in lay.COLUMNS:
        if column.filled_in:
            style = st.FILL_ANSWER if column.key == "answer" else st.FILL
            ws.cell(row, _COL[column.key]).style = style
    if answer is not None:
        texts.update(_put_answer(ws, row, item, answer))
    ws.row_dimensions[row].height = row_height(
        (c.width, texts.get(c.key, ""), SIZE) for c in lay.COLUMNS
    )


def _scores_text(instrument: Instrument, item: Item, setting: Setting | None) -> str:
    lines: list[str] = []
    if item.kind is AnswerKind.CHOICE:
        lines.append("Pick one:")
        lines += [f"• {c.label} (scores {c.score})" for c in item.choices or []]
    elif item.kind is AnswerKind.PERCENT:
        lines.append("Type the % of audited charts, 0-100. It scores:")
        for band in sorted(instrument.bands_for(item), key=lambda b: -b.score):
            lines.append(f"{band.score} = {band.span}")
    else:
        lines += [f"{score} = {text}" for score, text in item.anchors.items()]
    if item.allow_na:
        lines.append("N/A allowed" + (f": {item.na_guidance}" if item.na_guidance else "."))
    if item.applies_to:
        kinds = ", ".join(s.label for s in item.applies_to)
        lines.append(f"Only for: {kinds}. Other programs leave it empty.")
        if setting is not None and not item.applies(setting):
            lines.append(f"Not for {setting.label.lower()} programs: leave it empty.")
    return "\n".join(lines)


def _question(item: Item) -> Any:
    """The item's title in bold, then its question."""
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont

    bold = InlineFont(rFont=FONT, sz=SIZE, b=True)
    return CellRichText([TextBlock(bold, safe_text(item.title)), safe_text(f"\n{item.question}")])


def _put_answer(ws: Worksheet, row: int, item: Item, answer: Answer) -> dict[str, str]:
    """Write an answer into its row; return the texts written, by column key."""
    cell = ws.cell(row, _COL["answer"])
    written: dict[str, str] = {}
    if answer.not_applicable:
        written["answer"] = lay.NA_TEXT
    elif item.kind is AnswerKind.CHOICE and answer.value is not None:
        written["answer"] = next(c.label for c in item.choices or [] if c.value == answer.value)
    elif answer.value is not None:
        cell.value = answer.value
    if "answer" in written:
        put_text(cell, written["answer"])
    for key in lay.TEXT_COLUMNS:
        text = getattr(answer, key)
        if text:
            put_text(ws.cell(row, _COL[key]), text)
            written[key] = text
    return written
