"""What every tool shares: field names, the program profile, answer codes and skip logic."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from audit_kit.model.instrument import SCALE_MAX, SCALE_MIN
from audit_kit.model.vocab import AnswerKind, Setting

if TYPE_CHECKING:
    from audit_kit.model.instrument import Instrument, Item


@dataclass(frozen=True)
class ProfileField:
    """One field of the program profile, asked before the items."""

    key: str  # the Program / Responses field it fills
    name: str  # field name in XLSForm and REDCap; in FHIR the linkId is "profile/<name>"
    label: str
    hint: str


PROFILE_FIELDS: tuple[ProfileField, ...] = (
    ProfileField("name", "program_name", "Program name", "The name of the program assessed."),
    ProfileField("setting", "setting", "Setting", "The kind of program."),
    ProfileField(
        "hospital_based", "hospital_based", "Hospital-based", "Yes if a hospital runs the program."
    ),
    ProfileField(
        "populations",
        "populations",
        "Populations served",
        "Optional. Separate them with semicolons, e.g. adults; pregnant women.",
    ),
    ProfileField(
        "assessor", "assessor", "Assessor", "Who carried out the assessment: name and role."
    ),
    ProfileField(
        "assessment_date", "assessment_date", "Assessment date", "The day of the assessment."
    ),
)
PROFILE_BY_KEY = {f.key: f for f in PROFILE_FIELDS}

#: The field holding ``id@version`` of the instrument a form was made from.
INSTRUMENT_FIELD = "instrument_ref"
INSTRUMENT_LABEL = "Instrument"

YES, NO = "yes", "no"
NA_LABEL = "N/A – not applicable"
NO_CASES_LABEL = "no eligible cases in the audit sample"
SETTING_OPTIONS: tuple[tuple[str, str], ...] = tuple((s.value, s.label) for s in Setting)


@dataclass(frozen=True)
class Option:
    """One answer a person picks: its stable code, its label, and the score it gives."""

    code: str
    label: str
    score: int | None  # None for N/A


@dataclass(frozen=True)
class ItemFields:
    """The fields that carry one item's answer in a tool, and the codes of its answers."""

    item: Item
    code: str  # 'MAT-4', as people read it
    name: str  # 'mat_4': the answer field
    options: tuple[Option, ...]  # scale and choice items, N/A last where allowed
    na_code: str | None  # the code of the N/A option (scale and choice items that allow N/A)
    na_flag: str | None  # percent items: the field saying "no eligible cases"
    reason: str | None  # where N/A is possible: the field for its reason
    evidence: str  # where the evidence is
    note: str  # the respondent's note

    @property
    def label(self) -> str:
        """The question as the tool shows it, led by the item's code."""
        return f"{self.code}. {self.item.question}"

    @property
    def flag_label(self) -> str:
        """The question of the "no eligible cases" field of a percent item."""
        return f"{self.code}: {NO_CASES_LABEL}?"

    @property
    def reason_label(self) -> str:
        """The question of the N/A reason field."""
        return f"{self.code}: why does it not apply?"

    @property
    def evidence_label(self) -> str:
        """The question of the evidence field."""
        return f"{self.code}: where is the evidence? (document, chart sample, meeting, report)"

    @property
    def note_label(self) -> str:
        """The question of the note field."""
        return f"{self.code}: note (optional)"

    def option(self, code: str) -> Option | None:
        """The option with this code."""
        return next((o for o in self.options if o.code == code), None)


def field_name(code: str) -> str:
    """The field name of an item code: 'MAT-4' → 'mat_4'.

    Codes are one capital letter, up to seven more capitals or digits, a hyphen and up to
    three digits, so names are at most 12 characters, and at most 21 with a suffix below: within
    REDCap's recommended 26, a valid XML name for XLSForm, and never one of the profile names
    (those have no digits after an underscore).
    """
    return code.lower().replace("-", "_")


def na_code(item: Item) -> str:
    """The code of N/A for a scale or choice item: 'na', unless a choice already uses it."""
    taken = {c.value for c in item.choices or []}
    code, n = "na", 1
    while code in taken:
        n += 1
        code = f"na_{n}"
    return code


def option_label(text: str) -> str:
    """A label as an option can carry it everywhere: one line, and no '|' (REDCap splits its
    choices on it)."""
    return " ".join(text.replace("|", "/").split())


def scale_label(item: Item, score: int) -> str:
    """A point of the scale as a choice: '3 – <anchor>', or where it lies between anchors."""
    anchor = item.anchors.get(score)
    if anchor:
        return option_label(f"{score} – {anchor}")
    below = max(s for s in item.anchors if s < score)
    above = min(s for s in item.anchors if s > score)
    return f"{score} – between {below} and {above}"


def _fields(instrument: Instrument, item: Item) -> ItemFields:
    code = instrument.code(item.id)
    name = field_name(code)
    options: list[Option] = []
    if item.kind is AnswerKind.SCALE:
        options = [Option(str(s), scale_label(item, s), s) for s in range(SCALE_MIN, SCALE_MAX + 1)]
    elif item.kind is AnswerKind.CHOICE:
        options = [Option(c.value, option_label(c.label), c.score) for c in item.choices or []]
    percent = item.kind is AnswerKind.PERCENT
    na = None
    if item.na_allowed and not percent:
        na = na_code(item)
        options.append(Option(na, NA_LABEL, None))
    return ItemFields(
        item=item,
        code=code,
        name=name,
        options=tuple(options),
        na_code=na,
        na_flag=f"{name}_na" if percent else None,
        reason=f"{name}_reason" if item.na_allowed else None,
        evidence=f"{name}_evidence",
        note=f"{name}_note",
    )


def item_fields(instrument: Instrument) -> list[ItemFields]:
    """Every item's fields, in instrument order."""
    return [_fields(instrument, item) for _, _, item in instrument.iter_items()]


@dataclass(frozen=True)
class Test:
    """A field that is still unanswered, or has one of ``codes``: one part of when an item
    applies. ``item_id`` is None for the program's setting."""

    field: str
    item_id: str | None
    codes: tuple[str, ...]


def applicability(instrument: Instrument, item: Item) -> list[Test]:
    """When an item applies, as tests that must all hold (none: it always applies).

    The same rules as model.applicability.skipped_items, in the terms a form can evaluate while
    it is filled in: an item limited to some settings applies while the setting is not given or
    is one of them; an item with a condition applies while its deciding item applies and is
    unanswered or has one of the condition's answers. A tool leaves the answer of a field that
    does not apply empty, so "the deciding item applies" is spelt out with its own tests.
    """
    tests: list[Test] = []
    if item.applies_to is not None:
        tests.append(Test("setting", None, tuple(s.value for s in item.applies_to)))
    condition = item.applies_when
    if condition is not None and instrument.has_item(condition.item):
        decider = instrument.item(condition.item)
        tests += applicability(instrument, decider)
        name = field_name(instrument.code(decider.id))
        tests.append(Test(name, decider.id, tuple(str(a) for a in condition.answers)))
    return list(dict.fromkeys(tests))
