"""Report file names in a batch: from the program's name and date, unique, inside the folder."""

from __future__ import annotations

import contextlib
import os
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from pathlib import Path

from audit_kit.fsutil import NAME_MAX, make_folder, slug
from audit_kit.workflows.batch.manifest import WORK_DIR, Entry, work_name

#: Names the batch writes itself; no report may take them.
RESERVED = frozenset({"rollup.xlsx", "portfolio.pdf"})
_UNSAFE_RUN = re.compile(r"\W+|_+")
MAX_STEM = 120  # characters before the suffix: room for "-NNN" and the date


def base_name(program: str | None, day: date | None) -> str:
    """'casa-esperanza-2026-10-01': the program's name made safe, and the date."""
    stem = _safe_part(slug(program or "", fallback="program"))
    return f"{stem}-{day.isoformat() if day else 'undated'}"


def _is_safe(name: str) -> bool:
    """Letters, digits and their marks of any script (as the report's default name keeps
    them), dots and hyphens, starting with a letter or digit: no separator, nothing hidden."""
    return (
        bool(name)
        and name[0].isalnum()
        and all(
            ch.isalnum() or ch in ".-" or unicodedata.category(ch).startswith("M") for ch in name
        )
    )


def _safe_part(text: str) -> str:
    """A name part that cannot leave the folder or hide itself, whatever slug() returns."""
    if not _is_safe(text) or ".." in text:
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
        not _is_safe(name)
        or name in (".", "..")
        or len(os.fsencode(name)) > NAME_MAX
        or Path(name).name != name
    ):
        raise ValueError(f"unsafe output name {name!r}")
    path = folder / name
    if path.resolve().parent != folder.resolve():
        raise ValueError(f"output name {name!r} leaves {folder}")
    return path


def name_reports(
    out_dir: Path,
    keys: list[str],
    entries: dict[str, Entry],
    done_now: set[str],
    reserved: Iterable[str] = (),
) -> None:
    """Give each report of this run (``keys``, in input order) its final name in ``out_dir``.

    Reports of inputs not in this run, or that failed this time, keep their names and files,
    and so does any PDF in the folder that a batch did not write.
    """
    current = set(keys)
    taken = [
        e.report
        for k, e in entries.items()
        if (k not in current or not e.row.ok) and e.report and (out_dir / e.report).is_file()
    ]
    ours = {e.report for e in entries.values() if e.report}
    taken += [p.name for p in out_dir.glob("*.pdf") if p.name not in ours]
    taken += list(reserved)
    wanted = [
        (k, base_name(entries[k].row.program, entries[k].row.assessment_date), entries[k].report)
        for k in keys
        if k in entries
        and entries[k].row.ok
        and (entries[k].work or (entries[k].report and k not in done_now))
    ]
    place_reports(out_dir, entries, assign_names(wanted, taken))


def place_reports(out_dir: Path, entries: dict[str, Entry], names: dict[str, str]) -> None:
    """Move new PDFs to their names, and rename or remove reports whose name changed."""
    work = out_dir / WORK_DIR
    moves = []
    for key, name in names.items():
        entry = entries[key]
        target = inside(out_dir, name)
        source = work / entry.work if entry.work else out_dir / str(entry.report)
        if source != target:
            moves.append((key, source, target, entry.report))
    # first everything out of the way, then into place: two reports may swap names
    staged = []
    for key, source, target, old in moves:
        step = work / f"{work_name(key)}.move"
        make_folder(work)
        os.replace(source, step)
        staged.append((key, step, target, old))
    assigned = set(names.values())
    for key, step, target, old in staged:
        os.replace(step, target)
        entries[key] = replace(entries[key], report=target.name, work=None)
        if old and old != target.name and old not in assigned:
            with contextlib.suppress(OSError):
                (out_dir / old).unlink()
    for key, name in names.items():
        if entries[key].report != name:
            entries[key] = replace(entries[key], report=name, work=None)
