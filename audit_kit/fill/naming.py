"""Default file names: the program's name and the date, and a distinct name when that is taken."""

from __future__ import annotations

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
    """The name part of a default file name: the program's name as fsutil.slug writes it, the
    same as its report's ('casa-esperanza', 'центр-надежда'; a name with no letters or digits
    gets 'program-' and a short digest of the name)."""
    return slug(name, fallback="program")


def default_names(folder: Path, name: str, when: date, tries: int) -> Iterator[Path]:
    """``<stem>-<date>.json``, then ``<stem>-<date>-2.json``, ``-3`` … up to ``tries`` names."""
    stem = f"{file_stem(name)}-{when.isoformat()}"
    yield folder / f"{stem}.json"
    for n in range(2, tries + 1):
        yield folder / f"{stem}-{n}.json"
