"""Write an item sheet: one domain's items, a compact row each, grouped by dimension, with the
answers when there are some, the live "Applies?" column and the answered count."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from audit_kit.formats.xlsx import layout as lay
from audit_kit.formats.xlsx.template import applies
from audit_kit.formats.xlsx.template import styles as st
from audit_kit.formats.xlsx.template.applies import Place
from audit_kit.formats.xlsx.template.cells import SIZE, put_text, row_height, safe_text
from audit_kit.formats.xlsx.template.guide import answers_text, evidence_text
from audit_kit.formats.xlsx.template.validation import answer_validation
from audit_kit.model.vocab import AnswerKind

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

    from audit_kit.formats.xlsx.template.cells import SavedResults
    from audit_kit.formats.xlsx.template.validation import Lists
    from audit_kit.model.applicability import Skipped
    from audit_kit.model.instrument import Instrument, Item
    from audit_kit.model.responses import Answer, Responses
    from audit_kit.model.vocab import Setting

_COL = lay.COLUMN_INDEX
_PRINTED = [c for c in lay.COLUMNS if c.printed]
_BANNER_HEIGHT = 16
# bold text is wider: sized as a larger font
_BOLD, _BOLD_COLUMNS = SIZE * 1.1, ("code", "title")
# A note's box, in pixels: about 64 characters a line, 15 pixels a line
_NOTE_WIDTH, _NOTE_CHARS, _NOTE_LINE = 420, 64, 15


@dataclass(frozen=True)
class Context:
    """What every item sheet of one workbook shares."""

    instrument: Instrument
    lists: Lists
    results: SavedResults
    places: dict[str, Place]
    skipped: dict[str, Skipped]
    responses: Responses | None
    setting: Setting | None
    program_name: str | None


def item_places(instrument: Instrument, sheets: dict[str, str]) -> dict[str, Place]:
    """The row of every item: on its domain's sheet, each dimension's row above its items."""
    places: dict[str, Place] = {}
    for domain in instrument.domains:
        row = lay.FIRST_BODY_ROW
        for dimension in domain.dimensions:
            row += 1  # the dimension's row
            for item in dimension.items:
                places[item.id] = Place(sheets[domain.id], row)
                row += 1
    return places


def write_item_sheet(ws: Worksheet, ctx: Context, domain_id: str) -> None:
    """The sheet of one domain: title and count rows, the header, then the rows."""
    instrument = ctx.instrument
    domain = instrument.domain(domain_id)
    _head(ws, instrument, domain.title)
    row = lay.FIRST_BODY_ROW
    answered = skipped = 0
    for dimension in domain.dimensions:
        _banner(ws, row, dimension.title)
        row += 1
        for item in dimension.items:
            answer = ctx.responses.answers.get(item.id) if ctx.responses else None
            if item.id in ctx.skipped or (answer is not None and answer.not_applicable):
                skipped += 1
            elif answer is not None and answer.value is not None:
                answered += 1
            _item_row(ws, row, ctx, item)
            row += 1
    last = row - 1
    items = sum(len(d.items) for d in domain.dimensions)
    ctx.results.put(
        ws.cell(lay.COUNT_ROW, 1),
        applies.count_formula(lay.FIRST_BODY_ROW, last, items),
        applies.count_text(items, answered, skipped),
        st.COUNT,
    )
    _grey_rows_that_do_not_apply(ws, last)
    # the code and question stay in view while scrolling right, the header while scrolling down
    ws.freeze_panes = ws.cell(lay.FIRST_BODY_ROW, _COL["answer"]).coordinate
    # opened, the sheet has its first answer cell selected, showing what it takes
    first = ws.cell(lay.FIRST_BODY_ROW + 1, _COL["answer"]).coordinate
    ws.sheet_view.selection[-1].activeCell = first
    ws.sheet_view.selection[-1].sqref = first
    ws.print_title_rows = f"{lay.HEADER_ROW}:{lay.HEADER_ROW}"
    ws.print_area = f"A1:{lay.column_letter(len(_PRINTED))}{last}"
    st.protect(ws)
    st.print_setup(ws, instrument, landscape=True, heading=domain.title, program=ctx.program_name)


def _head(ws: Worksheet, instrument: Instrument, title: str) -> None:
    for n, column in enumerate(lay.COLUMNS, start=1):
        ws.column_dimensions[lay.column_letter(n)].width = column.width
    # the code and id columns fit the longest of this instrument's, so neither ever wraps
    codes = [instrument.code(i) for i in instrument.item_ids]
    ids = instrument.item_ids
    ws.column_dimensions[lay.column_letter(_COL["code"])].width = max(
        lay.COLUMNS[_COL["code"] - 1].width, max(len(c) for c in codes) + 2
    )
    # the id is written smaller: about 0.8 of a character width each
    ws.column_dimensions[lay.column_letter(_COL["id"])].width = max(
        lay.COLUMNS[_COL["id"] - 1].width, round(max(len(i) for i in ids) * 0.85) + 2
    )
    put_text(ws.cell(lay.TITLE_ROW, 1), title, st.SHEET_TITLE)
    ws.row_dimensions[lay.TITLE_ROW].height = 20
    hint = (
        "Answer in the yellow cells (select one to see what it takes). Hover over a question "
        "for what its answers mean; the Guide sheet has them all. Grey rows do not apply."
    )
    first, last = _COL["answer"], len(_PRINTED)
    put_text(ws.cell(lay.COUNT_ROW, first), hint, st.HINT_BLOCK)
    ws.merge_cells(
        start_row=lay.COUNT_ROW, start_column=first, end_row=lay.COUNT_ROW, end_column=last
    )
    width = sum(c.width for c in _PRINTED[first - 1 :])
    ws.row_dimensions[lay.COUNT_ROW].height = row_height([(width, hint, SIZE)])
    for n, column in enumerate(lay.COLUMNS, start=1):
        put_text(ws.cell(lay.HEADER_ROW, n), column.header, st.HEADER)
    ws.row_dimensions[lay.HEADER_ROW].height = row_height(
        (c.width, c.header, _BOLD) for c in lay.COLUMNS
    )


def _banner(ws: Worksheet, row: int, title: str) -> None:
    for n in range(1, len(lay.COLUMNS) + 1):
        ws.cell(row, n).style = st.BANNER
    put_text(ws.cell(row, 1), title)
    ws.row_dimensions[row].height = _BANNER_HEIGHT


def _item_row(ws: Worksheet, row: int, ctx: Context, item: Item) -> None:
    """The item's row: code, question (with the full guidance in its note), the answer cells,
    whether it applies, and the id the reader finds the row by."""
    from openpyxl.comments import Comment

    instrument = ctx.instrument
    # plain cell styles, no rich text: the grey of a row that does not apply must reach
    # every character
    texts = {"code": instrument.code(item.id), "title": item.title, "question": item.question}
    put_text(ws.cell(row, _COL["code"]), texts["code"], st.ITEM_CODE)
    put_text(ws.cell(row, _COL["title"]), texts["title"], st.ITEM_TITLE)
    question = ws.cell(row, _COL["question"])
    put_text(question, texts["question"], st.ITEM)
    note = safe_text(
        f"What the answers mean\n{answers_text(instrument, item)}\n\n{evidence_text(item)}"
    )
    comment = Comment(note, "audit-kit")
    comment.width = _NOTE_WIDTH
    lines = sum(1 + len(line) // _NOTE_CHARS for line in note.split("\n"))
    comment.height = lines * _NOTE_LINE + 10
    question.comment = comment
    put_text(ws.cell(row, _COL["id"]), item.id, st.ITEM_ID)
    for column in lay.COLUMNS:
        if column.filled_in:
            style = st.FILL_ANSWER if column.key == "answer" else st.FILL
            ws.cell(row, _COL[column.key]).style = style
    coordinate = ws.cell(row, _COL["answer"]).coordinate
    dv = answer_validation(ctx.lists, instrument, item, coordinate)
    dv.add(coordinate)
    ws.add_data_validation(dv)
    answer = ctx.responses.answers.get(item.id) if ctx.responses is not None else None
    if answer is not None:
        texts.update(_put_answer(ws, row, item, answer))
    status = ws.cell(row, _COL["applies"])
    status.style = st.STATUS
    shown = applies.status(instrument, item, ctx.skipped.get(item.id), ctx.setting)
    formula = applies.status_formula(instrument, item, ctx.places)
    if formula is not None:
        ctx.results.put(status, formula, shown)
    elif shown:
        put_text(status, shown)
    texts["applies"] = shown
    ws.row_dimensions[row].height = row_height(
        (c.width, texts.get(c.key, ""), _BOLD if c.key in _BOLD_COLUMNS else SIZE) for c in _PRINTED
    )


def _grey_rows_that_do_not_apply(ws: Worksheet, last: int) -> None:
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import Font, PatternFill

    cells, formula = applies.off_rule(lay.FIRST_BODY_ROW, last)
    ws.conditional_formatting.add(
        cells,
        FormulaRule(
            formula=[formula],
            font=Font(color=st.OFF_FONT),
            fill=PatternFill("solid", bgColor=st.OFF_FILL),
        ),
    )


def _put_answer(ws: Worksheet, row: int, item: Item, answer: Answer) -> dict[str, str]:
    """Write an answer into its row; return the texts written, by column key."""
    cell = ws.cell(row, _COL["answer"])
    written: dict[str, str] = {}
    if answer.not_applicable:
        written["answer"] = lay.NA_TEXT
    elif item.kind is AnswerKind.CHOICE and answer.value is not None:
        written["answer"] = next(c.label for c in item.choices or [] if c.value == answer.value)
    elif item.kind is AnswerKind.PERCENT and answer.value is not None:
        # shown as the percentage it is, so that it cannot be read as a fraction: 1 as "1%"
        cell.value = answer.value / 100
        cell.number_format = _percent_format(answer.value)
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


def _percent_format(value: int | float) -> str:
    """A percentage format showing every decimal of ``value``: '0%', '0.5%' as '0.0%'."""
    from decimal import Decimal

    decimals = max(0, -int(Decimal(repr(value)).normalize().as_tuple().exponent))
    return "0." + "0" * decimals + "%" if decimals else "0%"
