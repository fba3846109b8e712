"""XLSForm for ODK/Kobo, and their submissions read back: valid forms, skip logic, round trips."""

from __future__ import annotations

import io
import json
import re
import shutil
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
from audit_kit.formats.interchange.xlsform import build_xlsform
from audit_kit.model.applicability import skipped_items
from audit_kit.model.instrument import Instrument
from audit_kit.model.responses import Answer
from audit_kit.model.vocab import Setting
from audit_kit.scoring import score
from audit_kit.workflows.interchange import import_answers, read_answers

from interchange_support import (
    INSTRUMENTS,
    SKIP,
    canonical,
    collected,
    csv_text,
    decider_answers,
    xlsform_fields,
    xlsform_relevant,
    xlsform_rows,
    xlsx_bytes,
)

_FORMS: dict[str, bytes] = {}
_FIELDS: dict[str, tuple[list[dict[str, str]], dict[str, dict[str, str]]]] = {}


def form(instrument: Instrument) -> bytes:
    """The XLSForm of an instrument (built once per test run)."""
    key = instrument.ref
    if key not in _FORMS:
        _FORMS[key] = build_xlsform(instrument)
    return _FORMS[key]


def parsed(instrument: Instrument) -> tuple[list[dict[str, str]], dict[str, dict[str, str]]]:
    """The fields and choice lists of an instrument's XLSForm (read once per test run)."""
    if instrument.ref not in _FIELDS:
        _FIELDS[instrument.ref] = xlsform_fields(form(instrument))
    return _FIELDS[instrument.ref]


@pytest.fixture(name="skip")
def _skip() -> Instrument:
    return load_instrument(SKIP)


@pytest.mark.parametrize("spec", ["mat-tsf-cod", "mat-tsf-cod@1.0", str(SKIP)])
def test_pyxform_converts_the_form_without_errors_or_warnings(spec: str) -> None:
    xls2xform = pytest.importorskip("pyxform.xls2xform")
    instrument = load_instrument(spec)
    warnings: list[str] = []
    # ODK Validate (a Java program shipped with pyxform) also checks the XForm where Java is
    result = xls2xform.convert(
        xlsform=form(instrument),
        warnings=warnings,
        validate=shutil.which("java") is not None and spec != "mat-tsf-cod@1.0",
        file_type=".xlsx",
    )
    assert warnings == []
    assert '<instrument_ref jr:calculate="' not in result.xform  # a calculate is a bind
    for fields in item_fields(instrument):
        assert f"/{fields.name}" in result.xform


def test_the_form_asks_the_profile_first_then_one_group_per_domain(bundled: Instrument) -> None:
    fields, lists = parsed(bundled)
    paths = [f["path"] for f in fields]
    assert paths[0] == "instrument_ref"
    assert paths[1:7] == [
        "profile/program_name",
        "profile/setting",
        "profile/hospital_based",
        "profile/populations",
        "profile/assessor",
        "profile/assessment_date",
    ]
    groups = list(dict.fromkeys(p.split("/")[0] for p in paths[7:]))
    assert groups == [f"dom_{d.id}" for d in bundled.domains]
    by_name = {f["name"]: f for f in fields}
    assert set(lists["setting"]) == {s.value for s in Setting}

    moud_route = by_name["mat_4"]  # MAT-4, a choice item
    item = bundled.item("mat.moud_route")
    assert moud_route["label"] == f"MAT-4. {item.question}"
    assert moud_route["hint"].startswith(item.guidance)
    assert lists["l_mat_4"] == {c.value: c.label for c in item.choices or []}

    pregnancy = by_name["mat_12"]  # a scale item that allows N/A
    scale_item = bundled.item("mat.pregnancy_pathway")
    assert lists["l_mat_12"]["1"] == f"1 – {scale_item.anchors[1]}"
    assert lists["l_mat_12"]["2"] == "2 – between 1 and 3"
    assert lists["l_mat_12"]["na"].startswith("N/A")
    assert pregnancy["relevant"] == ""
    reason = by_name["mat_12_reason"]
    assert reason["required"] == "yes"
    assert reason["relevant"] == "${mat_12} = 'na'"

    education = by_name["mat_8"]  # a percent item: a constrained decimal, N/A as its own field
    assert education["type"] == "decimal"
    assert education["constraint"] == ". >= 0 and . <= 100"
    assert education["relevant"] == "${mat_8_na} != 'yes'"
    assert by_name["mat_8_reason"]["relevant"] == "${mat_8_na} = 'yes'"


def test_the_sources_travel_in_a_sheet_the_tools_ignore(bundled: Instrument) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(form(bundled)), read_only=True)
    rows = list(wb["_sources"].iter_rows(values_only=True))
    wb.close()
    by_item = {row[1]: row for row in rows[1:]}
    item = bundled.item("mat.admit_on_moud")
    sources = by_item["mat.admit_on_moud"][3]
    for ref in item.citations:
        assert bundled.citation(ref.id).title in sources


def _visible(
    instrument: Instrument, setting: Setting | None, answers: dict[str, Answer]
) -> set[str]:
    """The items whose answer field ODK shows, after filling in the form in order."""
    fields, _ = parsed(instrument)
    by_name = {f.name: f for f in item_fields(instrument)}
    by_name.update({f.na_flag: f for f in item_fields(instrument) if f.na_flag})
    values: dict[str, str] = {"setting": setting.value if setting else ""}
    shown = set()
    for row in fields:
        owner = by_name.get(row["name"])
        if owner is None:
            continue
        # a percent item shows its "no eligible cases" field whenever it applies
        asked = row["name"] == (owner.na_flag or owner.name)
        relevant = xlsform_relevant(row.get("relevant", ""), values)
        if asked and relevant:
            shown.add(owner.item.id)
        answer = answers.get(owner.item.id)
        if row["name"] == owner.name and relevant and answer is not None:
            values[owner.name] = owner.na_code if answer.not_applicable else str(answer.value)
    return shown


@pytest.mark.parametrize("which", ["bundled", "skip"])
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_skip_logic_survives_the_export(which: str, data: st.DataObject) -> None:
    instrument = load_instrument(INSTRUMENTS[which])
    setting = data.draw(st.one_of(st.none(), st.sampled_from(list(Setting))))
    answers = data.draw(decider_answers(instrument))
    applies = set(instrument.item_ids) - set(skipped_items(instrument, setting, answers))
    assert _visible(instrument, setting, answers) == applies


def _check_round_trip(instrument: Instrument, programs: list, imported: list) -> None:
    assert len(imported) == len(programs)
    for original, back in zip(programs, imported, strict=True):
        expected = canonical(instrument, original)
        assert back.responses == expected
        assert score(instrument, back.responses) == score(instrument, expected)


@pytest.mark.parametrize("which", ["bundled", "skip"])
@pytest.mark.parametrize("style", ["kobo-csv", "odk-csv", "kobo-xlsx", "labels-xlsx"])
@settings(max_examples=5, deadline=None)
@given(data=st.data())
def test_answers_collected_with_the_form_score_as_the_same_answers_in_json(
    which: str, style: str, data: st.DataObject
) -> None:
    instrument = load_instrument(INSTRUMENTS[which])
    count = data.draw(st.integers(1, 3))
    programs = [data.draw(collected(instrument, n)) for n in range(count)]
    flavour = {"kobo-csv": "kobo", "odk-csv": "odk", "kobo-xlsx": "kobo", "labels-xlsx": "labels"}
    rows = xlsform_rows(form(instrument), instrument, programs, flavour[style])
    with tempfile.TemporaryDirectory() as folder:
        if style.endswith("xlsx"):
            path = Path(folder) / "export.xlsx"
            path.write_bytes(xlsx_bytes(rows))
        else:
            path = Path(folder) / "export.csv"
            text = csv_text(rows, ";" if style == "kobo-csv" else ",")
            path.write_bytes(("\ufeff" if style == "kobo-csv" else "").encode() + text.encode())
        loaded, imported = read_answers(path, INSTRUMENTS[which] if which == "skip" else None)
    assert loaded.ref == instrument.ref
    _check_round_trip(instrument, programs, imported)


def _kobo_csv(
    tmp_path: Path, instrument: Instrument, edit: dict[str, str], name: str = "e.csv"
) -> Path:
    """A one-row Kobo export of a fixed program, with some cells changed."""
    program = canonical(
        instrument,
        collected_fixed(instrument),
    )
    rows = xlsform_rows(form(instrument), instrument, [program], "kobo")
    header = rows[0]
    for column, value in edit.items():
        rows[1][header.index(column)] = value
    path = tmp_path / name
    path.write_text(csv_text(rows), encoding="utf-8")
    return path


def collected_fixed(instrument: Instrument):
    """A fixed program for the skip-logic test instrument."""
    from conftest import build_responses

    return build_responses(
        instrument,
        {"mat.on_moud": "most", "mat.continuity": 4, "mat.dose_review": 3, "mat.followup": 55},
    )


def test_a_bad_answer_is_refused_with_its_row_and_column(tmp_path: Path, skip: Instrument) -> None:
    path = _kobo_csv(tmp_path, skip, {"dom_mat/mat_7": "lots", "profile/hospital_based": "maybe"})
    with pytest.raises(AuditKitError) as caught:
        read_answers(path, str(SKIP))
    shown = [str(p) for p in caught.value.problems]
    assert shown == [
        f'{path}: row 2, profile/hospital_based: "maybe" is not yes or no; answer yes or no '
        "(or leave it empty)",
        f"{path}: row 2, dom_mat/mat_7: 'lots' is not an answer to mat.on_moud; choose most, "
        "some, none",
    ]


def test_a_formula_in_a_workbook_export_is_refused_at_its_cell(
    tmp_path: Path, skip: Instrument
) -> None:
    from openpyxl import load_workbook

    program = canonical(skip, collected_fixed(skip))
    rows = xlsform_rows(form(skip), skip, [program], "kobo")
    path = tmp_path / "export.xlsx"
    path.write_bytes(xlsx_bytes(rows))
    wb = load_workbook(path)
    column = rows[0].index("dom_mat/mat_2") + 1
    wb.active.cell(row=2, column=column).value = "=1+3"
    wb.save(path)
    with pytest.raises(AuditKitError) as caught:
        read_answers(path, str(SKIP))
    (problem,) = caught.value.problems
    letter = chr(ord("A") + column - 1)
    assert str(problem).startswith(f"{path}: Assessment!{letter}2: the cell holds a formula")


def test_an_export_of_another_version_of_the_form_is_refused(
    tmp_path: Path, skip: Instrument
) -> None:
    path = _kobo_csv(tmp_path, skip, {"instrument_ref": "skip@1.0"})
    with pytest.raises(AuditKitError, match=r"collected with the form of skip@1\.0, not skip@1\.1"):
        read_answers(path, str(SKIP))
    rows = xlsform_rows(form(skip), skip, [canonical(skip, collected_fixed(skip))], "kobo")
    rows[0] = [("dom_mat/mat_9" if h == "dom_mat/mat_3" else h) for h in rows[0]]
    stale = tmp_path / "stale.csv"
    stale.write_text(csv_text(rows), encoding="utf-8")
    with pytest.raises(AuditKitError) as caught:
        read_answers(stale, str(SKIP))
    assert [str(p) for p in caught.value.problems] == [
        f"{stale}: row 1, dom_mat/mat_9: column 'dom_mat/mat_9' is not a field of the skip@1.1 "
        "form; the data may come from another version of the form: pass that instrument with -i",
        f"{stale}: header: the column for mat_3 is missing; export every field of the form",
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"name;setting\n\xe9t\xe9;x\n", "the file is not UTF-8 text (byte 13)"),
        ("a,b\n1,2\n".encode("utf-16"), "the file is UTF-16 text"),
        (b"", "the file is empty"),
        (b"start,_id\n2026,1\n", "none of the fields of the skip@1.1 form are in the header"),
    ],
)
def test_unreadable_exports_are_refused_with_what_to_do(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(content)
    with pytest.raises(AuditKitError, match=re.escape(message)):
        read_answers(path, str(SKIP), "xlsform")


def test_the_form_itself_is_not_taken_for_collected_answers(
    tmp_path: Path, skip: Instrument
) -> None:
    path = tmp_path / "form.xlsx"
    path.write_bytes(form(skip))
    with pytest.raises(AuditKitError, match="this is an XLSForm \\(the form itself\\)"):
        read_answers(path, str(SKIP))


def test_import_writes_one_file_per_program_named_after_it(
    tmp_path: Path, skip: Instrument
) -> None:
    from conftest import build_responses

    first = build_responses(skip, {"mat.on_moud": "none"}, name="Casa Esperanza")
    second = build_responses(skip, {"mat.admit": 5}, name="Casa Esperanza")
    third = build_responses(skip, {"mat.admit": 2}, name="../../etc/passwd")
    rows = xlsform_rows(form(skip), skip, [first, second, third], "kobo")
    path = tmp_path / "export.csv"
    path.write_text(csv_text(rows), encoding="utf-8")

    with pytest.raises(AuditKitError, match=r"holds 3 programs \(row 2 \(submission 1000\)"):
        import_answers(path, tmp_path / "one.json", str(SKIP))
    assert not (tmp_path / "one.json").exists()

    out = tmp_path / "out"
    written = import_answers(path, out, str(SKIP))
    assert [w.path.name for w in written] == [
        "casa-esperanza-2026-10-01.json",
        "casa-esperanza-2026-10-01-2.json",
        "etc-passwd-2026-10-01.json",
    ]
    assert all(w.path.parent == out for w in written)
    saved = json.loads(written[0].path.read_text(encoding="utf-8"))
    assert saved["answers"] == {"mat.on_moud": {"value": "none"}}

    with pytest.raises(AuditKitError, match="already exists"):
        import_answers(path, out, str(SKIP))
    assert len(import_answers(path, out, str(SKIP), overwrite=True)) == 3


def test_export_then_import_at_the_command_line(tmp_path: Path, runner: CliRunner) -> None:
    from audit_kit.formats.responses_json import read_responses_json

    from conftest import EXAMPLES

    bundled, example = read_responses_json(EXAMPLES / "integrated-outpatient.json", None)
    skipped = skipped_items(bundled, example.program.setting, example.answers)
    example = example.model_copy(
        update={"answers": {k: v for k, v in example.answers.items() if k not in skipped}}
    )
    made = runner.invoke(
        cli, ["export", "mat-tsf-cod", "--to", "xlsform", "-o", str(tmp_path / "f.xlsx")]
    )
    assert made.exit_code == 0, made.output
    rows = xlsform_rows((tmp_path / "f.xlsx").read_bytes(), bundled, [example], "kobo")
    export = tmp_path / "kobo.csv"
    export.write_text(csv_text(rows, ";"), encoding="utf-8")
    done = runner.invoke(cli, ["import", str(export), "-o", str(tmp_path / "back.json")])
    assert done.exit_code == 0, done.output
    assert done.stdout.startswith(f"{tmp_path / 'back.json'}  {example.program.name} (row 2")
    scored = runner.invoke(cli, ["score", str(tmp_path / "back.json"), "--format", "json"])
    expected = score(bundled, canonical(bundled, example))
    assert json.loads(scored.stdout) == json.loads(expected.model_dump_json())

    again = runner.invoke(
        cli, ["export", "mat-tsf-cod", "--to", "xlsform", "-o", str(tmp_path / "f.xlsx")]
    )
    assert again.exit_code == 2
    assert "already exists" in again.output
    wrong = runner.invoke(
        cli, ["export", "mat-tsf-cod", "--to", "redcap", "-o", str(tmp_path / "f.xlsx")]
    )
    assert wrong.exit_code == 2
    assert "ending in .csv" in wrong.output
