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
    example = f"{first}!{lay.column_letter(lay.COLUMN_INDEX['answer'])}{lay.FIRST_BODY_ROW + 3}"
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
            f"2. Each domain has its own sheet ({', '.join(sheets.values())}), one row per item, "
            f"grouped by dimension; each item has a short code ({named['code']}, e.g. "
            f"{instrument.code(instrument.item_ids[0])}). Read the question and give your answer "
            f"in the yellow {named['answer']} column: pick it from the cell's list, or type it. "
            "Selecting an answer cell shows what it takes. Hover over a question (the red "
            "corner) for what each of its answers means and the evidence to look at; the "
            f"{lay.GUIDE_SHEET} sheet lists them all, to read beside the sheet or to print.",
        ),
        (
            st.BODY,
            "3. Say where the evidence is (a policy, a chart sample, a staff meeting, a data "
            f"report) in {named['evidence']}, and add anything worth knowing in "
            f"{named['note']}. Both are optional, and both appear in the report's appendix. "
            f"They are never scored: an answer belongs in {named['answer']}.",
        ),
        (
            st.BODY,
            "4. Leave an answer empty when you do not know yet: it counts as unanswered, never as "
            "a guess. A domain with more than "
            f"{MAX_UNANSWERED_SHARE:.0%} of its applicable items unanswered gets no level "
            "from its scores. Each sheet's second line counts its answers as you go.",
        ),
        (
            st.BODY,
            f"5. Some items apply only to some programs, or only after some answers. "
            f"{named['applies']} says so, and the row turns grey, as soon as the program's "
            "setting or the deciding answer is picked: leave grey rows empty. An answer typed "
            "into a grey row is kept, but not scored, and the report says so.",
        ),
        (st.BODY, ""),
        (st.HEADING, "What the answers mean"),
        (
            st.BODY,
            "Most items are scored from 1 to 5. Each item says what 1, 3 and 5 mean for it; "
            "2 and 4 lie in between. In general:",
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
            "Some items offer named choices instead: pick the wording that fits from the list; "
            "each choice carries a score. A number is never a choice.",
        ),
        (
            st.BODY,
            "Chart-audit items ask for a percentage: audit a sample of charts and type the share "
            "that meets the item, from 0 to 100, as 85 or 85%. When the audit found no eligible "
            f"cases, type {lay.NO_CASES_TEXT}.",
        ),
        (st.BODY, ""),
        (st.HEADING, "Not applicable (N/A)"),
        (
            st.BODY,
            "Answer N/A only where the item allows it (its description says so), "
            f"and say why in the {named['na_reason']} column.",
        ),
        (st.BODY, ""),
        (st.HEADING, "What is refused, and why"),
        (
            st.BODY,
            "An answer that could be read two ways is refused, with its cell and what to type "
            "instead, rather than guessed: a fraction in a percentage cell (0.95: type 95 or "
            "95%); two scores or a range (3-4, 1 or 2, between 2 and 3: pick one); answer cells "
            "merged over several items; an answer typed in the Note or Evidence column, or in a "
            "column without a header, while the item's Answer cell is empty.",
        ),
        (st.BODY, ""),
        (st.HEADING, "Handing it back"),
        (
            st.BODY,
            "Save it as an Excel Workbook (.xlsx), not .xls, .xlsm, .ods or .csv, and without a "
            f"password. Keep the sheet names, the header rows and the grey {named['id']} column "
            "(at the far right) as they are. You may insert rows, and columns with a header of "
            "your own, for your own notes. The sheets are "
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
    st.print_setup(ws, instrument, landscape=False, heading=instrument.title)
