"""The largest input the limits accept: time and memory of its report, against a bundled example.

    python benchmarks/bench_limits.py [--runs 5] [--keep DIR]

Builds the largest instrument and responses model/limits.py allows, at their worst for the
report (every item answered low, every critical rule firing, every printed text at its longest;
tests/hostile/build.py), also as a filled workbook, and runs `audit-kit report` on them and on
the bundled residential example, alternately, each in a fresh process. Prints the median wall
time, CPU time and peak memory (maximum resident set) of each, and the ratio of CPU times: on a
busy machine every time grows, the ratio much less. The target is that the largest input
reports in under 5 s and 300 MiB; a ratio of at most 5 keeps it there on a machine where the
example takes under a second.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from hostile.build import largest, write_json  # noqa: E402

EXAMPLE = ROOT / "questionnaires" / "examples" / "residential-12step.json"
TARGET_SECONDS, TARGET_MIB, TARGET_RATIO = 5.0, 300, 5.0
WITH_INSTRUMENT = ["-i", "largest-instrument.json"]


@dataclass(frozen=True)
class Run:
    """One process: wall and CPU seconds, peak resident memory in MiB."""

    wall: float
    cpu: float
    mib: float


def run(args: list[str], cwd: Path) -> Run:
    """Run ``audit-kit`` with ``args`` in a fresh process (it must succeed) and measure it."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "audit_kit", *args], cwd=cwd, env=env, stdout=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"audit-kit {' '.join(args)} failed with exit code {proc.returncode}")
    kib = usage.ru_maxrss if sys.platform != "darwin" else usage.ru_maxrss / 1024
    return Run(wall, usage.ru_utime + usage.ru_stime, kib / 1024)


def main() -> int:
    """Build the inputs, run the reports, print the figures (never a failure)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each report (default 5)")
    parser.add_argument("--keep", type=Path, help="also copy the inputs into this folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        instrument, responses = largest()
        write_json(folder / "largest-instrument.json", instrument)
        write_json(folder / "largest.json", responses)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "audit_kit",
                "convert",
                "largest.json",
                "-o",
                "largest.xlsx",
                *WITH_INSTRUMENT,
            ],
            cwd=folder,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            check=True,
            stdout=subprocess.DEVNULL,
        )
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            for name in ("largest-instrument.json", "largest.json", "largest.xlsx"):
                shutil.copy(folder / name, args.keep / name)
        commands = {
            "bundled example (.json)": ["report", str(EXAMPLE), "-o", "example.pdf"],
            "largest accepted (.json)": ["report", "largest.json", "-o", "a.pdf", *WITH_INSTRUMENT],
            "largest accepted (.xlsx)": ["report", "largest.xlsx", "-o", "b.pdf", *WITH_INSTRUMENT],
        }
        runs: dict[str, list[Run]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, command in commands.items():
                runs[name].append(run(command, folder))
        pages = {name: _pages(folder / c[c.index("-o") + 1]) for name, c in commands.items()}
    base = statistics.median(r.cpu for r in runs["bundled example (.json)"])
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; {args.runs} runs")
    for name, measured in runs.items():
        wall = statistics.median(r.wall for r in measured)
        cpu = statistics.median(r.cpu for r in measured)
        mib = max(r.mib for r in measured)
        print(
            f"{name:26} wall {wall:5.2f} s  cpu {cpu:5.2f} s  peak {mib:4.0f} MiB  "
            f"{pages[name]:3} pages  cpu ratio {cpu / base:4.1f}"
        )
    print(
        f"targets: under {TARGET_SECONDS:g} s and {TARGET_MIB} MiB; cpu ratio at most "
        f"{TARGET_RATIO:g} to the example"
    )
    return 0


def _pages(path: Path) -> int:
    """Pages of a PDF written by reportlab (one /Type /Page object each)."""
    return len(re.findall(rb"/Type\s*/Page(?!s)", path.read_bytes()))


if __name__ == "__main__":
    raise SystemExit(main())
