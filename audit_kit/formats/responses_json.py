"""Responses as JSON: read with every problem located by its JSON path, write canonically."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from audit_kit.errors import InstrumentError, Location, Problem, ResponsesError
from audit_kit.model import limits as lim
from audit_kit.model.instrument import Instrument
from audit_kit.model.responses import (
    Answer,
    AnswerProblem,
    Responses,
    check_answers,
    check_identity,
)
from audit_kit.model.vocab import Setting

MAX_RESPONSES_BYTES = 5 * 1024 * 1024
#: Where a problem finding the named instrument is, by its code (else at instrument_id).
_FIELD_OF = {"unknown-version": "instrument_version"}


def answer_path(item_id: str, field: str | None = None) -> str:
    """JSON path of an answer, or of one of its fields: ``answers["mat.x"].value``."""
    base = f'answers["{item_id}"]'
    return f"{base}.{field}" if field else base


def locate_json(shown: str) -> Callable[[AnswerProblem], Problem]:
    """Locate instrument-check problems inside a responses JSON file."""

    def place(p: AnswerProblem) -> Problem:
        if p.item_id is None:
            path = p.field
        else:
            path = answer_path(p.item_id, None if p.field == "item" else p.field)
        return Problem(Location(file=shown, path=path), p.message, p.code)

    return place


def parse_responses(
    raw: bytes, shown: str, instrument: Instrument | None
) -> tuple[Instrument, Responses]:
    """Parse a responses JSON document and check it against its instrument.

    Without ``instrument``, the bundled instrument named by ``instrument_id`` is used. Every
    problem in the file is collected into one ResponsesError.
    """
    from pydantic import ValidationError

    from audit_kit.catalog import load_bundled
    from audit_kit.locate import problems_from_validation, shorten

    data = _decode(raw, shown)
    if instrument is None:
        named = data.get("instrument_id")
        if not isinstance(named, str) or not named:
            message = (
                "required field 'instrument_id' is missing; add it, or pass --instrument"
                if named is None
                else f"must be an instrument id such as 'mat-tsf-cod', not {named!r}; fix it, "
                "or pass --instrument"
            )
            raise ResponsesError.single(
                message,
                file=shown,
                path="instrument_id",
            )
        try:
            # an id, never a path: a responses file must not make us read other local files
            version = data.get("instrument_version")
            instrument = load_bundled(named, version if isinstance(version, str) else None)
        except InstrumentError as exc:
            raise ResponsesError(
                Problem(
                    Location(file=shown, path=_FIELD_OF.get(p.code, "instrument_id")),
                    p.message,
                    p.code,
                )
                for p in exc.problems
            ) from None

    problems: list[Problem] = []
    top = {k: v for k, v in data.items() if k != "answers"}
    try:
        Responses.model_validate({**top, "answers": {}})
    except ValidationError as exc:
        problems += problems_from_validation(exc, file=shown, data=data, model=Responses)

    raw_answers = data.get("answers", {})
    answers: dict[str, Answer] = {}
    if not isinstance(raw_answers, dict):
        problems.append(
            Problem(
                Location(file=shown, path="answers"),
                "must be an object mapping item ids to answers, e.g. "
                '{"mat.admit_on_moud": {"value": 4}}',
                "answers-type",
            )
        )
        raw_answers = {}
    elif len(raw_answers) > lim.MAX_ITEMS:
        problems.append(
            Problem(
                Location(file=shown, path="answers"),
                f"has {len(raw_answers):,} answers; {instrument.id} {instrument.version} has "
                f"{instrument.item_count} items, and no instrument more than {lim.MAX_ITEMS}; "
                "check that this is the right file",
                "too-many-answers",
            )
        )
        raw_answers = {}
    long_keys = [key for key in raw_answers if len(key) > lim.MAX_ID_LENGTH]
    raw_answers = {k: v for k, v in raw_answers.items() if len(k) <= lim.MAX_ID_LENGTH}
    for item_id in long_keys:
        problems.append(
            Problem(
                Location(file=shown, path="answers"),
                f"the key {shorten(item_id)!r} ({len(item_id):,} characters) is not an item id; "
                "remove it",
                "unknown-item",
            )
        )
    for item_id, entry in raw_answers.items():
        if not isinstance(entry, dict):
            problems.append(
                Problem(
                    Location(file=shown, path=answer_path(item_id)),
                    f'must be an object such as {{"value": {shorten(json.dumps(entry))}}} or '
                    '{"not_applicable": true, "na_reason": "..."}',
                    "answer-type",
                )
            )
            continue
        try:
            answers[item_id] = Answer.model_validate(entry)
        except ValidationError as exc:
            for p in problems_from_validation(exc, file=shown, data=entry, model=Answer):
                sub = p.location.path
                path = answer_path(item_id) + (f".{sub}" if sub else "")
                problems.append(Problem(Location(file=shown, path=path), p.message, p.code))

    place = locate_json(shown)
    if isinstance(top.get("instrument_id"), str) and isinstance(top.get("instrument_version"), str):
        problems += map(
            place, check_identity(instrument, top["instrument_id"], top["instrument_version"])
        )
    program = data.get("program")
    setting = program.get("setting") if isinstance(program, dict) else None
    known = setting if isinstance(setting, str) and setting in set(Setting) else None
    canonical, answer_problems = check_answers(
        instrument, answers, Setting(known) if known else None
    )
    problems += map(place, answer_problems)
    if problems:
        raise ResponsesError(problems)
    responses = Responses.model_validate({**top, "answers": {}})
    return instrument, responses.model_copy(update={"answers": canonical})


def _decode(raw: bytes, shown: str) -> dict[str, Any]:
    from audit_kit.fsutil import decode_text

    text = decode_text(raw, shown, ResponsesError)
    if not text.strip():
        raise ResponsesError.single(
            "the file is empty; it should hold a responses JSON object", file=shown, code="empty"
        )
    from audit_kit.locate import load_json

    data = load_json(text, shown, ResponsesError)
    if not isinstance(data, dict):
        raise ResponsesError.single(
            "must be a JSON object with instrument_id, instrument_version, program, "
            "assessment_date and answers",
            file=shown,
            code="json-type",
        )
    return data


def read_responses_json(path: Path, instrument: Instrument | None) -> tuple[Instrument, Responses]:
    """Read and check a responses JSON file."""
    from audit_kit.fsutil import read_input

    raw = read_input(path, MAX_RESPONSES_BYTES, "a responses JSON")
    return parse_responses(raw, str(path), instrument)


def dump_responses(responses: Responses) -> bytes:
    """Canonical JSON of responses: answers in instrument order, empty answer fields left out."""
    return responses.canonical_json()
