"""The responses file being filled: found, read, and rewritten whole after every change."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from audit_kit.errors import OutputError
from audit_kit.fill.console import signals_held
from audit_kit.formats.responses_json import (
    MAX_RESPONSES_BYTES,
    dump_responses,
    read_responses_json,
)
from audit_kit.fsutil import check_output, write_atomic
from audit_kit.model.instrument import Instrument
from audit_kit.model.responses import Answer, Responses, check_answers


class ResponsesFile:
    """The responses of one assessment and the file that holds them, saved atomically."""

    def __init__(self, instrument: Instrument, path: Path, responses: Responses) -> None:
        self.instrument = instrument
        self.path = path
        self.responses = responses

    @classmethod
    def load(cls, path: Path, explicit: Instrument | None) -> ResponsesFile:
        """An existing file, checked against its instrument (``explicit``, or the one it names)."""
        instrument, responses = read_responses_json(path, explicit)
        return cls(instrument, path, responses)

    def save(self) -> None:
        try:
            write_atomic(self.path, dump_responses(self.responses))
        except OSError as exc:
            raise OutputError.single(
                f"cannot save ({exc.strerror or exc}); the answers confirmed before this one "
                "are in the file",
                file=str(self.path),
                code="save-failed",
            ) from None

    def replace(self, responses: Responses) -> None:
        """Take new responses, saving them unless the file would stay byte for byte the same."""
        with signals_held():
            before, self.responses = self.responses, responses
            if dump_responses(responses) != dump_responses(before):
                self.save()

    def set_answer(self, item_id: str, **changes: Any) -> None:
        """Change fields of one answer and save the file at once."""
        current = self.responses.answers.get(item_id) or Answer()
        answer = Answer.model_validate({**current.model_dump(), **changes})
        answers = dict(self.responses.answers)
        if answer == Answer():
            answers.pop(item_id, None)
        else:
            answers[item_id] = answer
        setting = self.responses.program.setting
        checked, problems = check_answers(self.instrument, answers, setting)
        if problems:  # the prompts only let valid answers through
            raise AssertionError(f"fill built an invalid answer: {problems}")
        with signals_held():
            self.responses = self.responses.model_copy(update={"answers": checked})
            self.save()


def latest_responses(folder: Path, instrument_id: str | None) -> Path | None:
    """The most recently changed responses JSON in a folder (optionally for one instrument)."""
    found: list[tuple[int, str, Path]] = []
    for path in folder.glob("*.json"):
        if path.name.startswith("."):
            continue
        try:
            stat = path.stat()
            if not path.is_file() or stat.st_size > MAX_RESPONSES_BYTES:
                continue
            data = json.loads(path.read_bytes().decode("utf-8-sig"))
        except (OSError, UnicodeDecodeError, ValueError, RecursionError):
            continue
        if not isinstance(data, dict) or "answers" not in data:
            continue
        named = data.get("instrument_id")
        if isinstance(named, str) and instrument_id in (None, named):
            found.append((stat.st_mtime_ns, path.name, path))
    return max(found)[2] if found else None


def check_responses_output(path: Path) -> None:
    """Refuse an output that cannot become a responses file, before any question is asked."""
    if path.suffix.lower() != ".json":
        raise OutputError.single(
            "fill writes a responses JSON file; give a name ending in .json",
            file=str(path),
            code="suffix",
        )
    check_output(path)
