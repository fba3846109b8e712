"""The assessment workbook's layout, shared by the template writer and the reader so they agree."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from audit_kit.model.responses import fold
from audit_kit.model.vocab import AnswerKind

if TYPE_CHECKING:
    from audit_kit.model.instrument import Instrument

#: Bumped when the reader can no longer read workbooks laid out the old way.
LAYOUT_VERSION = 1
FORMAT_TAG = "audit-kit assessment workbook"

INSTRUCTIONS_SHEET = "Instructions"
PROGRAM_SHEET = "Program"
GUIDE_SHEET = "Guide"
LISTS_SHEET = "Lists"
META_SHEET = "_meta"
RESERVED_SHEETS = (INSTRUCTIONS_SHEET, PROGRAM_SHEET, GUIDE_SHEET, LISTS_SHEET, META_SHEET)
MAX_SHEET_NAME = 31  # Excel's limit

# Domain sheets: a title, the live answered count, the header row, then each dimension's
# banner row followed by one row per item.
TITLE_ROW = 1
COUNT_ROW = 2
HEADER_ROW = 3
FIRST_BODY_ROW = 4
#: The reader looks this far down for the header row (rows may be inserted above it).
HEADER_SEARCH_ROWS = 30

#: Upper bounds of what the reader looks at; the guard refuses cells beyond them.
MAX_ROWS = 5000
MAX_COLS = 200


@dataclass(frozen=True)
class Column:
    """One column of a domain sheet."""

    key: str
    header: str
    width: float
    filled_in: bool  # unlocked: the person filling in types here
    printed: bool = True


COLUMNS: tuple[Column, ...] = (
    Column("code", "Code", 8, False),
    Column("title", "Item", 22, False),
    Column("question", "Question", 48, False),
    Column("answer", "Answer", 20, True),
    Column("na_reason", "N/A reason", 16, True),
    Column("evidence", "Evidence reference", 16, True),
    Column("note", "Note", 22, True),
    Column("applies", "Applies?", 20, False),
    # what the reader finds rows by: narrow and grey, never wrapped, not printed
    Column("id", "Item id", 14, False, printed=False),
)
#: 1-based column number of each column key in a fresh template.
COLUMN_INDEX = {c.key: n for n, c in enumerate(COLUMNS, start=1)}
#: The free-text columns filled in, each holding the answer's field of the same name.
TEXT_COLUMNS = ("na_reason", "evidence", "note")
#: Columns the reader reads; without the first three a sheet cannot be read at all.
READ_COLUMNS = ("id", "answer", *TEXT_COLUMNS)
REQUIRED_COLUMNS = ("id", "answer", "na_reason")
#: Free-text columns where an answer typed by mistake would go unscored.
ANSWER_LIKE_COLUMNS = ("evidence", "note")


def header(key: str) -> str:
    """The header text of a column key, e.g. 'Answer' for 'answer'."""
    return COLUMNS[COLUMN_INDEX[key] - 1].header


@dataclass(frozen=True)
class ProgramField:
    """One line of the Program sheet: label in column A, value in B, hint in C."""

    key: str
    label: str
    row: int
    hint: str


PROGRAM_LABEL_COL, PROGRAM_VALUE_COL, PROGRAM_HINT_COL = 1, 2, 3
PROGRAM_WIDTHS = (20, 36, 50)  # of the label, value and hint columns
PROGRAM_TITLE_ROW, PROGRAM_NOTE_ROW, PROGRAM_HEADER_ROW = 1, 2, 3
PROGRAM_FIELDS: tuple[ProgramField, ...] = (
    ProgramField("name", "Program name", 4, "The name of the program assessed."),
    ProgramField("setting", "Setting", 5, "Pick the kind of program from the list."),
    ProgramField(
        "hospital_based", "Hospital-based", 6, "Yes if a hospital runs the program, else No."
    ),
    ProgramField(
        "populations",
        "Populations served",
        7,
        "Optional. Separate them with commas or semicolons, e.g. adults; pregnant women.",
    ),
    ProgramField("assessor", "Assessor", 8, "Who carried out the assessment: name and role."),
    ProgramField(
        "assessment_date",
        "Assessment date",
        9,
        "As YYYY-MM-DD (e.g. 2026-10-01), or a date picked in the spreadsheet.",
    ),
)
PROGRAM_ROW = {f.key: f.row for f in PROGRAM_FIELDS}
PROGRAM_INSTRUMENT_ROW = 11
#: The reader looks for the field labels within this area of the Program sheet.
PROGRAM_SEARCH_ROWS, PROGRAM_SEARCH_COLS = 40, 10

# The hidden sheet identifying the workbook: key in column A, value in column B.
META_KEYS = ("format", "layout_version", "instrument_id", "instrument_version", "checksum")
META_ROW = {key: n for n, key in enumerate(META_KEYS, start=1)}
META_KEY_COL, META_VALUE_COL = 1, 2
META_SEARCH_ROWS = 20

YES, NO = "Yes", "No"
NA_TEXT = "N/A"
#: What a percent cell takes for "the audit found no eligible cases": N/A with this reason.
NO_CASES_TEXT = "No eligible cases"
SCALE_ENTRIES = (1, 2, 3, 4, 5)

ITEM_ID_RE = re.compile(r"^[a-z][a-z0-9]*\.[a-z0-9_]+$")


def column_letter(n: int) -> str:
    """'F' for column 6, 'AA' for column 27 (as openpyxl's get_column_letter, without openpyxl)."""
    letters = ""
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell_name(row: int, col: int) -> str:
    """'F14' for row 14, column 6."""
    return f"{column_letter(col)}{row}"


def domain_sheet_names(instrument: Instrument) -> dict[str, str]:
    """The sheet name of each domain: its id in capitals, made unique against the other sheets."""
    taken = {fold(name) for name in RESERVED_SHEETS}
    names: dict[str, str] = {}
    for domain in instrument.domains:
        base = domain.id.upper()[:MAX_SHEET_NAME]
        name, n = base, 2
        while fold(name) in taken:
            suffix = f"-{n}"
            name = base[: MAX_SHEET_NAME - len(suffix)] + suffix
            n += 1
        taken.add(fold(name))
        names[domain.id] = name
    return names


def instrument_checksum(instrument: Instrument) -> str:
    """SHA-256 (16 hex digits) of what decides which answers are valid and how they score.

    Item ids in order, kinds, choice values and scores, percent bands, N/A permission and
    weights; wording (questions, guidance, anchors, labels) is left out, so fixing a typo
    does not invalidate filled workbooks.
    """
    structure = []
    for _, _, item in instrument.iter_items():
        entry: dict[str, object] = {
            "id": item.id,
            "kind": item.kind.value,
            "allow_na": item.allow_na,
            "weight": item.weight,
        }
        if item.kind is AnswerKind.CHOICE:
            entry["choices"] = [[c.value, c.score] for c in item.choices or []]
        if item.kind is AnswerKind.PERCENT:
            entry["bands"] = [[b.min, b.max, b.score] for b in instrument.bands_for(item)]
        structure.append(entry)
    canonical = json.dumps(structure, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def join_populations(populations: list[str]) -> str:
    """Populations as one cell's text, split back unchanged by split_populations."""
    if not any(ch in p for p in populations for ch in ",;\n"):
        return ", ".join(populations)
    if not any(ch in p for p in populations for ch in ";\n"):
        # a trailing ';' marks a single population that itself contains a comma
        return "; ".join(populations) + (";" if len(populations) == 1 else "")
    return "\n".join(populations) + ("\n" if len(populations) == 1 else "")


def split_populations(text: str) -> list[str]:
    """A cell's populations: one per line, else separated by semicolons, else by commas."""
    separator = "\n" if "\n" in text else ";" if ";" in text else ","
    parts = (p.strip() for p in text.split(separator))
    return [p for p in parts if p]
