"""The terminal side of a fill: the Console protocol, standard input and output, and signals."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import sys
import threading
import unicodedata
from collections.abc import Iterator
from types import FrameType
from typing import Protocol

import click

MIN_WIDTH, MAX_WIDTH = 40, 100
_STOP_SIGNALS = tuple(
    s for s in (getattr(signal, n, None) for n in ("SIGINT", "SIGTERM", "SIGHUP")) if s is not None
)
_HELD_SIGNALS = set(_STOP_SIGNALS)

#: A whole terminal escape sequence, 7-bit or 8-bit: strings (OSC, DCS, APC, PM, SOS) up to
#: their terminator (one never ended, up to the next space, so as not to take the rest of the
#: line with it), control sequences (CSI), and two-byte escapes.
ESCAPE_SEQUENCE = re.compile(
    r"(?:\x1b[\]P^_X]|[\x90\x98\x9d\x9e\x9f])(?:[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)|\S*)"
    r"|(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|\x1b[ -/]*[0-~]?"
)
# embedding, override and isolate marks: invisible, but they reorder what follows on screen
_BIDI_CONTROLS = {ord(c): None for c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"}


def printable(text: str) -> str:
    """Text safe to show on a terminal: no escape sequence, control character or bidi override.

    Line breaks stay; tabs become spaces. Whatever a file or a person typed, nothing of it can
    move the cursor, retitle the window or change colours.
    """
    text = ESCAPE_SEQUENCE.sub("", text).replace("\t", " ").translate(_BIDI_CONTROLS)
    return "".join(c for c in text if c == "\n" or unicodedata.category(c) != "Cc")


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
            click.echo(printable(text))
        except BrokenPipeError:
            _silence_stdout()

    def ask(self, prompt: str) -> str:
        """Read one line, without its line ending; EOFError at end of input."""
        while True:
            if self.interactive:
                try:
                    return input(printable(prompt))
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
            click.echo(printable(text), nl=False)
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

    The first of Ctrl-C, hang-up or terminate stops the session (KeyboardInterrupt or
    Stopped); from then on all three are ignored, so that a second one (a shell passes a
    hang-up on to its jobs, a supervisor sends terminate twice) cannot cut the note, the lock's
    removal or the exit code short. The handlers are put back on the way out unless a stop
    happened: then the process is ending, and they stay ignored until it has. A signal already
    ignored when the session starts (``nohup``, a background job) stays ignored. Installed only
    in the main thread.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    stopped: list[int] = []

    def on_signal(signum: int, frame: FrameType | None) -> None:
        if stopped:
            return
        stopped.append(signum)
        for other in _STOP_SIGNALS:
            signal.signal(other, signal.SIG_IGN)
        if signum == signal.SIGINT:
            raise KeyboardInterrupt
        raise Stopped(signum)

    previous = {
        signum: signal.signal(signum, on_signal)
        for signum in _STOP_SIGNALS
        if signal.getsignal(signum) is not signal.SIG_IGN
    }
    try:
        yield
    finally:
        if not stopped:
            for signum, handler in previous.items():
                signal.signal(signum, handler)


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
