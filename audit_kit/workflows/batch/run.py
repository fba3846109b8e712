"""One batch run: which programs to redo, the pool, the names of the reports, the outputs."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import replace
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import TYPE_CHECKING

from audit_kit.errors import AuditKitError
from audit_kit.fsutil import make_folder
from audit_kit.model.brand import Brand
from audit_kit.model.portfolio import FailureKind, ProgramRow
from audit_kit.outputs.wording import count
from audit_kit.workflows.batch.manifest import (
    WORK_DIR,
    Entry,
    file_sha256,
    load_manifest,
    options_key,
    save_manifest,
    work_name,
)
from audit_kit.workflows.batch.names import name_reports
from audit_kit.workflows.batch.pool import Lost, PoolRun
from audit_kit.workflows.batch.summary import PORTFOLIO, ROLLUP, BatchEvent, BatchSummary
from audit_kit.workflows.batch.task import (
    Outcome,
    Previous,
    Settings,
    Task,
    failed_row,
    init_worker,
    run_index,
    run_task,
)

if TYPE_CHECKING:
    from audit_kit.model.instrument import Instrument

CHECKPOINT_SECONDS = 30.0


class Batch:
    """One run: its folder, its pool settings, and the entries it keeps."""

    def __init__(
        self,
        out_dir: Path,
        jobs: int,
        timeout: float | None,
        mp_context: BaseContext | None,
        progress: Callable[[BatchEvent], None] | None,
    ) -> None:
        self.out_dir = out_dir
        self.work = out_dir / WORK_DIR
        self.jobs = jobs
        self.timeout = timeout
        self.mp_context = mp_context
        self.progress = progress or (lambda event: None)
        self.notes: list[str] = []
        self.tracebacks: dict[str, str] = {}
        self.peaks: dict[int, int] = {}
        self.instrument: str | None = None

    def run(
        self,
        files: list[Path],
        previous_files: list[Path],
        brand: Brand | None,
        *,
        force: bool,
        full: bool,
        reports: bool,
        started: float,
        instrument: str | None = None,
    ) -> BatchSummary:
        from audit_kit.formats.brand import brand_fingerprint

        keys = [str(path.resolve()) for path in files]
        hashes = [_sha256_or_none(path) for path in files]
        previous_key = _fingerprint(previous_files)
        options = options_key(
            reports=reports,
            full=full,
            brand=brand_fingerprint(brand),
            previous=previous_key,
            instrument=_instrument_key(instrument),
        )
        self.instrument = instrument
        entries, note = load_manifest(self.out_dir)
        if note:
            self.notes.append(note)
        self._clean_work(entries)
        todo = [
            n
            for n, key in enumerate(keys)
            if force or not self._reusable(entries.get(key), hashes[n], options, reports)
        ]
        done_now: set[str] = set()
        doing = set(todo)
        skipped = [n for n in range(len(keys)) if n not in doing]
        for shown, n in enumerate(skipped, start=1):
            row = entries[keys[n]].row.model_copy(update={"input": str(files[n])})
            entries[keys[n]] = replace(entries[keys[n]], row=row)
            self.progress(BatchEvent("programs", shown, len(files), row, skipped=True))
        interrupted = False
        if todo:
            make_folder(self.work)
            settings = Settings(
                reports=reports,
                full=full,
                brand=brand,
                previous=tuple(self._index(previous_files)) if previous_files else (),
                instrument=instrument,
            )
            tasks = [
                Task(
                    index=n,
                    path=files[n],
                    shown=str(files[n]),
                    sha256=hashes[n] or "",
                    pdf=self.work / work_name(keys[n]) if reports else None,
                )
                for n in todo
            ]
            try:
                self._process(
                    tasks,
                    settings,
                    keys,
                    entries,
                    options,
                    done_now,
                    len(files) - len(todo),
                    len(files),
                )
            except KeyboardInterrupt:
                interrupted = True
        rows = self._finish(keys, entries, done_now, reports)
        save_manifest(self.out_dir, entries)
        if interrupted:
            raise KeyboardInterrupt
        self._remove_work()
        rollup, portfolio = self._write_outputs(rows, brand, bool(previous_files))
        return BatchSummary(
            out_dir=self.out_dir,
            rows=rows,
            rollup=rollup,
            portfolio=portfolio,
            processed=len(done_now),
            skipped=len(files) - len(done_now),
            notes=self.notes,
            tracebacks=self.tracebacks,
            worker_peak_kib=self.peaks,
            seconds=time.perf_counter() - started,
        )

    def _reusable(self, entry: Entry | None, sha: str | None, options: str, reports: bool) -> bool:
        if entry is None or sha is None or not entry.row.ok:
            return False
        if (entry.sha256, entry.options) != (sha, options):
            return False
        if not reports:
            return True
        if entry.work:
            return (self.work / entry.work).is_file()
        return bool(entry.report) and (self.out_dir / str(entry.report)).is_file()

    def _clean_work(self, entries: dict[str, Entry]) -> None:
        """Drop temporary PDFs that no entry points to (a run killed mid-write)."""
        if not self.work.is_dir():
            return
        kept = {e.work for e in entries.values() if e.work}
        for path in self.work.iterdir():
            if path.name not in kept:
                with contextlib.suppress(OSError):
                    path.unlink()

    def _remove_work(self) -> None:
        if self.work.is_dir() and not any(self.work.iterdir()):
            with contextlib.suppress(OSError):
                self.work.rmdir()

    def _pool(self, fn: Callable, settings: Settings | None) -> PoolRun:
        return PoolRun(
            fn=fn,
            jobs=self.jobs,
            timeout=self.timeout,
            initializer=init_worker,
            initargs=(settings,),
            mp_context=self.mp_context,
            notes=self.notes,
        )

    def _index(self, previous_files: list[Path]) -> list[Previous]:
        """Read the earlier assessments' program names and dates, in the pool."""
        found: list[Previous] = []
        unusable: list[str] = []
        total = len(previous_files)
        finished = 0

        def done(index: int, result: Previous | str | Lost) -> None:
            nonlocal finished
            finished += 1
            if isinstance(result, Previous):
                found.append(result)
            else:
                reason = result.message if isinstance(result, Lost) else result
                unusable.append(f"{previous_files[index]}: {reason.splitlines()[0]}")
            self.progress(BatchEvent("previous", finished, total))

        settings = Settings(reports=False, full=False, brand=None)
        items = [(p, str(p), self.instrument) for p in previous_files]
        self._pool(run_index, settings).run(items, done)
        if unusable:
            shown = "; ".join(unusable[:3]) + (
                f"; and {len(unusable) - 3} more" if len(unusable) > 3 else ""
            )
            self.notes.append(
                f"{count(len(unusable), 'file')} under --previous-dir could not be used: {shown}"
            )
        return sorted(found, key=lambda p: p.shown)

    def _process(
        self,
        tasks: list[Task],
        settings: Settings,
        keys: list[str],
        entries: dict[str, Entry],
        options: str,
        done_now: set[str],
        already: int,
        total: int,
    ) -> None:
        finished = already
        last_save = time.monotonic()

        def done(position: int, result: Outcome | Lost) -> None:
            nonlocal finished, last_save
            task = tasks[position]
            key = keys[task.index]
            if isinstance(result, Lost):
                kind = {"crash": FailureKind.CRASH, "timeout": FailureKind.TIMEOUT}.get(
                    result.kind, FailureKind.BUG
                )
                row, written = failed_row(task, kind, result.message), False
            else:
                row, written = result.row, result.pdf_written
                self.peaks[result.pid] = max(self.peaks.get(result.pid, 0), result.peak_rss_kib)
                if result.detail:
                    self.tracebacks[task.shown] = result.detail
            before = entries.get(key)
            entries[key] = Entry(
                sha256=task.sha256,
                options=options,
                row=row,
                # last run's name: the report keeps it, or it is removed if the name changes
                report=before.report if before else None,
                work=task.pdf.name if written and task.pdf else None,
            )
            done_now.add(key)
            finished += 1
            self.progress(BatchEvent("programs", finished, total, row))
            if time.monotonic() - last_save > CHECKPOINT_SECONDS:
                save_manifest(self.out_dir, entries)
                last_save = time.monotonic()

        self._pool(run_task, settings).run(tasks, done)

    def _finish(
        self, keys: list[str], entries: dict[str, Entry], done_now: set[str], reports: bool
    ) -> list[ProgramRow]:
        """Give every report its final name and put it in place; the rows in roll-up order."""
        if reports:
            name_reports(self.out_dir, keys, entries, done_now, reserved=(PORTFOLIO, ROLLUP))
        rows = []
        for key in keys:
            entry = entries.get(key)
            if entry is not None:
                report = entry.report if reports and entry.row.ok else None
                rows.append(entry.row.model_copy(update={"report": report}))
        rows.sort(key=_rollup_order)
        return rows

    def _write_outputs(
        self, rows: list[ProgramRow], brand: Brand | None, compared: bool
    ) -> tuple[Path, Path]:
        from audit_kit.fsutil import write_atomic
        from audit_kit.outputs.portfolio.document import render_portfolio
        from audit_kit.outputs.rollup import build_rollup

        rollup = self.out_dir / ROLLUP
        portfolio = self.out_dir / PORTFOLIO
        write_atomic(rollup, build_rollup(rows, brand=brand, compared=compared))
        write_atomic(
            portfolio,
            render_portfolio(
                rows, _instruments(rows, self.instrument), brand=brand, compared=compared
            ),
        )
        return rollup, portfolio


def _rollup_order(row: ProgramRow) -> tuple[int, str, str, str]:
    """Programs by name, then date; files without a result last, by file."""
    if not row.ok:
        return (1, "", "", row.input.casefold())
    day = row.assessment_date.isoformat() if row.assessment_date else ""
    return (0, (row.program or "").casefold(), day, row.input.casefold())


def _instruments(rows: list[ProgramRow], given: str | None = None) -> dict[str, Instrument]:
    """The instruments the programs were assessed with, by 'id@version': ``given`` (-i) and
    the bundled ones."""
    from audit_kit.catalog import load_instrument

    found: dict[str, Instrument] = {}
    if given is not None:
        with contextlib.suppress(AuditKitError):
            loaded = load_instrument(given)
            found[f"{loaded.id}@{loaded.version}"] = loaded
    for ref in sorted({r.instrument for r in rows if r.instrument} - set(found)):
        with contextlib.suppress(AuditKitError):
            found[ref] = load_instrument(ref)
    return found


def _instrument_key(instrument: str | None) -> str:
    """-i as the manifest remembers it: a file by its bytes, so that editing it redoes all."""
    from audit_kit.catalog import names_a_file

    if instrument is None:
        return ""
    if names_a_file(instrument):
        return _sha256_or_none(Path(instrument)) or instrument
    return instrument


def _sha256_or_none(path: Path) -> str | None:
    try:
        return file_sha256(path)
    except OSError:
        return None


def _fingerprint(files: list[Path]) -> str:
    """What the previous assessments were: their paths and contents."""
    import hashlib

    if not files:
        return "none"
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.resolve()).encode("utf-8", "surrogateescape"))
        digest.update((_sha256_or_none(path) or "unreadable").encode())
    return digest.hexdigest()
