"""One section per domain: its level, dimension scores, items below target and unanswered items."""

from __future__ import annotations

from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, Table, TableStyle

from audit_kit.model.instrument import Domain
from audit_kit.model.result import DimensionResult
from audit_kit.model.vocab import ItemStatus
from audit_kit.outputs.pdf import styles as st
from audit_kit.outputs.pdf.blocks import (
    GAP_WORDS,
    Para,
    Report,
    Together,
    esc,
    finding_words,
    level_fill,
    level_words,
    new_page,
    styled_table,
)
from audit_kit.outputs.text import fmt_score
from audit_kit.scoring import CAPABLE, ENHANCED


def domain_sections(report: Report) -> list[Flowable]:
    """A section for each domain of the instrument, in its order."""
    return [f for domain in report.instrument.domains for f in _domain_section(report, domain)]


def _domain_section(report: Report, domain: Domain) -> list[Flowable]:
    r, s = report.result, report.styles
    d = r.domain(domain.id)
    out: list[Flowable] = [
        *new_page(),
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
        [[Para("<br/>".join(facts), s["BodyTight"])]],
        colWidths=[st.CONTENT_WIDTH],
        hAlign="LEFT",
    )
    box.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), st.FONT),
                ("BACKGROUND", (0, 0), (-1, -1), level_fill(d)),
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
        out.append(Para(f"Not answered ({len(unanswered)})", s["H2"]))
        out.append(
            report.para(
                "These items count as unanswered; answer them for a complete picture. "
                + "; ".join(f"{esc(x.title)} ({esc(x.item_id)})" for x in unanswered)
                + ".",
            )
        )
    return out


def _dimension_table(report: Report, dims: list[DimensionResult]) -> list[Flowable]:
    s = report.styles
    heads = ["Dimension", "Score", "Compared with the lines", "Answered", "N/A", "Unanswered"]
    rows = [
        [Para(h, s["CellHead" if n in (0, 2) else "CellHeadRight"]) for n, h in enumerate(heads)]
    ]
    for m in dims:
        c = m.completeness
        rows.append(
            [
                Para(esc(m.title), s["CellBold"]),
                Para(fmt_score(m.score), s["CellRight"]),
                Para(_dimension_status(m.score), s["Cell"]),
                *(
                    Para(str(v), s["CellRight"])
                    for v in (c.answered, c.not_applicable, c.unanswered)
                ),
            ]
        )
    w = st.CONTENT_WIDTH
    return [
        Para("Dimension scores", s["H2"]),
        styled_table(rows, [0.34 * w, 0.09 * w, 0.25 * w, 0.11 * w, 0.08 * w, 0.13 * w]),
    ]


def _dimension_status(score: float | None) -> str:
    if score is None:
        return "no score"
    if score >= ENHANCED:
        return f"at enhanced (≥ {ENHANCED:.1f})"
    if score >= CAPABLE:
        return f"at capable (≥ {CAPABLE:.1f})"
    return f"below capable ({CAPABLE:.1f})"


def _items_below_target(report: Report, domain: Domain) -> list[Flowable]:
    r, s = report.result, report.styles
    gaps = {g.item_id: g for g in r.gaps if g.domain_id == domain.id}
    out: list[Flowable] = [Para(f"Items below target ({len(gaps)})", s["H2"])]
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
        heading: list[Flowable] = [Para(esc(dimension.title), s["H3"])]
        for g in in_dim:
            item = report.instrument.item(g.item_id)
            res = report.items[g.item_id]
            head = (
                f"<b>{esc(g.title)}</b> ({esc(g.item_id)}) — {GAP_WORDS[g.kind].lower()}, "
                f"action {g.rank}, within {g.timeframe}"
            )
            rows: list[list[Any]] = [[Para(head, s["Cell"]), ""]]
            if res.critical:
                finding = next(f for f in r.critical_findings if f.item_id == g.item_id)
                rows.append(
                    [
                        Para("Critical", s["CellCritical"]),
                        Para(esc(finding.finding), s["CellCritical"]),
                    ]
                )
            rows.append(
                [
                    Para("Finding", s["Label"]),
                    Para(esc(finding_words(item, res)), s["Cell"]),
                ]
            )
            if res.note:
                rows.append([Para("Note", s["Label"]), Para(esc(res.note), s["Cell"])])
            if res.evidence:
                rows.append([Para("Evidence", s["Label"]), Para(esc(res.evidence), s["Cell"])])
            rows.append(
                [
                    Para("Recommendation", s["Label"]),
                    Para(esc(g.recommendation), s["Cell"]),
                ]
            )
            rows.append(
                [
                    Para("Source", s["Label"]),
                    Para(report.cite(g.citations, g.sections), s["Cell"]),
                ]
            )
            extra = [
                ("SPAN", (0, 0), (1, 0)),
                ("BACKGROUND", (0, 0), (-1, 0), st.CRITICAL_FILL if res.critical else st.HEAD_FILL),
                ("LINEBELOW", (0, 0), (-1, -1), 0.3, st.RULE),
            ]
            table = styled_table(
                rows, [label_w, st.CONTENT_WIDTH - label_w], header=False, zebra=False, extra=extra
            )
            out += [Together([*heading, table]), Spacer(1, 5)]
            heading = []
    return out
