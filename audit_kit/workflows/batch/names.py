"""Report file names in a batch: from the program's name and date, unique, inside the folder."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from audit_kit.fsutil import NAME_MAX, slug

#: Names the batch writes itself; no report may take them.
RESERVED = frozenset({"rollup.xlsx", "portfolio.pdf"})
_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_UNSAFE_RUN = re.compile(r"[^A-Za-z0-9]+")
MAX_STEM = 120  # characters before the suffix: room for "-NNN" and the date


def base_name(program: str | None, day: date | None) -> str:
    """'casa-esperanza-2026-10-01': the program's name made safe, and the date."""
    stem = _safe_part(slug(program or "", fallback="program"))
    return f"{stem}-{day.isoformat() if day else 'undated'}"


def _safe_part(text: str) -> str:
    """A name part that cannot leave the folder or hide itself, whatever slug() returns."""
    if not _SAFE.match(text) or ".." in text:
        text = _UNSAFE_RUN.sub("-", text).strip("-") or "program"
    return text[:MAX_STEM].rstrip("-.") or "program"


def assign_names(
    wanted: Iterable[tuple[str, str, str | None]], taken: Iterable[str], suffix: str = ".pdf"
) -> dict[str, str]:
    """A unique file name for each (key, base name, name it had last time), in the order given.

    A key keeps last time's name when that still fits its base and is free; otherwise it gets
    the base, then base-2, base-3, ... Names compare case-blind (some file systems do), and
    none is in ``taken`` or RESERVED.
    """
    wanted = list(wanted)
    used = {n.casefold() for n in (*taken, *RESERVED)}
    names: dict[str, str] = {}
    for key, base, before in wanted:
        if before and _fits(before, base, suffix) and before.casefold() not in used:
            names[key] = before
            used.add(before.casefold())
    for key, base, _ in wanted:
        if key in names:
            continue
        name, n = f"{base}{suffix}", 1
        while name.casefold() in used:
            n += 1
            name = f"{base}-{n}{suffix}"
        names[key] = name
        used.add(name.casefold())
    return names


def _fits(name: str, base: str, suffix: str) -> bool:
    if not name.endswith(suffix):
        return False
    stem = name[: -len(suffix)]
    return stem == base or re.fullmatch(re.escape(base) + r"-\d+", stem) is not None


def inside(folder: Path, name: str) -> Path:
    """``folder / name``, refusing any name that is not one plain file name inside it."""
    if (
        not _SAFE.match(name)
        or name in (".", "..")
        or len(os.fsencode(name)) > NAME_MAX
        or Path(name).name != name
    ):
        raise ValueError(f"unsafe output name {name!r}")
    path = folder / name
    if path.resolve().parent != folder.resolve():
        raise ValueError(f"output name {name!r} leaves {folder}")
    return path
