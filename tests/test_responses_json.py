"""Responses JSON: canonical round trip, and every problem located by its JSON path."""

from __future__ import annotations

import json
from typing import Any

import pytest

from audit_kit.errors import ResponsesError
from audit_kit.formats.responses_json import dump_responses, parse_responses
from audit_kit.model.instrument import Instrument

from conftest import build_responses

GOOD: dict[str, Any] = {
    "instrument_id": "mini",
    "instrument_version": "1.0",
    "program": {"name": "Sunrise", "setting": "residential", "hospital_based": False},
    "assessor": "A. Assessor",
    "assessment_date": "2026-10-01",
    "answers": {
        "mat.admit": {"value": 4, "note": "Policy AP-3", "evidence": "AP-3 (2025)"},
        "mat.route": {"value": "By written referral"},
        "mat.pregnancy": {"not_applicable": True, "na_reason": "Men only"},
        "mat.naloxone": {"value": 85.0},
    },
}


def parse(mini: Instrument, doc: Any) -> list[str]:
    """The problems of a document, as printed (empty when it is fine)."""
    raw = doc if isinstance(doc, bytes) else json.dumps(doc).encode()
    try:
        parse_responses(raw, "r.json", mini)
    except ResponsesError as exc:
        return [str(p) for p in exc.problems]
    return []


def with_answer(item_id: str, answer: Any) -> dict[str, Any]:
    """GOOD with one answer replaced."""
    return {**GOOD, "answers": {**GOOD["answers"], item_id: answer}}


def test_good_responses_parse_and_canonicalise(mini: Instrument) -> None:
    """Labels become choice values, 85.0 becomes 85; answers come in instrument order."""
    _, responses = parse_responses(json.dumps(GOOD).encode(), "r.json", mini)
    assert responses.answers["mat.route"].value == "referral"
    assert responses.answers["mat.naloxone"].value == 85
    assert list(responses.answers) == ["mat.admit", "mat.route", "mat.naloxone", "mat.pregnancy"]


def test_canonical_json_round_trips_byte_for_byte(mini: Instrument) -> None:
    """dump → parse → dump is identical."""
    _, responses = parse_responses(json.dumps(GOOD).encode(), "r.json", mini)
    once = dump_responses(responses)
    _, again = parse_responses(once, "r.json", mini)
    assert dump_responses(again) == once
    assert again == responses


def test_instrument_is_taken_from_the_responses(tmp_path: Any) -> None:
    """Without an instrument, the bundled one the responses name is used."""
    with pytest.raises(
        ResponsesError, match=r"r.json: instrument_id: no bundled instrument 'mini'"
    ):
        parse_responses(json.dumps(GOOD).encode(), "r.json", None)


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        (
            with_answer("mat.admitt", {"value": 3}),
            "r.json: answers[\"mat.admitt\"]: 'mat.admitt' is not an item of mini 1.0; "
            "did you mean mat.admit?",
        ),
        (
            with_answer("mat.admit", {"value": 7}),
            'r.json: answers["mat.admit"].value: 7 is not an answer to mat.admit; choose 1-5',
        ),
        (
            with_answer("mat.route", {"value": "maybe"}),
            "'maybe' is not an answer to mat.route; choose on_site, referral, none",
        ),
        (
            with_answer("mat.naloxone", {"value": 120}),
            "120 is not an answer to mat.naloxone; choose a percentage from 0 to 100",
        ),
        (
            with_answer("mat.admit", {"not_applicable": True, "na_reason": "x"}),
            'r.json: answers["mat.admit"].not_applicable: mat.admit cannot be answered N/A',
        ),
        (
            with_answer("mat.pregnancy", {"not_applicable": True}),
            'answers["mat.pregnancy"].na_reason: mat.pregnancy is marked N/A without a reason',
        ),
        (
            with_answer("mat.pregnancy", {"value": 3, "not_applicable": True, "na_reason": "x"}),
            "is marked N/A and also answered 3; keep one of them",
        ),
        (
            with_answer("mat.admit", 3),
            'answers["mat.admit"]: must be an object such as {"value": 3}',
        ),
        (
            with_answer("mat.admit", {"value": True}),
            'answers["mat.admit"].value: must be a number',
        ),
        (
            with_answer("mat.admit", {"value": 3, "comment": "x"}),
            "answers[\"mat.admit\"].comment: unknown field 'comment'",
        ),
        (
            {**GOOD, "instrument_id": "other"},
            "r.json: instrument_id: these responses are for instrument 'other', not 'mini'",
        ),
        (
            {**GOOD, "instrument_version": "2.0"},
            "r.json: instrument_version: these responses are for version 2.0 of mini",
        ),
        (
            {**GOOD, "program": {**GOOD["program"], "hospital_based": "no"}},
            "r.json: program.hospital_based: input should be a valid boolean",
        ),
        (
            {**GOOD, "program": {**GOOD["program"], "setting": "rehab"}},
            "r.json: program.setting: input should be 'residential'",
        ),
        ({**GOOD, "assessment_date": "1 Oct 2026"}, "r.json: assessment_date: input should be"),
        (
            {k: v for k, v in GOOD.items() if k != "program"},
            "r.json: program: required field 'program' is missing",
        ),
        ({**GOOD, "answers": [1, 2]}, "r.json: answers: must be an object mapping item ids"),
        (b'{"instrument_id": "mini",\n  "answers": {,}}', "r.json:2:15: not valid JSON"),
        (b"", "r.json: the file is empty"),
        (b"[1, 2]", "r.json: must be a JSON object"),
        (b"\xff\xfe{", "r.json: not UTF-16 text"),
    ],
)
def test_each_problem_is_located(mini: Instrument, doc: Any, expected: str) -> None:
    """Each kind of mistake gets a message with its JSON location and a way to fix it."""
    problems = parse(mini, doc)
    assert any(expected in p for p in problems), problems


def test_items_outside_the_setting_accept_na(mini: Instrument) -> None:
    """mat.storage does not apply to outpatient programs, so N/A is fine there."""
    doc = with_answer("mat.storage", {"not_applicable": True, "na_reason": "Not residential"})
    doc["program"] = {**GOOD["program"], "setting": "outpatient"}
    assert parse(mini, doc) == []
    doc["program"]["setting"] = "residential"
    assert any("mat.storage cannot be answered N/A" in p for p in parse(mini, doc))


def test_every_problem_in_the_file_at_once(mini: Instrument) -> None:
    """Five mistakes in one file → five lines, in one run."""
    doc = {
        **GOOD,
        "instrument_version": "9",
        "program": {**GOOD["program"], "setting": "rehab"},
        "answers": {
            "mat.admit": {"value": 9},
            "mat.nope": {"value": 1},
            "mat.pregnancy": {"not_applicable": True},
        },
    }
    assert len(parse(mini, doc)) == 5


def test_dump_leaves_out_empty_answer_fields(mini: Instrument) -> None:
    """The canonical JSON stays readable: no nulls or false flags in answers."""
    responses = build_responses(mini, {"mat.admit": 3, "mat.pregnancy": "na"})
    doc = json.loads(dump_responses(responses))
    assert doc["answers"] == {
        "mat.admit": {"value": 3},
        "mat.pregnancy": {"not_applicable": True, "na_reason": "Does not apply here."},
    }


def test_instrument_id_in_a_file_is_never_a_path(tmp_path: Any) -> None:
    """A responses file cannot make audit-kit read another local file through instrument_id."""
    secret = tmp_path / "other.yaml"
    secret.write_text("id: x\n", encoding="utf-8")
    doc = {**GOOD, "instrument_id": str(secret)}
    with pytest.raises(ResponsesError, match="no bundled instrument") as caught:
        parse_responses(json.dumps(doc).encode(), "r.json", None)
    assert [p.location.path for p in caught.value.problems] == ["instrument_id"]


def test_a_reason_without_na_or_answer_is_refused(mini: Instrument) -> None:
    """A reason alone is ambiguous: the person may have meant N/A and forgotten to say so."""
    problems = parse(mini, with_answer("mat.pregnancy", {"na_reason": "Men only"}))
    assert problems == [
        'r.json: answers["mat.pregnancy"].na_reason: mat.pregnancy has an N/A reason but is '
        "neither marked N/A nor answered; mark it N/A or clear the reason"
    ]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b'{"a": NaN}', "NaN is not a JSON number"),
        (b'{"a": Infinity}', "Infinity is not a JSON number"),
        (b"[" * 100_000, "nested too deeply"),
        (b'{"a": ' + b"9" * 5000 + b"}", "a number of 5,000 digits is far too large"),
        (b'{"a": 1, "a": 2}', "key 'a' appears twice in one object"),
    ],
)
def test_json_that_python_reads_but_we_refuse(mini: Instrument, raw: bytes, expected: str) -> None:
    """Non-JSON constants, runaway nesting and numbers, and duplicate keys: located, no crash."""
    problems = parse(mini, raw)
    assert len(problems) == 1 and expected in problems[0] and problems[0].startswith("r.json")


def test_huge_numbers_are_not_answers(mini: Instrument) -> None:
    """An integer too large for a float is refused like any other wrong value."""
    problems = parse(mini, with_answer("mat.admit", {"value": 10**400}))
    assert problems and "is not an answer to mat.admit; choose 1-5" in problems[0]
    assert parse(mini, with_answer("mat.naloxone", {"value": -(10**400)}))


def test_a_bad_setting_is_one_problem(mini: Instrument) -> None:
    """A setting given as a list is reported once; N/A on setting-limited items is not blamed."""
    doc = with_answer("mat.storage", {"not_applicable": True, "na_reason": "Outpatient"})
    doc["program"] = {**GOOD["program"], "setting": ["outpatient"]}
    problems = parse(mini, doc)
    assert len(problems) == 1 and "program.setting" in problems[0]


def test_empty_answers_are_dropped(mini: Instrument) -> None:
    """`{}` and a null value say nothing: the canonical form leaves them out."""
    doc = with_answer("mat.route", {})
    doc["answers"]["cod.screen"] = {"value": None}
    _, responses = parse_responses(json.dumps(doc).encode(), "r.json", mini)
    assert "mat.route" not in responses.answers and "cod.screen" not in responses.answers


def test_odd_types_get_plain_messages(mini: Instrument) -> None:
    """A number as instrument id or as date is named as such, not silently reinterpreted."""
    with pytest.raises(
        ResponsesError, match="must be an instrument id such as 'mat-tsf-cod', not 5"
    ):
        parse_responses(json.dumps({**GOOD, "instrument_id": 5}).encode(), "r.json", None)
    problems = parse(mini, {**GOOD, "assessment_date": 0})
    assert any("must be a date written YYYY-MM-DD, not the number 0" in p for p in problems)


def test_text_that_no_workbook_can_hold_is_cleaned_or_refused(mini: Instrument) -> None:
    """Control characters go, line breaks become one kind; a population may not span lines."""
    doc = {**GOOD, "program": {**GOOD["program"], "name": "Casa\x01 Esperanza"}}
    doc = {**doc, "answers": {"mat.admit": {"value": 3, "note": "one\r\ntwo\rthree"}}}
    _, responses = parse_responses(json.dumps(doc).encode(), "r.json", mini)
    assert responses.program.name == "Casa Esperanza"
    assert responses.answers["mat.admit"].note == "one\ntwo\nthree"
    doc["program"]["populations"] = ["adults\nteens"]
    assert any("runs over several lines" in p for p in parse(mini, doc))
