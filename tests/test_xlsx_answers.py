"""What people type in a workbook: what is read, and what could mean two things and is refused
with its cell and the fix (issue 10). Each test fills the mini template as a person would."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from test_xlsx_reader import MINI, PROGRAM, fill, item_rows, problems_of, save

from audit_kit.cli import cli
from audit_kit.formats.xlsx import layout as lay
from audit_kit.formats.xlsx.reader import read_workbook
from audit_kit.formats.xlsx.template import build_workbook
from audit_kit.model.responses import Answer

from conftest import DATA

# mini's rows: MAT 5 admit, 6 route, 8 naloxone (percent), 9 pregnancy (N/A allowed),
# 10 storage; COD 5 screen, 6 crisis. Answers in D, N/A reason E, evidence F, note G.


@pytest.fixture(name="blank", scope="module")
def _blank() -> bytes:
    return build_workbook(MINI)


def _read(blank: bytes, tmp_path: Path, cells: dict[str, dict[str, Any]], **formats: str) -> Any:
    """The answers read from the template filled with ``cells``; ``formats`` gives item ids
    (dots as '__') the number format of their answer cell."""
    wb = fill(blank, cells)
    rows = item_rows(wb)
    for key, number_format in formats.items():
        ws, row, cols = rows[key.replace("__", ".")]
        ws.cell(row, cols["answer"]).number_format = number_format
    return read_workbook(save(wb, tmp_path / "typed.xlsx"), MINI)[1].answers


# -- percentages -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "number_format", "value"),
    [
        (1, "0%", 100),  # "100%" typed: held as the integer 1
        (0, "0%", 0),  # "0%" typed
        (0.95, "0%", 95),  # "95%" typed: held as 0.95, shown as 95%
        (0.725, "0.0%", 72.5),
        (1.0, "0.00%", 100),
        (95, "General", 95),
        (0, "General", 0),
        (100, "General", 100),
        ("95", "@", 95),
        ("95%", "General", 95),
        ("1%", "General", 1),
        ("0.5%", "General", 0.5),
        (" 100 % ", "@", 100),
    ],
)
def test_percentages_people_type_are_read_as_shown(
    blank: bytes, tmp_path: Path, typed: Any, number_format: str, value: Any
) -> None:
    answers = _read(
        blank, tmp_path, {"mat.naloxone": {"answer": typed}}, mat__naloxone=number_format
    )
    assert answers == {"mat.naloxone": Answer(value=value)}
    assert type(answers["mat.naloxone"].value) is type(value)


def test_a_percent_cell_holding_a_whole_number_scores_without_a_crash(
    runner: CliRunner, blank: bytes, tmp_path: Path
) -> None:
    """'100%' typed in LibreOffice is held as the integer 1: it used to end in exit 1 on
    Python 3.11 (int has no is_integer there)."""
    wb = fill(blank, {"mat.naloxone": {"answer": 1}})
    ws, row, cols = item_rows(wb)["mat.naloxone"]
    ws.cell(row, cols["answer"]).number_format = "0%"
    path = save(wb, tmp_path / "hundred.xlsx")
    result = runner.invoke(cli, ["score", str(path), "-i", str(DATA / "mini.yaml")])
    assert result.exit_code == 0, result.stderr
    assert read_workbook(path, MINI)[1].answers["mat.naloxone"] == Answer(value=100)


@pytest.mark.parametrize(
    ("typed", "number_format", "problem"),
    [
        (
            0.95,
            "General",
            "MAT!D8: 0.95 is a fraction, not a percentage from 0 to 100; if you mean 95%, type "
            "95 or 95%",
        ),
        (
            "0.95",
            "@",
            "MAT!D8: 0.95 is a fraction, not a percentage from 0 to 100; if you mean 95%, type "
            "95 or 95%",
        ),
        (
            0.5,
            "0.00",
            "MAT!D8: 0.5 is a fraction, not a percentage from 0 to 100; if you mean 50%, type 50 "
            "or 50%",
        ),
        (
            1,
            "General",
            "MAT!D8: 1 could mean 1% or, as a fraction, 100%; type 1% for one percent, or 100 "
            "or 100% for all",
        ),
        (
            "80-90%",
            "@",
            'MAT!D8: "80-90%" holds more than one number; give one percentage from 0 to 100, '
            "typed as 95 or 95% (No eligible cases or N/A if the audit found none)",
        ),
        (
            0.796,
            "0%",
            "MAT!D8: the cell shows 80% but holds 79.6% (its number format rounds it); give it a "
            "format that shows the whole value (e.g. General) and check that it is the answer "
            "you mean",
        ),
        (
            1.5,
            "0.0%",
            'MAT!D8: "150%" is not an answer to MAT-3; give one percentage from 0 to 100, typed '
            "as 95 or 95% (No eligible cases or N/A if the audit found none)",
        ),
    ],
)
def test_a_percentage_that_could_be_read_two_ways_is_refused(
    blank: bytes, tmp_path: Path, typed: Any, number_format: str, problem: str
) -> None:
    wb = fill(blank, {"mat.naloxone": {"answer": typed}})
    ws, row, cols = item_rows(wb)["mat.naloxone"]
    ws.cell(row, cols["answer"]).number_format = number_format
    assert problems_of(save(wb, tmp_path / "fraction.xlsx")) == [problem]


def test_no_eligible_cases_is_not_applicable_with_that_reason(blank: bytes, tmp_path: Path) -> None:
    answers = _read(blank, tmp_path, {"mat.naloxone": {"answer": "no eligible cases"}})
    assert answers == {
        "mat.naloxone": Answer(not_applicable=True, na_reason=lay.NO_CASES_TEXT),
    }
    own = {"answer": "No eligible cases.", "na_reason": "No discharges in the audit period."}
    answers = _read(blank, tmp_path, {"mat.naloxone": own})
    assert answers == {
        "mat.naloxone": Answer(not_applicable=True, na_reason="No discharges in the audit period."),
    }
    # only a percentage can have no eligible cases
    wb = fill(blank, {"mat.admit": {"answer": "No eligible cases"}})
    assert problems_of(save(wb, tmp_path / "scale.xlsx")) == [
        'MAT!D5: "No eligible cases" is not an answer to MAT-1; give one score: 1, 2, 3, 4 or 5'
    ]


# -- scores ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        (3, 3),
        ("3", 3),
        ("3 - partly", 3),
        ("3 – routine, not written", 3),
        ("4: mostly", 4),
        ("2 (rarely)", 2),
        ("5 = fully in place", 5),
    ],
)
def test_a_score_with_its_words_is_read(
    blank: bytes, tmp_path: Path, typed: Any, value: int
) -> None:
    assert _read(blank, tmp_path, {"mat.admit": {"answer": typed}}) == {
        "mat.admit": Answer(value=value)
    }


@pytest.mark.parametrize("typed", ["3 - 4", "1 or 2", "2 / 3", "3-4", "between 2 and 3", "3,5"])
def test_two_scores_in_one_cell_are_refused_with_the_scores_accepted(
    blank: bytes, tmp_path: Path, typed: str
) -> None:
    wb = fill(blank, {"mat.admit": {"answer": typed}})
    assert problems_of(save(wb, tmp_path / "range.xlsx")) == [
        f'MAT!D5: "{typed}" holds more than one number; give one score: 1, 2, 3, 4 or 5'
    ]


def test_a_score_shown_as_a_percentage_or_rounded_is_no_score(blank: bytes, tmp_path: Path) -> None:
    wb = fill(blank, {"mat.admit": {"answer": 3}, "cod.crisis": {"answer": 2.6}})
    rows = item_rows(wb)
    for item_id, number_format in (("mat.admit", "0%"), ("cod.crisis", "0")):
        ws, row, cols = rows[item_id]
        ws.cell(row, cols["answer"]).number_format = number_format
    assert problems_of(save(wb, tmp_path / "shown.xlsx")) == [
        'MAT!D5: "300%" is not an answer to MAT-1; give one score: 1, 2, 3, 4 or 5',
        "COD!D6: the cell shows 3 but holds 2.6 (its number format rounds it); give it a format "
        "that shows the whole value (e.g. General) and check that it is the answer you mean",
    ]


def test_a_number_is_never_a_choice(blank: bytes, tmp_path: Path) -> None:
    """Choices are picked by their words: 1 is the lowest score on a scale item, never 'the
    first choice' (which, on mat.route, is the best answer)."""
    wb = fill(blank, {"mat.route": {"answer": 1}})
    assert problems_of(save(wb, tmp_path / "choice.xlsx")) == [
        'MAT!D6: "1" is not an answer to MAT-2; give one from the cell\'s list: On site, By '
        "written referral, No route at all"
    ]


# -- answers where they are not read ----------------------------------------------------------


def test_answer_cells_merged_over_several_items_are_refused(blank: bytes, tmp_path: Path) -> None:
    wb = fill(blank, {"mat.naloxone": {"answer": 3}})
    ws, row, cols = item_rows(wb)["mat.naloxone"]
    ws.merge_cells(start_row=row, start_column=cols["answer"], end_row=row + 2, end_column=4)
    ws.merge_cells(start_row=5, start_column=cols["note"], end_row=6, end_column=cols["note"])
    ws.merge_cells("A1:C1")  # the title row: no item's
    assert problems_of(save(wb, tmp_path / "merged.xlsx")) == [
        "MAT!G5: cells G5:G6 are merged over the rows of MAT-1 and MAT-2, so one value would "
        "stand for several rows and only its first row would get it; unmerge them (Excel: Merge "
        "& Center > Unmerge Cells; LibreOffice: Format > Merge and Unmerge Cells) and fill in "
        "each item's own row",
        "MAT!D8: cells D8:D10 are merged over the rows of MAT-3, MAT-4 and MAT-5, so one value "
        "would stand for several rows and only its first row would get it; unmerge them (Excel: "
        "Merge & Center > Unmerge Cells; LibreOffice: Format > Merge and Unmerge Cells) and fill "
        "in each item's own row",
    ]


@pytest.mark.parametrize(
    ("item_id", "column", "typed"),
    [
        ("mat.admit", "note", "3"),
        ("mat.admit", "note", "3 - partly"),
        ("mat.admit", "evidence", 4),
        ("mat.route", "note", "By written referral"),
        ("mat.naloxone", "evidence", "85%"),
        ("mat.pregnancy", "note", "N/A"),
    ],
)
def test_an_answer_typed_in_the_note_or_evidence_column_is_refused_while_answer_is_empty(
    blank: bytes, tmp_path: Path, item_id: str, column: str, typed: Any
) -> None:
    """Left there, the item would count as unanswered: the domain could lose its level and
    its critical findings, with no word about the column."""
    wb = fill(blank, {item_id: {column: typed}})
    ws, row, _ = item_rows(wb)[item_id]
    (problem,) = problems_of(save(wb, tmp_path / "elsewhere.xlsx"))
    where = f"{ws.title}!{'FG'[column == 'note']}{row}"
    assert problem == (
        f"{where}: '{lay.header(column)}' holds \"{typed}\", which reads as the answer to "
        f"{MINI.code(item_id)}, but only the Answer column is scored and D{row} is empty; move "
        "it there (or, if it is not the answer, reword it so that it does not read as one)"
    )


@pytest.mark.parametrize(
    "cells",
    [
        {"note": "3 charts missing"},  # a note that starts with a number
        {"note": "Partly: 3 of 5 wards"},
        {"answer": 4, "note": "3"},  # answered: the note is only a note
        {"evidence": "Policy 3"},
    ],
)
def test_notes_that_merely_hold_numbers_are_kept(
    blank: bytes, tmp_path: Path, cells: dict[str, Any]
) -> None:
    answers = _read(blank, tmp_path, {"mat.admit": cells})
    assert answers["mat.admit"].note == cells.get("note")


def test_content_in_a_column_without_a_header_is_refused_in_item_rows(
    blank: bytes, tmp_path: Path
) -> None:
    wb = fill(blank, {"mat.admit": {"answer": 3}})
    ws = wb["MAT"]
    ws["K5"] = 4  # right of the table, in mat.admit's row
    ws["L1"] = "my own heading"  # above the table: not an item's row
    ws["K7"] = "a remark on the Safety dimension"  # a dimension's row
    assert problems_of(save(wb, tmp_path / "unlabelled.xlsx")) == [
        "MAT!K5: this cell, in the row of MAT-1, is in a column without a header, so it is not "
        "read; if it is the answer, move it to D5; if it is a note of yours, give the column a "
        "header in row 3"
    ]
    ws["K3"] = "Owner"
    _, responses = read_workbook(save(wb, tmp_path / "labelled.xlsx"), MINI)
    assert responses.answers == {"mat.admit": Answer(value=3)}


def test_every_problem_in_the_file_is_listed_at_once_in_sheet_order(
    blank: bytes, tmp_path: Path
) -> None:
    wb = fill(
        blank,
        {
            "mat.admit": {"answer": "3 - 4"},
            "mat.route": {"note": "On site"},
            "mat.naloxone": {"answer": 0.9},
            "cod.crisis": {"answer": "2 or 3"},
        },
        PROGRAM | {"Setting": "Rehab"},
    )
    wb["COD"]["K5"] = 5
    wb["COD"].merge_cells("E5:E6")
    cells = [p.split(":")[0] for p in problems_of(save(wb, tmp_path / "all.xlsx"))]
    assert cells == ["Program!B5", "MAT!D5", "MAT!G6", "MAT!D8", "COD!E5", "COD!K5", "COD!D6"]
