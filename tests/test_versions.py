"""Instrument versions: 1.0 assessments score as before; answers carry over to 1.1 honestly."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from audit_kit.catalog import load_instrument
from audit_kit.cli import cli
from audit_kit.formats.responses_json import read_responses_json
from audit_kit.model.migrate import migrate
from audit_kit.model.responses import Answer
from audit_kit.model.vocab import DomainState
from audit_kit.scoring import score

from conftest import DATA

OLD_EXAMPLES = DATA / "examples-1.0"
BEFORE = json.loads((OLD_EXAMPLES / "scores-before-1.1.json").read_text())


@pytest.mark.parametrize("name", sorted(BEFORE))
def test_a_1_0_assessment_scores_exactly_as_before(name: str) -> None:
    """Same scores, criticals and priorities as audit-kit gave before 1.1 existed; the same
    levels, except that a capped domain now shows the capped state beside its scores' level."""
    instrument, responses = read_responses_json(OLD_EXAMPLES / f"{name}.json", None)
    assert instrument.version == "1.0"
    result = score(instrument, responses)
    before = BEFORE[name]
    assert {f"{d.domain_id}.{d.dimension_id}": d.score for d in result.dimensions} == before[
        "dimensions"
    ]
    assert {i.item_id: [i.status, i.score] for i in result.items} == before["items"]
    assert [c.item_id for c in result.critical_findings] == before["critical_findings"]
    assert [[g.item_id, g.kind, g.priority] for g in result.gaps] == before["gaps"]
    for d in result.domains:
        old = before["domains"][d.domain_id]
        assert d.score == old["score"]
        assert d.capped == old["capped"]
        assert d.insufficient_evidence == old["insufficient_evidence"]
        assert d.scores_level == old["level_before_cap"]
        if old["capped"]:
            assert d.state is DomainState.CAPPED and d.level is None
        else:
            assert d.level == old["level"]


def test_convert_to_1_1_carries_what_means_the_same(runner: CliRunner, tmp_path: Path) -> None:
    """Unchanged items carry their answers, notes and evidence; changed and new items are left
    unanswered and listed by code; the input is untouched."""
    source = tmp_path / "old.json"
    source.write_bytes((OLD_EXAMPLES / "hospital-unit.json").read_bytes())
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    out = tmp_path / "new.json"
    result = runner.invoke(
        cli, ["convert", str(source), "--to-version", "1.1", "-o", str(out)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert text.startswith("Carried over ")
    assert "Left unanswered, because their answers mean something else in 1.1" in text
    assert "    MAT-2 No forced MOUD tapers or time limits" in text
    assert "New in 1.1, to answer:\n" in text and "    MAT-22 " in text
    assert "No longer in 1.1" in text and "    TSF-11 " in text
    assert hashlib.sha256(source.read_bytes()).hexdigest() == digest

    _, old = read_responses_json(source, None)
    new_instrument, new = read_responses_json(out, None)
    assert new.instrument_version == "1.1" and new.program == old.program
    assert new.answers["mat.admit_on_moud"] == old.answers["mat.admit_on_moud"]  # unchanged
    taper = new.answers.get("mat.no_forced_taper")
    assert taper is None or (
        taper.value is None and taper.note == old.answers["mat.no_forced_taper"].note
    )
    assert "mat.moud_in_care" not in new.answers and "tsf.service_fellowship" not in new.answers
    assert score(new_instrument, new).completeness.unanswered > 0


def test_convert_to_1_1_writes_a_workbook_too(runner: CliRunner, tmp_path: Path) -> None:
    """-o NEW.xlsx: the 1.1 workbook with the carried answers, readable back."""
    out = tmp_path / "new.xlsx"
    source = OLD_EXAMPLES / "integrated-outpatient.json"
    result = runner.invoke(cli, ["convert", str(source), "--to-version", "1.1", "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    from audit_kit.formats.xlsx.reader import read_workbook

    instrument, responses = read_workbook(out, None)
    assert instrument.version == "1.1"
    assert responses.answers["cod.milieu"].value is not None


def test_migration_is_pure_and_keeps_order() -> None:
    """The carried responses list answers in the new instrument's order; nothing is invented."""
    old_instrument, responses = read_responses_json(OLD_EXAMPLES / "residential-12step.json", None)
    new_instrument = load_instrument("mat-tsf-cod@1.1")
    moved = migrate(old_instrument, new_instrument, responses)
    ids = list(moved.responses.answers)
    assert ids == [i for i in new_instrument.item_ids if i in ids]
    assert set(moved.carried) | set(moved.changed) | set(moved.dropped) == set(responses.answers)
    for item_id in moved.carried:
        assert moved.responses.answers[item_id] == responses.answers[item_id]
    for item_id in moved.changed:
        kept = moved.responses.answers.get(item_id, Answer())
        assert kept.value is None and not kept.not_applicable


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--to-version", "1.0"],
            "the responses are already for mat-tsf-cod 1.0; nothing to convert",
        ),
        (["--to-version", "9.9"], "no version '9.9' of the bundled instrument 'mat-tsf-cod'"),
    ],
)
def test_convert_to_version_errors(
    runner: CliRunner, tmp_path: Path, args: list[str], message: str
) -> None:
    """Exit 2, one line, nothing written."""
    out = tmp_path / "new.json"
    source = OLD_EXAMPLES / "hospital-unit.json"
    result = runner.invoke(cli, ["convert", str(source), *args, "-o", str(out)])
    assert result.exit_code == 2
    assert message in result.stderr and len(result.stderr.splitlines()) == 1
    assert not out.exists()


def test_new_templates_use_the_newest_version(runner: CliRunner, tmp_path: Path) -> None:
    """`template` without --instrument writes a 1.1 workbook."""
    out = tmp_path / "t.xlsx"
    result = runner.invoke(cli, ["template", "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    import openpyxl

    book = openpyxl.load_workbook(out)
    values = [c.value for row in book["_meta"].iter_rows() for c in row]
    assert "1.1" in values


def test_a_1_0_workbook_still_reads_as_1_0(runner: CliRunner, tmp_path: Path) -> None:
    """A workbook made for 1.0 names its version; it is read and scored with 1.0, not 1.1."""
    book = tmp_path / "old.xlsx"
    result = runner.invoke(
        cli, ["convert", str(OLD_EXAMPLES / "hospital-unit.json"), "-o", str(book)]
    )
    assert result.exit_code == 0, result.stderr
    from audit_kit.formats.xlsx.reader import read_workbook

    instrument, responses = read_workbook(book, None)
    assert instrument.version == "1.0" and responses.instrument_version == "1.0"
