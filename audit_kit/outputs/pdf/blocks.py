"""Shared building blocks of the report: its context, words for results, tables and flowables."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from reportlab.lib.styles import StyleSheet1
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, KeepTogether, PageBreak, Paragraph, Table, TableStyle
from reportlab.platypus.flowables import CondPageBreak

from audit_kit.model.instrument import Citation, Instrument, Item
from audit_kit.model.responses import Responses
from audit_kit.model.result import CriticalFinding, DomainResult, Gap, ItemResult, ScoreResult
from audit_kit.model.vocab import AnswerKind, DomainState, GapKind, ItemStatus, Level, NaKind
from audit_kit.outputs.pdf import styles as st

if TYPE_CHECKING:
    from audit_kit.model.brand import Brand
    from audit_kit.model.comparison import Comparison

# --------------------------------------------------------------------------------------------
# Words for scores, levels, answers and findings

REPORT_NAME = "Self-assessment gap report"
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_ENTITIES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"), ("'", "&#39;"))
GAP_WORDS = {
    GapKind.CRITICAL: "Critical findings",
    GapKind.BELOW_CAPABLE: "Below capable",
    GapKind.TOWARDS_ENHANCED: "Towards enhanced",
}
LEVEL_WORDS = {
    Level.NOT_YET_CAPABLE: "not yet capable",
    Level.EMERGING: "emerging",
    Level.CAPABLE: "capable",
    Level.ENHANCED: "enhanced",
}
NA_WORDS = {
    NaKind.RESPONDENT: "marked not applicable by the program",
    NaKind.SETTING: "outside the program's setting",
    NaKind.SKIP_LOGIC: "ruled out by an earlier answer",
}


def answers_fingerprint(responses: Responses) -> str:
    """SHA-256 (hex) of the canonical responses JSON: the same answers give the same value."""
    return responses.fingerprint()


def esc(text: object) -> str:
    """Any text from responses or an instrument as paragraph markup that shows it literally.

    Control characters go, characters the font lacks become ◊, markup characters are
    escaped (as xml.sax.saxutils would, whose import costs 20 ms), and line breaks are kept
    as <br/>.
    """
    clean = st.printable(str(text)).replace("\t", " ")
    for char, entity in _ENTITIES:
        clean = clean.replace(char, entity)
    return clean.replace("\n", "<br/>")


def long_date(day: date | None) -> str:
    """'October 1, 2026': unambiguous and independent of the machine's locale."""
    if day is None:
        return "date not given"
    return f"{_MONTHS[day.month - 1]} {day.day}, {day.year}"


def short_cites(citations: list[Citation]) -> dict[str, str]:
    """In-text labels such as 'ASAM (2020)' or 'McGovern et al. (2007)', unique per source.

    The instrument's abbreviation is used where it gives one, else a short form of the author.

    Two sources that would read the same get a, b, ... after the year, as in APA style; the
    reference list prints each label before the full reference.
    """
    by_label: dict[str, list[Citation]] = {}
    for citation in citations:
        name = citation.abbreviation or short_author(citation.author)
        by_label.setdefault(f"{name} ({citation.year}", []).append(citation)
    labels: dict[str, str] = {}
    for label, same in by_label.items():
        for n, citation in enumerate(same):
            suffix = chr(ord("a") + n) if len(same) > 1 and n < 26 else ""
            labels[citation.id] = f"{label}{suffix})"
    return labels


_ABBREVIATION = re.compile(r"\(([A-Z][A-Za-z&]{1,11})\)$")
_PERSON = re.compile(r"^(\S.*?)\s+[A-Z]{1,3}$")  # Vancouver style: 'McGovern MP'


def short_author(author: str) -> str:
    """'ASAM' for 'American Society of Addiction Medicine (ASAM)', 'Kelly et al.' for 'Kelly JF,
    Humphreys K, Ferri M'; any other author as written."""
    abbreviation = _ABBREVIATION.search(author)
    if abbreviation:
        return abbreviation.group(1)
    parts = [p.strip() for p in author.split(",") if p.strip()]
    first = _PERSON.match(parts[0]) if parts else None
    if first is None:
        return author
    people = [m.group(1) for p in parts if (m := _PERSON.match(p))]
    if len(people) == 1 and len(parts) == 1:
        return people[0]
    if len(people) == 2 and len(parts) == 2:
        return f"{people[0]} and {people[1]}"
    return f"{people[0]} et al."


def _percent(value: float | int | str | None) -> str:
    return f"{float(value or 0):g}%"


def answer_words(item: Item, r: ItemResult) -> str:
    """The answer as given, in words: '4 of 5', '“On site” (5 of 5)', '85% of charts (4 of 5)'."""
    if r.status is ItemStatus.NOT_APPLICABLE:
        return "Not applicable"
    if r.status is ItemStatus.UNANSWERED or r.score is None:
        return "Unanswered"
    if item.kind is AnswerKind.CHOICE:
        label = next((c.label for c in item.choices or [] if c.value == r.value), str(r.value))
        return f"“{label}” ({r.score} of 5)"
    if item.kind is AnswerKind.PERCENT:
        return f"{_percent(r.value)} of audited charts ({r.score} of 5)"
    return f"{r.score} of 5"


def short_answer(item: Item, r: ItemResult) -> str:
    """The answer in a few words: '2 of 5', '35% of audited charts; 2 of 5'; a choice's label,
    which can run to a sentence, is left to the full report."""
    if r.score is None or r.status is not ItemStatus.ANSWERED:
        return answer_words(item, r)
    if item.kind is AnswerKind.PERCENT:
        return f"{_percent(r.value)} of audited charts; {r.score} of 5"
    return f"{r.score} of 5"


def finding_words(item: Item, r: ItemResult) -> str:
    """The current score and the anchor text closest to it (the one below when between two)."""
    assert r.score is not None
    lead = answer_words(item, r)
    if item.kind is AnswerKind.SCALE:
        lead = f"Scored {lead}"
    elif item.kind is AnswerKind.CHOICE:
        lead = f"Answered {lead}"
    if r.score in item.anchors:
        anchor = item.anchors[r.score].strip()
        return f"{lead}: “{anchor if anchor.endswith(('.', '!', '?')) else anchor + '.'}”"
    lower = max(k for k in item.anchors if k < r.score)
    upper = min(k for k in item.anchors if k > r.score)
    anchor = item.anchors[lower].strip()
    if not anchor.endswith((".", "!", "?")):
        anchor += "."
    return f"{lead}, between the anchors for {lower} and {upper}; at {lower}: “{anchor}”"


def fit(text: str, width: float, bold: bool, size: float, words: bool = False) -> str:
    """Cut a label to a width, ending it with an ellipsis; at a word's end when ``words``."""
    font = st.FONT_BOLD if bold else st.FONT
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text.rsplit(None, 1)[0] if words and " " in text.strip() else text[:-1]
    return text.rstrip(" ,;:·") + "…"


# --------------------------------------------------------------------------------------------
# The report context, tables and flowables


@dataclass
class Report:
    """What every part reads: the inputs, each item's result, styles, citation labels, the mode.

    ``full`` is the --full report: every step spelled out, sources with their sections, and
    the appendices.
    """

    instrument: Instrument
    responses: Responses
    result: ScoreResult
    styles: StyleSheet1
    fingerprint: str
    short_cites: dict[str, str]
    full: bool = False
    comparison: Comparison | None = None  # with the previous assessment: the progress page
    brand: Brand | None = None  # a consultancy's name, contact, logo and accent
    # False when the progress page's chart of every dimension, now and then, stands in for the
    # profile chart, to keep a report with a progress page within the page budget
    profile_chart: bool = True
    items: dict[str, ItemResult] = field(default_factory=dict)
    findings: dict[str, CriticalFinding] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.items.update({r.item_id: r for r in self.result.items})
        self.findings.update({f.item_id: f for f in self.result.critical_findings})

    @property
    def draft(self) -> bool:
        """Whether the report is a draft: a profile field missing or a domain short of answers."""
        return self.result.draft

    def spelled_out(self, gap: Gap) -> bool:
        """Whether a gap's recommendation is printed in full in this report.

        Always in the full report. In the default one, every critical finding and gap below
        capable; a step towards enhanced only where enhanced is the domain's next level (it
        holds capable, or has no level to speak of), since in a domain still short of capable
        those steps come after the gaps that keep it there. The others are listed by name.
        """
        if self.full or gap.kind is not GapKind.TOWARDS_ENHANCED:
            return True
        d = self.result.domain(gap.domain_id)
        if d.state is DomainState.CAPPED:
            return False
        if d.state is DomainState.RATED:
            return d.level in (Level.CAPABLE, Level.ENHANCED)
        return True

    def cited(self) -> list[Citation]:
        """The sources this report cites, in the order of the instrument's catalogue."""
        ids = {c.id for f in self.result.critical_findings for c in f.citations}
        ids |= {c.id for g in self.result.gaps if self.spelled_out(g) for c in g.citations}
        return [c for c in self.instrument.citations if c.id in ids]

    def para(self, markup: str, style: str = "Body") -> Paragraph:
        """A paragraph from markup that is already escaped."""
        return Para(markup, self.styles[style])

    def heading(
        self, text: str, style: str, key: str, level: int = 0, outline: str | None = None
    ) -> Paragraph:
        """A heading that also becomes an entry of the PDF outline (see document.py)."""
        heading = Para(esc(text), self.styles[style])
        heading.outline = (st.printable(outline or text), key, level)  # type: ignore[attr-defined]
        return heading

    def cite(self, citations: list[Citation], sections: list[str | None]) -> str:
        """Short citations, escaped: 'ASAM (2020); SAMHSA TIP 63 (2021)'; in the full report
        with the section relied on: 'ASAM (2020), Part 3; …'."""
        parts = [
            self.short_cites[c.id] + (f", {s}" if s and self.full else "")
            for c, s in zip(citations, sections, strict=True)
        ]
        return esc("; ".join(parts))


class RowTable(Table):
    """A table whose ordinary rows stay whole across pages; only very tall rows are cut.

    reportlab's in-row splitting cuts whichever row meets the foot of the page, and repeats the
    header in mid-page when the rest of the table follows on the same page. Here a row is cut
    only when it could never fit on a page of its own (a 5,000-character note, say), or when it
    is tall and would leave much of the page empty.
    """

    #: Leading rows (a heading in the table) that never end a page on their own.
    lead_rows: int = 0

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        self._calc(availWidth, availHeight)
        heights = self._rowHeights
        header = sum(heights[: self.repeatRows]) if isinstance(self.repeatRows, int) else 0
        used = 0.0
        frame = st.FRAME_HEIGHT
        for row, height in enumerate(heights):
            if used + height > availHeight:
                if row <= self.lead_rows:
                    return []
                # cut a row that can never fit a page, or a tall one when much of this page
                # would otherwise stay empty; never leave only a sliver for its first part
                room = availHeight - used
                giant = header + height > frame
                tall = height > frame / 3 and room > frame / 4
                cut = room > 48 and (giant or tall)
                return self._splitRows(availHeight, doInRowSplit=cut) or (
                    self._splitRows(availHeight, doInRowSplit=False) if cut else []
                )
            used += height
        return super().split(availWidth, availHeight)


class Together(KeepTogether):
    """Keeps its flowables on one page when they fit on one; taller content simply flows on.

    (reportlab's KeepTogether starts a new page for a block taller than a page too, leaving
    the rest of the current page empty.)
    """

    def __init__(self, flowables: list[Flowable]) -> None:
        super().__init__(flowables)
        self.flowables = list(flowables)

    def split(self, aW: float, aH: float) -> list[Flowable]:
        self.wrap(aW, aH)
        # wrap() reports a huge height to force this split; the content's own height is _H
        content_height: float = self._H
        if content_height > st.FRAME_HEIGHT:
            # an action first, so that the frame takes the flowables back one by one
            return [self.NullActionFlowable(), *self.flowables]
        return super().split(aW, aH)


class Para(Paragraph):
    """A paragraph that remembers its line breaks for a width.

    Tables wrap every cell again each time they are measured or split across a page; without
    this, breaking the same lines again takes most of the rendering time.
    """

    _wrapped_width: float | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        # split() drops blPara when it gives up; wrap again then
        if availWidth != self._wrapped_width or not hasattr(self, "blPara"):
            super().wrap(availWidth, availHeight)
            self._wrapped_width = availWidth
        return self.width, self.height


def styled_table(
    rows: list[list[Any]],
    widths: list[float],
    *,
    header: bool = True,
    zebra: bool = True,
    extra: Iterable[tuple[Any, ...]] = (),
    lead_rows: int = 0,
) -> Table:
    """A table of Paragraph cells that repeats its header and splits tall rows across pages.

    ``lead_rows`` first rows (a heading) stay on the page of the row after them.
    """
    table = RowTable(
        rows, colWidths=widths, repeatRows=1 if header else 0, splitInRow=1, hAlign="LEFT"
    )
    table.lead_rows = lead_rows
    style: list[tuple[Any, ...]] = [
        # cells are Paragraphs, but the table still sets a cell font: keep it the embedded one
        ("FONTNAME", (0, 0), (-1, -1), st.FONT),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, st.RULE),
    ]
    if header:
        style += [
            ("BACKGROUND", (0, 0), (-1, 0), st.HEAD_FILL),
            ("LINEBELOW", (0, 0), (-1, 0), 0.8, st.ACCENT),
        ]
    if zebra:
        first = 1 if header else 0
        style += [
            ("BACKGROUND", (0, row), (-1, row), st.ZEBRA) for row in range(first + 1, len(rows), 2)
        ]
    style += list(extra)
    table.setStyle(TableStyle(style))
    return table


def block(flowables: list[Flowable], min_height: float = 150) -> list[Flowable]:
    """A heading and what follows, started on a new page only when little of this one is left.

    Keeping the whole block together would leave half-empty pages behind tall tables.
    """
    return [CondPageBreak(min_height), *flowables]


def bullets(report: Report, lines: Iterable[str]) -> list[Flowable]:
    """A bulleted paragraph for each line of markup."""
    return [Para(line, report.styles["Bullet"], bulletText="•") for line in lines]


def level_fill(d: DomainResult) -> Any:
    """The pale background behind a domain's standing in words."""
    if d.state is DomainState.CAPPED:
        return st.CRITICAL_FILL
    return st.LEVEL_FILLS[d.level] if d.level is not None else st.NO_LEVEL_FILL


def new_page() -> list[Flowable]:
    """A page break: a new part starts on a new page."""
    return [PageBreak()]
