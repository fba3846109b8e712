"""Read a filled assessment workbook: forgiving about what people type, every problem located."""

from __future__ import annotations

import re
import warnings
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any

from audit_kit.errors import InputFileError, InstrumentError, Location, Problem, ResponsesError
from audit_kit.formats.xlsx import layout as lay
from audit_kit.model.responses import NA_WORDS, fold, squash
from audit_kit.model.vocab import AnswerKind, Setting

if TYPE_CHECKING:
    from audit_kit.formats.xlsx.guard import Checked
    from audit_kit.model.instrument import Instrument, Item
    from audit_kit.model.responses import Answer, AnswerProblem, AnswerValue, Responses

_INSTRUMENT_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")
_PERCENT = re.compile(r"^([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*%$")
# "3 - capable", "3: capable", "3) capable", "3 capable": a score followed by words
_SCORE_WORDS = re.compile(r"^(\d)(?:\s*[-–—:=).]\s*|\s+)[^\d\s.,]")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_YES = frozenset({"yes", "y", "true", "1"})
_NO = frozenset({"no", "n", "false", "0"})
_NOT_READ = frozenset({fold(lay.INSTRUCTIONS_SHEET), fold(lay.LISTS_SHEET)})

_NEW_TEMPLATE = "make a new template with `audit-kit template` and copy the answers into it"


@dataclass(frozen=True)
class Raw:
    """One non-empty cell as read: its value (a formula's saved result) and how it is held."""

    value: object
    error: bool = False  # a spreadsheet error such as #N/A or #REF!
    formula: bool = False
    percent: bool = False  # a number shown as a percentage (85% is held as 0.85)


Cells = dict[tuple[int, int], Raw]


class _NotApplicable:
    """Marker: the cell says "not applicable"."""


NA = _NotApplicable()

Order = tuple[int, int, int]  # sheet position, row, column: problems are listed in this order


@dataclass(frozen=True)
class _Spot:
    """Where something was read, and where its problems sort."""

    order: Order
    location: Location


@dataclass(frozen=True)
class _ItemRow:
    """Where one item's cells are, and what its answer cell held."""

    spots: dict[str, _Spot]
    answer: Raw | None


def read_workbook(path: Path, instrument: Instrument | None) -> tuple[Instrument, Responses]:
    """Read a filled workbook and check it against its instrument; every problem at once.

    Without ``instrument``, the bundled instrument named on the hidden _meta sheet is used. The
    file passes the guards of xlsx_guard first, and is never written to.
    """
    from audit_kit.formats.xlsx.guard import preflight

    shown = str(path)
    book = _load(preflight(path), shown)
    return _Reader(book, shown).read(instrument)


def _load(checked: Checked, shown: str) -> dict[str, Cells]:
    """Every non-empty cell of every sheet worth reading; parser failures become one message."""
    import zipfile
    import zlib
    from xml.etree.ElementTree import ParseError

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        with warnings.catch_warnings():
            # openpyxl warns about parts it does not keep (extensions, odd styles): we only read
            warnings.simplefilter("ignore")
            book = _cells(load_workbook(BytesIO(checked.data), read_only=True, data_only=True))
            if checked.has_formulas:
                formulas = load_workbook(BytesIO(checked.data), read_only=True, data_only=False)
                _mark_formulas(book, formulas)
    except (
        zipfile.BadZipFile,
        InvalidFileException,
        KeyError,
        IndexError,
        ValueError,
        TypeError,
        ParseError,
        zlib.error,
        EOFError,
        OSError,
    ) as exc:
        reason = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise InputFileError.single(
            f"the workbook cannot be read ({reason}); open it in Excel or LibreOffice, save it "
            f"as .xlsx and try again, or {_NEW_TEMPLATE}",
            code="unreadable",
            file=shown,
        ) from None
    return book


def _sheets(wb: Any) -> Iterable[Any]:
    for ws in wb.worksheets:
        if fold(ws.title) not in _NOT_READ:
            # the declared size may be wrong; rows are read to the last real cell instead
            ws.reset_dimensions()
            yield ws


def _cells(wb: Any) -> dict[str, Cells]:
    try:
        book: dict[str, Cells] = {}
        for ws in _sheets(wb):
            cells: Cells = {}
            # bounded: the guard has refused anything beyond these already
            for row in ws.iter_rows(min_row=1, max_row=lay.MAX_ROWS):
                for cell in row[: lay.MAX_COLS]:
                    value = cell.value
                    if value is None:
                        continue
                    kind = cell.data_type
                    percent = kind == "n" and "%" in (cell.number_format or "")
                    cells[(cell.row, cell.column)] = Raw(value, error=kind == "e", percent=percent)
            book[ws.title] = cells
        return book
    finally:
        wb.close()


def _mark_formulas(book: dict[str, Cells], wb: Any) -> None:
    try:
        for ws in _sheets(wb):
            cells = book.get(ws.title)
            if cells is None:
                continue
            for row in ws.iter_rows(min_row=1, max_row=lay.MAX_ROWS):
                for cell in row[: lay.MAX_COLS]:
                    if cell.value is not None and cell.data_type == "f":
                        key = (cell.row, cell.column)
                        saved = cells.get(key)
                        cells[key] = Raw(
                            None if saved is None else saved.value,
                            error=saved is not None and saved.error,
                            formula=True,
                            percent=saved is not None and saved.percent,
                        )
    finally:
        wb.close()


def _tidy(number: float) -> int | float:
    number = round(number, 9)  # 0.85 * 100 is 85.00000000000001
    return int(number) if number.is_integer() else number


def _shown(raw: Raw) -> str:
    """A cell's value as the person sees it, for messages."""
    value = raw.value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime) and value.time() == time(0):
        return value.date().isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return squash(str(value))


class _Reader:
    """One pass over a loaded workbook, collecting every problem before raising."""

    def __init__(self, book: dict[str, Cells], shown: str) -> None:
        self.book = book
        self.shown = shown
        self.titles = {fold(title): title for title in book}
        self.order = {title: n for n, title in enumerate(book)}

    def at(self, sheet: str | None = None, cell: str | None = None) -> Location:
        return Location(file=self.shown, sheet=sheet, cell=cell)

    def sheet(self, name: str) -> tuple[str, Cells] | None:
        title = self.titles.get(fold(name))
        return None if title is None else (title, self.book[title])

    def read(self, instrument: Instrument | None) -> tuple[Instrument, Responses]:
        """Identify the instrument, then read the Program sheet and every item row."""
        from audit_kit.model.responses import Responses, check_answers

        instrument = self.identify(instrument)
        fields, problems = self.program()
        setting = fields.get("setting")
        answers, rows, located = self.items(instrument)
        canonical, answer_problems = check_answers(instrument, answers, setting)
        located += [self.place(instrument, found, rows) for found in answer_problems]
        problems += [p for _, p in sorted(located, key=lambda pair: pair[0])]
        if problems:
            raise ResponsesError(problems)
        responses = Responses(
            instrument_id=instrument.id,
            instrument_version=instrument.version,
            program=fields["program"],
            assessor=fields["assessor"],
            assessment_date=fields["assessment_date"],
            answers=canonical,
        )
        return instrument, responses

    # -- the hidden identity sheet -------------------------------------------------------------

    def identify(self, instrument: Instrument | None) -> Instrument:
        """The instrument to read against, checked to be the one the workbook was made for."""
        from audit_kit.catalog import load_bundled
        from audit_kit.model.responses import check_identity

        found = self.sheet(lay.META_SHEET)
        if found is None:
            if instrument is not None:
                return instrument  # sheets copied into another workbook: the item ids decide
            raise ResponsesError.single(
                "this workbook has no hidden audit-kit _meta sheet, so the instrument it answers "
                "is unknown (it was not made by `audit-kit template`, or its sheets were copied "
                f"into another workbook); pass --instrument, or {_NEW_TEMPLATE}",
                code="no-meta",
                file=self.shown,
            )
        title, cells = found
        keys = {
            raw.value.strip(): row
            for (row, col), raw in sorted(cells.items(), reverse=True)
            if col == 1 and row <= lay.META_SEARCH_ROWS and isinstance(raw.value, str)
        }
        meta: dict[str, tuple[str | None, Location]] = {}
        for key in lay.META_KEYS:
            row = keys.get(key, lay.META_ROW[key])
            raw = cells.get((row, 2))
            usable = raw is not None and raw.value is not None and not raw.error
            meta[key] = (_shown(raw) if usable else None, self.at(title, lay.cell_name(row, 2)))

        def fail(key: str, message: str, code: str = "bad-meta") -> ResponsesError:
            return ResponsesError([Problem(meta[key][1], message, code)])

        if meta["format"][0] != lay.FORMAT_TAG:
            raise fail("format", f"the _meta sheet is not audit-kit's; {_NEW_TEMPLATE}", "no-meta")
        for key in lay.META_KEYS[1:]:
            if not meta[key][0]:
                raise fail(key, f"the _meta sheet is damaged ({key} is missing); {_NEW_TEMPLATE}")
        layout, ident, version, checksum = (meta[k][0] or "" for k in lay.META_KEYS[1:])
        if not layout.isdigit():
            raise fail("layout_version", f"the _meta sheet is damaged; {_NEW_TEMPLATE}")
        if int(layout) > lay.LAYOUT_VERSION:
            raise fail(
                "layout_version",
                f"the workbook was made by a newer audit-kit (layout {layout}; this one reads up "
                f"to {lay.LAYOUT_VERSION}); upgrade audit-kit",
                "newer-layout",
            )
        if instrument is None:
            if not _INSTRUMENT_ID.match(ident):
                raise fail("instrument_id", f"{ident!r} is not an instrument id; {_NEW_TEMPLATE}")
            try:
                instrument = load_bundled(ident)
            except InstrumentError as exc:
                if exc.problems[0].code != "unknown-instrument":
                    raise ResponsesError(
                        Problem(meta["instrument_id"][1], p.message, p.code) for p in exc.problems
                    ) from None
                raise fail(
                    "instrument_id",
                    f"the workbook was made for instrument {ident!r}, which is not bundled with "
                    "audit-kit; pass its .yaml or .json file with --instrument",
                    "unknown-instrument",
                ) from None
        wrong = check_identity(instrument, ident, version)
        if wrong:
            raise ResponsesError(Problem(meta[p.field][1], p.message, p.code) for p in wrong)
        if checksum != lay.instrument_checksum(instrument):
            raise fail(
                "checksum",
                f"this workbook was made from a different edition of {instrument.id} "
                f"{instrument.version}: its items, answers or scoring differ from the instrument "
                f"loaded. Pass the instrument file it was made from with --instrument, or "
                f"{_NEW_TEMPLATE}",
                "wrong-edition",
            )
        return instrument

    # -- the Program sheet ---------------------------------------------------------------------

    def program(self) -> tuple[dict[str, Any], list[Problem]]:
        """The program details (keys program, setting, assessor, assessment_date) and problems."""
        from pydantic import ValidationError

        from audit_kit.model.responses import Program, Responses

        found = self.sheet(lay.PROGRAM_SHEET)
        if found is None:
            return {}, [
                Problem(
                    self.at(),
                    f"the {lay.PROGRAM_SHEET} sheet is missing (it names the program, setting and "
                    f"date); restore it, or {_NEW_TEMPLATE}",
                    "no-program",
                )
            ]
        title, cells = found
        labels = {fold(f.label): f for f in lay.PROGRAM_FIELDS}
        matches: dict[str, list[tuple[int, int]]] = {}
        for (row, col), raw in sorted(cells.items()):
            if row <= lay.PROGRAM_SEARCH_ROWS and col <= lay.PROGRAM_SEARCH_COLS:
                field = labels.get(fold(raw.value)) if isinstance(raw.value, str) else None
                if field is not None:
                    matches.setdefault(field.key, []).append((row, col))
        columns = Counter(col for spots in matches.values() for _, col in spots)
        label_col = columns.most_common(1)[0][0] if columns else lay.PROGRAM_LABEL_COL
        problems: list[Problem] = []
        places: dict[str, Location] = {}
        values: dict[str, Any] = {}
        for field in lay.PROGRAM_FIELDS:
            spots = matches.get(field.key)
            if not spots:
                problems.append(
                    Problem(
                        self.at(title),
                        f"the '{field.label}' line is missing; restore it (its label in column "
                        f"{lay.column_letter(lay.PROGRAM_LABEL_COL)}, the value beside it)",
                        "program-field",
                    )
                )
                continue
            row, col = next(((r, c) for r, c in spots if c == label_col), spots[0])
            where = self.at(title, lay.cell_name(row, col + 1))
            places[field.key] = where
            message, value = self.program_value(field.key, cells.get((row, col + 1)))
            if message:
                problems.append(Problem(where, message, "program-field"))
            else:
                values[field.key] = value
        if problems:
            return {"setting": values.get("setting")}, problems
        program_fields = {
            k: values[k] for k in ("name", "setting", "hospital_based", "populations")
        }
        try:
            program = Program.model_validate(program_fields)
            Responses.model_validate(
                {
                    "instrument_id": "x",
                    "instrument_version": "1",
                    "program": program,
                    "assessor": values["assessor"],
                    "assessment_date": values["assessment_date"],
                }
            )
        except ValidationError as exc:
            for err in exc.errors(include_url=False):
                key = next((str(p) for p in err["loc"] if str(p) in places), None)
                where = places[key] if key else self.at(title)
                problems.append(Problem(where, _pydantic_message(err), "program-field"))
            return {"setting": values["setting"]}, problems
        return {
            "program": program,
            "setting": values["setting"],
            "assessor": values["assessor"],
            "assessment_date": values["assessment_date"],
        }, []

    def program_value(self, key: str, raw: Raw | None) -> tuple[str | None, Any]:
        """(problem message, None) or (None, the value) for one Program sheet cell."""
        broken = _broken(raw, "the value")
        if broken:
            return broken, None
        text = "" if raw is None else _shown(raw)
        if key in ("name", "assessor"):
            kept = _text(raw) or ""  # as typed: inner spaces and line breaks are kept
            if key == "name" and not kept:
                return "the program name is empty; type the name of the program assessed", None
            return None, kept
        if key == "setting":
            return _setting(text)
        if key == "hospital_based":
            if raw is not None and isinstance(raw.value, bool):
                return None, raw.value
            folded = fold(text)
            if folded in _YES or folded in _NO:
                return None, folded in _YES
            said = f'"{text}" is not Yes or No' if text else "hospital-based is empty"
            return f"{said}; pick Yes if a hospital runs the program, else No", None
        if key == "populations":
            if raw is None:
                return None, []
            raw_text = raw.value if isinstance(raw.value, str) else text
            return None, lay.split_populations(raw_text)
        return _date(raw, text)

    # -- the domain sheets ---------------------------------------------------------------------

    def items(
        self, instrument: Instrument
    ) -> tuple[dict[str, Answer], dict[str, _ItemRow], list[tuple[Order, Problem]]]:
        """Answers by item id, where each item's row is, and located problems."""
        expected = lay.domain_sheet_names(instrument)
        skip = {fold(lay.PROGRAM_SHEET), fold(lay.META_SHEET)}
        problems: list[tuple[Order, Problem]] = []
        found: dict[str, list[tuple[str, int, dict[str, int]]]] = {}
        unreadable: dict[str, bool] = {}  # folded title: header broken (True) or absent (False)
        for title, cells in self.book.items():
            if fold(title) not in skip:
                status = self.scan_sheet(title, cells, found, problems)
                if status != "ok":
                    unreadable[fold(title)] = status == "broken"

        answers: dict[str, Answer] = {}
        rows: dict[str, _ItemRow] = {}
        for item_id, spots in found.items():
            if len(spots) > 1:
                problems += self.duplicate(item_id, spots)
                continue
            title, row, columns = spots[0]
            item = instrument.item(item_id) if instrument.has_item(item_id) else None
            answer, item_row, answer_problems = self.answer(title, row, columns, item)
            problems += answer_problems
            rows[item_id] = item_row
            if answer is not None:
                answers[item_id] = answer
        problems += self.missing(instrument, expected, found, unreadable)
        return answers, rows, problems

    def scan_sheet(
        self,
        title: str,
        cells: Cells,
        found: dict[str, list[tuple[str, int, dict[str, int]]]],
        problems: list[tuple[Order, Problem]],
    ) -> str:
        """Find the item rows of one sheet: 'ok', 'no-header' or 'broken' (header problems)."""
        order = self.order[title]
        header = _header(cells)
        if header is None:
            return "no-header"  # a sheet of the user's own, unless an item sheet lost it
        header_row, columns, duplicates = header
        for key, cols in duplicates.items():
            listed = ", ".join(lay.cell_name(header_row, c) for c in cols)
            problems += [
                (
                    (order, header_row, c),
                    Problem(
                        self.at(title, lay.cell_name(header_row, c)),
                        f"the '{_header_text(key)}' column appears more than once ({listed}); "
                        "keep one",
                        "duplicate-column",
                    ),
                )
                for c in cols
            ]
        missing = [k for k in lay.REQUIRED_COLUMNS if k not in columns]
        problems += [
            (
                (order, header_row, 0),
                Problem(
                    self.at(title, f"{header_row}:{header_row}"),
                    f"the '{_header_text(key)}' column is missing from the header row; restore "
                    "it (copy it from a new template)",
                    "no-column",
                ),
            )
            for key in missing
        ]
        if missing or duplicates:
            return "broken"
        id_col = columns["id"]
        for row in sorted({r for r, _ in cells if r > header_row}):
            item_id = _item_id(cells.get((row, id_col)))
            if item_id is not None:
                found.setdefault(item_id, []).append((title, row, columns))
                continue
            filled = [
                columns[k]
                for k in lay.READ_COLUMNS[1:]
                if k in columns and _shown(cells.get((row, columns[k]), Raw("")))
            ]
            if filled:
                problems.append(
                    (
                        (order, row, filled[0]),
                        Problem(
                            self.at(title, lay.cell_name(row, filled[0])),
                            f"this row has no item id in {lay.cell_name(row, id_col)}, so what it "
                            "holds cannot be read; move it into the row of its item, or clear it",
                            "no-item-id",
                        ),
                    )
                )
        return "ok"

    def duplicate(
        self, item_id: str, spots: list[tuple[str, int, dict[str, int]]]
    ) -> list[tuple[Order, Problem]]:
        """One problem at each row of an item listed more than once."""
        where = [(t, r, lay.cell_name(r, c["id"])) for t, r, c in spots]
        listed = ", ".join(str(Location(sheet=t, cell=cell)) for t, _, cell in where)
        return [
            (
                (self.order[title], row, 0),
                Problem(
                    self.at(title, cell),
                    f"{item_id} has more than one row ({listed}); keep one row per item",
                    "duplicate-item",
                ),
            )
            for title, row, cell in where
        ]

    def missing(
        self,
        instrument: Instrument,
        expected: dict[str, str],
        found: dict[str, list[tuple[str, int, dict[str, int]]]],
        unreadable: dict[str, bool],
    ) -> list[tuple[Order, Problem]]:
        """Items without a row: one problem per item, or one per sheet when it is all gone."""
        problems: list[tuple[Order, Problem]] = []
        last = len(self.book)
        for domain in instrument.domains:
            sheet = expected[domain.id]
            title = self.titles.get(fold(sheet))
            items = [i for d in domain.dimensions for i in d.items]
            lost = [i for i in items if i.id not in found]
            if not lost:
                continue
            if title is None and len(lost) == len(items):
                problems.append(
                    (
                        (last, 0, 0),
                        Problem(
                            self.at(),
                            f"sheet {sheet} ({domain.title}, {len(items)} items) is missing; "
                            f"restore it with its answers, or {_NEW_TEMPLATE}",
                            "missing-sheet",
                        ),
                    )
                )
                continue
            if title is not None and unreadable.get(fold(title)):
                continue  # its header problem says it all
            if title is not None and fold(title) in unreadable:
                problems.append(
                    (
                        (self.order[title], 0, 0),
                        Problem(
                            self.at(title),
                            f"no header row with '{_header_text('id')}' and "
                            f"'{_header_text('answer')}' in the first {lay.HEADER_SEARCH_ROWS} "
                            "rows, so this sheet's answers cannot be read; restore the header "
                            "row (copy it from a new template)",
                            "no-header",
                        ),
                    )
                )
                continue
            position = self.order[title] if title is not None else last
            problems += [
                (
                    (position, lay.MAX_ROWS + 1, 0),
                    Problem(
                        self.at(sheet),
                        f"the row of {item.id} ({item.title}) is missing; it belongs on sheet "
                        f"{sheet}: restore the row (copy it from a new template) with its answer",
                        "missing-item",
                    ),
                )
                for item in lost
            ]
        return problems

    def answer(
        self, title: str, row: int, columns: dict[str, int], item: Item | None
    ) -> tuple[Answer | None, _ItemRow, list[tuple[Order, Problem]]]:
        """One item row as an Answer (None when a cell is unusable), and where its cells are."""
        from pydantic import ValidationError

        from audit_kit.model.responses import Answer

        cells = self.book[title]
        order = self.order[title]
        spots = {
            key: _Spot((order, row, columns[key]), self.at(title, lay.cell_name(row, columns[key])))
            for key in lay.READ_COLUMNS
            if key in columns
        }
        raw_answer = cells.get((row, columns["answer"]))
        item_row = _ItemRow(spots, raw_answer)
        problems: list[tuple[Order, Problem]] = []
        fields: dict[str, Any] = {}
        if item is not None and raw_answer is not None:
            broken = _broken(raw_answer, "the answer")
            if broken:
                spot = spots["answer"]
                problems.append((spot.order, Problem(spot.location, broken, "bad-cell")))
            else:
                value = _answer_value(item, raw_answer)
                if isinstance(value, _NotApplicable):
                    fields["not_applicable"] = True
                elif value is not None:
                    fields["value"] = value
        for key in ("na_reason", "evidence", "note"):
            if key not in columns:
                continue
            raw = cells.get((row, columns[key]))
            broken = _broken(raw, "the text")
            if broken:
                problems.append(
                    (spots[key].order, Problem(spots[key].location, broken, "bad-cell"))
                )
                continue
            text = _text(raw)
            if text:
                fields[key] = text
        if problems:
            return None, item_row, problems
        try:
            return Answer.model_validate(fields), item_row, []
        except ValidationError as exc:
            for err in exc.errors(include_url=False):
                key = str(err["loc"][0]) if err["loc"] else "answer"
                spot = spots.get(key, spots["answer"])
                problems.append(
                    (spot.order, Problem(spot.location, _pydantic_message(err), "bad-cell"))
                )
            return None, item_row, problems

    def place(
        self,
        instrument: Instrument,
        problem: AnswerProblem,
        rows: dict[str, _ItemRow],
    ) -> tuple[Order, Problem]:
        """An instrument-check problem at the cell it is about, worded for the sheet."""
        assert problem.item_id is not None
        item_row = rows[problem.item_id]
        key = {"item": "id", "value": "answer", "not_applicable": "answer"}.get(
            problem.field, problem.field
        )
        spot = item_row.spots.get(key, item_row.spots["answer"])
        message = problem.message
        if problem.code == "bad-value":
            message = _bad_value(instrument.item(problem.item_id), item_row.answer)
        return spot.order, Problem(spot.location, message, problem.code)


def _header_text(key: str) -> str:
    return lay.COLUMNS[lay.COLUMN_INDEX[key] - 1].header


def _header(
    cells: Cells,
) -> tuple[int, dict[str, int], dict[str, list[int]]] | None:
    """The header row: its number, the column of each read column, and duplicated headers."""
    wanted = {fold(_header_text(k)): k for k in lay.READ_COLUMNS}
    by_row: dict[int, list[tuple[int, str]]] = {}
    for (row, col), raw in cells.items():
        value = raw.value
        if row <= lay.HEADER_SEARCH_ROWS and isinstance(value, str) and len(value) < 60:
            key = wanted.get(fold(value))
            if key is not None:
                by_row.setdefault(row, []).append((col, key))
    for row in sorted(by_row):
        found = sorted(by_row[row])
        keys = {key for _, key in found}
        if "id" in keys and "answer" in keys:
            columns: dict[str, int] = {}
            spots: dict[str, list[int]] = {}
            for col, key in found:
                columns.setdefault(key, col)
                spots.setdefault(key, []).append(col)
            duplicates = {k: v for k, v in spots.items() if len(v) > 1}
            return row, columns, duplicates
    return None


def _item_id(raw: Raw | None) -> str | None:
    if raw is None or not isinstance(raw.value, str):
        return None
    text = fold(raw.value)
    return text if lay.ITEM_ID_RE.match(text) else None


def _broken(raw: Raw | None, what: str) -> str | None:
    """Why a cell cannot be used at all (an error value, a formula without a result), or None."""
    if raw is None:
        return None
    if raw.error:
        return (
            f"the cell shows the error {raw.value}, not a value; replace the formula or text "
            f"with {what} itself"
        )
    if raw.formula and raw.value is None:
        return (
            "the cell holds a formula without a saved result; type "
            f"{what} itself, or open and save the file in Excel or LibreOffice so that the "
            "result is saved"
        )
    return None


def _text(raw: Raw | None) -> str | None:
    """A free-text cell (reason, evidence, note): kept as typed, trimmed; numbers as shown."""
    if raw is None:
        return None
    text = raw.value.strip() if isinstance(raw.value, str) else _shown(raw)
    return text or None


def _answer_value(item: Item, raw: Raw) -> AnswerValue | _NotApplicable | None:
    """What an answer cell says, made canonical where it can be; check_answers judges the rest."""
    from audit_kit.model.responses import normalize_value

    value = raw.value
    if isinstance(value, (bool, date | time | timedelta)):
        return _shown(raw)
    if isinstance(value, int | float):
        if item.kind is AnswerKind.PERCENT and raw.percent and -1e6 < value < 1e6:
            return _tidy(value * 100)
        return value
    text = squash(str(value))
    if not text:
        return None
    folded = fold(text)
    if item.kind is AnswerKind.CHOICE:
        if normalize_value(item, text) is not None:
            return text
        token = re.sub(r"[\s-]+", "_", folded)
        if normalize_value(item, token) is not None:
            return token
        return NA if folded in NA_WORDS else text
    if folded in NA_WORDS:
        return NA
    number: int | float | None = None
    if _NUMBER.match(text) and len(text) <= 20:  # a longer run of digits is no answer
        number = _tidy(float(text)) if "." in text else int(text)
    elif item.kind is AnswerKind.PERCENT and (match := _PERCENT.match(text)):
        number = _tidy(float(match.group(1)))
    elif item.kind is AnswerKind.SCALE and (match := _SCORE_WORDS.match(text)):
        number = int(match.group(1))
    if number is not None and normalize_value(item, number) is not None:
        return number
    return text


def _bad_value(item: Item, raw: Raw | None) -> str:
    from audit_kit.model.responses import answer_hint

    shown = _shown(raw) if raw is not None else ""
    if item.kind is AnswerKind.CHOICE:
        labels = ", ".join(c.label for c in item.choices or [])
        hint = f"pick one from the cell's list: {labels}" + (" or N/A" if item.allow_na else "")
    else:
        hint = f"choose {answer_hint(item)}"
    return f'"{shown}" is not an answer to {item.id}; {hint}'


def _setting(text: str) -> tuple[str | None, Setting | None]:
    labels = ", ".join(s.label for s in Setting)
    if not text:
        return f"the setting is empty; pick one from the list: {labels}", None
    folded = fold(text)
    token = re.sub(r"[\s-]+", "_", folded)
    for setting in Setting:
        if folded == fold(setting.label) or token == setting.value:
            return None, setting
    return f'"{text}" is not a setting; pick one from the list: {labels}', None


def _date(raw: Raw | None, text: str) -> tuple[str | None, date | None]:
    fix = "type it as YYYY-MM-DD (e.g. 2026-10-01) or enter a date"
    if raw is None or not text:
        return f"the assessment date is empty; {fix}", None
    value = raw.value
    if isinstance(value, datetime):
        return None, value.date()
    if isinstance(value, date):
        return None, value
    if isinstance(value, str) and _ISO_DATE.match(text):
        try:
            return None, date.fromisoformat(text)
        except ValueError:
            return f'"{text}" is not a real date; {fix}', None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{text} is a number, not a date; {fix}", None
    return f'"{text}" is not a date in the form YYYY-MM-DD; {fix}', None


def _pydantic_message(err: Any) -> str:
    if err["type"] == "string_too_long" and isinstance(err.get("input"), str):
        limit = err.get("ctx", {}).get("max_length")
        return (
            f"the text is too long ({len(err['input']):,} characters); shorten it to at most "
            f"{limit:,} characters"
        )
    message = str(err["msg"]).removeprefix("Value error, ")
    return message[0].lower() + message[1:]
