"""Library entry points the CLI calls: read responses of any format, score them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from audit_kit.errors import InputFileError
from audit_kit.fsutil import check_input

if TYPE_CHECKING:
    from audit_kit.model.instrument import Instrument
    from audit_kit.model.responses import Responses
    from audit_kit.model.result import ScoreResult

_REFUSED_SUFFIXES = {
    ".xls": "is a legacy Excel 97-2003 workbook; open it and save it as .xlsx",
    ".xlsm": "is a macro-enabled workbook; save it as a plain .xlsx workbook (no macros)",
    ".xlsb": "is a binary Excel workbook; save it as .xlsx",
    ".ods": "is an OpenDocument spreadsheet; save it as Excel 2007-365 (.xlsx)",
    ".csv": "is a CSV file; fill in the .xlsx template from `audit-kit template` instead",
}


@dataclass(frozen=True)
class Assessment:
    """An instrument, the responses to it, and their score."""

    instrument: Instrument
    responses: Responses
    result: ScoreResult


def responses_format(path: Path) -> str:
    """'json' or 'xlsx', from the file name, or from the first bytes when the name says nothing."""
    suffix = path.suffix.lower()
    if suffix == ".json":
        return "json"
    if suffix == ".xlsx":
        return "xlsx"
    if suffix in _REFUSED_SUFFIXES:
        raise InputFileError.single(_REFUSED_SUFFIXES[suffix], file=str(path), code="format")
    check_input(path, "a responses .json or .xlsx")
    try:
        with path.open("rb") as handle:
            head = handle.read(64).lstrip()
    except OSError as exc:
        raise InputFileError.single(f"cannot be read ({exc.strerror})", file=str(path)) from None
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith((b"{", b"\xef\xbb\xbf{")):
        return "json"
    raise InputFileError.single(
        "is neither a responses .json nor an .xlsx workbook; give one of those",
        file=str(path),
        code="format",
    )


def read_responses(
    path: Path, instrument: str | Path | None = None
) -> tuple[Instrument, Responses]:
    """Read responses from .json or .xlsx, checked against the instrument.

    ``instrument`` is a bundled id or a file path; without it, the instrument the responses
    name is used (bundled).
    """
    from audit_kit.catalog import load_instrument

    loaded = load_instrument(instrument) if instrument is not None else None
    if responses_format(path) == "xlsx":
        from audit_kit.formats.xlsx.reader import read_workbook

        return read_workbook(path, loaded)
    from audit_kit.formats.responses_json import read_responses_json

    return read_responses_json(path, loaded)


def earlier_instrument(instrument: str | Path | None) -> str | Path | None:
    """The instrument to read an earlier assessment with, given the newer one's ``-i``: a
    custom instrument's file, which serves every assessment made with it; never a bundled id,
    since the earlier assessment may be of another bundled version (it is read with the
    version it names)."""
    from audit_kit.catalog import names_a_file

    return instrument if instrument is not None and names_a_file(instrument) else None


def assess(path: Path, instrument: str | Path | None = None) -> Assessment:
    """Read responses and score them."""
    from audit_kit.scoring import score

    loaded, responses = read_responses(path, instrument)
    return Assessment(loaded, responses, score(loaded, responses))
