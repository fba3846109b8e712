"""Time `audit-kit report` on one assessment against importing its libraries, in the same run.

    python benchmarks/bench_report.py [--runs 15] [--example residential-12step]

Each measurement is a fresh process, so start-up and imports count, as they do for a user.
The two commands alternate, so that both see the same machine load; the figure that matters
is the ratio of the medians (target: at most 1.3).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = "import click, pydantic, openpyxl, reportlab.platypus"
TARGET = 1.3


def timed(command: list[str]) -> float:
    """Wall time of one run of a command, in seconds (it must succeed)."""
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    return time.perf_counter() - start


def main() -> int:
    """Run the benchmark and print medians and their ratio (a figure, never a failure)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs of each command (default 15)")
    parser.add_argument("--example", default="residential-12step", help="bundled example name")
    args = parser.parse_args()
    example = ROOT / "questionnaires" / "examples" / f"{args.example}.json"
    with tempfile.TemporaryDirectory() as tmp:
        report = [
            sys.executable,
            "-m",
            "audit_kit",
            "report",
            str(example),
            "-o",
            str(Path(tmp) / "report.pdf"),
        ]
        baseline = [sys.executable, "-c", BASELINE]
        timed(report), timed(baseline)  # warm the file cache
        report_times, baseline_times = [], []
        for _ in range(args.runs):
            report_times.append(timed(report))
            baseline_times.append(timed(baseline))
    report_median = statistics.median(report_times)
    baseline_median = statistics.median(baseline_times)
    ratio = report_median / baseline_median
    print(f"audit-kit report {example.name}: median {report_median * 1000:.0f} ms")
    print(f"python -c '{BASELINE}': median {baseline_median * 1000:.0f} ms")
    verdict = "within" if ratio <= TARGET else "over"
    print(f"ratio {ratio:.2f}, {verdict} the target of {TARGET}, over {args.runs} runs each")
    return 0


if __name__ == "__main__":
    sys.exit(main())
