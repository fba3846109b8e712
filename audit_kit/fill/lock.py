"""One fill session per responses file: a lock file beside it, made atomically, removed on exit.

The lock is ``<file>.lock``, created with O_EXCL so that of two sessions starting at once only
one gets it, and holding the process id, the host and a token. A session removes its own lock
on every way out (end, quit, Ctrl-C, hang-up, terminate); only ``kill -9`` or a crash of the
machine leaves one behind, and the next session on the same host sees that its process is gone
and takes the lock over.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from audit_kit.errors import OutputError
from audit_kit.fill.console import printable, signals_held

LOCK_SUFFIX = ".lock"
_ATTEMPTS = 3  # create, take a stale lock over, create again; a third try covers a race


@dataclass(frozen=True)
class Holder:
    """The session a lock belongs to."""

    pid: int
    host: str
    since: str  # local time the session took the lock, 'YYYY-MM-DD HH:MM'
    started: str | None  # the process's start time (Linux), to tell a reused process id
    token: str

    def to_bytes(self) -> bytes:
        return (json.dumps(asdict(self), ensure_ascii=False) + "\n").encode("utf-8")

    @classmethod
    def parse(cls, raw: bytes) -> Holder | None:
        """The holder written in a lock file, or None when it is not one (empty, foreign)."""
        try:
            data = json.loads(raw.decode("utf-8"))
            holder = cls(**data)
        except (ValueError, TypeError):
            return None
        fields_ok = (
            isinstance(holder.pid, int)
            and holder.pid > 0
            and isinstance(holder.host, str)
            and isinstance(holder.since, str)
            and isinstance(holder.token, str)
            and isinstance(holder.started, str | None)
        )
        return holder if fields_ok else None

    def describe(self) -> str:
        return printable(f"process {self.pid} on {self.host}, since {self.since}")


class SessionLock:
    """The lock on one responses file, for one session."""

    def __init__(self, target: Path) -> None:
        self.target = target
        self.path = target.with_name(target.name + LOCK_SUFFIX)
        self.held: Holder | None = None

    def acquire(self) -> str | None:
        """Take the lock; return a note to show when a stale one was taken over.

        OutputError (exit 2) when another session holds it, or it cannot be created.
        """
        note = None
        with signals_held():  # a stop between creating and recording would leave it behind
            for _ in range(_ATTEMPTS):
                me = _me()
                try:
                    fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
                except FileExistsError:
                    raw = _read(self.path)
                    if raw is None:  # removed meanwhile: try again
                        continue
                    holder = Holder.parse(raw)
                    if holder is None or _running(holder) is not False:
                        raise self._in_use(holder) from None
                    if self._take_over(raw):
                        note = (
                            f"Took over {self.path.name}: the session that left it "
                            f"({holder.describe()}) is no longer running."
                        )
                    continue
                except OSError as exc:
                    raise OutputError.single(
                        f"cannot create the lock file {self.path.name} beside it "
                        f"({exc.strerror or exc}); fill needs to write in that folder",
                        file=str(self.target),
                        code="lock-failed",
                    ) from None
                try:
                    os.write(fd, me.to_bytes())
                finally:
                    os.close(fd)
                self.held = me
                return note
        raise self._in_use(Holder.parse(_read(self.path) or b""))

    def release(self) -> None:
        """Remove the lock if it is still this session's; never fails."""
        if self.held is None:
            return
        with signals_held():
            raw = _read(self.path)
            if raw is not None and Holder.parse(raw) == self.held:
                with contextlib.suppress(OSError):
                    self.path.unlink()
            self.held = None

    def _take_over(self, stale: bytes) -> bool:
        """Remove a stale lock, unless another session replaced it meanwhile."""
        aside = self.path.with_name(f"{self.path.name}.{os.getpid()}.stale")
        try:
            os.rename(self.path, aside)
        except FileNotFoundError:
            return False
        except OSError:
            return False
        if _read(aside) == stale:
            with contextlib.suppress(OSError):
                aside.unlink()
            return True
        with contextlib.suppress(OSError):  # a live session's lock: put it back
            os.rename(aside, self.path)
        return False

    def _in_use(self, holder: Holder | None) -> OutputError:
        who = f" ({holder.describe()})" if holder else ""
        return OutputError.single(  # type: ignore[return-value]
            f"another fill session is working on this file{who}; finish or quit that session "
            f"first (if none is running, delete {self.path.name})",
            file=str(self.target),
            code="in-use",
        )


def _me() -> Holder:
    pid = os.getpid()
    return Holder(
        pid=pid,
        host=socket.gethostname(),
        since=datetime.now().strftime("%Y-%m-%d %H:%M"),
        started=_start_time(pid),
        token=secrets.token_hex(8),
    )


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()[:4096]
    except OSError:
        return None


def _running(holder: Holder) -> bool | None:
    """Whether the holder's process runs: False when it is gone, None when this host cannot tell."""
    if holder.host != socket.gethostname():
        return None
    try:
        os.kill(holder.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # another user's process: it runs
    except OSError:
        return None
    started = _start_time(holder.pid)
    # a different start time: the id now belongs to another process
    return holder.started is None or started is None or started == holder.started


def _start_time(pid: int) -> str | None:
    """When a process started, in clock ticks since boot (Linux); None elsewhere."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    fields = stat.rpartition(")")[2].split()
    return fields[19] if len(fields) > 19 else None
