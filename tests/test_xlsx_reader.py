"""Reading filled workbooks: forgiving forms, every problem located, round trips, LibreOffice."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from audit_kit.catalog import load_instrument
from audit_kit.cli import cli
from audit_kit.errors import AuditKitError, InputFileError, ResponsesError
from audit_kit.formats.responses_json import dump_responses, parse_responses
from audit_kit.formats.xlsx import layout as lay
from audit_kit.formats.xlsx.guard import Checked
from audit_kit.formats.xlsx.reader import read_workbook
from audit_kit.formats.xlsx.reader.load import load
from audit_kit.formats.xlsx.template import build_workbook
from audit_kit.model.instrument import Instrument
from audit_kit.model.responses import Answer, Program, Responses, conform
from audit_kit.model.vocab import AnswerKind, Setting
from audit_kit.scoring import score

from conftest import DATA
from strategies import answers_for, instruments, responses_for

MINI = load_instrument(DATA / "mini.yaml")
PROGRAM: dict[str, Any] = {
    "Program name": "Casa Esperanza",
    "Setting": "Outpatient",
    "Hospital-based": "No",
    "Populations served": "adults; pregnant women",
    "Assessor": "Ana Pérez, clinical director",
    "Assessment date": date(2026, 10, 1),
}
# mini's rows: MAT 5 admit, 6 route, 8 naloxone, 9 pregnancy, 10 storage; COD 5 screen, 6 crisis
# (rows 4 and 7 of MAT and row 4 of COD name the dimensions); answers in column D
COLUMN_KEYS = {c.header: c.key for c in lay.COLUMNS}


# -- helpers shared with the other workbook tests ----------------------------------------------


def header_columns(ws: Any) -> tuple[int, dict[str, int]]:
    """The header row of a sheet and the column of each column key, found by header text."""
    for row in ws.iter_rows(min_row=1, max_row=lay.HEADER_SEARCH_ROWS):
        keys = {c.column: COLUMN_KEYS.get(c.value) for c in row if c.value in COLUMN_KEYS}
        if "id" in keys.values():
            return row[0].row, {key: col for col, key in keys.items() if key}
    raise AssertionError(f"no header row on {ws.title}")


def item_rows(wb: Workbook) -> dict[str, tuple[Any, int, dict[str, int]]]:
    """Every item id in the workbook: its sheet, its row and the sheet's columns."""
    found = {}
    for ws in wb.worksheets:
        if ws.title in lay.RESERVED_SHEETS:
            continue
        header, cols = header_columns(ws)
        for row in range(header + 1, ws.max_row + 1):
            value = ws.cell(row, cols["id"]).value
            if isinstance(value, str) and lay.ITEM_ID_RE.match(value):
                found[value] = (ws, row, cols)
    return found


def fill(
    template: bytes,
    answers: dict[str, dict[str, Any]],
    program: dict[str, Any] | None = None,
) -> Workbook:
    """Fill a template the way a script or a person does: each item's row found by its id,
    values typed into the columns named by the header row, program details beside their labels.

    ``answers`` maps item ids to {column key: value}, e.g. {"answer": "3", "note": "..."}.
    """
    wb = load_workbook(io.BytesIO(template))
    rows = item_rows(wb)
    for item_id, cells in answers.items():
        ws, row, cols = rows[item_id]
        for key, value in cells.items():
            ws.cell(row, cols[key]).value = value
    ws = wb[lay.PROGRAM_SHEET]
    labels = {ws.cell(r, 1).value: r for r in range(1, 30)}
    for label, value in (PROGRAM if program is None else program).items():
        ws.cell(labels[label], 2).value = value
    return wb


def save(wb: Workbook, path: Path) -> Path:
    """Save a workbook and return its path."""
    wb.save(path)
    return path


def problems_of(path: Path, instrument: Instrument | None = MINI) -> list[str]:
    """The problems reading a workbook reports, without the file name in front."""
    with pytest.raises(AuditKitError) as caught:
        read_workbook(path, instrument)
    return [str(p).removeprefix(f"{path}: ") for p in caught.value.problems]


def patch(path: Path, member: str, change: Callable[[bytes], bytes]) -> Path:
    """Rewrite one part of a workbook's zip archive in place."""
    with zipfile.ZipFile(path) as zf:
        parts = {i.filename: zf.read(i) for i in zf.infolist()}
    parts[member] = change(parts[member])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return path


def sheet_part(path: Path, title: str) -> str:
    """The archive member holding a sheet (openpyxl writes them in sheet order)."""
    with zipfile.ZipFile(path) as zf:
        workbook = zf.read("xl/workbook.xml").decode()
    names = re.findall(r'<sheet [^>]*name="([^"]+)"', workbook)
    return f"xl/worksheets/sheet{names.index(title) + 1}.xml"


def expected_mini(answers: dict[str, Answer], setting: Setting = Setting.OUTPATIENT) -> Responses:
    """Responses as the JSON form of PROGRAM and ``answers`` would give them."""
    return Responses(
        instrument_id="mini",
        instrument_version="1.0",
        program=Program(
            name="Casa Esperanza",
            setting=setting,
            hospital_based=False,
            populations=["adults", "pregnant women"],
        ),
        assessor="Ana Pérez, clinical director",
        assessment_date=date(2026, 10, 1),
        answers=answers,
    )


@pytest.fixture(name="blank", scope="module")
def _blank() -> bytes:
    return build_workbook(MINI)


# -- round trips -------------------------------------------------------------------------------


def test_script_filled_template_scores_like_the_same_answers_as_json(
    blank: bytes, tmp_path: Path
) -> None:
    """Template, filled through the id column, read back: the same responses and score as JSON."""
    wb = fill(
        blank,
        {
            "mat.admit": {"answer": 4, "evidence": "Policy AD-1", "note": "Dose continued."},
            "mat.route": {"answer": "By written referral"},
            "mat.naloxone": {"answer": 72.5, "evidence": "20 charts"},
            "mat.pregnancy": {"answer": "N/A", "na_reason": "Men only."},
            "cod.screen": {"note": "Audit due next month."},
            "cod.crisis": {"answer": 2},
        },
    )
    instrument, responses = read_workbook(save(wb, tmp_path / "filled.xlsx"), MINI)
    as_json = expected_mini(
        {
            "mat.admit": Answer(value=4, note="Dose continued.", evidence="Policy AD-1"),
            "mat.route": Answer(value="referral"),
            "mat.naloxone": Answer(value=72.5, evidence="20 charts"),
            "mat.pregnancy": Answer(not_applicable=True, na_reason="Men only."),
            "cod.screen": Answer(note="Audit due next month."),
            "cod.crisis": Answer(value=2),
        }
    )
    _, from_json = parse_responses(dump_responses(as_json), "x.json", MINI)
    assert instrument is MINI
    assert responses == from_json
    assert dump_responses(responses) == dump_responses(from_json)
    assert score(MINI, responses) == score(MINI, from_json)


def _typed(item_kind: AnswerKind, answer: Answer, instrument: Instrument, item_id: str) -> Any:
    """What a person would put in the answer cell for this answer."""
    if answer.not_applicable:
        return "N/A"
    if item_kind is AnswerKind.CHOICE:
        item = instrument.item(item_id)
        return next(c.label for c in item.choices or [] if c.value == answer.value)
    if item_kind is AnswerKind.PERCENT:
        return f"{answer.value}%"  # a bare 1 could be 1% or 100%, and is refused
    return answer.value


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_property_script_filled_template_scores_like_json(data: st.DataObject) -> None:
    """Random answers typed into the template by script score exactly as the same JSON."""
    setting = data.draw(st.sampled_from(list(Setting)))
    answers = data.draw(answers_for(MINI, setting))
    doc = dump_responses(responses_for(MINI, answers, setting))
    _, from_json = parse_responses(doc, "x.json", MINI)
    cells = {
        item_id: {"answer": _typed(MINI.item(item_id).kind, a, MINI, item_id)}
        | ({"na_reason": a.na_reason} if a.na_reason else {})
        for item_id, a in from_json.answers.items()
    }
    program = {
        "Program name": from_json.program.name,
        "Setting": setting.label,
        "Hospital-based": "No",
        "Assessor": from_json.assessor,
        "Assessment date": from_json.assessment_date.isoformat(),
    }
    buffer = io.BytesIO()
    fill(build_workbook(MINI), cells, program).save(buffer)
    path = _scratch(buffer.getvalue())
    _, responses = read_workbook(path, MINI)
    assert responses == from_json
    assert score(MINI, responses) == score(MINI, from_json)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_property_any_instrument_round_trips_through_the_workbook(data: st.DataObject) -> None:
    """For random instruments and answers, the workbook holding them reads back to them."""
    instrument = data.draw(instruments())
    responses = responses_for(instrument, data.draw(answers_for(instrument)))
    canonical, problems = conform(instrument, responses)
    assert not problems
    path = _scratch(build_workbook(instrument, responses=responses))
    read_instrument, read_back = read_workbook(path, instrument)
    assert read_instrument is instrument
    assert read_back == canonical
    assert score(instrument, read_back) == score(instrument, canonical)


_SCRATCH: list[Path] = []


def _scratch(data: bytes) -> Path:
    """A file for hypothesis examples (function-scoped tmp_path does not mix with @given)."""
    import tempfile

    if not _SCRATCH:
        _SCRATCH.append(Path(tempfile.mkdtemp(prefix="audit-kit-test-")))
    path = _SCRATCH[0] / "example.xlsx"
    path.write_bytes(data)
    return path


def test_libreoffice_filled_workbook_reads_back_identically() -> None:
    """tests/data/libreoffice-filled.xlsx: the blank mini template (build_workbook(mini)) filled
    in LibreOffice Calc 7.4 through its UNO API, typing what is shown below (72.5 as 72.5%,
    so stored as 0.725 in a percent format; the date typed as 2026-10-01), saved as .xlsx.
    libreoffice-filled.json is the same assessment as canonical JSON."""
    path = DATA / "libreoffice-filled.xlsx"
    expected = Responses(
        instrument_id="mini",
        instrument_version="1.0",
        program=Program(
            name="Casa Esperanza, Clínica (fictional)",  # typed: the same
            setting=Setting.RESIDENTIAL,  # typed: Residential
            hospital_based=True,  # typed: Yes
            populations=["adults", "pregnant women"],  # typed: adults; pregnant women
        ),
        assessor="Ana Pérez, clinical director",
        assessment_date=date(2026, 10, 1),
        answers={
            "mat.admit": Answer(  # typed: 4
                value=4,
                note="Admitted on methadone and buprenorphine.\n"
                "Naltrexone: case by case – “usually”.",
                evidence="Policy AD-1 (rev. 2025); intake log",
            ),
            "mat.route": Answer(value="referral"),  # typed: By written referral
            "mat.naloxone": Answer(value=72.5, evidence="20 charts, Jan–Jun 2026"),
            "mat.pregnancy": Answer(  # typed: n/a
                not_applicable=True, na_reason="The program serves only men."
            ),
            "mat.storage": Answer(value=3),  # typed: 3 - partly
            "cod.screen": Answer(note="Screening tool chosen; audit due next month."),
            "cod.crisis": Answer(value=2),  # typed: 2
        },
    )
    _, responses = read_workbook(path, MINI)
    assert responses == expected
    as_json = (DATA / "libreoffice-filled.json").read_bytes()
    assert dump_responses(responses) == as_json
    _, from_json = parse_responses(as_json, "libreoffice-filled.json", MINI)
    assert score(MINI, responses) == score(MINI, from_json)


def test_libreoffice_workbook_keeps_what_the_reader_relies_on() -> None:
    """LibreOffice renames nothing: sheets, hidden _meta (made merely hidden) and headers stay."""
    wb = load_workbook(DATA / "libreoffice-filled.xlsx", read_only=True)
    assert wb.sheetnames == ["Instructions", "Program", "MAT", "COD", "Lists", "_meta"]
    wb.close()


def test_rows_shuffled_row_inserted_extra_column_and_sheets_moved_score_the_same(
    blank: bytes, tmp_path: Path
) -> None:
    answers = {
        "mat.admit": {"answer": 2, "note": "Only methadone."},
        "mat.route": {"answer": "On site"},
        "mat.naloxone": {"answer": 55},
        "mat.pregnancy": {"answer": 4, "evidence": "Pathway P-3"},
        "cod.screen": {"answer": 3},
        "cod.crisis": {"answer": 5},
    }
    wb = fill(blank, answers)
    original = read_workbook(save(wb, tmp_path / "original.xlsx"), MINI)[1]

    wb = fill(blank, answers)
    ws = wb["MAT"]
    for sheet in wb.worksheets:
        sheet.protection.sheet = False
    ws.insert_cols(3)  # a column of the user's own between Item and Question
    ws.cell(lay.HEADER_ROW, 3).value = "Owner"
    first, last = lay.FIRST_BODY_ROW, lay.FIRST_BODY_ROW + 6
    rows = [[c.value for c in ws[r]] for r in range(first, last + 1)]
    for r, values in zip(range(first, last + 1), reversed(rows), strict=True):
        for c, value in enumerate(values, start=1):
            ws.cell(r, c).value = value
    ws.insert_rows(first + 2)
    ws.cell(first + 2, 3).value = "Reviewed with the team on Monday"
    ws.insert_rows(1)  # above the header, too
    wb.move_sheet("COD", offset=-2)
    wb.move_sheet(lay.PROGRAM_SHEET, offset=3)
    changed = read_workbook(save(wb, tmp_path / "changed.xlsx"), MINI)[1]

    assert changed == original
    assert score(MINI, changed) == score(MINI, original)


def test_sheets_of_the_users_own_are_ignored(blank: bytes, tmp_path: Path) -> None:
    wb = fill(blank, {"mat.admit": {"answer": 3}})
    wb.create_sheet("Notes")["A1"] = "mat.admit: ask the medical director"
    _, responses = read_workbook(save(wb, tmp_path / "notes.xlsx"), MINI)
    assert responses.answers == {"mat.admit": Answer(value=3)}


def test_item_moved_to_another_sheet_is_still_found(blank: bytes, tmp_path: Path) -> None:
    wb = fill(blank, {"cod.crisis": {"answer": 5}})
    mat, cod = wb["MAT"], wb["COD"]
    for col in range(1, len(lay.COLUMNS) + 1):
        mat.cell(20, col).value = cod.cell(6, col).value
        cod.cell(6, col).value = None
    _, responses = read_workbook(save(wb, tmp_path / "moved.xlsx"), MINI)
    assert responses.answers == {"cod.crisis": Answer(value=5)}


# -- forgiving normalisation -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("item_id", "typed", "value"),
    [
        ("mat.admit", 3, 3),
        ("mat.admit", 3.0, 3),
        ("mat.admit", "3", 3),
        ("mat.admit", "3.0", 3),
        ("mat.admit", "3 - capable", 3),
        ("mat.admit", "3 – capable", 3),
        ("mat.admit", "4: mostly", 4),
        ("mat.admit", " 3 ", 3),
        ("mat.admit", "3\u00a0", 3),
        ("mat.admit", "\u00a05\u00a0\u00a0", 5),
        ("mat.route", "By written referral", "referral"),
        ("mat.route", "  by WRITTEN\u00a0referral ", "referral"),
        ("mat.route", "referral", "referral"),
        ("mat.route", "On Site", "on_site"),
        ("mat.route", "ON_SITE", "on_site"),
        ("mat.route", "no route at all", "none"),
        ("mat.naloxone", 85, 85),
        ("mat.naloxone", 85.0, 85),
        ("mat.naloxone", "85", 85),
        ("mat.naloxone", "85%", 85),
        ("mat.naloxone", " 85 % ", 85),
        ("mat.naloxone", "85.5", 85.5),
        ("mat.naloxone", 0, 0),
        ("mat.naloxone", "100%", 100),
    ],
)
def test_forgiving_answer_forms(
    blank: bytes, tmp_path: Path, item_id: str, typed: Any, value: Any
) -> None:
    wb = fill(blank, {item_id: {"answer": typed}})
    _, responses = read_workbook(save(wb, tmp_path / "forms.xlsx"), MINI)
    assert responses.answers == {item_id: Answer(value=value)}
    assert type(responses.answers[item_id].value) is type(value)


@pytest.mark.parametrize(
    "typed", ["N/A", "n/a", "NA", "na", "Not applicable", "NOT APPLICABLE", " n/a\u00a0", "N.A."]
)
def test_not_applicable_forms(blank: bytes, tmp_path: Path, typed: str) -> None:
    wb = fill(blank, {"mat.pregnancy": {"answer": typed, "na_reason": " Men only. "}})
    _, responses = read_workbook(save(wb, tmp_path / "na.xlsx"), MINI)
    assert responses.answers == {
        "mat.pregnancy": Answer(not_applicable=True, na_reason="Men only.")
    }


def test_percentage_formatted_cell_means_percent(blank: bytes, tmp_path: Path) -> None:
    wb = fill(blank, {"mat.naloxone": {"answer": 0.855}})
    _, row, cols = item_rows(wb)["mat.naloxone"]
    wb["MAT"].cell(row, cols["answer"]).number_format = "0.0%"
    _, responses = read_workbook(save(wb, tmp_path / "pct.xlsx"), MINI)
    assert responses.answers == {"mat.naloxone": Answer(value=85.5)}


def test_every_dropdown_entry_is_accepted(blank: bytes, tmp_path: Path) -> None:
    """Whatever a cell's list offers, the reader takes: entries are read off the Lists sheet."""
    wb = load_workbook(io.BytesIO(blank))
    offers: dict[str, list[Any]] = {}
    lists = wb[lay.LISTS_SHEET]
    rows = item_rows(wb)
    for item_id, (ws, row, cols) in rows.items():
        cell = ws.cell(row, cols["answer"]).coordinate
        dv = next(v for v in ws.data_validations.dataValidation if cell in v.sqref)
        if dv.type != "list":
            continue
        col = re.match(r"Lists!\$([A-Z]+)\$", dv.formula1)
        assert col is not None
        values = [c.value for c in lists[col.group(1)][1:] if c.value is not None]
        offers[item_id] = values
    assert set(offers) == set(MINI.item_ids) - {"mat.naloxone"}  # a percentage has no list
    for n in range(max(len(v) for v in offers.values())):
        cells = {
            i: {"answer": v[n]} | ({"na_reason": "Why."} if v[n] == "N/A" else {})
            for i, v in offers.items()
            if n < len(v)
        }
        program = PROGRAM | {"Setting": "Residential"}  # where mat.storage applies
        path = save(fill(blank, cells, program), tmp_path / f"entry{n}.xlsx")
        _, responses = read_workbook(path, MINI)
        assert set(responses.answers) == set(cells)


def test_formula_with_a_saved_result_uses_the_result(blank: bytes, tmp_path: Path) -> None:
    wb = fill(blank, {"mat.admit": {"answer": "=2+2"}, "cod.crisis": {"note": "=CONCAT(1)"}})
    path = save(wb, tmp_path / "formula.xlsx")
    patch(
        path,
        sheet_part(path, "MAT"),
        lambda x: x.replace(b"<f>2+2</f><v />", b"<f>2+2</f><v>4</v>"),
    )
    patch(
        path,
        sheet_part(path, "COD"),
        lambda x: x.replace(b"<f>CONCAT(1)</f><v />", b"<f>CONCAT(1)</f><v>1</v>"),
    )
    _, responses = read_workbook(path, MINI)
    assert responses.answers == {"mat.admit": Answer(value=4), "cod.crisis": Answer(note="1")}


def test_item_not_for_the_setting_may_stay_empty_or_be_na(blank: bytes, tmp_path: Path) -> None:
    """mat.storage applies to residential and hospital programs only."""
    wb = fill(blank, {"mat.storage": {"answer": "N/A", "na_reason": "Outpatient."}})
    _, responses = read_workbook(save(wb, tmp_path / "off.xlsx"), MINI)
    assert responses.answers["mat.storage"].not_applicable
    residential = PROGRAM | {"Setting": "Residential"}
    wb = fill(blank, {"mat.storage": {"answer": "N/A", "na_reason": "No."}}, residential)
    path = save(wb, tmp_path / "on.xlsx")
    assert problems_of(path) == ["MAT!D10: mat.storage cannot be answered N/A; choose 1-5"]


def test_program_values_in_other_forms(blank: bytes, tmp_path: Path) -> None:
    program = PROGRAM | {
        "Setting": " opioid treatment program (OTP) ",
        "Hospital-based": True,
        "Populations served": "adults, young adults",
        "Assessment date": "2026-10-01",
    }
    path = save(fill(blank, {}, program), tmp_path / "program.xlsx")
    _, responses = read_workbook(path, MINI)
    assert responses.program == Program(
        name="Casa Esperanza",
        setting=Setting.OPIOID_TREATMENT_PROGRAM,
        hospital_based=True,
        populations=["adults", "young adults"],
    )
    assert responses.assessment_date == date(2026, 10, 1)
    program |= {"Setting": "intensive_outpatient", "Assessment date": datetime(2026, 10, 1, 9)}
    _, responses = read_workbook(save(fill(blank, {}, program), tmp_path / "p2.xlsx"), MINI)
    assert responses.program.setting is Setting.INTENSIVE_OUTPATIENT
    assert responses.assessment_date == date(2026, 10, 1)


# -- problems, each located --------------------------------------------------------------------


def test_wrong_answers_all_reported_at_once_with_their_cells(blank: bytes, tmp_path: Path) -> None:
    wb = fill(
        blank,
        {
            "mat.admit": {"answer": "maybe"},
            "mat.route": {"answer": "sometimes"},
            "mat.naloxone": {"answer": 150},
            "mat.pregnancy": {"answer": 7},
            "cod.screen": {"answer": True},
            "cod.crisis": {"answer": "3.5"},
        },
    )
    assert problems_of(save(wb, tmp_path / "wrong.xlsx")) == [
        'MAT!D5: "maybe" is not an answer to MAT-1; give one score: 1, 2, 3, 4 or 5',
        'MAT!D6: "sometimes" is not an answer to MAT-2; give one from the cell\'s list: '
        "On site, By written referral, No route at all",
        'MAT!D8: "150" is not an answer to MAT-3; give one percentage from 0 to 100, typed as '
        "95 or 95% (No eligible cases or N/A if the audit found none)",
        'MAT!D9: "7" is not an answer to MAT-4; give one score: 1, 2, 3, 4 or 5 or N/A',
        'COD!D5: "TRUE" is not an answer to COD-1; give one score: 1, 2, 3, 4 or 5',
        'COD!D6: "3.5" is not an answer to COD-2; give one score: 1, 2, 3, 4 or 5',
    ]


def test_not_applicable_problems_point_at_the_right_cells(blank: bytes, tmp_path: Path) -> None:
    wb = fill(
        blank,
        {
            "mat.admit": {"answer": "N/A", "na_reason": "We do not admit."},
            "mat.pregnancy": {"answer": "n/a"},
            "cod.screen": {"answer": 3, "na_reason": "Not needed."},
        },
    )
    assert problems_of(save(wb, tmp_path / "na.xlsx")) == [
        "MAT!D5: mat.admit cannot be answered N/A; choose 1-5",
        "MAT!E9: mat.pregnancy is marked N/A without a reason; say why it does not apply",
        "COD!E5: cod.screen is answered 3 but also has an N/A reason; clear one of them",
    ]


def test_missing_item_rows_are_named_with_their_sheet(blank: bytes, tmp_path: Path) -> None:
    wb = fill(blank, {"mat.admit": {"answer": 3}})
    wb["MAT"].delete_rows(6, 3)  # mat.route, the Safety row and mat.naloxone
    assert problems_of(save(wb, tmp_path / "deleted.xlsx")) == [
        "sheet 'MAT': the row of mat.route (MOUD route) is missing; it belongs on sheet MAT: "
        "restore the row (copy it from a new template) with its answer",
        "sheet 'MAT': the row of mat.naloxone (Naloxone at discharge) is missing; it belongs on "
        "sheet MAT: restore the row (copy it from a new template) with its answer",
    ]


def test_missing_sheet_is_one_problem(blank: bytes, tmp_path: Path) -> None:
    wb = fill(blank, {})
    del wb["COD"]
    assert problems_of(save(wb, tmp_path / "nocod.xlsx")) == [
        "sheet COD (Co-occurring care, 2 items) is missing; restore it with its answers, or make "
        "a new template with `audit-kit template` and copy the answers into it"
    ]


def test_unknown_and_duplicate_ids(blank: bytes, tmp_path: Path) -> None:
    wb = fill(blank, {"mat.admit": {"answer": 3}})
    wb["MAT"]["I6"] = "mat.admit"  # was mat.route
    wb["COD"]["I5"] = "cod.screenn"
    assert problems_of(save(wb, tmp_path / "ids.xlsx")) == [
        "MAT!I5: mat.admit has more than one row (MAT!I5, MAT!I6); keep one row per item",
        "MAT!I6: mat.admit has more than one row (MAT!I5, MAT!I6); keep one row per item",
        "sheet 'MAT': the row of mat.route (MOUD route) is missing; it belongs on sheet MAT: "
        "restore the row (copy it from a new template) with its answer",
        "COD!I5: 'cod.screenn' is not an item of mini 1.0; did you mean cod.screen?",
        "sheet 'COD': the row of cod.screen (Universal screening) is missing; it belongs on "
        "sheet COD: restore the row (copy it from a new template) with its answer",
    ]


def test_answer_in_a_row_without_item_id(blank: bytes, tmp_path: Path) -> None:
    wb = fill(blank, {})
    wb["MAT"].insert_rows(6)
    wb["MAT"]["D6"] = 4
    wb["MAT"]["C6"] = "my own remark"  # text outside the read columns is fine
    assert problems_of(save(wb, tmp_path / "noid.xlsx")) == [
        "MAT!D6: this row has no item id in I6, so what it holds cannot be read; move it into "
        "the row of its item, or clear it"
    ]


def test_header_row_problems(blank: bytes, tmp_path: Path) -> None:
    wb = fill(blank, {"cod.screen": {"answer": 3}})
    wb["MAT"].delete_rows(lay.HEADER_ROW)
    wb["COD"].delete_cols(lay.COLUMN_INDEX["na_reason"])
    assert problems_of(save(wb, tmp_path / "header.xlsx")) == [
        "sheet 'MAT': no header row with 'Item id' and 'Answer' in the first 30 rows, so this "
        "sheet's answers cannot be read; restore the header row (copy it from a new template)",
        "COD!3:3: the 'N/A reason' column is missing from the header row; restore it (copy it "
        "from a new template)",
    ]
    wb = fill(blank, {})
    wb["MAT"].cell(lay.HEADER_ROW, 12).value = "Answer"
    assert problems_of(save(wb, tmp_path / "twice.xlsx")) == [
        "MAT!D3: the 'Answer' column appears more than once (D3, L3); keep one",
        "MAT!L3: the 'Answer' column appears more than once (D3, L3); keep one",
    ]


@pytest.mark.parametrize(
    ("label", "typed", "problem"),
    [
        (
            "Setting",
            "Rehab",
            'Program!B5: "Rehab" is not a setting; pick one from the list: Residential, '
            "Outpatient, Intensive outpatient, Hospital inpatient, Opioid treatment program (OTP), "
            "Other",
        ),
        (
            "Hospital-based",
            "maybe",
            'Program!B6: "maybe" is not Yes or No; pick Yes if a hospital runs the program, '
            "else No",
        ),
        (
            "Assessment date",
            "01/10/2026",
            'Program!B9: "01/10/2026" is not a date in the form YYYY-MM-DD; type it as '
            "YYYY-MM-DD (e.g. 2026-10-01) or enter a date",
        ),
        (
            "Assessment date",
            "2026-02-30",
            'Program!B9: "2026-02-30" is not a real date; type it as YYYY-MM-DD (e.g. 2026-10-01) '
            "or enter a date",
        ),
        (
            "Assessor",
            "x" * 201,
            "Program!B8: the text is too long (201 characters); shorten it to at most 200 "
            "characters",
        ),
    ],
)
def test_program_sheet_problems(
    blank: bytes, tmp_path: Path, label: str, typed: Any, problem: str
) -> None:
    path = save(fill(blank, {}, PROGRAM | {label: typed}), tmp_path / "program.xlsx")
    assert problems_of(path) == [problem]


def test_a_fresh_template_scores_as_a_draft(blank: bytes, tmp_path: Path) -> None:
    """Name, setting, hospital-based and date left empty: read as not given; the score is a
    draft whose warnings name each missing field, and nothing else is refused."""
    empty = dict.fromkeys(["Program name", "Setting", "Hospital-based", "Assessment date"])
    path = save(fill(blank, {"mat.admit": {"answer": 3}}, PROGRAM | empty), tmp_path / "fresh.xlsx")
    instrument, responses = read_workbook(path, MINI)
    assert responses.missing() == [
        "program name",
        "setting",
        "hospital-based (yes or no)",
        "assessment date",
    ]
    result = score(instrument, responses)
    assert result.draft and result.missing == responses.missing()
    assert result.warnings[0] == "The program's name is not given; fill it in."
    assert any("setting is not given" in w for w in result.warnings)
    assert result.item("mat.admit").score == 3


def test_date_as_a_plain_number(blank: bytes, tmp_path: Path) -> None:
    wb = fill(blank, {}, PROGRAM | {"Assessment date": 46296})
    wb[lay.PROGRAM_SHEET]["B9"].number_format = "General"
    assert problems_of(save(wb, tmp_path / "serial.xlsx")) == [
        "Program!B9: 46296 is a number, not a date; type it as YYYY-MM-DD (e.g. 2026-10-01) "
        "or enter a date"
    ]


def test_unknown_setting_does_not_also_refuse_na_on_setting_limited_items(
    blank: bytes, tmp_path: Path
) -> None:
    wb = fill(
        blank, {"mat.storage": {"answer": "N/A", "na_reason": "x"}}, PROGRAM | {"Setting": "?"}
    )
    assert [p.split(":")[0] for p in problems_of(save(wb, tmp_path / "s.xlsx"))] == ["Program!B5"]


def test_program_sheet_missing_or_its_line(blank: bytes, tmp_path: Path) -> None:
    wb = fill(blank, {})
    wb[lay.PROGRAM_SHEET]["A5"] = "Kind of program"
    assert problems_of(save(wb, tmp_path / "line.xlsx")) == [
        "sheet 'Program': the 'Setting' line is missing; restore it (its label in column A, the "
        "value beside it)"
    ]
    del wb[lay.PROGRAM_SHEET]
    assert problems_of(save(wb, tmp_path / "sheet.xlsx")) == [
        "the Program sheet is missing (it names the program, setting and date); restore it, or "
        "make a new template with `audit-kit template` and copy the answers into it"
    ]


def test_formula_without_saved_result_and_error_cells(blank: bytes, tmp_path: Path) -> None:
    wb = fill(blank, {"mat.admit": {"answer": "=1+2"}, "mat.route": {"note": "=A1"}})
    path = save(wb, tmp_path / "nocache.xlsx")
    patch(
        path,
        sheet_part(path, "COD"),
        lambda x: re.sub(rb'<c r="D6"( s="\d+")[^>]*/>', rb'<c r="D6"\1 t="e"><v>#N/A</v></c>', x),
    )
    assert problems_of(path) == [
        "MAT!D5: the cell holds a formula without a saved result; type the answer itself, or "
        "open and save the file in Excel or LibreOffice so that the result is saved",
        "MAT!G6: the cell holds a formula without a saved result; type the text itself, or open "
        "and save the file in Excel or LibreOffice so that the result is saved",
        "COD!D6: the cell shows the error #N/A, not a value; replace the formula or text with "
        "the answer itself",
    ]


def test_text_too_long(blank: bytes, tmp_path: Path) -> None:
    wb = fill(blank, {"mat.admit": {"answer": 3, "note": "n" * 10_001}})
    assert problems_of(save(wb, tmp_path / "long.xlsx")) == [
        "MAT!G5: the text is too long (10,001 characters); shorten it to at most 2,000 characters"
    ]


# -- the hidden identity sheet -----------------------------------------------------------------


def _meta_set(wb: Workbook, key: str, value: Any) -> Workbook:
    wb[lay.META_SHEET].cell(lay.META_ROW[key], 2).value = value
    return wb


def test_wrong_instrument_version_or_id(blank: bytes, tmp_path: Path) -> None:
    path = save(_meta_set(fill(blank, {}), "instrument_version", "0.9"), tmp_path / "v.xlsx")
    assert problems_of(path) == [
        "_meta!B4: these responses are for version 0.9 of mini, but the instrument loaded is "
        "version 1.0; use the matching instrument file with --instrument"
    ]
    path = save(_meta_set(fill(blank, {}), "instrument_id", "other"), tmp_path / "id.xlsx")
    assert problems_of(path) == [
        "_meta!B3: these responses are for instrument 'other', not 'mini'; pass the matching "
        "instrument with --instrument"
    ]


def test_different_edition_of_the_instrument(blank: bytes, tmp_path: Path) -> None:
    data = MINI.model_dump()
    data["domains"][0]["dimensions"][0]["items"][0]["weight"] = 3
    edited = Instrument.model_validate(data)
    path = save(fill(blank, {}), tmp_path / "edition.xlsx")
    assert problems_of(path, edited) == [
        "_meta!B5: this workbook was made from a different edition of mini 1.0: its items, "
        "answers or scoring differ from the instrument loaded. Pass the instrument file it was "
        "made from with --instrument, or make a new template with `audit-kit template` and copy "
        "the answers into it"
    ]
    data = MINI.model_dump()
    data["domains"][0]["dimensions"][0]["items"][0]["guidance"] = "Fixed a typo."
    _, responses = read_workbook(path, Instrument.model_validate(data))
    assert responses.program.name == "Casa Esperanza"


def test_meta_sheet_missing_or_naming_an_unbundled_instrument(blank: bytes, tmp_path: Path) -> None:
    path = save(fill(blank, {"mat.admit": {"answer": 2}}), tmp_path / "meta.xlsx")
    assert problems_of(path, None) == [
        "_meta!B3: the workbook was made for instrument 'mini', which is not bundled with "
        "audit-kit; pass its .yaml or .json file with --instrument"
    ]
    wb = fill(blank, {"mat.admit": {"answer": 2}})
    del wb[lay.META_SHEET]
    path = save(wb, tmp_path / "nometa.xlsx")
    assert problems_of(path, None) == [
        "this workbook has no hidden audit-kit _meta sheet, so the instrument it answers is "
        "unknown (it was not made by `audit-kit template`, or its sheets were copied into "
        "another workbook); pass --instrument, or make a new template with `audit-kit template` "
        "and copy the answers into it"
    ]
    _, responses = read_workbook(path, MINI)  # the item ids decide
    assert responses.answers == {"mat.admit": Answer(value=2)}


@pytest.mark.parametrize(
    ("key", "value", "problem"),
    [
        (
            "instrument_id",
            "../../etc/passwd",
            "_meta!B3: '../../etc/passwd' is not an instrument id",
        ),
        ("layout_version", 99, "_meta!B2: the workbook was made by a newer audit-kit (layout 99"),
        ("format", "something else", "_meta!B1: the _meta sheet is not audit-kit's"),
        ("checksum", None, "_meta!B5: the _meta sheet is damaged (checksum is missing)"),
    ],
)
def test_damaged_meta_sheet(
    blank: bytes, tmp_path: Path, key: str, value: Any, problem: str
) -> None:
    path = save(_meta_set(fill(blank, {}), key, value), tmp_path / "meta.xlsx")
    found = problems_of(path, None)
    assert len(found) == 1
    assert found[0].startswith(problem)


def test_bundled_instrument_is_found_from_the_meta_sheet(tmp_path: Path) -> None:
    bundled = load_instrument("mat-tsf-cod")
    first = bundled.item_ids[0]
    wb = fill(build_workbook(bundled), {first: {"answer": "N/A"}})
    path = save(wb, tmp_path / "bundled.xlsx")
    with pytest.raises(ResponsesError) as caught:
        read_workbook(path, None)
    assert [p.location.cell for p in caught.value.problems] == ["D5"]


# -- the command line and the input file -------------------------------------------------------


def test_score_reads_a_workbook(runner: CliRunner, blank: bytes, tmp_path: Path) -> None:
    path = save(fill(blank, {"mat.admit": {"answer": "1 - refused"}}), tmp_path / "in.xlsx")
    result = runner.invoke(cli, ["score", str(path), "-i", str(DATA / "mini.yaml")])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("Casa Esperanza — Outpatient")
    assert "People on MOUD are refused admission." in result.stdout
    assert result.stderr == ""


def test_score_lists_every_problem_and_exits_2(
    runner: CliRunner, blank: bytes, tmp_path: Path
) -> None:
    wb = fill(blank, {"mat.admit": {"answer": "maybe"}, "mat.pregnancy": {"answer": "N/A"}})
    path = save(wb, tmp_path / "bad.xlsx")
    result = runner.invoke(cli, ["score", str(path), "-i", str(DATA / "mini.yaml")])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f'Error: {path}: MAT!D5: "maybe" is not an answer to MAT-1; give one score: 1, 2, 3, 4 '
        "or 5",
        f"Error: {path}: MAT!E9: mat.pregnancy is marked N/A without a reason; say why it does "
        "not apply",
    ]


def test_the_input_workbook_is_never_written(
    runner: CliRunner, blank: bytes, tmp_path: Path
) -> None:
    path = save(fill(blank, {"mat.admit": {"answer": 3}}), tmp_path / "in.xlsx")
    path.chmod(0o444)
    before = (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns)
    read_workbook(path, MINI)
    result = runner.invoke(cli, ["score", str(path), "-i", str(DATA / "mini.yaml")])
    assert result.exit_code == 0
    assert (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.xlsx"]


def test_unparsable_sheet_is_one_clear_problem(blank: bytes, tmp_path: Path) -> None:
    path = save(fill(blank, {}), tmp_path / "broken.xlsx")
    patch(path, sheet_part(path, "MAT"), lambda x: x.replace(b"</sheetData>", b""))
    with pytest.raises(InputFileError) as caught:
        read_workbook(path, MINI)
    (problem,) = caught.value.problems
    assert problem.code == "damaged"
    assert problem.message.startswith(
        "sheet MAT (part xl/worksheets/sheet3.xml) is damaged: it is cut off or is not "
        "well-formed XML (line "
    )
    # past the guard, a parser failure is one message too
    with pytest.raises(InputFileError) as caught:
        load(Checked(path.read_bytes()), str(path))
    (problem,) = caught.value.problems
    assert problem.code == "unreadable"
    assert problem.message.startswith("the workbook cannot be read (")


@pytest.mark.parametrize(
    ("damage", "line"),
    [
        (
            lambda wb: wb["MAT"].delete_rows(6),
            "sheet 'MAT': the row of mat.route (MOUD route) is missing; it belongs on sheet MAT: "
            "restore the row (copy it from a new template) with its answer",
        ),
        (
            lambda wb: _meta_set(wb, "instrument_version", "2.0"),
            "_meta!B4: these responses are for version 2.0 of mini, but the instrument loaded is "
            "version 1.0; use the matching instrument file with --instrument",
        ),
    ],
)
def test_cli_reports_workbook_problems_located(
    runner: CliRunner, blank: bytes, tmp_path: Path, damage: Any, line: str
) -> None:
    wb = fill(blank, {"mat.admit": {"answer": 3}})
    damage(wb)
    path = save(wb, tmp_path / "in.xlsx")
    result = runner.invoke(cli, ["score", str(path), "-i", str(DATA / "mini.yaml")])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == f"Error: {path}: {line}\n"
