"""Run the real command line on one input in a fresh process and record what it did."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
#: Address space of the child: far above the 300 MiB it may use, low enough that a runaway
#: input fails with MemoryError here instead of taking the machine's memory.
ADDRESS_SPACE = 2 * 1024**3
#: A process still running after this long has hung; it is killed and the case fails.
HANG_SECONDS = 300

# The child is a fresh interpreter that caps its own memory, runs the command as `python -m
# audit_kit` would, and at exit writes its peak resident memory (VmHWM: the high-water mark of
# this process image alone; the parent's wait4 figure would count the forked test process too).
_WRAPPER = f"""
import atexit, os, resource, runpy, sys
try:
    resource.setrlimit(resource.RLIMIT_AS, ({ADDRESS_SPACE}, {ADDRESS_SPACE}))
except (ValueError, OSError):
    pass  # not settable here (macOS): the cap is a safety net, not what the tests check

def peak():
    try:
        with open("/proc/self/status") as status:
            kib = int(next(line.split()[1] for line in status if line.startswith("VmHWM:")))
    except OSError:  # no /proc: this process's own figure (bytes on macOS)
        kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        kib //= 1024 if sys.platform == "darwin" else 1
    with open(os.environ["HOSTILE_PEAK"], "w") as out:
        out.write(str(kib))

atexit.register(peak)
sys.argv = ["audit-kit", *sys.argv[1:]]
runpy.run_module("audit_kit", run_name="__main__", alter_sys=True)
"""


@dataclass(frozen=True)
class Outcome:
    """What one run did: exit code, output, cost, and what changed in its folder."""

    code: int
    stdout: str
    stderr: str
    cpu_seconds: float
    peak_mib: float
    hung: bool
    new_files: tuple[str, ...]
    changed_files: tuple[str, ...]


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (relative name → SHA-256), to see what a run changed."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            found[str(path.relative_to(folder))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


# taken once, before any case runs: the cases run in threads while pytest sets and removes
# PYTEST_CURRENT_TEST in the main thread, and reading os.environ then can fail mid-copy
_BASE_ENV = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}


def run_cli(args: list[str], folder: Path) -> Outcome:
    """Run ``audit-kit ARGS`` with ``folder`` as the current folder; record the outcome."""
    before = snapshot(folder)
    env = {
        **_BASE_ENV,
        "PYTHONPATH": str(ROOT),
        "PYTHONIOENCODING": "utf-8",
        "COLUMNS": "100",
        "LC_ALL": "C.UTF-8",
    }
    out, err = folder.parent / f"{folder.name}.out", folder.parent / f"{folder.name}.err"
    peak = folder.parent / f"{folder.name}.peak"
    env["HOSTILE_PEAK"] = str(peak)
    with out.open("wb") as stdout, err.open("wb") as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-c", _WRAPPER, *args],
            cwd=folder,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
            start_new_session=True,
        )
        hung = threading.Event()

        def kill() -> None:
            hung.set()
            os.killpg(proc.pid, signal.SIGKILL)

        timer = threading.Timer(HANG_SECONDS, kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
    after = snapshot(folder)
    return Outcome(
        code=proc.returncode,
        stdout=out.read_bytes().decode("utf-8", "replace"),
        stderr=err.read_bytes().decode("utf-8", "replace"),
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        peak_mib=int(peak.read_text() or 0) / 1024 if peak.exists() else float("inf"),
        hung=hung.is_set(),
        new_files=tuple(sorted(set(after) - set(before))),
        changed_files=tuple(sorted(k for k in before if after.get(k) != before[k])),
    )
