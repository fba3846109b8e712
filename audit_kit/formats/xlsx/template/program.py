"""Write the Program sheet: one line per program detail, its value beside its label."""

from __future__ import annotations

from typing import TYPE_CHECKING

from audit_kit.formats.xlsx import layout as lay
from audit_kit.formats.xlsx.template import styles as st
from audit_kit.formats.xlsx.template.cells import SIZE, put_text, row_height
from audit_kit.formats.xlsx.template.validation import list_validation
from audit_kit.model.vocab import Setting

if TYPE_CHECKING:
    from datetime import date

    from openpyxl.worksheet.worksheet import Worksheet

    from audit_kit.formats.xlsx.template.validation import Lists
    from audit_kit.model.instrument import Instrument
    from audit_kit.model.responses import Responses

_COLUMNS = (lay.PROGRAM_LABEL_COL, lay.PROGRAM_VALUE_COL, lay.PROGRAM_HINT_COL)


def write_program(
    ws: Worksheet,
    instrument: Instrument,
    lists: Lists,
    responses: Responses | None,
    program_name: str | None,
    setting: Setting | None,
) -> None:
    """The program's details from ``responses``, else a blank form with the name and setting."""
    ws.sheet_view.showGridLines = False
    for col, width in zip(_COLUMNS, lay.PROGRAM_WIDTHS, strict=True):
        ws.column_dimensions[lay.column_letter(col)].width = width
    put_text(ws.cell(lay.PROGRAM_TITLE_ROW, 1), "Program assessed", st.SHEET_TITLE)
    put_text(
        ws.cell(lay.PROGRAM_NOTE_ROW, 1),
        "Describe the program (never a patient). Fill in the yellow cells.",
    )
    for col, text in zip(_COLUMNS, ("Field", "Answer", "How to fill in"), strict=True):
        put_text(ws.cell(lay.PROGRAM_HEADER_ROW, col), text, st.HEADER)
    values: dict[str, str | date] = {}
    if program_name:
        values["name"] = program_name
    if setting is not None:
        values["setting"] = setting.label
    if responses is not None:
        program = responses.program
        if program.hospital_based is not None:
            values["hospital_based"] = lay.YES if program.hospital_based else lay.NO
        if program.populations:
            values["populations"] = lay.join_populations(program.populations)
        if responses.assessor:
            values["assessor"] = responses.assessor
        if responses.assessment_date is not None:
            values["assessment_date"] = responses.assessment_date
    for field in lay.PROGRAM_FIELDS:
        put_text(ws.cell(field.row, lay.PROGRAM_LABEL_COL), field.label, st.LABEL)
        put_text(ws.cell(field.row, lay.PROGRAM_HINT_COL), field.hint, st.ITEM_OFF)
        cell = ws.cell(field.row, lay.PROGRAM_VALUE_COL)
        value = values.get(field.key)
        if field.key == "assessment_date":
            cell.style = st.FILL_DATE
            cell.value = value
        elif isinstance(value, str):
            put_text(cell, value, st.FILL)
        else:
            cell.style = st.FILL
        texts = (field.label, "" if value is None else str(value), field.hint)
        ws.row_dimensions[field.row].height = row_height(
            (w, t, SIZE) for w, t in zip(lay.PROGRAM_WIDTHS, texts, strict=True)
        )
    for key, entries in (
        ("setting", [s.label for s in Setting]),
        ("hospital_based", [lay.YES, lay.NO]),
    ):
        dv = list_validation(lists.source(key, entries))
        dv.add(ws.cell(lay.PROGRAM_ROW[key], lay.PROGRAM_VALUE_COL))
        ws.add_data_validation(dv)

    row = lay.PROGRAM_INSTRUMENT_ROW
    about = f"{instrument.title} ({instrument.id} version {instrument.version})"
    put_text(ws.cell(row, lay.PROGRAM_LABEL_COL), "Instrument", st.LABEL)
    put_text(ws.cell(row, lay.PROGRAM_VALUE_COL), about, st.ITEM)
    # the instrument's name runs on over the hint column
    ws.merge_cells(
        start_row=row,
        start_column=lay.PROGRAM_VALUE_COL,
        end_row=row,
        end_column=lay.PROGRAM_HINT_COL,
    )
    ws.row_dimensions[row].height = row_height([(sum(lay.PROGRAM_WIDTHS[1:]), about, SIZE)])
    st.protect(ws)
    st.print_setup(ws, instrument, landscape=False, program=program_name)
