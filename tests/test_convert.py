"""xlsx ⇄ json: both directions lossless, and the refusals of the convert command."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit_kit.catalog import load_instrument
from audit_kit.cli import cli
from audit_kit.formats.responses_json import dump_responses, parse_responses, read_responses_json
from audit_kit.formats.xlsx.reader import read_workbook
from audit_kit.model.responses import Answer, Program, Responses
from audit_kit.model.vocab import Setting
from audit_kit.workflows.convert import convert_responses

from conftest import DATA, EXAMPLES
from strategies import answers_for, valid_values

MINI_PATH = DATA / "mini.yaml"
MINI = load_instrument(MINI_PATH)
EVERYTHING = Responses(
    instrument_id="mini",
    instrument_version="1.0",
    program=Program(
        name="Casa Esperanza, Clínica «Norte» (fictional)",
        setting=Setting.RESIDENTIAL,
        hospital_based=True,
        populations=["adults, 18+", "pregnant women"],
    ),
    assessor="=Ana Pérez; directora clínica",
    assessment_date=date(2026, 10, 1),
    answers={
        "mat.admit": Answer(
            value=4, note="Line one.\nLine two – “quoted” & <tagged>.", evidence="=SUM(A1)"
        ),
        "mat.route": Answer(value="none", evidence="No agreement found."),
        "mat.naloxone": Answer(value=33.3),
        "mat.pregnancy": Answer(not_applicable=True, na_reason="Serves only men.", note="n"),
        "mat.storage": Answer(note="To check on the next visit."),
        "cod.crisis": Answer(value=1),
    },
)


def _json(tmp_path: Path, responses: Responses, name: str = "in.json") -> Path:
    path = tmp_path / name
    path.write_bytes(dump_responses(responses))
    return path


@pytest.mark.parametrize("example", sorted(EXAMPLES.glob("*.json")), ids=lambda p: p.stem)
def test_bundled_examples_round_trip_byte_for_byte(
    runner: CliRunner, tmp_path: Path, example: Path
) -> None:
    canonical = dump_responses(read_responses_json(example, None)[1])
    xlsx, back = tmp_path / "assessment.xlsx", tmp_path / "back.json"
    first = runner.invoke(cli, ["convert", str(example), "-o", str(xlsx)])
    assert (first.exit_code, first.stdout, first.stderr) == (0, f"{xlsx}\n", "")
    second = runner.invoke(cli, ["convert", str(xlsx), "-o", str(back)])
    assert (second.exit_code, second.stdout, second.stderr) == (0, f"{back}\n", "")
    assert back.read_bytes() == canonical


def test_every_kind_of_answer_round_trips(tmp_path: Path) -> None:
    source = _json(tmp_path, EVERYTHING)
    xlsx = tmp_path / "out.xlsx"
    xlsx.write_bytes(convert_responses(source, xlsx, MINI_PATH))
    assert convert_responses(xlsx, tmp_path / "back.json", MINI_PATH) == source.read_bytes()
    _, from_xlsx = read_workbook(xlsx, MINI)
    assert from_xlsx == parse_responses(source.read_bytes(), "in.json", MINI)[1]


def test_workbook_to_json_to_workbook_reads_back_equal(tmp_path: Path) -> None:
    """Starting from a workbook filled in LibreOffice."""
    json_path = tmp_path / "lo.json"
    json_path.write_bytes(convert_responses(DATA / "libreoffice-filled.xlsx", json_path, MINI_PATH))
    assert json_path.read_bytes() == (DATA / "libreoffice-filled.json").read_bytes()
    again = tmp_path / "again.xlsx"
    again.write_bytes(convert_responses(json_path, again, MINI_PATH))
    assert read_workbook(again, MINI) == read_workbook(DATA / "libreoffice-filled.xlsx", MINI)


_TEXT = (
    st.text(
        st.one_of(st.characters(blacklist_categories=("Cs", "Cc")), st.sampled_from("\n\t=;,")),
        min_size=1,
        max_size=30,
    )
    .map(str.strip)
    .filter(bool)
)


@st.composite
def _responses(draw: st.DrawFn) -> Responses:
    setting = draw(st.sampled_from(list(Setting)))
    answers = draw(answers_for(MINI, setting))
    for item_id in list(answers):
        extra = {
            "note": draw(st.none() | _TEXT),
            "evidence": draw(st.none() | _TEXT),
        }
        answers[item_id] = answers[item_id].model_copy(update=extra)
    if draw(st.booleans()):  # an unanswered item with only a note
        item_id = draw(st.sampled_from(MINI.item_ids))
        answers[item_id] = Answer(note=draw(_TEXT))
    item = draw(st.sampled_from(["mat.admit", "cod.screen"]))
    if item not in answers:
        answers[item] = Answer(value=draw(valid_values(MINI, item)))
    return Responses(
        instrument_id="mini",
        instrument_version="1.0",
        program=Program(
            name=draw(_TEXT),
            setting=setting,
            hospital_based=draw(st.booleans()),
            # a population with a line break in it cannot be told from two populations
            populations=draw(st.lists(_TEXT.filter(lambda t: "\n" not in t), max_size=3)),
        ),
        assessor=draw(st.just("") | _TEXT),
        assessment_date=draw(st.dates(date(1990, 1, 1), date(2100, 12, 31))),
        answers=answers,
    )


@settings(
    max_examples=20,
    deadline=None,
    # tmp_path is shared by the examples: each one overwrites the same files
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(responses=_responses())
def test_property_json_to_workbook_to_json_is_byte_identical(
    tmp_path: Path, responses: Responses
) -> None:
    source = _json(tmp_path, responses)
    canonical = dump_responses(parse_responses(source.read_bytes(), "in.json", MINI)[1])
    xlsx = tmp_path / "out.xlsx"
    xlsx.write_bytes(convert_responses(source, xlsx, MINI_PATH))
    assert convert_responses(xlsx, tmp_path / "back.json", MINI_PATH) == canonical


def test_same_format_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    source = _json(tmp_path, EVERYTHING)
    result = runner.invoke(cli, ["convert", str(source), "-o", str(tmp_path / "copy.json")])
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {tmp_path / 'copy.json'}: is .json like the input; convert turns .xlsx into "
        ".json and .json into .xlsx\n"
    )
    assert not (tmp_path / "copy.json").exists()


def test_unknown_output_format_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    source = _json(tmp_path, EVERYTHING)
    result = runner.invoke(cli, ["convert", str(source), "-o", str(tmp_path / "out.csv")])
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {tmp_path / 'out.csv'}: give an output file name ending in .json or .xlsx\n"
    )


def test_existing_output_needs_force(runner: CliRunner, tmp_path: Path) -> None:
    source = _json(tmp_path, EVERYTHING)
    target = tmp_path / "out.xlsx"
    target.write_bytes(b"keep me")
    args = ["convert", str(source), "-o", str(target), "-i", str(MINI_PATH)]
    refused = runner.invoke(cli, args)
    assert refused.exit_code == 2
    assert refused.stderr == (
        f"Error: {target}: already exists; choose another name with -o, or pass --force to "
        "replace it\n"
    )
    assert target.read_bytes() == b"keep me"
    forced = runner.invoke(cli, [*args, "--force"])
    assert (forced.exit_code, forced.stdout) == (0, f"{target}\n")
    canonical = parse_responses(dump_responses(EVERYTHING), "in.json", MINI)[1]
    assert read_workbook(target, MINI)[1] == canonical


def test_input_with_problems_is_not_converted(runner: CliRunner, tmp_path: Path) -> None:
    doc = json.loads(dump_responses(EVERYTHING))
    doc["answers"]["mat.admit"]["value"] = "maybe"
    doc["answers"]["cod.screen"] = {"not_applicable": True}
    source = tmp_path / "bad.json"
    source.write_text(json.dumps(doc), encoding="utf-8")
    target = tmp_path / "out.xlsx"
    result = runner.invoke(cli, ["convert", str(source), "-o", str(target), "-i", str(MINI_PATH)])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"Error: {source}: answers[\"mat.admit\"].value: 'maybe' is not an answer to mat.admit; "
        "choose 1-5",
        f'Error: {source}: answers["cod.screen"].not_applicable: cod.screen cannot be answered '
        "N/A; choose 1-5",
    ]
    assert not target.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.json"]


def test_workbook_with_problems_is_not_converted(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    result = runner.invoke(cli, ["convert", str(DATA / "legacy.xls"), "-o", str(target)])
    assert result.exit_code == 2
    assert "legacy Excel 97-2003 workbook" in result.stderr
    assert not target.exists()
