"""The command line: exit codes, stdout and stderr, for instrument and score commands."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from audit_kit.cli import cli
from audit_kit.model.result import ScoreResult

from conftest import DATA, ROOT

MINI = str(DATA / "mini.yaml")
RESPONSES = {
    "instrument_id": "mini",
    "instrument_version": "1.0",
    "program": {"name": "Casa Esperanza", "setting": "outpatient", "hospital_based": False},
    "assessor": "María José Núñez, directora clínica",
    "assessment_date": "2026-10-01",
    "answers": {
        "mat.admit": {"value": 1, "note": "Policy says no methadone."},
        "mat.route": {"value": "referral"},
        "mat.naloxone": {"value": 92},
        "mat.pregnancy": {"value": 4},
        "cod.screen": {"value": 2},
        "cod.crisis": {"value": 5},
    },
}


def write(tmp_path: Path, doc: object, name: str = "responses.json") -> Path:
    """Write a JSON document into the test folder."""
    path = tmp_path / name
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def test_help_and_version(runner: CliRunner) -> None:
    """--help lists the commands; --version prints the version."""
    result = runner.invoke(cli, ["--help"], catch_exceptions=False)
    assert result.exit_code == 0
    assert "instrument" in result.stdout and "score" in result.stdout
    version = runner.invoke(cli, ["--version"], catch_exceptions=False)
    assert version.exit_code == 0 and version.stdout.startswith("audit-kit, version ")


def test_instrument_check_ok(runner: CliRunner) -> None:
    """A sound instrument: one OK line, exit 0."""
    result = runner.invoke(cli, ["instrument", "check", MINI], catch_exceptions=False)
    assert result.exit_code == 0
    assert result.stdout == "OK: 7 items in 2 domains\n"
    assert result.stderr == ""


def test_instrument_check_broken_lists_every_problem(runner: CliRunner, tmp_path: Path) -> None:
    """A broken copy: each problem on its own stderr line with its location, exit 2."""
    text = Path(MINI).read_text(encoding="utf-8")
    text = text.replace("weight: 2", "weight: 0").replace(
        "citations: [guide]", "citations: [gd]", 1
    )
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    result = runner.invoke(cli, ["instrument", "check", str(bad)], catch_exceptions=False)
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 2
    assert all(line.startswith(f"Error: {bad}:") for line in lines)
    assert "domains[0].dimensions[0].items[0].weight: input should be greater than 0" in lines[0]
    assert "domains[0].dimensions[0].items[1].citations[0]: cites 'gd'" in lines[1]
    assert "Traceback" not in result.output


def test_instrument_show_text_and_markdown(runner: CliRunner) -> None:
    """Every item appears with its question, answers, rule and sources."""
    text = runner.invoke(cli, ["instrument", "show", MINI], catch_exceptions=False)
    assert text.exit_code == 0
    for needle in [
        "mat.admit",
        "cod.crisis",
        "CRITICAL (answer 1)",
        "N/A: The program",
        "90% to 100%",
    ]:
        assert needle in text.stdout
    markdown = runner.invoke(
        cli, ["instrument", "show", MINI, "--format", "markdown"], catch_exceptions=False
    )
    assert markdown.stdout.startswith("# Mini test instrument")
    assert "**MAT-2** `mat.route` — MOUD route" in markdown.stdout
    assert "## References" in markdown.stdout


def test_instrument_show_states_each_skip_rule_by_code(runner: CliRunner) -> None:
    """A reviewer sees which answer of which item makes an item not apply, and why."""
    out = runner.invoke(cli, ["instrument", "show", str(DATA / "skip.yaml")]).stdout
    words = " ".join(out.split())
    assert "[mat.continuity]" in out
    assert (
        "Skip logic: not applicable when MAT-7 (Patients on MOUD) is answered 'None in the last "
        "12 months' or is not applicable: The program has no patients taking MOUD"
    ) in words
    # a scale item asked after 3, 4 or 5: the shorter list, the answers that skip it
    assert (
        "not applicable when MAT-2 (MOUD continued through transfers) is answered '1' or '2'"
        in words
    )


def test_skip_rule_wording_never_says_an_unanswered_decider_rules_an_item_out(
    runner: CliRunner, tmp_path: Path
) -> None:
    """Asked after one answer of five, after any answer, or with the decider unanswered: the
    words name what rules the item out, since while the decider is unanswered it applies."""
    text = (DATA / "skip.yaml").read_text(encoding="utf-8")
    for answers, expected in [
        ("[5, 5]", "is answered anything but '5', or is not applicable"),
        ("[1, 2, 3, 4, 5]", "not applicable when MAT-2 (MOUD continued through transfers) is not"),
    ]:
        path = tmp_path / "custom.yaml"
        path.write_text(
            text.replace(
                "{item: mat.continuity, answers: [3, 4, 5]}",
                f"{{item: mat.continuity, answers: {answers}}}",
            ),
            encoding="utf-8",
        )
        out = " ".join(runner.invoke(cli, ["instrument", "show", str(path)]).stdout.split())
        assert expected in out, out
        assert "otherwise not applicable" not in out


def test_instrument_schema_is_json(runner: CliRunner) -> None:
    """The schema command prints a JSON Schema document."""
    result = runner.invoke(cli, ["instrument", "schema"], catch_exceptions=False)
    schema = json.loads(result.stdout)
    assert schema["title"] == "audit-kit instrument" and "Item" in schema["$defs"]


def test_score_text(runner: CliRunner, tmp_path: Path) -> None:
    """Levels, critical findings with sources, dimension scores and priorities."""
    path = write(tmp_path, RESPONSES)
    result = runner.invoke(cli, ["score", str(path), "-i", MINI], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "Casa Esperanza — Outpatient" in out
    assert "Critical finding: not capable until resolved (the scores alone give: " in out
    assert "! MAT-1 Admission on MOUD: People on MOUD are refused admission." in out
    assert "Source: Test Society (2020), Ch. 1" in out
    assert "TOP 4 PRIORITIES (of 4 gaps)" in out
    assert "1. MAT-1 Admission on MOUD — score 1, critical, within 30 days" in out
    assert "Contract a prescriber to continue MOUD on site." in out  # not-hospital variant
    assert result.stderr == ""


def test_score_text_with_nothing_answered_says_so(runner: CliRunner, tmp_path: Path) -> None:
    """No gaps because nothing is answered is not "every answered item is at 5"."""
    path = write(tmp_path, dict(RESPONSES, answers={}))
    out = runner.invoke(cli, ["score", str(path), "-i", MINI]).stdout
    assert "TOP 0 PRIORITIES (of 0 gaps)\n  None yet: no item is answered." in out
    assert "every answered item is at 5" not in out
    top = {"mat.admit": {"value": 5}, "cod.crisis": {"value": 5}}
    out = runner.invoke(
        cli, ["score", str(write(tmp_path, dict(RESPONSES, answers=top))), "-i", MINI]
    ).stdout
    assert "None: every answered item is at 5." in out


def test_score_json_is_the_whole_result(runner: CliRunner, tmp_path: Path) -> None:
    """--format json prints a ScoreResult document."""
    path = write(tmp_path, RESPONSES)
    result = runner.invoke(
        cli, ["score", str(path), "-i", MINI, "--format", "json"], catch_exceptions=False
    )
    parsed = ScoreResult.model_validate_json(result.stdout)
    assert parsed.domain("mat").capped
    assert parsed.gaps[0].item_id == "mat.admit"


def test_score_bad_responses_exit_2_with_every_problem(runner: CliRunner, tmp_path: Path) -> None:
    """Unknown item, bad value, N/A not allowed: three located lines, no traceback."""
    doc = json.loads(json.dumps(RESPONSES))
    doc["answers"]["mat.admt"] = {"value": 3}
    doc["answers"]["cod.screen"] = {"value": "often"}
    doc["answers"]["cod.crisis"] = {"not_applicable": True, "na_reason": "no"}
    path = write(tmp_path, doc)
    result = runner.invoke(cli, ["score", str(path), "-i", MINI], catch_exceptions=False)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"Error: {path}: answers[\"cod.screen\"].value: 'often' is not an answer to cod.screen; "
        "choose 1-5",
        f'Error: {path}: answers["cod.crisis"].not_applicable: cod.crisis cannot be answered '
        "N/A; choose 1-5",
        f"Error: {path}: answers[\"mat.admt\"]: 'mat.admt' is not an item of mini 1.0; "
        "did you mean mat.admit?",
    ]


def test_score_malformed_json(runner: CliRunner, tmp_path: Path) -> None:
    """A syntax error is located by line and column."""
    path = tmp_path / "broken.json"
    path.write_text('{"instrument_id": "mini",\n  "program": }', encoding="utf-8")
    result = runner.invoke(cli, ["score", str(path), "-i", MINI], catch_exceptions=False)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {path}:2:14: not valid JSON")


def test_score_refuses_unsupported_files(runner: CliRunner, tmp_path: Path) -> None:
    """A legacy .xls or a CSV gets a clear line saying what to do."""
    xls = tmp_path / "old.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    result = runner.invoke(cli, ["score", str(xls)], catch_exceptions=False)
    assert result.exit_code == 2
    assert "legacy Excel 97-2003 workbook; open it and save it as .xlsx" in result.stderr
    text = tmp_path / "answers.txt"
    text.write_text("mat.admit,3\n", encoding="utf-8")
    result = runner.invoke(cli, ["score", str(text)], catch_exceptions=False)
    assert result.exit_code == 2
    assert "neither a responses .json nor an .xlsx workbook" in result.stderr


def test_missing_file_and_bad_option_are_usage_errors(runner: CliRunner, tmp_path: Path) -> None:
    """click's own usage errors also exit 2."""
    result = runner.invoke(cli, ["score", str(tmp_path / "nope.json")])
    assert result.exit_code == 2 and "does not exist" in result.stderr
    result = runner.invoke(cli, ["score", str(tmp_path), "--format", "pdf"])
    assert result.exit_code == 2


def test_unknown_instrument_id(runner: CliRunner, tmp_path: Path) -> None:
    """A mistyped --instrument id is a located user error with a suggestion."""
    path = write(tmp_path, RESPONSES)
    result = runner.invoke(cli, ["score", str(path), "-i", "mat-tsf-cd"], catch_exceptions=False)
    assert result.exit_code == 2
    assert "no bundled instrument 'mat-tsf-cd'; did you mean 'mat-tsf-cod'?" in result.stderr


def test_help_imports_neither_openpyxl_nor_reportlab() -> None:
    """The command line starts fast: heavy libraries load only when a command needs them."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "audit_kit", "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    assert "Usage: " in proc.stdout
    imported = {line.split("|")[-1].strip() for line in proc.stderr.splitlines() if "|" in line}
    heavy = {m for m in imported if m.split(".")[0] in {"openpyxl", "reportlab", "pydantic"}}
    assert heavy == set()


def test_inputs_that_are_not_regular_files(runner: CliRunner, tmp_path: Path) -> None:
    """A pipe or a device is refused at once (it would block or never end), exit 2."""
    import os

    fifo = tmp_path / "answers.json"
    os.mkfifo(fifo)
    for path in (fifo, Path("/dev/zero")):
        result = runner.invoke(cli, ["score", str(path), "-i", MINI], catch_exceptions=False)
        assert result.exit_code == 2
        assert "is not a regular file" in result.stderr
    result = runner.invoke(cli, ["instrument", "show", "/dev/zero"], catch_exceptions=False)
    assert result.exit_code == 2 and "is not a regular file" in result.stderr


def test_outputs_that_cannot_be_written(runner: CliRunner, tmp_path: Path) -> None:
    """A name too long for the file system, or a folder that refuses files: exit 2, no file."""
    path = write(tmp_path, RESPONSES)
    long_name = tmp_path / ("x" * 260 + ".xlsx")
    result = runner.invoke(cli, ["convert", str(path), "-o", str(long_name), "-i", MINI])
    assert result.exit_code == 2, result.output
    assert "the file name is too long (265 bytes; at most 255)" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["responses.json"]
    # a name that fits, but no room for it: the system's reason, still exit 2
    result = runner.invoke(cli, ["report", str(path), "-i", MINI, "-o", "/proc/report.pdf"])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("Error: /proc/report.pdf: cannot write in '/proc'")


def test_score_text_says_both_capped_and_insufficient(runner: CliRunner, tmp_path: Path) -> None:
    """A critical finding sets the level even with too little evidence; the text says both."""
    doc = json.loads(json.dumps(RESPONSES))
    del doc["answers"]["mat.route"], doc["answers"]["mat.pregnancy"]
    path = write(tmp_path, doc)
    result = runner.invoke(cli, ["score", str(path), "-i", MINI], catch_exceptions=False)
    assert (
        "Critical finding: not capable until resolved (too few answers for a level from the scores)"
        in result.stdout
    )
