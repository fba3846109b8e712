"""Find the assessments a batch is given: every .xlsx and .json under the inputs."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from audit_kit.errors import AuditKitError, InputFileError, Location, Problem

SUFFIXES = (".xlsx", ".json")


def _skipped_name(name: str) -> bool:
    """Hidden files, office lock files ('~$x.xlsx', '.~lock.x#') and our own temporary files."""
    return name.startswith((".", "~$"))


def find_inputs(inputs: Iterable[Path], out_dir: Path | None = None) -> list[Path]:
    """Every assessment file named or found under the folders named, sorted, each once.

    A file named outright is taken whatever its name (the reader says what is wrong with it);
    folders are searched for .xlsx and .json files, leaving out hidden and lock files and
    anything inside ``out_dir`` (the batch's own roll-up must not become an input). A
    symbolic link to a folder is not followed.
    """
    problems: list[Problem] = []
    found: dict[Path, Path] = {}
    skip = out_dir.resolve() if out_dir is not None else None
    for given in inputs:
        try:
            is_dir, is_file = given.is_dir(), given.exists()
        except OSError as exc:
            problems.append(
                Problem(Location(file=str(given)), f"cannot be read ({exc})", "unreadable")
            )
            continue
        if not is_file:
            problems.append(
                Problem(
                    Location(file=str(given)), "no such file or folder; check the path", "missing"
                )
            )
            continue
        if not is_dir:
            found.setdefault(given.resolve(), given)
            continue
        for path in _walk(given, skip):
            found.setdefault(path.resolve(), path)
    if problems:
        raise InputFileError(problems)
    return sorted(found.values(), key=lambda p: (str(p).casefold(), str(p)))


def _walk(folder: Path, skip: Path | None) -> list[Path]:
    out = []
    for root, dirs, files in os.walk(folder, followlinks=False):
        here = Path(root)
        if skip is not None and _within(here, skip):
            dirs[:] = []
            continue
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if _skipped_name(name) or not name.lower().endswith(SUFFIXES):
                continue
            out.append(here / name)
    return out


def _within(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder)
    except ValueError:
        return False
    return True


def no_inputs(inputs: list[Path]) -> AuditKitError:
    """The error for inputs that hold no assessment at all."""
    shown = ", ".join(str(p) for p in inputs)
    return InputFileError.single(
        f"no .xlsx or .json assessment found in {shown}; give the files or the folders that "
        "hold them",
        code="no-inputs",
    )
