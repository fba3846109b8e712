"""Read the item sheets: each item's answer, N/A reason, evidence and note, from its row."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from audit_kit.formats.xlsx import layout as lay
from audit_kit.formats.xlsx.reader.cells import (
    NotApplicable,
    as_shown,
    bad_value_message,
    looks_like_answer,
    read_answer,
    read_text,
    validation_message,
)
from audit_kit.formats.xlsx.reader.rows import duplicate, find_rows, missing, named

if TYPE_CHECKING:
    from audit_kit.formats.xlsx.reader.load import Book, Located, Raw, Spot
    from audit_kit.formats.xlsx.reader.rows import RowAt
    from audit_kit.model.instrument import Instrument, Item
    from audit_kit.model.responses import Answer, AnswerProblem

# the answer's fields the instrument checks name, by the column they are read from
_FIELD_COLUMN = {"item": "id", "value": "answer", "not_applicable": "answer"}


@dataclass(frozen=True)
class ItemRow:
    """Where one item's cells are, and what its answer cell held."""

    spots: dict[str, Spot]  # by column key
    answer: Raw | None


def read_items(
    book: Book, instrument: Instrument
) -> tuple[dict[str, Answer], dict[str, ItemRow], list[Located]]:
    """Answers by item id, where each item's row is, and located problems."""
    found = find_rows(book, instrument)
    problems = found.problems
    answers: dict[str, Answer] = {}
    rows: dict[str, ItemRow] = {}
    for item_id, places in found.rows.items():
        if len(places) > 1:
            problems += duplicate(book, item_id, places)
            continue
        item = instrument.item(item_id) if instrument.has_item(item_id) else None
        answer, item_row, row_problems = _read_row(book, places[0], item, instrument)
        problems += row_problems
        rows[item_id] = item_row
        if answer is not None:
            answers[item_id] = answer
    problems += missing(book, instrument, found)
    return answers, rows, problems


def _read_row(
    book: Book, at: RowAt, item: Item | None, instrument: Instrument
) -> tuple[Answer | None, ItemRow, list[Located]]:
    """One item row as an Answer (None when a cell is unusable), and where its cells are."""
    from pydantic import ValidationError

    from audit_kit.model.responses import Answer

    cells = book.sheets[at.title]
    spots = {
        key: book.spot(at.title, at.row, at.columns[key])
        for key in lay.READ_COLUMNS
        if key in at.columns
    }
    raw_answer = cells.get((at.row, at.columns["answer"]))
    item_row = ItemRow(spots, raw_answer)
    problems: list[Located] = []
    fields: dict[str, Any] = {}
    if item is not None and raw_answer is not None:
        message, value = read_answer(item, raw_answer)
        if message:
            problems.append(spots["answer"].problem(message, "bad-cell"))
        elif isinstance(value, NotApplicable):
            fields["not_applicable"] = True
            if value.reason:
                fields["na_reason"] = value.reason  # unless a reason of its own is given
        elif value is not None:
            fields["value"] = value
    for key in lay.TEXT_COLUMNS:
        if key not in at.columns:
            continue
        raw = cells.get((at.row, at.columns[key]))
        message, text = read_text(raw)
        if message:
            problems.append(spots[key].problem(message, "bad-cell"))
        elif text:
            fields[key] = text
        if (
            item is not None
            and raw is not None
            and (raw_answer is None or not as_shown(raw_answer))
            and key in lay.ANSWER_LIKE_COLUMNS
            and looks_like_answer(item, raw)
        ):
            problems.append(
                spots[key].problem(
                    f"'{lay.header(key)}' holds \"{as_shown(raw)}\", which reads as the answer "
                    f"to {named(instrument, item.id)}, but only the Answer column is scored and "
                    f"{spots['answer'].location.cell} is empty; move it there (or, if it is "
                    "not the answer, reword it so that it does not read as one)",
                    "answer-elsewhere",
                )
            )
    if problems:
        return None, item_row, problems
    try:
        return Answer.model_validate(fields), item_row, []
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            key = str(err["loc"][0]) if err["loc"] else "answer"
            spot = spots.get(key, spots["answer"])
            problems.append(spot.problem(validation_message(err), "bad-cell"))
        return None, item_row, problems


def place(instrument: Instrument, problem: AnswerProblem, rows: dict[str, ItemRow]) -> Located:
    """An instrument-check problem at the cell it is about, worded for the sheet."""
    assert problem.item_id is not None
    item_row = rows[problem.item_id]
    key = _FIELD_COLUMN.get(problem.field, problem.field)
    spot = item_row.spots.get(key, item_row.spots["answer"])
    message = problem.message
    if problem.code == "bad-value":
        item = instrument.item(problem.item_id)
        message = bad_value_message(item, instrument.code(item.id), item_row.answer)
    return spot.problem(message, problem.code)
