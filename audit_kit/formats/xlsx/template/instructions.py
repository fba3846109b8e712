"""Write the Instructions sheet: how to fill the workbook in and hand it back."""

from __future__ import annotations

from typing import TYPE_CHECKING

from audit_kit.formats.xlsx import layout as lay
from audit_kit.formats.xlsx.template import styles as st
from audit_kit.formats.xlsx.template.cells import SIZE, put_text, row_height
from audit_kit.model.vocab import Level
from audit_kit.scoring import CAPABLE, ENHANCED, MAX_UNANSWERED_SHARE

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

    from audit_kit.model.instrument import Instrument

_WIDTH = 85  # of the one column the text runs in

SCALE_MEANING = {
    1: "not in place, or practice goes against the guidance",
    3: "in place as routine practice",
    5: "fully in place, written down, monitored and improved",
}


def write_instructions(ws: Worksheet, instrument: Instrument, sheets: dict[str, str]) -> None:
    """How to fill the workbook in, what the answers mean, and how to hand it back."""
    ws.title = lay.INSTRUCTIONS_SHEET
    ws.column_dimensions[lay.column_letter(1)].width = _WIDTH
    ws.sheet_view.showGridLines = False
    named = {c.key: f"'{c.header}'" for c in lay.COLUMNS}  # column headers, quoted
    first = sheets[instrument.domains[0].id]
    example = f"{first}!{lay.column_letter(lay.COLUMN_INDEX['answer'])}{lay.FIRST_ITEM_ROW + 3}"
    rows: list[tuple[str, str]] = [
        (st.TITLE, instrument.title),
        (
            st.BODY,
            f"Self-assessment workbook for {instrument.id} version {instrument.version}: "
            f"{instrument.item_count} items in {len(instrument.domains)} domains.",
        ),
        (st.BODY, ""),
        (st.HEADING, "How to fill it in"),
        (
            st.BODY,
            f"1. On the {lay.PROGRAM_SHEET} sheet, fill in the program's name and setting, "
            "whether a hospital runs it, the populations it serves, who is assessing and the "
            "date. The assessment describes the program, never a patient: do not enter patient "
            "details anywhere.",
        ),
        (
            st.BODY,
            f"2. Each domain has its own sheet ({', '.join(sheets.values())}), one row per item. "
            f"Read the question, look at the evidence named in {named['guidance']}, and give "
            f"your answer in the yellow {named['answer']} column: pick it from the cell's list.",
        ),
        (
            st.BODY,
            "3. Say where the evidence is (a policy, a chart sample, a staff meeting, a data "
            f"report) in {named['evidence']}, and add anything worth knowing in "
            f"{named['note']}. Both are optional, and both appear in the report's appendix.",
        ),
        (
            st.BODY,
            "4. Leave an answer empty when you do not know yet: it counts as unanswered, never as "
            "a guess. A domain with more than "
            f"{MAX_UNANSWERED_SHARE:.0%} of its applicable items unanswered gets no level "
            "from its scores.",
        ),
        (st.BODY, ""),
        (st.HEADING, "What the answers mean"),
        (
            st.BODY,
            f"Most items are scored from 1 to 5. The {named['scores']} column describes each "
            "item's practice at 1, 3 and 5; 2 and 4 lie in between. In general:",
        ),
        *[(st.BODY, f"      {n} = {text}.") for n, text in SCALE_MEANING.items()],
        (
            st.BODY,
            f"A domain is capable when each of its dimensions averages at least {CAPABLE:.1f}, "
            f"and enhanced at {ENHANCED:.1f}; a critical safety finding keeps it at the lowest "
            "level whatever the scores.",
        ),
        (
            st.BODY,
            "Some items offer named choices instead: pick the one that fits; each carries a score.",
        ),
        (
            st.BODY,
            "Chart-audit items ask for a percentage: audit a sample of charts and type the share "
            "that meets the item, from 0 to 100 (85 or 85%).",
        ),
        (st.BODY, ""),
        (st.HEADING, "Not applicable (N/A)"),
        (
            st.BODY,
            f"Answer N/A only where the item allows it (its {named['scores']} cell says so), "
            f"and say why in the {named['na_reason']} column. Items meant only for some kinds of "
            "program say so too; other programs leave them empty, and they are left out of the "
            "score.",
        ),
        (st.BODY, ""),
        (st.HEADING, "Handing it back"),
        (
            st.BODY,
            "Save it as an Excel Workbook (.xlsx), not .xls, .xlsm, .ods or .csv, and without a "
            f"password. Keep the sheet names, the header rows and the {named['id']} column as "
            "they are. You may insert rows and columns for your own notes. The sheets are "
            "protected against accidental edits, without a password: to re-sort the rows, first "
            "unprotect the sheet (Excel: Review > Unprotect Sheet; LibreOffice: Tools > Protect "
            "Sheet); items are found by their id, not by their position.",
        ),
        (
            st.BODY,
            "Then run `audit-kit score FILE.xlsx` for the scores, or `audit-kit report FILE.xlsx` "
            "for the PDF gap report, or send the file to whoever runs audit-kit. Any problem is "
            f"reported with its cell (e.g. {example}) and how to fix it.",
        ),
        (st.BODY, ""),
        (st.HEADING, "Domains"),
    ]
    for domain in instrument.domains:
        count = sum(len(d.items) for d in domain.dimensions)
        levels = " · ".join(domain.levels.name(level) for level in Level)
        rows.append(
            (st.BODY, f"{sheets[domain.id]}: {domain.title}, {count} items. Levels: {levels}.")
        )
    sizes = {st.TITLE: st.TITLE_SIZE, st.HEADING: st.HEADING_SIZE, st.BODY: SIZE}
    for row, (style, text) in enumerate(rows, start=1):
        if text:
            put_text(ws.cell(row, 1), text, style)
            ws.row_dimensions[row].height = row_height([(_WIDTH, text, sizes[style])])
    st.protect(ws)
    st.print_setup(ws, instrument, landscape=False)
