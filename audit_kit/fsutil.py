"""Files in and out: bounded reads of regular files; writes via a temporary file and a rename."""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
import unicodedata
from pathlib import Path

from audit_kit.errors import InputFileError, OutputError

MiB = 1024 * 1024


def check_input(path: Path, what: str) -> int:
    """Refuse an input that is missing, a folder, or not a regular file; return its size.

    A pipe or a device would block or never end; only regular files are read.
    """
    shown = str(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise InputFileError.single(
            "no such file; check the path", file=shown, code="missing"
        ) from None
    except OSError as exc:
        raise InputFileError.single(
            f"cannot be read ({exc.strerror or exc})", file=shown, code="unreadable"
        ) from None
    if stat.S_ISDIR(info.st_mode):
        raise InputFileError.single(f"is a folder; give {what} file", file=shown, code="folder")
    if not stat.S_ISREG(info.st_mode):
        raise InputFileError.single(
            f"is not a regular file (a device, pipe or socket); give {what} file",
            file=shown,
            code="not-a-file",
        )
    return info.st_size


def read_input(path: Path, limit: int, what: str, too_large_hint: str | None = None) -> bytes:
    """Read a whole input file of at most ``limit`` bytes (InputFileError otherwise)."""
    shown = str(path)
    size = check_input(path, what)
    hint = too_large_hint or "check that this is the right file"

    def too_large(size: float) -> InputFileError:
        return InputFileError.single(  # type: ignore[return-value]
            f"is {size / MiB:.1f} MiB, over the {limit / MiB:g} MiB limit for {what}; {hint}",
            file=shown,
            code="too-large",
        )

    if size > limit:
        raise too_large(size)
    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)  # the size may have changed since stat()
    except OSError as exc:
        raise InputFileError.single(
            f"cannot be read ({exc.strerror or exc})", file=shown, code="unreadable"
        ) from None
    if len(data) > limit:
        raise too_large(len(data))
    return data


def make_folder(folder: Path) -> None:
    """Create an output folder (and its parents) unless it exists; OutputError if it cannot be."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise OutputError.single(
            "exists and is not a folder; remove it or choose another output with -o",
            file=str(folder),
            code="no-folder",
        ) from None
    except OSError as exc:
        raise OutputError.single(
            f"cannot be created ({exc.strerror or exc}); choose another output with -o",
            file=str(folder),
            code="no-folder",
        ) from None


NAME_MAX = 255  # bytes in one file name, on the usual file systems


def check_output(path: Path) -> None:
    """Refuse, before any work is done, an output path that cannot be written as a file."""
    shown = str(path)
    size = len(os.fsencode(path.name))
    if size > NAME_MAX:
        raise OutputError.single(
            f"the file name is too long ({size} bytes; at most {NAME_MAX}); choose a shorter "
            "name with -o",
            file=shown,
            code="name-too-long",
        )
    folder = path.parent  # Path("x.pdf").parent is Path(".")
    try:
        folder_ok, is_folder = folder.is_dir(), path.is_dir()
    except OSError as exc:
        raise OutputError.single(
            f"cannot be used ({exc.strerror or exc}); choose another name with -o",
            file=shown,
            code="unwritable",
        ) from None
    if not folder_ok:
        raise OutputError.single(
            f"folder {str(folder)!r} does not exist; create it or choose another -o",
            file=shown,
            code="no-folder",
        )
    if is_folder:
        raise OutputError.single("is a folder; give a file name with -o", file=shown, code="is-dir")


def write_atomic(path: Path, data: bytes, *, overwrite: bool = True) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never half.

    With ``overwrite=False`` an existing file is refused (OutputError) and left alone. A file
    that is replaced keeps its permissions.
    """
    shown = str(path)
    check_output(path)
    if not overwrite and path.exists():
        raise _exists(path)
    folder = path.parent  # Path("x.pdf").parent is Path(".")
    try:
        mode = stat.S_IMODE(path.stat().st_mode) if path.is_file() else _file_mode()
        # a short temporary name: a long output name must not become too long to create
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".audit-kit-", suffix=".tmp")
    except OSError as exc:
        raise OutputError.single(
            f"cannot write in {str(folder)!r} ({exc.strerror or exc})",
            file=shown,
            code="unwritable",
        ) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        if overwrite:
            os.replace(tmp, path)
        else:
            _link_new(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise OutputError.single(
            f"cannot be written ({exc.strerror or exc})", file=shown, code="unwritable"
        ) from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _exists(path: Path) -> OutputError:
    return OutputError.single(  # type: ignore[return-value]
        "already exists; choose another name with -o, or pass --force to replace it",
        file=str(path),
        code="exists",
    )


def _link_new(tmp: str, path: Path) -> None:
    """Put ``tmp`` at ``path`` only if nothing is there, even if a file appeared meanwhile."""
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise _exists(path) from None
    except OSError:
        # a file system without hard links: the check above the write is what we have
        os.replace(tmp, path)
        return
    os.unlink(tmp)


def _file_mode() -> int:
    """The mode a plain ``open(path, "w")`` would give (0666 less the umask)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def slug(text: str, fallback: str = "assessment") -> str:
    """A safe file-name part: ASCII lowercase words joined by hyphens ('Casa Esperanza' → ...)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    return "-".join(words)[:60].strip("-") or fallback
