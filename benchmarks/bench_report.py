"""Time `audit-kit report` (default and --full) against importing its libraries, in the same run.

    python benchmarks/bench_report.py [--runs 15] [--example residential-12step]

Each measurement is a fresh process, so start-up and imports count, as they do for a user.
The commands take turns, so that all see the same machine load; the figures that matter are
the ratios of the medians to the import floor (target for the default report: at most 1.5).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = "import click, pydantic, openpyxl, reportlab.platypus"
TARGET = 1.5


def timed(command: list[str]) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one run of a command, in seconds.

    CPU time is the steadier figure on a shared machine: waiting for a core is not counted.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> int:
    """Run the benchmark and print medians and their ratios (figures, never a failure)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs of each command (default 15)")
    parser.add_argument("--example", default="residential-12step", help="bundled example name")
    args = parser.parse_args()
    example = ROOT / "questionnaires" / "examples" / f"{args.example}.json"
    with tempfile.TemporaryDirectory() as tmp:
        report = [sys.executable, "-m", "audit_kit", "report", str(example), "-o"]
        commands = {
            "floor": [sys.executable, "-c", BASELINE],
            "report": [*report, str(Path(tmp) / "short.pdf")],
            "report --full": [*report, str(Path(tmp) / "full.pdf"), "--full"],
        }
        for command in commands.values():
            timed(command)  # warm the file cache
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, command in commands.items():
                times[name].append(timed(command))
    print(f"{args.runs} runs of each, taking turns; medians, and the ratio to the floor")
    for kind, index in (("wall", 0), ("CPU", 1)):
        medians = {name: statistics.median(t[index] for t in ts) for name, ts in times.items()}
        floor = medians["floor"]
        print(f"{kind} time:")
        print(f"  python -c '{BASELINE}': {floor * 1000:.0f} ms (the floor)")
        for name in ("report", "report --full"):
            ratio = medians[name] / floor
            print(
                f"  audit-kit {name} {example.name}: {medians[name] * 1000:.0f} ms, {ratio:.2f} x"
            )
        verdict = "within" if medians["report"] / floor <= TARGET else "over"
        print(f"  default report {verdict} the target of {TARGET} x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
