"""Responses: one program's answers to an instrument, and their check against that instrument."""

from __future__ import annotations

import difflib
import hashlib
import json
import math
import re
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    field_validator,
    model_validator,
)

from audit_kit.model import limits as lim
from audit_kit.model.instrument import SCALE_MAX, SCALE_MIN, Instrument, Item
from audit_kit.model.vocab import AnswerKind, Setting

AnswerValue = StrictInt | StrictFloat | StrictStr


# Terminal escape sequences, taken out whole so that no remnant such as "]0;title" is left:
# CSI (ESC [ or U+009B) up to its final byte; OSC, DCS, SOS, PM and APC (ESC ] P X ^ _ or their
# one-character forms) up to BEL or ST, or the end of the line when unterminated; and any other
# ESC with its intermediate and final bytes.
_ESCAPE = re.compile(
    r"(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[\x20-\x2f]*[\x30-\x7e]?"
)
# What is left of the C0 and C1 controls (tab and line feed stay), the explicit bidirectional
# embeddings, overrides and isolates (they reorder what a terminal or reader shows; right-to-left
# scripts need none of them), and lone surrogates, which are no text at all.
_CONTROL = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_LINE_BREAKS = re.compile(r"\r\n?|[\x85\u2028\u2029]")


def clean_text(text: str) -> str:
    """Text as it can live in JSON, a workbook cell, a terminal and a PDF alike: one kind of
    line break, no terminal escape sequences, control characters or bidirectional overrides.

    Everything else, letters of every script and emoji included, is kept as given.
    """
    return _CONTROL.sub("", _ESCAPE.sub("", _LINE_BREAKS.sub("\n", text)))


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _clean(cls, data: Any) -> Any:
        # the same text must come back from every format, so what a workbook cannot hold
        # is taken out on the way in
        if not isinstance(data, dict):
            return data
        return {
            k: clean_text(v)
            if isinstance(v, str)
            else [clean_text(x) if isinstance(x, str) else x for x in v]
            if isinstance(v, list)
            else v
            for k, v in data.items()
        }


class Program(_Frozen):
    """The program assessed (never a patient)."""

    name: str | None = Field(
        default=None,
        min_length=1,
        max_length=lim.PROGRAM_NAME_MAX,
        description="Name of the program; None while not given (the result is then a draft).",
    )
    setting: Setting | None = Field(
        default=None,
        description="Kind of program: residential, outpatient, ...; None while not given "
        "(every item then counts as applying, and advice is not tailored).",
    )
    hospital_based: StrictBool | None = Field(
        default=None,
        description="Whether the program is run by a hospital; None while not given.",
    )
    populations: list[Annotated[str, Field(min_length=1, max_length=lim.POPULATION_MAX)]] = Field(
        default_factory=list,
        max_length=lim.MAX_POPULATIONS,
        description="Populations served, e.g. 'adults', 'adolescents', 'pregnant women'.",
    )

    @property
    def display_name(self) -> str:
        """The name, or a placeholder that says it is missing."""
        return self.name or "Unnamed program"

    @property
    def setting_label(self) -> str:
        """The setting in words, or that it is not given."""
        return self.setting.label if self.setting else "setting not given"

    def missing(self) -> list[str]:
        """The profile fields not given yet, in words."""
        given = {"program name": self.name, "setting": self.setting}
        given["hospital-based (yes or no)"] = self.hospital_based
        return [label for label, value in given.items() if value is None]

    @field_validator("populations")
    @classmethod
    def _one_each(cls, populations: list[str]) -> list[str]:
        for population in populations:
            if "\n" in population:
                raise ValueError(
                    f"{population!r} runs over several lines; give each population separately"
                )
        return populations


class Answer(_Frozen):
    """The answer to one item: a value, not applicable (with a reason), or nothing yet."""

    value: AnswerValue | None = Field(
        default=None,
        description=(
            "Score 1-5 (scale items), a choice value (choice items) or a percentage 0-100 "
            "(percent items); absent or null while unanswered."
        ),
    )
    not_applicable: StrictBool = Field(
        default=False, description="True when the item does not apply to the program."
    )
    na_reason: str | None = Field(
        default=None,
        max_length=lim.NA_REASON_MAX,
        description="Why the item does not apply (required for N/A).",
    )
    note: str | None = Field(
        default=None, max_length=lim.NOTE_MAX, description="The respondent's note on the answer."
    )
    evidence: str | None = Field(
        default=None,
        max_length=lim.EVIDENCE_MAX,
        description="Where the evidence is: document, chart sample, meeting, data report.",
    )

    @field_validator("value", mode="before")
    @classmethod
    def _scalar(cls, value: object) -> object:
        # one clear message instead of one per member of the union
        if isinstance(value, str) and len(value) > lim.NAME_MAX:
            raise ValueError(
                f"is {len(value):,} characters long; an answer is a score, a percentage or one "
                "of the item's choices"
            )
        if value is None or (isinstance(value, int | float | str) and not isinstance(value, bool)):
            return value
        raise ValueError(
            f"must be a number (a score or a percentage) or a choice as text, not {value!r}"
        )


class Responses(_Frozen):
    """A filled assessment of one program with one instrument."""

    instrument_id: str = Field(
        min_length=1, max_length=lim.MAX_ID_LENGTH, description="Id of the instrument answered."
    )
    instrument_version: str = Field(
        min_length=1, max_length=lim.MAX_ID_LENGTH, description="Version of the instrument."
    )
    program: Program = Field(description="The program assessed.")
    assessor: str = Field(
        default="",
        max_length=lim.PROGRAM_NAME_MAX,
        description="Who carried out the assessment (name, role).",
    )
    assessment_date: date | None = Field(
        default=None,
        description="Date of the assessment (YYYY-MM-DD); None while not given (a draft).",
    )

    @field_validator("assessment_date", mode="before")
    @classmethod
    def _iso_date(cls, value: object) -> object:
        # pydantic would read a number as seconds since 1970; a date is written as a date
        if isinstance(value, int | float) and not isinstance(value, bool):
            raise ValueError(f"must be a date written YYYY-MM-DD, not the number {value!r}")
        return value

    answers: dict[str, Answer] = Field(
        default_factory=dict, description="Answers keyed by item id; missing items are unanswered."
    )

    def missing(self) -> list[str]:
        """The profile fields not given yet, in words; while any is missing, a draft."""
        return self.program.missing() + ([] if self.assessment_date else ["assessment date"])

    def canonical_json(self) -> bytes:
        """Canonical JSON: answers in the order held, empty answer fields left out, UTF-8."""
        doc = self.model_dump(mode="json", exclude={"answers"})
        doc["answers"] = {
            item_id: answer.model_dump(mode="json", exclude_defaults=True)
            for item_id, answer in self.answers.items()
        }
        return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8")

    def fingerprint(self) -> str:
        """SHA-256 (hex) of the canonical JSON: the same answers give the same value."""
        return hashlib.sha256(self.canonical_json()).hexdigest()


@dataclass(frozen=True)
class AnswerProblem:
    """A mismatch between responses and their instrument, before it is given a location.

    ``field`` is one of ``instrument_id``, ``instrument_version``, ``item`` (the item id itself),
    ``value``, ``not_applicable``, ``na_reason``, ``note`` or ``evidence``.
    """

    item_id: str | None
    field: str
    message: str
    code: str


def answer_hint(item: Item) -> str:
    """What the item accepts, as a short phrase for error messages."""
    if item.kind is AnswerKind.SCALE:
        accepted = f"{SCALE_MIN}-{SCALE_MAX}"
    elif item.kind is AnswerKind.PERCENT:
        accepted = "a percentage from 0 to 100"
    else:
        accepted = ", ".join(c.value for c in item.choices or [])
    return f"{accepted} or N/A" if item.allow_na else accepted


#: Spellings of "not applicable" people type, compared after fold().
NA_WORDS = frozenset({"n/a", "na", "n.a.", "n.a", "n / a", "not applicable"})


def squash(text: str) -> str:
    """Text with its white space (non-breaking too) collapsed to single spaces and trimmed."""
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


def fold(text: str) -> str:
    """Text as compared: squashed and case-folded."""
    return squash(text).casefold()


def normalize_value(item: Item, value: AnswerValue) -> AnswerValue | None:
    """The canonical form of an answer value for this item, or None when it is not an answer."""
    if isinstance(value, bool):
        return None
    if item.kind is AnswerKind.CHOICE:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        # a label may look like a number ("3", "10-20"), and a spreadsheet stores it as one
        wanted = fold(str(value))
        for choice in item.choices or []:
            if wanted in (choice.value, fold(choice.label)):
                return choice.value
        return None
    if isinstance(value, str) or (isinstance(value, float) and not math.isfinite(value)):
        return None
    # compare before converting: an int too large for a float must not raise
    if item.kind is AnswerKind.SCALE:
        whole = isinstance(value, int) or value.is_integer()
        return int(value) if whole and SCALE_MIN <= value <= SCALE_MAX else None
    if not 0 <= value <= 100:
        return None
    return int(value) if float(value).is_integer() else float(value)


def check_identity(instrument: Instrument, instrument_id: str, version: str) -> list[AnswerProblem]:
    """Whether responses name this instrument and version."""
    if instrument_id != instrument.id:
        return [
            AnswerProblem(
                None,
                "instrument_id",
                f"these responses are for instrument {instrument_id!r}, not {instrument.id!r}; "
                "pass the matching instrument with --instrument",
                "wrong-instrument",
            )
        ]
    if version != instrument.version:
        return [
            AnswerProblem(
                None,
                "instrument_version",
                f"these responses are for version {version} of {instrument.id}, but the "
                f"instrument loaded is version {instrument.version}; use the matching "
                "instrument file with --instrument",
                "wrong-version",
            )
        ]
    return []


def check_answers(
    instrument: Instrument, answers: dict[str, Answer], setting: Setting | None = None
) -> tuple[dict[str, Answer], list[AnswerProblem]]:
    """Check answers against the items; return them canonical and in instrument order, and problems.

    Every problem is collected. Values are canonicalised (choice labels to choice values,
    ``4.0`` to ``4``) so that equal answers compare equal whatever form they came in, and
    empty answers are dropped. N/A is accepted where the item allows it, and for items that do
    not apply to ``setting``; with the setting unknown (None: it is itself in error), for any
    item limited to some settings.
    """
    from audit_kit.model.applicability import skipped_items

    problems: list[AnswerProblem] = []
    canonical: dict[str, Answer] = {}
    skipped = skipped_items(instrument, setting, answers)
    for item_id, answer in answers.items():
        if not instrument.has_item(item_id):
            close = difflib.get_close_matches(item_id, instrument.item_ids, n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]}?" if close else "; remove it or check the id"
            problems.append(
                AnswerProblem(
                    item_id,
                    "item",
                    f"{_quoted(item_id)} is not an item of {instrument.id} {instrument.version}"
                    f"{hint}",
                    "unknown-item",
                )
            )
            continue
        item = instrument.item(item_id)
        limited = item.applies_to is not None
        na_ok = item.na_allowed or item_id in skipped or (limited and setting is None)
        problem, fixed = _check_answer(item, answer, na_ok, _na_hint(instrument, item, answers))
        if problem:
            problems.append(problem)
        if fixed.model_dump(exclude_defaults=True):
            canonical[item_id] = fixed
    ordered = {i: canonical[i] for i in instrument.item_ids if i in canonical}
    return ordered, problems + _text_total(ordered)


_TEXT_FIELDS = ("na_reason", "note", "evidence")


def _text_total(answers: dict[str, Answer]) -> list[AnswerProblem]:
    """The notes, evidence and N/A reasons together must fit in one report (limits.py)."""
    total = sum(len(getattr(a, f) or "") for a in answers.values() for f in _TEXT_FIELDS)
    if total <= lim.ANSWER_TEXT_MAX:
        return []
    running = 0
    for item_id, answer in answers.items():
        for field in _TEXT_FIELDS:
            running += len(getattr(answer, field) or "")
            if running > lim.ANSWER_TEXT_MAX:
                return [
                    AnswerProblem(
                        item_id,
                        field,
                        f"the notes, evidence and N/A reasons together come to {total:,} "
                        f"characters, over the limit of {lim.ANSWER_TEXT_MAX:,} for one "
                        "assessment (reached here); shorten them",
                        "too-much-text",
                    )
                ]
    return []


def conform(instrument: Instrument, responses: Responses) -> tuple[Responses, list[AnswerProblem]]:
    """Check responses against their instrument: identity and every answer (see check_answers)."""
    problems = check_identity(instrument, responses.instrument_id, responses.instrument_version)
    answers, answer_problems = check_answers(
        instrument, responses.answers, responses.program.setting
    )
    return responses.model_copy(update={"answers": answers}), problems + answer_problems


def _na_hint(instrument: Instrument, item: Item, answers: dict[str, Answer]) -> str:
    """What to do instead of N/A: where skip logic would decide, answer the deciding item."""
    condition = item.applies_when
    if condition is None or not instrument.has_item(condition.item):
        return f"choose {answer_hint(item)}"
    decider = answers.get(condition.item)
    if decider is not None and (decider.value is not None or decider.not_applicable):
        return f"choose {answer_hint(item)}"
    return (
        f"it applies unless {instrument.code(condition.item)} ({condition.item}) says otherwise, "
        f"so answer that first, or choose {answer_hint(item)}"
    )


def _quoted(value: AnswerValue) -> str:
    """A value as quoted in a message: its repr, cut short (a long text or number is no answer)."""
    shown = repr(value)
    return shown if len(shown) <= 60 else shown[:59] + "…"


def _check_answer(
    item: Item, answer: Answer, na_ok: bool, na_hint: str
) -> tuple[AnswerProblem | None, Answer]:
    if answer.not_applicable:
        if not na_ok:
            return AnswerProblem(
                item.id,
                "not_applicable",
                f"{item.id} cannot be answered N/A; {na_hint}",
                "na-not-allowed",
            ), answer
        if answer.value is not None:
            return AnswerProblem(
                item.id,
                "value",
                f"{item.id} is marked N/A and also answered {_quoted(answer.value)}; keep one of "
                "them",
                "na-and-value",
            ), answer
        if not answer.na_reason:
            return AnswerProblem(
                item.id,
                "na_reason",
                f"{item.id} is marked N/A without a reason; say why it does not apply",
                "na-without-reason",
            ), answer
        return None, answer
    if answer.value is None:
        if answer.na_reason:
            return AnswerProblem(
                item.id,
                "na_reason",
                f"{item.id} has an N/A reason but is neither marked N/A nor answered; "
                "mark it N/A or clear the reason",
                "reason-without-na",
            ), answer
        return None, answer
    value = normalize_value(item, answer.value)
    if value is None:
        return AnswerProblem(
            item.id,
            "value",
            f"{_quoted(answer.value)} is not an answer to {item.id}; choose {answer_hint(item)}",
            "bad-value",
        ), answer
    if answer.na_reason:
        return AnswerProblem(
            item.id,
            "na_reason",
            f"{item.id} is answered {value!r} but also has an N/A reason; clear one of them",
            "reason-without-na",
        ), answer
    return None, answer.model_copy(update={"value": value})
