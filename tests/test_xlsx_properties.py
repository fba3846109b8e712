"""Property: whatever is typed in an answer cell, the reader never crashes and never accepts a
value a person would read differently (issue 10, part 4).

"Read differently", precisely. A person reads a cell from what it shows; ``readings`` lists
every value it can fairly be taken to mean:
- a number in a cell formatted as a percentage shows n × 100 %, and means that;
- a number in any other cell means itself, and, in a percentage item, a number above 0 and at
  most 1 also means n × 100 % (0.95 may be 95%; 1 may be 100%);
- a number format that rounds (0.0, 0%) shows a value the cell does not hold: both count;
- text means the numbers in it ("3." and ".5" are numbers): one number alone, or one score
  followed by words ("3 - partly"), or one number and a % sign, means that number; two
  numbers ("3-4", "1 or 2", "between 2 and 3", "3,5") mean each of them; a number among
  other words ("about 95") may mean it or something else;
- N/A words mean not applicable, and so does "no eligible cases" in a percentage item; a
  choice's label or value means that choice; a date, a time, TRUE or FALSE mean no answer.
The reader may accept a cell only when it has exactly one reading, and must then give exactly
that value; it may always refuse, but only with problems located on the item's row. The
canonical forms people type (a score, 95, "95%", a percentage-formatted number, a label, N/A)
must be accepted.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from test_xlsx_reader import MINI, item_rows

from audit_kit.errors import AuditKitError
from audit_kit.formats.xlsx.reader import read_workbook
from audit_kit.formats.xlsx.reader.cells import NotApplicable, read_answer
from audit_kit.formats.xlsx.reader.load import Raw, shown_decimals, shows_percent
from audit_kit.formats.xlsx.template import build_workbook
from audit_kit.model.instrument import Item
from audit_kit.model.responses import NA_WORDS, Answer, check_answers
from audit_kit.model.vocab import AnswerKind, Setting

NA = "N/A"  # the reading "not applicable"
OTHER = "something else"  # a reading that is no answer to the item
ITEMS = ["mat.admit", "mat.route", "mat.naloxone", "mat.pregnancy"]
FORMATS = ["General", "0", "0.0", "0.00", "#,##0", "0%", "0.0%", "0.00%", "@"]
WORDS = ["partly", "mostly", "routine, not written", "(rarely)", "charts", "of 10", "x"]


@dataclass(frozen=True)
class Typed:
    """What a person put in an answer cell, the cell's number format, and whether it is a
    canonical form of an answer (which must be accepted)."""

    value: Any
    number_format: str = "General"
    canonical: bool = False


# -- what a person reads -----------------------------------------------------------------------


def _num(x: float) -> float:
    return float(Decimal(repr(float(x))).quantize(Decimal("1e-9")))


def _rounded(x: float, decimals: int) -> float:
    return _num(float(Decimal(repr(x)).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)))


def readings(item: Item, typed: Typed) -> set[Any]:
    """Every value a person could fairly take the cell to mean (see the module docstring)."""
    value = typed.value
    if isinstance(value, bool | date | time):
        return {OTHER}
    if isinstance(value, int | float):
        percent = shows_percent(typed.number_format)
        shown = _num(value * 100 if percent else value)
        found = {shown}
        decimals = shown_decimals(typed.number_format)
        if decimals is not None:
            found.add(_rounded(shown, decimals))
        if item.kind is AnswerKind.PERCENT:
            if not percent and 0 < value <= 1:
                found.add(_num(value * 100))
        elif percent:
            return {OTHER}  # "300%" is no score
        return found
    return _text_readings(item, " ".join(str(value).split()))


def _text_readings(item: Item, text: str) -> set[Any]:
    folded = text.casefold()
    if folded in NA_WORDS:
        return {NA}
    if item.kind is AnswerKind.CHOICE:
        token = re.sub(r"[\s_-]+", "_", folded)
        for choice in item.choices or []:
            if token in (choice.value, re.sub(r"[\s_-]+", "_", choice.label.casefold())):
                return {choice.value}
        return {OTHER}
    if item.kind is AnswerKind.PERCENT and folded.rstrip(". ") in ("no eligible cases",):
        return {NA}
    numbers = re.findall(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)", text)  # "3." and ".5" too
    if not numbers:
        return {OTHER}
    if len(numbers) > 1:
        return {_num(float(n)) for n in numbers} | {OTHER}
    (number,) = numbers
    n = _num(float(number))
    rest = text[text.index(number) + len(number) :].strip()
    if text.startswith(number) and not rest:
        return readings(item, Typed(n))  # a number typed as text reads as that number
    if item.kind is AnswerKind.PERCENT and text.startswith(number) and rest == "%":
        return {n}
    if item.kind is AnswerKind.SCALE and text.startswith(number) and re.search(r"[^\W\d_]", rest):
        return {n}  # "3 - partly": a score and its words
    return {n, OTHER}


def is_answer(item: Item, reading: Any) -> bool:
    if reading == NA:
        return item.allow_na or item.kind is AnswerKind.PERCENT
    if item.kind is AnswerKind.CHOICE:
        return reading in {c.value for c in item.choices or []}
    if not isinstance(reading, float):
        return False
    if item.kind is AnswerKind.SCALE:
        return reading.is_integer() and 1 <= reading <= 5
    return 0 <= reading <= 100


# -- what is typed -----------------------------------------------------------------------------

_SMALL = st.integers(0, 6)
_INTS = st.integers(-5, 150)
_DECIMALS = st.builds(
    lambda n, d: round(n, d), st.floats(-1, 150, allow_nan=False), st.integers(0, 3)
)
_FRACTIONS = st.builds(lambda n: round(n, 3), st.floats(0, 1, allow_nan=False))
_SPECIAL = st.sampled_from([0, 1, 0.5, 0.95, 1.0, 100, 0.005, 79.6, 2.6, 3, 5, 0.0])
_NUMBERS = st.one_of(_SMALL, _INTS, _DECIMALS, _FRACTIONS, _SPECIAL)


@st.composite
def _texts(draw: st.DrawFn) -> str:
    a = draw(st.one_of(_SMALL, st.integers(0, 120), _DECIMALS.filter(lambda x: x >= 0)))
    b = draw(st.one_of(_SMALL, st.integers(0, 120)))
    word = draw(st.sampled_from(WORDS))
    pattern = draw(
        st.sampled_from(
            [
                "{a}",
                "{a}%",
                "{a} %",
                "{a} - {w}",
                "{a}: {w}",
                "{a} {w}",
                "{a}-{b}",
                "{a} - {b}",
                "{a} or {b}",
                "{a}/{b}",
                "{a},{b}",
                "between {a} and {b}",
                "about {a}",
                "{w} {a}",
                "{a}% of {b}",
                "0.{b}",
                " {a} ",
            ]
        )
    )
    return pattern.format(a=a, b=b, w=word)


_LABELS = st.sampled_from(
    ["On site", "by written referral", "NO ROUTE AT ALL", "on_site", "referral", "none", "On-site"]
)
_OTHER_TEXT = st.text(alphabet="0123456789 -./%,:oranNA", max_size=10)


@st.composite
def typed_cells(draw: st.DrawFn) -> Typed:
    """Numbers in number-formatted and text cells, percentages, fractions, text with digits,
    labels, N/A words, dates, times and booleans; the canonical forms marked."""
    kind = draw(st.sampled_from(["number", "text", "canonical", "words", "other"]))
    number_format = draw(st.sampled_from(FORMATS))
    if kind == "number":
        return Typed(draw(_NUMBERS), number_format)
    if kind == "text":
        return Typed(
            draw(st.one_of(_texts(), _OTHER_TEXT)), draw(st.sampled_from(["General", "@"]))
        )
    if kind == "words":
        words = [*sorted(NA_WORDS), "no eligible cases", "No eligible cases."]
        return Typed(draw(st.one_of(st.sampled_from(words), _LABELS)), "General")
    if kind == "other":
        other = st.sampled_from(
            [True, False, datetime(2026, 3, 4), datetime(2026, 3, 4, 9, 30), time(9, 30)]
        )
        return Typed(draw(other), "General")
    canonical = draw(
        st.sampled_from(
            [
                Typed(3, "General", True),
                Typed("3", "@", True),
                Typed("3 - partly", "General", True),
                Typed(95, "General", True),
                Typed("95%", "General", True),
                Typed(0.95, "0%", True),
                Typed(1, "0%", True),
                Typed(0, "0%", True),
                Typed(0.725, "0.0%", True),
                Typed("By written referral", "General", True),
                Typed("N/A", "General", True),
            ]
        )
    )
    return canonical


# -- reading one cell as the reader does ------------------------------------------------------


def _read_cell(item: Item, typed: Typed) -> tuple[bool, Any]:
    """(accepted, the value read: a number, a choice, NA) for ``typed`` in ``item``'s answer
    cell; the reader's own functions, on a cell as openpyxl hands it over."""
    value = typed.value
    if isinstance(value, datetime | time):
        raw = Raw(value)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        raw = Raw(
            value,
            percent=shows_percent(typed.number_format),
            decimals=shown_decimals(typed.number_format),
        )
    else:
        raw = Raw(value)
    message, read = read_answer(item, raw)
    if message is not None or read is None:
        return False, None
    if isinstance(read, NotApplicable):
        answer = Answer(not_applicable=True, na_reason=read.reason or "Why.")
    else:
        answer = Answer(value=read)
    canonical, problems = check_answers(MINI, {item.id: answer}, Setting.OUTPATIENT)
    if problems:
        return False, None
    kept = canonical[item.id]
    return True, NA if kept.not_applicable else _as_reading(kept.value)


def _as_reading(value: Any) -> Any:
    return _num(value) if isinstance(value, int | float) else value


def _check(item: Item, typed: Typed, accepted: bool, value: Any) -> None:
    said = readings(item, typed)
    if accepted:
        assert said == {value}, f"{typed} read as {value!r}; a person reads {said}"
    if typed.canonical and len(said) == 1 and is_answer(item, next(iter(said))):
        assert accepted, f"{typed} refused, though it reads {said} only"


# the misreadings of issue 10, always tried
KNOWN = [
    ("mat.naloxone", Typed(0.95)),
    ("mat.naloxone", Typed(1)),
    ("mat.naloxone", Typed(1, "0%", True)),
    ("mat.naloxone", Typed(79.6, "0")),
    ("mat.naloxone", Typed(0.796, "0%")),
    ("mat.admit", Typed("3 - 4")),
    ("mat.admit", Typed("1 or 2")),
    ("mat.admit", Typed("2 / 3")),
    ("mat.admit", Typed("between 2 and 3")),
    ("mat.admit", Typed(2.6, "0")),
    ("mat.admit", Typed("3 - partly", canonical=True)),
]


def _with_known(test: Any) -> Any:
    for item_id, typed in KNOWN:
        test = example(item_id=item_id, typed=typed)(test)
    return test


@settings(max_examples=600, deadline=None)
@_with_known
@given(item_id=st.sampled_from(ITEMS), typed=typed_cells())
def test_a_cell_is_read_only_when_it_reads_one_way(item_id: str, typed: Typed) -> None:
    item = MINI.item(item_id)
    accepted, value = _read_cell(item, typed)
    _check(item, typed, accepted, value)


# -- the same, through a real workbook --------------------------------------------------------

_TEMPLATE = build_workbook(MINI)
_SCRATCH: list[Path] = []


def _scratch() -> Path:
    import tempfile

    if not _SCRATCH:
        _SCRATCH.append(Path(tempfile.mkdtemp(prefix="audit-kit-properties-")))
    return _SCRATCH[0] / "typed.xlsx"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@_with_known
@given(item_id=st.sampled_from(ITEMS), typed=typed_cells())
def test_a_typed_workbook_never_crashes_the_reader_nor_is_misread(
    item_id: str, typed: Typed
) -> None:
    """Typed into the template with its number format, saved, read back whole: accepted only
    as its one reading; refused only with problems on the item's row."""
    item = MINI.item(item_id)
    wb = load_workbook(io.BytesIO(_TEMPLATE))
    ws, row, cols = item_rows(wb)[item_id]
    cell = ws.cell(row, cols["answer"])
    cell.value = typed.value
    if not isinstance(typed.value, date | time):  # a date keeps the date format it gets
        cell.number_format = typed.number_format
    if NA in readings(item, typed):
        ws.cell(row, cols["na_reason"]).value = "Why."
    program = wb["Program"]
    for r, value in ((4, "Casa"), (5, "Outpatient"), (6, "No"), (9, "2026-10-01")):
        program.cell(r, 2).value = value
    path = _scratch()
    wb.save(path)
    try:
        _, responses = read_workbook(path, MINI)
    except AuditKitError as exc:
        for problem in exc.problems:
            assert problem.location.sheet == ws.title, str(problem)
            assert re.fullmatch(rf"[A-Z]+{row}", problem.location.cell or ""), str(problem)
        _check(item, typed, False, None)
        return
    answer = responses.answers.get(item_id)
    if answer is None:  # an empty cell: nothing typed that reads as anything
        assert readings(item, typed) <= {OTHER} or typed.value in ("", None), typed
        return
    _check(item, typed, True, NA if answer.not_applicable else _as_reading(answer.value))
