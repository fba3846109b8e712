"""The executive summary: levels, the score chart, critical findings, priorities, completeness."""

from __future__ import annotations

from reportlab.platypus import Flowable

from audit_kit.model.vocab import GapKind
from audit_kit.outputs.pdf import styles as st
from audit_kit.outputs.pdf.blocks import (
    Para,
    Report,
    Together,
    answer_words,
    block,
    bullets,
    esc,
    gap_kind_markup,
    id_markup,
    level_fill,
    level_words,
    long_date,
    new_page,
    styled_table,
)
from audit_kit.outputs.pdf.chart import score_chart
from audit_kit.outputs.text import fmt_score
from audit_kit.scoring import CAPABLE, ENHANCED, MAX_UNANSWERED_SHARE

TOP_PRIORITIES = 5


def summary(report: Report) -> list[Flowable]:
    """The executive summary, from a new page."""
    r, s = report.result, report.styles
    c = r.completeness
    by = f" by {r.assessor}" if r.assessor else ""
    intro = (
        f"{esc(r.program.display_name)} ({esc(r.program.setting_label.lower())} program) was "
        "assessed on "
        f"{long_date(r.assessment_date)}{esc(by)} with {esc(r.instrument_title)} "
        f"({esc(r.instrument_id)}, version {esc(r.instrument_version)}). Of its {c.total} items, "
        f"{c.answered} were answered, {c.not_applicable} were not applicable and "
        f"{c.unanswered} were left unanswered."
    )
    out: list[Flowable] = [
        *new_page(),
        report.heading("Executive summary", "H1", "summary"),
        report.para(intro),
        Para("Level per domain", s["H2"]),
    ]
    rows = [
        [
            Para("Domain", s["CellHead"]),
            Para("Score (1–5)", s["CellHeadRight"]),
            Para("Level", s["CellHead"]),
            Para("Lowest dimension", s["CellHead"]),
        ]
    ]
    for d in r.domains:
        lowest = next(
            (m for m in r.dimensions_of(d.domain_id) if m.dimension_id == d.lowest_dimension),
            None,
        )
        rows.append(
            [
                Para(esc(d.title), s["CellBold"]),
                Para(fmt_score(d.score), s["CellRight"]),
                Para(esc(level_words(report.instrument, d)), s["Cell"]),
                Para(
                    f"{esc(lowest.title)} ({fmt_score(lowest.score)})" if lowest else "–",
                    s["Cell"],
                ),
            ]
        )
    fills = [("BACKGROUND", (2, n), (2, n), level_fill(d)) for n, d in enumerate(r.domains, 1)]
    w = st.CONTENT_WIDTH
    out.append(
        styled_table(rows, [0.30 * w, 0.11 * w, 0.37 * w, 0.22 * w], zebra=False, extra=fills)
    )
    out.append(
        report.para(
            f"A domain is capable when every one of its dimensions scores at least {CAPABLE:.1f} "
            f"and enhanced when every dimension scores at least {ENHANCED:.1f}; a critical "
            "finding caps it at the lowest level whatever the mean (Appendix B).",
            "Notice",
        )
    )
    chart = [
        Para("Domain and dimension scores", s["H2"]),
        score_chart(report),
        report.para(
            f"Dark bars: domain score (mean of its dimensions). Light bars: dimension score "
            f"(weighted mean of its answered, applicable items). Dashed lines: capable "
            f"({CAPABLE:.1f}) and enhanced ({ENHANCED:.1f}).",
            "Notice",
        ),
    ]
    out.append(Together(chart))
    out += _critical_block(report)
    out += _top_priorities(report)
    out += _completeness_block(report)
    if r.warnings:
        out.append(Para("Notes on this result", s["H2"]))
        out += bullets(report, (esc(w) for w in r.warnings))
    return out


def _critical_block(report: Report) -> list[Flowable]:
    s, findings = report.styles, report.result.critical_findings
    out: list[Flowable] = [
        Para("Critical findings" + (f" ({len(findings)})" if findings else ""), s["H2"])
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
            Para("Finding", s["CellHead"]),
            Para("Practice and answer", s["CellHead"]),
            Para("Source", s["CellHead"]),
        ]
    ]
    for f in findings:
        item = report.instrument.item(f.item_id)
        practice = (
            f"<b>{esc(f.title)}</b> {id_markup(f.item_id)}"
            f"<br/>{esc(report.instrument.domain(f.domain_id).title)}"
            f"<br/>Answer: {esc(answer_words(item, report.items[f.item_id]))}"
        )
        rows.append(
            [
                Para(f"<b>CRITICAL:</b> {esc(f.finding)}", s["CellCritical"]),
                Para(practice, s["Cell"]),
                Para(report.cite(f.citations, f.sections), s["Cell"]),
            ]
        )
    w = st.CONTENT_WIDTH
    out.append(
        styled_table(
            rows,
            [0.33 * w, 0.37 * w, 0.30 * w],
            zebra=False,
            extra=[("BACKGROUND", (0, 1), (0, -1), st.CRITICAL_FILL)],
        )
    )
    return block(out)


def _top_priorities(report: Report) -> list[Flowable]:
    r, s = report.result, report.styles
    top = r.gaps[:TOP_PRIORITIES]
    title = f"Top {TOP_PRIORITIES} priorities" if len(top) == TOP_PRIORITIES else "Priorities"
    out: list[Flowable] = [Para(title, s["H2Table"])]
    if not top:
        return [*out, report.para("None: every answered item scored 5.")]
    rows = [
        [
            Para("#", s["CellHead"]),
            Para("Practice and priority", s["CellHead"]),
            Para("What to do", s["CellHead"]),
            Para("Source", s["CellHead"]),
        ]
    ]
    rows += [
        [
            Para(str(g.rank), s["Cell"]),
            Para(
                f"<b>{esc(g.title)}</b><br/>{id_markup(g.item_id)}<br/>"
                + gap_kind_markup(g, inline=True),
                s["Cell"],
            ),
            Para(esc(g.recommendation), s["Cell"]),
            Para(report.cite(g.citations, g.sections), s["Cell"]),
        ]
        for g in top
    ]
    w = st.CONTENT_WIDTH
    out.append(styled_table(rows, [0.04 * w, 0.26 * w, 0.43 * w, 0.27 * w]))
    out.append(
        report.para(
            f"The action plan lists all {len(r.gaps)} actions in priority order, with the "
            "finding behind each and columns for an owner and a due date.",
            "Notice",
        )
    )
    return block(out)


def _completeness_block(report: Report) -> list[Flowable]:
    r, s = report.result, report.styles
    out: list[Flowable] = [Para("Completeness", s["H2"])]
    heads = ["Domain", "Items", "Answered", "Not applicable", "Unanswered", "Unanswered share"]
    rows = [[Para(h, s["CellHead" if n == 0 else "CellHeadRight"]) for n, h in enumerate(heads)]]
    for title, comp, insufficient in [
        *((d.title, d.completeness, d.insufficient_evidence) for d in r.domains),
        ("All items", r.completeness, False),
    ]:
        share = f"{comp.unanswered_share:.0%}" if comp.applicable else "–"
        if insufficient:
            share += " — insufficient evidence"
        rows.append(
            [
                Para(esc(title), s["CellBold"]),
                *(
                    Para(str(v), s["CellRight"])
                    for v in (comp.total, comp.answered, comp.not_applicable, comp.unanswered)
                ),
                Para(share, s["CellRight"]),
            ]
        )
    w = st.CONTENT_WIDTH
    out.append(
        styled_table(
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
    return [Together(out)]
