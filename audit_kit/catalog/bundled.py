"""The instruments and examples that ship with audit-kit, every released version of each."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from audit_kit.catalog.loader import SUFFIXES, load_instrument_file
from audit_kit.errors import InstrumentError

if TYPE_CHECKING:
    from audit_kit.model.instrument import Instrument

#: A bundled file is named after the instrument and its version: mat-tsf-cod-1.1.yaml.
_BUNDLED_NAME = re.compile(r"^(?P<id>[a-z0-9][a-z0-9-]*?)-(?P<version>\d+(?:\.\d+){0,2})$")
#: How an id and version are written on the command line: mat-tsf-cod@1.0.
_SPEC = re.compile(r"^(?P<id>[a-z0-9][a-z0-9-]*)@(?P<version>[0-9.]+)$")


@dataclass(frozen=True)
class BundledFile:
    """One bundled instrument file, with the id and version its name gives."""

    id: str
    version: str
    path: Path

    @property
    def order(self) -> tuple[int, ...]:
        """The version as numbers, for finding the newest."""
        return tuple(int(part) for part in self.version.split("."))


def bundled_dir() -> Path:
    """The folder of bundled questionnaires: inside the installed package, or the source tree."""
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "questionnaires", package.parent / "questionnaires"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("the bundled questionnaires folder is missing from this installation")


def examples_dir() -> Path:
    """The folder of bundled example assessments."""
    return bundled_dir() / "examples"


@cache
def _files(folder: Path) -> tuple[BundledFile, ...]:
    found = []
    for path in sorted(folder.iterdir()):
        match = _BUNDLED_NAME.match(path.stem)
        if path.suffix in SUFFIXES and path.is_file() and match:
            found.append(BundledFile(match["id"], match["version"], path))
    return tuple(sorted(found, key=lambda f: (f.id, f.order)))


def bundled_files() -> list[BundledFile]:
    """Every bundled instrument file, by id, oldest version first."""
    return list(_files(bundled_dir()))


def bundled_paths() -> list[Path]:
    """Every bundled instrument file, by id, oldest version first."""
    return [f.path for f in bundled_files()]


def bundled_ids() -> list[str]:
    """The ids of the bundled instruments."""
    return sorted({f.id for f in bundled_files()})


def list_bundled() -> list[Instrument]:
    """Every bundled instrument, every version, loaded and checked."""
    return [load_instrument_file(f.path) for f in bundled_files()]


def load_instrument(spec: str | Path) -> Instrument:
    """Load an instrument from a file path, or a bundled one by id (the newest version) or by
    ``id@version``.

    A bundled id wins over a file or folder of the same name in the current folder; write
    ``./name`` to mean the file.
    """
    if names_a_file(spec):
        return load_instrument_file(Path(spec))
    text = str(spec)
    versioned = _SPEC.match(text)
    if versioned:
        return load_bundled(versioned["id"], versioned["version"])
    return load_bundled(text)


def names_a_file(spec: str | Path) -> bool:
    """Whether ``spec`` names an instrument file rather than a bundled instrument."""
    text = str(spec)
    path = Path(text)
    if path.suffix.lower() in SUFFIXES or "/" in text or "\\" in text:
        return True
    if _SPEC.match(text) or text in bundled_ids():
        return False
    return path.exists()


def load_bundled(instrument_id: str, version: str | None = None) -> Instrument:
    """Load a bundled instrument by id (and version; the newest without one).

    Never a path, whatever the id looks like: responses name their instrument, and a file
    someone sends must not make us read other local files.
    """
    files = [f for f in bundled_files() if f.id == instrument_id]
    if not files:
        ids = bundled_ids()
        close = difflib.get_close_matches(instrument_id, ids, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise InstrumentError.single(
            f"no bundled instrument {_short(instrument_id)}; {hint}bundled: "
            f"{', '.join(ids) or 'none'}; or give the path of a .yaml or .json file",
            code="unknown-instrument",
        )
    if version is None:
        return load_instrument_file(files[-1].path)
    for found in files:
        if found.version == version:
            return load_instrument_file(found.path)
    raise InstrumentError.single(
        f"no version {_short(version)} of the bundled instrument {instrument_id!r}; bundled "
        "versions: "
        f"{', '.join(f.version for f in files)}; or give the path of its .yaml or .json file",
        code="unknown-version",
    )


def _short(text: str) -> str:
    """A name from a file, quoted in a message: its repr, cut short."""
    shown = repr(text)
    return shown if len(shown) <= 60 else shown[:59] + "…"
