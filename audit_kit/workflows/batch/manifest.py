"""The batch's memory of earlier runs: per input, its SHA-256, the options, its row and report."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from audit_kit import __version__
from audit_kit.fsutil import write_atomic
from audit_kit.model.portfolio import ProgramRow

MANIFEST = ".audit-kit-batch.json"
WORK_DIR = ".audit-kit-work"
FORMAT = 1
_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Entry:
    """One input as processed: what it was, how, and what came of it.

    ``report`` is the PDF's final name; ``work`` the temporary one of a PDF written by a run
    that stopped before naming it.
    """

    sha256: str
    options: str
    row: ProgramRow
    report: str | None = None
    work: str | None = None


def file_sha256(path: Path) -> str:
    """SHA-256 (hex) of a file's bytes, read in pieces."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def options_key(
    *, reports: bool, full: bool, brand: str, previous: str, instrument: str = ""
) -> str:
    """What else decides a program's outputs besides its file: a change redoes them all."""
    doc = {
        "audit_kit": __version__,
        "reports": reports,
        "full": full,
        "brand": brand,
        "previous": previous,
        "instrument": instrument,
    }
    return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()


def work_name(key: str) -> str:
    """The temporary PDF name of an input (by its resolved path), stable across runs."""
    return hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()[:24] + ".pdf"


def load_manifest(folder: Path) -> tuple[dict[str, Entry], str | None]:
    """The entries of the last run in ``folder``, and a note when they could not be used (the
    batch then simply does everything again)."""
    path = folder / MANIFEST
    if not path.exists():
        return {}, None
    try:
        doc = json.loads(path.read_text("utf-8"))
        if doc.get("format") != FORMAT:
            return {}, f"{MANIFEST} is from another audit-kit version; every program is redone."
        entries = {
            key: Entry(
                sha256=value["sha256"],
                options=value["options"],
                row=ProgramRow.model_validate(value["row"]),
                report=value.get("report"),
                work=value.get("work"),
            )
            for key, value in doc["entries"].items()
        }
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}, f"{MANIFEST} could not be read; every program is redone."
    return entries, None


def save_manifest(folder: Path, entries: dict[str, Entry]) -> None:
    """Write the manifest atomically, entries sorted by input."""
    doc = {
        "format": FORMAT,
        "written_by": f"audit-kit {__version__}",
        "entries": {
            key: {
                "sha256": e.sha256,
                "options": e.options,
                "report": e.report,
                "work": e.work,
                "row": e.row.model_dump(mode="json", exclude_defaults=True),
            }
            for key, e in sorted(entries.items())
        },
    }
    write_atomic(folder / MANIFEST, json.dumps(doc, ensure_ascii=False).encode("utf-8"))
