"""Find each item's row on the item sheets by its id, wherever rows, columns and sheets moved."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from audit_kit.errors import Location, Problem
from audit_kit.formats.xlsx import layout as lay
from audit_kit.formats.xlsx.reader.cells import as_shown
from audit_kit.formats.xlsx.reader.load import NEW_TEMPLATE, Raw
from audit_kit.model.responses import fold

if TYPE_CHECKING:
    from audit_kit.formats.xlsx.reader.load import Book, Cells, Located
    from audit_kit.model.instrument import Instrument

Status = Literal["ok", "no-header", "broken"]  # broken: the header row has problems


@dataclass(frozen=True)
class Header:
    """A sheet's header row, and the column each read column key is in."""

    row: int
    columns: dict[str, int]  # the first column of each key headed
    duplicates: dict[str, list[int]]  # keys headed in more than one column: all their columns


@dataclass(frozen=True)
class RowAt:
    """Where one item's row is: its sheet, its row and the sheet's columns."""

    title: str
    row: int
    columns: dict[str, int]


@dataclass
class Found:
    """The item rows of a workbook and the problems met finding them."""

    rows: dict[str, list[RowAt]]  # by item id: more than one when the item is listed twice
    unreadable: dict[str, bool]  # by folded sheet title: header broken (True) or absent (False)
    problems: list[Located]


def find_rows(book: Book) -> Found:
    """Every row holding an item id, on every sheet but the Program and _meta sheets."""
    skip = {fold(lay.PROGRAM_SHEET), fold(lay.META_SHEET)}
    found = Found({}, {}, [])
    for title, cells in book.sheets.items():
        if fold(title) not in skip:
            status = _scan(book, title, cells, found)
            if status != "ok":
                found.unreadable[fold(title)] = status == "broken"
    return found


def _scan(book: Book, title: str, cells: Cells, found: Found) -> Status:
    """Find the item rows of one sheet, and rows holding answers without an item id."""
    header = _header(cells)
    if header is None:
        return "no-header"  # a sheet of the user's own, unless an item sheet lost it
    for key, cols in header.duplicates.items():
        listed = ", ".join(lay.cell_name(header.row, c) for c in cols)
        found.problems += [
            book.spot(title, header.row, c).problem(
                f"the '{lay.header(key)}' column appears more than once ({listed}); keep one",
                "duplicate-column",
            )
            for c in cols
        ]
    missing = [k for k in lay.REQUIRED_COLUMNS if k not in header.columns]
    found.problems += [
        (
            (book.order[title], header.row, 0),
            Problem(
                book.at(title, f"{header.row}:{header.row}"),
                f"the '{lay.header(key)}' column is missing from the header row; restore "
                "it (copy it from a new template)",
                "no-column",
            ),
        )
        for key in missing
    ]
    if missing or header.duplicates:
        return "broken"
    columns = header.columns
    id_col = columns["id"]
    for row in sorted({r for r, _ in cells if r > header.row}):
        item_id = _item_id(cells.get((row, id_col)))
        if item_id is not None:
            found.rows.setdefault(item_id, []).append(RowAt(title, row, columns))
            continue
        filled = [
            columns[k]
            for k in lay.READ_COLUMNS[1:]
            if k in columns and as_shown(cells.get((row, columns[k]), Raw("")))
        ]
        if filled:
            found.problems.append(
                book.spot(title, row, filled[0]).problem(
                    f"this row has no item id in {lay.cell_name(row, id_col)}, so what it "
                    "holds cannot be read; move it into the row of its item, or clear it",
                    "no-item-id",
                )
            )
    return "ok"


def _header(cells: Cells) -> Header | None:
    """The first row within reach headed with at least the item id and answer columns."""
    wanted = {fold(lay.header(k)): k for k in lay.READ_COLUMNS}
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
            return Header(row, columns, duplicates)
    return None


def _item_id(raw: Raw | None) -> str | None:
    if raw is None or not isinstance(raw.value, str):
        return None
    text = fold(raw.value)
    return text if lay.ITEM_ID_RE.match(text) else None


def duplicate(book: Book, item_id: str, rows: list[RowAt]) -> list[Located]:
    """One problem at each row of an item listed more than once."""
    where = [(at.title, at.row, lay.cell_name(at.row, at.columns["id"])) for at in rows]
    listed = ", ".join(str(Location(sheet=t, cell=cell)) for t, _, cell in where)
    return [
        (
            (book.order[title], row, 0),
            Problem(
                book.at(title, cell),
                f"{item_id} has more than one row ({listed}); keep one row per item",
                "duplicate-item",
            ),
        )
        for title, row, cell in where
    ]


def missing(book: Book, instrument: Instrument, found: Found) -> list[Located]:
    """Items without a row: one problem per item, or one per sheet when it is all gone."""
    expected = lay.domain_sheet_names(instrument)
    problems: list[Located] = []
    last = len(book.sheets)
    for domain in instrument.domains:
        sheet = expected[domain.id]
        title = book.titles.get(fold(sheet))
        items = [i for d in domain.dimensions for i in d.items]
        lost = [i for i in items if i.id not in found.rows]
        if not lost:
            continue
        if title is None and len(lost) == len(items):
            problems.append(
                (
                    (last, 0, 0),
                    Problem(
                        book.at(),
                        f"sheet {sheet} ({domain.title}, {len(items)} items) is missing; "
                        f"restore it with its answers, or {NEW_TEMPLATE}",
                        "missing-sheet",
                    ),
                )
            )
            continue
        if title is not None and found.unreadable.get(fold(title)):
            continue  # its header problem says it all
        if title is not None and fold(title) in found.unreadable:
            problems.append(
                (
                    (book.order[title], 0, 0),
                    Problem(
                        book.at(title),
                        f"no header row with '{lay.header('id')}' and "
                        f"'{lay.header('answer')}' in the first {lay.HEADER_SEARCH_ROWS} "
                        "rows, so this sheet's answers cannot be read; restore the header "
                        "row (copy it from a new template)",
                        "no-header",
                    ),
                )
            )
            continue
        position = book.order[title] if title is not None else last
        problems += [
            (
                (position, lay.MAX_ROWS + 1, 0),
                Problem(
                    book.at(sheet),
                    f"the row of {item.id} ({item.title}) is missing; it belongs on sheet "
                    f"{sheet}: restore the row (copy it from a new template) with its answer",
                    "missing-item",
                ),
            )
            for item in lost
        ]
    return problems
