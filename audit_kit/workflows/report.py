"""Library entry point for the PDF report: read and score responses, render, write atomically."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from audit_kit.errors import OutputError
from audit_kit.fsutil import check_output, make_folder, slug, write_atomic

if TYPE_CHECKING:
    from audit_kit.model.result import ScoreResult

DEFAULT_REPORTS_DIR = Path("reports")


def default_report_path(result: ScoreResult, folder: Path = DEFAULT_REPORTS_DIR) -> Path:
    """``reports/<program-slug>-<assessment date>.pdf``, relative to the current folder.

    The slug (fsutil.slug) keeps letters of every script and adds a hash of the name where it
    would lose it (cut at 60 characters, or no letters at all), so a report is replaced only by
    one of the same assessment: a program of the same name (up to capitals, Latin accents,
    punctuation and spacing) on the same date.
    """
    day = result.assessment_date.isoformat() if result.assessment_date else "undated"
    name = f"{slug(result.program.display_name)}-{day}.pdf"
    return folder / name


def write_report(
    responses_path: Path,
    output: Path | None = None,
    instrument: str | Path | None = None,
    *,
    full: bool = False,
    previous: Path | None = None,
    brand: Path | None = None,
    warn: Callable[[str], None] | None = None,
) -> Path:
    """Read responses (.json or .xlsx), score them, write the PDF report; return its path.

    The report is the short one unless ``full`` (with the appendices). ``previous`` (an
    earlier assessment of the program) adds "Progress since <date>"; ``brand`` (a .toml or
    .yaml brand file) puts the consultancy on the report. Without ``output`` it goes to
    ``default_report_path``, creating ``reports/`` if needed. An existing report of the same
    name is replaced; the inputs are never touched. ``warn`` is told of any text the report
    could not show as written (characters its font lacks).
    """
    from audit_kit.workflows.assess import assess

    if output is not None:
        _check_output(output, responses_path)
        if previous is not None:
            _check_output(output, previous)
    loaded_brand = None
    if brand is not None:
        from audit_kit.formats.brand import load_brand

        loaded_brand = load_brand(brand)
    assessment = assess(responses_path, instrument)
    comparison = None
    if previous is not None:
        from audit_kit.workflows.assess import earlier_instrument
        from audit_kit.workflows.compare import compare_assessments

        earlier = assess(previous, earlier_instrument(instrument))
        comparison = compare_assessments(earlier, assessment, str(previous))
    # only now: a refused input is told so without first paying for the PDF libraries
    from audit_kit.outputs.pdf.report import render_report

    rendered = render_report(
        assessment.instrument,
        assessment.responses,
        assessment.result,
        full=full,
        comparison=comparison,
        brand=loaded_brand,
    )
    if output is None:
        output = default_report_path(assessment.result)
        make_folder(output.parent)
        _check_output(output, responses_path)
    write_atomic(output, rendered.data)
    if warn is not None:
        for warning in rendered.warnings:
            warn(warning)
    return output


def _check_output(output: Path, source: Path) -> None:
    if output.suffix.lower() != ".pdf":
        raise OutputError.single(
            "the report is a PDF; give a file name ending in .pdf", file=str(output), code="suffix"
        )
    check_output(output)
    if output.exists() and source.exists() and output.resolve() == source.resolve():
        raise OutputError.single(
            "is the responses file itself; choose another name with -o",
            file=str(output),
            code="same-file",
        )
