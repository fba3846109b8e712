"""The demo: a bundled example written as JSON and as a workbook, scored, and its PDF report."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from audit_kit.errors import InputFileError
from audit_kit.fsutil import make_folder, write_atomic
from audit_kit.workflows.assess import Assessment, assess

DEFAULT_EXAMPLE = "residential-12step"


@dataclass(frozen=True)
class DemoFiles:
    """What the demo wrote, and the assessment it made the report from."""

    assessment: Assessment
    json: Path
    workbook: Path
    report: Path


def example_names() -> list[str]:
    """The bundled example assessments, by name."""
    from audit_kit.catalog import examples_dir

    return sorted(p.stem for p in examples_dir().glob("*.json"))


def write_demo(folder: Path, example: str = DEFAULT_EXAMPLE, *, full: bool = False) -> DemoFiles:
    """Write ``example`` into ``folder`` as JSON and .xlsx, and its report made from the .xlsx.

    The report is made from the workbook just written, read back the way a filled-in workbook
    is, so the demo walks the same path as a real assessment; ``full`` adds its appendices.
    """
    from audit_kit.catalog import examples_dir
    from audit_kit.formats.responses_json import dump_responses, read_responses_json
    from audit_kit.formats.xlsx.template import build_workbook
    from audit_kit.outputs.pdf.report import render_pdf
    from audit_kit.workflows.report import default_report_path

    names = example_names()
    if example not in names:
        close = difflib.get_close_matches(example, names, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise InputFileError.single(
            f"no bundled example {example!r}; {hint}examples: {', '.join(names)}",
            code="unknown-example",
        )
    instrument, responses = read_responses_json(examples_dir() / f"{example}.json", None)
    make_folder(folder)
    json_path = folder / f"{example}.json"
    workbook_path = folder / f"{example}.xlsx"
    write_atomic(json_path, dump_responses(responses))
    write_atomic(workbook_path, build_workbook(instrument, responses=responses))
    assessment = assess(workbook_path, None)
    report_path = default_report_path(assessment.result, folder)
    write_atomic(
        report_path,
        render_pdf(assessment.instrument, assessment.responses, assessment.result, full=full),
    )
    return DemoFiles(assessment, json_path, workbook_path, report_path)
