"""The PDF gap report: cover, summary and chart, one section per domain, action plan, appendices."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from io import BytesIO
from typing import Any

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors
from reportlab.lib.styles import StyleSheet1
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import CondPageBreak

from audit_kit import __version__
from audit_kit.model.instrument import Citation, Domain, Instrument, Item
from audit_kit.model.responses import Responses
from audit_kit.model.result import DimensionResult, DomainResult, Gap, ItemResult, ScoreResult
from audit_kit.model.vocab import AnswerKind, GapKind, ItemStatus, Level
from audit_kit.outputs.pdf import styles as st
from audit_kit.outputs.text import fmt_score
from audit_kit.scoring import CAPABLE, EMERGING, ENHANCED, MAX_UNANSWERED_SHARE

REPORT_NAME = "Self-assessment gap report"
TOP_PRIORITIES = 5
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
_GAP_WORDS = {
    GapKind.CRITICAL: "Critical",
    GapKind.BELOW_CAPABLE: "Below capable",
    GapKind.TOWARDS_ENHANCED: "Towards enhanced",
}
_LEVEL_WORDS = {
    Level.NOT_YET_CAPABLE: "not yet capable",
    Level.EMERGING: "emerging",
    Level.CAPABLE: "capable",
    Level.ENHANCED: "enhanced",
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


def long_date(day: date) -> str:
    """'October 1, 2026': unambiguous and independent of the machine's locale."""
    return f"{_MONTHS[day.month - 1]} {day.day}, {day.year}"


def render_pdf(instrument: Instrument, responses: Responses, result: ScoreResult) -> bytes:
    """Render the gap report. Pure: reads no clock and no file but the font files."""
    report = _Report(
        instrument=instrument,
        responses=responses,
        result=result,
        styles=st.build_styles(),
        fingerprint=answers_fingerprint(responses),
        short_cites=_short_cites(instrument.citations),
    )
    story: list[Flowable] = []
    story += _section_cover(report)
    story += _section_summary(report)
    for domain in instrument.domains:
        story += _section_domain(report, domain)
    story += _section_action_plan(report)
    story += _section_answers(report)
    story += _section_methods(report)
    story += _section_references(report)
    story += _section_about(report)

    buffer = BytesIO()
    doc = _ReportDoc(buffer, report)
    with _plain_streams():
        doc.build(story, canvasmaker=partial(_NumberedCanvas, pdf_date=result.assessment_date))
    return buffer.getvalue()


@contextmanager
def _plain_streams() -> Iterator[None]:
    """Compressed streams without reportlab's extra ASCII85 layer, for this build only.

    ASCII85 makes the file a quarter larger and, without reportlab's optional C accelerator,
    is slow pure Python. reportlab reads the switch only from its global configuration, so it
    is set for the build and always put back.
    """
    from reportlab import rl_config

    saved = rl_config.useA85
    rl_config.useA85 = 0
    try:
        yield
    finally:
        rl_config.useA85 = saved


@dataclass(frozen=True)
class _Report:
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
        return _Para(markup, self.styles[style])

    def heading(
        self, text: str, style: str, key: str, level: int = 0, outline: str | None = None
    ) -> Paragraph:
        """A heading that also becomes an entry of the PDF outline (see _ReportDoc)."""
        heading = _Para(esc(text), self.styles[style])
        heading.outline = (st.printable(outline or text), key, level)  # type: ignore[attr-defined]
        return heading

    def cite(self, citations: list[Citation], sections: list[str | None]) -> str:
        """Short citations with sections, escaped: 'ASAM (2020), Dimension 1; SAMHSA (2021a)'."""
        parts = [
            self.short_cites[c.id] + (f", {s}" if s else "")
            for c, s in zip(citations, sections, strict=True)
        ]
        return esc("; ".join(parts))


# --------------------------------------------------------------------------------------------
# Words for scores, levels, answers and findings


def _short_cites(citations: list[Citation]) -> dict[str, str]:
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
    if d.level is None:
        if d.insufficient_evidence:
            return (
                f"No level: insufficient evidence — more than {share} unanswered "
                f"({comp.unanswered} of {comp.applicable} applicable items)"
            )
        if comp.applicable == 0:
            return "No level: no item applies to this program"
        return "No level: no item was scored"
    name = d.level_name or _level_name(instrument, d.domain_id, d.level)
    if not d.capped:
        return name
    if d.level_before_cap is d.level:
        return f"{name} — capped by a critical finding (the scores alone give the same level)"
    if d.level_before_cap is not None:
        before = _level_name(instrument, d.domain_id, d.level_before_cap)
        return f"{name} — capped by a critical finding (the scores alone give {before})"
    if d.insufficient_evidence:
        return (
            f"{name} — capped by a critical finding (the scores alone give no level: "
            f"insufficient evidence — more than {share} unanswered)"
        )
    return f"{name} — capped by a critical finding"


def _dimension_status(score: float | None) -> str:
    if score is None:
        return "no score"
    if score >= ENHANCED:
        return f"at enhanced (≥ {ENHANCED:.1f})"
    if score >= CAPABLE:
        return f"at capable (≥ {CAPABLE:.1f})"
    return f"below capable ({CAPABLE:.1f})"


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


def _id(item_id: str) -> str:
    """An item id in small grey type: long ids then fit a narrow column without breaking."""
    return f'<font size="6.8" color="{st.MUTED_HEX}">{esc(item_id)}</font>'


def _gap_kind_markup(gap: Gap, inline: bool = False) -> str:
    words = _GAP_WORDS[gap.kind]
    if gap.kind is GapKind.CRITICAL:
        words = f'<font color="{st.CRITICAL_HEX}">{words}</font>'
    if inline:
        return f"<b>{words}</b>, within {gap.timeframe}"
    return f"<b>{words}</b><br/>{gap.timeframe}"


# --------------------------------------------------------------------------------------------
# Building blocks


class _Table(Table):
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


class _Together(KeepTogether):
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


class _Para(Paragraph):
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


def _table(
    rows: list[list[Any]],
    widths: list[float],
    *,
    header: bool = True,
    zebra: bool = True,
    extra: Iterable[tuple[Any, ...]] = (),
    landscape: bool = False,
) -> Table:
    """A table of Paragraph cells that repeats its header and splits tall rows across pages."""
    table = _Table(
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


def _block(flowables: list[Flowable], min_height: float = 150) -> list[Flowable]:
    """A heading and its table, started on a new page only when little of this one is left.

    Keeping the whole block together would leave half-empty pages behind tall tables.
    """
    return [CondPageBreak(min_height), *flowables]


def _bullets(report: _Report, lines: Iterable[str]) -> list[Flowable]:
    return [_Para(line, report.styles["Bullet"], bulletText="•") for line in lines]


def _level_fill(d: DomainResult) -> Any:
    return st.LEVEL_FILLS[d.level] if d.level is not None else st.NO_LEVEL_FILL


# --------------------------------------------------------------------------------------------
# Sections


def _section_cover(report: _Report) -> list[Flowable]:
    r, s = report.result, report.styles
    p = r.program
    setting = p.setting.label + (", hospital-based" if p.hospital_based else ", not hospital-based")
    groups = [report.fingerprint[i : i + 8] for i in range(0, 64, 8)]
    facts = [
        ("Program", esc(p.name)),
        ("Setting", esc(setting)),
    ]
    if p.populations:
        facts.append(("Populations served", esc(", ".join(p.populations))))
    facts += [
        ("Assessment date", esc(f"{long_date(r.assessment_date)} ({r.assessment_date})")),
        ("Assessor", esc(r.assessor) if r.assessor else "<i>Not stated</i>"),
        (
            "Instrument",
            esc(f"{r.instrument_title} — {r.instrument_id}, version {r.instrument_version}"),
        ),
        (
            "Answers fingerprint (SHA-256)",
            " ".join(groups[:4]) + "<br/>" + " ".join(groups[4:]),
        ),
    ]
    fact_rows = [
        [
            _Para(label, s["FactLabel"]),
            _Para(value, s["Fingerprint" if "SHA" in label else "Fact"]),
        ]
        for label, value in facts
    ]
    fact_table = _table(fact_rows, [52 * mm, st.CONTENT_WIDTH - 52 * mm], header=False, zebra=False)

    glance = [[_Para("Domain", s["CellHead"]), _Para("Level", s["CellHead"])]]
    glance += [
        [
            _Para(esc(d.title), s["CellBold"]),
            _Para(esc(level_words(report.instrument, d)), s["Cell"]),
        ]
        for d in r.domains
    ]
    fills = [("BACKGROUND", (1, n), (1, n), _level_fill(d)) for n, d in enumerate(r.domains, 1)]
    glance_table = _table(glance, [70 * mm, st.CONTENT_WIDTH - 70 * mm], zebra=False, extra=fills)
    n_crit = len(r.critical_findings)
    crit = (
        f"<b>{n_crit} critical finding{'s' if n_crit != 1 else ''}</b> — see the executive summary."
        if n_crit
        else "No critical findings."
    )
    return [
        report.heading(REPORT_NAME.upper(), "Kicker", "cover", outline="Cover"),
        Spacer(1, 30 * mm),
        _Para(esc(p.name), s["CoverTitle"]),
        _Para(esc(r.instrument_title), s["CoverSubtitle"]),
        fact_table,
        Spacer(1, 10 * mm),
        _Para("Results at a glance", s["H2"]),
        glance_table,
        Spacer(1, 3 * mm),
        _Para(
            crit + f" {len(r.gaps)} action{'s' if len(r.gaps) != 1 else ''} in the action plan.",
            s["Body"],
        ),
        Spacer(1, 10 * mm),
        _Para(
            "This is a self-assessment made by the program with audit-kit. It is not an "
            "accreditation decision, a certification or clinical advice. The fingerprint "
            "identifies the exact answers the report was made from: the same answers give the "
            "same fingerprint, whether they were entered in the workbook or in a JSON file.",
            s["Notice"],
        ),
    ]


def _new_page(template: str = "portrait") -> list[Flowable]:
    return [NextPageTemplate(template), PageBreak()]


def _section_summary(report: _Report) -> list[Flowable]:
    r, s = report.result, report.styles
    c = r.completeness
    by = f" by {r.assessor}" if r.assessor else ""
    intro = (
        f"{esc(r.program.name)} ({esc(r.program.setting.label.lower())} program) was assessed on "
        f"{long_date(r.assessment_date)}{esc(by)} with {esc(r.instrument_title)} "
        f"({esc(r.instrument_id)}, version {esc(r.instrument_version)}). Of its {c.total} items, "
        f"{c.answered} were answered, {c.not_applicable} were not applicable and "
        f"{c.unanswered} were left unanswered."
    )
    out: list[Flowable] = [
        *_new_page(),
        report.heading("Executive summary", "H1", "summary"),
        report.para(intro),
        _Para("Level per domain", s["H2"]),
    ]
    rows = [
        [
            _Para("Domain", s["CellHead"]),
            _Para("Score (1–5)", s["CellHeadRight"]),
            _Para("Level", s["CellHead"]),
            _Para("Lowest dimension", s["CellHead"]),
        ]
    ]
    for d in r.domains:
        lowest = next(
            (m for m in r.dimensions_of(d.domain_id) if m.dimension_id == d.lowest_dimension),
            None,
        )
        rows.append(
            [
                _Para(esc(d.title), s["CellBold"]),
                _Para(fmt_score(d.score), s["CellRight"]),
                _Para(esc(level_words(report.instrument, d)), s["Cell"]),
                _Para(
                    f"{esc(lowest.title)} ({fmt_score(lowest.score)})" if lowest else "–",
                    s["Cell"],
                ),
            ]
        )
    fills = [("BACKGROUND", (2, n), (2, n), _level_fill(d)) for n, d in enumerate(r.domains, 1)]
    w = st.CONTENT_WIDTH
    out.append(_table(rows, [0.30 * w, 0.11 * w, 0.37 * w, 0.22 * w], zebra=False, extra=fills))
    out.append(
        report.para(
            f"A domain is capable when every one of its dimensions scores at least {CAPABLE:.1f} "
            f"and enhanced when every dimension scores at least {ENHANCED:.1f}; a critical "
            "finding caps it at the lowest level whatever the mean (Appendix B).",
            "Notice",
        )
    )
    chart = [
        _Para("Domain and dimension scores", s["H2"]),
        _score_chart(report),
        report.para(
            f"Dark bars: domain score (mean of its dimensions). Light bars: dimension score "
            f"(weighted mean of its answered, applicable items). Dashed lines: capable "
            f"({CAPABLE:.1f}) and enhanced ({ENHANCED:.1f}).",
            "Notice",
        ),
    ]
    out.append(_Together(chart))
    out += _critical_block(report)
    out += _top_priorities(report)
    out += _completeness_block(report)
    if r.warnings:
        out.append(_Para("Notes on this result", s["H2"]))
        out += _bullets(report, (esc(w) for w in r.warnings))
    return out


def _critical_block(report: _Report) -> list[Flowable]:
    s, findings = report.styles, report.result.critical_findings
    out: list[Flowable] = [
        _Para("Critical findings" + (f" ({len(findings)})" if findings else ""), s["H2"])
    ]
    if not findings:
        return [*out, report.para("None: no answer met a critical rule.")]
    out.append(
        report.para(
            "Each is a safety or access failure that caps its domain at the lowest level, "
            f"whatever the scores. Act on these first (within {GapKind.CRITICAL.timeframe}).",
            "Notice",
        )
    )
    rows = [
        [
            _Para("Finding", s["CellHead"]),
            _Para("Practice and answer", s["CellHead"]),
            _Para("Source", s["CellHead"]),
        ]
    ]
    for f in findings:
        item = report.instrument.item(f.item_id)
        practice = (
            f"<b>{esc(f.title)}</b> {_id(f.item_id)}"
            f"<br/>{esc(report.instrument.domain(f.domain_id).title)}"
            f"<br/>Answer: {esc(answer_words(item, report.items[f.item_id]))}"
        )
        rows.append(
            [
                _Para(f"<b>CRITICAL:</b> {esc(f.finding)}", s["CellCritical"]),
                _Para(practice, s["Cell"]),
                _Para(report.cite(f.citations, f.sections), s["Cell"]),
            ]
        )
    w = st.CONTENT_WIDTH
    out.append(
        _table(
            rows,
            [0.33 * w, 0.37 * w, 0.30 * w],
            zebra=False,
            extra=[("BACKGROUND", (0, 1), (0, -1), st.CRITICAL_FILL)],
        )
    )
    return _block(out)


def _top_priorities(report: _Report) -> list[Flowable]:
    r, s = report.result, report.styles
    top = r.gaps[:TOP_PRIORITIES]
    title = f"Top {TOP_PRIORITIES} priorities" if len(top) == TOP_PRIORITIES else "Priorities"
    out: list[Flowable] = [_Para(title, s["H2Table"])]
    if not top:
        return [*out, report.para("None: every answered item scored 5.")]
    rows = [
        [
            _Para("#", s["CellHead"]),
            _Para("Practice and priority", s["CellHead"]),
            _Para("What to do", s["CellHead"]),
            _Para("Source", s["CellHead"]),
        ]
    ]
    rows += [
        [
            _Para(str(g.rank), s["Cell"]),
            _Para(
                f"<b>{esc(g.title)}</b><br/>{_id(g.item_id)}<br/>"
                + _gap_kind_markup(g, inline=True),
                s["Cell"],
            ),
            _Para(esc(g.recommendation), s["Cell"]),
            _Para(report.cite(g.citations, g.sections), s["Cell"]),
        ]
        for g in top
    ]
    w = st.CONTENT_WIDTH
    out.append(_table(rows, [0.04 * w, 0.26 * w, 0.43 * w, 0.27 * w]))
    out.append(
        report.para(
            f"The action plan lists all {len(r.gaps)} actions in priority order, with the "
            "finding behind each and columns for an owner and a due date.",
            "Notice",
        )
    )
    return _block(out)


def _completeness_block(report: _Report) -> list[Flowable]:
    r, s = report.result, report.styles
    out: list[Flowable] = [_Para("Completeness", s["H2"])]
    heads = ["Domain", "Items", "Answered", "Not applicable", "Unanswered", "Unanswered share"]
    rows = [[_Para(h, s["CellHead" if n == 0 else "CellHeadRight"]) for n, h in enumerate(heads)]]
    for title, comp, insufficient in [
        *((d.title, d.completeness, d.insufficient_evidence) for d in r.domains),
        ("All items", r.completeness, False),
    ]:
        share = f"{comp.unanswered_share:.0%}" if comp.applicable else "–"
        if insufficient:
            share += " — insufficient evidence"
        rows.append(
            [
                _Para(esc(title), s["CellBold"]),
                *(
                    _Para(str(v), s["CellRight"])
                    for v in (comp.total, comp.answered, comp.not_applicable, comp.unanswered)
                ),
                _Para(share, s["CellRight"]),
            ]
        )
    w = st.CONTENT_WIDTH
    out.append(
        _table(
            rows,
            [0.30 * w, 0.09 * w, 0.11 * w, 0.14 * w, 0.13 * w, 0.23 * w],
            zebra=False,
            extra=[("LINEABOVE", (0, -1), (-1, -1), 0.8, st.ACCENT)],
        )
    )
    out.append(
        report.para(
            "Not applicable items (marked N/A with a reason, or outside the program's setting) "
            "count neither for nor against a score. Unanswered items are never guessed; when "
            f"more than {MAX_UNANSWERED_SHARE:.0%} of a domain's applicable items are "
            "unanswered the domain gets no level.",
            "Notice",
        )
    )
    return [_Together(out)]


def _score_chart(report: _Report) -> Drawing:
    """Horizontal bars for each domain and its dimensions on a 1–5 axis, with the two lines."""
    r = report.result
    rows: list[tuple[str, float | None, bool]] = []
    for d in r.domains:
        rows.append((st.printable(d.title), d.score, True))
        rows += [(st.printable(m.title), m.score, False) for m in r.dimensions_of(d.domain_id)]
    # rows get thinner for a large custom instrument: a drawing cannot split across pages
    row_height = min(14.0, (st.FRAME_HEIGHT - 120) / len(rows))
    label_size = min(7.5, row_height * 0.6)
    indent = 8
    width = st.CONTENT_WIDTH
    label_width = min(
        0.4 * width,
        max(
            stringWidth(t, st.FONT_BOLD if top else st.FONT, label_size) + (0 if top else indent)
            for t, _, top in rows
        ),
    )
    chart = HorizontalBarChart()
    chart.x = label_width + 8
    chart.y = 24
    chart.width = width - chart.x - 36
    chart.height = row_height * len(rows)
    chart.data = [[v for _, v, _ in rows]]
    chart.barSpacing = 0
    chart.groupSpacing = 3.5
    chart.bars.strokeColor = None
    chart.bars[0].fillColor = st.ACCENT_LIGHT
    chart.strokeColor = None
    chart.valueAxis.valueMin = 1
    chart.valueAxis.valueMax = 5
    chart.valueAxis.valueStep = 1
    chart.valueAxis.labels.fontName = st.FONT
    chart.valueAxis.labels.fontSize = 7.5
    chart.valueAxis.labelTextFormat = "%d"
    chart.valueAxis.strokeColor = st.MUTED
    chart.valueAxis.visibleGrid = 1
    chart.valueAxis.gridStrokeColor = st.RULE
    chart.valueAxis.gridStrokeWidth = 0.3
    # first row at the top; row labels are drawn below, so that they can be left-aligned
    chart.categoryAxis.reverseDirection = 1
    chart.categoryAxis.strokeColor = st.MUTED
    chart.categoryAxis.visibleLabels = 0
    chart.categoryAxis.visibleTicks = 0
    for n, (_, _, top) in enumerate(rows):
        if top:
            chart.bars[(0, n)].fillColor = st.ACCENT

    drawing = Drawing(width, chart.height + 44)
    # the renderer's starting font would otherwise be an unembedded Helvetica
    drawing.initialFontName = st.FONT
    drawing.initialFontSize = 7.5
    drawing.add(chart)
    scale = chart.width / 4
    step = chart.height / len(rows)
    middles = [chart.y + chart.height - (n + 0.5) * step for n in range(len(rows))]
    for n, ((title, _, top), middle) in enumerate(zip(rows, middles, strict=True)):
        x = 0 if top else indent
        drawing.add(
            String(
                x,
                middle - 2.6,
                _fit(title, label_width - x, top, label_size),
                fontName=st.FONT_BOLD if top else st.FONT,
                fontSize=label_size,
                fillColor=st.INK,
            )
        )
        if top and n:
            y = middle + step / 2
            drawing.add(Line(0, y, chart.x + chart.width, y, strokeColor=st.RULE, strokeWidth=0.5))
    for value, name, colour in (
        (CAPABLE, "capable", st.CAPABLE_LINE),
        (ENHANCED, "enhanced", st.ENHANCED_LINE),
    ):
        x = chart.x + (value - 1) * scale
        drawing.add(
            Line(
                x,
                chart.y - 2,
                x,
                chart.y + chart.height + 4,
                strokeColor=colour,
                strokeWidth=1.1,
                strokeDashArray=[3, 2],
            )
        )
        drawing.add(
            String(
                x,
                chart.y + chart.height + 8,
                f"{name} {value:.1f}",
                fontName=st.FONT_BOLD,
                fontSize=7.5,
                fillColor=colour,
                textAnchor="middle",
            )
        )
    # value labels last, on a white ground, so that a dashed line never runs through them
    for (_, value, _), middle in zip(rows, middles, strict=True):
        text = "no score" if value is None else f"{value:.2f}"
        font = st.FONT_ITALIC if value is None else st.FONT
        x = chart.x + (0 if value is None else (value - 1) * scale) + 3
        drawing.add(
            Rect(
                x - 1,
                middle - 4,
                stringWidth(text, font, 7) + 2,
                8,
                fillColor=colors.white,
                strokeColor=None,
            )
        )
        drawing.add(
            String(
                x,
                middle - 2.5,
                text,
                fontName=font,
                fontSize=7,
                fillColor=st.MUTED if value is None else st.INK,
            )
        )
    drawing.add(
        String(
            chart.x + chart.width / 2,
            4,
            "Score (1 = lowest, 5 = highest)",
            fontName=st.FONT,
            fontSize=7.5,
            fillColor=st.MUTED,
            textAnchor="middle",
        )
    )
    return drawing


def _fit(text: str, width: float, bold: bool, size: float) -> str:
    """Cut a chart label to a width, ending it with an ellipsis."""
    font = st.FONT_BOLD if bold else st.FONT
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _section_domain(report: _Report, domain: Domain) -> list[Flowable]:
    r, s = report.result, report.styles
    d = r.domain(domain.id)
    out: list[Flowable] = [
        *_new_page(),
        report.heading(domain.title, "H1", f"domain-{domain.id}"),
    ]
    if domain.description:
        out.append(report.para(esc(domain.description), "Notice"))
    lowest = next(
        (m for m in r.dimensions_of(domain.id) if m.dimension_id == d.lowest_dimension), None
    )
    facts = [
        f"Level: <b>{esc(level_words(report.instrument, d))}</b>",
        f"Domain score: <b>{fmt_score(d.score)}</b> of 5",
    ]
    if lowest is not None:
        facts.append(f"Lowest dimension: {esc(lowest.title)} ({fmt_score(lowest.score)})")
    comp = d.completeness
    facts.append(
        f"{comp.answered} answered, {comp.not_applicable} not applicable, "
        f"{comp.unanswered} unanswered of {comp.total} items"
    )
    findings = [f for f in r.critical_findings if f.domain_id == domain.id]
    if findings:
        facts.append(
            f'<font color="{st.CRITICAL_HEX}"><b>Critical findings ({len(findings)}):</b></font> '
            + "; ".join(esc(f.title) for f in findings)
            + " (details below)"
        )
    box = Table(
        [[_Para("<br/>".join(facts), s["BodyTight"])]],
        colWidths=[st.CONTENT_WIDTH],
        hAlign="LEFT",
    )
    box.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), st.FONT),
                ("BACKGROUND", (0, 0), (-1, -1), _level_fill(d)),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 7),
            ]
        )
    )
    out.append(box)
    out += _dimension_table(report, r.dimensions_of(domain.id))
    out += _items_below_target(report, domain)
    unanswered = [
        x for x in r.items if x.domain_id == domain.id and x.status is ItemStatus.UNANSWERED
    ]
    if unanswered:
        out.append(_Para(f"Not answered ({len(unanswered)})", s["H2"]))
        out.append(
            report.para(
                "These items count as unanswered; answer them for a complete picture. "
                + "; ".join(f"{esc(x.title)} ({esc(x.item_id)})" for x in unanswered)
                + ".",
            )
        )
    return out


def _dimension_table(report: _Report, dims: list[DimensionResult]) -> list[Flowable]:
    s = report.styles
    heads = ["Dimension", "Score", "Compared with the lines", "Answered", "N/A", "Unanswered"]
    rows = [
        [_Para(h, s["CellHead" if n in (0, 2) else "CellHeadRight"]) for n, h in enumerate(heads)]
    ]
    for m in dims:
        c = m.completeness
        rows.append(
            [
                _Para(esc(m.title), s["CellBold"]),
                _Para(fmt_score(m.score), s["CellRight"]),
                _Para(_dimension_status(m.score), s["Cell"]),
                *(
                    _Para(str(v), s["CellRight"])
                    for v in (c.answered, c.not_applicable, c.unanswered)
                ),
            ]
        )
    w = st.CONTENT_WIDTH
    return [
        _Para("Dimension scores", s["H2"]),
        _table(rows, [0.34 * w, 0.09 * w, 0.25 * w, 0.11 * w, 0.08 * w, 0.13 * w]),
    ]


def _items_below_target(report: _Report, domain: Domain) -> list[Flowable]:
    r, s = report.result, report.styles
    gaps = {g.item_id: g for g in r.gaps if g.domain_id == domain.id}
    out: list[Flowable] = [_Para(f"Items below target ({len(gaps)})", s["H2"])]
    if not gaps:
        return [*out, report.para("None: every answered item in this domain scored 5.")]
    out.append(
        report.para(
            "Every answered item that scored below 5, by dimension, with the respondent's note "
            "and evidence and the recommended next step for this program.",
            "Notice",
        )
    )
    label_w = 33 * mm
    for dimension in domain.dimensions:
        in_dim = [gaps[i.id] for i in dimension.items if i.id in gaps]
        if not in_dim:
            continue
        heading: list[Flowable] = [_Para(esc(dimension.title), s["H3"])]
        for g in in_dim:
            item = report.instrument.item(g.item_id)
            res = report.items[g.item_id]
            head = (
                f"<b>{esc(g.title)}</b> ({esc(g.item_id)}) — {_GAP_WORDS[g.kind].lower()}, "
                f"action {g.rank}, within {g.timeframe}"
            )
            rows: list[list[Any]] = [[_Para(head, s["Cell"]), ""]]
            if res.critical:
                finding = next(f for f in r.critical_findings if f.item_id == g.item_id)
                rows.append(
                    [
                        _Para("Critical", s["CellCritical"]),
                        _Para(esc(finding.finding), s["CellCritical"]),
                    ]
                )
            rows.append(
                [
                    _Para("Finding", s["Label"]),
                    _Para(esc(finding_words(item, res)), s["Cell"]),
                ]
            )
            if res.note:
                rows.append([_Para("Note", s["Label"]), _Para(esc(res.note), s["Cell"])])
            if res.evidence:
                rows.append([_Para("Evidence", s["Label"]), _Para(esc(res.evidence), s["Cell"])])
            rows.append(
                [
                    _Para("Recommendation", s["Label"]),
                    _Para(esc(g.recommendation), s["Cell"]),
                ]
            )
            rows.append(
                [
                    _Para("Source", s["Label"]),
                    _Para(report.cite(g.citations, g.sections), s["Cell"]),
                ]
            )
            extra = [
                ("SPAN", (0, 0), (1, 0)),
                ("BACKGROUND", (0, 0), (-1, 0), st.CRITICAL_FILL if res.critical else st.HEAD_FILL),
                ("LINEBELOW", (0, 0), (-1, -1), 0.3, st.RULE),
            ]
            table = _table(
                rows, [label_w, st.CONTENT_WIDTH - label_w], header=False, zebra=False, extra=extra
            )
            out += [_Together([*heading, table]), Spacer(1, 5)]
            heading = []
    return out


def _section_action_plan(report: _Report) -> list[Flowable]:
    r, s = report.result, report.styles
    counts = {kind: sum(g.kind is kind for g in r.gaps) for kind in GapKind}
    out: list[Flowable] = [
        *_new_page("landscape"),
        report.heading("Action plan", "H1", "action-plan"),
        report.para(
            f"Every gap in priority order: {counts[GapKind.CRITICAL]} critical "
            f"(act within {GapKind.CRITICAL.timeframe}), {counts[GapKind.BELOW_CAPABLE]} below "
            f"capable (within {GapKind.BELOW_CAPABLE.timeframe}, ranked by weight × (3 − score)) "
            f"and {counts[GapKind.TOWARDS_ENHANCED]} towards enhanced (within "
            f"{GapKind.TOWARDS_ENHANCED.timeframe}, ranked by weight × (5 − score)). What to do "
            f"is written for a {esc(r.program.setting.label.lower())} program"
            + (" run by a hospital" if r.program.hospital_based else "")
            + ". Owner and due date are left for the team to fill in."
        ),
    ]
    if not r.gaps:
        out.append(report.para("No actions: every answered item scored 5."))
        return out
    heads = [
        "#",
        "Priority, time frame",
        "Practice",
        "What to do",
        "Why (finding)",
        "Source",
        "Owner",
        "Due date",
    ]
    rows: list[list[Any]] = [[_Para(h, s["CellHead"]) for h in heads]]
    for g in r.gaps:
        item = report.instrument.item(g.item_id)
        res = report.items[g.item_id]
        why = esc(finding_words(item, res))
        if res.critical:
            finding = next(f for f in r.critical_findings if f.item_id == g.item_id)
            why = f"<b>{esc(finding.finding)}</b> {why}"
        rows.append(
            [
                _Para(str(g.rank), s["PlanCell"]),
                _Para(_gap_kind_markup(g), s["PlanCell"]),
                _Para(f"<b>{esc(g.title)}</b><br/>{_id(g.item_id)}", s["PlanCell"]),
                _Para(esc(g.recommendation), s["PlanCell"]),
                _Para(why, s["PlanCell"]),
                _Para(report.cite(g.citations, g.sections), s["PlanCell"]),
                _Para("", s["PlanCell"]),
                _Para("", s["PlanCell"]),
            ]
        )
    widths = [8.5 * mm, 19 * mm, 38 * mm, 56 * mm, 47.5 * mm, 44.4 * mm, 15 * mm]
    widths.append(st.CONTENT_WIDTH_LANDSCAPE - sum(widths))
    crit_rows = [n for n, g in enumerate(r.gaps, 1) if g.kind is GapKind.CRITICAL]
    extra = [("BACKGROUND", (1, n), (1, n), st.CRITICAL_FILL) for n in crit_rows]
    # owner and due date are boxes to write in
    extra.append(("GRID", (6, 0), (7, -1), 0.4, st.RULE))
    out.append(_table(rows, widths, extra=extra, landscape=True))
    return out


def _section_answers(report: _Report) -> list[Flowable]:
    s = report.styles
    out: list[Flowable] = [
        *_new_page(),
        report.heading("Appendix A. Every answer", "H1", "appendix-answers"),
        report.para(
            "Each item as answered, in instrument order, with the N/A reason, the respondent's "
            "note and the evidence reference given.",
            "Notice",
        ),
    ]
    w = st.CONTENT_WIDTH
    for domain in report.instrument.domains:
        out.append(CondPageBreak(150))
        out.append(report.heading(domain.title, "H2Table", f"answers-{domain.id}", level=1))
        rows: list[list[Any]] = [
            [
                _Para("Item", s["CellHead"]),
                _Para("Answer", s["CellHead"]),
                _Para("Note or N/A reason", s["CellHead"]),
                _Para("Evidence", s["CellHead"]),
            ]
        ]
        for dimension in domain.dimensions:
            for item in dimension.items:
                res = report.items[item.id]
                answer = esc(answer_words(item, res))
                if res.critical:
                    answer += f'<br/><font color="{st.CRITICAL_HEX}"><b>CRITICAL</b></font>'
                note_parts = []
                if res.na_reason:
                    note_parts.append(f"<i>N/A:</i> {esc(res.na_reason)}")
                if res.note:
                    note_parts.append(esc(res.note))
                rows.append(
                    [
                        _Para(f"<b>{esc(item.title)}</b><br/>{_id(item.id)}", s["Cell"]),
                        _Para(answer, s["Cell"]),
                        _Para("<br/>".join(note_parts) or "–", s["Cell"]),
                        _Para(esc(res.evidence) if res.evidence else "–", s["Cell"]),
                    ]
                )
        out.append(_table(rows, [0.27 * w, 0.19 * w, 0.34 * w, 0.20 * w]))
    return out


def _section_methods(report: _Report) -> list[Flowable]:
    ins, s = report.instrument, report.styles
    bands = "; ".join(f"{b.span}: {b.score}" for b in ins.percent_bands)
    own_bands = any(i.bands for _, _, i in ins.iter_items())
    share = f"{MAX_UNANSWERED_SHARE:.0%}"
    rules = [
        "<b>Item scores.</b> Every item is scored from 1 to 5. Scale items are answered on the "
        "1–5 scale directly, against written anchors for at least 1, 3 and 5. Choice items map "
        "each labelled answer to a score. Percentage items (a chart audit or tracked data) map "
        f"the share to a score by bands: {esc(bands)}"
        + (" (some items set their own bands)." if own_bands else "."),
        "<b>Not applicable.</b> An item marked not applicable (only where the instrument allows "
        "it, and always with a reason) and an item that does not apply to the program's "
        "setting leave both the numerator and the denominator: they neither raise nor lower "
        "any score.",
        "<b>Unanswered.</b> An unanswered item is never guessed and never counted as a low "
        "score. It is left out of the means and counted as unanswered.",
        "<b>Dimension score.</b> The weighted mean of the scores of the dimension's answered, "
        "applicable items, using each item's weight from the instrument.",
        "<b>Domain score.</b> The mean of its dimension scores (a dimension with no scored item "
        "is left out).",
        f"<b>Insufficient evidence.</b> When more than {share} of a domain's applicable items "
        "are unanswered, the domain gets no level from its scores; the report says "
        "“insufficient evidence” and still shows the scores of what was answered. A domain "
        "in which no item applies has no level either.",
        "<b>Level (lowest-dimension rule).</b> Enhanced where every dimension scores at least "
        f"{ENHANCED:.1f}; capable where every dimension scores at least {CAPABLE:.1f}; emerging "
        f"where the domain score is at least {EMERGING:.1f}; otherwise not yet capable. One weak "
        "dimension therefore holds the whole domain back. A dimension with no scored item is "
        "left out of the rule, and the report notes it.",
        "<b>Critical findings.</b> Some answers are safety or access failures (for example "
        "refusing people who take prescribed medication, or having no crisis protocol). Each "
        "is listed first, with its source, and caps its domain at the lowest level whatever "
        "the mean.",
        "<b>Priorities.</b> The action plan lists every answered item that scored below 5 and "
        "every critical finding. Critical findings come first; then items below capable "
        f"(score under {CAPABLE:.0f}) ranked by weight × (3 − score); then steps towards "
        "enhanced ranked by weight × (5 − score). Ties keep the instrument's order, so the "
        "same answers always give the same order. Suggested time frames: "
        f"{GapKind.CRITICAL.timeframe} for critical findings, "
        f"{GapKind.BELOW_CAPABLE.timeframe} below capable, "
        f"{GapKind.TOWARDS_ENHANCED.timeframe} towards enhanced.",
        "<b>Recommendations.</b> Where the instrument words a recommendation for the program's "
        "setting, or for hospital-based or freestanding programs, that wording is used.",
        "<b>Rounding.</b> Dimension and domain scores are rounded to two decimals (halves up), "
        "and the levels are decided on those rounded scores: the score shown is the score that "
        "counts. A domain score is the mean of its rounded dimension scores.",
    ]
    out: list[Flowable] = [
        *_new_page(),
        report.heading("Appendix B. Methods", "H1", "appendix-methods"),
        report.para(
            "These are audit-kit's own scoring rules, inspired by the Dual Diagnosis Capability "
            "in Addiction Treatment (DDCAT) index and the Integrating Medications for Addiction "
            "Treatment (IMAT) index. They are not those instruments, and the levels in this "
            "report are not DDCAT or IMAT ratings."
        ),
        *_bullets(report, rules),
        _Para("Level names used in this report", s["H2"]),
    ]
    rows = [
        [_Para("Domain", s["CellHead"])]
        + [_Para(_LEVEL_WORDS[level].capitalize(), s["CellHead"]) for level in Level]
    ]
    rows += [
        [_Para(esc(d.title), s["CellBold"])]
        + [_Para(esc(d.levels.name(level)), s["Cell"]) for level in Level]
        for d in ins.domains
    ]
    fills = [
        ("BACKGROUND", (n, 1), (n, -1), st.LEVEL_FILLS[level]) for n, level in enumerate(Level, 1)
    ]
    w = st.CONTENT_WIDTH
    out.append(_table(rows, [0.24 * w] + [0.19 * w] * 4, zebra=False, extra=fills))
    out.append(_Para("The answers fingerprint", s["H2"]))
    out.append(
        report.para(
            "The fingerprint on the cover is the SHA-256 hash of the answers in audit-kit's "
            "canonical JSON form (program, assessor, date and every answer with its note and "
            "evidence). Any change to the answers changes it; the same answers give the same "
            "fingerprint whether they came from the workbook or a JSON file. This report: "
            f"{report.fingerprint}."
        )
    )
    return out


def _section_references(report: _Report) -> list[Flowable]:
    out: list[Flowable] = [
        Spacer(1, 6),
        report.heading("Appendix C. References", "H1", "appendix-references"),
        report.para(
            "The sources the items, critical rules and recommendations rest on, as cited in "
            "this report.",
            "Notice",
        ),
    ]
    for citation in report.instrument.citations:
        label = report.short_cites[citation.id]
        entry = _Para(
            f"<b>{esc(label)}</b><br/>{esc(citation.reference())}", report.styles["Reference"]
        )
        out.append(_Together([entry]))
    return out


def _section_about(report: _Report) -> list[Flowable]:
    r = report.result
    return [
        Spacer(1, 6),
        report.heading("About this report", "H1", "about"),
        report.para(
            "This is a self-assessment: the program's own answers, scored by fixed rules. It is "
            "not an accreditation decision, a certification or a survey finding, and it is not "
            "clinical advice about any patient. Use it to plan improvements and to prepare for "
            "an external review, and check each recommendation against the cited source and "
            "current law and regulation where you are."
        ),
        report.para(
            f"Made with audit-kit {__version__} from the answers dated "
            f"{r.assessment_date.isoformat()} (fingerprint {report.fingerprint[:16]}…) and "
            f"{esc(r.instrument_id)} version {esc(r.instrument_version)}.",
            "Notice",
        ),
    ]


# --------------------------------------------------------------------------------------------
# Document, page furniture and "Page x of y"


class _ReportDoc(BaseDocTemplate):
    """Three page templates (cover, portrait, landscape) and an outline entry per heading."""

    def __init__(self, buffer: BytesIO, report: _Report) -> None:
        r = report.result
        program = st.printable(r.program.name)
        super().__init__(
            buffer,
            pagesize=st.PAGE,
            leftMargin=st.MARGIN_LEFT,
            rightMargin=st.MARGIN_RIGHT,
            topMargin=st.MARGIN_TOP,
            bottomMargin=st.MARGIN_BOTTOM,
            title=f"{REPORT_NAME}: {program}, {r.assessment_date.isoformat()}",
            author=st.printable(r.assessor) or program,
            subject=(
                f"Self-assessment of {program} with {st.printable(r.instrument_title)} "
                f"({st.printable(r.instrument_id)} {st.printable(r.instrument_version)}); "
                f"answers SHA-256 {report.fingerprint}"
            ),
            creator=f"audit-kit {__version__}",
            producer=f"audit-kit {__version__} (ReportLab)",
            keywords=["self-assessment", "gap report", st.printable(r.instrument_id)],
            invariant=1,
            initialFontName=st.FONT,
            lang="en-US",
            displayDocTitle=1,
        )
        self.furniture = _Furniture(
            header_left=program,
            header_right=f"{REPORT_NAME} · {r.assessment_date.isoformat()}",
            footer_left=(
                f"{st.printable(r.instrument_id)} {st.printable(r.instrument_version)} · "
                f"answers SHA-256 {report.fingerprint[:16]}…"
            ),
        )
        portrait = _frame("portrait", st.CONTENT_WIDTH, st.FRAME_HEIGHT)
        landscape = _frame("landscape", st.CONTENT_WIDTH_LANDSCAPE, st.FRAME_HEIGHT_LANDSCAPE)
        self.addPageTemplates(
            [
                PageTemplate("cover", [portrait], onPage=self.furniture.cover, pagesize=st.PAGE),
                PageTemplate("portrait", [portrait], onPage=self.furniture.page, pagesize=st.PAGE),
                PageTemplate(
                    "landscape",
                    [landscape],
                    onPage=self.furniture.page,
                    pagesize=st.PAGE_LANDSCAPE,
                ),
            ]
        )

    def afterFlowable(self, flowable: Flowable) -> None:
        """Bookmark each heading that carries an outline entry, at its place on the page."""
        entry = getattr(flowable, "outline", None)
        if entry is None:
            return
        title, key, level = entry
        top = self.frame._y + flowable.height + 8
        self.canv.bookmarkPage(key, fit="XYZ", left=0, top=top)
        self.canv.addOutlineEntry(title, key, level=level, closed=level > 0)


def _frame(name: str, width: float, height: float) -> Frame:
    """The page's one text frame: inside the margins, no padding of its own."""
    return Frame(
        st.MARGIN_LEFT,
        st.MARGIN_BOTTOM,
        width,
        height,
        id=name,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )


@dataclass(frozen=True)
class _Furniture:
    """Running header and footer; _NumberedCanvas adds "Page x of y" once the total is known."""

    header_left: str
    header_right: str
    footer_left: str

    def cover(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        width, height = canvas._pagesize
        canvas.saveState()
        canvas.setFillColor(st.ACCENT)
        canvas.rect(0, height - 9 * mm, width, 9 * mm, stroke=0, fill=1)
        canvas.restoreState()
        canvas.showOutline()
        self._footer(canvas)

    def page(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        width, height = canvas._pagesize
        canvas.saveState()
        y = height - st.HEADER_BASELINE
        canvas.setFont(st.FONT, 7.5)
        canvas.setFillColor(st.MUTED)
        right_w = stringWidth(self.header_right, st.FONT, 7.5)
        room = width - st.MARGIN_LEFT - st.MARGIN_RIGHT - right_w - 12
        canvas.drawString(st.MARGIN_LEFT, y, _fit(self.header_left, room, False, 7.5))
        canvas.drawRightString(width - st.MARGIN_RIGHT, y, self.header_right)
        canvas.setStrokeColor(st.RULE)
        canvas.setLineWidth(0.5)
        canvas.line(st.MARGIN_LEFT, y - 3, width - st.MARGIN_RIGHT, y - 3)
        canvas.restoreState()
        self._footer(canvas)

    def _footer(self, canvas: Canvas) -> None:
        width, _ = canvas._pagesize
        canvas.saveState()
        y = st.FOOTER_BASELINE
        canvas.setStrokeColor(st.RULE)
        canvas.setLineWidth(0.5)
        canvas.line(st.MARGIN_LEFT, y + 8, width - st.MARGIN_RIGHT, y + 8)
        canvas.setFont(st.FONT, 7)
        canvas.setFillColor(st.MUTED)
        canvas.drawString(st.MARGIN_LEFT, y, self.footer_left)
        canvas.restoreState()


class _NumberedCanvas(Canvas):
    """Holds pages back until the end so that each can say "Page x of y".

    Bookmarks are held back with their page: a bookmark points at the page being written,
    which is only known once the page is really emitted.
    """

    def __init__(self, *args: Any, pdf_date: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        stamp = f"D:{pdf_date:%Y%m%d}000000+00'00'"
        # the PDF's creation date is the assessment's, never the clock's
        self.setDateFormatter(lambda *_: stamp)
        # reportlab seeds the file ID with a timestamp, SOURCE_DATE_EPOCH when that is set;
        # seed it with the assessment date, so that the bytes depend on the input alone
        self._doc.signature = hashlib.md5(stamp.encode(), usedforsecurity=False)
        self._held_pages: list[dict[str, Any]] = []
        self._held_marks: list[tuple[str, dict[str, Any]]] = []

    def bookmarkPage(self, key: str, **kw: Any) -> None:  # type: ignore[override]
        self._held_marks.append((key, kw))

    def showPage(self) -> None:
        self._held_pages.append(dict(self.__dict__))
        self._held_marks = []
        self._startPage()

    def save(self) -> None:
        total = len(self._held_pages)
        for number, state in enumerate(self._held_pages, start=1):
            self.__dict__.update(state)
            for key, kw in state["_held_marks"]:
                Canvas.bookmarkPage(self, key, **kw)
            width, _ = self._pagesize
            self.saveState()
            self.setFont(st.FONT, 7)
            self.setFillColor(st.MUTED)
            self.drawRightString(
                width - st.MARGIN_RIGHT, st.FOOTER_BASELINE, f"Page {number} of {total}"
            )
            self.restoreState()
            Canvas.showPage(self)
        Canvas.save(self)
