"""Write the fill-in workbook for an instrument, empty or filled with a program's responses."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from io import BytesIO
from typing import TYPE_CHECKING, Any

from audit_kit.formats.xlsx import layout as lay
from audit_kit.model.responses import clean_text
from audit_kit.model.vocab import AnswerKind, Level, Setting
from audit_kit.scoring import CAPABLE, ENHANCED, MAX_UNANSWERED_SHARE

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell
    from openpyxl.workbook import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

    from audit_kit.model.instrument import Instrument, Item
    from audit_kit.model.responses import Answer, Responses

MAX_CELL_CHARS = 32_767  # Excel's limit per cell

_DARK = "1F3864"
_ANSWER_FILL = "FFF2CC"
_GREY = "6F6F6F"
# Arial is on every machine with Excel, and LibreOffice substitutes the metric-compatible
# Liberation Sans, so the row heights estimated below hold in both
_FONT = "Arial"
_SIZE = 10
_MAX_ROW_HEIGHT = 409  # Excel's limit, in points
_INSTRUCTIONS_WIDTH = 85
_PROGRAM_WIDTHS = (20, 36, 50)

SCALE_MEANING = {
    1: "not in place, or practice goes against the guidance",
    3: "in place as routine practice",
    5: "fully in place, written down, monitored and improved",
}

# Named cell styles (also offered in the spreadsheet's style list)
_TITLE, _SHEET_TITLE, _HEADING = "ak title", "ak sheet title", "ak heading"
_BODY, _HINT = "ak body", "ak hint"
_HEADER, _LABEL, _ITEM, _ITEM_ID, _ITEM_OFF = (
    "ak header",
    "ak label",
    "ak item",
    "ak item id",
    "ak item off",
)
_FILL, _FILL_ANSWER, _FILL_DATE = "ak fill in", "ak fill in answer", "ak fill in date"


def safe_text(text: str) -> str:
    """Text a cell can hold: no control characters, line ends as \\n, at most 32,767 characters."""
    return clean_text(text)[:MAX_CELL_CHARS]


def put_text(cell: Cell, text: str, style: str | None = None) -> None:
    """Write text that stays text: a leading '=' never makes it a formula."""
    if style:
        cell.style = style
    cell.value = safe_text(text)
    if cell.data_type != "s":
        # openpyxl turns any string starting with '=' into a formula; keep it a string
        cell.data_type = "s"
        cell.quotePrefix = True


def build_workbook(
    instrument: Instrument,
    *,
    responses: Responses | None = None,
    program_name: str | None = None,
    setting: Setting | None = None,
) -> bytes:
    """The assessment workbook (.xlsx bytes): a blank template, or one holding ``responses``.

    ``program_name`` and ``setting`` pre-fill the Program sheet of a blank template; with
    ``responses``, the program details and answers all come from the responses.
    """
    from openpyxl import Workbook
    from openpyxl.workbook.protection import WorkbookProtection

    wb = Workbook()
    _add_styles(wb)
    if responses is not None:
        setting = responses.program.setting
        program_name = responses.program.name
    sheets = lay.domain_sheet_names(instrument)
    lists = _Lists(wb.create_sheet(lay.LISTS_SHEET))

    _instructions(wb.active, instrument, sheets)
    _program(wb.create_sheet(lay.PROGRAM_SHEET, 1), instrument, lists, responses, program_name)
    if responses is None and setting is not None:
        put_text(
            wb[lay.PROGRAM_SHEET].cell(_program_row("setting"), lay.PROGRAM_VALUE_COL),
            setting.label,
        )
    for position, domain in enumerate(instrument.domains, start=2):
        ws = wb.create_sheet(sheets[domain.id], position)
        _domain(ws, instrument, domain.id, lists, responses, setting)
    lists.finish()
    _meta(wb.create_sheet(lay.META_SHEET), instrument)
    wb.security = WorkbookProtection(lockStructure=True)
    wb.active = 0
    stamp = None
    if responses is not None:
        stamp = datetime.combine(responses.assessment_date, time())
        wb.properties.created = stamp

    out = BytesIO()
    wb.save(out)
    return _without_clock(out.getvalue(), stamp)


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def _without_clock(data: bytes, stamp: datetime | None) -> bytes:
    """The archive with members dated 1980-01-01 and, given ``stamp``, the document's modified
    date set to it: a workbook holding the same answers is then the same bytes."""
    source = zipfile.ZipFile(BytesIO(data))
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if stamp is not None and info.filename == "docProps/core.xml":
                # openpyxl stamps the save time here whatever the properties say
                when = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
                content = _MODIFIED.sub(rb"\g<1>" + when + rb"\g<2>", content)
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            target.writestr(fixed, content)
    return out.getvalue()


def _add_styles(wb: Workbook) -> None:
    """Arial 10 as the default font (it sets the unit of column widths), and the named styles."""
    from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Protection, Side
    from openpyxl.utils.indexed_list import IndexedList

    base = Font(name=_FONT, size=_SIZE)
    # openpyxl has no public way to change the Normal style; with Calibri's unit, machines
    # without Calibri substitute a wider font and the printed layout drifts
    wb._fonts = IndexedList([base])  # type: ignore[attr-defined]
    wb._named_styles["Normal"].font = base  # type: ignore[attr-defined]

    thin = Side(style="thin", color="A6A6A6")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    fill = PatternFill("solid", fgColor=_ANSWER_FILL)
    unlocked = Protection(locked=False)
    bold = Font(name=_FONT, size=_SIZE, bold=True)
    grey = Font(name=_FONT, size=_SIZE, color=_GREY)
    title = Font(name=_FONT, size=14, bold=True, color=_DARK)
    specs: dict[str, dict[str, Any]] = {
        _TITLE: {"font": title, "alignment": wrap},
        _SHEET_TITLE: {"font": title},
        _HEADING: {"font": Font(name=_FONT, size=12, bold=True, color=_DARK), "alignment": wrap},
        _BODY: {"font": base, "alignment": wrap},
        _HINT: {"font": grey},
        _HEADER: {
            "font": Font(name=_FONT, size=_SIZE, bold=True, color="FFFFFF"),
            "fill": PatternFill("solid", fgColor=_DARK),
            "border": box,
            "alignment": wrap,
        },
        _LABEL: {"font": bold, "border": box, "alignment": wrap},
        _ITEM: {"font": base, "border": box, "alignment": wrap},
        _ITEM_ID: {"font": bold, "border": box, "alignment": wrap},
        _ITEM_OFF: {"font": grey, "border": box, "alignment": wrap},
        _FILL: {
            "font": base,
            "fill": fill,
            "border": box,
            "alignment": wrap,
            "protection": unlocked,
        },
        _FILL_ANSWER: {
            "font": base,
            "fill": fill,
            "border": box,
            "alignment": Alignment(wrap_text=True, vertical="top", horizontal="center"),
            "protection": unlocked,
        },
        _FILL_DATE: {
            "font": base,
            "fill": fill,
            "border": box,
            "alignment": Alignment(vertical="top", horizontal="left"),
            "protection": unlocked,
            "number_format": "yyyy-mm-dd",
        },
    }
    for name, spec in specs.items():
        wb.add_named_style(NamedStyle(name=name, **spec))


def _wrapped_lines(text: str, per_line: int) -> int:
    """Lines a text takes when wrapped at ``per_line`` characters, breaking between words."""
    lines = 0
    for part in text.split("\n"):
        lines += 1
        length = 0
        for word in part.split():
            if length and length + 1 + len(word) <= per_line:
                length += 1 + len(word)
            else:
                lines += 1 if length else 0
                length = len(word)
            while length > per_line:
                lines += 1
                length -= per_line
    return lines


def row_height(cells: Iterable[tuple[float, str, float]]) -> float:
    """Points a row needs to show every line of its wrapped cells: (column width, text, size).

    Spreadsheets do not grow a row to fit wrapped text written by a program (LibreOffice keeps
    the default height), so the height is estimated, erring on the tall side: Arial fits about
    1.2 characters per unit of column width, and Excel spaces lines 1.275 times the font size.
    """
    points = _SIZE * 1.275
    for width, text, size in cells:
        if text:
            per_line = max(1, int(width * 1.15 * _SIZE / size))
            points = max(points, _wrapped_lines(text, per_line) * size * 1.275)
    return min(round(points + 3, 1), _MAX_ROW_HEIGHT)


class _Lists:
    """The hidden sheet holding the dropdown lists, one column per distinct list."""

    def __init__(self, ws: Worksheet) -> None:
        self.ws = ws
        self._sources: dict[tuple[str | int, ...], str] = {}

    def source(self, name: str, entries: Sequence[str | int]) -> str:
        """The range holding ``entries`` (written on first use), for a list validation."""
        key = tuple(entries)
        if key not in self._sources:
            col = len(self._sources) + 1
            put_text(self.ws.cell(1, col), name)
            for row, entry in enumerate(entries, start=2):
                if isinstance(entry, str):
                    put_text(self.ws.cell(row, col), entry)
                else:
                    self.ws.cell(row, col).value = entry
            letter = lay.column_letter(col)
            self._sources[key] = f"{lay.LISTS_SHEET}!${letter}$2:${letter}${len(entries) + 1}"
        return self._sources[key]

    def finish(self) -> None:
        """Put the sheet last, hidden and protected."""
        book = self.ws.parent
        book.move_sheet(self.ws, offset=len(book.sheetnames) - 1 - book.index(self.ws))
        self.ws.sheet_state = "hidden"
        self.ws.protection.sheet = True


def _print_setup(ws: Worksheet, instrument: Instrument, *, landscape: bool) -> None:
    from openpyxl.worksheet.page import PageMargins

    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_LETTER
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.6, bottom=0.6, header=0.3, footer=0.3)
    ws.print_options.horizontalCentered = True
    # in header text '&' starts a code; a literal one is written '&&'
    title = f"{instrument.title} ({instrument.id} {instrument.version})"
    ws.oddHeader.left.text = safe_text(title).replace("&", "&&")
    ws.oddHeader.right.text = "&A"
    ws.oddFooter.center.text = "Page &P of &N"
    for part in (ws.oddHeader.left, ws.oddHeader.right, ws.oddFooter.center):
        part.size = 8


def _protect(ws: Worksheet) -> None:
    """Guard the sheet against accidental edits; no password. Rows and columns can still be
    resized and inserted (the reader finds items by their id, wherever they are)."""
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.protection.insertRows = False
    ws.protection.insertColumns = False


def _instructions(ws: Worksheet, instrument: Instrument, sheets: dict[str, str]) -> None:
    ws.title = lay.INSTRUCTIONS_SHEET
    ws.column_dimensions["A"].width = _INSTRUCTIONS_WIDTH
    ws.sheet_view.showGridLines = False
    answer = lay.COLUMNS[lay.COLUMN_INDEX["answer"] - 1].header
    scores = lay.COLUMNS[lay.COLUMN_INDEX["scores"] - 1].header
    first = sheets[instrument.domains[0].id]
    example = f"{first}!{lay.column_letter(lay.COLUMN_INDEX['answer'])}{lay.FIRST_ITEM_ROW + 3}"
    rows: list[tuple[str, str]] = [
        (_TITLE, instrument.title),
        (
            _BODY,
            f"Self-assessment workbook for {instrument.id} version {instrument.version}: "
            f"{instrument.item_count} items in {len(instrument.domains)} domains.",
        ),
        (_BODY, ""),
        (_HEADING, "How to fill it in"),
        (
            _BODY,
            "1. On the Program sheet, fill in the program's name and setting, whether a hospital "
            "runs it, the populations it serves, who is assessing and the date. The assessment "
            "describes the program, never a patient: do not enter patient details anywhere.",
        ),
        (
            _BODY,
            f"2. Each domain has its own sheet ({', '.join(sheets.values())}), one row per item. "
            "Read the question, look at the evidence named in 'Evidence to look at', and give "
            f"your answer in the yellow '{answer}' column: pick it from the cell's list.",
        ),
        (
            _BODY,
            "3. Say where the evidence is (a policy, a chart sample, a staff meeting, a data "
            "report) in 'Evidence reference', and add anything worth knowing in 'Note'. Both are "
            "optional, and both appear in the report's appendix.",
        ),
        (
            _BODY,
            "4. Leave an answer empty when you do not know yet: it counts as unanswered, never as "
            "a guess. A domain with more than "
            f"{MAX_UNANSWERED_SHARE:.0%} of its applicable items unanswered gets no level "
            "from its scores.",
        ),
        (_BODY, ""),
        (_HEADING, "What the answers mean"),
        (
            _BODY,
            f"Most items are scored from 1 to 5. The '{scores}' column describes each item's "
            "practice at 1, 3 and 5; 2 and 4 lie in between. In general:",
        ),
        *[(_BODY, f"      {n} = {text}.") for n, text in SCALE_MEANING.items()],
        (
            _BODY,
            f"A domain is capable when each of its dimensions averages at least {CAPABLE:.1f}, "
            f"and enhanced at {ENHANCED:.1f}; a critical safety finding keeps it at the lowest "
            "level whatever the scores.",
        ),
        (
            _BODY,
            "Some items offer named choices instead: pick the one that fits; each carries a score.",
        ),
        (
            _BODY,
            "Chart-audit items ask for a percentage: audit a sample of charts and type the share "
            "that meets the item, from 0 to 100 (85 or 85%).",
        ),
        (_BODY, ""),
        (_HEADING, "Not applicable (N/A)"),
        (
            _BODY,
            "Answer N/A only where the item allows it (its 'What the answers mean' cell says so), "
            "and say why in the 'N/A reason' column. Items meant only for some kinds of program "
            "say so too; other programs leave them empty, and they are left out of the score.",
        ),
        (_BODY, ""),
        (_HEADING, "Handing it back"),
        (
            _BODY,
            "Save it as an Excel Workbook (.xlsx), not .xls, .xlsm, .ods or .csv, and without a "
            "password. Keep the sheet names, the header rows and the 'Item id' column as they "
            "are. You may insert rows and columns for your own notes. The sheets are protected "
            "against accidental edits, without a password: to re-sort the rows, first unprotect "
            "the sheet (Excel: Review > Unprotect Sheet; LibreOffice: Tools > Protect Sheet); "
            "items are found by their id, not by their position.",
        ),
        (
            _BODY,
            "Then run `audit-kit score FILE.xlsx` for the scores, or `audit-kit report FILE.xlsx` "
            "for the PDF gap report, or send the file to whoever runs audit-kit. Any problem is "
            f"reported with its cell (e.g. {example}) and how to fix it.",
        ),
        (_BODY, ""),
        (_HEADING, "Domains"),
    ]
    for domain in instrument.domains:
        count = sum(len(d.items) for d in domain.dimensions)
        levels = " · ".join(domain.levels.name(level) for level in Level)
        rows.append(
            (_BODY, f"{sheets[domain.id]}: {domain.title}, {count} items. Levels: {levels}.")
        )
    sizes = {_TITLE: 14, _HEADING: 12, _BODY: _SIZE}
    for row, (style, text) in enumerate(rows, start=1):
        if text:
            put_text(ws.cell(row, 1), text, style)
            ws.row_dimensions[row].height = row_height([(_INSTRUCTIONS_WIDTH, text, sizes[style])])
    _protect(ws)
    _print_setup(ws, instrument, landscape=False)


def _program_row(key: str) -> int:
    return next(f.row for f in lay.PROGRAM_FIELDS if f.key == key)


def _program(
    ws: Worksheet,
    instrument: Instrument,
    lists: _Lists,
    responses: Responses | None,
    program_name: str | None,
) -> None:
    ws.sheet_view.showGridLines = False
    for col, width in enumerate(_PROGRAM_WIDTHS, start=1):
        ws.column_dimensions[lay.column_letter(col)].width = width
    put_text(ws.cell(1, 1), "Program assessed", _SHEET_TITLE)
    put_text(ws.cell(2, 1), "Describe the program (never a patient). Fill in the yellow cells.")
    for col, text in enumerate(("Field", "Answer", "How to fill in"), start=1):
        put_text(ws.cell(lay.PROGRAM_HEADER_ROW, col), text, _HEADER)
    values: dict[str, str | date] = {}
    if program_name:
        values["name"] = program_name
    if responses is not None:
        program = responses.program
        values["setting"] = program.setting.label
        values["hospital_based"] = lay.YES if program.hospital_based else lay.NO
        if program.populations:
            values["populations"] = lay.join_populations(program.populations)
        if responses.assessor:
            values["assessor"] = responses.assessor
        values["assessment_date"] = responses.assessment_date
    for field in lay.PROGRAM_FIELDS:
        put_text(ws.cell(field.row, lay.PROGRAM_LABEL_COL), field.label, _LABEL)
        put_text(ws.cell(field.row, lay.PROGRAM_HINT_COL), field.hint, _ITEM_OFF)
        cell = ws.cell(field.row, lay.PROGRAM_VALUE_COL)
        value = values.get(field.key)
        if field.key == "assessment_date":
            cell.style = _FILL_DATE
            cell.value = value
        elif isinstance(value, str):
            put_text(cell, value, _FILL)
        else:
            cell.style = _FILL
        texts = (field.label, "" if value is None else str(value), field.hint)
        ws.row_dimensions[field.row].height = row_height(
            (w, t, _SIZE) for w, t in zip(_PROGRAM_WIDTHS, texts, strict=True)
        )
    for key, entries in (
        ("setting", [s.label for s in Setting]),
        ("hospital_based", [lay.YES, lay.NO]),
    ):
        dv = _list_validation(lists.source(key, entries))
        dv.add(ws.cell(_program_row(key), lay.PROGRAM_VALUE_COL))
        ws.add_data_validation(dv)

    row = lay.PROGRAM_INSTRUMENT_ROW
    about = f"{instrument.title} ({instrument.id} version {instrument.version})"
    put_text(ws.cell(row, 1), "Instrument", _LABEL)
    put_text(ws.cell(row, 2), about, _ITEM)
    ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=3)
    ws.row_dimensions[row].height = row_height([(sum(_PROGRAM_WIDTHS[1:]), about, _SIZE)])
    _protect(ws)
    _print_setup(ws, instrument, landscape=False)


def _scores_text(instrument: Instrument, item: Item, setting: Setting | None) -> str:
    lines: list[str] = []
    if item.kind is AnswerKind.CHOICE:
        lines.append("Pick one:")
        lines += [f"• {c.label} (scores {c.score})" for c in item.choices or []]
    elif item.kind is AnswerKind.PERCENT:
        lines.append("Type the % of audited charts, 0-100. It scores:")
        for band in sorted(instrument.bands_for(item), key=lambda b: -b.score):
            lines.append(f"{band.score} = {band.span}")
    else:
        lines += [f"{score} = {text}" for score, text in item.anchors.items()]
    if item.allow_na:
        lines.append("N/A allowed" + (f": {item.na_guidance}" if item.na_guidance else "."))
    if item.applies_to:
        kinds = ", ".join(s.label for s in item.applies_to)
        lines.append(f"Only for: {kinds}. Other programs leave it empty.")
        if setting is not None and not item.applies(setting):
            lines.append(f"Not for {setting.label.lower()} programs: leave it empty.")
    return "\n".join(lines)


def _list_validation(source: str) -> Any:
    from openpyxl.worksheet.datavalidation import DataValidation

    # a range, never an inline list: inline lists break past 255 characters or on commas
    return DataValidation(
        type="list",
        formula1=source,
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Not in the list",
        error="Pick an answer from the cell's list, or clear the cell.",
    )


def _answer_validation(lists: _Lists, item: Item) -> tuple[str, Any]:
    """The validation of an item's answer cell, and a key shared by cells validated alike."""
    from openpyxl.worksheet.datavalidation import DataValidation

    na = item.allow_na  # items not for some settings are left empty there, not N/A
    if item.kind is AnswerKind.PERCENT:
        return f"percent {na}", DataValidation(
            type="decimal",
            operator="between",
            formula1="0",
            formula2="100",
            allow_blank=True,
            showErrorMessage=True,
            # where N/A is allowed the check only warns, so that N/A can be typed
            errorStyle="warning" if na else "stop",
            errorTitle="Not a percentage",
            error="Type a percentage from 0 to 100" + (", or N/A." if na else "."),
        )
    if item.kind is AnswerKind.CHOICE:
        labels: list[str | int] = [c.label for c in item.choices or []]
        source = lists.source(item.id, [*labels, lay.NA_TEXT] if na else labels)
    else:
        entries: list[str | int] = list(lay.SCALE_ENTRIES)
        source = lists.source(
            *(("scale or N/A", [*entries, lay.NA_TEXT]) if na else ("scale", entries))
        )
    return source, _list_validation(source)


def _question(item: Item) -> Any:
    """The item's title in bold, then its question."""
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont

    bold = InlineFont(rFont=_FONT, sz=_SIZE, b=True)
    return CellRichText([TextBlock(bold, safe_text(item.title)), safe_text(f"\n{item.question}")])


def _domain(
    ws: Worksheet,
    instrument: Instrument,
    domain_id: str,
    lists: _Lists,
    responses: Responses | None,
    setting: Setting | None,
) -> None:
    domain = instrument.domain(domain_id)
    col = lay.COLUMN_INDEX
    for n, column in enumerate(lay.COLUMNS, start=1):
        ws.column_dimensions[lay.column_letter(n)].width = column.width
    put_text(ws.cell(lay.TITLE_ROW, 1), domain.title, _SHEET_TITLE)
    ws.row_dimensions[lay.TITLE_ROW].height = 20
    put_text(
        ws.cell(lay.HINT_ROW, 1),
        "Answer in the yellow columns. Rows are found by their item id: keep column "
        f"'{lay.COLUMNS[0].header}' as it is. Instructions: see the first sheet.",
        _HINT,
    )
    for n, column in enumerate(lay.COLUMNS, start=1):
        put_text(ws.cell(lay.HEADER_ROW, n), column.header, _HEADER)
    ws.row_dimensions[lay.HEADER_ROW].height = row_height(
        (c.width, c.header, _SIZE) for c in lay.COLUMNS
    )
    validations: dict[str, Any] = {}  # one per list and sheet, holding all its cells
    row = lay.FIRST_ITEM_ROW
    for dimension in domain.dimensions:
        for item in dimension.items:
            off = setting is not None and not item.applies(setting)
            evidence = ", ".join(e.label for e in item.evidence)
            texts = {
                "id": item.id,
                "dimension": dimension.title,
                "question": f"{item.title}\n{item.question}",
                "guidance": f"Look at: {evidence}.\n{item.guidance}",
                "scores": _scores_text(instrument, item, setting),
            }
            for key, text in texts.items():
                style = _ITEM_OFF if off else _ITEM_ID if key == "id" else _ITEM
                put_text(ws.cell(row, col[key]), text, style)
            if not off:
                ws.cell(row, col["question"]).value = _question(item)
            for column in lay.COLUMNS:
                if column.filled_in:
                    style = _FILL_ANSWER if column.key == "answer" else _FILL
                    ws.cell(row, col[column.key]).style = style
            key, dv = _answer_validation(lists, item)
            validations.setdefault(key, dv).add(ws.cell(row, col["answer"]))
            answer = responses.answers.get(item.id) if responses is not None else None
            if answer is not None:
                texts.update(_put_answer(ws, row, item, answer))
            ws.row_dimensions[row].height = row_height(
                (c.width, texts.get(c.key, ""), _SIZE) for c in lay.COLUMNS
            )
            row += 1
    for dv in validations.values():
        ws.add_data_validation(dv)
    ws.freeze_panes = ws.cell(lay.FIRST_ITEM_ROW, 1).coordinate
    ws.print_title_rows = f"{lay.HEADER_ROW}:{lay.HEADER_ROW}"
    _protect(ws)
    _print_setup(ws, instrument, landscape=True)


def _put_answer(ws: Worksheet, row: int, item: Item, answer: Answer) -> dict[str, str]:
    """Write an answer into its row; return the texts written, by column key."""
    col = lay.COLUMN_INDEX
    cell = ws.cell(row, col["answer"])
    written: dict[str, str] = {}
    if answer.not_applicable:
        written["answer"] = lay.NA_TEXT
    elif item.kind is AnswerKind.CHOICE and answer.value is not None:
        written["answer"] = next(c.label for c in item.choices or [] if c.value == answer.value)
    elif answer.value is not None:
        cell.value = answer.value
    if "answer" in written:
        put_text(cell, written["answer"])
    for key in ("na_reason", "evidence", "note"):
        text = getattr(answer, key)
        if text:
            put_text(ws.cell(row, col[key]), text)
            written[key] = text
    return written


def _meta(ws: Worksheet, instrument: Instrument) -> None:
    values: dict[str, str | int] = {
        "format": lay.FORMAT_TAG,
        "layout_version": lay.LAYOUT_VERSION,
        "instrument_id": instrument.id,
        "instrument_version": instrument.version,
        "checksum": lay.instrument_checksum(instrument),
    }
    for key in lay.META_KEYS:
        put_text(ws.cell(lay.META_ROW[key], 1), key)
        value = values[key]
        if isinstance(value, str):
            put_text(ws.cell(lay.META_ROW[key], 2), value)
        else:
            ws.cell(lay.META_ROW[key], 2).value = value
    ws.sheet_state = "veryHidden"
    ws.protection.sheet = True
