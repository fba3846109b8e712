"""Hypothesis strategies: random valid instruments and responses to them."""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import strategies as st

from audit_kit.model.instrument import Instrument
from audit_kit.model.responses import Answer, Program, Responses
from audit_kit.model.vocab import AnswerKind, Setting

_LEVELS = {
    "not_yet_capable": "Not yet",
    "emerging": "Emerging",
    "capable": "Capable",
    "enhanced": "Enhanced",
}


@st.composite
def items(draw: st.DrawFn, item_id: str) -> dict[str, Any]:
    """One random item definition (as the raw document an author would write)."""
    kind = draw(st.sampled_from(list(AnswerKind)))
    item: dict[str, Any] = {
        "id": item_id,
        "title": f"Practice {item_id}",
        "question": "Question?",
        "guidance": "Look at the policy.",
        "evidence": ["policy"],
        "kind": kind.value,
        "anchors": {1: "low", 3: "middle", 5: "high"},
        "weight": draw(st.sampled_from([0.5, 1, 1, 1.5, 2, 3])),
        "citations": ["src"],
        "recommendation": "Do better.",
        "allow_na": draw(st.booleans()),
    }
    if kind is AnswerKind.CHOICE:
        scores = draw(st.lists(st.integers(1, 5), min_size=2, max_size=4))
        item["choices"] = [
            {"value": f"c{n}", "label": f"Choice {n}", "score": s} for n, s in enumerate(scores)
        ]
    if draw(st.integers(0, 4)) == 0:
        if kind is AnswerKind.PERCENT:
            item["critical"] = {"below_percent": 10, "finding": "Unsafe."}
        elif kind is AnswerKind.CHOICE:
            item["critical"] = {"answers": ["c0"], "finding": "Unsafe."}
        else:
            item["critical"] = {"answers": [1], "finding": "Unsafe."}
        item["allow_na"] = False
    return item


@st.composite
def instruments(draw: st.DrawFn, all_na_allowed: bool = False) -> Instrument:
    """A random valid instrument of 1-3 domains, each of 1-3 dimensions of 1-4 items."""
    domains = []
    for d in range(draw(st.integers(1, 3))):
        dimensions = []
        for m in range(draw(st.integers(1, 3))):
            dim_items = [draw(items(f"d{d}.i{m}_{i}")) for i in range(draw(st.integers(1, 4)))]
            if all_na_allowed:
                for item in dim_items:
                    item["allow_na"] = True
                    item.pop("critical", None)
            dimensions.append({"id": f"m{m}", "title": f"Dimension {m}", "items": dim_items})
        domains.append(
            {"id": f"d{d}", "title": f"Domain {d}", "levels": _LEVELS, "dimensions": dimensions}
        )
    return Instrument.model_validate(
        {
            "id": "random",
            "version": "1.0",
            "title": "Random instrument",
            "domains": domains,
            "citations": [{"id": "src", "author": "Someone", "title": "Something", "year": 2020}],
        }
    )


def valid_values(instrument: Instrument, item_id: str) -> st.SearchStrategy[Any]:
    """Any valid answer value for an item."""
    item = instrument.item(item_id)
    if item.kind is AnswerKind.SCALE:
        return st.integers(1, 5)
    if item.kind is AnswerKind.CHOICE:
        return st.sampled_from([c.value for c in item.choices or []])
    return st.one_of(
        st.integers(0, 100), st.floats(0, 100, allow_nan=False).map(lambda f: round(f, 1))
    )


@st.composite
def answers_for(
    draw: st.DrawFn, instrument: Instrument, setting: Setting = Setting.OUTPATIENT
) -> dict[str, Answer]:
    """A random set of answers: each item answered, N/A (where allowed) or left out."""
    out: dict[str, Answer] = {}
    for _, _, item in instrument.iter_items():
        choice = draw(st.sampled_from(["value", "value", "value", "na", "skip"]))
        if choice == "na" and (item.allow_na or not item.applies(setting)):
            out[item.id] = Answer(not_applicable=True, na_reason="Not part of this program.")
        elif choice == "value":
            out[item.id] = Answer(value=draw(valid_values(instrument, item.id)))
    return out


def responses_for(
    instrument: Instrument,
    answers: dict[str, Answer],
    setting: Setting = Setting.OUTPATIENT,
    hospital_based: bool = False,
) -> Responses:
    """Wrap answers in a responses document for the instrument."""
    return Responses(
        instrument_id=instrument.id,
        instrument_version=instrument.version,
        program=Program(name="Random program", setting=setting, hospital_based=hospital_based),
        assessor="Hypothesis",
        assessment_date=date(2026, 1, 15),
        answers=answers,
    )
