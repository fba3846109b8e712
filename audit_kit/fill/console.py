"""The terminal side of a fill: the Console protocol, standard input and output, and signals."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sys
import threading
from collections.abc import Iterator
from types import FrameType
from typing import Any, Protocol

import click

MIN_WIDTH, MAX_WIDTH = 40, 100
_HELD_SIGNALS = {
    s for s in (getattr(signal, n, None) for n in ("SIGINT", "SIGTERM", "SIGHUP")) if s is not None
}


class Stopped(BaseException):  # a signal, not an error: nothing may swallow it on the way out
    """The process was told to stop (hang-up or terminate) while a session was running."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class Console(Protocol):
    """Where the session reads answers and writes text; tests pass a scripted one."""

    width: int

    def say(self, text: str = "") -> None:
        """Write one line (or several) of text."""

    def ask(self, prompt: str) -> str:
        """Show a prompt and return the line typed; EOFError at end of input."""


class TerminalConsole:
    """Standard input and output: line editing on a terminal, one answer per line otherwise.

    When standard input is not a terminal the lines read are echoed after their prompt, so the
    output reads as a transcript of the session.
    """

    def __init__(self) -> None:
        stdin = sys.stdin
        self.interactive = bool(stdin is not None and stdin.isatty())
        columns = shutil.get_terminal_size((80, 24)).columns
        self.width = max(MIN_WIDTH, min(MAX_WIDTH, columns))
        if self.interactive:
            with contextlib.suppress(ImportError):
                import readline  # noqa: F401 (gives input() line editing and answer history)

    def say(self, text: str = "") -> None:
        """Write text; if the reader of standard output has gone, carry on without output."""
        try:
            click.echo(text)
        except BrokenPipeError:
            _silence_stdout()

    def ask(self, prompt: str) -> str:
        """Read one line, without its line ending; EOFError at end of input."""
        while True:
            if self.interactive:
                try:
                    return input(prompt)
                except UnicodeDecodeError:
                    self.say("(That was not readable text; please type it again.)")
                    continue
            self._write(prompt)
            raw = self._read_line()
            if not raw:
                self.say()
                raise EOFError
            try:
                line = raw.decode("utf-8").lstrip("\ufeff").rstrip("\r\n")
            except UnicodeDecodeError:
                self.say("(ignored a line that is not UTF-8 text)")
                continue
            self.say(line)
            return line

    def _write(self, text: str) -> None:
        try:
            click.echo(text, nl=False)
        except BrokenPipeError:
            _silence_stdout()

    @staticmethod
    def _read_line() -> bytes:
        stdin = sys.stdin
        if stdin is None:
            return b""
        buffer = getattr(stdin, "buffer", None)
        if buffer is not None:
            return bytes(buffer.readline())
        return str(stdin.readline()).encode("utf-8")


def _silence_stdout() -> None:
    """Send further output to the null device (the pipe reader has gone; answers still save)."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


@contextlib.contextmanager
def stop_on_signals() -> Iterator[None]:
    """Make hang-up (closed terminal) and terminate end a session cleanly, like Ctrl-C.

    The handlers are installed only in the main thread and put back on the way out.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous: dict[int, Any] = {}
    for name in ("SIGHUP", "SIGTERM"):
        signum = getattr(signal, name, None)
        if signum is not None:
            previous[signum] = signal.signal(signum, _raise_stopped)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _raise_stopped(signum: int, frame: FrameType | None) -> None:
    raise Stopped(signum)


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Hold Ctrl-C, hang-up and terminate until the block is done, so a save is never cut."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)
