"""The action plan: every gap in priority order, on landscape pages, with owner and due date."""

from __future__ import annotations

from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from audit_kit.model.vocab import GapKind
from audit_kit.outputs.pdf import styles as st
from audit_kit.outputs.pdf.blocks import (
    Para,
    Report,
    esc,
    finding_words,
    gap_kind_markup,
    id_markup,
    new_page,
    styled_table,
)


def action_plan(report: Report) -> list[Flowable]:
    """The action plan, from a new landscape page."""
    r, s = report.result, report.styles
    counts = {kind: sum(g.kind is kind for g in r.gaps) for kind in GapKind}
    out: list[Flowable] = [
        *new_page("landscape"),
        report.heading("Action plan", "H1", "action-plan"),
        report.para(
            f"Every gap in priority order: {counts[GapKind.CRITICAL]} critical "
            f"(act within {GapKind.CRITICAL.timeframe}), {counts[GapKind.BELOW_CAPABLE]} below "
            f"capable (within {GapKind.BELOW_CAPABLE.timeframe}, ranked by weight × (3 − score)) "
            f"and {counts[GapKind.TOWARDS_ENHANCED]} towards enhanced (within "
            f"{GapKind.TOWARDS_ENHANCED.timeframe}, ranked by weight × (5 − score)). What to do "
            f"is written for a {esc(r.program.setting_label.lower())} program"
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
    rows: list[list[Any]] = [[Para(h, s["CellHead"]) for h in heads]]
    for g in r.gaps:
        item = report.instrument.item(g.item_id)
        res = report.items[g.item_id]
        why = esc(finding_words(item, res))
        if res.critical:
            finding = next(f for f in r.critical_findings if f.item_id == g.item_id)
            why = f"<b>{esc(finding.finding)}</b> {why}"
        rows.append(
            [
                Para(str(g.rank), s["PlanCell"]),
                Para(gap_kind_markup(g), s["PlanCell"]),
                Para(f"<b>{esc(g.title)}</b><br/>{id_markup(g.item_id)}", s["PlanCell"]),
                Para(esc(g.recommendation), s["PlanCell"]),
                Para(why, s["PlanCell"]),
                Para(report.cite(g.citations, g.sections), s["PlanCell"]),
                Para("", s["PlanCell"]),
                Para("", s["PlanCell"]),
            ]
        )
    widths = [8.5 * mm, 19 * mm, 38 * mm, 56 * mm, 47.5 * mm, 44.4 * mm, 15 * mm]
    widths.append(st.CONTENT_WIDTH_LANDSCAPE - sum(widths))
    crit_rows = [n for n, g in enumerate(r.gaps, 1) if g.kind is GapKind.CRITICAL]
    extra = [("BACKGROUND", (1, n), (1, n), st.CRITICAL_FILL) for n in crit_rows]
    # owner and due date are boxes to write in
    extra.append(("GRID", (6, 0), (7, -1), 0.4, st.RULE))
    out.append(styled_table(rows, widths, extra=extra, landscape=True))
    return out
