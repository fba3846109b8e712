"""Findings by domain: each gap with its recommendation, printed once, in full, with its source."""

from __future__ import annotations

from reportlab.platypus import Flowable, Table, TableStyle
from reportlab.platypus.flowables import CondPageBreak

from audit_kit.model.instrument import Citation, Domain
from audit_kit.model.result import CriticalFinding, Gap
from audit_kit.model.vocab import DomainState, GapKind, ItemStatus, Level
from audit_kit.outputs.pdf import styles as st
from audit_kit.outputs.pdf.blocks import (
    GAP_WORDS,
    Para,
    Report,
    RowTable,
    esc,
    finding_words,
    level_fill,
    short_answer,
    styled_table,
)
from audit_kit.outputs.wording import fmt_score, number, standing

_STRIPS = {
    GapKind.CRITICAL: st.CRITICAL,
    GapKind.BELOW_CAPABLE: st.LEVEL_BARS[Level.EMERGING],
    GapKind.TOWARDS_ENHANCED: st.LEVEL_BARS[Level.ENHANCED],
}


def findings(report: Report) -> list[Flowable]:
    """Findings by domain, after the profile on the same page when there is room."""
    heading = report.heading("Findings by domain", "H1", "findings")
    out: list[Flowable] = []
    for n, domain in enumerate(report.instrument.domains):
        section = _domain(report, domain)
        if n == 0:
            section = [heading, *section]
        # a domain starts on a new page unless its heading, standing and first finding fit
        out += [CondPageBreak(_opening_height(section)), *section]
    return out


def _opening_height(flowables: list[Flowable]) -> float:
    """The height of a section's headings and of what first follows them: the first rows of
    a table (those that never end a page alone and one more), or a paragraph."""
    height = after = 0.0
    for flowable in flowables:
        # as a frame does: the gap between two flowables is the larger of the two spaces
        height += max(flowable.getSpaceBefore() - after, 0)
        if isinstance(flowable, RowTable):
            flowable.wrap(st.CONTENT_WIDTH, st.FRAME_HEIGHT)
            return height + sum(flowable._rowHeights[: flowable.lead_rows + 1])
        height += flowable.wrap(st.CONTENT_WIDTH, st.FRAME_HEIGHT)[1] + flowable.getSpaceAfter()
        after = flowable.getSpaceAfter()
        if isinstance(flowable, Para) and not flowable.getKeepWithNext():
            break  # the first paragraph after the headings, which may split itself
    return height


def _domain(report: Report, domain: Domain) -> list[Flowable]:
    r, s = report.result, report.styles
    gaps = [g for g in r.gaps if g.domain_id == domain.id]
    out: list[Flowable] = [
        report.heading(domain.title, "H2", f"domain-{domain.id}", level=1),
        _standing_box(report, domain),
    ]
    if not gaps:
        answered = r.domain(domain.id).completeness.answered
        out.append(
            report.para(
                "Every answered item in this domain scored 5."
                if answered
                else "No item in this domain is answered yet."
            )
        )
    for kind in GapKind:
        of_kind = [g for g in gaps if g.kind is kind]
        if not of_kind:
            continue
        head = Para(
            esc(f"{GAP_WORDS[kind]} ({len(of_kind)}) — act within {kind.timeframe}"), s["H3"]
        )
        shown = [g for g in of_kind if report.spelled_out(g)]
        named = [g for g in of_kind if not report.spelled_out(g)]
        if shown:
            out.append(_entries(report, shown, head))
        else:
            out += [CondPageBreak(60), head]
        if named:
            listed = "; ".join(f"{g.code} {g.title}" for g in named)
            text = f"Next once the domain is capable; spelled out in the full report: {listed}."
            out.append(report.para(esc(text)))
    unanswered = [
        x for x in r.items if x.domain_id == domain.id and x.status is ItemStatus.UNANSWERED
    ]
    if unanswered:
        listed = "; ".join(f"{x.code} {x.title}" for x in unanswered)
        out.append(
            report.para(
                f"<b>Not answered ({len(unanswered)}):</b> "
                + esc(listed + ". Answer them for a complete picture.")
            )
        )
    return out


def _standing_box(report: Report, domain: Domain) -> Flowable:
    r = report.result
    d = r.domain(domain.id)
    lowest = next(
        (m for m in r.dimensions_of(domain.id) if m.dimension_id == d.lowest_dimension), None
    )
    facts = [f"score {fmt_score(d.score)} of 5" if d.score is not None else "no score yet"]
    if lowest is not None and lowest.score is not None:
        facts.append(f"weakest dimension: {esc(lowest.title)} ({fmt_score(lowest.score)})")
    text = f"<b>{esc(standing(d))}</b> — " + "; ".join(facts) + "."
    box = Table(
        [[Para(text, report.styles["BodyTight"])]], colWidths=[st.CONTENT_WIDTH], hAlign="LEFT"
    )
    fill = level_fill(d) if d.state is not DomainState.NOT_APPLICABLE else st.NO_LEVEL_FILL
    box.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), st.FONT),
                ("BACKGROUND", (0, 0), (-1, -1), fill),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return box


def _entries(report: Report, gaps: list[Gap], head: Flowable) -> Table:
    """A heading row, then one row per gap: a strip in the colour of its kind, then what was
    found, what to do and the sources, as one paragraph across the page."""
    s = report.styles
    rows: list[list[object]] = [[head, ""]]
    for g in gaps:
        finding = report.findings.get(g.item_id)
        citations, sections = list(g.citations), list(g.sections)
        item, result = report.instrument.item(g.item_id), report.items[g.item_id]
        if report.full:
            # the working copy says what the answer means, in the anchor's words
            found = f"<b>{esc(g.code)} {esc(g.title)}.</b> {esc(finding_words(item, result))}"
        else:
            found = f"<b>{esc(g.code)} {esc(g.title)}</b> ({esc(short_answer(item, result))})"
        if finding is None:
            found += "" if report.full else "."
        else:
            if report.full:
                found += f' <font color="{st.CRITICAL_HEX}"><b>Critical finding:</b></font>'
            found += (" " if report.full else ": ") + f"{esc(finding.finding)}<br/>"
            citations, sections = _merged(report, finding, g)
        noun = number(len(citations), "Source")
        text = (
            f"{found} {esc(g.recommendation)} "
            f'<font color="{st.MUTED_HEX}">{noun}: {report.cite(citations, sections)}.</font>'
        )
        rows.append(["", Para(text, s["Entry"])])
    w = st.CONTENT_WIDTH
    extra = [("BACKGROUND", (0, n), (0, n), _STRIPS[g.kind]) for n, g in enumerate(gaps, 1)]
    extra += [
        ("SPAN", (0, 0), (1, 0)),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, _STRIPS[gaps[0].kind]),
        ("LEFTPADDING", (0, 0), (0, 0), 0),
        ("LEFTPADDING", (0, 1), (0, -1), 0),
        ("RIGHTPADDING", (0, 1), (0, -1), 0),
        ("LEFTPADDING", (1, 1), (1, -1), 6),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]
    return styled_table(rows, [3, w - 3], header=False, zebra=False, extra=extra, lead_rows=1)


def _merged(
    report: Report, finding: CriticalFinding, gap: Gap
) -> tuple[list[Citation], list[str | None]]:
    """The finding's sources, then the recommendation's, each once."""
    seen: set[tuple[str, str | None]] = set()
    citations: list[Citation] = []
    sections: list[str | None] = []
    pairs = [
        *zip(finding.citations, finding.sections, strict=True),
        *zip(gap.citations, gap.sections, strict=True),
    ]
    for c, sec in pairs:
        key = (c.id, sec if report.full else None)
        if key not in seen:
            seen.add(key)
            citations.append(c)
            sections.append(sec)
    return citations, sections
