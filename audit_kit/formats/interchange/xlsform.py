"""XLSForm for ODK and KoboToolbox: the instrument as a form, and the data they export read back."""

from __future__ import annotations

from io import BytesIO
from typing import TYPE_CHECKING

from audit_kit.errors import ResponsesError
from audit_kit.formats.interchange.fields import (
    INSTRUMENT_FIELD,
    INSTRUMENT_LABEL,
    NO,
    PROFILE_BY_KEY,
    SETTING_OPTIONS,
    YES,
    ItemFields,
    Test,
    applicability,
    item_fields,
)
from audit_kit.formats.interchange.table import (
    Columns,
    import_table,
    read_csv,
    read_xlsx,
    value_of,
)
from audit_kit.model.vocab import AnswerKind

if TYPE_CHECKING:
    from pathlib import Path

    from audit_kit.formats.interchange.records import Cell, Imported
    from audit_kit.model.instrument import Instrument

SURVEY_COLUMNS = (
    "type",
    "name",
    "label",
    "hint",
    "required",
    "relevant",
    "constraint",
    "constraint_message",
    "calculation",
)
CHOICES_COLUMNS = ("list_name", "name", "label", "score")
SETTINGS_COLUMNS = ("form_title", "form_id", "version", "instance_name")
YES_NO_LIST = "yes_no"
SETTING_LIST = "setting"
PROFILE_GROUP = "profile"
# columns Kobo and ODK Central add that identify a submission, in the order tried
_SUBMISSION_IDS = ("_id", "key", "_uuid", "instanceid")


def relevant(tests: list[Test], *extra: str) -> str:
    """An XLSForm ``relevant`` expression: every test and every extra condition hold."""
    parts = [
        "("
        + " or ".join([f"${{{t.field}}} = ''"] + [f"${{{t.field}}} = '{c}'" for c in t.codes])
        + ")"
        for t in tests
    ]
    parts += [e for e in extra if e]
    return " and ".join(parts)


def _hint(fields: ItemFields) -> str:
    item = fields.item
    evidence = ", ".join(e.label for e in item.evidence)
    hint = f"{item.guidance}\nEvidence: {evidence}."
    if item.na_guidance:
        hint += f"\nN/A: {item.na_guidance}"
    return hint


def survey_rows(instrument: Instrument) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """The survey and choices sheets as rows (column → text; empty cells left out)."""
    survey: list[dict[str, str]] = [
        {
            "type": "calculate",
            "name": INSTRUMENT_FIELD,
            "label": INSTRUMENT_LABEL,
            "calculation": f"'{instrument.ref}'",
        },
        {"type": "begin_group", "name": PROFILE_GROUP, "label": "Program"},
    ]
    profile_types = {
        "name": "text",
        "setting": f"select_one {SETTING_LIST}",
        "hospital_based": f"select_one {YES_NO_LIST}",
        "populations": "text",
        "assessor": "text",
        "assessment_date": "date",
    }
    for key, kind in profile_types.items():
        spec = PROFILE_BY_KEY[key]
        survey.append({"type": kind, "name": spec.name, "label": spec.label, "hint": spec.hint})
    survey.append({"type": "end_group"})
    choices = [
        {"list_name": SETTING_LIST, "name": c, "label": label} for c, label in SETTING_OPTIONS
    ]
    choices += [
        {"list_name": YES_NO_LIST, "name": YES, "label": "Yes"},
        {"list_name": YES_NO_LIST, "name": NO, "label": "No"},
    ]
    by_item = {f.item.id: f for f in item_fields(instrument)}
    for domain in instrument.domains:
        survey.append({"type": "begin_group", "name": f"dom_{domain.id}", "label": domain.title})
        for dimension in domain.dimensions:
            survey.append(
                {
                    "type": "note",
                    "name": f"sec_{domain.id}_{dimension.id}",
                    "label": dimension.title,
                    "hint": dimension.description or "",
                }
            )
            for item in dimension.items:
                fields = by_item[item.id]
                rows, lists = _item_rows(fields, applicability(instrument, item))
                survey += rows
                choices += lists
        survey.append({"type": "end_group"})
    return [_filled(r) for r in survey], [_filled(c) for c in choices]


def _filled(row: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in row.items() if v}


def _item_rows(
    fields: ItemFields, tests: list[Test]
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    name = fields.name
    applies = relevant(tests)
    rows: list[dict[str, str]] = []
    choices: list[dict[str, str]] = []
    if fields.item.kind is AnswerKind.PERCENT:
        assert fields.na_flag is not None and fields.reason is not None
        rows.append(
            {
                "type": "decimal",
                "name": name,
                "label": fields.label,
                "hint": _hint(fields),
                "relevant": relevant(tests, f"${{{fields.na_flag}}} != '{YES}'"),
                "constraint": ". >= 0 and . <= 100",
                "constraint_message": "A percentage from 0 to 100.",
            }
        )
        rows.append(
            {
                "type": f"select_one {YES_NO_LIST}",
                "name": fields.na_flag,
                "label": fields.flag_label,
                "relevant": applies,
            }
        )
        na_said = f"${{{fields.na_flag}}} = '{YES}'"
    else:
        list_name = f"l_{name}"
        rows.append(
            {
                "type": f"select_one {list_name}",
                "name": name,
                "label": fields.label,
                "hint": _hint(fields),
                "relevant": applies,
            }
        )
        choices = [
            {
                "list_name": list_name,
                "name": o.code,
                "label": o.label,
                "score": "" if o.score is None else str(o.score),
            }
            for o in fields.options
        ]
        na_said = f"${{{name}}} = '{fields.na_code}'" if fields.na_code else ""
    if fields.reason:
        rows.append(
            {
                "type": "text",
                "name": fields.reason,
                "label": fields.reason_label,
                "required": "yes",
                "relevant": relevant(tests, na_said),
            }
        )
    for name, label in ((fields.evidence, fields.evidence_label), (fields.note, fields.note_label)):
        rows.append({"type": "text", "name": name, "label": label, "relevant": applies})
    return rows, choices


def build_xlsform(instrument: Instrument) -> bytes:
    """The XLSForm (.xlsx): survey, choices and settings, and a _sources sheet with each item's
    citations (tools ignore sheets whose names start with '_')."""
    from openpyxl import Workbook

    from audit_kit.formats.xlsx.template.cells import put_text

    survey, choices = survey_rows(instrument)
    settings = {
        "form_title": f"{instrument.title} ({instrument.version})",
        "form_id": instrument.id.replace("-", "_"),
        "version": instrument.version,
        "instance_name": "concat(${program_name}, ' ', ${assessment_date})",
    }
    wb = Workbook()
    sheets = (
        ("survey", SURVEY_COLUMNS, survey),
        ("choices", CHOICES_COLUMNS, choices),
        ("settings", SETTINGS_COLUMNS, [settings]),
        ("_sources", ("code", "item", "title", "sources"), _sources(instrument)),
    )
    wb.remove(wb.active)
    for title, columns, rows in sheets:
        ws = wb.create_sheet(title)
        for col, name in enumerate(columns, start=1):
            put_text(ws.cell(row=1, column=col), name)
        for n, row in enumerate(rows, start=2):
            for col, name in enumerate(columns, start=1):
                if row.get(name):
                    put_text(ws.cell(row=n, column=col), row[name])
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _sources(instrument: Instrument) -> list[dict[str, str]]:
    rows = []
    for _, _, item in instrument.iter_items():
        refs = []
        for ref in item.citations:
            line = instrument.citation(ref.id).reference()
            refs.append(f"{line} {ref.section}." if ref.section else line)
        rows.append(
            {
                "code": instrument.code(item.id),
                "item": item.id,
                "title": item.title,
                "sources": "\n".join(refs),
            }
        )
    return rows


def read_export(path: Path, instrument: Instrument | None) -> tuple[Instrument, list[Imported]]:
    """The programs in a Kobo or ODK Central export (.xlsx or .csv, one submission per row,
    field names or labels as headers, with or without group names)."""
    table = read_xlsx(path) if path.suffix.lower() == ".xlsx" else read_csv(path, "a CSV export")
    if {"type", "name", "label"} <= {h.lower() for h in table.header}:
        raise ResponsesError.single(
            "this is an XLSForm (the form itself), not an export of the answers collected with "
            "it; in Kobo or ODK Central download the submissions (XLSX or CSV) and import those",
            file=table.shown,
            code="form-not-data",
        )
    return import_table(table, instrument, _describe)


def _describe(columns: Columns, number: int, cells: list[Cell | None]) -> str:
    for name in _SUBMISSION_IDS:
        found = value_of(cells, columns.named.get(name))
        if found:
            return f"row {number} (submission {found})"
    return f"row {number}"
