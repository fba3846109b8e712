"""Stand-ins for ODK/Kobo, REDCap and FHIR servers in the interchange tests.

Each reads the form audit-kit exported (the XLSForm, the data dictionary, the Questionnaire), lets
a program's answers be "collected" with it the way the tool does (a field whose skip logic does
not hold is left empty), and writes them in the tool's own export format. Answers are drawn as a
person filling in the form could give them.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from datetime import date
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from audit_kit.formats.interchange.records import (
    EVIDENCE,
    FLAG,
    NOTE,
    PROFILE,
    REASON,
    VALUE,
    slots,
)
from audit_kit.model.applicability import skipped_items
from audit_kit.model.instrument import Instrument
from audit_kit.model.responses import Answer, Program, Responses, conform
from audit_kit.model.vocab import AnswerKind, Setting

DATA = Path(__file__).parent / "data"
SKIP = DATA / "skip.yaml"
#: The instruments the round trips run on: the bundled one and a small one full of skip logic.
INSTRUMENTS = {"bundled": "mat-tsf-cod", "skip": str(SKIP)}

# text people type: letters beyond ASCII, quotes, separators, and what spreadsheets take for a
# formula at the start
_WORDS = (
    st.text(
        alphabet=st.sampled_from(list("abcdefghij ÉéñüöçØ—–'\",;=+-@%&<>/?!")),
        min_size=1,
        max_size=30,
    )
    .map(str.strip)
    .filter(bool)
)
_NOTES = st.one_of(_WORDS, st.tuples(_WORDS, _WORDS).map(lambda p: f"{p[0]}\n{p[1]}"))
_POPULATION = (
    st.text(alphabet=st.sampled_from(list("abcdefgh éñ'-")), min_size=1, max_size=20)
    .map(str.strip)
    .filter(bool)
)


@st.composite
def collected(draw: st.DrawFn, instrument: Instrument, number: int = 0) -> Responses:
    """A program's answers as a form with skip logic collects them: items that do not apply
    (by setting, or by an earlier answer) are never asked."""
    setting = draw(st.one_of(st.none(), st.sampled_from(list(Setting))))
    answers: dict[str, Answer] = {}
    for _, _, item in instrument.iter_items():
        limited = item.applies_to is not None or item.applies_when is not None
        if limited and item.id in skipped_items(instrument, setting, answers):
            continue
        kind = draw(st.sampled_from(["value", "value", "value", "na", "none"]))
        said = {
            "note": draw(st.one_of(st.none(), _NOTES)),
            "evidence": draw(st.one_of(st.none(), _WORDS)),
        }
        if kind == "na" and item.na_allowed:
            reason = draw(_WORDS)
            answers[item.id] = Answer(not_applicable=True, na_reason=reason, **said)
        elif kind == "value":
            answers[item.id] = Answer(value=draw(_value(instrument, item.id)), **said)
        elif any(said.values()):
            answers[item.id] = Answer(**said)
    return Responses(
        instrument_id=instrument.id,
        instrument_version=instrument.version,
        program=Program(
            name=draw(st.one_of(st.none(), _WORDS.map(lambda w: f"{w} {number}"))),
            setting=setting,
            hospital_based=draw(st.one_of(st.none(), st.booleans())),
            populations=draw(st.lists(_POPULATION, max_size=3)),
        ),
        assessor=draw(st.one_of(st.just(""), _WORDS)),
        assessment_date=draw(st.one_of(st.none(), st.dates(date(2020, 1, 1), date(2030, 12, 31)))),
        answers=answers,
    )


def _value(instrument: Instrument, item_id: str) -> st.SearchStrategy[Any]:
    item = instrument.item(item_id)
    if item.kind is AnswerKind.SCALE:
        return st.integers(1, 5)
    if item.kind is AnswerKind.CHOICE:
        return st.sampled_from([c.value for c in item.choices or []])
    return st.one_of(st.integers(0, 100), st.integers(0, 1000).map(lambda n: n / 10))


def canonical(instrument: Instrument, responses: Responses) -> Responses:
    """The responses as audit-kit reads them from JSON (checked and in instrument order)."""
    fixed, problems = conform(instrument, responses)
    assert not problems, problems
    return fixed


def slot_values(instrument: Instrument, responses: Responses) -> dict[str, Any]:
    """What each field of the form holds for these responses, by field name, in neutral terms:
    codes as text, yes/no as bool, numbers as numbers, the date as a date."""
    values: dict[str, Any] = {}
    program = responses.program
    profile = {
        "name": program.name,
        "setting": program.setting.value if program.setting else None,
        "hospital_based": program.hospital_based,
        "populations": list(program.populations) or None,
        "assessor": responses.assessor or None,
        "assessment_date": responses.assessment_date,
    }
    from audit_kit.formats.interchange.fields import item_fields

    na_codes = {f.item.id: f.na_code for f in item_fields(instrument)}
    for name, (owner, kind) in slots(instrument).items():
        if owner == PROFILE:
            values[name] = profile[kind]
            continue
        answer = responses.answers.get(owner)
        if answer is None:
            values[name] = None
        elif kind == VALUE:
            values[name] = na_codes[owner] if answer.not_applicable else answer.value
            if isinstance(values[name], int) and instrument.item(owner).kind is AnswerKind.SCALE:
                values[name] = str(values[name])
            if answer.not_applicable and na_codes[owner] is None:
                values[name] = None
        elif kind == FLAG:
            values[name] = True if answer.not_applicable else None
        elif kind == REASON:
            values[name] = answer.na_reason
        elif kind == NOTE:
            values[name] = answer.note
        elif kind == EVIDENCE:
            values[name] = answer.evidence
    return values


# ---- expressions the tools evaluate ----------------------------------------------------------

_XLSFORM_REF = re.compile(r"\$\{(\w+)\}")
_REDCAP_REF = re.compile(r"\[(\w+)\]")
_EQUALS = re.compile(r"(?<![!<>=])=(?!=)")
_SAFE = re.compile(r"^[\sA-Za-z0-9_'()!=<>.\-]*$")


def _evaluate(python: str, values: dict[str, str]) -> bool:
    assert _SAFE.match(python), python
    return bool(eval(python, {"__builtins__": {}}, {"V": lambda n: values.get(n, "")}))


def xlsform_relevant(expression: str, values: dict[str, str]) -> bool:
    """An XLSForm ``relevant`` as ODK evaluates it (for the expressions the export writes)."""
    if not expression:
        return True
    python = _XLSFORM_REF.sub(lambda m: f"V('{m.group(1)}')", expression)
    return _evaluate(_EQUALS.sub("==", python), values)


def redcap_shown(expression: str, values: dict[str, str]) -> bool:
    """REDCap branching logic as REDCap evaluates it (for the expressions the export writes)."""
    if not expression:
        return True
    python = _REDCAP_REF.sub(lambda m: f"V('{m.group(1)}')", expression).replace("<>", "!=")
    return _evaluate(_EQUALS.sub("==", python), values)


# ---- XLSForm: ODK Central and KoboToolbox ----------------------------------------------------


@functools.lru_cache(maxsize=8)
def xlsform_fields(data: bytes) -> tuple[list[dict[str, str]], dict[str, dict[str, str]]]:
    """The data fields of an XLSForm in form order, each with its group path, and each list's
    choices (code → label). Cached: callers only read the result."""
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data), read_only=True)
    sheets = {}
    for title in ("survey", "choices"):
        rows = list(wb[title].iter_rows(values_only=True))
        header = [str(h) for h in rows[0]]
        sheets[title] = [
            {h: ("" if v is None else str(v)) for h, v in zip(header, row, strict=False)}
            for row in rows[1:]
        ]
    wb.close()
    groups: list[str] = []
    fields = []
    for row in sheets["survey"]:
        kind = row["type"]
        if kind == "begin_group":
            groups.append(row["name"])
        elif kind == "end_group":
            groups.pop()
        elif kind != "note":
            fields.append({**row, "path": "/".join([*groups, row["name"]])})
    lists: dict[str, dict[str, str]] = {}
    for row in sheets["choices"]:
        lists.setdefault(row["list_name"], {})[row["name"]] = row["label"]
    return fields, lists


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return "; ".join(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def xlsform_rows(
    data: bytes, instrument: Instrument, programs: list[Responses], style: str
) -> list[list[Any]]:
    """A submissions export, header first. ``style``: 'kobo' (group paths with '/', XML values,
    Kobo's own columns), 'odk' (ODK Central: group paths with '-', KEY) or 'labels' (Kobo with
    labels as headers and values)."""
    fields, lists = xlsform_fields(data)
    if style == "labels":
        header = [f["label"] or f["name"] for f in fields]
    elif style == "odk":
        header = ["SubmissionDate", *(f["path"].replace("/", "-") for f in fields), "KEY"]
    else:
        header = ["start", *(f["path"] for f in fields), "_id", "_uuid", "_submission_time"]
    rows: list[list[Any]] = [header]
    for n, responses in enumerate(programs):
        values = slot_values(instrument, responses)
        collected: dict[str, str] = {}
        out = []
        for f in fields:
            name = f["name"]
            if f["type"] == "calculate":
                value = f["calculation"].strip("'")
            elif not xlsform_relevant(f.get("relevant", ""), collected):
                value = ""  # ODK keeps nothing of a field that is not relevant
            else:
                value = _text(values.get(name))
            collected[name] = value
            if style == "labels" and f["type"].startswith("select_one ") and value:
                value = lists[f["type"].split()[1]][value]
            out.append(value)
        if style == "odk":
            out = ["2026-10-02T10:00:00.000Z", *out, f"uuid:{n:08d}"]
        elif style == "kobo":
            out = ["2026-10-02T09:00:00.000+02:00", *out, 1000 + n, f"u-{n}", "2026-10-02"]
        rows.append(out)
    return rows


def csv_text(rows: list[list[Any]], delimiter: str = ",") -> str:
    """Rows as a CSV export."""
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(
        [[_text(v) if not isinstance(v, int | float) else v for v in row] for row in rows]
    )
    return out.getvalue()


def xlsx_bytes(rows: list[list[Any]], title: str = "Assessment") -> bytes:
    """Rows as the first sheet of a workbook, as Kobo's XLSX export writes it."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append([v if v != "" else None for v in row])
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# ---- REDCap -----------------------------------------------------------------------------------


@functools.lru_cache(maxsize=8)
def dictionary(data: bytes) -> list[dict[str, str]]:
    """The rows of a data dictionary, keyed by its column names."""
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def redcap_choices(text: str) -> dict[str, str]:
    """'1, One | 2, Two' → {'1': 'One', '2': 'Two'}: split on '|', then on the first comma."""
    out = {}
    for part in text.split("|"):
        code, _, label = part.partition(",")
        out[code.strip()] = label.strip()
    return out


def redcap_rows(
    data: bytes, instrument: Instrument, programs: list[Responses], labels: bool = False
) -> list[list[str]]:
    """A REDCap records export (raw, or labels), header first, with each form's _complete."""
    fields = dictionary(data)
    forms = list(dict.fromkeys(f["Form Name"] for f in fields))
    header = [f["Field Label"] if labels else f["Variable / Field Name"] for f in fields]
    header += ["Complete?" if labels else f"{form}_complete" for form in forms]
    rows = [header]
    for n, responses in enumerate(programs, start=1):
        values = slot_values(instrument, responses)
        collected: dict[str, str] = {}
        out = []
        for f in fields:
            name, kind = f["Variable / Field Name"], f["Field Type"]
            if name == "record_id":
                value = str(n)
            elif name == "instrument_ref":
                value = instrument.ref
            elif not redcap_shown(f["Branching Logic (Show field only if...)"], collected):
                value = ""
            else:
                raw = values.get(name)
                value = ("1" if raw else "0") if kind == "yesno" and raw is not None else _text(raw)
            collected[name] = value
            if labels and value:
                if kind == "yesno":
                    value = "Yes" if value == "1" else "No"
                elif kind in ("radio", "dropdown"):
                    value = redcap_choices(f["Choices, Calculations, OR Slider Labels"])[value]
            out.append(value)
        out += ["Complete" if labels else "2" for _ in forms]
        rows.append(out)
    return rows


# ---- FHIR -------------------------------------------------------------------------------------


def fhir_enabled(entry: dict[str, Any], answers: dict[str, Any]) -> bool:
    """Whether an item's enableWhen holds, as FHIR R4 defines it (for the operators exported)."""
    conditions = entry.get("enableWhen")
    if not conditions:
        return True
    results = []
    for c in conditions:
        answer = answers.get(c["question"])
        if c["operator"] == "exists":
            results.append((answer is not None) == c["answerBoolean"])
            continue
        expected = c["answerCoding"]["code"] if "answerCoding" in c else c["answerBoolean"]
        results.append(answer is not None and answer == expected)
    return any(results) if entry.get("enableBehavior") == "any" else all(results)


def fhir_response(
    questionnaire: dict[str, Any], instrument: Instrument, responses: Responses
) -> dict[str, Any]:
    """A QuestionnaireResponse as a FHIR form filler makes it: disabled items (and all within a
    disabled group) hold no answers, and unanswered items are left out."""
    values = slot_values(instrument, responses)
    linked = {}
    for name, slot in slots(instrument).items():
        owner, kind = slot
        if owner == PROFILE:
            linked[f"profile/{name}"] = values[name]
        else:
            suffix = {
                VALUE: "",
                FLAG: "/na",
                REASON: "/na-reason",
                EVIDENCE: "/evidence",
                NOTE: "/note",
            }[kind]
            linked[f"{owner}{suffix}"] = values[name]
    given: dict[str, Any] = {}

    def walk(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out = []
        for entry in items:
            if not fhir_enabled(entry, given):
                continue
            link, kind = entry["linkId"], entry["type"]
            if kind == "group":
                inner = walk(entry["item"])
                if inner:
                    out.append({"linkId": link, "item": inner})
                continue
            value = linked.get(link)
            if kind == "display" or value is None:
                continue
            given[link] = value
            if kind == "choice":
                answers = [{"valueCoding": {"code": value}}]
            elif kind == "boolean":
                answers = [{"valueBoolean": value}]
            elif kind == "decimal":
                answers = [{"valueDecimal": value}]
            elif kind == "date":
                answers = [{"valueDate": value.isoformat()}]
            elif entry.get("repeats"):
                answers = [{"valueString": v} for v in value]
            else:
                answers = [{"valueString": value}]
            out.append({"linkId": link, "text": entry.get("text", ""), "answer": answers})
        return out

    return {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": f"urn:audit-kit:questionnaire:{instrument.id}|{instrument.version}",
        "status": "completed",
        "item": walk(questionnaire["item"]),
    }


@st.composite
def decider_answers(draw: st.DrawFn, instrument: Instrument) -> dict[str, Answer]:
    """Any answers (or N/A, or none) to the items other items depend on."""
    answers = {}
    for _, _, item in instrument.iter_items():
        if item.kind is AnswerKind.PERCENT:
            continue
        choices: list[Answer | None] = [None]
        if item.kind is AnswerKind.SCALE:
            choices += [Answer(value=v) for v in range(1, 6)]
        else:
            choices += [Answer(value=c.value) for c in item.choices or []]
        if item.na_allowed:
            choices.append(Answer(not_applicable=True, na_reason="No."))
        answer = draw(st.sampled_from(choices))
        if answer is not None:
            answers[item.id] = answer
    return answers
