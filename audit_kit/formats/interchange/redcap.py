"""REDCap: the instrument as a data dictionary, and records exported from REDCap read back."""

from __future__ import annotations

from typing import TYPE_CHECKING

from audit_kit.errors import Problem, ResponsesError
from audit_kit.formats.interchange.fields import (
    INSTRUMENT_FIELD,
    INSTRUMENT_LABEL,
    PROFILE_BY_KEY,
    SETTING_OPTIONS,
    ItemFields,
    Test,
    applicability,
    item_fields,
    option_label,
)
from audit_kit.formats.interchange.table import (
    Columns,
    Table,
    bare,
    csv_bytes,
    import_table,
    read_csv,
    value_of,
)
from audit_kit.model.responses import fold
from audit_kit.model.vocab import AnswerKind

if TYPE_CHECKING:
    from pathlib import Path

    from audit_kit.formats.interchange.records import Cell, Imported
    from audit_kit.model.instrument import Instrument

#: The data dictionary's columns, in the order REDCap writes and reads them.
COLUMNS = (
    "Variable / Field Name",
    "Form Name",
    "Section Header",
    "Field Type",
    "Field Label",
    "Choices, Calculations, OR Slider Labels",
    "Field Note",
    "Text Validation Type OR Show Slider Number",
    "Text Validation Min",
    "Text Validation Max",
    "Identifier?",
    "Branching Logic (Show field only if...)",
    "Required Field?",
    "Custom Alignment",
    "Question Number (surveys only)",
    "Matrix Group Name",
    "Matrix Ranking?",
    "Field Annotation",
)
RECORD_ID = "record_id"
PROFILE_FORM = "program_profile"
YES_CODE = "1"  # REDCap's yesno field stores 1 for Yes and 0 for No


def branching(tests: list[Test], *extra: str) -> str:
    """REDCap branching logic: every test and every extra condition hold."""
    parts = [
        "(" + " or ".join([f"[{t.field}] = ''"] + [f"[{t.field}] = '{c}'" for c in t.codes]) + ")"
        for t in tests
    ]
    parts += [e for e in extra if e]
    return " and ".join(parts)


def _choices(options: list[tuple[str, str]]) -> str:
    return " | ".join(f"{code}, {option_label(label)}" for code, label in options)


def _row(**values: str) -> list[str]:
    keys = {
        "name": 0,
        "form": 1,
        "section": 2,
        "type": 3,
        "label": 4,
        "choices": 5,
        "note": 6,
        "validation": 7,
        "min": 8,
        "max": 9,
        "branching": 11,
        "required": 12,
        "annotation": 17,
    }
    row = [""] * len(COLUMNS)
    for key, value in values.items():
        row[keys[key]] = " ".join(value.split()) if key != "note" else value
    return row


def dictionary_rows(instrument: Instrument) -> list[list[str]]:
    """The data dictionary, header first: the program profile form, then one form per domain
    with a section header per dimension."""
    rows = [list(COLUMNS)]
    form = PROFILE_FORM
    rows.append(_row(name=RECORD_ID, form=form, type="text", label="Record ID"))
    rows.append(
        _row(
            name=INSTRUMENT_FIELD,
            form=form,
            type="text",
            label=INSTRUMENT_LABEL,
            note="The instrument and version this form was made from; leave it as it is.",
            annotation=f'Filled in by the form. @DEFAULT="{instrument.ref}" @READONLY',
        )
    )
    profile = {
        "name": {"type": "text"},
        "setting": {"type": "dropdown", "choices": _choices(list(SETTING_OPTIONS))},
        "hospital_based": {"type": "yesno"},
        "populations": {"type": "notes"},
        "assessor": {"type": "text"},
        "assessment_date": {"type": "text", "validation": "date_ymd"},
    }
    for key, extra in profile.items():
        spec = PROFILE_BY_KEY[key]
        rows.append(_row(name=spec.name, form=form, label=spec.label, note=spec.hint, **extra))
    by_item = {f.item.id: f for f in item_fields(instrument)}
    for domain in instrument.domains:
        for dimension in domain.dimensions:
            section = dimension.title
            for item in dimension.items:
                fields = by_item[item.id]
                item_rows = _item_rows(instrument, fields, applicability(instrument, item))
                item_rows[0][2] = section
                section = ""
                for row in item_rows:
                    row[1] = domain.id
                rows += item_rows
    return rows


def _item_rows(instrument: Instrument, fields: ItemFields, tests: list[Test]) -> list[list[str]]:
    item = fields.item
    evidence = ", ".join(e.label for e in item.evidence)
    note = f"{item.guidance}\nEvidence: {evidence}."
    if item.na_guidance:
        note += f"\nN/A: {item.na_guidance}"
    sources = "; ".join(instrument.citation(ref.id).short() for ref in item.citations)
    annotation = f"audit-kit item {item.id}. Sources: {sources}."
    applies = branching(tests)
    rows: list[list[str]] = []
    if item.kind is AnswerKind.PERCENT:
        assert fields.na_flag is not None
        rows.append(
            _row(
                name=fields.name,
                type="text",
                label=fields.label,
                note=note,
                validation="number",
                min="0",
                max="100",
                branching=branching(tests, f"[{fields.na_flag}] <> '{YES_CODE}'"),
                annotation=annotation,
            )
        )
        rows.append(
            _row(name=fields.na_flag, type="yesno", label=fields.flag_label, branching=applies)
        )
        na_said = f"[{fields.na_flag}] = '{YES_CODE}'"
    else:
        rows.append(
            _row(
                name=fields.name,
                type="radio",
                label=fields.label,
                choices=_choices([(o.code, o.label) for o in fields.options]),
                note=note,
                branching=applies,
                annotation=annotation,
            )
        )
        na_said = f"[{fields.name}] = '{fields.na_code}'" if fields.na_code else ""
    if fields.reason:
        rows.append(
            _row(
                name=fields.reason,
                type="notes",
                label=fields.reason_label,
                required="y",
                branching=branching(tests, na_said),
            )
        )
    for name, label in ((fields.evidence, fields.evidence_label), (fields.note, fields.note_label)):
        rows.append(_row(name=name, type="notes", label=label, branching=applies))
    return rows


def build_dictionary(instrument: Instrument) -> bytes:
    """The REDCap data dictionary as CSV (UTF-8 with a byte-order mark, CSV-safe)."""
    return csv_bytes(dictionary_rows(instrument))


def read_records(path: Path, instrument: Instrument | None) -> tuple[Instrument, list[Imported]]:
    """The programs in a REDCap records export (CSV, raw or labels): one per record and event."""
    table = read_csv(path, "a REDCap records export")
    if table.header[:1] == [COLUMNS[0]]:
        raise ResponsesError.single(
            "this is a data dictionary, not a records export; in REDCap use Data Exports "
            "(CSV, raw or labels) and import that file",
            file=table.shown,
            code="form-not-data",
        )
    _refuse_repeats(table)
    return import_table(table, instrument, _describe)


def _column(table: Table, name: str, label: str) -> int | None:
    for col, header in enumerate(table.header):
        if bare(header) == name or fold(header) == fold(label):
            return col
    return None


def _refuse_repeats(table: Table) -> None:
    col = _column(table, "redcap_repeat_instrument", "Repeat Instrument")
    if col is None:
        return
    problems = [
        Problem(
            table.at(number, col),
            "a repeating instrument; the forms made by `audit-kit export` do not repeat, so "
            "export the records of a project built from that dictionary",
            "repeating",
        )
        for number, cells in table.rows
        if value_of(cells, col)
    ]
    if problems:
        raise ResponsesError(problems)


def _describe(columns: Columns, number: int, cells: list[Cell | None]) -> str:
    record = value_of(cells, columns.named.get(RECORD_ID, 0))
    event = value_of(cells, columns.named.get("redcap_event_name"))
    label = f"row {number}"
    if record:
        label += f" (record {record}" + (f", event {event})" if event else ")")
    return label
