"""The roll-up workbook: one row per program, levels in words and colour, filters, frozen header."""

from __future__ import annotations

from datetime import date, datetime, time
from io import BytesIO
from typing import TYPE_CHECKING, Any

from audit_kit import __version__
from audit_kit.model.comparison import Direction
from audit_kit.model.portfolio import DomainRow, ProgramRow
from audit_kit.model.responses import clean_text
from audit_kit.model.vocab import DomainState, Level
from audit_kit.ooxml import without_clock

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell

    from audit_kit.model.brand import Brand

SHEET = "Programs"
ABOUT = "About"
MAX_CELL_CHARS = 32_767
FONT = "Arial"
# the gap report's level colours (outputs/pdf/styles.py), as spreadsheet colours
LEVEL_FILLS = {
    Level.NOT_YET_CAPABLE: "F6D5D5",
    Level.EMERGING: "FBE7C2",
    Level.CAPABLE: "D6EDD8",
    Level.ENHANCED: "D2E4F6",
}
STATE_FILLS = {
    DomainState.CAPPED: "F6D5D5",
    DomainState.INSUFFICIENT_EVIDENCE: "E6E9EC",
    DomainState.NOT_APPLICABLE: "FFFFFF",
}
ERROR_FILL = "FBE3E3"
DEFAULT_ACCENT = "0B4F6C"


def domain_columns(rows: list[ProgramRow]) -> list[tuple[str, str]]:
    """(id, title) of every domain any program has, in the order first met."""
    seen: dict[str, str] = {}
    for row in rows:
        for d in row.domains:
            seen.setdefault(d.domain_id, d.title)
    return list(seen.items())


def level_text(d: DomainRow) -> str:
    """A domain's level or state in words; a capped domain also says what the scores give."""
    if d.state is DomainState.CAPPED and d.scores_level_name:
        return f"{d.headline} (the scores alone give: {d.scores_level_name})"
    return d.headline


def change_text(d: DomainRow) -> str:
    """'+0.45, level up (was Emerging)', or why there is no comparison."""
    if d.direction is None:
        return ""
    if d.previous_score is None and d.previous_headline is None:
        return "not assessed last time"
    delta = (
        f"{d.score - d.previous_score:+.2f}"
        if d.score is not None and d.previous_score is not None
        else "–"
    )
    level = (
        "level not comparable"
        if d.direction is Direction.NOT_COMPARABLE
        else (f"level {d.direction.label}")
    )
    return f"{delta}, {level} (was {d.previous_headline or 'no level'})"


def build_rollup(
    rows: list[ProgramRow], *, brand: Brand | None = None, compared: bool = False
) -> bytes:
    """The roll-up (.xlsx bytes). The same rows and brand give the same bytes.

    Written row by row (openpyxl's write-only mode), so that 17,000 programs take little memory.
    """
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(SHEET)
    accent = brand.accent.lstrip("#") if brand and brand.accent else DEFAULT_ACCENT
    domains = domain_columns(rows)
    columns = _columns(domains, compared)
    for c, (_, width) in enumerate(columns, start=1):
        ws.column_dimensions[_letter(c)].width = width
    last = _letter(len(columns))
    ws.auto_filter.ref = f"A1:{last}{max(len(rows) + 1, 2)}"
    ws.freeze_panes = "B2"
    # the sheet is far wider than a page: squeezed to one page wide it prints unreadably small,
    # so it prints across pages at a legible scale, each with the header row and program name
    ws.print_title_rows = "1:1"
    ws.print_title_cols = "A:A"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.scale = 70
    if brand is not None:
        ws.oddHeader.left.text = _header_text(brand.name)
        if brand.contact:
            ws.oddFooter.left.text = _header_text(brand.contact)
    ws.oddFooter.right.text = "Page &P of &N"
    styles = _Styles(accent)
    ws.append(_header(ws, columns, styles))
    for row in rows:
        ws.append(_program_row(ws, row, domains, compared, styles))
    _about(wb.create_sheet(ABOUT), rows, brand, accent)
    day = max((r.assessment_date for r in rows if r.assessment_date), default=date(2000, 1, 1))
    stamp = datetime.combine(day, time())
    wb.properties.created = stamp
    wb.properties.creator = f"audit-kit {__version__}"
    out = BytesIO()
    wb.save(out)
    return without_clock(out.getvalue(), stamp)


class _Styles:
    """The few cell styles, made once (openpyxl shares equal styles anyway)."""

    def __init__(self, accent: str) -> None:
        from openpyxl.styles import Alignment, Font, PatternFill

        self.head_font = Font(name=FONT, size=10, bold=True, color="FFFFFF")
        self.head_fill = PatternFill("solid", fgColor=accent)
        self.wrap = Alignment(wrap_text=True, vertical="top")
        self.fills: dict[str, PatternFill] = {}

    def fill(self, colour: str) -> Any:
        if colour not in self.fills:
            from openpyxl.styles import PatternFill

            self.fills[colour] = PatternFill("solid", fgColor=colour)
        return self.fills[colour]


def _columns(domains: list[tuple[str, str]], compared: bool) -> list[tuple[str, float]]:
    cols: list[tuple[str, float]] = [
        ("Program", 34),
        ("Setting", 20),
        ("Assessment date", 13),
        ("Instrument", 16),
        ("Status", 10),
    ]
    for _, title in domains:
        cols += [(f"{title}: score", 11), (f"{title}: level", 44)]
        if compared:
            cols.append((f"{title}: change", 36))
    cols += [
        ("Critical findings", 10),
        ("Critical items", 20),
        ("Answered", 11),
        ("Answered share", 10),
    ]
    if compared:
        cols += [
            ("Compared with", 28),
            ("Gaps closed", 9),
            ("New gaps", 9),
            ("Critical findings resolved", 16),
            ("New critical findings", 16),
        ]
    cols += [("Report", 34), ("File", 40), ("Error", 60), ("Notes", 50)]
    return cols


def _header(ws: Any, columns: list[tuple[str, float]], styles: _Styles) -> list[Cell]:
    cells = []
    for title, _ in columns:
        cell = _cell(ws, title)
        cell.font = styles.head_font
        cell.fill = styles.head_fill
        cell.alignment = styles.wrap
        cells.append(cell)
    return cells


def _program_row(
    ws: Any, row: ProgramRow, domains: list[tuple[str, str]], compared: bool, styles: _Styles
) -> list[Cell]:
    # (value, number format, fill) per column
    values: list[tuple[Any, str | None, str | None]] = [
        (row.program or "", None, None),
        (row.setting or "", None, None),
        (row.assessment_date, "yyyy-mm-dd", None),
        (row.instrument or "", None, None),
        ("Failed" if not row.ok else "Draft" if row.draft else "OK", None, _status_fill(row)),
    ]
    for domain_id, _ in domains:
        d = row.domain(domain_id)
        if d is None:
            values += [("", None, None)] * (3 if compared else 2)
            continue
        values += [(d.score, "0.00", None), (level_text(d), None, _fill(d))]
        if compared:
            values.append((change_text(d), None, None))
    values += [
        (len(row.criticals) if row.ok else None, "0", None),
        (", ".join(c.code for c in row.criticals), None, None),
        (f"{row.answered} of {row.applicable}" if row.ok else "", None, None),
        (row.completeness, "0%", None),
    ]
    if compared:
        change = row.change
        previous = f"{change.previous_file} ({change.previous_date or 'no date'})" if change else ""
        values += [
            (previous, None, None),
            (change.gaps_closed if change else None, "0", None),
            (change.gaps_new if change else None, "0", None),
            (", ".join(change.criticals_resolved) if change else "", None, None),
            (", ".join(change.criticals_new) if change else "", None, None),
        ]
    # one line per program, so that rows stay even when filtered and sorted
    error = "; ".join((row.error or "").splitlines())
    values += [
        (row.report or "", None, None),
        (row.input, None, None),
        (error, None, ERROR_FILL if row.error else None),
        (" ".join(row.warnings), None, None),
    ]
    cells = []
    for value, number_format, fill in values:
        cell = _cell(ws, value)
        if number_format and value is not None:
            cell.number_format = number_format
        if fill:
            cell.fill = styles.fill(fill)
        cells.append(cell)
    return cells


def _cell(ws: Any, value: Any) -> Cell:
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws)
    if isinstance(value, str):
        put_text(cell, value)
    else:
        cell.value = value
    return cell


def _status_fill(row: ProgramRow) -> str | None:
    return ERROR_FILL if not row.ok else None


def _fill(d: DomainRow) -> str:
    if d.state is DomainState.RATED and d.level is not None:
        return LEVEL_FILLS[d.level]
    return STATE_FILLS.get(d.state, "FFFFFF")


def _about(ws: Any, rows: list[ProgramRow], brand: Brand | None, accent: str) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    failed = sum(not r.ok for r in rows)
    lines: list[tuple[str, str, str | None]] = []
    if brand is not None:
        lines.append(("Prepared by", brand.name, None))
        if brand.contact:
            lines.append(("Contact", brand.contact, None))
    lines += [
        ("Programs", f"{len(rows)} ({len(rows) - failed} scored, {failed} failed)", None),
        ("Made with", f"audit-kit {__version__}", None),
        ("", "", None),
        ("Colours", "Each colour is also written out in its cell:", None),
        ("", "Enhanced", LEVEL_FILLS[Level.ENHANCED]),
        ("", "Capable", LEVEL_FILLS[Level.CAPABLE]),
        ("", "Emerging", LEVEL_FILLS[Level.EMERGING]),
        ("", "Not yet capable", LEVEL_FILLS[Level.NOT_YET_CAPABLE]),
        ("", DomainState.CAPPED.label, STATE_FILLS[DomainState.CAPPED]),
        (
            "",
            DomainState.INSUFFICIENT_EVIDENCE.label,
            STATE_FILLS[DomainState.INSUFFICIENT_EVIDENCE],
        ),
        ("", DomainState.NOT_APPLICABLE.label, None),
        ("", "", None),
        (
            "Levels",
            "A domain is capable when every dimension scores at least 3.0 and enhanced when "
            "every dimension scores at least 4.5; a critical finding holds it at 'not capable "
            "until resolved'. Each domain names its levels in its own words.",
            None,
        ),
    ]
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 90
    title = _cell(ws, "Portfolio roll-up")
    title.font = Font(name=FONT, size=14, bold=True, color=accent)
    ws.append([title])
    ws.append([])
    for label, text, colour in lines:
        head = _cell(ws, label)
        head.font = Font(name=FONT, size=10, bold=True)
        cell = _cell(ws, text)
        cell.font = Font(name=FONT, size=10)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if colour:
            cell.fill = PatternFill("solid", fgColor=colour)
        ws.append([head, cell])


def put_text(cell: Cell, text: str) -> None:
    """Write text that stays text: a leading '=' never makes it a formula."""
    cell.value = clean_text(text)[:MAX_CELL_CHARS]
    if cell.data_type != "s":
        cell.data_type = "s"
        cell.quotePrefix = True


def _header_text(text: str) -> str:
    # '&' starts a code in print headers; doubled, it prints itself
    return clean_text(text).replace("&", "&&")[:200]


def _letter(column: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(column)
