"""Read the Program sheet: each field's value found beside its label, wherever the rows moved."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from audit_kit.errors import Location, Problem
from audit_kit.formats.xlsx import layout as lay
from audit_kit.formats.xlsx.reader.cells import as_shown, as_text, unusable, validation_message
from audit_kit.formats.xlsx.reader.load import NEW_TEMPLATE
from audit_kit.model.responses import fold
from audit_kit.model.vocab import Setting

if TYPE_CHECKING:
    from audit_kit.formats.xlsx.reader.load import Book, Cells, Raw

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_YES = frozenset({"yes", "y", "true", "1"})
_NO = frozenset({"no", "n", "false", "0"})
_BESIDE = lay.PROGRAM_VALUE_COL - lay.PROGRAM_LABEL_COL  # where a value is, from its label


def read_program(book: Book) -> tuple[dict[str, Any], list[Problem]]:
    """The program details (keys program, setting, assessor, assessment_date) and problems.

    With problems, only the setting is given (None when it cannot be read): the item checks
    need it.
    """
    from pydantic import ValidationError

    from audit_kit.model.responses import Program, Responses

    found = book.sheet(lay.PROGRAM_SHEET)
    if found is None:
        return {}, [
            Problem(
                book.at(),
                f"the {lay.PROGRAM_SHEET} sheet is missing (it names the program, setting and "
                f"date); restore it, or {NEW_TEMPLATE}",
                "no-program",
            )
        ]
    title, cells = found
    labels = _labels(cells)
    problems: list[Problem] = []
    places: dict[str, Location] = {}
    values: dict[str, Any] = {}
    for field in lay.PROGRAM_FIELDS:
        spot = labels.get(field.key)
        if spot is None:
            problems.append(
                Problem(
                    book.at(title),
                    f"the '{field.label}' line is missing; restore it (its label in column "
                    f"{lay.column_letter(lay.PROGRAM_LABEL_COL)}, the value beside it)",
                    "program-field",
                )
            )
            continue
        row, col = spot
        where = book.at(title, lay.cell_name(row, col + _BESIDE))
        places[field.key] = where
        message, value = _value(field.key, cells.get((row, col + _BESIDE)))
        if message:
            problems.append(Problem(where, message, "program-field"))
        else:
            values[field.key] = value
    if problems:
        return {"setting": values.get("setting")}, problems
    program_fields = {k: values[k] for k in ("name", "setting", "hospital_based", "populations")}
    try:
        program = Program.model_validate(program_fields)
        Responses.model_validate(
            {
                "instrument_id": "x",
                "instrument_version": "1",
                "program": program,
                "assessor": values["assessor"],
                "assessment_date": values["assessment_date"],
            }
        )
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            key = next((str(p) for p in err["loc"] if str(p) in places), None)
            where = places[key] if key else book.at(title)
            problems.append(Problem(where, validation_message(err), "program-field"))
        return {"setting": values["setting"]}, problems
    return {
        "program": program,
        "setting": values["setting"],
        "assessor": values["assessor"],
        "assessment_date": values["assessment_date"],
    }, []


def _labels(cells: Cells) -> dict[str, tuple[int, int]]:
    """The cell of each field's label; a label found twice counts where most labels are."""
    by_label = {fold(f.label): f for f in lay.PROGRAM_FIELDS}
    matches: dict[str, list[tuple[int, int]]] = {}
    for (row, col), raw in sorted(cells.items()):
        if row <= lay.PROGRAM_SEARCH_ROWS and col <= lay.PROGRAM_SEARCH_COLS:
            field = by_label.get(fold(raw.value)) if isinstance(raw.value, str) else None
            if field is not None:
                matches.setdefault(field.key, []).append((row, col))
    columns = Counter(col for spots in matches.values() for _, col in spots)
    label_col = columns.most_common(1)[0][0] if columns else lay.PROGRAM_LABEL_COL
    return {
        key: next(((r, c) for r, c in spots if c == label_col), spots[0])
        for key, spots in matches.items()
    }


def _value(key: str, raw: Raw | None) -> tuple[str | None, Any]:
    """(problem message, None) or (None, the value) for one Program sheet cell."""
    message = unusable(raw, "the value")
    if message:
        return message, None
    text = "" if raw is None else as_shown(raw)
    if key in ("name", "assessor"):
        kept = as_text(raw) or ""  # as typed: inner spaces and line breaks are kept
        if key == "name" and not kept:
            return None, None  # not given yet: a draft, said among the result's warnings
        return None, kept
    if key == "setting":
        return _setting(text)
    if key == "hospital_based":
        return _yes_no(raw, text)
    if key == "populations":
        if raw is None:
            return None, []
        raw_text = raw.value if isinstance(raw.value, str) else text
        return None, lay.split_populations(raw_text)
    return _date(raw, text)


def _setting(text: str) -> tuple[str | None, Setting | None]:
    labels = ", ".join(s.label for s in Setting)
    if not text:
        return None, None
    folded = fold(text)
    token = re.sub(r"[\s-]+", "_", folded)
    for setting in Setting:
        if folded == fold(setting.label) or token == setting.value:
            return None, setting
    return f'"{text}" is not a setting; pick one from the list: {labels}', None


def _yes_no(raw: Raw | None, text: str) -> tuple[str | None, bool | None]:
    if raw is not None and isinstance(raw.value, bool):
        return None, raw.value
    if not text:
        return None, None
    folded = fold(text)
    if folded in _YES or folded in _NO:
        return None, folded in _YES
    said = f'"{text}" is not Yes or No' if text else "hospital-based is empty"
    return f"{said}; pick Yes if a hospital runs the program, else No", None


def _date(raw: Raw | None, text: str) -> tuple[str | None, date | None]:
    fix = "type it as YYYY-MM-DD (e.g. 2026-10-01) or enter a date"
    if raw is None or not text:
        return None, None
    value = raw.value
    if isinstance(value, datetime):
        return None, value.date()
    if isinstance(value, date):
        return None, value
    if isinstance(value, str) and _ISO_DATE.match(text):
        try:
            return None, date.fromisoformat(text)
        except ValueError:
            return f'"{text}" is not a real date; {fix}', None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{text} is a number, not a date; {fix}", None
    return f'"{text}" is not a date in the form YYYY-MM-DD; {fix}', None
