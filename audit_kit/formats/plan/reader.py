"""Read an action plan back: each action's owner, due date, status and notes; problems located."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TYPE_CHECKING

from audit_kit.errors import AuditKitError, InputFileError, Location, Problem
from audit_kit.formats.plan import layout as lay
from audit_kit.formats.xlsx.layout import META_SHEET as ASSESSMENT_META_SHEET
from audit_kit.formats.xlsx.layout import cell_name
from audit_kit.formats.xlsx.reader.cells import as_shown, unusable
from audit_kit.model.responses import clean_text, fold, squash
from audit_kit.model.vocab import GapKind

if TYPE_CHECKING:
    from pathlib import Path

    from audit_kit.formats.xlsx.reader.load import Book, Cells, Raw

REMAKE = "make the plan again with `audit-kit plan RESPONSES` and copy the progress across"
_DATE_FIX = "type it as YYYY-MM-DD (e.g. 2026-12-31) or enter a date"
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_INSTRUMENT_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class PlanError(AuditKitError):
    """An action-plan workbook that cannot be read, or whose progress cells make no sense."""


@dataclass(frozen=True)
class PlanInfo:
    """Which assessment the plan was made from, as its hidden sheet records it."""

    instrument_id: str
    instrument_version: str
    program: str | None
    assessment_date: date | None
    fingerprint: str


@dataclass(frozen=True)
class Action:
    """One action of the plan and the progress typed against it.

    ``status`` is None when the action's row is no longer on the sheet (it was deleted).
    """

    code: str
    title: str
    kind: GapKind
    rank: int
    status: lay.Status | None
    owner: str | None = None
    due: date | None = None
    notes: str | None = None
    row: int | None = None

    def overdue(self, as_of: date) -> bool:
        """Due before ``as_of`` and neither done nor decided against."""
        return (
            self.status is not None
            and not self.status.closed
            and self.due is not None
            and self.due < as_of
        )


@dataclass(frozen=True)
class PlanProgress:
    """A plan as read back: what it belongs to, its actions in priority order, and the rows
    with something typed in them that are no action of this plan."""

    info: PlanInfo
    sheet: str
    actions: tuple[Action, ...]
    other_rows: tuple[int, ...]


def read_plan(path: Path) -> PlanProgress:
    """Read a plan workbook; every problem in its progress cells is raised at once (PlanError).

    The file passes the pre-flight checks of the workbook guard first, and is never written to.
    """
    from audit_kit.formats.xlsx.guard import preflight
    from audit_kit.formats.xlsx.reader.load import load

    book = load(preflight(path), str(path))
    info, planned = _identify(book)
    title, cells = _plan_sheet(book)
    header_row, columns = _columns(book, title, cells)
    return _progress(book, info, planned, title, cells, header_row, columns)


def looks_like_plan(path: Path) -> bool:
    """Whether a workbook has the hidden sheet of an action plan (a cheap look, no checks)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            book = archive.read("xl/workbook.xml")
    except (OSError, KeyError, zipfile.BadZipFile):
        return False
    return f'name="{lay.META_SHEET}"'.encode() in book


# -- the hidden sheet ----------------------------------------------------------------------------


def _identify(book: Book) -> tuple[PlanInfo, list[Action]]:
    found = book.sheet(lay.META_SHEET)
    if found is None:
        hint = (
            "it is an assessment workbook; make its plan with `audit-kit plan FILE`"
            if book.sheet(ASSESSMENT_META_SHEET) is not None
            else f"it has no hidden {lay.META_SHEET} sheet"
        )
        raise InputFileError.single(
            f"is not an action plan made by `audit-kit plan` ({hint})",
            file=book.shown,
            code="not-a-plan",
        )
    title, cells = found
    values = _meta_values(cells)

    def damaged(key: str, what: str) -> PlanError:
        if key in lay.META_ROW:
            where = book.at(title, cell_name(lay.META_ROW[key], lay.META_VALUE_COL))
        else:
            where = book.at(title, cell_name(lay.META_FIRST_ACTION_ROW, lay.META_KEY_COL))
        return PlanError([Problem(where, f"the hidden plan sheet is damaged ({what}); {REMAKE}")])

    if values.get("format") != lay.FORMAT_TAG:
        raise InputFileError.single(
            f"is not an action plan made by `audit-kit plan` (its {lay.META_SHEET} sheet is "
            "not audit-kit's)",
            file=book.shown,
            code="not-a-plan",
        )
    layout = values.get("layout_version", "")
    if not layout.isdigit():
        raise damaged("layout_version", "no layout version")
    if int(layout) > lay.LAYOUT_VERSION:
        raise PlanError.single(
            f"the plan was made by a newer audit-kit (layout {layout}; this one reads up to "
            f"{lay.LAYOUT_VERSION}); upgrade audit-kit",
            file=book.shown,
            code="newer-layout",
        )
    for key in ("instrument_id", "instrument_version", "fingerprint"):
        if not values.get(key):
            raise damaged(key, f"{key} is missing")
    if not _INSTRUMENT_ID.match(values["instrument_id"]):
        raise damaged("instrument_id", "the instrument id is not one")
    day = values.get("assessment_date") or ""
    try:
        assessed = date.fromisoformat(day) if day else None
    except ValueError:
        raise damaged("assessment_date", "the assessment date is not a date") from None
    count = values.get("actions", "")
    if not count.isdigit():
        raise damaged("actions", "the number of actions is missing")
    actions = _meta_actions(cells, int(count))
    if actions is None:
        raise damaged("action list", "its list of actions is incomplete")
    info = PlanInfo(
        instrument_id=values["instrument_id"],
        instrument_version=values["instrument_version"],
        program=values.get("program") or None,
        assessment_date=assessed,
        fingerprint=values["fingerprint"],
    )
    return info, actions


def _meta_values(cells: Cells) -> dict[str, str]:
    out: dict[str, str] = {}
    for key in lay.META_KEYS:
        key_cell = cells.get((lay.META_ROW[key], lay.META_KEY_COL))
        raw = cells.get((lay.META_ROW[key], lay.META_VALUE_COL))
        if key_cell is None or key_cell.value != key or raw is None or raw.error:
            continue
        out[key] = _clean(as_shown(raw))
    return out


def _meta_actions(cells: Cells, count: int) -> list[Action] | None:
    """The actions as written, or None when the list is damaged."""
    actions: list[Action] = []
    kinds = {k.value: k for k in GapKind}
    for row in range(lay.META_FIRST_ACTION_ROW, lay.META_FIRST_ACTION_ROW + count):
        code, kind, rank, title = (cells.get((row, col)) for col in range(1, 5))
        if code is None or kind is None or rank is None or title is None:
            return None
        if kind.value not in kinds or not isinstance(rank.value, int | float):
            return None
        actions.append(
            Action(
                code=_clean(as_shown(code)),
                title=_clean(as_shown(title)),
                kind=kinds[str(kind.value)],
                rank=int(rank.value),
                status=None,
            )
        )
    if len({fold(a.code) for a in actions}) != len(actions):
        return None
    return actions


# -- the plan sheet ------------------------------------------------------------------------------


def _plan_sheet(book: Book) -> tuple[str, Cells]:
    """The sheet holding the actions: the one of that name, else the one with a plan header."""
    named = book.sheet(lay.PLAN_SHEET)
    if named is not None:
        return named
    candidates = [
        (title, cells)
        for title, cells in book.sheets.items()
        if fold(title) != fold(lay.META_SHEET) and _header_row(cells) is not None
    ]
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise PlanError.single(
            f"the {lay.PLAN_SHEET!r} sheet is missing; restore it (or give back its name), or "
            f"{REMAKE}",
            file=book.shown,
            code="no-plan-sheet",
        )
    names = " and ".join(repr(title) for title, _ in candidates)
    raise PlanError.single(
        f"sheets {names} both look like the action plan; name the one to read {lay.PLAN_SHEET!r}",
        file=book.shown,
        code="two-plan-sheets",
    )


def _header_row(cells: Cells) -> int | None:
    """The first row holding both the Code and the Status headers."""
    wanted = {fold(lay.header("code")), fold(lay.header("status"))}
    seen: dict[int, set[str]] = {}
    for (row, _), raw in cells.items():
        if row <= lay.HEADER_SEARCH_ROWS and isinstance(raw.value, str):
            seen.setdefault(row, set()).add(fold(raw.value))
    return min((row for row, texts in seen.items() if wanted <= texts), default=None)


def _columns(book: Book, title: str, cells: Cells) -> tuple[int, dict[str, int]]:
    """The header row and the column of each column the reader reads, found by header text."""
    row = _header_row(cells)
    if row is None:
        raise PlanError.single(
            f"no header row with {lay.header('code')!r} and {lay.header('status')!r} in the "
            f"first {lay.HEADER_SEARCH_ROWS} rows; restore the header row, or {REMAKE}",
            file=book.shown,
            sheet=title,
            code="no-header",
        )
    by_header = {fold(lay.header(key)): key for key in lay.READ_COLUMNS}
    columns: dict[str, int] = {}
    problems: list[Problem] = []
    for (r, col), raw in sorted(cells.items()):
        if r != row or not isinstance(raw.value, str):
            continue
        key = by_header.get(fold(raw.value))
        if key is None:
            continue
        if key in columns:
            problems.append(
                Problem(
                    book.at(title, cell_name(row, col)),
                    f"a second {lay.header(key)!r} column (the first is "
                    f"{cell_name(row, columns[key])}); keep one",
                    "duplicate-column",
                )
            )
        else:
            columns[key] = col
    if "due" not in columns:  # overdue cannot be told without it; owner and notes may go
        problems.append(
            Problem(
                Location(file=book.shown, sheet=title),
                f"the {lay.header('due')!r} column is missing from the header row (row {row}); "
                "restore its header",
                "missing-column",
            )
        )
    if problems:
        raise PlanError(problems)
    return row, columns


def _progress(
    book: Book,
    info: PlanInfo,
    planned: list[Action],
    title: str,
    cells: Cells,
    header_row: int,
    columns: dict[str, int],
) -> PlanProgress:
    by_code = {fold(a.code): a for a in planned}
    found: dict[str, Action] = {}
    first_row: dict[str, int] = {}
    other_rows: list[int] = []
    problems: list[Problem] = []
    last_row = max((r for r, _ in cells), default=header_row)

    def at(row: int, key: str) -> Location:
        return book.at(title, cell_name(row, columns[key]))

    for row in range(header_row + 1, last_row + 1):
        raw = {key: cells.get((row, col)) for key, col in columns.items()}
        code = fold(as_shown(raw["code"])) if raw["code"] is not None else ""
        planned_action = by_code.get(code)
        if planned_action is None:
            if any(raw[k] is not None for k in ("owner", "due", "status", "notes") if k in raw):
                other_rows.append(row)
            continue
        if code in first_row:
            problems.append(
                Problem(
                    at(row, "code"),
                    f"{planned_action.code} appears again (first in row {first_row[code]}); keep "
                    "one row per action",
                    "duplicate-action",
                )
            )
            continue
        first_row[code] = row
        status, status_problem = _status(raw["status"])
        due, due_problem = _due(raw["due"])
        owner, owner_problem = _text(raw.get("owner"))
        notes, notes_problem = _text(raw.get("notes"))
        for key, message in (
            ("owner", owner_problem),
            ("due", due_problem),
            ("status", status_problem),
            ("notes", notes_problem),
        ):
            if message:
                problems.append(Problem(at(row, key), message, f"bad-{key}"))
        found[code] = Action(
            code=planned_action.code,
            title=planned_action.title,
            kind=planned_action.kind,
            rank=planned_action.rank,
            status=status,
            owner=owner,
            due=due,
            notes=notes,
            row=row,
        )
    if problems:
        raise PlanError(problems)
    actions = tuple(found.get(fold(a.code), a) for a in planned)
    return PlanProgress(info, title, actions, tuple(other_rows))


# -- cells ---------------------------------------------------------------------------------------


def _clean(text: str) -> str:
    """Text from the workbook as it may be printed: no control characters, one line."""
    return squash(clean_text(text))


def _text(raw: Raw | None) -> tuple[str | None, str | None]:
    """(The text typed, if any; why the cell cannot be read, if it cannot)."""
    if raw is None:
        return None, None
    message = unusable(raw, "the text")
    if message:
        return None, message
    text = clean_text(raw.value if isinstance(raw.value, str) else as_shown(raw)).strip()
    return text or None, None


def _status(raw: Raw | None) -> tuple[lay.Status, str | None]:
    """The status a cell says; an empty cell is not started."""
    if raw is None:
        return lay.Status.NOT_STARTED, None
    message = unusable(raw, "the status")
    if message:
        return lay.Status.NOT_STARTED, message
    text = as_shown(raw)
    if not text:
        return lay.Status.NOT_STARTED, None
    status = lay.parse_status(text)
    if status is not None:
        return status, None
    labels = lay.STATUS_LABELS
    choices = ", ".join(labels[:-1]) + f" or {labels[-1]}"
    close = difflib.get_close_matches(fold(text), [fold(label) for label in labels], n=1)
    guess = next(
        (f' (did you mean "{lb}"?)' for lb in labels if close and fold(lb) == close[0]), ""
    )
    return lay.Status.NOT_STARTED, f'"{text}" is not a status{guess}; pick {choices}'


def _due(raw: Raw | None) -> tuple[date | None, str | None]:
    """The due date a cell says: a date, or text written YYYY-MM-DD."""
    if raw is None:
        return None, None
    message = unusable(raw, "the date")
    if message:
        return None, message
    value = raw.value
    if isinstance(value, datetime):
        return value.date(), None
    if isinstance(value, date):
        return value, None
    text = as_shown(raw)
    if not text:
        return None, None
    if isinstance(value, bool | time):
        return None, f'"{text}" is not a date; {_DATE_FIX}'
    if isinstance(value, int | float):
        return None, f"{text} is a number, not a date; {_DATE_FIX}"
    match = _ISO_DATE.match(text)
    if match is None:
        return None, f'"{text}" is not a date in the form YYYY-MM-DD; {_DATE_FIX}'
    try:
        return date(*(int(part) for part in match.groups())), None
    except ValueError:
        return None, f'"{text}" is not a real date; {_DATE_FIX}'
