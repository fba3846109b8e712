"""Shared fixtures: a CLI runner, the test and bundled instruments, a responses builder."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from audit_kit.catalog import load_instrument
from audit_kit.model.instrument import Instrument
from audit_kit.model.responses import Answer, Program, Responses
from audit_kit.model.vocab import AnswerKind, Setting

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).parent.parent
EXAMPLES = ROOT / "questionnaires" / "examples"


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--update-golden`` rewrites golden files instead of comparing with them."""
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite tests/golden/* from the current output (review the diff)",
    )


@pytest.fixture(name="update_golden")
def _update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(name="runner")
def _runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(name="mini")
def _mini() -> Instrument:
    """The small test instrument in tests/data/mini.yaml."""
    return load_instrument(DATA / "mini.yaml")


@pytest.fixture(name="bundled")
def _bundled() -> Instrument:
    """The bundled mat-tsf-cod instrument."""
    return load_instrument("mat-tsf-cod")


def all_answered(instrument: Instrument, value: int = 4) -> dict[str, Any]:
    """Every item answered: scale items at ``value``, choices at their best, percents at 95."""
    answers: dict[str, Any] = {}
    for _, _, item in instrument.iter_items():
        if item.kind is AnswerKind.SCALE:
            answers[item.id] = value
        elif item.kind is AnswerKind.CHOICE:
            answers[item.id] = max(item.choices or [], key=lambda c: c.score).value
        else:
            answers[item.id] = 95
    return answers


def build_responses(
    instrument: Instrument,
    answers: dict[str, Any],
    *,
    setting: Setting = Setting.OUTPATIENT,
    hospital_based: bool = False,
    name: str = "Test Program",
) -> Responses:
    """Responses from a compact mapping: a value, ``"na"`` (N/A with a reason) or an Answer."""
    built: dict[str, Answer] = {}
    for item_id, value in answers.items():
        if isinstance(value, Answer):
            built[item_id] = value
        elif value == "na":
            built[item_id] = Answer(not_applicable=True, na_reason="Does not apply here.")
        else:
            built[item_id] = Answer(value=value)
    return Responses(
        instrument_id=instrument.id,
        instrument_version=instrument.version,
        program=Program(name=name, setting=setting, hospital_based=hospital_based),
        assessor="Test Assessor, clinical director",
        assessment_date=date(2026, 10, 1),
        answers=built,
    )


@pytest.fixture(name="make_responses")
def _make_responses() -> Callable[..., Responses]:
    return build_responses
