"""`audit-kit report`: output path, exit codes, stdout and stderr, and what it imports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import BytesIO
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from audit_kit.cli import cli
from audit_kit.workflows.report import default_report_path, write_report

from conftest import DATA, EXAMPLES, ROOT

EXAMPLE = EXAMPLES / "residential-12step.json"
MINI = DATA / "mini.yaml"
MINI_RESPONSES = {
    "instrument_id": "mini",
    "instrument_version": "1.0",
    "program": {"name": "Casa Esperanza Niños", "setting": "outpatient", "hospital_based": False},
    "assessor": "María José Núñez",
    "assessment_date": "2026-10-01",
    "answers": {
        "mat.admit": {"value": 1, "note": "<b>Policy</b> says no methadone & no buprenorphine."},
        "mat.route": {"value": "referral"},
        "cod.screen": {"value": 2},
        "cod.crisis": {"value": 5},
    },
}


def pdf_text(path: Path) -> str:
    """All text of a PDF file, whitespace collapsed."""
    reader = PdfReader(BytesIO(path.read_bytes()))
    return " ".join(" ".join(p.extract_text() for p in reader.pages).split())


def write_json(folder: Path, doc: object, name: str = "responses.json") -> Path:
    path = folder / name
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def test_default_output_goes_to_reports_folder(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without -o: reports/<program>-<date>.pdf under the current folder, created if missing."""
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["report", str(EXAMPLE)], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    written = Path(result.stdout.strip())
    assert written.parent == Path("reports")
    assert written.name == "bramblewood-lodge-residential-program-fictional-2026-10-28.pdf"
    assert written.is_file()
    text = pdf_text(written)
    assert "Bramblewood Lodge Residential Program" in text and "Findings by domain" in text
    assert "Appendix A" not in text


def test_full_adds_the_appendices(runner: CliRunner, tmp_path: Path) -> None:
    """--full writes the same findings plus every answer, the methods and the fingerprint."""
    short, full = tmp_path / "short.pdf", tmp_path / "full.pdf"
    for out, extra in ((short, []), (full, ["--full"])):
        result = runner.invoke(
            cli, ["report", str(EXAMPLE), "-o", str(out), *extra], catch_exceptions=False
        )
        assert result.exit_code == 0, result.stderr
        assert result.stdout == f"{out}\n" and result.stderr == ""
    short_pages = len(PdfReader(BytesIO(short.read_bytes())).pages)
    full_reader = PdfReader(BytesIO(full.read_bytes()))
    assert short_pages <= 8 < len(full_reader.pages)
    text = pdf_text(full)
    for heading in ("Appendix A. Every answer", "Appendix B. Methods", "The answers' fingerprint"):
        assert heading in text


def test_characters_the_font_lacks_are_a_warning(runner: CliRunner, tmp_path: Path) -> None:
    """The report is written, with a visible ◊ in place of each character its font lacks, and
    stderr names the field and the characters; stdout is still only the path."""
    doc = json.loads(json.dumps(MINI_RESPONSES))
    doc["program"]["name"] = "Clínica 光明 Niños"
    doc["answers"]["mat.admit"]["note"] = "Ωμέγα"
    responses = write_json(tmp_path, doc)
    out = tmp_path / "out.pdf"
    args = ["report", str(responses), "-o", str(out), "-i", str(MINI), "--full"]
    result = runner.invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0
    assert result.stdout == f"{out}\n"
    lines = result.stderr.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("Warning: program name: ") and "光 (U+5149)" in lines[0]
    assert lines[1].startswith("Warning: MAT-1 note: ") and "μ (U+03BC)" in lines[1]
    assert "Clínica ◊◊ Niños" in pdf_text(out)


def test_output_option_and_instrument_path(runner: CliRunner, tmp_path: Path) -> None:
    """-o names the file; --instrument takes a path; user text is printed literally."""
    responses = write_json(tmp_path, MINI_RESPONSES)
    out = tmp_path / "out.pdf"
    args = ["report", str(responses), "-o", str(out), "--instrument", str(MINI), "--full"]
    result = runner.invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"{out}\n" and result.stderr == ""
    text = pdf_text(out)
    assert "<b>Policy</b> says no methadone & no buprenorphine." in text
    assert "Casa Esperanza Niños" in text and "María José Núñez" in text


def test_two_runs_give_identical_bytes(runner: CliRunner, tmp_path: Path) -> None:
    """The same input, twice in one process, gives the same bytes; the existing file is replaced."""
    out = tmp_path / "a.pdf"
    first = runner.invoke(cli, ["report", str(EXAMPLE), "-o", str(out)], catch_exceptions=False)
    data = out.read_bytes()
    second = runner.invoke(cli, ["report", str(EXAMPLE), "-o", str(out)], catch_exceptions=False)
    assert first.exit_code == second.exit_code == 0
    assert out.read_bytes() == data
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.pdf"]  # no temporary file left


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("report.txt", "the report is a PDF; give a file name ending in .pdf"),
        ("missing/report.pdf", "folder"),
    ],
)
def test_bad_output_is_exit_2_one_line(
    runner: CliRunner, tmp_path: Path, name: str, message: str
) -> None:
    """An output that cannot be written is a located one-line error, exit 2, no traceback."""
    out = tmp_path / name
    result = runner.invoke(cli, ["report", str(EXAMPLE), "-o", str(out)], catch_exceptions=False)
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: {out}: ") and message in lines[0]
    assert "Traceback" not in result.stderr
    assert not out.exists()


def test_output_that_is_a_folder(runner: CliRunner, tmp_path: Path) -> None:
    """A folder named like a PDF is refused by the option check."""
    folder = tmp_path / "x.pdf"
    folder.mkdir()
    result = runner.invoke(cli, ["report", str(EXAMPLE), "-o", str(folder)])
    assert result.exit_code == 2
    assert "is a directory" in result.stderr and result.stdout == ""


def test_reports_is_a_file(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When ./reports is a file, the default output is refused with a clear message."""
    monkeypatch.chdir(tmp_path)
    Path("reports").write_text("not a folder")
    result = runner.invoke(cli, ["report", str(EXAMPLE)], catch_exceptions=False)
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: reports: exists and is not a folder")
    assert result.stdout == ""


def test_bad_responses_are_exit_2_with_every_problem(runner: CliRunner, tmp_path: Path) -> None:
    """Invalid answers are reported with their JSON paths, and no PDF is written."""
    doc = json.loads(json.dumps(MINI_RESPONSES))
    doc["answers"]["mat.admit"]["value"] = 9
    doc["answers"]["mat.nope"] = {"value": 1}
    responses = write_json(tmp_path, doc)
    out = tmp_path / "out.pdf"
    args = ["report", str(responses), "-o", str(out), "-i", str(MINI)]
    result = runner.invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 2
    assert any('answers["mat.admit"].value' in line for line in lines)
    assert any('answers["mat.nope"]' in line for line in lines)
    assert result.stdout == "" and not out.exists()


def test_missing_input_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    """click's own check on the argument: exit 2."""
    result = runner.invoke(cli, ["report", str(tmp_path / "nope.json")])
    assert result.exit_code == 2
    assert "does not exist" in result.stderr and result.stdout == ""


def test_output_may_not_be_the_input(runner: CliRunner, tmp_path: Path) -> None:
    """A responses file named .pdf is never overwritten by its own report."""
    responses = write_json(tmp_path, MINI_RESPONSES, name="responses.pdf")
    before = responses.read_bytes()
    args = ["report", str(responses), "-o", str(responses), "-i", str(MINI)]
    result = runner.invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 2
    assert "is the responses file itself" in result.stderr
    assert responses.read_bytes() == before


def test_write_report_library_function(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The library entry point returns the path it wrote, by default under ./reports."""
    monkeypatch.chdir(tmp_path)
    path = write_report(EXAMPLE)
    assert path == Path("reports") / path.name and path.is_file()
    assert path.read_bytes().startswith(b"%PDF-")
    from audit_kit.workflows.assess import assess

    assert path == default_report_path(assess(EXAMPLE).result)


def test_report_help() -> None:
    """The command is listed and documents its options."""
    result = CliRunner().invoke(cli, ["report", "--help"], catch_exceptions=False)
    assert result.exit_code == 0
    assert "-o, --output FILE.pdf" in result.stdout and "reports/" in result.stdout
    assert "--full" in result.stdout


def _imported(args: list[str], cwd: Path) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "audit_kit", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stderr


def test_report_from_json_does_not_import_openpyxl(tmp_path: Path) -> None:
    """A JSON input never loads the spreadsheet library; --help loads neither heavy library."""
    log = _imported(["report", str(EXAMPLE), "-o", str(tmp_path / "r.pdf")], tmp_path)
    assert "reportlab" in log
    assert "openpyxl" not in log and "pypdf" not in log
    help_log = _imported(["report", "--help"], tmp_path)
    assert "reportlab" not in help_log and "openpyxl" not in help_log
