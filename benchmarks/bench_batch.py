"""Time `audit-kit batch` on N synthetic assessments: with and without PDFs, against the same
work in one process, with each worker's peak memory.

    python benchmarks/bench_batch.py [-n 200] [--jobs N] [--xlsx-share 0.5] [--sequential K]
                                     [--rounds 4] [--keep DIR] [--seed 1]

Writes N filled assessments of the bundled instrument (random but valid answers, a share of
them as workbooks, the rest as JSON) into a temporary folder, then measures in one run:

1. the batch of N with a PDF per program (``run_batch``, ``--jobs`` workers, default one per
   core), and the peak resident memory of each of its workers;
2. the batch of N without PDFs (scores, roll-up and portfolio only);
3. the speed-up: the batch with PDFs against the same work in this one process, file after
   file, in ``--rounds`` alternating rounds over the same files (batch first, then one
   process, then the other way round), so that on a shared machine both see the same load
   (``--sequential K``: over the first K files only).

Targets on a 2-core machine: 1 at least 1.8 times faster than 3 for N = 200, and at most
150 MiB per worker. The figures and an extrapolation to 17,000 programs are printed.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SPEED_UP_TARGET = 1.8
MEMORY_TARGET_MIB = 150
NATIONAL = 17_000  # addiction-treatment facilities in the national survey


def generate(folder: Path, n: int, xlsx_share: float, seed: int) -> list[Path]:
    """N filled assessments of the bundled instrument, some .xlsx and the rest .json."""
    from audit_kit.catalog import load_instrument
    from audit_kit.formats.responses_json import dump_responses
    from audit_kit.formats.xlsx.template import build_workbook
    from audit_kit.model.applicability import skipped_items
    from audit_kit.model.responses import Answer, Program, Responses
    from audit_kit.model.vocab import AnswerKind, Setting

    instrument = load_instrument("mat-tsf-cod")
    rng = random.Random(seed)
    paths = []
    for i in range(n):
        setting = rng.choice(list(Setting))
        answers: dict[str, Answer] = {}
        for _, _, item in instrument.iter_items():
            roll = rng.random()
            if roll < 0.03:
                continue  # left unanswered
            if roll < 0.08 and item.na_allowed:
                answers[item.id] = Answer(not_applicable=True, na_reason="No eligible cases.")
            elif item.kind is AnswerKind.SCALE:
                answers[item.id] = Answer(value=rng.choice([1, 2, 3, 3, 4, 4, 5]))
            elif item.kind is AnswerKind.CHOICE:
                answers[item.id] = Answer(value=rng.choice(item.choices or []).value)
            else:
                answers[item.id] = Answer(value=rng.randint(0, 100))
        # answers to items that do not apply (by setting or skip logic) become N/A, as fill does
        skipped = skipped_items(instrument, setting, answers)
        for item_id, why in skipped.items():
            answers[item_id] = Answer(not_applicable=True, na_reason=why.reason)
        responses = Responses(
            instrument_id=instrument.id,
            instrument_version=instrument.version,
            program=Program(
                name=f"Synthetic Program {i:05d}",
                setting=setting,
                hospital_based=setting is Setting.HOSPITAL_INPATIENT,
            ),
            assessor="Benchmark",
            assessment_date=date(2026, 1, 1) + timedelta(days=rng.randrange(300)),
            answers={k: answers[k] for k in instrument.item_ids if k in answers},
        )
        if rng.random() < xlsx_share:
            path = folder / f"program-{i:05d}.xlsx"
            path.write_bytes(build_workbook(instrument, responses=responses))
        else:
            path = folder / f"program-{i:05d}.json"
            path.write_bytes(dump_responses(responses))
        paths.append(path)
    return paths


def sequential(files: list[Path], out: Path) -> tuple[float, int]:
    """The batch's work file after file in this process; seconds and this process's peak KiB."""
    from audit_kit.model.portfolio import ProgramRow
    from audit_kit.outputs.portfolio.document import render_portfolio
    from audit_kit.outputs.rollup import build_rollup
    from audit_kit.workflows.batch.manifest import file_sha256
    from audit_kit.workflows.batch.task import Settings, Task, peak_rss_kib, process, warm_up

    out.mkdir(parents=True, exist_ok=True)
    settings = Settings(reports=True, full=False, brand=None)
    start = time.perf_counter()
    warm_up(True)
    rows: list[ProgramRow] = []
    for n, path in enumerate(files):
        task = Task(n, path, str(path), file_sha256(path), out / f"{n:05d}.pdf")
        rows.append(process(task, settings).row)
    (out / "rollup.xlsx").write_bytes(build_rollup(rows))
    from audit_kit.catalog import load_instrument

    instruments = {"mat-tsf-cod@1.1": load_instrument("mat-tsf-cod@1.1")}
    (out / "portfolio.pdf").write_bytes(render_portfolio(rows, instruments))
    return time.perf_counter() - start, peak_rss_kib()


def main() -> int:
    """Generate, measure, print; a figure, never a failure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=200, help="assessments (default 200)")
    parser.add_argument("--jobs", type=int, default=None, help="workers (default: cores)")
    parser.add_argument("--xlsx-share", type=float, default=0.5, help="share as workbooks")
    parser.add_argument(
        "--sequential",
        type=int,
        default=None,
        metavar="K",
        help="compare with one process on the first K files only (default: all)",
    )
    parser.add_argument(
        "--rounds", type=int, default=4, help="alternating rounds for the speed-up (default 4)"
    )
    parser.add_argument("--keep", type=Path, default=None, help="folder to keep everything in")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    from audit_kit.workflows.batch import run_batch

    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-batch-"))
    inputs = work / "inputs"
    if inputs.exists():
        shutil.rmtree(inputs)
    inputs.mkdir(parents=True)
    jobs = args.jobs or os.cpu_count() or 1
    print(f"cores: {os.cpu_count()}, workers: {jobs}, load before: {_load()}")
    t = time.perf_counter()
    files = generate(inputs, args.n, args.xlsx_share, args.seed)
    xlsx = sum(p.suffix == ".xlsx" for p in files)
    print(f"generated {len(files)} assessments ({xlsx} .xlsx) in {time.perf_counter() - t:.0f} s")

    for name in ("with-pdfs", "scores-only", "rounds"):
        shutil.rmtree(work / name, ignore_errors=True)
    t = time.perf_counter()
    with_pdfs = run_batch([inputs], work / "with-pdfs", jobs=jobs, force=True)
    batch_s = time.perf_counter() - t
    failed = len(with_pdfs.failed)
    print(
        f"batch of {len(files)} with PDFs:    {batch_s:8.1f} s  "
        f"({len(files) / batch_s:5.2f} programs/s)  failed {failed}  load: {_load()}"
    )
    t = time.perf_counter()
    run_batch([inputs], work / "scores-only", jobs=jobs, force=True, reports=False)
    scores_s = time.perf_counter() - t
    print(
        f"batch of {len(files)} without PDFs: {scores_s:8.1f} s  "
        f"({len(files) / scores_s:5.2f} programs/s)  load: {_load()}"
    )
    from audit_kit.workflows.batch.task import peak_rss_kib

    print(f"main process peak so far: {peak_rss_kib() / 1024:.0f} MiB")

    # the speed-up: the batch and the same work in one process, in alternating rounds over
    # the same files, so that both see the same load on a shared machine
    sample = files[: args.sequential] if args.sequential else files
    rounds = max(1, min(args.rounds, len(sample)))
    size = -(-len(sample) // rounds)
    parallel_s = sequential_s = 0.0
    for r in range(rounds):
        part = sample[r * size : (r + 1) * size]
        if not part:
            continue
        folder = work / "rounds" / f"round-{r}"
        for is_batch in (r % 2 == 0, r % 2 == 1):
            if is_batch:
                (folder / "in").mkdir(parents=True, exist_ok=True)
                for path in part:
                    shutil.copy2(path, folder / "in" / path.name)
                t = time.perf_counter()
                run_batch([folder / "in"], folder / "batch", jobs=jobs, force=True)
                parallel_s += time.perf_counter() - t
            else:
                took, _ = sequential(part, folder / "sequential")
                sequential_s += took
        print(
            f"  round {r + 1}/{rounds} ({len(part)} files): batch {parallel_s:7.1f} s, "
            f"one process {sequential_s:7.1f} s so far  load: {_load()}"
        )
    speed_up = sequential_s / parallel_s
    verdict = "meets" if speed_up >= SPEED_UP_TARGET else "misses"
    print(
        f"speed-up with PDFs over {len(sample)} files in {rounds} alternating rounds: "
        f"{speed_up:.2f}× ({verdict} the {SPEED_UP_TARGET}× target)"
    )
    peaks = sorted(with_pdfs.worker_peak_kib.values())
    peak_mib = max(peaks) / 1024 if peaks else 0.0
    print(
        "peak memory per worker: "
        + ", ".join(f"{p / 1024:.0f} MiB" for p in peaks)
        + f" ({'within' if peak_mib <= MEMORY_TARGET_MIB else 'over'} {MEMORY_TARGET_MIB} MiB)"
    )
    per_program = batch_s / len(files)
    per_program_scores = scores_s / len(files)
    print(
        f"extrapolated to {NATIONAL:,} programs on this machine: "
        f"{NATIONAL * per_program / 60:.0f} min with PDFs, "
        f"{NATIONAL * per_program_scores / 60:.0f} min scores only"
    )
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def _load() -> str:
    try:
        one, five, _ = os.getloadavg()
    except OSError:
        return "unknown"
    return f"{one:.1f} (1 min), {five:.1f} (5 min)"


if __name__ == "__main__":
    sys.exit(main())
