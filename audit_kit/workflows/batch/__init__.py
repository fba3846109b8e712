"""Many programs at once: score and report every assessment in a process pool, then the roll-up
workbook and the portfolio report. ``run_batch`` is the library entry point."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from multiprocessing.context import BaseContext
from pathlib import Path

from audit_kit.errors import AuditKitError
from audit_kit.fsutil import make_folder
from audit_kit.model.brand import Brand
from audit_kit.workflows.batch.files import find_inputs, no_inputs
from audit_kit.workflows.batch.run import Batch
from audit_kit.workflows.batch.summary import PORTFOLIO, ROLLUP, BatchEvent, BatchSummary

DEFAULT_TIMEOUT = 300.0  # seconds per file; a normal one takes well under one

__all__ = [
    "DEFAULT_TIMEOUT",
    "PORTFOLIO",
    "ROLLUP",
    "BatchEvent",
    "BatchSummary",
    "run_batch",
]


def run_batch(
    inputs: Sequence[Path],
    out_dir: Path,
    *,
    jobs: int | None = None,
    previous_dir: Path | None = None,
    force: bool = False,
    full: bool = False,
    reports: bool = True,
    brand: Brand | Path | None = None,
    progress: Callable[[BatchEvent], None] | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
    mp_context: BaseContext | None = None,
    instrument: str | Path | None = None,
) -> BatchSummary:
    """Score (and with ``reports``, report on) every .xlsx/.json under ``inputs`` into
    ``out_dir``: one PDF per program, ``rollup.xlsx`` and ``portfolio.pdf``.

    ``jobs`` worker processes (default: one per core). A program whose input, options and
    audit-kit version are unchanged since the last run in ``out_dir`` is not redone unless
    ``force``. With ``previous_dir``, each program is compared with its latest earlier
    assessment there (matched by program name). A file with problems, a worker that dies on
    a file, or one over ``timeout`` seconds becomes a failed row; nothing stops the batch.
    ``instrument`` (a bundled id or a file) reads every input, for a custom instrument; an
    earlier assessment is read with it when it is a file. Bad arguments raise AuditKitError
    before any work. Ctrl-C keeps what is finished.
    """
    started = time.perf_counter()
    jobs = _jobs(jobs)
    loaded_brand = _brand(brand)
    spec = _instrument(instrument)
    make_folder(out_dir)
    files = find_inputs(inputs, out_dir)
    if not files:
        raise no_inputs(list(inputs))
    previous_files = _previous_files(previous_dir, out_dir)
    batch = Batch(out_dir, jobs, timeout, mp_context or _context(), progress)
    return batch.run(
        files,
        previous_files,
        loaded_brand,
        force=force,
        full=full,
        reports=reports,
        started=started,
        instrument=spec,
    )


def _instrument(spec: str | Path | None) -> str | None:
    """-i checked before any work (a file with problems stops the batch, located), and made
    absolute so that workers find it wherever they run."""
    if spec is None:
        return None
    from audit_kit.catalog import load_instrument, names_a_file

    load_instrument(spec)
    return str(Path(spec).resolve()) if names_a_file(spec) else str(spec)


#: Imported once in the fork server, so that every worker starts with them loaded.
_PRELOAD = [
    "audit_kit.workflows.batch.task",
    "audit_kit.workflows.assess",
    "audit_kit.formats.responses_json",
    "audit_kit.formats.xlsx.reader",
    "audit_kit.scoring.compare",
    "audit_kit.outputs.pdf.report",
    "audit_kit.outputs.pdf.progress",
]


def _context() -> BaseContext:
    """Workers start from a small fork server where there is one, else from scratch.

    Not plain fork: the pool's own thread is running when it forks workers, and a forked worker
    would carry the parent's memory (all the rows of a large batch) with it.
    """
    import multiprocessing

    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(_PRELOAD)
        return context
    return multiprocessing.get_context("spawn")


def _jobs(jobs: int | None) -> int:
    if jobs is None:
        return os.cpu_count() or 1
    if jobs < 1:
        raise AuditKitError.single(f"must be 1 or more, not {jobs}", path="--jobs", code="jobs")
    return jobs


def _brand(brand: Brand | Path | None) -> Brand | None:
    if isinstance(brand, Path):
        from audit_kit.formats.brand import load_brand

        return load_brand(brand)
    return brand


def _previous_files(previous_dir: Path | None, out_dir: Path) -> list[Path]:
    if previous_dir is None:
        return []
    if not previous_dir.is_dir():
        raise AuditKitError.single(
            "is not a folder; give the folder that holds the earlier assessments",
            file=str(previous_dir),
            code="previous-dir",
        )
    return find_inputs([previous_dir], out_dir)
