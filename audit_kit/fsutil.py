"""Writing outputs safely: a temporary file in the same folder, then an atomic rename."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import unicodedata
from pathlib import Path

from audit_kit.errors import OutputError


def write_atomic(path: Path, data: bytes, *, overwrite: bool = True) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never half.

    With ``overwrite=False`` an existing file is refused (OutputError) and left alone.
    """
    if not overwrite and path.exists():
        raise OutputError.single(
            "already exists; choose another name with -o, or pass --force to replace it",
            file=str(path),
            code="exists",
        )
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError.single(
            f"folder {str(folder)!r} does not exist; create it or choose another -o",
            file=str(path),
            code="no-folder",
        )
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except PermissionError:
        raise OutputError.single(
            f"cannot write in {str(folder)!r} (permission denied)", file=str(path)
        ) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, _file_mode())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


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
