"""REDCap data dictionary export and records import: REDCap's rules, skip logic, round trips."""

from __future__ import annotations

import csv
import io
import re
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from audit_kit.catalog import load_instrument
from audit_kit.cli import cli
from audit_kit.errors import AuditKitError
from audit_kit.formats.interchange.fields import item_fields
from audit_kit.formats.interchange.redcap import COLUMNS, build_dictionary
from audit_kit.model.applicability import skipped_items
from audit_kit.model.instrument import Instrument
from audit_kit.model.vocab import Setting
from audit_kit.scoring import score
from audit_kit.workflows.interchange import read_answers

from conftest import build_responses
from interchange_support import (
    INSTRUMENTS,
    SKIP,
    canonical,
    collected,
    csv_text,
    decider_answers,
    dictionary,
    redcap_choices,
    redcap_rows,
    redcap_shown,
)

# REDCap's documented rules for a data dictionary (REDCap's "Data Dictionary" help and the
# REDCap Consortium's training material): what an upload accepts.
FIELD_TYPES = {
    "text",
    "notes",
    "radio",
    "dropdown",
    "checkbox",
    "yesno",
    "truefalse",
    "calc",
    "sql",
    "descriptive",
    "file",
    "slider",
}
VALIDATIONS = {"date_ymd", "date_mdy", "date_dmy", "number", "integer", "email", "phone", "zipcode"}
RESERVED = {
    "redcap_event_name",
    "redcap_repeat_instrument",
    "redcap_repeat_instance",
    "redcap_data_access_group",
    "redcap_survey_identifier",
}
FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
RECOMMENDED_LENGTH = 26
_TOKEN = re.compile(
    r"\s*(?:(\[[a-z][a-z0-9_]*\])|('[^']*')|(<>|!=|<=|>=|=|<|>)|(and|or)\b|(\()|(\)))"
)


def branching_problems(logic: str, known: set[str]) -> list[str]:
    """What is wrong with branching logic: '[field] op 'value'' comparisons of fields of the
    dictionary, joined by and/or, in balanced parentheses."""
    tokens = []
    position = 0
    while position < len(logic):
        match = _TOKEN.match(logic, position)
        if match is None or match.end() == position:
            return [f"cannot read {logic[position:]!r}"]
        tokens.append(match)
        position = match.end()
    problems = []
    expect_operand, depth, index = True, 0, 0
    while index < len(tokens):
        field, _, _, joiner, opening, closing = tokens[index].groups()
        if opening:
            depth += 1
        elif closing:
            depth -= 1
            if depth < 0:
                problems.append("unbalanced ')'")
        elif field:
            if not expect_operand:
                problems.append(f"{field} follows a comparison without and/or")
            if field[1:-1] not in known:
                problems.append(f"{field} is not a field of the dictionary")
            rest = tokens[index + 1 : index + 3]
            if len(rest) < 2 or not rest[0].group(3) or not rest[1].group(2):
                problems.append(f"{field} is not compared with a quoted value")
            index += 2
            expect_operand = False
        elif joiner:
            if expect_operand:
                problems.append(f"{joiner!r} without a comparison before it")
            expect_operand = True
        else:
            problems.append(f"stray {tokens[index].group(0).strip()!r}")
        index += 1
    if depth:
        problems.append("unbalanced '('")
    if tokens and expect_operand:
        problems.append("ends without a comparison")
    return problems


def rule_problems(data: bytes) -> list[str]:
    """Every way a data dictionary breaks REDCap's rules."""
    text = data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    problems = []
    if tuple(rows[0]) != COLUMNS:
        problems.append("the header is not REDCap's 18 columns in order")
    fields = [dict(zip(COLUMNS, row, strict=True)) for row in rows[1:]]
    if fields[0]["Variable / Field Name"] != "record_id":
        problems.append("the first field is not the record identifier")
    names: set[str] = set()
    every = {f["Variable / Field Name"] for f in fields}
    forms: list[str] = []
    for f in fields:
        name, form, kind = f["Variable / Field Name"], f["Form Name"], f["Field Type"]
        where = f"{name}: "
        if not FIELD_NAME.match(name) or name in RESERVED:
            problems.append(where + "not a valid field name")
        if len(name) > RECOMMENDED_LENGTH:
            problems.append(where + "longer than 26 characters")
        if name in names:
            problems.append(where + "not unique")
        if not FIELD_NAME.match(form):
            problems.append(where + f"form name {form!r} is not valid")
        if forms and form != forms[-1] and form in forms:
            problems.append(where + f"the fields of form {form} are not together")
        if not forms or forms[-1] != form:
            forms.append(form)
        if kind not in FIELD_TYPES:
            problems.append(where + f"field type {kind!r}")
        if not f["Field Label"]:
            problems.append(where + "no label")
        choices = f["Choices, Calculations, OR Slider Labels"]
        if kind in ("radio", "dropdown", "checkbox"):
            parts = [p.partition(",") for p in choices.split("|")]
            codes = [code.strip() for code, _, _ in parts]
            if any(not comma or not label.strip() for _, comma, label in parts):
                problems.append(where + "a choice is not 'code, label'")
            if any(not re.match(r"^[A-Za-z0-9_]+$", c) for c in codes) or len(set(codes)) < len(
                codes
            ):
                problems.append(where + "choice codes are not unique letters, digits, underscores")
        elif choices:
            problems.append(where + "choices on a field that takes none")
        validation = f["Text Validation Type OR Show Slider Number"]
        if validation and (kind != "text" or validation not in VALIDATIONS):
            problems.append(where + f"validation {validation!r}")
        numeric = validation in ("number", "integer")
        bounds = (f["Text Validation Min"], f["Text Validation Max"])
        problems += [
            where + f"bound {b!r}"
            for b in bounds
            if b and not (numeric and re.match(r"^-?\d+(\.\d+)?$", b))
        ]
        if f["Required Field?"] not in ("", "y") or f["Identifier?"] not in ("", "y"):
            problems.append(where + "Required/Identifier must be empty or y")
        problems += [
            where + p
            for p in branching_problems(f["Branching Logic (Show field only if...)"], every)
        ]
        names.add(name)
    problems += [f"{form}_complete clashes" for form in forms if f"{form}_complete" in names]
    for row in rows:
        for value in row:
            if value.startswith(("=", "+", "-", "@", "\t", "\r")):
                problems.append(f"{value[:20]!r} would be a formula in a spreadsheet")
    return problems


@pytest.mark.parametrize("spec", ["mat-tsf-cod", "mat-tsf-cod@1.0", str(SKIP)])
def test_the_dictionary_follows_redcaps_rules(spec: str) -> None:
    assert rule_problems(build_dictionary(load_instrument(spec))) == []


def test_the_rule_check_finds_broken_dictionaries() -> None:
    good = build_dictionary(load_instrument(SKIP)).decode("utf-8-sig")
    broken = {
        "mat_7,mat,": "MAT_7,mat,",
        "[mat_7] = '' or": "[mat_7] = '' or or",
        "| 5, 5 – Always": "| 5 5 – Always",
    }
    for old, new in broken.items():
        assert old in good
        assert rule_problems(good.replace(old, new, 1).encode()) != [], old


def test_text_that_starts_like_a_formula_stays_text(tmp_path: Path) -> None:
    source = SKIP.read_text(encoding="utf-8")
    source = source.replace(
        "question: Do any of your patients take MOUD?",
        'question: \'=HYPERLINK("http://x","click")\'',
    ).replace("guidance: Count the last 12 months.", "guidance: '-2+3 months, @SUM'")
    custom = tmp_path / "custom.yaml"
    custom.write_text(source, encoding="utf-8")
    data = build_dictionary(load_instrument(custom))
    assert rule_problems(data) == []
    (row,) = [f for f in dictionary(data) if f["Variable / Field Name"] == "mat_7"]
    assert row["Field Label"] == 'MAT-7. =HYPERLINK("http://x","click")'
    assert row["Field Note"].startswith("'-2+3 months, @SUM")


def test_the_dictionary_carries_items_sections_and_sources(bundled: Instrument) -> None:
    fields = {f["Variable / Field Name"]: f for f in dictionary(build_dictionary(bundled))}
    route = fields["mat_4"]
    item = bundled.item("mat.moud_route")
    assert route["Form Name"] == "mat"
    assert route["Field Type"] == "radio"
    assert redcap_choices(route["Choices, Calculations, OR Slider Labels"]) == {
        c.value: c.label for c in item.choices or []
    }
    assert route["Field Note"].startswith(item.guidance)
    assert "ASAM (2020)" in route["Field Annotation"]
    assert fields["mat_1"]["Section Header"] == bundled.domains[0].dimensions[0].title
    percent = fields["mat_8"]
    assert (percent["Field Type"], percent["Text Validation Type OR Show Slider Number"]) == (
        "text",
        "number",
    )
    assert (percent["Text Validation Min"], percent["Text Validation Max"]) == ("0", "100")
    assert fields["mat_8_na"]["Field Type"] == "yesno"
    assert fields["mat_12_reason"]["Required Field?"] == "y"
    assert fields["mat_12_reason"]["Branching Logic (Show field only if...)"] == "[mat_12] = 'na'"
    dosing = fields["mat_11"]["Branching Logic (Show field only if...)"]
    assert dosing.startswith("([setting] = '' or [setting] = 'residential' or ")
    assert "([mat_22] = '' or [mat_22] = 'most_on_moud_tracked' or " in dosing


@pytest.mark.parametrize("which", ["bundled", "skip"])
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_skip_logic_survives_as_branching_logic(which: str, data: st.DataObject) -> None:
    instrument = load_instrument(INSTRUMENTS[which])
    setting = data.draw(st.one_of(st.none(), st.sampled_from(list(Setting))))
    answers = data.draw(decider_answers(instrument))
    fields = dictionary(build_dictionary(instrument))
    owners = {f.name: f for f in item_fields(instrument)}
    owners.update({f.na_flag: f for f in item_fields(instrument) if f.na_flag})
    values = {"setting": setting.value if setting else ""}
    shown = set()
    for row in fields:
        owner = owners.get(row["Variable / Field Name"])
        if owner is None:
            continue
        visible = redcap_shown(row["Branching Logic (Show field only if...)"], values)
        if visible and row["Variable / Field Name"] == (owner.na_flag or owner.name):
            shown.add(owner.item.id)
        answer = answers.get(owner.item.id)
        if visible and answer is not None and row["Variable / Field Name"] == owner.name:
            values[owner.name] = owner.na_code if answer.not_applicable else str(answer.value)
    applies = set(instrument.item_ids) - set(skipped_items(instrument, setting, answers))
    assert shown == applies


@pytest.mark.parametrize("which", ["bundled", "skip"])
@pytest.mark.parametrize("labels", [False, True], ids=["raw", "labels"])
@settings(max_examples=6, deadline=None)
@given(data=st.data())
def test_records_collected_in_redcap_score_as_the_same_answers_in_json(
    which: str, labels: bool, data: st.DataObject
) -> None:
    instrument = load_instrument(INSTRUMENTS[which])
    programs = [data.draw(collected(instrument, n)) for n in range(data.draw(st.integers(1, 3)))]
    rows = redcap_rows(build_dictionary(instrument), instrument, programs, labels=labels)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "records.csv"
        path.write_text(csv_text(rows), encoding="utf-8-sig")
        loaded, imported = read_answers(path, None if which == "bundled" else str(SKIP), "redcap")
    assert loaded.ref == instrument.ref
    assert len(imported) == len(programs)
    for n, (original, back) in enumerate(zip(programs, imported, strict=True), start=1):
        expected = canonical(instrument, original)
        assert back.responses == expected
        assert score(instrument, back.responses) == score(instrument, expected)
        assert back.label == f"row {n + 1} (record {n})"


def _records(tmp_path: Path, programs: list, edit: dict[str, str] | None = None) -> Path:
    skip = load_instrument(SKIP)
    rows = redcap_rows(build_dictionary(skip), skip, programs)
    for column, value in (edit or {}).items():
        rows[1][rows[0].index(column)] = value
    path = tmp_path / "records.csv"
    path.write_text(csv_text(rows), encoding="utf-8")
    return path


def test_bad_values_are_refused_with_their_record_and_field(tmp_path: Path) -> None:
    skip = load_instrument(SKIP)
    program = build_responses(skip, {"mat.on_moud": "some", "mat.followup": 40})
    path = _records(
        tmp_path,
        [program],
        {"hospital_based": "2", "assessment_date": "10/01/2026", "mat_4": "101", "mat_4_na": ""},
    )
    with pytest.raises(AuditKitError) as caught:
        read_answers(path, str(SKIP))
    assert [str(p) for p in caught.value.problems] == [
        f'{path}: row 2, hospital_based: "2" is not yes or no; answer yes or no (or leave it '
        "empty)",
        f'{path}: row 2, assessment_date: "10/01/2026" is not a date in the form YYYY-MM-DD; '
        "write the date as YYYY-MM-DD, e.g. 2026-10-01",
        f"{path}: row 2, mat_4: 101 is not an answer to mat.followup; choose a percentage from 0 "
        "to 100",
    ]


def test_na_without_a_reason_is_refused_at_the_reason(tmp_path: Path) -> None:
    skip = load_instrument(SKIP)
    program = build_responses(skip, {"mat.followup": "na"})
    path = _records(tmp_path, [program], {"mat_4_reason": ""})
    with pytest.raises(AuditKitError) as caught:
        read_answers(path, str(SKIP))
    assert [str(p) for p in caught.value.problems] == [
        f"{path}: row 2, mat_4_reason: mat.followup is marked N/A without a reason; say why it "
        "does not apply"
    ]


def test_the_dictionary_is_not_taken_for_records(tmp_path: Path) -> None:
    path = tmp_path / "dictionary.csv"
    path.write_bytes(build_dictionary(load_instrument(SKIP)))
    with pytest.raises(AuditKitError, match="this is a data dictionary, not a records export"):
        read_answers(path, str(SKIP))


def test_repeating_instruments_are_refused(tmp_path: Path) -> None:
    skip = load_instrument(SKIP)
    rows = redcap_rows(build_dictionary(skip), skip, [build_responses(skip, {"mat.admit": 3})])
    rows[0].insert(1, "redcap_repeat_instrument")
    rows[1].insert(1, "mat")
    path = tmp_path / "records.csv"
    path.write_text(csv_text(rows), encoding="utf-8")
    with pytest.raises(AuditKitError, match=r"row 2, redcap_repeat_instrument: a repeating"):
        read_answers(path, str(SKIP))


def test_import_at_the_command_line_knows_a_redcap_export(
    tmp_path: Path, runner: CliRunner
) -> None:
    made = runner.invoke(
        cli, ["export", str(SKIP), "--to", "redcap", "-o", str(tmp_path / "dictionary.csv")]
    )
    assert made.exit_code == 0, made.output
    skip = load_instrument(SKIP)
    programs = [
        build_responses(skip, {"mat.on_moud": "none", "mat.admit": 2}, name="North Clinic"),
        build_responses(skip, {"mat.on_moud": "most", "mat.continuity": 1}, name="South Clinic"),
    ]
    rows = redcap_rows((tmp_path / "dictionary.csv").read_bytes(), skip, programs)
    export = tmp_path / "records.csv"
    export.write_text(csv_text(rows), encoding="utf-8")
    done = runner.invoke(cli, ["import", str(export), "-i", str(SKIP), "-o", str(tmp_path / "in")])
    assert done.exit_code == 0, done.output
    assert done.stdout.splitlines() == [
        f"{tmp_path / 'in' / 'north-clinic-2026-10-01.json'}  North Clinic (row 2 (record 1))",
        f"{tmp_path / 'in' / 'south-clinic-2026-10-01.json'}  South Clinic (row 3 (record 2))",
    ]
    scored = runner.invoke(
        cli, ["score", str(tmp_path / "in" / "south-clinic-2026-10-01.json"), "-i", str(SKIP)]
    )
    assert "CRITICAL FINDINGS (1)" in scored.stdout
    assert "MOUD is stopped at transfers." in scored.stdout

    export.write_text(
        csv_text(rows).replace("North Clinic", "=cmd|' /C calc'!A0"), encoding="utf-8"
    )
    again = runner.invoke(cli, ["import", str(export), "-i", str(SKIP), "-o", str(tmp_path / "in")])
    assert again.exit_code == 2
    assert "already exists; choose another output with -o, or pass --force" in again.output
