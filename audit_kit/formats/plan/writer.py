"""Write the action-plan workbook: one row per gap, in priority order, for the team to work from."""

from __future__ import annotations

from datetime import date, datetime, time
from io import BytesIO
from typing import TYPE_CHECKING

from audit_kit.formats.plan import layout as lay
from audit_kit.formats.plan import styles as st
from audit_kit.formats.xlsx.layout import column_letter
from audit_kit.formats.xlsx.template import cells
from audit_kit.formats.xlsx.template.cells import SIZE, row_height
from audit_kit.model.vocab import AnswerKind, GapKind
from audit_kit.ooxml import without_clock
from audit_kit.scoring import CAPABLE, ENHANCED

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell
    from openpyxl.worksheet.worksheet import Worksheet

    from audit_kit.model.instrument import Citation, Instrument
    from audit_kit.model.result import Gap, ScoreResult

#: What makes a spreadsheet read typed text as a formula, in Excel, LibreOffice or a CSV import.
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r", "\n")
_KIND_WORDS = {
    GapKind.CRITICAL: "Critical",
    GapKind.BELOW_CAPABLE: "Below capable",
    GapKind.TOWARDS_ENHANCED: "Towards enhanced",
}
_COL = lay.COLUMN_INDEX


def build_plan(instrument: Instrument, result: ScoreResult, *, fingerprint: str) -> bytes:
    """The action plan (.xlsx bytes) for a scored assessment; the same input gives the same bytes.

    ``fingerprint`` is the responses' SHA-256, kept on the hidden sheet with the instrument,
    program and date, so that a plan can say which assessment it belongs to.
    """
    from openpyxl import Workbook

    if (result.instrument_id, result.instrument_version) != (instrument.id, instrument.version):
        raise ValueError("the result was scored with another instrument")
    wb = Workbook()
    st.add_styles(wb)
    ws = wb.active
    ws.title = lay.PLAN_SHEET
    _write_plan_sheet(ws, instrument, result)
    _write_meta(wb.create_sheet(lay.META_SHEET), result, fingerprint)
    wb.active = 0
    # no date given: a fixed stamp, so that the same assessment still gives the same bytes
    stamp = datetime.combine(result.assessment_date or date(2000, 1, 1), time())
    wb.properties.created = stamp
    wb.properties.creator = "audit-kit"
    wb.properties.title = f"Action plan: {result.program.display_name}"[:255]

    out = BytesIO()
    wb.save(out)
    return without_clock(out.getvalue(), stamp)


def put_text(cell: Cell, text: str, style: str | None = None) -> None:
    """Write text that stays text, also when someone edits the cell later: besides being stored
    as a string, text that starts like a formula is marked as typed with a leading apostrophe."""
    cells.put_text(cell, text, style)
    if str(cell.value).startswith(FORMULA_LEADS):
        cell.quotePrefix = True


def _write_plan_sheet(ws: Worksheet, instrument: Instrument, result: ScoreResult) -> None:
    for n, column in enumerate(lay.COLUMNS, start=1):
        ws.column_dimensions[column_letter(n)].width = column.width
    program = result.program.display_name
    hint = (
        f"Fill in the yellow columns: {lay.header('owner')}, {lay.header('due')} (YYYY-MM-DD), "
        f"{lay.header('status')} ({', '.join(lay.STATUS_LABELS)}) and {lay.header('notes')}. "
        f"Keep each row's {lay.header('code')}: rows are found by it. To list what is done "
        "and overdue, run: audit-kit plan --status <this file>"
    )
    heads = (
        (lay.TITLE_ROW, f"Action plan: {program}", st.TITLE, st.TITLE_SIZE),
        (lay.SUMMARY_ROW, _summary(result), st.SUMMARY, SIZE),
        (lay.HINT_ROW, hint, st.HINT, SIZE),
    )
    width = sum(c.width for c in lay.COLUMNS)
    last_letter = column_letter(len(lay.COLUMNS))
    for row, text, style, size in heads:
        # across the table's width, so that the lines wrap within the printed page
        put_text(ws.cell(row, 1), text, style)
        ws.merge_cells(f"A{row}:{last_letter}{row}")
        ws.row_dimensions[row].height = row_height([(width, text, size)])
    for n, column in enumerate(lay.COLUMNS, start=1):
        put_text(ws.cell(lay.HEADER_ROW, n), column.header, st.HEADER)
    # bold type is wider: 'Time frame' takes two lines in its column
    ws.row_dimensions[lay.HEADER_ROW].height = row_height(
        (c.width, c.header, SIZE * 1.25) for c in lay.COLUMNS
    )
    row = lay.FIRST_ROW
    previous: GapKind | None = None
    for gap in result.gaps:
        _action_row(ws, row, instrument, result, gap, first_of_kind=gap.kind is not previous)
        previous = gap.kind
        row += 1
    last = max(row - 1, lay.FIRST_ROW)
    if not result.gaps:
        put_text(ws.cell(lay.FIRST_ROW, 1), "No actions: every answered item scored 5.", st.HINT)
    else:
        ws.add_data_validation(st.status_validation(lay.FIRST_ROW, last))
        ws.add_data_validation(st.due_validation(lay.FIRST_ROW, last))
        st.progress_colours(ws, lay.FIRST_ROW, last)
    ws.auto_filter.ref = (
        f"A{lay.HEADER_ROW}:{column_letter(len(lay.COLUMNS))}{max(row - 1, lay.HEADER_ROW)}"
    )
    ws.freeze_panes = ws.cell(lay.FIRST_ROW, 1).coordinate
    st.print_setup(ws, program)


def _summary(result: ScoreResult) -> str:
    counts = {kind: sum(g.kind is kind for g in result.gaps) for kind in GapKind}
    day = result.assessment_date.isoformat() if result.assessment_date else "date not given"
    frames = "; ".join(
        f"{counts[kind]} within {kind.timeframe} ({_KIND_WORDS[kind].lower()})" for kind in GapKind
    )
    return (
        f"Assessed {day} with {result.instrument_id} {result.instrument_version}. "
        f"{len(result.gaps)} actions in priority order: {frames}."
        + (" The assessment is a draft: see its report." if result.draft else "")
    )


def _action_row(
    ws: Worksheet,
    row: int,
    instrument: Instrument,
    result: ScoreResult,
    gap: Gap,
    *,
    first_of_kind: bool,
) -> None:
    note = result.item(gap.item_id).note
    texts = {
        "timeframe": f"{gap.timeframe}\n{_KIND_WORDS[gap.kind]}",
        "code": gap.code,
        "practice": gap.title,
        "finding": finding_text(instrument, result, gap),
        "action": gap.recommendation,
        "why": why_text(instrument, result, gap),
        "source": cite_text(gap.citations, gap.sections),
        "notes": note or "",
    }
    styles = {"code": st.CELL_BOLD, "practice": st.CELL_BOLD, "notes": st.FILL_TEXT}
    for key, text in texts.items():
        put_text(ws.cell(row, _COL[key]), text, styles.get(key, st.CELL))
    priority = ws.cell(row, _COL["priority"])
    priority.value = gap.rank
    priority.style = st.CELL_CENTRE
    ws.cell(row, _COL["owner"]).style = st.FILL_TEXT
    ws.cell(row, _COL["due"]).style = st.FILL_DATE
    put_text(ws.cell(row, _COL["status"]), lay.Status.NOT_STARTED.label, st.FILL_STATUS)
    ws.cell(row, _COL["timeframe"]).fill = st.kind_fill(gap.kind)
    if first_of_kind:
        for n in range(1, len(lay.COLUMNS) + 1):
            st.group_top(ws.cell(row, n))
    ws.row_dimensions[row].height = row_height(
        (c.width, texts.get(c.key, ""), SIZE) for c in lay.COLUMNS
    )


def finding_text(instrument: Instrument, result: ScoreResult, gap: Gap) -> str:
    """What was found: the critical finding and the answer, or the answer and what it means."""
    item = instrument.item(gap.item_id)
    value = result.item(gap.item_id).value
    out_of = f"{gap.score} of 5"
    if item.kind is AnswerKind.CHOICE:
        label = next((c.label for c in item.choices or [] if c.value == value), str(value))
        answer = f"Answered “{label}” ({out_of})."
    elif item.kind is AnswerKind.PERCENT:
        answer = f"{float(value or 0):g}% of audited charts ({out_of})."
    elif gap.kind is GapKind.CRITICAL:
        answer = f"Scored {out_of}."  # the finding says what the score means
    elif gap.score in item.anchors:
        answer = f"Scored {out_of}: “{_sentence(item.anchors[gap.score])}”"
    else:
        lower = max(k for k in item.anchors if k < gap.score)
        upper = min(k for k in item.anchors if k > gap.score)
        answer = (
            f"Scored {out_of}, between the anchors for {lower} and {upper}; "
            f"at {lower}: “{_sentence(item.anchors[lower])}”"
        )
    if gap.kind is GapKind.CRITICAL:
        finding = next(f for f in result.critical_findings if f.item_id == gap.item_id)
        return f"{_sentence(finding.finding)} {answer}"
    return answer


def why_text(instrument: Instrument, result: ScoreResult, gap: Gap) -> str:
    """Why it matters: the critical rule, or where the item's dimension stands against the
    capable or enhanced mark."""
    if gap.kind is GapKind.CRITICAL:
        domain = instrument.domain(gap.domain_id)
        return f"Critical safety finding: {domain.title} stays not capable until it is resolved."
    dimension = next(
        d for d in result.dimensions_of(gap.domain_id) if d.dimension_id == gap.dimension_id
    )
    scores = f"{dimension.title} scores {_two(dimension.score)}"
    if gap.kind is GapKind.BELOW_CAPABLE:
        return (
            f"Below routine practice ({CAPABLE:.0f}). {scores}; capable needs {CAPABLE:.2f} in "
            "every dimension."
        )
    return (
        f"Short of full practice (5). {scores}; enhanced needs {ENHANCED:.2f} in every dimension."
    )


def cite_text(citations: list[Citation], sections: list[str | None]) -> str:
    """'ASAM (2020), Part 3; SAMHSA TIP 63 (2021)': short citations with their sections."""
    return "; ".join(
        c.short() + (f", {s}" if s else "") for c, s in zip(citations, sections, strict=True)
    )


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _two(score: float | None) -> str:
    return "–" if score is None else f"{score:.2f}"


def _write_meta(ws: Worksheet, result: ScoreResult, fingerprint: str) -> None:
    """What the plan belongs to, and its actions as written; very hidden."""
    day = result.assessment_date.isoformat() if result.assessment_date else ""
    values: dict[str, str | int] = {
        "format": lay.FORMAT_TAG,
        "layout_version": lay.LAYOUT_VERSION,
        "instrument_id": result.instrument_id,
        "instrument_version": result.instrument_version,
        "program": result.program.name or "",
        "assessment_date": day,
        "fingerprint": fingerprint,
        "actions": len(result.gaps),
    }
    for key in lay.META_KEYS:
        row = lay.META_ROW[key]
        put_text(ws.cell(row, lay.META_KEY_COL), key)
        _put(ws, row, lay.META_VALUE_COL, values[key])
    for col, name in enumerate(lay.META_ACTION_FIELDS, start=1):
        put_text(ws.cell(lay.META_ACTIONS_HEADER_ROW, col), name)
    for row, gap in enumerate(result.gaps, start=lay.META_FIRST_ACTION_ROW):
        for col, value in enumerate((gap.code, gap.kind.value, gap.rank, gap.title), start=1):
            _put(ws, row, col, value)
    ws.sheet_state = "veryHidden"
    ws.protection.sheet = True


def _put(ws: Worksheet, row: int, col: int, value: str | int) -> None:
    if isinstance(value, str):
        if value:
            put_text(ws.cell(row, col), value)
    else:
        ws.cell(row, col).value = value
