"""Turn what a person typed in a cell into a value, or say why the cell cannot be used."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from audit_kit.formats.xlsx import layout as lay
from audit_kit.model.instrument import SCALE_MAX, SCALE_MIN
from audit_kit.model.responses import NA_WORDS, fold, squash
from audit_kit.model.vocab import AnswerKind

if TYPE_CHECKING:
    from audit_kit.formats.xlsx.reader.load import Raw
    from audit_kit.model.instrument import Item
    from audit_kit.model.responses import AnswerValue

_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")
_PERCENT = re.compile(r"^([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*%$")
# "3 - partly", "3: partly", "3) partly", "3 partly": one score, then words (no digit)
_SCORE_WORDS = re.compile(r"^([1-9])(\s*[-–—:=).]\s*|\s+)(\D*[^\W\d_]\D*)$")
_NUMBERS = re.compile(r"\d+(?:\.\d+)?")
_NO_CASES = frozenset({"no eligible cases", "no eligible case"})


@dataclass(frozen=True)
class NotApplicable:
    """Marker: the cell says "not applicable", with the reason the words themselves give."""

    reason: str | None = None


NA = NotApplicable()
NO_CASES = NotApplicable(lay.NO_CASES_TEXT)


def as_shown(raw: Raw) -> str:
    """A cell's value as the person sees it, for messages."""
    value = raw.value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float) and raw.percent and _finite(value):
        return f"{_tidy(value * 100)}%"
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
    """(why the answer cell cannot be used, None), or (None, what it says).

    What can only be read one way is read (3, "3", "3 - partly", 95, "95%", 0.95 shown as 95%,
    a choice's label or value, N/A); what could be read two ways is refused with the fix (a
    fraction in a percentage cell, two numbers where one is asked). Anything else is passed on
    as typed, for the instrument check to refuse in its words.
    """
    message = unusable(raw, "the answer")
    if message:
        return message, None
    return _answer_value(item, raw)


def read_text(raw: Raw | None) -> tuple[str | None, str | None]:
    """(why a free-text cell cannot be used, None), or (None, its text if any)."""
    message = unusable(raw, "the text")
    if message:
        return message, None
    return None, as_text(raw)


def looks_like_answer(item: Item, raw: Raw) -> bool:
    """Whether a free-text cell holds exactly what the answer cell would take as an answer:
    a score, a percentage, a choice, N/A (not a note that merely starts with a number)."""
    if raw.error or raw.formula or raw.value is None:
        return False
    message, value = _answer_value(item, raw)
    if message or value is None:
        return False
    if isinstance(value, NotApplicable):
        return True
    from audit_kit.model.responses import normalize_value

    if isinstance(raw.value, str) and item.kind is AnswerKind.SCALE:
        # "3 charts missing" is a note; "3 - partly" and "3" are answers
        match = _SCORE_WORDS.match(squash(raw.value))
        if match and not match.group(2).strip():
            return False
    return normalize_value(item, value) is not None


def accepted(item: Item) -> str:
    """What an item's answer cell takes, in words, for messages."""
    if item.kind is AnswerKind.SCALE:
        scores = [str(n) for n in range(SCALE_MIN, SCALE_MAX + 1)]
        text = "one score: " + ", ".join(scores[:-1]) + " or " + scores[-1]
    elif item.kind is AnswerKind.PERCENT:
        text = f"one percentage from 0 to 100, typed as 95 or 95% ({lay.NO_CASES_TEXT} or N/A"
        return text + " if the audit found none)"
    else:
        text = "one from the cell's list: " + ", ".join(c.label for c in item.choices or [])
    return text + (" or N/A" if item.allow_na else "")


def _finite(value: float) -> bool:
    return -1e15 < value < 1e15


def _rounded(value: int | float, decimals: int) -> int | float:
    """A number as a spreadsheet shows it with ``decimals`` decimals (halves away from 0)."""
    from decimal import ROUND_HALF_UP, Decimal

    step = Decimal(1).scaleb(-decimals)
    return _tidy(float(Decimal(repr(value)).quantize(step, rounding=ROUND_HALF_UP)))


def _fixed(value: int | float, decimals: int) -> str:
    return f"{value:.{decimals}f}"


def _tidy(number: float) -> int | float:
    number = round(float(number), 9)  # 0.85 * 100 is 85.00000000000001
    return int(number) if number.is_integer() else number


def _answer_value(item: Item, raw: Raw) -> tuple[str | None, AnswerValue | NotApplicable | None]:
    value = raw.value
    if isinstance(value, bool | date | time | timedelta):
        return None, as_shown(raw)
    if isinstance(value, int | float):
        return _number(item, value, raw)
    text = squash(str(value))
    if not text:
        return None, None
    folded = fold(text)
    if item.kind is AnswerKind.CHOICE:
        from audit_kit.model.responses import normalize_value

        if normalize_value(item, text) is not None:
            return None, text
        token = re.sub(r"[\s-]+", "_", folded)
        if normalize_value(item, token) is not None:
            return None, token
        return None, NA if folded in NA_WORDS else text
    if folded in NA_WORDS:
        return None, NA
    if item.kind is AnswerKind.PERCENT and folded.rstrip(". ") in _NO_CASES:
        return None, NO_CASES
    if _NUMBER.match(text) and len(text) <= 20:  # a longer run of digits is no answer
        return _number(item, _tidy(float(text)) if "." in text else int(text), None, text)
    if item.kind is AnswerKind.PERCENT and (match := _PERCENT.match(text)) and len(text) <= 21:
        return None, _tidy(float(match.group(1)))
    if item.kind is AnswerKind.SCALE and (match := _SCORE_WORDS.match(text)):
        return None, int(match.group(1))
    if len(_NUMBERS.findall(text)) > 1:
        return f'"{text}" holds more than one number; give {accepted(item)}', None
    return None, text


def _number(
    item: Item, number: int | float, raw: Raw | None, typed: str | None = None
) -> tuple[str | None, AnswerValue | None]:
    """A number typed in an answer cell (``raw``, or the text ``typed``), read as shown."""
    shown = typed if raw is None else as_shown(raw)
    if not _finite(number):
        return None, shown
    percent = raw is not None and raw.percent
    if raw is not None and raw.decimals is not None:
        value = _tidy(number * 100 if percent else number)
        display = _rounded(value, raw.decimals)
        if display != value:
            unit = "%" if percent else ""
            return (
                f"the cell shows {_fixed(display, raw.decimals)}{unit} but holds {value}{unit} "
                "(its number format rounds it); give it a format that shows the whole value "
                "(e.g. General) and check that it is the answer you mean"
            ), None
    if item.kind is AnswerKind.PERCENT:
        if percent:
            return None, _tidy(number * 100)
        if 0 < number < 1:
            share = _tidy(number * 100)
            return (
                f"{shown} is a fraction, not a percentage from 0 to 100; if you mean {share}%, "
                f"type {share} or {share}%"
            ), None
        if number == 1:
            return (
                f"{shown} could mean 1% or, as a fraction, 100%; type 1% for one percent, or "
                "100 or 100% for all"
            ), None
        return None, number
    if percent:
        return None, shown  # a score shown as "300%" is no score: refused as shown
    return None, number


def bad_value_message(item: Item, code: str, raw: Raw | None) -> str:
    """Why an answer the instrument refused is not an answer to ``item``, and what to give."""
    shown = as_shown(raw) if raw is not None else ""
    return f'"{shown}" is not an answer to {code}; give {accepted(item)}'


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
