"""One program's answers as a tool exported them, read into Responses with every problem located."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from audit_kit.errors import InstrumentError, Location, Problem, ResponsesError
from audit_kit.formats.interchange.fields import (
    NA_LABEL,
    NO,
    PROFILE_FIELDS,
    SETTING_OPTIONS,
    YES,
    ItemFields,
    item_fields,
)
from audit_kit.model.responses import NA_WORDS, fold, squash
from audit_kit.model.vocab import AnswerKind, Setting

if TYPE_CHECKING:
    from audit_kit.model.instrument import Instrument
    from audit_kit.model.responses import Answer, AnswerValue, Responses

PROFILE = "profile"
VALUE, FLAG, REASON, EVIDENCE, NOTE = "value", "na", "reason", "evidence", "note"

#: Where a value sits in a record: (PROFILE, profile key) or (item id, VALUE, FLAG, REASON,
#: EVIDENCE or NOTE).
Slot = tuple[str, str]

_YES_WORDS = frozenset({"yes", "y", "true", "1"})
_NO_WORDS = frozenset({"no", "n", "false", "0"})
_ISO_DAY = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[T ][0-9:.+\-Z]*)?$")
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")
_PERCENT = re.compile(r"^([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*%$")


@dataclass(frozen=True)
class Cell:
    """One value as the tool exported it, and where it is."""

    value: Any  # str, int, float, bool, date, datetime, or a list of str (FHIR repeats)
    where: Location
    formula: bool = False  # a spreadsheet formula: its result is never trusted


@dataclass
class Record:
    """One program's row, record or response."""

    label: str  # how people find it: 'row 3', 'row 3 (record 12)', 'entry[1]'
    where: Location
    cells: dict[Slot, Cell] = field(default_factory=dict)
    instrument_ref: Cell | None = None
    # where each field is even when it is empty (a table's cell), to point at what to fill in
    spots: dict[Slot, Location] = field(default_factory=dict)


def slots(instrument: Instrument) -> dict[str, Slot]:
    """Every field name of the instrument's forms and the slot it fills."""
    found: dict[str, Slot] = {f.name: (PROFILE, f.key) for f in PROFILE_FIELDS}
    for fields in item_fields(instrument):
        found[fields.name] = (fields.item.id, VALUE)
        found[fields.evidence] = (fields.item.id, EVIDENCE)
        found[fields.note] = (fields.item.id, NOTE)
        if fields.na_flag:
            found[fields.na_flag] = (fields.item.id, FLAG)
        if fields.reason:
            found[fields.reason] = (fields.item.id, REASON)
    return found


def required_slots(instrument: Instrument) -> dict[Slot, str]:
    """The slots an export must have a column for, with their field names: every one, since
    without it an answer, an N/A, its reason, a note or where the evidence is would be lost in
    silence."""
    return {slot: name for name, slot in slots(instrument).items()}


def labels(instrument: Instrument) -> dict[str, Slot]:
    """Every field label (folded) and its slot: exports "with labels" use them as headers."""
    found: dict[str, Slot] = {fold(f.label): (PROFILE, f.key) for f in PROFILE_FIELDS}
    for fields in item_fields(instrument):
        item_id = fields.item.id
        found[fold(fields.label)] = (item_id, VALUE)
        found[fold(fields.evidence_label)] = (item_id, EVIDENCE)
        found[fold(fields.note_label)] = (item_id, NOTE)
        if fields.na_flag:
            found[fold(fields.flag_label)] = (item_id, FLAG)
        if fields.reason:
            found[fold(fields.reason_label)] = (item_id, REASON)
    return found


def instrument_named(ref: Cell, shown: str) -> Instrument:
    """The bundled instrument a file names as ``id@version`` (never a path)."""
    from audit_kit.catalog import load_bundled

    text = str(ref.value).strip()
    instrument_id, _, version = text.partition("@")
    try:
        return load_bundled(instrument_id, version or None)
    except InstrumentError as exc:
        raise ResponsesError(
            Problem(ref.where, f"{p.message}; or pass the instrument with -i", p.code)
            for p in exc.problems
        ) from None


def no_instrument(shown: str) -> ResponsesError:
    """The error for a file that does not say which instrument it answers."""
    return ResponsesError.single(  # type: ignore[return-value]
        "the file does not say which instrument it answers; pass it with -i (an id such as "
        "mat-tsf-cod@1.1, or the instrument file the form was exported from)",
        file=shown,
        code="no-instrument",
    )


def check_ref(instrument: Instrument, record: Record) -> list[Problem]:
    """A record made with another instrument's form is refused (its fields mean other things)."""
    ref = record.instrument_ref
    if ref is None or not str(ref.value).strip():
        return []
    named = str(ref.value).strip()
    if named == instrument.ref:
        return []
    return [
        Problem(
            ref.where,
            f"these answers were collected with the form of {named}, not {instrument.ref}; "
            f"pass -i {named} (or that instrument's file)",
            "wrong-instrument",
        )
    ]


def read_record(
    instrument: Instrument, record: Record, every: list[ItemFields] | None = None
) -> tuple[Responses | None, list[Problem]]:
    """The responses in one record, or the problems that stop it being read (all of them).

    ``every`` is item_fields(instrument), when the caller has it already."""
    from pydantic import ValidationError

    from audit_kit.model.responses import Program, Responses, check_answers

    problems = check_ref(instrument, record)
    profile = _profile(record, problems)
    setting = profile.get("setting")
    answers: dict[str, Answer] = {}
    places: dict[Slot, Location] = {}
    for fields in every if every is not None else item_fields(instrument):
        answer = _answer(fields, record, places, problems)
        if answer is not None:
            answers[fields.item.id] = answer
    canonical, found = check_answers(instrument, answers, setting)
    for p in found:
        problems.append(Problem(_place(p.item_id, p.field, places, record), p.message, p.code))
    if problems:
        return None, problems
    try:
        program = Program.model_validate(
            {k: profile[k] for k in ("name", "setting", "hospital_based", "populations")}
        )
        responses = Responses(
            instrument_id=instrument.id,
            instrument_version=instrument.version,
            program=program,
            assessor=profile["assessor"] or "",
            assessment_date=profile["assessment_date"],
            answers=canonical,
        )
    except ValidationError as exc:
        return None, _profile_problems(exc, record)
    return responses, []


def _place(
    item_id: str | None, field: str, places: dict[Slot, Location], record: Record
) -> Location:
    if item_id is None:
        return record.where
    slot = (item_id, {"na_reason": REASON, "not_applicable": FLAG}.get(field, VALUE))
    return (
        places.get(slot)
        or record.spots.get(slot)
        or places.get((item_id, VALUE))
        or places.get((item_id, FLAG))
        or record.where
    )


def _profile_problems(exc: Any, record: Record) -> list[Problem]:
    problems = []
    for err in exc.errors(include_url=False):
        key = next((str(p) for p in err["loc"] if (PROFILE, str(p)) in record.cells), None)
        where = record.cells[(PROFILE, key)].where if key else record.where
        message = str(err["msg"]).removeprefix("Value error, ")
        if err["type"] == "string_too_long":
            limit = err.get("ctx", {}).get("max_length")
            message = f"the text is too long; shorten it to at most {limit} characters"
        problems.append(Problem(where, message[0].lower() + message[1:], "profile"))
    return problems


def _text(cell: Cell | None) -> str | None:
    if cell is None or cell.value is None:
        return None
    value = cell.value
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value)
    if isinstance(value, bool):
        value = "yes" if value else "no"
    elif isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, datetime | date):
        value = value.isoformat()
    text = str(value).strip()
    return text or None


def _formula(cell: Cell | None, problems: list[Problem]) -> bool:
    if cell is not None and cell.formula:
        problems.append(
            Problem(
                cell.where,
                "the cell holds a formula; type the value itself (formulas are never evaluated)",
                "formula",
            )
        )
        return True
    return False


def _profile(record: Record, problems: list[Problem]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for spec in PROFILE_FIELDS:
        cell = record.cells.get((PROFILE, spec.key))
        if _formula(cell, problems):
            values[spec.key] = None
            continue
        text = _text(cell)
        message, value = None, None
        if spec.key == "setting":
            message, value = _setting(text)
        elif spec.key == "hospital_based":
            message, value = yes_no(cell, text)
        elif spec.key == "assessment_date":
            message, value = _date(cell, text)
        elif spec.key == "populations":
            value = _populations(cell, text)
        else:
            value = text
        if message and cell is not None:
            problems.append(Problem(cell.where, message, "profile"))
        values[spec.key] = value
    return values


def _setting(text: str | None) -> tuple[str | None, Setting | None]:
    if text is None:
        return None, None
    folded = fold(text)
    token = re.sub(r"[\s-]+", "_", folded)
    for code, label in SETTING_OPTIONS:
        if token == code or folded == fold(label):
            return None, Setting(code)
    codes = ", ".join(code for code, _ in SETTING_OPTIONS)
    return f'"{text}" is not a setting; use one of {codes}', None


def yes_no(cell: Cell | None, text: str | None) -> tuple[str | None, bool | None]:
    """Yes, No or nothing, as tools write it: true/false, 1/0, yes/no, Yes/No."""
    if cell is not None and isinstance(cell.value, bool):
        return None, cell.value
    if text is None:
        return None, None
    folded = fold(text)
    if folded in _YES_WORDS or folded in _NO_WORDS:
        return None, folded in _YES_WORDS
    return f'"{text}" is not yes or no; answer {YES} or {NO} (or leave it empty)', None


def _date(cell: Cell | None, text: str | None) -> tuple[str | None, date | None]:
    fix = "write the date as YYYY-MM-DD, e.g. 2026-10-01"
    if cell is None or text is None:
        return None, None
    if isinstance(cell.value, datetime):
        return None, cell.value.date()
    if isinstance(cell.value, date):
        return None, cell.value
    if isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
        return f"{text} is a number, not a date; {fix}", None
    match = _ISO_DAY.match(text)
    if match is None:
        return f'"{text}" is not a date in the form YYYY-MM-DD; {fix}', None
    try:
        return None, date.fromisoformat(match.group(1))
    except ValueError:
        return f'"{text}" is not a real date; {fix}', None


def _populations(cell: Cell | None, text: str | None) -> list[str]:
    if cell is not None and isinstance(cell.value, list):
        return [str(v).strip() for v in cell.value if str(v).strip()]
    if text is None:
        return []
    separator = "\n" if "\n" in text else ";" if ";" in text else ","
    return [p.strip() for p in text.split(separator) if p.strip()]


class _NotApplicable:
    """Marker: the value says N/A."""


_NA = _NotApplicable()


def _answer(
    fields: ItemFields, record: Record, places: dict[Slot, Location], problems: list[Problem]
) -> Answer | None:
    from pydantic import ValidationError

    from audit_kit.model.responses import Answer

    item_id = fields.item.id
    kinds = (VALUE, FLAG, REASON, EVIDENCE, NOTE)
    cells = {kind: record.cells.get((item_id, kind)) for kind in kinds}
    for kind, cell in cells.items():
        if cell is not None:
            places[(item_id, kind)] = cell.where
    if any(_formula(cell, problems) for cell in cells.values()):
        return None
    value = _value(fields, cells[VALUE])
    not_applicable = value is _NA
    flag = cells[FLAG]
    if flag is not None:
        message, said = yes_no(flag, _text(flag))
        if message:
            problems.append(Problem(flag.where, message, "bad-value"))
            return None
        not_applicable = not_applicable or bool(said)
    entry = {
        "value": None if value is _NA else value,
        "not_applicable": not_applicable,
        "na_reason": _text(cells[REASON]),
        "note": _text(cells[NOTE]),
        "evidence": _text(cells[EVIDENCE]),
    }
    try:
        answer = Answer.model_validate(entry)
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            field = str(err["loc"][0])
            kind = {"na_reason": REASON, "note": NOTE, "evidence": EVIDENCE}.get(field, VALUE)
            cell = cells[kind] or cells[VALUE]
            limit = err.get("ctx", {}).get("max_length")
            message = (
                f"the text is too long; shorten it to at most {limit} characters"
                if err["type"] == "string_too_long"
                else str(err["msg"]).removeprefix("Value error, ")
            )
            problems.append(Problem(cell.where if cell else record.where, message, "answer"))
        return None
    return answer if answer.model_dump(exclude_defaults=True) else None


def _value(fields: ItemFields, cell: Cell | None) -> AnswerValue | _NotApplicable | None:
    """An answer as exported: a code or a label of one of its options, or a number; what is not
    recognised is passed on as it is, for check_answers to refuse with the choices to pick."""
    if cell is None or cell.value is None:
        return None
    raw = cell.value
    if isinstance(raw, bool | date | list):
        return _text(cell)
    if isinstance(raw, int | float):
        if fields.item.kind is AnswerKind.CHOICE:
            return _text(cell)
        return int(raw) if isinstance(raw, float) and raw.is_integer() else raw
    text = squash(str(raw))
    if not text:
        return None
    folded = fold(text)
    for option in fields.options:
        if folded in (fold(option.code), fold(option.label)):
            if option.score is None:
                return _NA
            return int(option.code) if fields.item.kind is AnswerKind.SCALE else option.code
    if folded in NA_WORDS or folded == fold(NA_LABEL):
        return _NA
    if fields.item.kind is not AnswerKind.CHOICE:
        match = _PERCENT.match(text) if fields.item.kind is AnswerKind.PERCENT else None
        number = match.group(1) if match else text
        if _NUMBER.match(number) and len(number) <= 20:
            parsed = float(number)
            return int(parsed) if parsed.is_integer() else parsed
    return text


@dataclass(frozen=True)
class Imported:
    """The responses of one program read from a tool's export, and the record they came from."""

    label: str
    responses: Responses


def read_records(instrument: Instrument, found: list[Record], shown: str) -> list[Imported]:
    """Every record read, or one ResponsesError with the problems of all of them."""
    if not found:
        raise ResponsesError.single(
            "the file holds no answers to the form; export the records again",
            file=shown,
            code="no-records",
        )
    done: list[Imported] = []
    problems: list[Problem] = []
    every = item_fields(instrument)
    for record in found:
        responses, record_problems = read_record(instrument, record, every)
        problems += record_problems
        if responses is not None:
            done.append(Imported(record.label, responses))
    if problems:
        raise ResponsesError(problems)
    return done
