"""The profile chart: every dimension's score as a bar from 0, coloured and named by its level."""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.colors import Color
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable

from audit_kit.model.result import DomainResult
from audit_kit.model.vocab import DomainState, Level
from audit_kit.outputs.pdf import styles as st
from audit_kit.outputs.pdf.blocks import LEVEL_WORDS, Report, fit
from audit_kit.scoring import CAPABLE, EMERGING, ENHANCED

_SCALE_MAX = 5.0
_LABEL_SIZE = 8.5
_DOMAIN_SIZE = 9.0
_ROW = 13.5  # height of a dimension's row
_DOMAIN_ROW = 17.0
_TOP = 16.0  # room for the line labels
_BOTTOM = 16.0  # room for the axis numbers
_WORDS_WIDTH = 128.0


@dataclass(frozen=True)
class Row:
    """One bar: a domain (bold, its level) or one of its dimensions (the band of its score)."""

    title: str
    score: float | None
    words: str
    colour: Color
    domain: bool


def band(score: float) -> Level:
    """The band a score falls in, named like the levels it matches."""
    if score >= ENHANCED:
        return Level.ENHANCED
    if score >= CAPABLE:
        return Level.CAPABLE
    if score >= EMERGING:
        return Level.EMERGING
    return Level.NOT_YET_CAPABLE


def _domain_row(d: DomainResult) -> Row:
    if d.state is DomainState.CAPPED:
        words, colour = "critical finding", st.CRITICAL_BAR
    elif d.state is DomainState.INSUFFICIENT_EVIDENCE:
        words, colour = "too few answers", st.NO_LEVEL_BAR
    elif d.state is DomainState.NOT_APPLICABLE or d.level is None:
        words, colour = "does not apply", st.NO_LEVEL_BAR
    else:
        words, colour = LEVEL_WORDS[d.level], st.LEVEL_BARS[d.level]
    return Row(st.printable(d.title), d.score, words, colour, True)


def chart_rows(report: Report) -> list[Row]:
    """Each domain, then its dimensions, in the instrument's order."""
    rows: list[Row] = []
    for d in report.result.domains:
        rows.append(_domain_row(d))
        for m in report.result.dimensions_of(d.domain_id):
            if m.score is None:
                rows.append(Row(st.printable(m.title), None, "no score", st.NO_LEVEL_BAR, False))
                continue
            level = band(m.score)
            rows.append(
                Row(st.printable(m.title), m.score, LEVEL_WORDS[level], st.LEVEL_BARS[level], False)
            )
    return rows


class ProfileChart(Flowable):
    """Horizontal bars on a 0–5 axis with the capable and enhanced lines; splits between rows.

    Drawn straight on the canvas: reportlab's graphics package would cost a tenth of a second
    to import for one chart.
    """

    def __init__(self, rows: list[Row], width: float = st.CONTENT_WIDTH) -> None:
        super().__init__()
        self.rows = rows
        self.width = width
        indent = 10.0
        widest = max(
            (
                stringWidth(r.title, st.FONT_BOLD if r.domain else st.FONT, _size(r))
                + (0 if r.domain else indent)
                for r in rows
            ),
            default=0.0,
        )
        self.indent = indent
        self.label_width = min(0.4 * width, widest + 4)
        self.bar_left = self.label_width + 8
        self.bar_width = width - self.bar_left - _WORDS_WIDTH - 12
        self.height = _TOP + sum(_height(r) for r in rows) + _BOTTOM

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        room = availHeight - _TOP - _BOTTOM
        used, fits = 0.0, 0
        for row in self.rows:
            if used + _height(row) > room:
                break
            used += _height(row)
            fits += 1
        # a domain's heading row never ends a page
        while fits and self.rows[fits - 1].domain:
            fits -= 1
        if fits < 3:
            return []
        return [
            ProfileChart(self.rows[:fits], self.width),
            ProfileChart(self.rows[fits:], self.width),
        ]

    def _x(self, value: float) -> float:
        return self.bar_left + self.bar_width * value / _SCALE_MAX

    def draw(self) -> None:
        c = self.canv
        bottom, top = _BOTTOM, self.height - _TOP
        c.saveState()
        # grid and axis numbers
        c.setLineWidth(0.3)
        c.setStrokeColor(st.RULE)
        c.setFont(st.FONT, _LABEL_SIZE)
        c.setFillColor(st.MUTED)
        for tick in range(int(_SCALE_MAX) + 1):
            x = self._x(tick)
            c.line(x, bottom, x, top)
            c.drawCentredString(x, bottom - 11, str(tick))
        # the two lines, labelled above the bars
        # the lower line's label ends at its line and the upper's starts at it, so that the
        # two never overlap however close the lines are
        for value, name, colour, right in (
            (CAPABLE, "capable", st.CAPABLE_LINE, True),
            (ENHANCED, "enhanced", st.ENHANCED_LINE, False),
        ):
            x = self._x(value)
            c.setStrokeColor(colour)
            c.setLineWidth(1.1)
            c.setDash(3, 2)
            c.line(x, bottom - 2, x, top + 3)
            c.setDash()
            c.setFillColor(colour)
            c.setFont(st.FONT_BOLD, _LABEL_SIZE)
            label = f"{name} {value:.1f}"
            if right:
                c.drawRightString(x + 2, top + 6, label)
            else:
                c.drawString(x - 2, top + 6, label)
        y = top
        for n, row in enumerate(self.rows):
            height = _height(row)
            y -= height
            self._draw_row(row, y, height, first=n == 0)
        c.restoreState()

    def _draw_row(self, row: Row, y: float, height: float, first: bool) -> None:
        c = self.canv
        middle = y + height / 2
        size = _size(row)
        font = st.FONT_BOLD if row.domain else st.FONT
        if row.domain and not first:
            c.setStrokeColor(st.RULE)
            c.setLineWidth(0.6)
            c.line(0, y + height, self.width, y + height)
        x = 0.0 if row.domain else self.indent
        c.setFillColor(st.INK)
        c.setFont(font, size)
        c.drawString(
            x, middle - size * 0.35, fit(row.title, self.label_width - x, row.domain, size)
        )
        if row.score is not None:
            bar = 11.0 if row.domain else 8.0
            c.setFillColor(row.colour)
            c.rect(self._x(0), middle - bar / 2, self._x(row.score) - self._x(0), bar, 0, 1)
        value = "–" if row.score is None else f"{row.score:.2f}"
        words_left = self.width - _WORDS_WIDTH
        c.setFillColor(st.INK)
        c.setFont(font, size)
        c.drawRightString(words_left + 24, middle - size * 0.35, value)
        c.setFillColor(st.INK if row.score is not None else st.MUTED)
        c.drawString(words_left + 31, middle - size * 0.35, row.words)


def _size(row: Row) -> float:
    return _DOMAIN_SIZE if row.domain else _LABEL_SIZE


def _height(row: Row) -> float:
    return _DOMAIN_ROW if row.domain else _ROW


def profile_chart(report: Report) -> ProfileChart:
    """The chart of every domain and dimension of this result."""
    return ProfileChart(chart_rows(report))
