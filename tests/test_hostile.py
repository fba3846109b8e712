"""The hostile-input corpus (tests/hostile/cases.py) through the real command line.

Each case runs `python -m audit_kit` in a fresh process in its own folder. A refused input
must give exit 2 and only located `Error:` lines, write nothing and leave the input as it was;
an odd one must score exactly like its plain twin. Every run must stay under 300 MiB; time is
only bounded loosely (a hung or runaway process fails, a slow machine does not), since the 5 s
target is measured by benchmarks/bench_limits.py. The cases run in parallel threads, one
process each, started as soon as the first case is reached.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

from hostile.cases import CASES, Case, write_input
from hostile.runner import Outcome, run_cli

PEAK_MIB = 300
#: CPU seconds no case may exceed even on a loaded machine; the quadratic inputs this corpus
#: was built from took minutes.
RUNAWAY_CPU_SECONDS = 60
NEVER_SHOWN = ("Traceback", "sys.set_int_max_str_digits", "errors.pydantic.dev", "\x1b")


def _param(case: Case) -> object:
    marks = [pytest.mark.xfail(reason=case.xfail, strict=False)] if case.xfail else []
    return pytest.param(case, id=case.id, marks=marks)


@pytest.fixture(name="outcomes", scope="session")
def _outcomes(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Future[tuple[Path, Outcome]]]]:
    """Start every selected case at once (one process per case, as many at a time as cores)."""
    selected = [
        item.callspec.params["case"]
        for item in request.session.items
        if getattr(item, "callspec", None) and isinstance(item.callspec.params.get("case"), Case)
    ]
    root = tmp_path_factory.mktemp("hostile")
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        futures = {case.id: pool.submit(_run, case, root) for case in selected}
        yield futures
        for future in futures.values():
            future.cancel()


def _run(case: Case, root: Path) -> tuple[Path, Outcome]:
    folder = root / case.id
    folder.mkdir()
    write_input(case, folder)
    return folder, run_cli(case.args(), folder)


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_hostile_input(case: Case, outcomes: dict[str, Future[tuple[Path, Outcome]]]) -> None:
    """Run one case and check its outcome against the case's expectation."""
    folder, outcome = outcomes[case.id].result()
    shown = outcome.stdout + outcome.stderr
    assert not outcome.hung, f"still running after {outcome.cpu_seconds:.0f} s of CPU"
    for text in (*NEVER_SHOWN, *case.not_in_output):
        assert text not in shown, (text, shown[-2000:])
    assert outcome.peak_mib <= PEAK_MIB, outcome.peak_mib
    assert outcome.cpu_seconds <= RUNAWAY_CPU_SECONDS, outcome.cpu_seconds
    assert outcome.changed_files == (), "an input was modified"
    if case.expect == "either" and outcome.code == 0:
        _check_scored(case, folder, outcome)
    elif case.expect in ("refused", "either"):
        _check_refused(case, outcome)
    elif case.expect == "scored":
        _check_scored(case, folder, outcome)
    elif case.expect == "reported":
        assert outcome.code == 0, outcome.stderr[-2000:]
        assert outcome.new_files == ("out.pdf",)
        assert (folder / "out.pdf").read_bytes().startswith(b"%PDF-")
    else:
        assert case.expect == "checked"
        assert outcome.code == 0, outcome.stderr[-2000:]
        assert outcome.stdout.startswith("OK: ")
        assert outcome.new_files == ()


def _check_refused(case: Case, outcome: Outcome) -> None:
    assert outcome.code == 2, (outcome.code, outcome.stderr[-2000:])
    assert outcome.stdout == ""
    lines = outcome.stderr.splitlines()
    if case.usage:  # click's own check: usage lines, then one error naming the argument
        lines = [line for line in lines if line.startswith("Error: ")]
        assert len(lines) == 1 and f"'{case.name}'" in lines[0], outcome.stderr
    assert lines, "no message"
    assert all(line.startswith("Error: ") for line in lines), lines[:5]
    if not case.usage:
        # located: the first problem names its file (the instrument, for instrument checks)
        assert lines[0].startswith(f"Error: {case.name}"), lines[0]
    for words in case.words:
        assert words in outcome.stderr, (words, lines[:5])
    assert outcome.new_files == (), "something was written"


def _check_scored(case: Case, folder: Path, outcome: Outcome) -> None:
    from audit_kit.workflows.assess import assess

    assert outcome.code == 0, outcome.stderr[-2000:]
    assert outcome.stderr == ""  # no warning either
    assert outcome.new_files == ()
    assert case.twin is not None
    twin = folder.parent / f"{case.id}.twin.json"
    twin.write_bytes(case.twin())
    instrument = folder / case.instrument_name if case.instrument else None
    expected = assess(twin, instrument).result.model_dump(mode="json")
    assert json.loads(outcome.stdout) == expected
