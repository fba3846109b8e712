"""Turn what a person typed in a cell into a value, or say why the cell cannot be used."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from audit_kit.model.responses import NA_WORDS, fold, squash
from audit_kit.model.vocab import AnswerKind

if TYPE_CHECKING:
    from audit_kit.formats.xlsx.reader.load import Raw
    from audit_kit.model.instrument import Item
    from audit_kit.model.responses import AnswerValue

_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")
_PERCENT = re.compile(r"^([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*%$")
# "3 - capable", "3: capable", "3) capable", "3 capable": a score followed by words
_SCORE_WORDS = re.compile(r"^(\d)(?:\s*[-–—:=).]\s*|\s+)[^\d\s.,]")


class NotApplicable:
    """Marker: the cell says "not applicable"."""


NA = NotApplicable()


def as_shown(raw: Raw) -> str:
    """A cell's value as the person sees it, for messages."""
    value = raw.value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime) and value.time() == time(0):
        return value.date().isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return squash(str(value))


def as_text(raw: Raw | None) -> str | None:
    """A free-text cell (reason, evidence, note): kept as typed, trimmed; numbers as shown."""
    if raw is None:
        return None
    text = raw.value.strip() if isinstance(raw.value, str) else as_shown(raw)
    return text or None


def unusable(raw: Raw | None, what: str) -> str | None:
    """Why a cell cannot be used at all (an error value, a formula without a result), or None."""
    if raw is None:
        return None
    if raw.error:
        return (
            f"the cell shows the error {raw.value}, not a value; replace the formula or text "
            f"with {what} itself"
        )
    if raw.formula and raw.value is None:
        return (
            "the cell holds a formula without a saved result; type "
            f"{what} itself, or open and save the file in Excel or LibreOffice so that the "
            "result is saved"
        )
    return None


def read_answer(item: Item, raw: Raw) -> tuple[str | None, AnswerValue | NotApplicable | None]:
    """(why the answer cell cannot be used, None), or (None, what it says)."""
    message = unusable(raw, "the answer")
    if message:
        return message, None
    return None, _answer_value(item, raw)


def read_text(raw: Raw | None) -> tuple[str | None, str | None]:
    """(why a free-text cell cannot be used, None), or (None, its text if any)."""
    message = unusable(raw, "the text")
    if message:
        return message, None
    return None, as_text(raw)


def _tidy(number: float) -> int | float:
    number = round(number, 9)  # 0.85 * 100 is 85.00000000000001
    return int(number) if number.is_integer() else number


def _answer_value(item: Item, raw: Raw) -> AnswerValue | NotApplicable | None:
    """What an answer cell says, made canonical where it can be; check_answers judges the rest."""
    from audit_kit.model.responses import normalize_value

    value = raw.value
    if isinstance(value, (bool, date | time | timedelta)):
        return as_shown(raw)
    if isinstance(value, int | float):
        if item.kind is AnswerKind.PERCENT and raw.percent and -1e6 < value < 1e6:
            return _tidy(value * 100)
        return value
    text = squash(str(value))
    if not text:
        return None
    folded = fold(text)
    if item.kind is AnswerKind.CHOICE:
        if normalize_value(item, text) is not None:
            return text
        token = re.sub(r"[\s-]+", "_", folded)
        if normalize_value(item, token) is not None:
            return token
        return NA if folded in NA_WORDS else text
    if folded in NA_WORDS:
        return NA
    number: int | float | None = None
    if _NUMBER.match(text) and len(text) <= 20:  # a longer run of digits is no answer
        number = _tidy(float(text)) if "." in text else int(text)
    elif item.kind is AnswerKind.PERCENT and (match := _PERCENT.match(text)):
        number = _tidy(float(match.group(1)))
    elif item.kind is AnswerKind.SCALE and (match := _SCORE_WORDS.match(text)):
        number = int(match.group(1))
    if number is not None and normalize_value(item, number) is not None:
        return number
    return text


def bad_value_message(item: Item, raw: Raw | None) -> str:
    """Why an answer the instrument refused is not an answer to ``item``, and what to pick."""
    from audit_kit.model.responses import answer_hint

    shown = as_shown(raw) if raw is not None else ""
    if item.kind is AnswerKind.CHOICE:
        labels = ", ".join(c.label for c in item.choices or [])
        hint = f"pick one from the cell's list: {labels}" + (" or N/A" if item.allow_na else "")
    else:
        hint = f"choose {answer_hint(item)}"
    return f'"{shown}" is not an answer to {item.id}; {hint}'


def validation_message(err: Any) -> str:
    """A pydantic error about a cell's value, worded for the person who typed it."""
    if err["type"] == "string_too_long" and isinstance(err.get("input"), str):
        limit = err.get("ctx", {}).get("max_length")
        return (
            f"the text is too long ({len(err['input']):,} characters); shorten it to at most "
            f"{limit:,} characters"
        )
    message = str(err["msg"]).removeprefix("Value error, ")
    return message[0].lower() + message[1:]
