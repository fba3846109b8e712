"""Page 1: where the program stands, what is dangerous and what to do first, for a board."""

from __future__ import annotations

from reportlab.platypus import Flowable, Spacer, Table, TableStyle

from audit_kit.model.result import Gap
from audit_kit.model.vocab import DomainState, GapKind
from audit_kit.outputs.pdf import styles as st
from audit_kit.outputs.pdf.blocks import (
    REPORT_NAME,
    Para,
    Report,
    esc,
    level_fill,
    long_date,
    styled_table,
)
from audit_kit.outputs.pdf.brand import brand_block
from audit_kit.outputs.wording import (
    and_list,
    count,
    fmt_score,
    program_sentence,
    standing,
    unanswered_clause,
)

FIRST_ACTIONS = 5  # gaps named on page 1 for each later time frame


def cover(report: Report) -> list[Flowable]:
    """Page 1."""
    r, s = report.result, report.styles
    by = f" by {r.assessor}" if r.assessor else ""
    kicker = REPORT_NAME.upper() + (" · DRAFT" if report.draft else "")
    out: list[Flowable] = (
        [] if report.brand is None else brand_block(report.brand, s, st.CONTENT_WIDTH)
    )
    out += [
        report.heading(kicker, "Kicker", "cover", outline="Summary"),
        Para(esc(r.program.display_name), s["CoverTitle"]),
        report.para(
            esc(
                f"{program_sentence(r.program)} Assessed {_on(r.assessment_date)}{by} with the "
                f"{r.instrument_title}, version {r.instrument_version}. A self-assessment for "
                "quality improvement, not an accreditation decision or clinical advice."
            ),
            "CoverLine",
        ),
    ]
    if report.draft:
        out.append(_draft_box(report))
    out += _where_we_stand(report)
    out += _what_is_dangerous(report)
    # page 1 is one page: with many findings, fewer later actions are named there (the
    # findings pages give them all)
    for named in (FIRST_ACTIONS, 3, 0):
        page = out + _what_first(report, named)
        if _height(page) <= st.FRAME_HEIGHT:
            break
    return page


def _height(flowables: list[Flowable]) -> float:
    """The height the flowables take in the frame, with their spacing."""
    total = 0.0
    for f in flowables:
        _, h = f.wrap(st.CONTENT_WIDTH, st.FRAME_HEIGHT)
        total += h + f.getSpaceBefore() + f.getSpaceAfter()
    return total


def _on(day: object) -> str:
    return f"on {long_date(day)}" if day else "on a date not given"  # type: ignore[arg-type]


def _draft_box(report: Report) -> Flowable:
    """What is missing before the report can be relied on."""
    r = report.result
    lines = ["<b>Draft.</b> This report cannot be relied on until what is missing is filled in."]
    if r.missing:
        lines.append(esc(f"Not given: {and_list(r.missing)}."))
    short = [d for d in r.domains if d.insufficient_evidence]
    if short:
        named = "; ".join(f"{d.title} ({unanswered_clause(d)})" for d in short)
        lines.append(
            esc(
                f"Too few answers for a level: {named}. Answer the remaining items and make the "
                "report again."
            )
        )
    box = Table(
        [[Para("<br/>".join(lines), report.styles["BodyTight"])]],
        colWidths=[st.CONTENT_WIDTH],
        hAlign="LEFT",
    )
    box.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), st.FONT),
                ("BACKGROUND", (0, 0), (-1, -1), st.DRAFT_FILL),
                ("BOX", (0, 0), (-1, -1), 1, st.DRAFT),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    return box


def _where_we_stand(report: Report) -> list[Flowable]:
    r, s = report.result, report.styles
    rows: list[list[Flowable]] = [
        [
            Para("Domain", s["CellHead"]),
            Para("Score (of 5)", s["CellHeadRight"]),
            Para("Level", s["CellHead"]),
        ]
    ]
    for d in r.domains:
        words = esc(standing(d))
        if d.state is DomainState.CAPPED:
            words = (
                f'<font color="{st.CRITICAL_HEX}"><b>{esc(d.headline)}</b></font>'
                + words[len(esc(d.headline)) :]
            )
        else:
            words = f"<b>{words}</b>" if d.state is DomainState.RATED else words
        rows.append(
            [
                Para(esc(d.title), s["CellBold"]),
                Para(fmt_score(d.score), s["CellRight"]),
                Para(words, s["Cell"]),
            ]
        )
    fills = [("BACKGROUND", (2, n), (2, n), level_fill(d)) for n, d in enumerate(r.domains, 1)]
    w = st.CONTENT_WIDTH
    return [
        Para("Where we stand", s["H2"]),
        styled_table(rows, [0.34 * w, 0.15 * w, 0.51 * w], zebra=False, extra=fills),
    ]


def _what_is_dangerous(report: Report) -> list[Flowable]:
    r, s = report.result, report.styles
    findings = r.critical_findings
    out: list[Flowable] = [Para("What is dangerous", s["H2"])]
    if not findings:
        return [
            *out,
            report.para(
                "No critical findings: no answer met one of the instrument's safety rules."
            ),
        ]
    out.append(
        report.para(
            esc(
                f"{count(len(findings), 'critical finding')}, each keeping its domain from "
                "being capable until it is resolved:"
            )
        )
    )
    rows = [
        [
            Para(f"<b>{esc(f.code)}</b>", s["Cell"]),
            Para(esc(f.finding), s["Cell"]),
        ]
        for f in findings
    ]
    w = st.CONTENT_WIDTH
    out.append(
        styled_table(
            rows,
            [0.1 * w, 0.9 * w],
            header=False,
            zebra=False,
            extra=[("BACKGROUND", (0, 0), (0, -1), st.CRITICAL_FILL)],
        )
    )
    return out


def _what_first(report: Report, named: int) -> list[Flowable]:
    r, s = report.result, report.styles
    by_kind = {kind: [g for g in r.gaps if g.kind is kind] for kind in GapKind}
    rows: list[list[Flowable]] = []
    critical = by_kind[GapKind.CRITICAL]
    if critical:
        rows.append(
            _row(
                report,
                GapKind.CRITICAL,
                f"Resolve the {count(len(critical), 'critical finding')} above: "
                + ", ".join(g.code for g in critical)
                + ".",
            )
        )
    else:
        rows.append(_row(report, GapKind.CRITICAL, "Nothing critical to resolve."))
    for kind, noun, plural in (
        (GapKind.BELOW_CAPABLE, "gap below capable", "gaps below capable"),
        (GapKind.TOWARDS_ENHANCED, "step towards enhanced", "steps towards enhanced"),
    ):
        gaps = by_kind[kind]
        if not gaps:
            rows.append(_row(report, kind, f"No {plural}."))
            continue
        rows.append(_row(report, kind, _first(gaps, count(len(gaps), noun, plural), named)))
    w = st.CONTENT_WIDTH
    table = styled_table(rows, [0.19 * w, 0.81 * w], header=False, zebra=False)
    out: list[Flowable] = [Para("What we do first", s["H2"]), table]
    if r.gaps:
        where = "Findings by domain gives each action's recommendation and source"
        if not all(report.spelled_out(g) for g in r.gaps):
            where += (
                "; the steps towards enhanced of a domain not yet capable are spelled out in the "
                "full report"
            )
        out += [Spacer(1, 3), report.para(where + ".")]
    return out


def _row(report: Report, kind: GapKind, text: str) -> list[Flowable]:
    s = report.styles
    return [Para(f"<b>Within {kind.timeframe}</b>", s["Cell"]), Para(esc(text), s["Cell"])]


def _first(gaps: list[Gap], counted: str, named: int) -> str:
    if not named:
        return f"{counted}, in priority order in the findings by domain."
    listed = "; ".join(f"{g.code} {g.title}" for g in gaps[:named])
    if len(gaps) <= named:
        return f"{counted}: {listed}."
    return f"{counted}; the first {named} by priority: {listed}."
