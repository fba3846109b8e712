"""Tables tools export (CSV, or the first sheet of an .xlsx) read safely into records; CSV written
so that no spreadsheet takes a value for a formula."""

from __future__ import annotations

import csv
import io
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from io import BytesIO
from typing import TYPE_CHECKING

from audit_kit.errors import InputFileError, Location, Problem, ResponsesError
from audit_kit.formats.interchange.fields import INSTRUMENT_FIELD, INSTRUMENT_LABEL
from audit_kit.formats.interchange.records import (
    Cell,
    Imported,
    Record,
    Slot,
    instrument_named,
    labels,
    no_instrument,
    read_records,
    required_slots,
    slots,
)
from audit_kit.model.responses import fold

if TYPE_CHECKING:
    from pathlib import Path

    from audit_kit.model.instrument import Instrument

MiB = 1024 * 1024
MAX_CSV_BYTES = 20 * MiB
MAX_ROWS = 5000  # programs in one export: far more than any consultant's caseload
MAX_COLS = 2000
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# what looks like the field of an item (code and suffix) but is not one of this instrument's
_ITEM_FIELD = re.compile(r"^[a-z][a-z0-9]{0,7}_[0-9]{1,3}(?:_na|_reason|_evidence|_note)?$")
_GROUP_SEPARATORS = re.compile(r"[/\-.:]")


@dataclass
class Table:
    """A header and rows of cells; row numbers count the header as row 1, as spreadsheets do."""

    shown: str
    header: list[str]
    rows: list[tuple[int, list[Cell | None]]] = field(default_factory=list)
    sheet: str | None = None

    def at(self, row: int, col: int) -> Location:
        """Where a cell is, in the user's terms."""
        if self.sheet is not None:
            return Location(file=self.shown, sheet=self.sheet, cell=f"{_letters(col + 1)}{row}")
        name = self.header[col] if col < len(self.header) else f"column {col + 1}"
        return Location(file=self.shown, path=f"row {row}, {name}")

    def column(self, col: int) -> Location:
        """Where a column's header is."""
        return self.at(1, col)


def _letters(n: int) -> str:
    letters = ""
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def escape(text: str) -> str:
    """A value no spreadsheet opening the CSV runs as a formula (the OWASP rule: a leading
    ``= + - @``, tab or carriage return gets a ``'`` in front)."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_bytes(rows: list[list[str]]) -> bytes:
    """CSV as spreadsheets and REDCap read it: UTF-8 with a byte-order mark, CRLF, every value
    escaped."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([escape(value) for value in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def read_csv(path: Path, what: str) -> Table:
    """Read a CSV export: UTF-8 (with or without a byte-order mark), comma, semicolon or tab."""
    from audit_kit.fsutil import read_input

    shown = str(path)
    raw = read_input(path, MAX_CSV_BYTES, what, "export only the records or forms you need")
    text = _decode(raw, shown)
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    table: Table | None = None
    try:
        for number, values in enumerate(reader, start=1):
            if table is None:
                if len(values) > MAX_COLS:
                    raise _too_wide(shown, len(values))
                table = Table(shown, [v.strip() for v in values])
                continue
            if number - 1 > MAX_ROWS:
                raise _too_long(shown)
            cells: list[Cell | None] = []
            for col, value in enumerate(values):
                if col >= len(table.header):
                    if value.strip():
                        raise InputFileError.single(
                            f"row {number} has {len(values)} values but the header has "
                            f"{len(table.header)} columns; export the file again, or remove "
                            "what was added after the last column",
                            file=shown,
                            code="ragged",
                        )
                    continue
                cells.append(Cell(value, table.at(number, col)) if value.strip() else None)
            table.rows.append((number, cells))
    except csv.Error as exc:
        raise InputFileError.single(
            f"the CSV cannot be read near line {reader.line_num} ({exc}); export it again",
            file=shown,
            code="csv",
        ) from None
    if table is None or not any(table.header):
        raise InputFileError.single(
            "the file is empty; export the records again, with the header row",
            file=shown,
            code="empty",
        )
    return table


def _decode(raw: bytes, shown: str) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputFileError.single(
            "the file is UTF-16 text; export it again as CSV in UTF-8 (in Excel: Save As, "
            "'CSV UTF-8 (comma delimited)')",
            file=shown,
            code="encoding",
        )
    if raw.startswith(b"PK\x03\x04"):
        raise InputFileError.single(
            "this is an .xlsx workbook, not a CSV file; give it a name ending in .xlsx",
            file=shown,
            code="format",
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputFileError.single(
            f"the file is not UTF-8 text (byte {exc.start}); export it again from the tool "
            "(Kobo, ODK Central and REDCap write UTF-8), or save it from a spreadsheet as "
            "'CSV UTF-8'",
            file=shown,
            code="encoding",
        ) from None
    if "\x00" in text:
        raise InputFileError.single(
            "the file holds NUL characters, so it is not a CSV export; export it again",
            file=shown,
            code="encoding",
        )
    return text


def _delimiter(text: str) -> str:
    """The separator that splits the header into the most columns (Kobo may use ';')."""
    first = text[: text.find("\n") if "\n" in text else len(text)]
    counts = {}
    for candidate in (",", ";", "\t"):
        try:
            counts[candidate] = len(next(csv.reader([first], delimiter=candidate), []))
        except csv.Error:
            counts[candidate] = 0
    return max(counts, key=lambda c: counts[c])


def _too_wide(shown: str, columns: int) -> InputFileError:
    return InputFileError.single(  # type: ignore[return-value]
        f"the header has {columns:,} columns, more than the {MAX_COLS:,} an export of this "
        "form can have; check that this is the right file",
        file=shown,
        code="too-wide",
    )


def _too_long(shown: str) -> InputFileError:
    return InputFileError.single(  # type: ignore[return-value]
        f"the file holds more than {MAX_ROWS:,} records; export fewer at a time",
        file=shown,
        code="too-long",
    )


def read_xlsx(path: Path) -> Table:
    """Read the first sheet of an .xlsx export, after the pre-flight checks of every workbook."""
    from audit_kit.formats.xlsx.guard import Limits, preflight
    from audit_kit.formats.xlsx.reader.load import failure_reason, read_failures

    shown = str(path)
    checked = preflight(path, Limits(rows=MAX_ROWS + 1, cols=MAX_COLS, cells=1_000_000))
    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = load_workbook(BytesIO(checked.data), read_only=True, data_only=False)
            try:
                ws = wb.worksheets[0]
                ws.reset_dimensions()
                table = Table(shown, [], sheet=ws.title)
                for n, row in enumerate(
                    ws.iter_rows(min_row=1, max_row=MAX_ROWS + 1, max_col=MAX_COLS), start=1
                ):
                    if n == 1:
                        table.header = [_header(c.value) for c in row]
                        continue
                    table.rows.append((n, [_cell(table, n, col, c) for col, c in enumerate(row)]))
            finally:
                wb.close()
    except read_failures() as exc:
        reason = failure_reason(exc)
        raise InputFileError.single(
            f"the workbook cannot be read ({reason}); export it again from the tool",
            file=shown,
            code="unreadable",
        ) from None
    while table.header and not table.header[-1]:
        table.header.pop()
    if not any(table.header):
        raise InputFileError.single(
            f"the first sheet ({table.sheet}) has no header row; export the data again with "
            "its headers",
            file=shown,
            code="empty",
        )
    return table


def _header(value: object) -> str:
    return "" if value is None else str(value).strip()


def _cell(table: Table, row: int, col: int, cell: object) -> Cell | None:
    value = getattr(cell, "value", None)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    formula = getattr(cell, "data_type", None) == "f"
    return Cell(value, table.at(row, col), formula=formula)


@dataclass(frozen=True)
class Columns:
    """Which column holds what: slots, the instrument reference, and columns naming a record."""

    slots: dict[int, Slot]
    instrument: int | None
    named: dict[str, int]  # lower-cased bare header → column, for the tool's own columns


def bare(header: str) -> str:
    """A header without the group path tools put in front ('dom_mat/mat_4', 'mat-mat_4')."""
    return _GROUP_SEPARATORS.split(header)[-1].strip().lower()


def instrument_column(table: Table) -> int | None:
    """The column naming the instrument the form was made from, if the export has it."""
    for col, header in enumerate(table.header):
        if bare(header) == INSTRUMENT_FIELD or fold(header) == fold(INSTRUMENT_LABEL):
            return col
    return None


def named_in(table: Table) -> Cell | None:
    """The first instrument reference in the rows."""
    col = instrument_column(table)
    if col is None:
        return None
    for _, cells in table.rows:
        cell = cells[col] if col < len(cells) else None
        if cell is not None:
            return cell
    return None


def map_columns(table: Table, instrument: Instrument) -> Columns:
    """Match every header to a field, by name (after any group path) or by label; refuse an
    export that lacks a field, holds one twice, or holds fields of another form version."""
    by_name = slots(instrument)
    by_label = labels(instrument)
    found: dict[int, Slot] = {}
    first: dict[Slot, int] = {}
    problems: list[Problem] = []
    for col, header in enumerate(table.header):
        if not header:
            continue
        name = bare(header)
        slot = by_label.get(fold(header)) or by_name.get(name)
        if slot is None:
            if _ITEM_FIELD.match(name):
                problems.append(
                    Problem(
                        table.column(col),
                        f"column {header!r} is not a field of the {instrument.ref} form; the "
                        "data may come from another version of the form: pass that instrument "
                        "with -i",
                        "unknown-column",
                    )
                )
            continue
        if slot in first:
            problems.append(
                Problem(
                    table.column(col),
                    f"column {header!r} holds the same field as column "
                    f"{table.header[first[slot]]!r}; keep one of them",
                    "duplicate-column",
                )
            )
            continue
        first[slot] = col
        found[col] = slot
    required = required_slots(instrument)
    missing = [name for slot, name in required.items() if slot not in first]
    where = Location(file=table.shown, sheet=table.sheet, path=None if table.sheet else "header")
    if len(missing) == len(required):
        problems.append(
            Problem(
                where,
                f"none of the fields of the {instrument.ref} form are in the header; export the "
                "data of the form made by `audit-kit export`, with its field names as headers",
                "not-this-form",
            )
        )
    elif missing:
        problems += [
            Problem(
                where,
                f"the column for {name} is missing; export every field of the form",
                "missing-column",
            )
            for name in missing
        ]
    if problems:
        raise ResponsesError(problems)
    named = {bare(h): col for col, h in enumerate(table.header) if h}
    return Columns(found, instrument_column(table), named)


def records(
    table: Table, columns: Columns, describe: Callable[[int, list[Cell | None]], str]
) -> list[Record]:
    """One record per row that holds anything of the form's (empty rows are left out)."""
    found: list[Record] = []
    for number, cells in table.rows:
        record = Record(describe(number, cells), Location(file=table.shown, path=f"row {number}"))
        if table.sheet is not None:
            record.where = Location(file=table.shown, sheet=table.sheet, cell=f"A{number}")
        for col, slot in columns.slots.items():
            record.spots[slot] = table.at(number, col)
            cell = cells[col] if col < len(cells) else None
            if cell is not None:
                record.cells[slot] = cell
        if columns.instrument is not None and columns.instrument < len(cells):
            record.instrument_ref = cells[columns.instrument]
        if record.cells:
            found.append(record)
    return found


def value_of(cells: list[Cell | None], col: int | None) -> str | None:
    """The text of a row's cell, if there is one."""
    if col is None or col >= len(cells) or cells[col] is None:
        return None
    value = cells[col].value  # type: ignore[union-attr]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip() or None


def import_table(
    table: Table,
    instrument: Instrument | None,
    describe: Callable[[Columns, int, list[Cell | None]], str],
) -> tuple[Instrument, list[Imported]]:
    """The programs in a table: the instrument given, or the one its rows name."""
    if instrument is None:
        ref = named_in(table)
        if ref is None:
            raise no_instrument(table.shown)
        instrument = instrument_named(ref, table.shown)
    columns = map_columns(table, instrument)
    found = records(table, columns, lambda n, cells: describe(columns, n, cells))
    return instrument, read_records(instrument, found, table.shown)
