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
    labelled: frozenset[int]  # every column with a header, read or not


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


def find_rows(book: Book, instrument: Instrument) -> Found:
    """Every row holding an item id, on every sheet but the Program and _meta sheets; and
    what the rows hold outside the columns read."""
    skip = {fold(lay.PROGRAM_SHEET), fold(lay.META_SHEET)}
    found = Found({}, {}, [])
    for title, cells in book.sheets.items():
        if fold(title) not in skip:
            status = _scan(book, title, cells, found, instrument)
            if status != "ok":
                found.unreadable[fold(title)] = status == "broken"
    return found


def named(instrument: Instrument, item_id: str) -> str:
    """An item as people read it in the workbook: its code, or the id of an unknown item."""
    return instrument.code(item_id) if instrument.has_item(item_id) else item_id


def _scan(book: Book, title: str, cells: Cells, found: Found, instrument: Instrument) -> Status:
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
    item_rows: dict[int, str] = {}
    for row in sorted({r for r, _ in cells if r > header.row}):
        item_id = _item_id(cells.get((row, id_col)))
        if item_id is not None:
            found.rows.setdefault(item_id, []).append(RowAt(title, row, columns))
            item_rows[row] = item_id
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
    found.problems += _unlabelled(book, title, cells, header, item_rows, instrument)
    found.problems += _merged(book, title, header, item_rows, instrument)
    return "ok"


def _unlabelled(
    book: Book,
    title: str,
    cells: Cells,
    header: Header,
    item_rows: dict[int, str],
    instrument: Instrument,
) -> list[Located]:
    """Content in an item's row under no header: an answer typed there would go unread."""
    answer = header.columns["answer"]
    problems: list[Located] = []
    for (row, col), raw in sorted(cells.items()):
        if row in item_rows and col not in header.labelled and not _blank(raw):
            problems.append(
                book.spot(title, row, col).problem(
                    f"this cell, in the row of {named(instrument, item_rows[row])}, is in a "
                    "column without a header, so it is not read; if it is the answer, move it "
                    f"to {lay.cell_name(row, answer)}; if it is a note of yours, give the column "
                    f"a header in row {header.row}",
                    "unlabelled-column",
                )
            )
    return problems


def _merged(
    book: Book, title: str, header: Header, item_rows: dict[int, str], instrument: Instrument
) -> list[Located]:
    """Cells of the columns read merged over several rows: one value would stand for several
    items, or an item would show a value that belongs to another row."""
    read = {col: key for key, col in header.columns.items()}
    problems: list[Located] = []
    for first_row, first_col, last_row, last_col in book.merges.get(title, []):
        if last_row == first_row or not any(first_col <= c <= last_col for c in read):
            continue
        covered = [item_rows[r] for r in range(first_row, last_row + 1) if r in item_rows]
        if not covered or (len(covered) == 1 and first_row in item_rows):
            continue
        cells = f"{lay.cell_name(first_row, first_col)}:{lay.cell_name(last_row, last_col)}"
        codes = [named(instrument, i) for i in covered]
        listed = ", ".join(codes[:-1]) + " and " + codes[-1] if len(codes) > 1 else codes[0]
        problems.append(
            book.spot(title, first_row, first_col).problem(
                f"cells {cells} are merged over the rows of {listed}, so one value would stand "
                "for several rows and only its first row would get it; unmerge them (Excel: Merge "
                "& Center > Unmerge Cells; LibreOffice: Format > Merge and Unmerge Cells) and "
                "fill in each item's own row",
                "merged-cells",
            )
        )
    return problems


def _header(cells: Cells) -> Header | None:
    """The first row within reach headed with at least the item id and answer columns."""
    wanted = {fold(lay.header(k)): k for k in lay.READ_COLUMNS}
    by_row: dict[int, list[tuple[int, str]]] = {}
    labelled: dict[int, set[int]] = {}
    for (row, col), raw in cells.items():
        if row <= lay.HEADER_SEARCH_ROWS and not _blank(raw):
            labelled.setdefault(row, set()).add(col)
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
            return Header(row, columns, duplicates, frozenset(labelled[row]))
    return None


def _blank(raw: Raw) -> bool:
    value = raw.value
    return value is None or (isinstance(value, str) and not value.strip())


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
