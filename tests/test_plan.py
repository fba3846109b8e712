"""The action-plan workbook: its rows and columns, text kept as text, progress read back."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from audit_kit.catalog import load_instrument
from audit_kit.cli import cli
from audit_kit.errors import AuditKitError
from audit_kit.formats.plan import layout as lay
from audit_kit.formats.plan.reader import Action, read_plan
from audit_kit.formats.plan.writer import build_plan
from audit_kit.formats.responses_json import dump_responses
from audit_kit.formats.xlsx.template import build_workbook
from audit_kit.model.responses import Answer, Program, Responses
from audit_kit.model.vocab import GapKind, Setting
from audit_kit.scoring import score
from audit_kit.workflows.assess import assess
from audit_kit.workflows.plan import default_plan_path, plan_status, write_plan

from conftest import DATA, EXAMPLES

MINI = load_instrument(DATA / "mini.yaml")
HOSTILE_NAME = '=HYPERLINK("http://example.invalid","Casa")'
RESPONSES = Responses(
    instrument_id="mini",
    instrument_version="1.0",
    program=Program(name="Casa Esperanza", setting=Setting.OUTPATIENT, hospital_based=False),
    assessor="Ana Pérez",
    assessment_date=date(2026, 10, 1),
    answers={
        "mat.admit": Answer(value=1, note="=1+1"),  # critical, weight 2
        "mat.route": Answer(value="referral"),  # 3: towards enhanced
        "mat.naloxone": Answer(value=45),  # band 2: below capable
        "mat.pregnancy": Answer(value=2),  # below capable, ties with naloxone
        "cod.screen": Answer(value=4, note="+ screen at intake"),  # towards enhanced
        "cod.crisis": Answer(value=1),  # critical, weight 1.5
    },
)
COL = lay.COLUMN_INDEX
FIRST = lay.FIRST_ROW
AS_OF = date(2026, 12, 1)


def plan_bytes(responses: Responses = RESPONSES) -> bytes:
    return build_plan(MINI, score(MINI, responses), fingerprint=responses.fingerprint())


def write(tmp_path: Path, responses: Responses = RESPONSES, name: str = "plan.xlsx") -> Path:
    path = tmp_path / name
    path.write_bytes(plan_bytes(responses))
    return path


def sheet(data: bytes, title: str = lay.PLAN_SHEET) -> Any:
    return load_workbook(io.BytesIO(data))[title]


def typed(path: Path, progress: dict[str, dict[str, Any]], out: Path | None = None) -> Path:
    """Type progress into a plan the way people do: each action's row found by its code, the
    cells found by their header. Text goes in as text (the cells are formatted as text)."""
    wb = load_workbook(path)
    ws = wb[lay.PLAN_SHEET]
    headers = {ws.cell(lay.HEADER_ROW, c).value: c for c in range(1, ws.max_column + 1)}
    rows = {ws.cell(r, headers["Code"]).value: r for r in range(FIRST, ws.max_row + 1)}
    keys = {c.key: c.header for c in lay.COLUMNS}
    for code, cells in progress.items():
        for key, value in cells.items():
            cell = ws.cell(rows[code], headers[keys[key]])
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"
    target = out or path
    wb.save(target)
    return target


def problems_of(path: Path) -> list[str]:
    with pytest.raises(AuditKitError) as caught:
        read_plan(path)
    return [str(p).removeprefix(f"{path}: ") for p in caught.value.problems]


# -- the workbook --------------------------------------------------------------------------------


def test_one_row_per_gap_in_priority_order_grouped_by_time_frame() -> None:
    ws = sheet(plan_bytes())
    assert [ws.cell(lay.HEADER_ROW, n).value for n in range(1, len(lay.COLUMNS) + 1)] == [
        "Time frame",
        "Priority",
        "Code",
        "Practice",
        "Finding",
        "What to do",
        "Why",
        "Source",
        "Owner",
        "Due date",
        "Status",
        "Notes",
    ]
    rows = range(FIRST, ws.max_row + 1)
    got = [
        (
            ws.cell(r, COL["timeframe"]).value,
            ws.cell(r, COL["priority"]).value,
            ws.cell(r, COL["code"]).value,
        )
        for r in rows
    ]
    # criticals by weight × (3 − score), then below capable (a tie keeps instrument order),
    # then towards enhanced
    assert got == [
        ("30 days\nCritical", 1, "MAT-1"),
        ("30 days\nCritical", 2, "COD-2"),
        ("90 days\nBelow capable", 3, "MAT-3"),
        ("90 days\nBelow capable", 4, "MAT-4"),
        ("12 months\nTowards enhanced", 5, "MAT-2"),
        ("12 months\nTowards enhanced", 6, "COD-1"),
    ]
    assert [ws.cell(r, COL["status"]).value for r in rows] == ["Not started"] * 6
    assert all(ws.cell(r, COL[k]).value is None for r in rows for k in ("owner", "due"))
    # a heavier rule opens each time frame
    tops = [ws.cell(r, COL["code"]).border.top.style for r in rows]
    assert tops == ["medium", "thin", "medium", "thin", "medium", "thin"]
    assert ws["A1"].value == "Action plan: Casa Esperanza"
    assert ws["A2"].value == (
        "Assessed 2026-10-01 with mini 1.0. 6 actions in priority order: 2 within 30 days "
        "(critical); 2 within 90 days (below capable); 2 within 12 months (towards enhanced)."
    )


def test_finding_what_to_do_why_and_source() -> None:
    ws = sheet(plan_bytes())

    def row(n: int) -> dict[str, Any]:
        return {key: ws.cell(FIRST + n, col).value for key, col in COL.items()}

    critical, below, percent, choice = row(0), row(3), row(2), row(4)
    assert critical["practice"] == "Admission on MOUD"
    assert critical["finding"] == "People on MOUD are refused admission. Scored 1 of 5."
    assert critical["action"] == "Contract a prescriber to continue MOUD on site."  # tailored
    assert critical["why"] == (
        "Critical safety finding: Medications stays not capable until it is resolved."
    )
    assert critical["source"] == "Test Society (2020), Ch. 1"
    assert critical["notes"] == "=1+1"
    assert below["finding"] == "Scored 2 of 5, between the anchors for 1 and 3; at 1: “No.”"
    assert below["why"] == (
        "Below routine practice (3). Safety scores 2.00; capable needs 3.00 in every dimension."
    )
    assert percent["finding"] == "45% of audited charts (2 of 5)."
    assert choice["finding"] == "Answered “By written referral” (3 of 5)."
    assert choice["why"] == (
        "Short of full practice (5). Access scores 1.67; enhanced needs 4.50 in every dimension."
    )
    enhanced = row(5)
    assert enhanced["finding"] == "Scored 4 of 5, between the anchors for 3 and 5; at 3: “Often.”"


def test_status_dropdown_and_due_date_check() -> None:
    ws = sheet(plan_bytes())
    status = f"K{FIRST}:K{FIRST + 5}"
    due = f"J{FIRST}:J{FIRST + 5}"
    checks = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    assert set(checks) == {status, due}
    assert checks[status].type == "list"
    assert checks[status].formula1 == '"Not started,In progress,Done,Won\'t do"'
    assert checks[status].errorStyle == "stop"
    assert checks[due].type == "date"
    assert ws.cell(FIRST, COL["due"]).number_format == "yyyy-mm-dd"
    # what people type stays text: owner and notes cells are formatted as text
    assert ws.cell(FIRST, COL["owner"]).number_format == "@"
    assert ws.cell(FIRST, COL["notes"]).number_format == "@"


def test_frozen_header_filter_widths_and_print_setup() -> None:
    ws = sheet(plan_bytes())
    assert ws.freeze_panes == f"A{FIRST}"
    assert ws.auto_filter.ref == f"A{lay.HEADER_ROW}:L{FIRST + 5}"
    widths = {c.key: ws.column_dimensions[chr(64 + COL[c.key])].width for c in lay.COLUMNS}
    assert widths == {c.key: c.width for c in lay.COLUMNS}
    # owner, due date and status wide enough to write in by hand
    assert widths["owner"] >= 14 and widths["due"] >= 11 and widths["status"] >= 12
    assert ws.print_title_rows == f"${lay.HEADER_ROW}:${lay.HEADER_ROW}"
    assert ws.page_setup.orientation == "landscape"
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.oddHeader.left.text == "Casa Esperanza"
    assert ws.oddHeader.right.text == "Action plan"
    assert ws.oddFooter.center.text == "Page &P of &N"
    for r in range(FIRST, FIRST + 6):
        assert 12 < ws.row_dimensions[r].height <= 409
        assert ws.cell(r, COL["action"]).alignment.wrap_text


def test_hidden_sheet_identifies_the_plan(tmp_path: Path) -> None:
    wb = load_workbook(io.BytesIO(plan_bytes()))
    assert wb.sheetnames == [lay.PLAN_SHEET, lay.META_SHEET]
    assert wb[lay.META_SHEET].sheet_state == "veryHidden"
    info = read_plan(write(tmp_path)).info
    assert (info.instrument_id, info.instrument_version) == ("mini", "1.0")
    assert (info.program, info.assessment_date) == ("Casa Esperanza", date(2026, 10, 1))
    assert info.fingerprint == RESPONSES.fingerprint()


def test_same_assessment_same_bytes() -> None:
    assert plan_bytes() == plan_bytes()
    undated = RESPONSES.model_copy(update={"assessment_date": None})
    assert plan_bytes(undated) == plan_bytes(undated)
    with zipfile.ZipFile(io.BytesIO(plan_bytes())) as zf:
        assert {i.date_time for i in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert b"2026-10-01T00:00:00Z" in zf.read("docProps/core.xml")


def test_no_gaps_gives_an_empty_plan_that_reads_back(tmp_path: Path) -> None:
    top = RESPONSES.model_copy(
        update={"answers": {i: Answer(value=5) for i in ("mat.admit", "cod.screen")}}
    )
    path = write(tmp_path, top)
    ws = sheet(path.read_bytes())
    assert ws.cell(FIRST, 1).value == "No actions: every answered item scored 5."
    status = plan_status(path, AS_OF)
    assert status.actions == () and status.overdue == ()


def test_program_name_and_notes_that_look_like_formulas_stay_text() -> None:
    hostile = RESPONSES.model_copy(
        update={"program": RESPONSES.program.model_copy(update={"name": HOSTILE_NAME})}
    )
    data = plan_bytes(hostile)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        parts = [zf.read(n) for n in zf.namelist() if n.startswith("xl/worksheets/")]
    assert len(parts) == 2
    for xml in parts:
        assert not re.search(rb"<f[ >/]", xml), "a formula was written"
    wb = load_workbook(io.BytesIO(data))
    ws, meta = wb[lay.PLAN_SHEET], wb[lay.META_SHEET]
    for cell in (ws.cell(FIRST, COL["notes"]), ws.cell(FIRST + 5, COL["notes"]), meta["B5"]):
        assert cell.data_type == "s" and cell.quotePrefix, cell.coordinate
    assert meta["B5"].value == HOSTILE_NAME
    assert ws.cell(FIRST + 5, COL["notes"]).value == "+ screen at intake"
    assert ws.oddHeader.left.text == HOSTILE_NAME


# -- reading progress back -----------------------------------------------------------------------


def test_progress_typed_in_any_reasonable_form_reads_back(tmp_path: Path) -> None:
    path = typed(
        write(tmp_path),
        {
            "MAT-1": {"owner": "Dr. Lee", "due": datetime(2026, 11, 15), "status": "done"},
            "COD-2": {"owner": "=Director", "due": "2026-11-20", "status": "IN PROGRESS"},
            "MAT-3": {"due": " 2026-1-5 ", "status": "won’t do", "notes": "@ pharmacy"},
            "MAT-4": {"due": "2026-12-01", "status": None},
            "MAT-2": {"status": "Not-Started", "notes": "Line one\nline two"},
        },
    )
    actions = {a.code: a for a in read_plan(path).actions}
    assert actions["MAT-1"] == Action(
        code="MAT-1",
        title="Admission on MOUD",
        kind=GapKind.CRITICAL,
        rank=1,
        status=lay.Status.DONE,
        owner="Dr. Lee",
        due=date(2026, 11, 15),
        notes="=1+1",
        row=FIRST,
    )
    assert (actions["COD-2"].owner, actions["COD-2"].due) == ("=Director", date(2026, 11, 20))
    assert actions["COD-2"].status is lay.Status.IN_PROGRESS
    assert (actions["MAT-3"].status, actions["MAT-3"].due) == (lay.Status.WONT_DO, date(2026, 1, 5))
    assert actions["MAT-3"].notes == "@ pharmacy"
    assert actions["MAT-4"].status is lay.Status.NOT_STARTED  # an emptied cell
    assert actions["MAT-2"].notes == "Line one\nline two"


@pytest.mark.parametrize(
    ("typed_text", "status"),
    [
        ("Done", lay.Status.DONE),
        ("DONE", lay.Status.DONE),
        (" done ", lay.Status.DONE),
        ("In progress", lay.Status.IN_PROGRESS),
        ("in-progress", lay.Status.IN_PROGRESS),
        ("Won't do", lay.Status.WONT_DO),
        ("wont do", lay.Status.WONT_DO),
        ("Won’t Do", lay.Status.WONT_DO),
        ("not started", lay.Status.NOT_STARTED),
        ("Not_Started", lay.Status.NOT_STARTED),
    ],
)
def test_status_labels_in_any_case_and_punctuation(typed_text: str, status: lay.Status) -> None:
    assert lay.parse_status(typed_text) is status


@pytest.mark.parametrize("typed_text", ["", "  ", "finished", "don", "started", "progress"])
def test_what_is_no_status(typed_text: str) -> None:
    assert lay.parse_status(typed_text) is None


def test_every_problem_located_at_once(tmp_path: Path) -> None:
    path = typed(
        write(tmp_path),
        {
            "MAT-1": {"status": "Dne", "due": "next week"},
            "COD-2": {"due": "2026-02-30"},
            "MAT-3": {"due": 46300.0, "status": "finished"},
            "MAT-4": {"due": "01/12/2026"},
        },
    )
    wb = load_workbook(path)
    wb[lay.PLAN_SHEET].cell(FIRST + 2, COL["due"]).number_format = "General"
    wb.save(path)
    fix = "type it as YYYY-MM-DD (e.g. 2026-12-31) or enter a date"
    assert problems_of(path) == [
        f"'Action plan'!J5: \"next week\" is not a date in the form YYYY-MM-DD; {fix}",
        '\'Action plan\'!K5: "Dne" is not a status (did you mean "Done"?); pick Not started, '
        "In progress, Done or Won't do",
        f"'Action plan'!J6: \"2026-02-30\" is not a real date; {fix}",
        f"'Action plan'!J7: 46300 is a number, not a date; {fix}",
        "'Action plan'!K7: \"finished\" is not a status; pick Not started, In progress, Done or "
        "Won't do",
        f"'Action plan'!J8: \"01/12/2026\" is not a date in the form YYYY-MM-DD; {fix}",
    ]


def test_formula_cells_without_a_result_and_error_values(tmp_path: Path) -> None:
    path = write(tmp_path)
    wb = load_workbook(path)
    ws = wb[lay.PLAN_SHEET]
    ws.cell(FIRST, COL["status"]).value = '=IF(1,"Done")'  # a real formula, no saved result
    wb.save(path)
    assert problems_of(path) == [
        "'Action plan'!K5: the cell holds a formula without a saved result; type the status "
        "itself, or open and save the file in Excel or LibreOffice so that the result is saved"
    ]


def test_rows_sorted_moved_deleted_added_and_a_column_inserted(tmp_path: Path) -> None:
    """The team sorts by owner, inserts a column, deletes a row and adds an action of its own."""
    path = typed(
        write(tmp_path),
        {"MAT-1": {"status": "Done"}, "MAT-2": {"owner": "Ana", "due": date(2026, 11, 1)}},
    )
    wb = load_workbook(path)
    ws = wb[lay.PLAN_SHEET]
    ws.delete_rows(FIRST + 3)  # MAT-4
    ws.move_range(f"A{FIRST}:L{FIRST}", rows=20)  # MAT-1 to the bottom
    ws.insert_cols(3)
    ws.cell(lay.HEADER_ROW, 3).value = "Team"
    ws.cell(40, 4).value = "OWN-1"
    ws.cell(40, 1 + COL["status"]).value = "In progress"
    ws.cell(41, 1 + COL["notes"]).value = "A note under the table"
    wb.save(path)
    progress = read_plan(path)
    actions = {a.code: a for a in progress.actions}
    assert [a.code for a in progress.actions] == [
        "MAT-1",
        "COD-2",
        "MAT-3",
        "MAT-4",
        "MAT-2",
        "COD-1",
    ]
    assert (actions["MAT-1"].status, actions["MAT-1"].row) == (lay.Status.DONE, FIRST + 20)
    assert actions["MAT-2"].owner == "Ana"
    assert actions["MAT-4"].status is None and actions["MAT-4"].row is None
    assert progress.other_rows == (40, 41)


def test_one_row_per_action(tmp_path: Path) -> None:
    path = write(tmp_path)
    wb = load_workbook(path)
    ws = wb[lay.PLAN_SHEET]
    ws.cell(30, COL["code"]).value = "mat-1"
    wb.save(path)
    assert problems_of(path) == [
        "'Action plan'!C30: MAT-1 appears again (first in row 5); keep one row per action"
    ]


def test_sheet_renamed_header_lost_or_a_column_missing(tmp_path: Path) -> None:
    path = write(tmp_path)
    wb = load_workbook(path)
    wb[lay.PLAN_SHEET].title = "Our plan"
    wb.save(path)
    assert read_plan(path).sheet == "Our plan"
    wb[lay.PLAN_SHEET if lay.PLAN_SHEET in wb else "Our plan"].cell(
        lay.HEADER_ROW, COL["due"]
    ).value = "When"
    wb.save(path)
    assert problems_of(path) == [
        "sheet 'Our plan': the 'Due date' column is missing from the header row (row 4); "
        "restore its header"
    ]
    wb["Our plan"].cell(lay.HEADER_ROW, COL["status"]).value = "State"
    wb.save(path)
    assert problems_of(path) == [
        "the 'Action plan' sheet is missing; restore it (or give back its name), or make the "
        "plan again with `audit-kit plan RESPONSES` and copy the progress across"
    ]


def test_not_a_plan_or_a_damaged_one(tmp_path: Path) -> None:
    assessment = tmp_path / "casa.xlsx"
    assessment.write_bytes(build_workbook(MINI, responses=RESPONSES))
    assert problems_of(assessment) == [
        "is not an action plan made by `audit-kit plan` (it is an assessment workbook; make its "
        "plan with `audit-kit plan FILE`)"
    ]
    path = write(tmp_path)
    wb = load_workbook(path)
    wb[lay.META_SHEET]["B7"].value = None  # the fingerprint
    wb.save(path)
    assert problems_of(path) == [
        "_plan!B7: the hidden plan sheet is damaged (fingerprint is missing); make the plan "
        "again with `audit-kit plan RESPONSES` and copy the progress across"
    ]
    wb[lay.META_SHEET]["B7"].value = "abc"
    wb[lay.META_SHEET]["B2"].value = lay.LAYOUT_VERSION + 1
    wb.save(path)
    assert problems_of(path) == [
        "the plan was made by a newer audit-kit (layout 2; this one reads up to 1); upgrade "
        "audit-kit"
    ]


# -- overdue and the status ----------------------------------------------------------------------


def action(status: lay.Status | None, due: date | None) -> Action:
    return Action(
        "X-1", "Title", GapKind.CRITICAL, 1, status, due=due, row=None if not status else 9
    )


@pytest.mark.parametrize(
    ("status", "due", "overdue"),
    [
        (lay.Status.NOT_STARTED, AS_OF - timedelta(days=1), True),
        (lay.Status.IN_PROGRESS, date(2026, 1, 1), True),
        (lay.Status.IN_PROGRESS, AS_OF, False),  # due today is not late yet
        (lay.Status.NOT_STARTED, AS_OF + timedelta(days=1), False),
        (lay.Status.DONE, date(2026, 1, 1), False),
        (lay.Status.WONT_DO, date(2026, 1, 1), False),
        (lay.Status.NOT_STARTED, None, False),
        (None, date(2026, 1, 1), False),  # the row was deleted
    ],
)
def test_overdue(status: lay.Status | None, due: date | None, overdue: bool) -> None:
    assert action(status, due).overdue(AS_OF) is overdue


@given(
    st.sampled_from(list(lay.Status)),
    st.one_of(st.none(), st.dates()),
    st.dates(),
)
def test_overdue_is_open_and_due_before_the_day(
    status: lay.Status, due: date | None, as_of: date
) -> None:
    expected = status in (lay.Status.NOT_STARTED, lay.Status.IN_PROGRESS) and (
        due is not None and due < as_of
    )
    assert action(status, due).overdue(as_of) is expected


def test_status_by_time_frame(tmp_path: Path) -> None:
    path = typed(
        write(tmp_path),
        {
            "MAT-1": {"status": "Done", "due": date(2026, 10, 15)},
            "COD-2": {"status": "In progress", "due": "2026-11-20", "owner": "Dr. Ray"},
            "MAT-3": {"due": date(2026, 11, 1)},
            "MAT-4": {"status": "Won't do", "due": date(2026, 11, 1)},
            "MAT-2": {"due": date(2027, 6, 1)},
        },
    )
    status = plan_status(path, AS_OF)
    critical, below, enhanced = status.frames
    assert [f.kind for f in status.frames] == list(GapKind)
    assert [a.code for a in critical.overdue] == ["COD-2"]
    assert [a.code for a in below.overdue] == ["MAT-3"]
    assert enhanced.overdue == ()
    assert [a.code for a in status.overdue] == ["COD-2", "MAT-3"]
    assert {s: status.count(s) for s in lay.Status} == {
        lay.Status.NOT_STARTED: 3,
        lay.Status.IN_PROGRESS: 1,
        lay.Status.DONE: 1,
        lay.Status.WONT_DO: 1,
    }
    assert status.open_without_due == 1  # COD-1
    # the day decides, not the clock
    assert plan_status(path, date(2026, 11, 1)).overdue == ()


# -- the command ---------------------------------------------------------------------------------


@pytest.fixture(name="responses_json")
def _responses_json(tmp_path: Path) -> Path:
    path = tmp_path / "casa.json"
    path.write_bytes(dump_responses(RESPONSES))
    return path


def test_plan_command_writes_beside_the_reports_and_refuses_to_overwrite(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, responses_json: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    args = ["plan", str(responses_json), "-i", str(DATA / "mini.yaml")]
    first = runner.invoke(cli, args, catch_exceptions=False)
    assert first.exit_code == 0, first.stderr
    assert first.stdout == "casa-esperanza-2026-10-01-plan.xlsx\n"
    assert first.stderr == (
        "Next: fill in owner, due date and status as the work goes; `audit-kit plan --status "
        "casa-esperanza-2026-10-01-plan.xlsx` lists what is done and overdue.\n"
    )
    written = Path("casa-esperanza-2026-10-01-plan.xlsx").read_bytes()
    assert written == plan_bytes()
    again = runner.invoke(cli, args)
    assert (again.exit_code, again.stdout) == (2, "")
    assert again.stderr == (
        "Error: casa-esperanza-2026-10-01-plan.xlsx: already exists; choose another name with "
        "-o, or pass --force to replace it\n"
    )
    forced = runner.invoke(cli, [*args, "--force"])
    assert forced.exit_code == 0
    assert Path("casa-esperanza-2026-10-01-plan.xlsx").read_bytes() == written
    other = runner.invoke(cli, [*args, "-o", "plans.xlsx"])
    assert (other.exit_code, other.stdout) == (0, "plans.xlsx\n")


def test_default_plan_name(tmp_path: Path) -> None:
    result = assess(EXAMPLES / "residential-12step.json").result
    assert default_plan_path(result) == Path(
        "bramblewood-lodge-residential-program-fictional-2026-10-28-plan.xlsx"
    )
    undated = result.model_copy(update={"assessment_date": None})
    assert default_plan_path(undated).name.endswith("-undated-plan.xlsx")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["-o", "plan.csv"], "Error: plan.csv: give an output file name ending in .xlsx\n"),
        (
            ["-o", "no/such/folder/p.xlsx"],
            "Error: no/such/folder/p.xlsx: folder 'no/such/folder' does not exist; create it "
            "or choose another -o\n",
        ),
        (["--as-of", "2026-12-01"], "Error: --as-of goes with --status\n"),
    ],
)
def test_plan_command_refusals(
    runner: CliRunner,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    responses_json: Path,
    extra: list[str],
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(
        cli, ["plan", str(responses_json), "-i", str(DATA / "mini.yaml"), *extra]
    )
    assert result.exit_code == 2
    assert result.stderr.endswith(message)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["casa.json"]


def test_a_plan_given_as_responses_is_named_as_such(runner: CliRunner, tmp_path: Path) -> None:
    path = write(tmp_path)
    result = runner.invoke(cli, ["plan", str(path), "-o", str(tmp_path / "again.xlsx")])
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {path}: is an action plan, not an assessment; to see its progress run "
        f"`audit-kit plan --status {path}`\n"
    )


def test_status_command(runner: CliRunner, tmp_path: Path) -> None:
    path = typed(
        write(tmp_path),
        {
            "MAT-1": {"status": "Done", "owner": "Dr. Lee"},
            "COD-2": {"status": "in progress", "due": "2026-11-20", "owner": "=Director"},
            "MAT-3": {"due": date(2026, 11, 1)},
            "MAT-4": {"status": "Won't do", "due": date(2026, 11, 1)},
        },
    )
    result = runner.invoke(
        cli, ["plan", "--status", str(path), "--as-of", "2026-12-01"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    fingerprint = RESPONSES.fingerprint()[:16]
    assert result.stdout == (
        "Action plan: Casa Esperanza\n"
        f"From the assessment of 2026-10-01 (mini 1.0, answers SHA-256 {fingerprint}…)\n"
        "Progress on 2026-12-01: 1 of 6 actions done, 2 overdue.\n"
        "\n"
        "Within 30 days (critical findings) — 2 actions: 1 done, 1 in progress, 0 not started, "
        "0 won't do\n"
        "  Overdue (1):\n"
        "    COD-2  Crisis protocol\n"
        "           due 2026-11-20, in progress, owner: =Director\n"
        "  Done (1):\n"
        "    MAT-1  Admission on MOUD\n"
        "\n"
        "Within 90 days (below capable) — 2 actions: 0 done, 0 in progress, 1 not started, "
        "1 won't do\n"
        "  Overdue (1):\n"
        "    MAT-3  Naloxone at discharge\n"
        "           due 2026-11-01, not started\n"
        "\n"
        "Within 12 months (towards enhanced) — 2 actions: 0 done, 0 in progress, 2 not started, "
        "0 won't do\n"
        "\n"
        "Total — 6 actions: 1 done, 1 in progress, 3 not started, 1 won't do; 2 overdue; "
        "2 open actions\n"
        "  without a due date.\n"
    )


def test_status_command_lists_deleted_and_extra_rows(runner: CliRunner, tmp_path: Path) -> None:
    path = write(tmp_path)
    wb = load_workbook(path)
    ws = wb[lay.PLAN_SHEET]
    ws.delete_rows(FIRST + 1)  # COD-2
    ws.cell(20, COL["status"]).value = "Done"
    wb.save(path)
    result = runner.invoke(cli, ["plan", "--status", str(path), "--as-of", "2026-12-01"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.endswith(
        "Not on the sheet any more (their rows were deleted), so not counted:\n"
        "    COD-2  Crisis protocol\n"
        "Row 20 holds entries on 'Action plan' but no action code of this plan; it is not "
        "counted.\n"
    )


def test_status_command_refusals(runner: CliRunner, tmp_path: Path) -> None:
    path = typed(write(tmp_path), {"MAT-1": {"status": "Dne"}})
    before = path.read_bytes()
    misspelt = runner.invoke(cli, ["plan", "--status", str(path)])
    assert (misspelt.exit_code, misspelt.stdout) == (2, "")
    assert misspelt.stderr == (
        f'Error: {path}: \'Action plan\'!K5: "Dne" is not a status (did you mean "Done"?); '
        "pick Not started, In progress, Done or Won't do\n"
    )
    assert path.read_bytes() == before
    for args, message in (
        (["--as-of", "1/12/2026"], "Error: --as-of: '1/12/2026' is not a date; give it as "),
        (["--as-of", "2026-02-30"], "Error: --as-of: '2026-02-30' is not a date; give it as "),
        (["-o", "x.xlsx"], "Error: -o/--output is for writing a plan; leave it out with --status"),
        (["--force"], "Error: --force is for writing a plan; leave it out with --status"),
    ):
        result = runner.invoke(cli, ["plan", "--status", str(path), *args])
        assert result.exit_code == 2, args
        assert message in result.stderr, result.stderr
    responses = tmp_path / "r.json"
    responses.write_bytes(dump_responses(RESPONSES))
    not_a_workbook = runner.invoke(cli, ["plan", "--status", str(responses)])
    assert not_a_workbook.exit_code == 2
    assert not_a_workbook.stderr.startswith(f"Error: {responses}: ")


def test_status_defaults_to_today(runner: CliRunner, tmp_path: Path) -> None:
    path = typed(write(tmp_path), {"MAT-1": {"due": date.today() - timedelta(days=1)}})
    result = runner.invoke(cli, ["plan", "--status", str(path)])
    assert result.exit_code == 0, result.stderr
    assert f"Progress on {date.today().isoformat()}: 0 of 6 actions done, 1 overdue." in (
        result.stdout
    )


def test_bundled_example_plan_reads_back_whole(tmp_path: Path) -> None:
    out = write_plan(EXAMPLES / "residential-12step.json", tmp_path / "plan.xlsx")
    assessed = assess(EXAMPLES / "residential-12step.json").result
    progress = read_plan(out)
    assert [(a.code, a.kind, a.rank, a.title) for a in progress.actions] == [
        (g.code, g.kind, g.rank, g.title) for g in assessed.gaps
    ]
    assert all(a.status is lay.Status.NOT_STARTED for a in progress.actions)


# -- LibreOffice ---------------------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_round_trip_keeps_text_as_text(tmp_path: Path) -> None:
    hostile = RESPONSES.model_copy(
        update={"program": RESPONSES.program.model_copy(update={"name": HOSTILE_NAME})}
    )
    path = typed(
        write(tmp_path, hostile),
        {
            "MAT-1": {"owner": "=Dr. Lee", "status": "done", "due": "2026-11-20"},
            "COD-2": {"notes": "-2 beds; +1 nurse", "due": date(2026, 11, 1)},
        },
    )
    out = tmp_path / "lo"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--headless",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    saved = out / "plan.xlsx"
    with zipfile.ZipFile(saved) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/"):
                assert not re.search(rb"<f[ >/]", zf.read(name)), name
    progress = read_plan(saved)
    assert progress.info.program == HOSTILE_NAME
    actions = {a.code: a for a in progress.actions}
    assert (actions["MAT-1"].owner, actions["MAT-1"].notes) == ("=Dr. Lee", "=1+1")
    assert actions["MAT-1"].status is lay.Status.DONE
    assert actions["MAT-1"].due == date(2026, 11, 20)
    assert (actions["COD-2"].notes, actions["COD-2"].due) == (
        "-2 beds; +1 nurse",
        date(2026, 11, 1),
    )
    ws = load_workbook(saved)[lay.PLAN_SHEET]
    assert ws["A1"].value == f"Action plan: {HOSTILE_NAME}"
    (status_list,) = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert status_list.formula1 == '"Not started,In progress,Done,Won\'t do"'
    assert ws.auto_filter.ref == f"A{lay.HEADER_ROW}:L{FIRST + 5}"
