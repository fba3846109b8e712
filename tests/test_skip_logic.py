"""Skip logic, item codes and 'no eligible cases': which items apply, and how they count."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from audit_kit.catalog import load_instrument
from audit_kit.cli import cli
from audit_kit.errors import InstrumentError
from audit_kit.model.applicability import skipped_items
from audit_kit.model.instrument import Instrument
from audit_kit.model.responses import Answer, check_answers
from audit_kit.model.vocab import ItemStatus, NaKind, Setting
from audit_kit.scoring import score

from conftest import DATA, build_responses


@pytest.fixture(name="skip")
def _skip() -> Instrument:
    return load_instrument(DATA / "skip.yaml")


def test_codes_are_explicit_or_domain_and_position(skip: Instrument) -> None:
    """An explicit code is kept; others are the domain in capitals and the position in it."""
    assert [skip.code(i) for i in skip.item_ids] == ["MAT-7", "MAT-2", "MAT-3", "MAT-4", "MAT-5"]


def test_item_applies_while_the_deciding_item_is_unanswered(skip: Instrument) -> None:
    """Nothing is known yet, so nothing is skipped: the item is asked and counts as unanswered."""
    result = score(skip, build_responses(skip, {"mat.admit": 5}))
    assert result.item("mat.continuity").status is ItemStatus.UNANSWERED
    assert result.item("mat.dose_review").status is ItemStatus.UNANSWERED


def test_answer_outside_the_condition_makes_it_not_applicable(skip: Instrument) -> None:
    """'None on MOUD': continuity does not apply, with the condition's reason and the deciding
    answer, and the item that depends on continuity follows it."""
    result = score(skip, build_responses(skip, {"mat.on_moud": "none", "mat.admit": 5}))
    continuity = result.item("mat.continuity")
    assert continuity.status is ItemStatus.NOT_APPLICABLE
    assert continuity.na_kind is NaKind.SKIP_LOGIC
    assert continuity.na_reason == (
        "The program has no patients taking MOUD (MAT-7 is answered 'None in the last 12 months')."
    )
    dose = result.item("mat.dose_review")
    assert dose.status is ItemStatus.NOT_APPLICABLE
    assert (
        dose.na_reason == "Applies only with other answers to MOUD continued through transfers "
        "(MAT-2 does not apply)."
    )
    # neither counts for or against: the access dimension is the on_moud answer alone
    assert result.dimensions_of("mat")[0].score == 1.0
    assert result.dimensions_of("mat")[0].completeness.not_applicable == 2


def test_answer_inside_the_condition_makes_it_apply(skip: Instrument) -> None:
    """'Some on MOUD': continuity applies and its critical answer is a critical finding."""
    responses = build_responses(skip, {"mat.on_moud": "some", "mat.continuity": 1})
    result = score(skip, responses)
    assert result.item("mat.continuity").score == 1
    assert [f.code for f in result.critical_findings] == ["MAT-2"]
    # continuity at 1 is outside dose_review's condition (3-5)
    assert result.item("mat.dose_review").na_kind is NaKind.SKIP_LOGIC


def test_a_skipped_item_cannot_hide_behind_its_answer(skip: Instrument) -> None:
    """An answer given to an item that does not apply is not scored, and a warning says so."""
    responses = build_responses(skip, {"mat.on_moud": "none", "mat.continuity": 1})
    result = score(skip, responses)
    assert result.item("mat.continuity").status is ItemStatus.NOT_APPLICABLE
    assert not result.critical_findings
    assert any(
        w.startswith("MAT-2 MOUD continued through transfers: answered, but it does not")
        for w in result.warnings
    )


def test_na_on_a_skipped_item_is_accepted_and_elsewhere_refused(skip: Instrument) -> None:
    """N/A is fine where skip logic says the item does not apply; where it applies (or is not
    yet decided), N/A is refused with what to answer first."""
    na = Answer(not_applicable=True, na_reason="No patients on MOUD.")
    _, problems = check_answers(skip, {"mat.on_moud": Answer(value="none"), "mat.continuity": na})
    assert problems == []
    _, problems = check_answers(skip, {"mat.continuity": na}, Setting.OUTPATIENT)
    assert [p.code for p in problems] == ["na-not-allowed"]
    assert "answer that first" in problems[0].message and "MAT-7" in problems[0].message
    _, problems = check_answers(skip, {"mat.on_moud": Answer(value="most"), "mat.continuity": na})
    assert [p.message for p in problems] == ["mat.continuity cannot be answered N/A; choose 1-5"]


def test_percent_items_accept_no_eligible_cases(skip: Instrument) -> None:
    """Every percent item takes N/A (no eligible cases in the audit) without allow_na."""
    answer = Answer(not_applicable=True, na_reason="No eligible cases in the audit.")
    canonical, problems = check_answers(skip, {"mat.followup": answer})
    assert problems == [] and canonical["mat.followup"] == answer
    result = score(skip, build_responses(skip, {"mat.followup": answer}))
    assert result.item("mat.followup").na_kind is NaKind.RESPONDENT


def test_skipped_items_follow_the_setting_first(skip: Instrument) -> None:
    """The pure applicability function: settings, then conditions, in instrument order."""
    skipped = skipped_items(skip, Setting.RESIDENTIAL, {"mat.on_moud": Answer(value="none")})
    assert list(skipped) == ["mat.continuity", "mat.dose_review"]
    assert skipped["mat.dose_review"].decided_by == "mat.continuity"


BROKEN_CONDITIONS = [
    ("{item: mat.later, answers: [1]}", "is not an earlier item", "condition-item"),
    ("{item: mat.first, answers: [1]}", "cannot depend on itself", "condition-cycle"),
    ("{item: mat.pct, answers: [1]}", "is a percent item", "condition-item"),
    (
        "{item: mat.choice, answers: [maybe]}",
        "'maybe' is not an answer to mat.choice",
        "condition-answer",
    ),
    ("{item: mat.scale, answers: [6]}", "6 is not an answer to mat.scale", "condition-answer"),
]


@pytest.mark.parametrize(("condition", "message", "code"), BROKEN_CONDITIONS)
def test_instrument_check_locates_bad_conditions(
    tmp_path: Path, condition: str, message: str, code: str
) -> None:
    """A condition names an earlier scale or choice item and answers it has; no cycles."""
    item = (
        "          - {{id: mat.{name}, title: T, question: Q, guidance: G, evidence: [policy], "
        "anchors: {{1: a, 3: b, 5: c}}, citations: [g], recommendation: R{extra}}}\n"
    )
    target = "first" if "mat.first" in condition else "target"
    items = [
        item.format(
            name="choice",
            extra=", kind: choice, choices: "
            "[{value: yes, label: Yes, score: 5}, {value: no, label: No, score: 1}]",
        ),
        item.format(name="scale", extra=""),
        item.format(name="pct", extra=", kind: percent"),
        item.format(
            name="first" if target == "first" else "target", extra=f", applies_when: {condition}"
        ),
        item.format(name="later", extra=""),
    ]
    path = tmp_path / "bad.yaml"
    path.write_text(
        "id: bad\nversion: '1.0'\ntitle: Bad\ndomains:\n  - id: mat\n    title: M\n"
        "    levels: {not_yet_capable: a, emerging: b, capable: c, enhanced: d}\n"
        "    dimensions:\n      - id: x\n        title: X\n        items:\n"
        + "".join(items)
        + "citations: [{id: g, author: A, title: T, year: 2020}]\n"
    )
    with pytest.raises(InstrumentError) as caught:
        load_instrument(path)
    problems = caught.value.problems
    assert [p.code for p in problems] == [code]
    assert message in problems[0].message
    assert str(problems[0].location).startswith(
        f"{path}:15: domains[0].dimensions[0].items[3].applies_when"
    )


def test_duplicate_codes_are_refused(tmp_path: Path) -> None:
    """An explicit code that another item has (explicitly or by position) is a located error."""
    text = (DATA / "skip.yaml").read_text().replace("code: MAT-7", "code: MAT-3")
    path = tmp_path / "dup.yaml"
    path.write_text(text)
    with pytest.raises(InstrumentError) as caught:
        load_instrument(path)
    assert [p.code for p in caught.value.problems] == ["duplicate-code"]
    assert "'MAT-3' is already the code of mat.on_moud" in caught.value.problems[0].message


def test_instrument_check_cli_accepts_the_skip_instrument(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["instrument", "check", str(DATA / "skip.yaml")])
    assert result.exit_code == 0 and result.stdout == "OK: 5 items in 1 domains\n"
