"""Shared building blocks of the report: its context, words for results, tables and flowables."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from reportlab.lib.styles import StyleSheet1
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    Paragraph,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import CondPageBreak

from audit_kit.model.instrument import Citation, Instrument, Item
from audit_kit.model.responses import Responses
from audit_kit.model.result import DomainResult, Gap, ItemResult, ScoreResult
from audit_kit.model.vocab import AnswerKind, DomainState, GapKind, ItemStatus, Level
from audit_kit.outputs.pdf import styles as st
from audit_kit.outputs.wording import standing
from audit_kit.scoring import MAX_UNANSWERED_SHARE

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
    GapKind.CRITICAL: "Critical",
    GapKind.BELOW_CAPABLE: "Below capable",
    GapKind.TOWARDS_ENHANCED: "Towards enhanced",
}


def answers_fingerprint(responses: Responses) -> str:
    """SHA-256 (hex) of the canonical responses JSON: the same answers give the same value."""
    return responses.fingerprint()


def esc(text: object) -> str:
    """Any text from responses or an instrument as paragraph markup that shows it literally.

    Control characters go, characters the font lacks become '?', markup characters are
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


def _level_name(instrument: Instrument, domain_id: str, level: Level) -> str:
    return instrument.domain(domain_id).levels.name(level)


def level_words(instrument: Instrument, d: DomainResult) -> str:
    """A domain's level in words, with the capped and insufficient-evidence states written out."""
    share = f"{MAX_UNANSWERED_SHARE:.0%}"
    comp = d.completeness
    if d.state is DomainState.CAPPED:
        return standing(d)
    if d.level is None:
        if d.insufficient_evidence:
            return (
                f"No level: insufficient evidence — more than {share} unanswered "
                f"({comp.unanswered} of {comp.applicable} applicable items)"
            )
        if comp.applicable == 0:
            return "No level: no item applies to this program"
        return "No level: no item was scored"
    return d.level_name or _level_name(instrument, d.domain_id, d.level)


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


def id_markup(item_id: str) -> str:
    """An item id in small grey type: long ids then fit a narrow column without breaking."""
    return f'<font size="6.8" color="{st.MUTED_HEX}">{esc(item_id)}</font>'


def gap_kind_markup(gap: Gap, inline: bool = False) -> str:
    """A gap's kind in bold (critical in red) and its time frame, on one line or two."""
    words = GAP_WORDS[gap.kind]
    if gap.kind is GapKind.CRITICAL:
        words = f'<font color="{st.CRITICAL_HEX}">{words}</font>'
    if inline:
        return f"<b>{words}</b>, within {gap.timeframe}"
    return f"<b>{words}</b><br/>{gap.timeframe}"


def fit(text: str, width: float, bold: bool, size: float) -> str:
    """Cut a chart label to a width, ending it with an ellipsis."""
    font = st.FONT_BOLD if bold else st.FONT
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


# --------------------------------------------------------------------------------------------
# The report context, tables and flowables


@dataclass(frozen=True)
class Report:
    """What every part reads: the inputs, each item's result, styles and citation labels."""

    instrument: Instrument
    responses: Responses
    result: ScoreResult
    styles: StyleSheet1
    fingerprint: str
    short_cites: dict[str, str]
    items: dict[str, ItemResult] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.items.update({r.item_id: r for r in self.result.items})

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
        """Short citations with sections, escaped: 'ASAM (2020), Dimension 1; SAMHSA (2021a)'."""
        parts = [
            self.short_cites[c.id] + (f", {s}" if s else "")
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

    frame_height: float = st.FRAME_HEIGHT

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        self._calc(availWidth, availHeight)
        heights = self._rowHeights
        header = sum(heights[: self.repeatRows]) if isinstance(self.repeatRows, int) else 0
        used = 0.0
        for height in heights:
            if used + height > availHeight:
                # cut a row that can never fit a page, or a tall one when much of this page
                # would otherwise stay empty; never leave only a sliver for its first part
                room = availHeight - used
                giant = header + height > self.frame_height
                tall = height > self.frame_height / 3 and room > self.frame_height / 4
                cut = room > 48 and (giant or tall)
                parts = self._splitRows(availHeight, doInRowSplit=cut) or (
                    self._splitRows(availHeight, doInRowSplit=False) if cut else []
                )
                for part in parts:
                    part.frame_height = self.frame_height
                return parts
            used += height
        return super().split(availWidth, availHeight)


class Together(KeepTogether):
    """Keeps its flowables on one page when they fit on one; taller content simply flows on.

    (reportlab's KeepTogether starts a new page for a block taller than a page too, leaving
    the rest of the current page empty.)
    """

    def __init__(self, flowables: list[Flowable], frame_height: float = st.FRAME_HEIGHT) -> None:
        super().__init__(flowables)
        self.flowables = list(flowables)
        self.frame_height = frame_height

    def split(self, aW: float, aH: float) -> list[Flowable]:
        self.wrap(aW, aH)
        # wrap() reports a huge height to force this split; the content's own height is _H
        content_height: float = self._H
        if content_height > self.frame_height:
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
    landscape: bool = False,
) -> Table:
    """A table of Paragraph cells that repeats its header and splits tall rows across pages."""
    table = RowTable(
        rows, colWidths=widths, repeatRows=1 if header else 0, splitInRow=1, hAlign="LEFT"
    )
    table.frame_height = st.FRAME_HEIGHT_LANDSCAPE if landscape else st.FRAME_HEIGHT
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
    """A heading and its table, started on a new page only when little of this one is left.

    Keeping the whole block together would leave half-empty pages behind tall tables.
    """
    return [CondPageBreak(min_height), *flowables]


def bullets(report: Report, lines: Iterable[str]) -> list[Flowable]:
    """A bulleted paragraph for each line of markup."""
    return [Para(line, report.styles["Bullet"], bulletText="•") for line in lines]


def level_fill(d: DomainResult) -> Any:
    """The background colour of a domain's level."""
    if d.state is DomainState.CAPPED:
        return st.LEVEL_FILLS[Level.NOT_YET_CAPABLE]
    return st.LEVEL_FILLS[d.level] if d.level is not None else st.NO_LEVEL_FILL


def new_page(template: str = "portrait") -> list[Flowable]:
    """A page break to a new page of the given template (portrait or landscape)."""
    return [NextPageTemplate(template), PageBreak()]
