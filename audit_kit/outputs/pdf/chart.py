"""The summary's bar chart of domain and dimension scores against the capable and enhanced lines."""

from __future__ import annotations

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth

from audit_kit.outputs.pdf import styles as st
from audit_kit.outputs.pdf.blocks import Report, fit
from audit_kit.scoring import CAPABLE, ENHANCED


def score_chart(report: Report) -> Drawing:
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
                fit(title, label_width - x, top, label_size),
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
