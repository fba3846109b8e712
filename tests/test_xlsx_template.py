"""The fill-in workbook: sheets, columns, dropdowns, protection, printing, identity, safe text."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from audit_kit.catalog import load_instrument
from audit_kit.cli import cli
from audit_kit.formats.xlsx import layout as lay
from audit_kit.formats.xlsx.template import build_workbook
from audit_kit.formats.xlsx.template.cells import MAX_CELL_CHARS, row_height, safe_text
from audit_kit.model.instrument import Instrument
from audit_kit.model.responses import Answer, Program, Responses
from audit_kit.model.vocab import Setting

from conftest import DATA, ROOT

MINI = load_instrument(DATA / "mini.yaml")
RESPONSES = Responses(
    instrument_id="mini",
    instrument_version="1.0",
    program=Program(
        name='=HYPERLINK("http://example.invalid","Casa")',
        setting=Setting.OUTPATIENT,
        hospital_based=True,
        populations=["adults", "people leaving prison, on parole"],
    ),
    assessor="@SUM(1,1) and +1",
    assessment_date=date(2026, 10, 1),
    answers={
        "mat.admit": Answer(value=4, note="=1+1", evidence="=cmd|' /C calc'!A0"),
        "mat.route": Answer(value="referral"),
        "mat.naloxone": Answer(value=72.5),
        "mat.pregnancy": Answer(not_applicable=True, na_reason="=Men only"),
        "cod.screen": Answer(note="Audit due.\nSecond line."),
    },
)


def workbook(data: bytes) -> Any:
    """The workbook as openpyxl loads it for inspection."""
    return load_workbook(io.BytesIO(data))


@pytest.fixture(name="blank", scope="module")
def _blank() -> Any:
    return workbook(build_workbook(MINI))


def test_sheets_in_order_with_hidden_lists_and_identity(blank: Any) -> None:
    assert blank.sheetnames == ["Instructions", "Program", "MAT", "COD", "Guide", "Lists", "_meta"]
    states = {ws.title: ws.sheet_state for ws in blank.worksheets}
    assert states == {
        "Instructions": "visible",
        "Program": "visible",
        "MAT": "visible",
        "COD": "visible",
        "Guide": "visible",
        "Lists": "hidden",
        "_meta": "veryHidden",
    }
    assert blank.active.title == "Instructions"


# mini's rows: MAT 4 Access, 5 admit, 6 route, 7 Safety, 8 naloxone, 9 pregnancy, 10 storage;
# COD 4 Screening, 5 screen, 6 crisis
ROWS = {"mat.admit": 5, "mat.route": 6, "mat.naloxone": 8, "mat.pregnancy": 9, "mat.storage": 10}
COL = {key: get_column_letter(n) for key, n in lay.COLUMN_INDEX.items()}


def test_one_compact_row_per_item_under_its_dimension(blank: Any) -> None:
    for domain in MINI.domains:
        ws = blank[domain.id.upper()]
        assert [ws.cell(lay.HEADER_ROW, n).value for n in range(1, len(lay.COLUMNS) + 1)] == [
            c.header for c in lay.COLUMNS
        ]
        expected: list[Any] = []
        for dimension in domain.dimensions:
            expected += [dimension.title, *[MINI.code(i.id) for i in dimension.items]]
        assert [ws.cell(r, 1).value for r in range(lay.FIRST_BODY_ROW, ws.max_row + 1)] == expected
        ids = [ws.cell(r, lay.COLUMN_INDEX["id"]).value for r in range(4, ws.max_row + 1)]
        assert [i for i in ids if i] == [i.id for d in domain.dimensions for i in d.items]
        assert ws.cell(lay.TITLE_ROW, 1).value == domain.title
    mat = blank["MAT"]
    row = ROWS["mat.admit"]
    assert [mat[f"{COL[k]}{row}"].value for k in ("code", "title", "question", "id")] == [
        "MAT-1",
        "Admission on MOUD",
        "Are people taking prescribed MOUD admitted?",
        "mat.admit",
    ]
    # the long guidance is in the note on the question, and in full on the Guide sheet
    assert mat[f"{COL['question']}{row}"].comment.text == (
        "What the answers mean\n1 = Refused or told to taper\n3 = Case by case\n"
        "5 = Always, dose continued\n\nLook at: policy, interview.\n"
        "Read the admission policy and ask intake staff."
    )
    notes = {
        item_id: mat[f"{COL['question']}{r}"].comment.text.split("\n\nLook at:")[0]
        for item_id, r in ROWS.items()
    }
    assert notes["mat.route"] == (
        "What the answers mean\nPick one:\n• On site (scores 5)\n"
        "• By written referral (scores 3)\n• No route at all (scores 1)"
    )
    assert notes["mat.naloxone"].splitlines()[1:4] == [
        "Type the % of audited charts that meet it, 0 to 100 (95 or 95%). It scores:",
        "5 = 90% to 100%",
        "4 = 80% to under 90%",
    ]
    assert notes["mat.naloxone"].endswith(
        "No eligible cases in the audit? Type: No eligible cases."
    )
    assert notes["mat.pregnancy"].endswith("N/A allowed: The program serves only men.")
    assert notes["mat.storage"].endswith(
        "Only for: Residential, Hospital inpatient. Other programs leave it empty."
    )
    guide = blank["Guide"]
    codes = [guide.cell(r, 1).value for r in range(4, guide.max_row + 1)]
    assert codes == [
        "MAT · Medications · Access",
        "MAT-1",
        "MAT-2",
        "MAT · Medications · Safety",
        "MAT-3",
        "MAT-4",
        "MAT-5",
        "COD · Co-occurring care · Screening",
        "COD-1",
        "COD-2",
    ]
    assert (
        guide["C5"].value
        == "1 = Refused or told to taper\n3 = Case by case\n5 = Always, dose continued"
    )
    assert guide["D5"].value == (
        "Look at: policy, interview.\nRead the admission policy and ask intake staff."
    )


@pytest.mark.parametrize("ref", ["mat-tsf-cod", "mat-tsf-cod@1.0"])
def test_rows_are_compact_on_screen_and_paper(ref: str) -> None:
    """The bundled instruments: half the rows take at most 4 lines, nine in ten at most 6, none
    more than 10 (the long guidance is in notes and on the Guide sheet), so that a laptop
    screen or a printed page shows about ten items, not two to four."""
    bundled = load_instrument(ref)
    wb = workbook(build_workbook(bundled))
    heights = []
    for domain in bundled.domains:
        ws = wb[domain.id.upper()]
        heights += [
            ws.row_dimensions[r].height
            for r in range(lay.FIRST_BODY_ROW, ws.max_row + 1)
            if ws.cell(r, lay.COLUMN_INDEX["id"]).value
        ]
    assert len(heights) == bundled.item_count
    heights.sort()

    def lines(points: float) -> float:
        return (points - 3) / 12.75

    assert lines(heights[len(heights) // 2]) <= 4
    assert lines(heights[len(heights) * 9 // 10]) <= 6
    assert lines(heights[-1]) <= 10


def test_prints_readably(blank: Any) -> None:
    printed = [c for c in lay.COLUMNS if c.printed]
    assert printed == list(lay.COLUMNS[: len(printed)])  # the id column is last, not printed
    for title in ("MAT", "COD"):
        ws = blank[title]
        # the code, item and question stay in view; so does the header
        assert ws.freeze_panes == f"{COL['answer']}{lay.FIRST_BODY_ROW}"
        assert ws.print_title_rows == f"${lay.HEADER_ROW}:${lay.HEADER_ROW}"
        assert ws.print_area == f"'{title}'!$A$1:${COL['applies']}${ws.max_row}"
        assert ws.page_setup.orientation == "landscape"
        assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        for row in range(lay.FIRST_BODY_ROW, ws.max_row + 1):
            assert 12 < ws.row_dimensions[row].height <= 409
            # an id broken over two lines reads as two words: never wrapped, always wide enough
            item_id = ws.cell(row, lay.COLUMN_INDEX["id"])
            if item_id.value:
                assert ws.cell(row, lay.COLUMN_INDEX["question"]).alignment.wrap_text
                assert not item_id.alignment.wrap_text
                assert ws.column_dimensions[COL["id"]].width >= len(item_id.value) * 0.85
        assert ws.oddHeader.left.text == f"&A · {MINI.domain(title.lower()).title}"
        assert ws.oddHeader.right.text == "mini 1.0"
        assert ws.oddFooter.center.text == "Page &P of &N"
    for title in ("Instructions", "Program"):
        assert blank[title].page_setup.orientation == "portrait"
    assert blank["Instructions"].oddHeader.left.text == "&A · Mini test instrument"


def test_page_headers_never_meet() -> None:
    """Left (sheet and heading) and right (program and instrument) are cut short enough to fit
    side by side on a portrait page, at 8 points; '&' is doubled so that it is no code."""
    data = MINI.model_dump()
    data["domains"][0]["title"] = "Medications & " + "very long words " * 10
    long = Instrument.model_validate(data)
    responses = RESPONSES.model_copy(
        update={"program": RESPONSES.program.model_copy(update={"name": "P & Q " * 40})}
    )
    wb = workbook(build_workbook(long, responses=responses))
    for ws in wb.worksheets:
        if ws.sheet_state != "visible":
            continue
        left, right = ws.oddHeader.left.text, ws.oddHeader.right.text
        assert len(left.replace("&&", "&")) - 2 + 31 + len(right.replace("&&", "&")) <= 120
        assert "& " not in left.replace("&&", "") and "& " not in right.replace("&&", "")
    assert wb["MAT"].oddHeader.left.text.startswith("&A · Medications && very long")
    assert wb["MAT"].oddHeader.right.text.endswith("… · mini 1.0")


def test_structure_protected_and_only_answer_cells_open(blank: Any) -> None:
    assert blank.security.lockStructure
    for ws in blank.worksheets:
        assert ws.protection.sheet, ws.title
    mat = blank["MAT"]
    for column in lay.COLUMNS:
        cell = mat.cell(ROWS["mat.admit"], lay.COLUMN_INDEX[column.key])
        assert cell.protection.locked is not column.filled_in, column.key
    program = blank["Program"]
    for field in lay.PROGRAM_FIELDS:
        assert program.cell(field.row, lay.PROGRAM_LABEL_COL).value == field.label
        assert not program.cell(field.row, lay.PROGRAM_VALUE_COL).protection.locked
        assert program.cell(field.row, lay.PROGRAM_LABEL_COL).protection.locked


def test_identity_sheet(blank: Any) -> None:
    meta = blank["_meta"]
    assert {meta.cell(r, 1).value: meta.cell(r, 2).value for r in range(1, 6)} == {
        "format": "audit-kit assessment workbook",
        "layout_version": 1,
        "instrument_id": "mini",
        "instrument_version": "1.0",
        "checksum": lay.instrument_checksum(MINI),
    }
    assert re.fullmatch(r"[0-9a-f]{16}", lay.instrument_checksum(MINI))


def _edited(change: Any) -> Instrument:
    data = MINI.model_dump()
    change(data, data["domains"][0]["dimensions"][0]["items"])
    return Instrument.model_validate(data)


def test_checksum_ignores_wording_but_not_scoring() -> None:
    same = lay.instrument_checksum(MINI)
    wording = [
        lambda d, items: items[0].update(question="Reworded?", guidance="Typo fixed."),
        lambda d, items: items[0]["anchors"].update({3: "Sometimes, reworded"}),
        lambda d, items: items[1]["choices"][0].update(label="On the premises"),
        lambda d, items: d.update(title="Renamed", description="New text"),
    ]
    for change in wording:
        assert lay.instrument_checksum(_edited(change)) == same
    scoring = [
        lambda d, items: items[0].update(weight=3),
        lambda d, items: items[1]["choices"][0].update(score=4),
        lambda d, items: items[1]["choices"][0].update(value="onsite"),
        lambda d, items: items[0].update(allow_na=True),
        lambda d, items: items.reverse(),
        lambda d, items: (
            d["percent_bands"][0].update(max=25) or d["percent_bands"][1].update(min=25)
        ),
    ]
    for change in scoring:
        assert lay.instrument_checksum(_edited(change)) != same


def _validation(ws: Any, coordinate: str) -> Any:
    (dv,) = [v for v in ws.data_validations.dataValidation if coordinate in v.sqref]
    return dv


def test_dropdowns_come_from_the_hidden_list_sheet(blank: Any) -> None:
    lists = blank["Lists"]

    def offered(ws: Any, coordinate: str) -> tuple[str, list[Any]]:
        dv = _validation(ws, coordinate)
        if dv.type != "list":
            return dv.type, [dv.formula1, dv.errorStyle]
        match = re.fullmatch(r"Lists!\$([A-Z]+)\$2:\$\1\$(\d+)", dv.formula1)
        assert match, dv.formula1
        col, last = match.groups()
        return "list", [lists[f"{col}{r}"].value for r in range(2, int(last) + 1)]

    mat, cod, program = blank["MAT"], blank["COD"], blank["Program"]
    answer = COL["answer"]
    assert offered(mat, f"{answer}5") == ("list", [1, 2, 3, 4, 5])
    assert offered(mat, f"{answer}6") == (
        "list",
        ["On site", "By written referral", "No route at all"],
    )
    assert offered(mat, f"{answer}8") == (
        "custom",
        [
            'OR(AND(ISNUMBER(D8),D8>=0,D8<=100),TRIM(D8)="N/A",TRIM(D8)="No eligible cases")',
            "stop",
        ],
    )
    assert offered(mat, f"{answer}9") == ("list", [1, 2, 3, 4, 5, "N/A"])
    assert offered(mat, f"{answer}10") == ("list", [1, 2, 3, 4, 5])
    assert offered(cod, f"{answer}5") == ("list", [1, 2, 3, 4, 5])
    assert offered(program, "B5") == ("list", [s.label for s in Setting])
    assert offered(program, "B6") == ("list", ["Yes", "No"])
    for ws, rows in ((mat, [5, 6, 8, 9, 10]), (cod, [5, 6])):  # each answer cell, its own check
        covered = [str(c) for v in ws.data_validations.dataValidation for c in v.sqref.ranges]
        assert sorted(covered) == sorted(f"{answer}{r}" for r in rows)


def test_answer_cells_say_what_they_take(blank: Any) -> None:
    """The input message shown while an answer cell is selected: what the item's answers are."""
    mat = blank["MAT"]
    answer = COL["answer"]

    def prompt(row: int) -> tuple[str, str]:
        dv = _validation(mat, f"{answer}{row}")
        assert dv.showInputMessage
        return dv.promptTitle, dv.prompt

    assert prompt(5) == (
        "MAT-1: a score, 1 to 5",
        "1 = not in place, or against the guidance\n3 = routine practice\n"
        "5 = fully in place, monitored, improved\n"
        "2 and 4 lie between. This item's own 1, 3 and 5: hover over the question.",
    )
    assert prompt(6)[0] == "MAT-2: pick one"
    assert prompt(8) == (
        "MAT-3: a percentage",
        "Type the share of audited charts that meet it, from 0 to 100: 95 or 95% (not 0.95).\n"
        "The audit found no eligible cases? Type: No eligible cases",
    )
    assert prompt(9)[1].endswith("N/A allowed: say why in N/A reason.")
    assert prompt(10)[1].endswith("It may not apply: see Applies?")


@pytest.mark.parametrize("ref", ["mat-tsf-cod", "mat-tsf-cod@1.0"])
def test_input_messages_fit_excel_and_no_dropdown_offers_a_bare_number_as_a_choice(
    ref: str,
) -> None:
    """Excel refuses to open a file with a longer input message. A choice is picked by its
    words: a digit means a score (1 the lowest, 5 the highest) on every item."""
    bundled = load_instrument(ref)
    wb = workbook(build_workbook(bundled))
    lists = wb["Lists"]
    seen = 0
    for domain in bundled.domains:
        ws = wb[domain.id.upper()]
        for dv in ws.data_validations.dataValidation:
            seen += 1
            assert dv.showInputMessage and dv.prompt and dv.promptTitle
            assert len(dv.promptTitle) <= 32 and len(dv.prompt) <= 255, dv.prompt
            if dv.type != "list":
                continue
            col = re.match(r"Lists!\$([A-Z]+)\$2:\$[A-Z]+\$(\d+)", dv.formula1)
            assert col is not None
            entries = [c.value for c in lists[col.group(1)][1:] if c.value is not None]
            if entries[:5] == [1, 2, 3, 4, 5]:
                assert entries[5:] in ([], ["N/A"])
            else:
                assert not any(re.fullmatch(r"\s*\d+\s*", str(e)) for e in entries), entries
    assert seen == bundled.item_count


def test_long_choice_lists_use_ranges_not_inline_text() -> None:
    bundled = load_instrument("mat-tsf-cod")
    wb = workbook(build_workbook(bundled))
    for ws in wb.worksheets:
        for dv in ws.data_validations.dataValidation:
            if dv.type == "list":
                assert dv.formula1.startswith("Lists!$"), dv.formula1
    labels = [len(", ".join(c.label for c in i.choices or [])) for _, _, i in bundled.iter_items()]
    assert max(labels) > 255  # an inline list could not hold them


def _formula_cells(raw: bytes) -> dict[str, list[str]]:
    """The cells holding a formula, by sheet part."""
    found: dict[str, list[str]] = {}
    with zipfile.ZipFile(io.BytesIO(raw)) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/sheet"):
                xml = zf.read(name).decode()
                found[name] = re.findall(r'<c r="([A-Z]+\d+)"[^>]*><f>', xml)
    return found


def test_text_never_becomes_a_formula() -> None:
    data = MINI.model_dump()
    data["title"] = "=1+1 instrument & co"
    data["domains"][0]["title"] = "=2+2"
    item = data["domains"][0]["dimensions"][0]["items"][0]
    item.update(title="=3+3", question='=HYPERLINK("http://x")', guidance="=A1")
    item["anchors"][1] = "=B2"
    data["domains"][0]["dimensions"][0]["items"][1]["choices"][0]["label"] = "=on site"
    hostile = Instrument.model_validate(data)
    raw = build_workbook(hostile, responses=RESPONSES.model_copy())
    # the only formulas are the workbook's own: each sheet's count and the Applies? cells
    formulas = _formula_cells(raw)
    assert formulas == {
        "xl/worksheets/sheet1.xml": [],
        "xl/worksheets/sheet2.xml": [],
        "xl/worksheets/sheet3.xml": ["A2", f"{COL['applies']}10"],
        "xl/worksheets/sheet4.xml": ["A2"],
        "xl/worksheets/sheet5.xml": [],
        "xl/worksheets/sheet6.xml": [],
        "xl/worksheets/sheet7.xml": [],
    }
    wb = workbook(raw)
    strings = [
        wb["Instructions"]["A1"],
        wb["Program"]["B11"],
        wb["MAT"]["A1"],
        wb["MAT"][f"{COL['title']}5"],
        wb["MAT"][f"{COL['question']}5"],
        wb["MAT"][f"{COL['evidence']}5"],
        wb["MAT"][f"{COL['note']}5"],
        wb["MAT"][f"{COL['na_reason']}9"],
        wb["Program"]["B4"],
        wb["Lists"]["D2"],
    ]
    for cell in strings:
        assert cell.data_type == "s", cell.coordinate
        assert str(cell.value).startswith("="), cell.coordinate
        assert cell.quotePrefix, cell.coordinate
    assert wb["MAT"][f"{COL['note']}5"].value == "=1+1"
    assert wb["MAT"][f"{COL['question']}5"].value == '=HYPERLINK("http://x")'
    note = wb["MAT"][f"{COL['question']}5"].comment.text
    assert "1 = =B2\n" in note and note.endswith("\n=A1")
    assert wb["Program"]["B8"].value == "@SUM(1,1) and +1"
    assert wb["Guide"].oddHeader.left.text == "&A · =1+1 instrument && co"


@pytest.mark.parametrize(
    "note", ["+1 charts", "-3 missing", "@Ana to check", "=A1", "3", "2026-10-01"]
)
def test_text_that_a_spreadsheet_would_turn_into_a_formula_or_number_keeps_its_quote(
    note: str,
) -> None:
    """Text starting with = + - @, or looking like a number or date, is written with the quote
    prefix: editing the cell later and pressing Enter keeps it as typed."""
    responses = RESPONSES.model_copy(update={"answers": {"cod.screen": Answer(note=note)}})
    cell = workbook(build_workbook(MINI, responses=responses))["COD"][f"{COL['note']}5"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == (note, "s", True)
    plain = RESPONSES.model_copy(update={"answers": {"cod.screen": Answer(note="Audit due")}})
    assert not workbook(build_workbook(MINI, responses=plain))["COD"][f"{COL['note']}5"].quotePrefix


def test_safe_text() -> None:
    assert safe_text("a\x00b\x07c\x1fd\te\nf") == "abcd\te\nf"
    assert safe_text("one\r\ntwo\rthree") == "one\ntwo\nthree"
    assert len(safe_text("x" * 40_000)) == MAX_CELL_CHARS


def test_items_not_for_the_setting_are_marked() -> None:
    """mat.storage is for residential and hospital programs: its Applies? cell says so, live
    from the Program sheet's setting, and shows what it says for the setting written."""
    raw = build_workbook(MINI, program_name="Casa", setting=Setting.OUTPATIENT)
    wb = workbook(raw)
    storage = wb["MAT"][f"{COL['applies']}10"]
    assert storage.value == (
        '=IF(Program!$B$5="Outpatient","No: not for outpatient programs.",'
        'IF(Program!$B$5="Intensive outpatient","No: not for intensive outpatient programs.",'
        'IF(Program!$B$5="Opioid treatment program (OTP)","No: not for opioid treatment '
        'programs.",IF(Program!$B$5="Other","No: not for other programs.",""))))'
    )
    shown = load_workbook(io.BytesIO(raw), data_only=True)
    assert shown["MAT"][f"{COL['applies']}10"].value == "No: not for outpatient programs."
    assert shown["MAT"]["A2"].value == "Progress: 0 of 5 answered, 1 do not apply, 4 to go"
    assert wb["Program"]["B4"].value == "Casa"
    assert wb["Program"]["B5"].value == "Outpatient"
    residential = load_workbook(
        io.BytesIO(build_workbook(MINI, setting=Setting.RESIDENTIAL)), data_only=True
    )
    assert residential["MAT"][f"{COL['applies']}10"].value in (None, "")
    assert residential["MAT"]["A2"].value == "Progress: 0 of 5 answered, 5 to go"
    # the rows that do not apply turn grey: one rule over the sheet, on its Applies? column
    (formatting,) = list(wb["MAT"].conditional_formatting)
    assert str(formatting.sqref) == f"A4:{COL['id']}10"
    (rule,) = formatting.rules
    assert rule.formula == [f'${COL["applies"]}4<>""']


def test_filled_with_responses() -> None:
    wb = workbook(build_workbook(MINI, responses=RESPONSES))
    mat, program = wb["MAT"], wb["Program"]
    answers = [mat[f"{COL['answer']}{r}"] for r in ROWS.values()]
    assert [a.value for a in answers] == [4, "By written referral", 0.725, "N/A", None]
    # a percentage is shown as one: 72.5 as "72.5%", never a bare 72.5 that could be misread
    assert answers[2].number_format == "0.0%"
    assert (mat[f"{COL['na_reason']}9"].value, mat[f"{COL['evidence']}5"].value) == (
        "=Men only",
        "=cmd|' /C calc'!A0",
    )
    assert wb["COD"][f"{COL['note']}5"].value == "Audit due.\nSecond line."
    assert [program[f"B{r}"].value for r in range(4, 9)] == [
        '=HYPERLINK("http://example.invalid","Casa")',
        "Outpatient",
        "Yes",
        "adults; people leaving prison, on parole",
        "@SUM(1,1) and +1",
    ]
    assert program["B9"].value.date() == date(2026, 10, 1)
    assert program["B9"].number_format == "yyyy-mm-dd"
    shown = load_workbook(io.BytesIO(build_workbook(MINI, responses=RESPONSES)), data_only=True)
    # as the scores count: mat.pregnancy answered N/A and mat.storage (not for outpatient
    # programs) do not apply
    assert shown["MAT"]["A2"].value == "Progress: 3 of 5 answered, 2 do not apply"
    assert shown["COD"]["A2"].value == "Progress: 0 of 2 answered, 2 to go"


@given(
    st.lists(
        st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=12)
        .map(str.strip)
        .filter(bool),
        max_size=4,
    )
)
def test_populations_split_back_as_joined(populations: list[str]) -> None:
    assert lay.split_populations(lay.join_populations(populations)) == populations


def test_populations_typed_by_people() -> None:
    assert lay.split_populations(" adults , women ") == ["adults", "women"]
    assert lay.split_populations("adults; women, pregnant") == ["adults", "women, pregnant"]
    assert lay.split_populations("adults\nwomen; men") == ["adults", "women; men"]
    assert lay.split_populations(" ; , ") == [","]


def test_row_height_grows_with_text() -> None:
    one = row_height([(30, "short", 10)])
    assert row_height([(30, "word " * 60, 10)]) > 5 * one
    assert row_height([(30, "a\nb\nc", 10)]) > 2 * one
    assert row_height([(10, "x" * 100_000, 10)]) == 409


def test_sheet_names_avoid_the_reserved_ones() -> None:
    data = MINI.model_dump()
    data["domains"][0]["id"] = "program"
    for item in (
        data["domains"][0]["dimensions"][0]["items"] + data["domains"][0]["dimensions"][1]["items"]
    ):
        item["id"] = "program." + item["id"].split(".")[1]
    names = lay.domain_sheet_names(Instrument.model_validate(data))
    assert names == {"program": "PROGRAM-2", "cod": "COD"}


# -- the command -------------------------------------------------------------------------------


def test_template_command_names_the_file_after_the_program(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(
        cli, ["template", "--program", "Casa Esperanza (Norte)", "--setting", "residential"]
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "casa-esperanza-norte.xlsx\n"
    assert result.stderr == (
        "Next: fill it in with Excel or LibreOffice, then run `audit-kit score "
        "casa-esperanza-norte.xlsx` for the scores or `audit-kit report "
        "casa-esperanza-norte.xlsx` for the PDF gap report.\n"
    )
    wb = load_workbook("casa-esperanza-norte.xlsx", read_only=True)
    program = wb["Program"]
    assert [program[f"B{r}"].value for r in (4, 5)] == ["Casa Esperanza (Norte)", "Residential"]
    assert wb["_meta"]["B3"].value == "mat-tsf-cod"
    wb.close()


def test_template_command_default_name_refuses_to_overwrite(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    first = runner.invoke(cli, ["template"])
    assert (first.exit_code, first.stdout) == (0, "mat-tsf-cod-assessment.xlsx\n")
    before = Path("mat-tsf-cod-assessment.xlsx").read_bytes()
    again = runner.invoke(cli, ["template"])
    assert again.exit_code == 2
    assert again.stdout == ""
    assert again.stderr == (
        "Error: mat-tsf-cod-assessment.xlsx: already exists; choose another name with -o, "
        "or pass --force to replace it\n"
    )
    assert Path("mat-tsf-cod-assessment.xlsx").read_bytes() == before
    forced = runner.invoke(
        cli, ["template", "--force", "-i", str(DATA / "mini.yaml"), "-o", first.stdout.strip()]
    )
    assert forced.exit_code == 0
    wb = load_workbook("mat-tsf-cod-assessment.xlsx", read_only=True)
    assert wb["_meta"]["B3"].value == "mini"
    wb.close()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-o", "plan.csv"], "Error: plan.csv: give an output file name ending in .xlsx"),
        (["-o", "no/such/folder/t.xlsx"], "Error: no/such/folder/t.xlsx: folder 'no/such/folder'"),
        (["--setting", "rehab"], "Error: Invalid value for '--setting'"),
        (
            ["--program", "x" * 201],
            "Error: --program: the program name is longer than 200 characters; shorten it",
        ),
        (["-i", "nosuch"], "Error: no bundled instrument 'nosuch'"),
    ],
)
def test_template_command_refusals(
    runner: CliRunner,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["template", *args])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert list(Path(".").iterdir()) == []


def test_help_imports_neither_openpyxl_nor_reportlab() -> None:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "audit_kit", "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    heavy = [line for line in result.stderr.splitlines() if re.search(r"openpyxl|reportlab", line)]
    assert heavy == []
    assert "template" in result.stdout and "convert" in result.stdout


def test_same_answers_give_the_same_workbook_bytes() -> None:
    """No clock in a filled workbook: document dates are the assessment's, zip dates fixed."""
    import time as clock

    from audit_kit.catalog import examples_dir
    from audit_kit.formats.responses_json import read_responses_json

    instrument, responses = read_responses_json(examples_dir() / "hospital-unit.json", None)
    first = build_workbook(instrument, responses=responses)
    clock.sleep(1.1)  # a save time in seconds would now differ
    assert build_workbook(instrument, responses=responses) == first
