"""Run tasks in a process pool that reports, never hangs: a worker that dies or overruns its
time costs its own task only, and the pool is rebuilt for the rest."""

from __future__ import annotations

import signal
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing.context import BaseContext
from typing import Any, Generic, TypeVar

from audit_kit.outputs.wording import count

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Lost:
    """A task that has no result: its worker died with it alone, or it ran out of time."""

    kind: str  # "crash", "timeout", or "bug" when the task function itself raised
    message: str


@dataclass
class PoolRun(Generic[T, R]):
    """How to run one kind of task, and what happened to the workers (``notes``)."""

    fn: Callable[[T], R]
    jobs: int
    timeout: float | None = None
    initializer: Callable[..., Any] | None = None
    initargs: tuple[Any, ...] = ()
    mp_context: BaseContext | None = None
    notes: list[str] = field(default_factory=list)

    def run(self, items: Sequence[T], done: Callable[[int, R | Lost], None]) -> None:
        """Run ``fn`` on every item; call ``done(index, result or Lost)`` as each finishes.

        At most ``jobs`` tasks are in the pool at once, so a task's time is counted from when a
        worker takes it. When a worker dies, the tasks in flight are run again one at a time:
        the one that kills its worker alone is reported lost, the others get their results.
        A task over ``timeout`` seconds is reported lost and its worker killed; the tasks in
        flight beside it are run again.
        """
        queue: deque[int] = deque(range(len(items)))
        suspects: deque[int] = deque()
        running: dict[Future[R], tuple[int, float]] = {}
        executor: ProcessPoolExecutor | None = None
        isolating = False
        try:
            while queue or suspects or running:
                if executor is None:
                    executor = self._executor()
                # while suspects of a crash run, one at a time, until the last one is back
                isolating = bool(suspects) or (isolating and bool(running))
                source = suspects if suspects else queue
                broken = False
                while len(running) < (1 if isolating else self.jobs) and source:
                    index = source.popleft()
                    try:
                        future = executor.submit(self.fn, items[index])
                    except BrokenProcessPool:
                        source.appendleft(index)
                        broken = True
                        break
                    running[future] = (index, time.monotonic())
                finished, _ = wait(
                    running, timeout=self._wait_time(running), return_when=FIRST_COMPLETED
                )
                crashed: list[int] = []
                for future in finished:
                    index, _ = running.pop(future)
                    try:
                        result = future.result()
                    except BrokenProcessPool:
                        crashed.append(index)
                        broken = True
                        continue
                    except Exception as exc:  # the task function itself failed: a bug
                        done(index, Lost("bug", f"{type(exc).__name__}: {exc}"))
                        continue
                    done(index, result)
                late = self._late(running)
                if not (late or broken):
                    continue
                cause = _exit_cause(executor) if broken else ""
                innocent = [i for i, _ in running.values()]
                running.clear()
                _stop(executor, kill=bool(late))
                executor = None
                for index in late:
                    done(index, Lost("timeout", _timeout_message(self.timeout)))
                if broken:
                    self._after_crash(crashed + innocent, isolating, cause, suspects, done)
                else:
                    queue.extendleft(reversed(innocent))
        finally:
            if executor is not None:
                _stop(executor, kill=True)

    def _executor(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.jobs,
            mp_context=self.mp_context,
            initializer=self.initializer,
            initargs=self.initargs,
        )

    def _wait_time(self, running: dict[Future[R], tuple[int, float]]) -> float | None:
        if self.timeout is None or not running:
            return None
        first = min(start for _, start in running.values())
        return max(0.05, first + self.timeout - time.monotonic())

    def _late(self, running: dict[Future[R], tuple[int, float]]) -> list[int]:
        if self.timeout is None:
            return []
        now = time.monotonic()
        late = [f for f, (_, start) in running.items() if now - start > self.timeout]
        return [running.pop(f)[0] for f in late]

    def _after_crash(
        self,
        crashed: list[int],
        isolating: bool,
        cause: str,
        suspects: deque[int],
        done: Callable[[int, R | Lost], None],
    ) -> None:
        if not crashed:
            return
        if isolating:
            # it ran alone: this task is what kills its worker
            for index in crashed:
                done(
                    index,
                    Lost(
                        "crash",
                        f"the worker process died while on this file ({cause}); the file may "
                        "be damaged in a way the checks miss, or the machine ran out of memory",
                    ),
                )
            return
        self.notes.append(
            f"A worker process died ({cause}); the {count(len(crashed), 'file')} in progress "
            f"{'was' if len(crashed) == 1 else 'were'} run again, one at a time."
        )
        suspects.extend(sorted(crashed))


def _timeout_message(timeout: float | None) -> str:
    return (
        f"took longer than {timeout:g} seconds and was stopped; check the file, or allow "
        "more time with --timeout"
    )


def _exit_cause(executor: ProcessPoolExecutor) -> str:
    """How a dead worker ended, e.g. 'killed by signal SIGKILL' or 'exit code 1'."""
    processes = list((getattr(executor, "_processes", None) or {}).values())
    # a forked worker may not be reaped yet when the pool reports it gone; the pool stops the
    # others itself, so this waits a moment at most
    deadline = time.monotonic() + 2.0
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
    codes = [p.exitcode for p in processes if p.exitcode not in (None, 0)]
    # the pool terminates the surviving workers itself (SIGTERM); look past those first
    codes.sort(key=lambda c: c == -signal.SIGTERM)
    if not codes:
        return "it stopped unexpectedly"
    code = codes[0]
    if code < 0:
        try:
            return f"killed by signal {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


def _stop(executor: ProcessPoolExecutor, *, kill: bool) -> None:
    """Shut the pool down; with ``kill``, stop its workers first, whatever they are doing."""
    if kill:
        killer = getattr(executor, "kill_workers", None)  # Python 3.14
        if killer is not None:
            killer()
        else:
            # before 3.14 the executor has no public way to stop a busy worker
            for process in list((getattr(executor, "_processes", None) or {}).values()):
                process.kill()
    executor.shutdown(wait=True, cancel_futures=True)
