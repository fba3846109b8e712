"""Files in and out: bounded reads of regular files; writes via a temporary file and a rename."""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import tempfile
import unicodedata
from pathlib import Path

from audit_kit.errors import AuditKitError, InputFileError, OutputError

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


_BOMS = (
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xfe\xff", "utf-16-be"),
    (b"\xff\xfe", "utf-16-le"),
)
_NAMES = {"utf-8": "UTF-8", "utf-16-be": "UTF-16", "utf-16-le": "UTF-16"}
_NAMES |= {"utf-32-be": "UTF-32", "utf-32-le": "UTF-32"}


def text_encoding(raw: bytes) -> str:
    """The encoding of a JSON or YAML file: from its byte-order mark, else from where the zero
    bytes of its first (ASCII) character fall, as RFC 4627 describes; UTF-8 otherwise."""
    for mark, encoding in _BOMS:
        if raw.startswith(mark):
            return encoding
    head = raw[:4]
    if len(head) == 4:
        if head[:3] == b"\x00\x00\x00":
            return "utf-32-be"
        if head[1:] == b"\x00\x00\x00":
            return "utf-32-le"
    if len(head) >= 2:
        if head[0] == 0 and head[1] != 0:
            return "utf-16-be"
        if head[0] != 0 and head[1] == 0:
            return "utf-16-le"
    return "utf-8"


def decode_text(raw: bytes, shown: str, error: type[AuditKitError]) -> str:
    """A JSON or YAML file's bytes as text: UTF-8, or UTF-16 or UTF-32 (with or without a
    byte-order mark, as some Windows tools save it); ``error`` when it is none of them."""
    encoding = text_encoding(raw)
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        name = _NAMES[encoding]
        hint = (
            "it may be in a legacy encoding such as Windows-1252; save it as UTF-8"
            if encoding == "utf-8"
            else "save it again as UTF-8"
        )
        line = raw.count(b"\n", 0, exc.start) + 1 if encoding == "utf-8" else None
        raise error.single(
            f"not {name} text (byte {exc.start:,} cannot be read); {hint}",
            file=shown,
            line=line,
            code="encoding",
        ) from None
    return text.removeprefix("\ufeff")


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


SLUG_MAX = 60  # characters of a name kept in a file name
_SLUG_MAX_BYTES = 150  # and at most this many bytes of it, whatever the script


def slug(text: str, fallback: str = "assessment") -> str:
    """A safe file-name part for a name: its letters and digits, of any script, lower-case and
    joined by hyphens ('Casa Esperanza' → 'casa-esperanza', 'Центр «Надежда»' →
    'центр-надежда'); accents are dropped from Latin letters only ('Núñez' → 'nunez').

    Where that would lose the name, because it is cut at 60 characters or has no letter or digit
    at all, a stable 8-character hash of the whole name is added ('…-3f9a1c2e'). So two names
    give the same slug only when they differ in nothing but capitals, Latin accents, punctuation
    and spacing. A blank ``text`` gives ``fallback``.
    """
    words = _slug_words(text)
    full = "-".join(words)
    cut = _cut(full)
    if cut and cut == full:
        return cut
    if not text.strip():
        return fallback
    # cut: the whole slug tells the names apart; no letters at all: the text as written
    key = full or " ".join(unicodedata.normalize("NFC", text).split())
    tag = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{cut or fallback}-{tag}"


def _slug_words(text: str) -> list[str]:
    """The runs of letters and digits (with their marks) of ``text``, lower-case."""
    kept: list[str] = []
    latin = False
    for ch in unicodedata.normalize("NFKD", text):
        if unicodedata.combining(ch):
            if not latin:
                kept.append(ch)
            continue
        latin = ch.isascii()
        kept.append(ch)
    folded = unicodedata.normalize("NFC", "".join(kept)).lower()
    words, word = [], ""
    for ch in folded:
        if unicodedata.category(ch)[0] in "LNM":
            word += ch
        elif word:
            words.append(word)
            word = ""
    return [*words, word] if word else words


def _cut(full: str) -> str:
    """At most SLUG_MAX characters and _SLUG_MAX_BYTES bytes, without a hyphen at the end."""
    cut = full[:SLUG_MAX]
    while len(cut.encode("utf-8", "surrogatepass")) > _SLUG_MAX_BYTES:
        cut = cut[:-1]
    return cut.strip("-")
