"""`audit-kit batch`: many programs at once, a roll-up workbook and a portfolio report."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from audit_kit.cli.base import cli, instrument_option

if TYPE_CHECKING:
    from audit_kit.workflows.batch import BatchEvent, BatchSummary

_LABELS = {"previous": "Earlier assessments", "programs": "Programs"}
MAX_FAILURES_SHOWN = 50


@cli.command()
@click.argument(
    "inputs", metavar="INPUT...", nargs=-1, required=True, type=click.Path(path_type=Path)
)
@click.option(
    "--output",
    "-o",
    "out_dir",
    required=True,
    metavar="OUT_DIR",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the reports, rollup.xlsx and portfolio.pdf (created if missing).",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    metavar="N",
    help="Worker processes. Default: one per core.",
)
@click.option(
    "--previous-dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    metavar="DIR",
    help="Folder of earlier assessments: each program is compared with its latest earlier "
    "one (matched by program name).",
)
@click.option("--force", is_flag=True, help="Redo every program, even those unchanged.")
@click.option("--full", is_flag=True, help="Full reports, with every appendix.")
@click.option(
    "--brand",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Brand file (.toml or .yaml) for the reports and the portfolio.",
)
@click.option(
    "--no-reports",
    "no_reports",
    is_flag=True,
    help="Score only: write rollup.xlsx and portfolio.pdf, no report per program.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=1),
    default=300,
    show_default=True,
    metavar="SECONDS",
    help="Time allowed per file before it is stopped and reported.",
)
@instrument_option(
    help="Bundled instrument id or a .yaml/.json file that every input is read with (a custom "
    "instrument); earlier assessments too when it is a file. Default: the bundled version each "
    "file names."
)
@click.pass_context
def batch(
    ctx: click.Context,
    inputs: tuple[Path, ...],
    out_dir: Path,
    jobs: int | None,
    previous_dir: Path | None,
    force: bool,
    full: bool,
    brand: Path | None,
    no_reports: bool,
    timeout: float,
    spec: str | None,
) -> None:
    """Score and report every assessment (.xlsx, .json) in INPUT files and folders.

    Writes one PDF report per program into OUT_DIR, named after the program and
    its assessment date, and rollup.xlsx (one row per program) and
    portfolio.pdf (all programs side by side). Programs whose file and options
    have not changed since the last run into OUT_DIR are not redone.

    A file with problems does not stop the batch: it is listed, with where the
    problem is, in the summary, the roll-up and the portfolio.

    Exit codes: 0 every program succeeded; 3 some failed (see the summary);
    2 bad usage (nothing was done); 130 stopped by Ctrl-C (what was finished
    is kept, and a second run does the rest).
    """
    from audit_kit.workflows.batch import run_batch

    progress = _Progress()
    try:
        summary = run_batch(
            list(inputs),
            out_dir,
            jobs=jobs,
            previous_dir=previous_dir,
            force=force,
            full=full,
            reports=not no_reports,
            brand=brand,
            progress=progress,
            timeout=timeout,
            instrument=spec,
        )
    except KeyboardInterrupt:
        progress.close()
        click.echo(
            "Stopped. The programs finished so far are kept; run the same command again to do "
            "the rest.",
            err=True,
        )
        ctx.exit(130)
    finally:
        progress.close()
    _report(summary)
    ctx.exit(summary.exit_code)


class _Progress:
    """A progress bar on a terminal; one plain line per file otherwise (logs, CI)."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.bar: Any = None
        self.phase: str | None = None
        self.shown = 0

    def __call__(self, event: BatchEvent) -> None:
        if event.phase != self.phase:
            self.close()
            self.phase = event.phase
            self.shown = 0
            if self.tty:
                self.bar = click.progressbar(
                    length=event.total, label=_LABELS[event.phase], file=sys.stderr
                )
                self.bar.__enter__()
        if self.bar is not None:
            self.bar.update(event.done - self.shown)
            self.shown = event.done
            return
        if event.phase == "previous" and event.done == event.total:
            from audit_kit.outputs.wording import count

            read = count(event.total, "earlier assessment")
            click.echo(f"Read {read} under --previous-dir", err=True)
        if event.phase == "programs" and event.row is not None:
            status = "unchanged" if event.skipped else "ok" if event.row.ok else "FAILED"
            width = len(str(event.total))
            click.echo(
                f"[{event.done:>{width}}/{event.total}] {status:<9} {event.row.input}", err=True
            )

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def _report(summary: BatchSummary) -> None:
    from audit_kit.outputs.wording import count

    rows = summary.rows
    failed = summary.failed
    skipped = f" ({summary.skipped} unchanged since the last run)" if summary.skipped else ""
    click.echo(
        f"{count(len(rows), 'program')}: {len(rows) - len(failed)} scored{skipped}, "
        f"{len(failed)} failed."
    )
    if failed:
        click.echo("Failed:")
        for row in failed[:MAX_FAILURES_SHOWN]:
            for n, line in enumerate((row.error or "").splitlines()):
                click.echo(("  " if n == 0 else "    ") + line)
        if len(failed) > MAX_FAILURES_SHOWN:
            click.echo(f"  ... and {len(failed) - MAX_FAILURES_SHOWN} more (see rollup.xlsx)")
    for note in summary.notes:
        click.echo(f"Note: {note}")
    reports = sum(1 for r in rows if r.report)
    click.echo(
        f"Wrote {summary.rollup} and {summary.portfolio}"
        + (f", and {count(reports, 'report')} in {summary.out_dir}" if reports else "")
    )
    for path, trace in summary.tracebacks.items():
        click.echo(f"Internal error on {path} (a bug in audit-kit; please report it):", err=True)
        click.echo(trace.rstrip(), err=True)
