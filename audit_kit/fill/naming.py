"""Default file names: the program's name and the date, and a distinct name when that is taken."""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from audit_kit.fsutil import slug
from audit_kit.model.responses import fold


def name_key(name: str) -> str:
    """A program name as compared: composed, spaces squashed, case folded."""
    return fold(unicodedata.normalize("NFC", name))


def same_program(stored: str | None, typed: str) -> bool:
    """Whether a file's program name is the name just typed (a missing name never is)."""
    return stored is not None and name_key(stored) == name_key(typed)


def file_stem(name: str) -> str:
    """The name part of a default file name.

    Latin-script names give their words ('casa-esperanza'); a name with no such words
    ('Центр Надежда', 'דרך חדשה') gives 'program-' and a short digest of the name, so that two
    of them never share a file and the same one finds its file again.
    """
    words = slug(name, fallback="")
    if words:
        return words
    digest = hashlib.sha256(name_key(name).encode("utf-8")).hexdigest()[:8]
    return f"program-{digest}"


def default_names(folder: Path, name: str, when: date, tries: int) -> Iterator[Path]:
    """``<stem>-<date>.json``, then ``<stem>-<date>-2.json``, ``-3`` … up to ``tries`` names."""
    stem = f"{file_stem(name)}-{when.isoformat()}"
    yield folder / f"{stem}.json"
    for n in range(2, tries + 1):
        yield folder / f"{stem}-{n}.json"
