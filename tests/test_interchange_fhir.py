"""FHIR R4 Questionnaire export and QuestionnaireResponse import: valid resources, enableWhen,
round trips, and located problems."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from audit_kit.catalog import load_instrument
from audit_kit.cli import cli
from audit_kit.errors import AuditKitError
from audit_kit.formats.interchange.fhir import questionnaire
from audit_kit.model.applicability import skipped_items
from audit_kit.model.instrument import Instrument
from audit_kit.model.responses import Answer
from audit_kit.model.vocab import AnswerKind, Setting
from audit_kit.scoring import score
from audit_kit.workflows.interchange import read_answers

from conftest import build_responses
from interchange_support import (
    INSTRUMENTS,
    SKIP,
    canonical,
    collected,
    decider_answers,
    fhir_enabled,
    fhir_response,
)

_QUESTIONNAIRES: dict[str, dict[str, Any]] = {}


def made(instrument: Instrument) -> dict[str, Any]:
    """The Questionnaire of an instrument (built once per test run)."""
    if instrument.ref not in _QUESTIONNAIRES:
        _QUESTIONNAIRES[instrument.ref] = questionnaire(instrument)
    return _QUESTIONNAIRES[instrument.ref]


def _items(entries: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    found = {}
    for entry in entries:
        found[entry["linkId"]] = entry
        found.update(_items(entry.get("item", [])))
    return found


@pytest.mark.parametrize("spec", ["mat-tsf-cod", "mat-tsf-cod@1.0", str(SKIP)])
def test_fhir_resources_parses_the_questionnaire_and_a_response(spec: str) -> None:
    r4 = pytest.importorskip("fhir.resources.R4B.questionnaire")
    r4_response = pytest.importorskip("fhir.resources.R4B.questionnaireresponse")
    instrument = load_instrument(spec)
    doc = made(instrument)
    parsed = r4.Questionnaire.model_validate(doc)
    assert parsed.status == "active"
    assert json.loads(parsed.model_dump_json(exclude_none=True))["item"][0]["linkId"] == "profile"
    program = build_responses(instrument, {})
    response = r4_response.QuestionnaireResponse.model_validate(
        fhir_response(doc, instrument, program)
    )
    assert (
        response.questionnaire
        == f"urn:audit-kit:questionnaire:{instrument.id}|{instrument.version}"
    )


def test_items_carry_their_scores_sources_and_guidance(bundled: Instrument) -> None:
    items = _items(made(bundled)["item"])
    route = items["mat.moud_route"]
    item = bundled.item("mat.moud_route")
    assert (route["prefix"], route["text"], route["type"]) == ("MAT-4", item.question, "choice")
    scores = {
        o["valueCoding"]["code"]: o["extension"][0]["valueDecimal"] for o in route["answerOption"]
    }
    assert scores == {c.value: c.score for c in item.choices or []}
    assert all(
        o["extension"][0]["url"] == "http://hl7.org/fhir/StructureDefinition/ordinalValue"
        for o in route["answerOption"]
    )
    cited = [
        e["valueRelatedArtifact"]
        for e in route["extension"]
        if e["url"] == "http://hl7.org/fhir/StructureDefinition/workflow-relatedArtifact"
    ]
    assert [c["label"] for c in cited] == [
        bundled.citation(ref.id).short() for ref in item.citations
    ]
    assert all(c["type"] == "citation" for c in cited)
    (guidance,) = route["item"]
    assert guidance["type"] == "display"
    assert guidance["text"].startswith(item.guidance)

    pregnancy = items["mat.pregnancy_pathway"]  # N/A allowed: an option without a score
    na = pregnancy["answerOption"][-1]
    assert na["valueCoding"]["code"] == "na"
    assert "extension" not in na
    assert items["mat.pregnancy_pathway/na-reason"]["enableWhen"] == [
        {"question": "mat.pregnancy_pathway", "operator": "=", "answerCoding": {"code": "na"}}
    ]
    education = items["mat.moud_education"]
    assert education["type"] == "decimal"
    bounds = {e["url"].rsplit("/", 1)[1]: e.get("valueDecimal") for e in education["extension"]}
    assert (bounds["minValue"], bounds["maxValue"]) == (0, 100)
    assert items["mat.moud_education/na"]["type"] == "boolean"
    dosing = items["mat.unit_dosing/when-1"]  # a setting limit and a condition: nested groups
    assert dosing["enableWhen"][0] == {
        "question": "profile/setting",
        "operator": "exists",
        "answerBoolean": False,
    }
    assert [c["answerCoding"]["code"] for c in dosing["enableWhen"][1:]] == [
        "residential",
        "hospital_inpatient",
    ]
    inner = dosing["item"][0]
    assert inner["linkId"] == "mat.unit_dosing/when-2"
    assert inner["enableWhen"][0]["question"] == "mat.moud_in_care"
    assert inner["item"][0]["linkId"] == "mat.unit_dosing"


def _shown(instrument: Instrument, setting: Setting | None, answers: dict[str, Answer]) -> set[str]:
    """The items a FHIR form filler enables (a disabled group disables all it holds)."""
    given: dict[str, Any] = {}
    if setting is not None:
        given["profile/setting"] = setting.value
    shown: set[str] = set()
    ids = set(instrument.item_ids)

    def walk(entries: list[dict[str, Any]]) -> None:
        for entry in entries:
            if not fhir_enabled(entry, given):
                continue
            link = entry["linkId"]
            owner = link.removesuffix("/na")
            percent = owner in ids and instrument.item(owner).kind is AnswerKind.PERCENT
            if (link in ids and not percent) or (link.endswith("/na") and percent):
                shown.add(owner)
            answer = answers.get(link)
            if link in ids and answer is not None:
                given[link] = "na" if answer.not_applicable else str(answer.value)
            walk(entry.get("item", []))

    walk(made(instrument)["item"])
    return shown


@pytest.mark.parametrize("which", ["bundled", "skip"])
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_skip_logic_survives_as_enable_when(which: str, data: st.DataObject) -> None:
    instrument = load_instrument(INSTRUMENTS[which])
    setting = data.draw(st.one_of(st.none(), st.sampled_from(list(Setting))))
    answers = data.draw(decider_answers(instrument))
    applies = set(instrument.item_ids) - set(skipped_items(instrument, setting, answers))
    assert _shown(instrument, setting, answers) == applies


@pytest.mark.parametrize("which", ["bundled", "skip"])
@pytest.mark.parametrize("bundle", [False, True], ids=["response", "bundle"])
@settings(max_examples=6, deadline=None)
@given(data=st.data())
def test_responses_score_as_the_same_answers_in_json(
    which: str, bundle: bool, data: st.DataObject
) -> None:
    instrument = load_instrument(INSTRUMENTS[which])
    count = data.draw(st.integers(1, 3)) if bundle else 1
    programs = [data.draw(collected(instrument, n)) for n in range(count)]
    resources = [fhir_response(made(instrument), instrument, p) for p in programs]
    doc: dict[str, Any] = resources[0]
    if bundle:
        doc = {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [{"resource": r} for r in resources],
        }
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "responses.json"
        path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        loaded, imported = read_answers(path, None if which == "bundled" else str(SKIP))
    assert loaded.ref == instrument.ref
    for n, (original, back) in enumerate(zip(programs, imported, strict=True)):
        expected = canonical(instrument, original)
        assert back.responses == expected
        assert score(instrument, back.responses) == score(instrument, expected)
        assert back.label == (f"entry[{n}].resource" if bundle else "the response")


def _response(tmp_path: Path, change: Any = None) -> Path:
    skip = load_instrument(SKIP)
    program = build_responses(
        skip, {"mat.on_moud": "some", "mat.continuity": 4, "mat.followup": 70}
    )
    doc = fhir_response(made(skip), skip, program)
    if change is not None:
        change(doc)
    path = tmp_path / "response.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def _answered(doc: dict[str, Any], link: str) -> dict[str, Any]:
    return _items(doc["item"])[link]


def test_problems_are_located_by_their_path_in_the_response(tmp_path: Path) -> None:
    def spoil(doc: dict[str, Any]) -> None:
        _answered(doc, "mat.continuity")["answer"] = [{"valueCoding": {"code": "7"}}]
        _answered(doc, "mat.followup")["answer"].append({"valueDecimal": 20})
        _answered(doc, "profile/hospital_based")["answer"] = [{"valueString": "perhaps"}]
        doc["item"].append({"linkId": "mat.retired", "answer": [{"valueBoolean": True}]})

    path = _response(tmp_path, spoil)
    with pytest.raises(AuditKitError) as caught:
        read_answers(path, str(SKIP))
    assert [str(p) for p in caught.value.problems] == [
        f"{path}: item[1].item[1].item[0].answer: mat.followup takes one answer, not 2; keep one",
        f"{path}: item[2].linkId: 'mat.retired' is not a question of this instrument's "
        "Questionnaire; the response may be to another version: pass that instrument with -i",
    ]
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["item"].pop()
    _answered(doc, "mat.followup")["answer"].pop()
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(AuditKitError) as caught:
        read_answers(path, str(SKIP))
    assert [str(p) for p in caught.value.problems] == [
        f'{path}: item[0].item[2].answer[0]: "perhaps" is not yes or no; answer yes or no (or '
        "leave it empty)",
        f"{path}: item[1].item[0].item[1].item[0].answer[0]: 7 is not an answer to "
        "mat.continuity; choose 1-5",
    ]


def test_a_response_to_another_version_or_no_response_at_all_is_refused(tmp_path: Path) -> None:
    def older(doc: dict[str, Any]) -> None:
        doc["questionnaire"] = "urn:audit-kit:questionnaire:skip|1.0"

    path = _response(tmp_path, older)
    with pytest.raises(AuditKitError) as caught:
        read_answers(path, str(SKIP))
    assert str(caught.value.problems[0]) == (
        f"{path}: questionnaire: these answers were collected with the form of skip@1.0, not "
        "skip@1.1; pass -i skip@1.0 (or that instrument's file)"
    )
    path.write_text('{"resourceType": "Patient"}', encoding="utf-8")
    with pytest.raises(AuditKitError, match="is a Patient, not a QuestionnaireResponse"):
        read_answers(path, str(SKIP))
    path.write_text('{"resourceType": "QuestionnaireResponse", "item": [', encoding="utf-8")
    with pytest.raises(AuditKitError, match="not valid JSON"):
        read_answers(path, str(SKIP))
    path.write_text('{"resourceType": "QuestionnaireResponse", "item": []}', encoding="utf-8")
    with pytest.raises(
        AuditKitError, match="does not say which instrument it answers; pass it with -i"
    ):
        read_answers(path)


def test_export_and_import_at_the_command_line(tmp_path: Path, runner: CliRunner) -> None:
    out = tmp_path / "q.json"
    done = runner.invoke(cli, ["export", "mat-tsf-cod@1.1", "--to", "fhir", "-o", str(out)])
    assert done.exit_code == 0, done.output
    bundled = load_instrument("mat-tsf-cod")
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc == made(bundled)
    program = build_responses(
        bundled, {"mat.admit_on_moud": "refused", "mat.naloxone_provision": 5}
    )
    path = tmp_path / "response.json"
    path.write_text(json.dumps(fhir_response(doc, bundled, program)), encoding="utf-8")
    back = runner.invoke(cli, ["import", str(path), "-o", str(tmp_path / "program.json")])
    assert back.exit_code == 0, back.output
    scored = runner.invoke(cli, ["score", str(tmp_path / "program.json"), "--format", "json"])
    assert json.loads(scored.stdout) == json.loads(
        score(bundled, canonical(bundled, program)).model_dump_json()
    )
