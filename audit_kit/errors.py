"""Errors the user can fix: one base type carrying located problems, shown by the CLI as exit 2."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# What a message line must not carry to a terminal: control characters (escape sequences start
# with one), line and paragraph separators, bidirectional overrides and lone surrogates.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def printable(text: str) -> str:
    """``text`` with every character a terminal would act on written as an escape (``\\x1b``),
    so that a message shows what the file holds and stays on one line."""
    return _UNSAFE.sub(_escaped, text)


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


@dataclass(frozen=True)
class Location:
    """Where a problem is, in the user's own coordinates.

    ``file`` is the path as the user gave it; ``sheet``/``cell`` are workbook coordinates
    (``MAT!E14``); ``path`` is a place inside a JSON or YAML document
    (``domains[0].dimensions[1].items[3].weight``); ``line``/``column`` point into raw text.
    """

    file: str | None = None
    sheet: str | None = None
    cell: str | None = None
    path: str | None = None
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        parts: list[str] = []
        if self.file:
            where = self.file
            if self.line is not None:
                where += f":{self.line}" + (f":{self.column}" if self.column else "")
            parts.append(where)
        elif self.line is not None:
            parts.append(f"line {self.line}" + (f", column {self.column}" if self.column else ""))
        if self.sheet and self.cell:
            parts.append(f"{_sheet_ref(self.sheet)}!{self.cell}")
        elif self.sheet:
            parts.append(f"sheet {self.sheet!r}")
        if self.path:
            parts.append(self.path)
        return ": ".join(parts)


def _sheet_ref(sheet: str) -> str:
    """Quote a sheet name the way spreadsheets do when it is not a plain word."""
    if sheet.replace("_", "").isalnum():
        return sheet
    return "'" + sheet.replace("'", "''") + "'"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where, what, and how to fix it (in ``message``)."""

    location: Location
    message: str
    code: str = "invalid"

    def __str__(self) -> str:
        where = str(self.location)
        return printable(f"{where}: {self.message}" if where else self.message)


class AuditKitError(Exception):
    """Base of every error caused by what the user passed; carries all problems found."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        if not self.problems:
            raise ValueError("an AuditKitError needs at least one problem")
        super().__init__("\n".join(str(p) for p in self.problems))

    @classmethod
    def single(
        cls, message: str, code: str = "invalid", **where: str | int | None
    ) -> AuditKitError:
        """Build an error holding one problem at the given location."""
        return cls([Problem(Location(**where), message, code)])  # type: ignore[arg-type]


class InstrumentError(AuditKitError):
    """The instrument definition (YAML/JSON) is unreadable or inconsistent."""


class ResponsesError(AuditKitError):
    """A responses file (JSON or workbook) does not fit the instrument."""


class InputFileError(AuditKitError):
    """An input file cannot be read at all (missing, wrong format, unsafe, too large)."""


class OutputError(AuditKitError):
    """An output cannot be written where asked (exists, folder missing, not writable)."""
