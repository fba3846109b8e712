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
    assert blank.sheetnames == ["Instructions", "Program", "MAT", "COD", "Lists", "_meta"]
    states = {ws.title: ws.sheet_state for ws in blank.worksheets}
    assert states == {
        "Instructions": "visible",
        "Program": "visible",
        "MAT": "visible",
        "COD": "visible",
        "Lists": "hidden",
        "_meta": "veryHidden",
    }
    assert blank.active.title == "Instructions"


def test_one_row_per_item_under_the_header(blank: Any) -> None:
    for domain in MINI.domains:
        ws = blank[domain.id.upper()]
        assert [ws.cell(lay.HEADER_ROW, n).value for n in range(1, len(lay.COLUMNS) + 1)] == [
            c.header for c in lay.COLUMNS
        ]
        ids = [i.id for d in domain.dimensions for i in d.items]
        rows = range(lay.FIRST_ITEM_ROW, lay.FIRST_ITEM_ROW + len(ids))
        assert [ws.cell(r, lay.COLUMN_INDEX["id"]).value for r in rows] == ids
        assert ws.max_row == lay.FIRST_ITEM_ROW + len(ids) - 1
        assert ws.cell(lay.TITLE_ROW, 1).value == domain.title
    mat = blank["MAT"]
    row = lay.FIRST_ITEM_ROW
    assert mat.cell(row, lay.COLUMN_INDEX["dimension"]).value == "Access"
    assert str(mat.cell(row, lay.COLUMN_INDEX["question"]).value) == (
        "Admission on MOUD\nAre people taking prescribed MOUD admitted?"
    )
    assert mat.cell(row, lay.COLUMN_INDEX["guidance"]).value == (
        "Look at: policy, interview.\nRead the admission policy and ask intake staff."
    )
    assert mat.cell(row, lay.COLUMN_INDEX["scores"]).value == (
        "1 = Refused or told to taper\n3 = Case by case\n5 = Always, dose continued"
    )
    assert mat.cell(row + 1, lay.COLUMN_INDEX["scores"]).value == (
        "Pick one:\n• On site (scores 5)\n• By written referral (scores 3)\n"
        "• No route at all (scores 1)"
    )
    assert mat.cell(row + 2, lay.COLUMN_INDEX["scores"]).value.splitlines()[:3] == [
        "Type the % of audited charts, 0-100. It scores:",
        "5 = 90% to 100%",
        "4 = 80% to under 90%",
    ]
    assert mat.cell(row + 3, lay.COLUMN_INDEX["scores"]).value.endswith(
        "N/A allowed: The program serves only men."
    )
    assert mat.cell(row + 4, lay.COLUMN_INDEX["scores"]).value.endswith(
        "Only for: Residential, Hospital inpatient. Other programs leave it empty."
    )


def test_prints_readably(blank: Any) -> None:
    for title in ("MAT", "COD"):
        ws = blank[title]
        assert ws.freeze_panes == f"A{lay.FIRST_ITEM_ROW}"
        assert ws.print_title_rows == f"${lay.HEADER_ROW}:${lay.HEADER_ROW}"
        assert ws.page_setup.orientation == "landscape"
        assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        widths = [ws.column_dimensions[chr(64 + n)].width for n in range(1, len(lay.COLUMNS) + 1)]
        assert widths == [c.width for c in lay.COLUMNS]
        for row in range(lay.FIRST_ITEM_ROW, ws.max_row + 1):
            assert ws.cell(row, 3).alignment.wrap_text
            assert 12 < ws.row_dimensions[row].height <= 409
        assert ws.oddHeader.right.text == "&A"
        assert ws.oddFooter.center.text == "Page &P of &N"
    for title in ("Instructions", "Program"):
        assert blank[title].page_setup.orientation == "portrait"


def test_structure_protected_and_only_answer_cells_open(blank: Any) -> None:
    assert blank.security.lockStructure
    for ws in blank.worksheets:
        assert ws.protection.sheet, ws.title
    mat = blank["MAT"]
    for column in lay.COLUMNS:
        cell = mat.cell(lay.FIRST_ITEM_ROW, lay.COLUMN_INDEX[column.key])
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


def test_dropdowns_come_from_the_hidden_list_sheet(blank: Any) -> None:
    lists = blank["Lists"]

    def offered(ws: Any, coordinate: str) -> tuple[str, list[Any]]:
        (dv,) = [v for v in ws.data_validations.dataValidation if coordinate in v.sqref]
        if dv.type != "list":
            return dv.type, [dv.formula1, dv.formula2, dv.errorStyle]
        match = re.fullmatch(r"Lists!\$([A-Z]+)\$2:\$\1\$(\d+)", dv.formula1)
        assert match, dv.formula1
        col, last = match.groups()
        return "list", [lists[f"{col}{r}"].value for r in range(2, int(last) + 1)]

    mat, cod, program = blank["MAT"], blank["COD"], blank["Program"]
    assert offered(mat, "F4") == ("list", [1, 2, 3, 4, 5])
    assert offered(mat, "F5") == ("list", ["On site", "By written referral", "No route at all"])
    assert offered(mat, "F6") == ("decimal", ["0", "100", "stop"])
    assert offered(mat, "F7") == ("list", [1, 2, 3, 4, 5, "N/A"])
    assert offered(mat, "F8") == ("list", [1, 2, 3, 4, 5])
    assert offered(cod, "F4") == ("list", [1, 2, 3, 4, 5])
    assert offered(program, "B5") == ("list", [s.label for s in Setting])
    assert offered(program, "B6") == ("list", ["Yes", "No"])
    for ws, count in ((mat, 5), (cod, 2)):  # one validation per answer cell, of its own sheet
        covered = [str(c) for v in ws.data_validations.dataValidation for c in v.sqref.ranges]
        rows = range(lay.FIRST_ITEM_ROW, lay.FIRST_ITEM_ROW + count)
        assert sorted(covered) == sorted(f"F{r}" for r in rows)


def test_long_choice_lists_use_ranges_not_inline_text() -> None:
    bundled = load_instrument("mat-tsf-cod")
    wb = workbook(build_workbook(bundled))
    for ws in wb.worksheets:
        for dv in ws.data_validations.dataValidation:
            if dv.type == "list":
                assert dv.formula1.startswith("Lists!$"), dv.formula1
    labels = [len(", ".join(c.label for c in i.choices or [])) for _, _, i in bundled.iter_items()]
    assert max(labels) > 255  # an inline list could not hold them


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
    with zipfile.ZipFile(io.BytesIO(raw)) as zf:
        sheets = [zf.read(n) for n in zf.namelist() if n.startswith("xl/worksheets/")]
    assert sheets
    for xml in sheets:
        assert not re.search(rb"<f[ >/]", xml), "a formula was written"
    wb = workbook(raw)
    strings = [
        wb["Instructions"]["A1"],
        wb["Program"]["B11"],
        wb["MAT"]["A1"],
        wb["MAT"]["H4"],
        wb["MAT"]["I4"],
        wb["MAT"]["G7"],
        wb["Program"]["B4"],
        wb["Lists"]["D2"],
    ]
    for cell in strings:
        assert cell.data_type == "s", cell.coordinate
        assert str(cell.value).startswith("="), cell.coordinate
        assert cell.quotePrefix, cell.coordinate
    assert wb["MAT"]["I4"].value == "=1+1"
    assert wb["MAT"]["D4"].value == "Look at: policy, interview.\n=A1"
    assert str(wb["MAT"]["C4"].value) == '=3+3\n=HYPERLINK("http://x")'
    assert wb["MAT"]["E4"].value.startswith("1 = =B2\n")
    assert wb["Program"]["B8"].value == "@SUM(1,1) and +1"
    assert wb["MAT"].oddHeader.left.text == "=1+1 instrument && co (mini 1.0)"


def test_safe_text() -> None:
    assert safe_text("a\x00b\x07c\x1fd\te\nf") == "abcd\te\nf"
    assert safe_text("one\r\ntwo\rthree") == "one\ntwo\nthree"
    assert len(safe_text("x" * 40_000)) == MAX_CELL_CHARS


def test_items_not_for_the_setting_are_marked() -> None:
    wb = workbook(build_workbook(MINI, program_name="Casa", setting=Setting.OUTPATIENT))
    storage = wb["MAT"][f"E{lay.FIRST_ITEM_ROW + 4}"]
    assert storage.value.endswith("Not for outpatient programs: leave it empty.")
    assert storage.font.color.rgb.endswith("6F6F6F")
    assert wb["Program"]["B4"].value == "Casa"
    assert wb["Program"]["B5"].value == "Outpatient"
    residential = workbook(build_workbook(MINI, setting=Setting.RESIDENTIAL))
    assert "Not for" not in residential["MAT"][f"E{lay.FIRST_ITEM_ROW + 4}"].value


def test_filled_with_responses() -> None:
    wb = workbook(build_workbook(MINI, responses=RESPONSES))
    mat, program = wb["MAT"], wb["Program"]
    assert [mat[f"F{r}"].value for r in range(4, 9)] == [
        4,
        "By written referral",
        72.5,
        "N/A",
        None,
    ]
    assert (mat["G7"].value, mat["H4"].value) == ("=Men only", "=cmd|' /C calc'!A0")
    assert wb["COD"]["I4"].value == "Audit due.\nSecond line."
    assert [program[f"B{r}"].value for r in range(4, 9)] == [
        '=HYPERLINK("http://example.invalid","Casa")',
        "Outpatient",
        "Yes",
        "adults; people leaving prison, on parole",
        "@SUM(1,1) and +1",
    ]
    assert program["B9"].value.date() == date(2026, 10, 1)
    assert program["B9"].number_format == "yyyy-mm-dd"


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
