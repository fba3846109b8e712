"""Read a filled workbook: guard it, load it, read every sheet, and raise every problem at once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from audit_kit.errors import ResponsesError
from audit_kit.formats.xlsx.reader.items import place, read_items
from audit_kit.formats.xlsx.reader.load import load
from audit_kit.formats.xlsx.reader.meta import identify
from audit_kit.formats.xlsx.reader.program import read_program

if TYPE_CHECKING:
    from pathlib import Path

    from audit_kit.model.instrument import Instrument
    from audit_kit.model.responses import Responses


def read_workbook(path: Path, instrument: Instrument | None) -> tuple[Instrument, Responses]:
    """Read a filled workbook and check it against its instrument; every problem at once.

    Without ``instrument``, the bundled instrument named on the hidden _meta sheet is used. The
    file passes the pre-flight checks of guard.py first, and is never written to.
    """
    from audit_kit.formats.xlsx.guard import preflight
    from audit_kit.model.responses import Responses, check_answers

    book = load(preflight(path), str(path))
    instrument = identify(book, instrument)
    fields, problems = read_program(book)
    answers, rows, located = read_items(book, instrument)
    canonical, answer_problems = check_answers(instrument, answers, fields.get("setting"))
    located += [place(instrument, found, rows) for found in answer_problems]
    problems += [p for _, p in sorted(located, key=lambda pair: pair[0])]
    if problems:
        raise ResponsesError(problems)
    responses = Responses(
        instrument_id=instrument.id,
        instrument_version=instrument.version,
        program=fields["program"],
        assessor=fields["assessor"],
        assessment_date=fields["assessment_date"],
        answers=canonical,
    )
    return instrument, responses
