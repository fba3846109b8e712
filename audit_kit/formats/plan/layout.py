"""The action-plan workbook's layout and statuses, shared by the writer and the reader."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from audit_kit.model.responses import fold
from audit_kit.model.vocab import GapKind

#: Bumped when the reader can no longer read plans laid out the old way.
LAYOUT_VERSION = 1
FORMAT_TAG = "audit-kit action plan"

PLAN_SHEET = "Action plan"
META_SHEET = "_plan"

# The plan sheet: a title, a summary and a hint, the header row, then one row per action.
TITLE_ROW = 1
SUMMARY_ROW = 2
HINT_ROW = 3
HEADER_ROW = 4
FIRST_ROW = 5
#: The reader looks this far down for the header row (rows may be inserted above it).
HEADER_SEARCH_ROWS = 30


@dataclass(frozen=True)
class Column:
    """One column of the plan sheet."""

    key: str
    header: str
    width: float
    filled_in: bool  # the team types here


COLUMNS: tuple[Column, ...] = (
    Column("timeframe", "Time frame", 10, False),
    Column("priority", "Priority", 8, False),
    Column("code", "Code", 8, False),
    Column("practice", "Practice", 14, False),
    Column("finding", "Finding", 24, False),
    Column("action", "What to do", 36, False),
    Column("why", "Why", 18, False),
    Column("source", "Source", 22, False),
    # wide enough to write in by hand on a printed copy
    Column("owner", "Owner", 14, True),
    Column("due", "Due date", 11, True),
    Column("status", "Status", 12, True),
    Column("notes", "Notes", 22, True),
)
#: 1-based column number of each column key in a fresh plan.
COLUMN_INDEX = {c.key: n for n, c in enumerate(COLUMNS, start=1)}
#: Columns the reader reads, found by their header; the team may move or add columns.
READ_COLUMNS = ("code", "owner", "due", "status", "notes")


def header(key: str) -> str:
    """The header text of a column key, e.g. 'Due date' for 'due'."""
    return COLUMNS[COLUMN_INDEX[key] - 1].header


class Status(StrEnum):
    """Where an action stands, as the team says in the Status column."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    WONT_DO = "wont_do"

    @property
    def label(self) -> str:
        """The status as the dropdown offers it."""
        return _STATUS_LABELS[self]

    @property
    def closed(self) -> bool:
        """Whether nothing more is expected: done, or decided against."""
        return self in (Status.DONE, Status.WONT_DO)


_STATUS_LABELS = {
    Status.NOT_STARTED: "Not started",
    Status.IN_PROGRESS: "In progress",
    Status.DONE: "Done",
    Status.WONT_DO: "Won't do",
}
STATUS_LABELS = tuple(s.label for s in Status)


def _letters(text: str) -> str:
    """Only the letters, case-folded: 'Won’t do', "won't-do" and 'WONT DO' all read 'wontdo'."""
    return re.sub(r"[^a-z]", "", fold(text))


_BY_LETTERS = {_letters(s.label): s for s in Status}


def parse_status(text: str) -> Status | None:
    """The status a typed label means, in any case and punctuation; None if it means none."""
    return _BY_LETTERS.get(_letters(text)) if _letters(text) else None


def timeframe_words(kind: GapKind) -> str:
    """'Within 30 days' for a critical gap, and so on."""
    return f"Within {kind.timeframe}"


# The hidden sheet identifying the plan: key in column A, value in column B; then the actions
# as written (code, kind, rank, title), which the reader trusts over the visible sheet's text.
META_KEYS = (
    "format",
    "layout_version",
    "instrument_id",
    "instrument_version",
    "program",
    "assessment_date",
    "fingerprint",
    "actions",
)
META_ROW = {key: n for n, key in enumerate(META_KEYS, start=1)}
META_KEY_COL, META_VALUE_COL = 1, 2
META_ACTIONS_HEADER_ROW = len(META_KEYS) + 2
META_ACTION_FIELDS = ("code", "kind", "rank", "title")
META_FIRST_ACTION_ROW = META_ACTIONS_HEADER_ROW + 1
