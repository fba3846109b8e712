"""`audit-kit demo`: README command 1 writes an example, prints its scores and writes its report."""

from __future__ import annotations

import json
from io import BytesIO
from pathlib import Path

from click.testing import CliRunner
from pypdf import PdfReader

from audit_kit.cli import cli
from audit_kit.formats.responses_json import read_responses_json
from audit_kit.workflows.assess import read_responses

from conftest import EXAMPLES


def test_demo_writes_example_and_report(runner: CliRunner, tmp_path: Path) -> None:
    """JSON, workbook and a report of at least 6 pages with levels, criticals, plan, references."""
    folder = tmp_path / "out"
    result = runner.invoke(cli, ["demo", "-o", str(folder)], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert "Critical finding: not capable until resolved" in result.stdout
    assert "CRITICAL FINDINGS (" in result.stdout
    pdf = folder / "bramblewood-lodge-residential-program-fictional-2026-10-28.pdf"
    assert f"Wrote {folder / 'residential-12step.json'}, " in result.stdout
    assert str(pdf) in result.stdout

    written = json.loads((folder / "residential-12step.json").read_text(encoding="utf-8"))
    original = json.loads((EXAMPLES / "residential-12step.json").read_text(encoding="utf-8"))
    assert written == original
    _, from_json = read_responses_json(folder / "residential-12step.json", None)
    _, from_workbook = read_responses(folder / "residential-12step.xlsx")
    assert from_workbook == from_json

    reader = PdfReader(BytesIO(pdf.read_bytes()))
    assert 2 <= len(reader.pages) <= 8
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    for needle in [
        "Critical finding: not capable until resolved",
        "TSF emerging",
        "Addiction-only services",
        "MAT-1 People taking prescribed MOUD",
        "ASAM (2020)",
        "Findings by domain",
        "References",
    ]:
        assert needle in text, needle
    assert "mat.admit_on_moud" not in text


def test_demo_is_repeatable(runner: CliRunner, tmp_path: Path) -> None:
    """Running it twice replaces its own files with identical ones."""
    runner.invoke(cli, ["demo", "-o", str(tmp_path), "--example", "hospital-unit"])
    first = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    result = runner.invoke(cli, ["demo", "-o", str(tmp_path), "--example", "hospital-unit"])
    assert result.exit_code == 0
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == first
    assert len(first) == 3


def test_demo_unknown_example_and_bad_folder(runner: CliRunner, tmp_path: Path) -> None:
    """A mistyped example name gets a suggestion; a file in place of the folder is refused."""
    result = runner.invoke(cli, ["demo", "-o", str(tmp_path), "--example", "hospital"])
    assert result.exit_code == 2
    assert "did you mean 'hospital-unit'?" in result.stderr
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    result = runner.invoke(cli, ["demo", "-o", str(blocker / "sub")], catch_exceptions=False)
    assert result.exit_code == 2
    assert "is not a folder" in result.stderr and result.stdout == ""


def test_demo_passes_full_through(tmp_path: Path) -> None:
    """The library's demo writes the full report, with its appendices, when asked."""
    from audit_kit.workflows.demo import write_demo

    short = write_demo(tmp_path / "short", "integrated-outpatient")
    full = write_demo(tmp_path / "full", "integrated-outpatient", full=True)
    texts = [
        " ".join(
            page.extract_text() for page in PdfReader(BytesIO(files.report.read_bytes())).pages
        )
        for files in (short, full)
    ]
    assert "Appendix A. Every answer" not in texts[0]
    assert "Appendix A. Every answer" in texts[1]
