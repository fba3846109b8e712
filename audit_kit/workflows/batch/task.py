"""What a worker process does with one file: read, score, compare, render; never raise."""

from __future__ import annotations

import os
import signal
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from audit_kit.errors import AuditKitError
from audit_kit.model.portfolio import FailureKind, ProgramRow

if TYPE_CHECKING:
    from audit_kit.model.brand import Brand
    from audit_kit.model.comparison import Comparison
    from audit_kit.workflows.assess import Assessment

MAX_ERROR_LINES = 5


@dataclass(frozen=True)
class Previous:
    """An earlier assessment found under --previous-dir: whose, when, and where."""

    key: str  # the program's name, folded; what matches it with this time's assessment
    day: str  # ISO date, '' when not given
    path: Path
    shown: str


@dataclass(frozen=True)
class Settings:
    """What every task of one batch shares (sent once to each worker)."""

    reports: bool
    full: bool
    brand: Brand | None
    previous: tuple[Previous, ...] = ()
    instrument: str | None = None  # -i: every input is read with it


@dataclass(frozen=True)
class Task:
    """One input file to process, and where its PDF goes until it gets its final name."""

    index: int
    path: Path
    shown: str
    sha256: str
    pdf: Path | None  # a temporary name inside the output folder


@dataclass(frozen=True)
class Outcome:
    """A task's result as it travels back: the row, and the worker's process id and memory."""

    index: int
    row: ProgramRow
    pdf_written: bool
    pid: int
    peak_rss_kib: int
    seconds: float
    detail: str | None = None  # a traceback, for failures that are bugs
    notes: list[str] = field(default_factory=list)


_settings: Settings | None = None


def init_worker(settings: Settings) -> None:
    """Process start: keep the settings, leave Ctrl-C to the parent, load the heavy libraries."""
    global _settings
    _settings = settings
    # the terminal sends Ctrl-C to every process of the group; the parent stops the pool
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    warm_up(settings.reports)


def warm_up(reports: bool) -> None:
    """Import what every task needs once, so that the first task is not the slow one."""
    import audit_kit.formats.responses_json
    import audit_kit.formats.xlsx.reader
    import audit_kit.scoring.compare

    if reports:
        import audit_kit.outputs.pdf.report  # noqa: F401
        from audit_kit.outputs.pdf import styles

        styles.register_fonts()


def run_task(task: Task) -> Outcome:
    """Process one file in a worker (see ``process``)."""
    assert _settings is not None, "init_worker was not called"
    return process(task, _settings)


def process(task: Task, settings: Settings) -> Outcome:
    """Read, score, compare with the previous assessment and render one file; a problem with the
    file, or a bug, becomes a failed row rather than an exception."""
    start = time.perf_counter()
    detail = None
    written = False
    try:
        row, written = _process(task, settings)
    except AuditKitError as exc:
        row = failed_row(task, FailureKind.INPUT, _problems(exc))
    except MemoryError:
        row = failed_row(task, FailureKind.INPUT, "ran out of memory reading it; check the file")
    except Exception as exc:
        detail = traceback.format_exc()
        row = failed_row(
            task,
            FailureKind.BUG,
            f"internal error ({type(exc).__name__}: {exc}); a bug in audit-kit, please report it",
        )
    return Outcome(
        index=task.index,
        row=row,
        pdf_written=written,
        pid=os.getpid(),
        peak_rss_kib=peak_rss_kib(),
        seconds=time.perf_counter() - start,
        detail=detail,
    )


def _process(task: Task, settings: Settings) -> tuple[ProgramRow, bool]:
    from audit_kit.fsutil import write_atomic
    from audit_kit.model.portfolio import program_row
    from audit_kit.workflows.assess import assess

    assessment = assess(task.path, settings.instrument)
    comparison, previous, notes = _compare(assessment, settings)
    row = program_row(
        task.shown, task.sha256, assessment.result, comparison, previous.shown if previous else None
    ).model_copy(update={"warnings": notes})
    if not settings.reports or task.pdf is None:
        return row, False
    from audit_kit.outputs.pdf.report import render_report

    rendered = render_report(
        assessment.instrument,
        assessment.responses,
        assessment.result,
        full=settings.full,
        comparison=comparison,
        brand=settings.brand,
    )
    write_atomic(task.pdf, rendered.data)
    # what `report` says on stderr (characters the font cannot draw) goes into the roll-up
    row = row.model_copy(update={"warnings": [*row.warnings, *rendered.warnings]})
    return row, True


def _compare(
    assessment: Assessment, settings: Settings
) -> tuple[Comparison | None, Previous | None, list[str]]:
    """The comparison with the latest earlier assessment of the same program, if any."""
    from audit_kit.model.responses import fold
    from audit_kit.workflows.assess import assess, earlier_instrument
    from audit_kit.workflows.compare import compare_assessments

    if not settings.previous:
        return None, None, []
    result = assessment.result
    if not result.program.name:
        return None, None, ["No previous assessment looked for: the program's name is not given."]
    key = fold(result.program.name)
    day = result.assessment_date.isoformat() if result.assessment_date else None
    earlier = [p for p in settings.previous if p.key == key and (day is None or p.day < day)]
    if not earlier:
        return None, None, ["No earlier assessment of this program under --previous-dir."]
    latest = max(p.day for p in earlier)
    chosen = [p for p in earlier if p.day == latest]
    if len(chosen) > 1:
        files = ", ".join(p.shown for p in chosen)
        return (
            None,
            None,
            [
                f"Not compared: {len(chosen)} earlier assessments of this program dated "
                f"{latest or '(no date)'} ({files}); keep one of them under --previous-dir."
            ],
        )
    previous = chosen[0]
    try:
        old = assess(previous.path, earlier_instrument(settings.instrument))
        comparison = compare_assessments(old, assessment, previous.shown)
    except AuditKitError as exc:
        return None, None, [f"Not compared with {previous.shown}: {_problems(exc)}"]
    return comparison, previous, []


def index_previous(path: Path, shown: str, instrument: str | None = None) -> Previous | str:
    """Read an earlier assessment for the index of --previous-dir: its program and date, or
    why it cannot be used (a message)."""
    from audit_kit.model.responses import fold
    from audit_kit.workflows.assess import earlier_instrument, read_responses

    try:
        _, responses = read_responses(path, earlier_instrument(instrument))
    except AuditKitError as exc:
        return _problems(exc)
    except Exception as exc:
        return f"cannot be read ({type(exc).__name__}: {exc})"
    name = responses.program.name
    if not name:
        return "the program's name is not given, so it cannot be matched"
    day = responses.assessment_date.isoformat() if responses.assessment_date else ""
    return Previous(key=fold(name), day=day, path=path, shown=shown)


def run_index(item: tuple[Path, str, str | None]) -> Previous | str:
    """``index_previous`` as a pool task."""
    return index_previous(*item)


def failed_row(task: Task, kind: FailureKind, error: str) -> ProgramRow:
    """The row of a file that has no result; an error not already located is put at the file."""
    if kind is not FailureKind.INPUT or not error.startswith(task.shown):
        error = f"{task.shown}: {error}"
    return ProgramRow(input=task.shown, sha256=task.sha256, error=error, failure=kind)


def _problems(exc: AuditKitError) -> str:
    """The problems of an error, at most five, one per line."""
    lines = [str(p) for p in exc.problems[:MAX_ERROR_LINES]]
    if len(exc.problems) > MAX_ERROR_LINES:
        lines.append(f"... and {len(exc.problems) - MAX_ERROR_LINES} more problems")
    return "\n".join(lines)


def peak_rss_kib() -> int:
    """This process's peak resident memory, in KiB."""
    import sys

    try:
        import resource
    except ImportError:  # Windows: not measured
        return 0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak  # macOS counts bytes
