""" "Progress since <date>": one page of the gap report comparing it with the previous assessment.

``progress(comparison, styles)`` gives the flowables: a before/after profile of every domain and
dimension, the domains' levels then and now, and the lists of critical findings and gaps
resolved, new and still open, shortened so that the whole part fits one portrait page.
"""

from __future__ import annotations

from typing import Any

from reportlab.graphics.shapes import Circle, Drawing, Line, String
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, PageBreak, Paragraph

from audit_kit.model.comparison import Comparison, CriticalChange, ItemChange
from audit_kit.outputs.compare import fmt_change, item_scores, score_pair, standing_words
from audit_kit.outputs.pdf import styles as st
from audit_kit.outputs.pdf.blocks import Report, esc, fit, long_date
from audit_kit.outputs.pdf.brand import accent
from audit_kit.outputs.pdf.chart import band
from audit_kit.outputs.pdf.kit import arrow, heading, standing_fill, table
from audit_kit.outputs.wording import count
from audit_kit.scoring import CAPABLE, ENHANCED

BEFORE = colors.HexColor("#9AA5B1")
#: Entries shown per list before "and N more"; lowered until the part fits one page.
MOST_SHOWN = 8


def progress_title(c: Comparison) -> str:
    """'Progress since October 1, 2025'."""
    if c.old_date is None:
        return "Progress since the previous assessment"
    return f"Progress since {long_date(c.old_date)}"


def progress_part(report: Report) -> list[Flowable]:
    """The report's progress page, when it is compared with a previous assessment."""
    if report.comparison is None:
        return []
    return progress(report.comparison, report.styles, accent=accent(report.brand))


def progress(
    c: Comparison,
    styles: Any,
    *,
    width: float = st.CONTENT_WIDTH,
    height: float = st.FRAME_HEIGHT,
    new_page: bool = True,
    accent: Any = st.ACCENT,
) -> list[Flowable]:
    """The progress part: at most one page of ``width`` × ``height`` (the report's frame)."""
    for shown in range(MOST_SHOWN, -1, -1):
        body = _body(c, styles, width, accent, shown)
        used = sum(f.wrap(width, height)[1] + f.getSpaceAfter() + f.getSpaceBefore() for f in body)
        if used <= height:
            break
    return ([PageBreak()] if new_page else []) + body


def _body(c: Comparison, styles: Any, width: float, accent: Any, shown: int) -> list[Flowable]:
    s = styles
    intro = (
        f"Compared with the assessment of {esc(long_date(c.old_date))} "
        f"({esc(c.instrument_id)} {esc(c.old_version)})."
    )
    if c.across_versions:
        intro += (
            f" The instrument changed to version {esc(c.new_version)}: "
            f"{len(c.shared_items)} of its {c.new_item_count} items ({c.shared_share:.0%}) are "
            "the same and are compared item by item; domain and dimension scores rest on each "
            "version's own items."
        )
    out: list[Flowable] = [
        heading(progress_title(c), s["H1"], "progress"),
        Paragraph(intro, s["Body"]),
        _domain_table(c, s, width),
        progress_chart(c, width, accent),
    ]
    crit = [
        ("Critical findings resolved", c.criticals_resolved),
        ("New critical findings", c.criticals_new),
        ("Critical findings still open", c.criticals_still_open),
    ]
    if c.criticals_unconfirmed:
        crit.append(("Not confirmed resolved (now unanswered or N/A)", c.criticals_unconfirmed))
    out.append(_list_table(crit, s, width, shown, _critical_line))
    gaps = [
        ("Gaps closed", c.gaps_closed),
        ("New gaps", c.gaps_new),
        ("Gaps still open", c.gaps_still_open),
    ]
    out.append(_list_table(gaps, s, width, shown, _gap_line))
    notes = []
    if c.gaps_unconfirmed:
        notes.append(
            f"{count(len(c.gaps_unconfirmed), 'gap')} of last time now unanswered or not "
            "applicable, so not counted as closed: "
            + ", ".join(esc(g.code) for g in c.gaps_unconfirmed)
            + "."
        )
    if c.gaps_not_compared:
        notes.append(
            f"{count(len(c.gaps_not_compared), 'gap')} on items not compared (new in "
            f"{esc(c.new_version)} or changed in meaning)."
        )
    notes += [esc(w) for w in c.warnings if not w.startswith("Compared across")]
    if notes:
        out.append(Paragraph(" ".join(notes), s["Notice"]))
    return out


def _domain_table(c: Comparison, s: Any, width: float) -> Flowable:
    head = ["Domain", f"Then ({c.old_date or 'no date'})", f"Now ({c.new_date or 'no date'})"]
    rows: list[list[Any]] = [[Paragraph(esc(h), s["CellHead"]) for h in head]]
    rows[0].append(Paragraph("Score", s["CellHeadRight"]))
    fills = []
    for n, d in enumerate(c.domains, start=1):
        before = standing_words(d.old_headline, d.old_state, d.old_scores_level_name)
        now = standing_words(d.new_headline, d.new_state, d.new_scores_level_name)
        rows.append(
            [
                Paragraph(f"<b>{esc(d.title)}</b><br/>level {esc(d.direction.label)}", s["Cell"]),
                Paragraph(esc(before), s["Cell"]),
                Paragraph(esc(now), s["Cell"]),
                Paragraph(
                    f"{score_pair(d.old_score, d.new_score, arrow())}<br/>"
                    f"({fmt_change(d.score_change)})",
                    s["CellRight"],
                ),
            ]
        )
        fills += [
            ("BACKGROUND", (1, n), (1, n), standing_fill(d.old_state, d.old_level)),
            ("BACKGROUND", (2, n), (2, n), standing_fill(d.new_state, d.new_level)),
        ]
    return table(rows, [0.27 * width, 0.29 * width, 0.29 * width, 0.15 * width], extra=fills)


def _critical_line(c: CriticalChange) -> str:
    return f"<b>{esc(c.code)}</b> {esc(c.title)}"


def _gap_line(g: ItemChange) -> str:
    return f"<b>{esc(g.code)}</b> {esc(g.title)} ({esc(item_scores(g, arrow()))})"


def _list_table(
    lists: list[tuple[str, list[Any]]], s: Any, width: float, shown: int, line: Any
) -> Flowable:
    """Lists side by side, each cut to ``shown`` entries and an 'and N more' line."""
    head = [Paragraph(f"{esc(title)} ({len(entries)})", s["CellHead"]) for title, entries in lists]
    cells = []
    for _, entries in lists:
        text = "<br/>".join(line(e) for e in entries[:shown]) or "None."
        if len(entries) > shown:
            text += f"<br/><i>and {len(entries) - shown} more (audit-kit compare lists all)</i>"
        cells.append(Paragraph(text, s["Cell"]))
    return table([head, cells], [width / len(lists)] * len(lists))


def progress_chart(c: Comparison, width: float, accent: Any = st.ACCENT) -> Drawing:
    """Each domain and dimension on a 1–5 axis: a grey ring then, a dot now, joined by a line;
    the scores are printed at the right, so nothing rests on colour alone."""
    rows = []
    for d in c.domains:
        rows.append((d.title, d.old_score, d.new_score, True))
        rows += [(m.title, m.old_score, m.new_score, False) for m in c.dimensions_of(d.domain_id)]
    row_h = min(12.0, 260 / max(len(rows), 1))
    size = min(7.5, row_h * 0.65)
    label_w, value_w, top_pad, bottom_pad = 0.36 * width, 0.16 * width, 22.0, 22.0
    x0 = label_w + 6
    scale = (width - x0 - value_w - 6) / 4
    height = top_pad + row_h * len(rows) + bottom_pad
    drawing = Drawing(width, height)
    drawing.initialFontName = st.FONT
    drawing.initialFontSize = size

    def x_of(score: float) -> float:
        return x0 + (score - 1) * scale

    for tick in range(1, 6):
        x = x_of(tick)
        drawing.add(Line(x, bottom_pad, x, height - top_pad, strokeColor=st.RULE, strokeWidth=0.3))
        drawing.add(
            String(x, bottom_pad - 9, str(tick), fontName=st.FONT, fontSize=7, textAnchor="middle")
        )
    for value, name, colour in (
        (CAPABLE, "capable", st.CAPABLE_LINE),
        (ENHANCED, "enhanced", st.ENHANCED_LINE),
    ):
        x = x_of(value)
        drawing.add(
            Line(
                x,
                bottom_pad - 2,
                x,
                height - top_pad + 3,
                strokeColor=colour,
                strokeWidth=1,
                strokeDashArray=[3, 2],
            )
        )
        drawing.add(
            String(
                x,
                height - top_pad + 6,
                f"{name} {value:.1f}",
                fontName=st.FONT_BOLD,
                fontSize=7,
                fillColor=colour,
                textAnchor="middle",
            )
        )
    for n, (title, old, new, top) in enumerate(rows):
        y = height - top_pad - (n + 0.5) * row_h
        font = st.FONT_BOLD if top else st.FONT
        indent = 0 if top else 7
        label = fit(st.printable(title), label_w - indent, bool(top), size)
        drawing.add(String(indent, y - size / 3, label, fontName=font, fontSize=size))
        if top and n:
            line_y = y + row_h / 2
            drawing.add(Line(0, line_y, width, line_y, strokeColor=st.RULE, strokeWidth=0.5))
        if old is not None and new is not None:
            drawing.add(
                Line(x_of(old), y, x_of(new), y, strokeColor=accent, strokeWidth=1.6 if top else 1)
            )
        radius = 2.9 if top else 2.4
        if old is not None:
            drawing.add(
                Circle(
                    x_of(old),
                    y,
                    radius,
                    fillColor=colors.white,
                    strokeColor=BEFORE,
                    strokeWidth=1.2,
                )
            )
        if new is not None:
            # a dimension's dot in the colour of its score's band, as on the profile chart; a
            # domain's level is not its mean's band (the lowest dimension and criticals decide)
            fill = accent if top else st.LEVEL_BARS[band(new)]
            drawing.add(Circle(x_of(new), y, radius, fillColor=fill, strokeColor=fill))
        text = score_pair(old, new, arrow())
        drawing.add(String(width - value_w + 4, y - size / 3, text, fontName=font, fontSize=size))
    legend_y = 3.0
    drawing.add(Circle(x0 + 3, legend_y + 2.5, 2.4, fillColor=colors.white, strokeColor=BEFORE))
    then = f"then ({c.old_date or 'no date'})"
    drawing.add(String(x0 + 9, legend_y, then, fontName=st.FONT, fontSize=7, fillColor=st.MUTED))
    at = x0 + 9 + stringWidth(then, st.FONT, 7) + 14
    drawing.add(Circle(at, legend_y + 2.5, 2.4, fillColor=accent, strokeColor=accent))
    now = f"now ({c.new_date or 'no date'}); a dimension in its band's colour; 5 is best"
    drawing.add(String(at + 6, legend_y, now, fontName=st.FONT, fontSize=7, fillColor=st.MUTED))
    return drawing
