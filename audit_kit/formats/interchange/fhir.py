"""HL7 FHIR R4: the instrument as a Questionnaire, and QuestionnaireResponses read back."""

from __future__ import annotations

import contextlib
import json
from datetime import date
from typing import TYPE_CHECKING, Any

from audit_kit.errors import InputFileError, Location, Problem, ResponsesError
from audit_kit.formats.interchange.fields import (
    PROFILE_FIELDS,
    SETTING_OPTIONS,
    ItemFields,
    Test,
    applicability,
    item_fields,
)
from audit_kit.formats.interchange.records import (
    EVIDENCE,
    FLAG,
    NOTE,
    PROFILE,
    REASON,
    VALUE,
    Cell,
    Imported,
    Record,
    Slot,
    check_ref,
    no_instrument,
    read_records,
)
from audit_kit.model.vocab import AnswerKind

if TYPE_CHECKING:
    from pathlib import Path

    from audit_kit.model.instrument import Instrument

MAX_FHIR_BYTES = 20 * 1024 * 1024
URL_BASE = "urn:audit-kit:questionnaire:"
ORDINAL_VALUE = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
RELATED_ARTIFACT = "http://hl7.org/fhir/StructureDefinition/workflow-relatedArtifact"
ITEM_CONTROL = "http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl"
MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"
UNIT = "http://hl7.org/fhir/StructureDefinition/questionnaire-unit"
PROFILE_TYPES = {
    "name": "string",
    "setting": "choice",
    "hospital_based": "boolean",
    "populations": "string",
    "assessor": "string",
    "assessment_date": "date",
}


def profile_link(name: str) -> str:
    """The linkId of a profile field: 'profile/setting'. Item ids never hold a '/'."""
    return f"profile/{name}"


def link_ids(instrument: Instrument) -> dict[str, Slot]:
    """Every linkId that carries an answer, and its slot."""
    found = {profile_link(f.name): (PROFILE, f.key) for f in PROFILE_FIELDS}
    for fields in item_fields(instrument):
        item_id = fields.item.id
        found[item_id] = (item_id, VALUE)
        found[f"{item_id}/evidence"] = (item_id, EVIDENCE)
        found[f"{item_id}/note"] = (item_id, NOTE)
        if fields.na_flag:
            found[f"{item_id}/na"] = (item_id, FLAG)
        if fields.reason:
            found[f"{item_id}/na-reason"] = (item_id, REASON)
    return found


def canonical(instrument: Instrument) -> str:
    """The Questionnaire's canonical reference, as a QuestionnaireResponse names it."""
    return f"{URL_BASE}{instrument.id}|{instrument.version}"


def _enable(test: Test, link: str) -> list[dict[str, Any]]:
    conditions: list[dict[str, Any]] = [
        {"question": link, "operator": "exists", "answerBoolean": False}
    ]
    conditions += [
        {"question": link, "operator": "=", "answerCoding": {"code": code}} for code in test.codes
    ]
    return conditions


def _wrapped(
    item_id: str, tests: list[Test], content: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The item's questions inside one group per test: a group that is not enabled hides all
    it holds, so nested groups make every test hold together (enableWhen alone only has "all"
    or "any" of one list)."""
    for n, test in reversed(list(enumerate(tests, start=1))):
        link = profile_link("setting") if test.item_id is None else test.item_id
        content = [
            {
                "linkId": f"{item_id}/when-{n}",
                "type": "group",
                "enableWhen": _enable(test, link),
                "enableBehavior": "any",
                "item": content,
            }
        ]
    return content


def _citations(instrument: Instrument, fields: ItemFields) -> list[dict[str, Any]]:
    extensions = []
    for ref in fields.item.citations:
        source = instrument.citation(ref.id)
        artifact: dict[str, Any] = {
            "type": "citation",
            "label": source.short(),
            "citation": source.reference() + (f" {ref.section}." if ref.section else ""),
        }
        if source.url:
            artifact["url"] = source.url
        extensions.append({"url": RELATED_ARTIFACT, "valueRelatedArtifact": artifact})
    return extensions


def _questions(instrument: Instrument, fields: ItemFields) -> list[dict[str, Any]]:
    item = fields.item
    evidence = ", ".join(e.label for e in item.evidence)
    help_text = f"{item.guidance} Evidence: {evidence}."
    if item.na_guidance:
        help_text += f" N/A: {item.na_guidance}"
    question: dict[str, Any] = {
        "extension": _citations(instrument, fields),
        "linkId": item.id,
        "prefix": fields.code,
        "text": item.question,
        "item": [
            {
                "extension": [
                    {
                        "url": ITEM_CONTROL,
                        "valueCodeableConcept": {
                            "coding": [
                                {
                                    "system": "http://hl7.org/fhir/questionnaire-item-control",
                                    "code": "help",
                                }
                            ]
                        },
                    }
                ],
                "linkId": f"{item.id}/help",
                "type": "display",
                "text": help_text,
            }
        ],
    }
    rows = [question]
    if item.kind is AnswerKind.PERCENT:
        flag = f"{item.id}/na"
        question["extension"] += [
            {"url": MIN_VALUE, "valueDecimal": 0},
            {"url": MAX_VALUE, "valueDecimal": 100},
            {"url": UNIT, "valueCoding": {"system": "http://unitsofmeasure.org", "code": "%"}},
        ]
        question["type"] = "decimal"
        question["enableWhen"] = [
            {"question": flag, "operator": "exists", "answerBoolean": False},
            {"question": flag, "operator": "=", "answerBoolean": False},
        ]
        question["enableBehavior"] = "any"
        rows.append(
            {"linkId": flag, "prefix": fields.code, "text": fields.flag_label, "type": "boolean"}
        )
        na_said: dict[str, Any] = {"question": flag, "operator": "=", "answerBoolean": True}
    else:
        question["type"] = "choice"
        question["answerOption"] = [_option(o.code, o.label, o.score) for o in fields.options]
        na_said = {"question": item.id, "operator": "=", "answerCoding": {"code": fields.na_code}}
    if fields.reason:
        rows.append(
            {
                "linkId": f"{item.id}/na-reason",
                "prefix": fields.code,
                "text": fields.reason_label,
                "type": "text",
                "required": True,
                "enableWhen": [na_said],
            }
        )
    rows.append({"linkId": f"{item.id}/evidence", "text": fields.evidence_label, "type": "text"})
    rows.append({"linkId": f"{item.id}/note", "text": fields.note_label, "type": "text"})
    for row in rows:
        if not row.get("extension"):
            row.pop("extension", None)
    return rows


def _option(code: str, label: str, score: int | None) -> dict[str, Any]:
    option: dict[str, Any] = {"valueCoding": {"code": code, "display": label}}
    if score is not None:
        option["extension"] = [{"url": ORDINAL_VALUE, "valueDecimal": score}]
    return option


def questionnaire(instrument: Instrument) -> dict[str, Any]:
    """The FHIR R4 Questionnaire as a JSON object."""
    profile: list[dict[str, Any]] = []
    for spec in PROFILE_FIELDS:
        entry: dict[str, Any] = {
            "linkId": profile_link(spec.name),
            "text": spec.label,
            "type": PROFILE_TYPES[spec.key],
        }
        if spec.key == "setting":
            entry["answerOption"] = [
                {"valueCoding": {"code": code, "display": label}} for code, label in SETTING_OPTIONS
            ]
        if spec.key == "populations":
            entry["repeats"] = True
        profile.append(entry)
    groups: list[dict[str, Any]] = [
        {"linkId": "profile", "text": "Program", "type": "group", "item": profile}
    ]
    by_item = {f.item.id: f for f in item_fields(instrument)}
    for domain in instrument.domains:
        dimensions = []
        for dimension in domain.dimensions:
            content: list[dict[str, Any]] = []
            for item in dimension.items:
                questions = _questions(instrument, by_item[item.id])
                content += _wrapped(item.id, applicability(instrument, item), questions)
            dimensions.append(
                {
                    "linkId": f"dimension/{domain.id}/{dimension.id}",
                    "text": dimension.title,
                    "type": "group",
                    "item": content,
                }
            )
        groups.append(
            {
                "linkId": f"domain/{domain.id}",
                "text": domain.title,
                "type": "group",
                "item": dimensions,
            }
        )
    doc: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "id": f"{instrument.id}-{instrument.version}".replace(".", "-"),
        "url": f"{URL_BASE}{instrument.id}",
        "version": instrument.version,
        "name": "".join(part.capitalize() for part in instrument.id.split("-")),
        "title": instrument.title,
        "status": "active",
        "subjectType": ["Organization"],
    }
    if instrument.publisher:
        doc["publisher"] = instrument.publisher
    if instrument.description:
        doc["description"] = instrument.description
    doc["item"] = groups
    return doc


def build_questionnaire(instrument: Instrument) -> bytes:
    """The Questionnaire as JSON text."""
    text = json.dumps(questionnaire(instrument), indent=2, ensure_ascii=False)
    return (text + "\n").encode("utf-8")


def read_responses(path: Path, instrument: Instrument | None) -> tuple[Instrument, list[Imported]]:
    """The programs in a QuestionnaireResponse, or a Bundle of them (one per program)."""
    from audit_kit.fsutil import read_input
    from audit_kit.locate import load_json

    shown = str(path)
    raw = read_input(path, MAX_FHIR_BYTES, "a FHIR QuestionnaireResponse")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputFileError.single(
            f"not UTF-8 text (byte {exc.start}); FHIR JSON is UTF-8: export it again",
            file=shown,
            code="encoding",
        ) from None
    data = load_json(text, shown, ResponsesError)
    found = _resources(data, shown)
    if instrument is None:
        instrument = _named(found, shown)
    records = [_record(instrument, resource, prefix, shown) for prefix, resource in found]
    problems = [p for record in records for p in record[1]]
    if problems:
        raise ResponsesError(problems)
    return instrument, read_records(instrument, [r for r, _ in records], shown)


def _resources(data: Any, shown: str) -> list[tuple[str, dict[str, Any]]]:
    if not isinstance(data, dict):
        raise ResponsesError.single(
            "must be a JSON object: a QuestionnaireResponse or a Bundle of them",
            file=shown,
            code="json-type",
        )
    kind = data.get("resourceType")
    if kind == "QuestionnaireResponse":
        return [("", data)]
    if kind != "Bundle":
        raise ResponsesError.single(
            f"is a {kind or 'JSON object without a resourceType'}, not a QuestionnaireResponse "
            "or a Bundle of them; export the responses to the Questionnaire",
            file=shown,
            path="resourceType",
            code="resource-type",
        )
    entries = data.get("entry")
    if not isinstance(entries, list):
        entries = []
    found = []
    problems = []
    for n, entry in enumerate(entries):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if isinstance(resource, dict) and resource.get("resourceType") == "QuestionnaireResponse":
            found.append((f"entry[{n}].resource.", resource))
        elif not (isinstance(resource, dict) and isinstance(resource.get("resourceType"), str)):
            problems.append(
                Problem(
                    Location(file=shown, path=f"entry[{n}]"),
                    "an entry without a resource; remove it",
                    "bundle-entry",
                )
            )
    if problems:
        raise ResponsesError(problems)
    if not found:
        raise ResponsesError.single(
            "the Bundle holds no QuestionnaireResponse", file=shown, path="entry", code="no-records"
        )
    return found


def _named(found: list[tuple[str, dict[str, Any]]], shown: str) -> Instrument:
    from audit_kit.formats.interchange.records import instrument_named

    for prefix, resource in found:
        reference = resource.get("questionnaire")
        if isinstance(reference, str) and reference.startswith(URL_BASE):
            ref = reference.removeprefix(URL_BASE).replace("|", "@", 1)
            where = Location(file=shown, path=f"{prefix}questionnaire")
            return instrument_named(Cell(ref, where), shown)
    raise no_instrument(shown)


def _record(
    instrument: Instrument, resource: dict[str, Any], prefix: str, shown: str
) -> tuple[Record, list[Problem]]:
    label = f"{prefix.rstrip('.')}" or "the response"
    record = Record(label, Location(file=shown, path=prefix.rstrip(".") or None))
    problems: list[Problem] = []
    reference = resource.get("questionnaire")
    if isinstance(reference, str) and reference.startswith(URL_BASE):
        named = reference.removeprefix(URL_BASE)
        if "|" in named:
            where = Location(file=shown, path=f"{prefix}questionnaire")
            record.instrument_ref = Cell(named.replace("|", "@", 1), where)
            problems += check_ref(instrument, record)
            record.instrument_ref = None
    known = link_ids(instrument)
    seen: dict[str, str] = {}
    _walk(resource.get("item"), f"{prefix}item", known, seen, record, problems, shown)
    return record, problems


def _walk(
    items: Any,
    path: str,
    known: dict[str, Slot],
    seen: dict[str, str],
    record: Record,
    problems: list[Problem],
    shown: str,
) -> None:
    if items is None:
        return
    if not isinstance(items, list):
        problems.append(Problem(Location(file=shown, path=path), "must be a list of items", "fhir"))
        return
    for n, entry in enumerate(items):
        here = f"{path}[{n}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("linkId"), str):
            problems.append(
                Problem(Location(file=shown, path=here), "an item without a linkId", "fhir")
            )
            continue
        link = entry["linkId"]
        answers = entry.get("answer")
        if answers is not None:
            if link not in known:
                problems.append(
                    Problem(
                        Location(file=shown, path=f"{here}.linkId"),
                        f"{link!r} is not a question of this instrument's Questionnaire; "
                        "the response may be to another version: pass that instrument with -i",
                        "unknown-link",
                    )
                )
            elif link in seen:
                problems.append(
                    Problem(
                        Location(file=shown, path=f"{here}.linkId"),
                        f"{link!r} is answered twice (also at {seen[link]}); keep one",
                        "duplicate-link",
                    )
                )
            else:
                seen[link] = here
                cell = _answer_cell(link, known[link], answers, here, problems, shown)
                if cell is not None:
                    record.cells[known[link]] = cell
            if isinstance(answers, list):
                for a, answer in enumerate(answers):
                    if isinstance(answer, dict):
                        _walk(
                            answer.get("item"),
                            f"{here}.answer[{a}].item",
                            known,
                            seen,
                            record,
                            problems,
                            shown,
                        )
        _walk(entry.get("item"), f"{here}.item", known, seen, record, problems, shown)


_VALUE_KEYS = (
    "valueCoding",
    "valueString",
    "valueInteger",
    "valueDecimal",
    "valueBoolean",
    "valueDate",
    "valueDateTime",
    "valueQuantity",
)


def _answer_cell(
    link: str, slot: Slot, answers: Any, here: str, problems: list[Problem], shown: str
) -> Cell | None:
    if not isinstance(answers, list) or not answers:
        return None
    values = []
    for a, answer in enumerate(answers):
        where = Location(file=shown, path=f"{here}.answer[{a}]")
        keys = [k for k in _VALUE_KEYS if isinstance(answer, dict) and k in answer]
        if len(keys) != 1:
            problems.append(
                Problem(where, f"an answer to {link} must hold one value[x]", "fhir-answer")
            )
            return None
        key = keys[0]
        value = answer[key]
        if key == "valueCoding":
            value = value.get("code") or value.get("display") if isinstance(value, dict) else None
        elif key == "valueQuantity":
            value = value.get("value") if isinstance(value, dict) else None
        elif key == "valueDate" and isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = date.fromisoformat(value)
        if value is None or isinstance(value, dict | list):
            problems.append(Problem(where, f"the answer to {link} holds no value", "fhir-answer"))
            return None
        values.append(value)
    where = Location(file=shown, path=f"{here}.answer[0]")
    if slot == (PROFILE, "populations"):
        return Cell([str(v) for v in values], where)
    if len(values) > 1:
        problems.append(
            Problem(
                Location(file=shown, path=f"{here}.answer"),
                f"{link} takes one answer, not {len(values)}; keep one",
                "fhir-answer",
            )
        )
        return None
    return Cell(values[0], where)
