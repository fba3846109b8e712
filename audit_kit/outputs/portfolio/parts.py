"""The portfolio report's parts: overview, levels per domain, programs, gaps, change, failures."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import CondPageBreak, Flowable, Paragraph, Spacer

from audit_kit.model.brand import Brand
from audit_kit.model.comparison import Direction
from audit_kit.model.instrument import Instrument
from audit_kit.model.migrate import version_key
from audit_kit.model.portfolio import DomainRow, ProgramRow
from audit_kit.model.vocab import DomainState, Level
from audit_kit.outputs.pdf import styles as st
from audit_kit.outputs.pdf.blocks import esc, long_date
from audit_kit.outputs.pdf.brand import brand_block
from audit_kit.outputs.pdf.kit import heading, standing_fill, table
from audit_kit.outputs.text import fmt_score
from audit_kit.outputs.wording import count
from audit_kit.scoring import CAPABLE, ENHANCED

TOP_GAPS = 10
ROWS_PER_TABLE = 40  # programs per table: long tables split slowly
MOST_LISTED = 30
#: Programs listed one by one; a larger portfolio lists those with critical findings first up
#: to this many, and leaves the rest to the roll-up workbook (a report of 17,000 rows would
#: be no overview, and slow to lay out).
MAX_PROGRAMS_LISTED = 500
CRITICAL_CHART = colors.HexColor("#E49B9B")

#: The standings counted per domain, in the order shown, with their colour in the chart.
CATEGORIES: tuple[tuple[str, Any], ...] = (
    ("Enhanced", st.LEVEL_FILLS[Level.ENHANCED]),
    ("Capable", st.LEVEL_FILLS[Level.CAPABLE]),
    ("Emerging", st.LEVEL_FILLS[Level.EMERGING]),
    ("Not yet capable", st.LEVEL_FILLS[Level.NOT_YET_CAPABLE]),
    ("Critical finding", CRITICAL_CHART),
    ("Insufficient evidence", st.NO_LEVEL_FILL),
    ("Not applicable", colors.white),
)
_LEVEL_CATEGORY = {
    Level.ENHANCED: "Enhanced",
    Level.CAPABLE: "Capable",
    Level.EMERGING: "Emerging",
    Level.NOT_YET_CAPABLE: "Not yet capable",
}
_STATE_CATEGORY = {
    DomainState.CAPPED: "Critical finding",
    DomainState.INSUFFICIENT_EVIDENCE: "Insufficient evidence",
    DomainState.NOT_APPLICABLE: "Not applicable",
}


@dataclass(frozen=True)
class Portfolio:
    """What every part reads."""

    rows: list[ProgramRow]
    instruments: dict[str, Instrument]
    brand: Brand | None
    compared: bool
    styles: Any
    accent: Any
    latest: date | None

    @property
    def scored(self) -> list[ProgramRow]:
        """The programs with a result."""
        return [r for r in self.rows if r.ok]

    def para(self, markup: str, style: str = "Body") -> Paragraph:
        """A paragraph of markup that is already escaped."""
        return Paragraph(markup, self.styles[style])

    def h1(self, text: str, key: str) -> Paragraph:
        """A section heading in the accent colour, with an outline entry."""
        return heading(text, self.styles["H1"].clone("PortfolioH1", textColor=self.accent), key)


def category(d: DomainRow) -> str:
    """The column a domain's standing is counted in."""
    if d.state is DomainState.RATED and d.level is not None:
        return _LEVEL_CATEGORY[d.level]
    return _STATE_CATEGORY.get(d.state, "Insufficient evidence")


def domains_of(rows: list[ProgramRow]) -> list[tuple[str, str]]:
    """(id, title) of every domain the programs have, in the order first met."""
    seen: dict[str, str] = {}
    for row in rows:
        for d in row.domains:
            seen.setdefault(d.domain_id, d.title)
    return list(seen.items())


def story(p: Portfolio) -> list[Flowable]:
    """Every part, in reading order."""
    out = overview(p)
    out += levels(p)
    out += programs(p)
    out += frequent_gaps(p)
    if p.compared:
        out += change(p)
    out += failures(p)
    out += methods(p)
    return out


def overview(p: Portfolio) -> list[Flowable]:
    """Title, who prepared it, and the portfolio in figures."""
    scored = p.scored
    dates = sorted(r.assessment_date for r in scored if r.assessment_date)
    span = (
        f"assessed between {long_date(dates[0])} and {long_date(dates[-1])}"
        if dates and dates[0] != dates[-1]
        else f"assessed on {long_date(dates[0])}"
        if dates
        else "with no assessment dates given"
    )
    with_critical = sum(bool(r.criticals) for r in scored)
    failed = len(p.rows) - len(scored)
    out: list[Flowable] = []
    if p.brand is not None:
        out += [*brand_block(p.brand, p.styles, st.CONTENT_WIDTH), Spacer(1, 6 * mm)]
    out += [
        p.h1("Portfolio overview", "overview"),
        p.para(
            f"<b>{count(len(p.rows), 'program')}</b>: {len(scored)} scored, {span}"
            + (f"; {failed} could not be scored (see the last section)" if failed else "")
            + "."
        ),
        p.para(
            f"<b>{with_critical} of {len(scored)}</b> scored programs have at least one critical "
            "finding: a safety or access failure that holds its domain at “not capable until "
            "resolved”, whatever the scores. They are listed first below."
        ),
    ]
    drafts = sum(r.draft for r in scored)
    if drafts:
        out.append(
            p.para(
                f"{count(drafts, 'result')} {'is a draft' if drafts == 1 else 'are drafts'}: a "
                "profile field is missing or a domain lacks the evidence for a level.",
                "Notice",
            )
        )
    return out


def levels(p: Portfolio) -> list[Flowable]:
    """Per domain, how many programs stand at each level or state: a chart and a table."""
    s = p.styles
    domains = domains_of(p.scored)
    if not domains:
        return []
    counts = {
        domain_id: Counter(category(d) for r in p.scored if (d := r.domain(domain_id)))
        for domain_id, _ in domains
    }
    names = [name for name, _ in CATEGORIES]
    # two words a line: the narrow columns would otherwise break inside a word
    small = s["CellHeadRight"].clone("CountHead", fontSize=7, leading=8.6)
    head = [Paragraph("Domain", s["CellHead"])] + [
        Paragraph(esc(n).replace(" ", "<br/>", 1), small) for n in names
    ]
    rows: list[list[Any]] = [head]
    for domain_id, title in domains:
        total = sum(counts[domain_id].values())
        cells = [Paragraph(f"<b>{esc(title)}</b>", s["Cell"])]
        for name in names:
            n = counts[domain_id][name]
            cells.append(
                Paragraph(f"{n}<br/>({n / total:.0%})" if total and n else "–", s["CellRight"])
            )
        rows.append(cells)
    w = st.CONTENT_WIDTH
    widths = [0.23 * w] + [0.77 * w / len(names)] * len(names)
    return [
        Paragraph("Levels per domain", s["H2"]),
        level_chart(domains, counts, w),
        table(rows, widths, accent=p.accent),
        p.para(
            f"Capable: every dimension of the domain scores at least {CAPABLE:.1f}; enhanced: "
            f"every dimension at least {ENHANCED:.1f}. Each domain names its levels in its own "
            "words (the roll-up workbook and each program's report use them).",
            "Notice",
        ),
    ]


def level_chart(
    domains: list[tuple[str, str]], counts: dict[str, Counter[str]], width: float
) -> Drawing:
    """One bar per domain under its name, split by standing, with the count in each part that
    has room; the legend names every colour."""
    bar_h, title_h, gap, legend_h = 15.0, 11.0, 7.0, 22.0
    step = title_h + bar_h + gap
    height = legend_h + len(domains) * step
    drawing = Drawing(width, height)
    drawing.initialFontName = st.FONT
    for n, (domain_id, title) in enumerate(domains):
        top = height - n * step
        drawing.add(String(0, top - 8, st.printable(title), fontName=st.FONT_BOLD, fontSize=7.5))
        y = top - title_h - bar_h
        total = sum(counts[domain_id].values()) or 1
        x = 0.0
        for name, fill in CATEGORIES:
            k = counts[domain_id][name]
            if not k:
                continue
            part = width * k / total
            drawing.add(
                Rect(x, y, part, bar_h, fillColor=fill, strokeColor=st.MUTED, strokeWidth=0.4)
            )
            if stringWidth(str(k), st.FONT, 7) + 4 < part:
                drawing.add(
                    String(
                        x + part / 2,
                        y + 4.5,
                        str(k),
                        fontName=st.FONT,
                        fontSize=7,
                        textAnchor="middle",
                    )
                )
            x += part
    x = 0.0
    for name, fill in CATEGORIES:
        drawing.add(Rect(x, 4, 8, 8, fillColor=fill, strokeColor=st.MUTED, strokeWidth=0.4))
        drawing.add(String(x + 11, 5.5, name, fontName=st.FONT, fontSize=7, fillColor=st.INK))
        x += 11 + stringWidth(name, st.FONT, 7) + 10
    return drawing


def _standing_cell(d: DomainRow | None) -> str:
    if d is None:
        return "–"
    words = d.headline if d.state is DomainState.RATED else category(d)
    return f"{fmt_score(d.score)} · {esc(words)}"


def programs(p: Portfolio) -> list[Flowable]:
    """Every scored program, those with critical findings first (most findings first)."""
    s = p.styles
    domains = domains_of(p.scored)
    ordered = sorted(
        p.scored,
        key=lambda r: (-len(r.criticals), (r.program or "").casefold(), str(r.assessment_date)),
    )
    w = st.CONTENT_WIDTH
    domain_w = 0.52 * w / max(len(domains), 1)
    widths = [0.28 * w] + [domain_w] * len(domains) + [0.20 * w]
    head = [Paragraph("Program", s["CellHead"])]
    head += [Paragraph(esc(title), s["CellHead"]) for _, title in domains]
    head.append(Paragraph("Critical findings", s["CellHead"]))
    intro = (
        "Programs with critical findings come first, most findings first; then the others by "
        "name. Each domain shows its score and its level or state."
    )
    if len(ordered) > MAX_PROGRAMS_LISTED:
        intro += (
            f" The first {MAX_PROGRAMS_LISTED} of {len(ordered)} are listed here; the roll-up "
            "workbook has every program."
        )
        ordered = ordered[:MAX_PROGRAMS_LISTED]
    out: list[Flowable] = [
        CondPageBreak(120),
        p.h1("Programs", "programs"),
        p.para(intro, "Notice"),
    ]
    for start in range(0, len(ordered), ROWS_PER_TABLE):
        chunk = ordered[start : start + ROWS_PER_TABLE]
        rows: list[list[Any]] = [head]
        fills = []
        for n, r in enumerate(chunk, start=1):
            facts = " · ".join(x for x in (r.setting, str(r.assessment_date or "no date")) if x)
            cells = [Paragraph(f"<b>{esc(r.program)}</b><br/>{esc(facts)}", s["Cell"])]
            for c, (domain_id, _) in enumerate(domains, start=1):
                d = r.domain(domain_id)
                cells.append(Paragraph(_standing_cell(d), s["Cell"]))
                if d is not None:
                    fills.append(("BACKGROUND", (c, n), (c, n), standing_fill(d.state, d.level)))
            crit = ", ".join(c.code for c in r.criticals) or "None"
            cells.append(Paragraph(esc(crit), s["CellCritical" if r.criticals else "Cell"]))
            rows.append(cells)
        out.append(table(rows, widths, accent=p.accent, extra=fills))
    return out


def _newest(p: Portfolio) -> dict[str, Instrument]:
    """The newest version of each instrument the programs used, by instrument id."""
    newest: dict[str, Instrument] = {}
    for instrument in p.instruments.values():
        held = newest.get(instrument.id)
        if held is None or version_key(instrument.version) > version_key(held.version):
            newest[instrument.id] = instrument
    return newest


def frequent_gaps(p: Portfolio) -> list[Flowable]:
    """The items most programs fall short on (critical or below capable), with what to do."""
    s = p.styles
    tally: Counter[tuple[str, str]] = Counter()
    codes: dict[tuple[str, str], str] = {}
    for r in p.scored:
        instrument_id = (r.instrument or "").split("@")[0]
        for gap in r.gaps:
            key = (instrument_id, gap.item_id)
            tally[key] += 1
            codes.setdefault(key, gap.code)
    out: list[Flowable] = [CondPageBreak(160), p.h1("Most frequent gaps", "gaps")]
    if not tally:
        return [*out, p.para("None: no program has a gap below capable.")]
    out.append(
        p.para(
            f"The {min(TOP_GAPS, len(tally))} practices most programs fall short on (a critical "
            "finding, or a score below capable), with the recommendation as the instrument "
            "states it; each program's report tailors it to the program's setting.",
            "Notice",
        )
    )
    newest = _newest(p)
    n_scored = len(p.scored)
    head = ["#", "Practice", "Programs", "What to do", "Source"]
    rows: list[list[Any]] = [[Paragraph(h, s["CellHead"]) for h in head]]

    def order(key: tuple[str, str]) -> int:
        # ties in instrument order
        instrument = newest.get(key[0])
        ids = instrument.item_ids if instrument else []
        return ids.index(key[1]) if key[1] in ids else len(ids)

    ranked = sorted(tally.items(), key=lambda kv: (-kv[1], order(kv[0]), kv[0]))[:TOP_GAPS]
    for rank, ((instrument_id, item_id), k) in enumerate(ranked, start=1):
        instrument = newest.get(instrument_id)
        if instrument is not None and instrument.has_item(item_id):
            item = instrument.item(item_id)
            title = item.title
            advice = item.recommendation
            source = "; ".join(
                instrument.citation(c.id).short() + (f", {c.section}" if c.section else "")
                for c in item.citations
            )
        else:
            title, advice, source = item_id, "See the programs' reports.", ""
        rows.append(
            [
                Paragraph(str(rank), s["Cell"]),
                Paragraph(f"<b>{esc(codes[(instrument_id, item_id)])}</b> {esc(title)}", s["Cell"]),
                Paragraph(f"{k} of {n_scored}<br/>({k / n_scored:.0%})", s["CellRight"]),
                Paragraph(esc(advice), s["Cell"]),
                Paragraph(esc(source), s["Cell"]),
            ]
        )
    w = st.CONTENT_WIDTH
    out.append(table(rows, [0.04 * w, 0.22 * w, 0.11 * w, 0.43 * w, 0.20 * w], accent=p.accent))
    return out


def change(p: Portfolio) -> list[Flowable]:
    """Since last time: level moves per domain, critical findings resolved and new, and the
    programs whose level went down."""
    s = p.styles
    compared = [r for r in p.scored if r.change is not None]
    out: list[Flowable] = [CondPageBreak(160), p.h1("Change since last time", "change")]
    if not compared:
        return [
            *out,
            p.para("No program was matched with an earlier assessment under --previous-dir."),
        ]
    resolved = sum(len(r.change.criticals_resolved) for r in compared if r.change)
    new = sum(len(r.change.criticals_new) for r in compared if r.change)
    closed = sum(r.change.gaps_closed for r in compared if r.change)
    opened = sum(r.change.gaps_new for r in compared if r.change)
    out.append(
        p.para(
            f"{len(compared)} of {len(p.scored)} programs were compared with their latest "
            "earlier assessment (matched by program name). Across them: "
            f"{count(resolved, 'critical finding')} resolved and {new} new; "
            f"{count(closed, 'gap')} closed and {opened} new."
        )
    )
    directions = [Direction.UP, Direction.SAME, Direction.DOWN, Direction.NOT_COMPARABLE]
    head = [Paragraph("Domain", s["CellHead"])] + [
        Paragraph(f"Level {esc(d.label)}", s["CellHeadRight"]) for d in directions
    ]
    rows: list[list[Any]] = [head]
    for domain_id, title in domains_of(compared):
        tally = Counter(d.direction for r in compared if (d := r.domain(domain_id)) and d.direction)
        rows.append(
            [Paragraph(f"<b>{esc(title)}</b>", s["Cell"])]
            + [Paragraph(str(tally[d]), s["CellRight"]) for d in directions]
        )
    w = st.CONTENT_WIDTH
    out.append(table(rows, [0.36 * w] + [0.16 * w] * 4, accent=p.accent))
    down = [(r, d) for r in compared for d in r.domains if d.direction is Direction.DOWN]
    if down:
        out.append(Paragraph(f"Levels that went down ({len(down)})", s["H2"]))
        lines = [
            f"<b>{esc(r.program)}</b> — {esc(d.title)}: {esc(d.previous_headline or '–')} to "
            f"{esc(d.headline)}"
            for r, d in down[:MOST_LISTED]
        ]
        if len(down) > MOST_LISTED:
            lines.append(f"<i>and {len(down) - MOST_LISTED} more (see the roll-up workbook)</i>")
        out += [Paragraph(line, s["Bullet"], bulletText="•") for line in lines]
    fresh = [r for r in compared if r.change and r.change.criticals_new]
    if fresh:
        out.append(Paragraph(f"Programs with new critical findings ({len(fresh)})", s["H2"]))
        lines = [
            f"<b>{esc(r.program)}</b>: {esc(', '.join(r.change.criticals_new))}"
            for r in fresh[:MOST_LISTED]
            if r.change
        ]
        out += [Paragraph(line, s["Bullet"], bulletText="•") for line in lines]
    return out


def failures(p: Portfolio) -> list[Flowable]:
    """The files that have no result, with the reason (located)."""
    failed = [r for r in p.rows if not r.ok]
    if not failed:
        return []
    s = p.styles
    rows: list[list[Any]] = [
        [Paragraph("File", s["CellHead"]), Paragraph("Why it could not be scored", s["CellHead"])]
    ]
    for r in failed[:MAX_PROGRAMS_LISTED]:
        kind = r.failure.label if r.failure else ""
        rows.append(
            [
                Paragraph(esc(r.input), s["Cell"]),
                Paragraph(f"<b>{esc(kind)}</b><br/>{esc(r.error or '')}", s["Cell"]),
            ]
        )
    w = st.CONTENT_WIDTH
    out: list[Flowable] = [
        CondPageBreak(120),
        p.h1(f"Files that could not be scored ({len(failed)})", "failures"),
        table(rows, [0.35 * w, 0.65 * w], accent=p.accent),
    ]
    if len(failed) > MAX_PROGRAMS_LISTED:
        more = len(failed) - MAX_PROGRAMS_LISTED
        out.append(p.para(f"And {more} more: the roll-up workbook lists every one.", "Notice"))
    return out


def methods(p: Portfolio) -> list[Flowable]:
    """How to read it, in short."""
    return [
        Spacer(1, 6 * mm),
        p.para(
            "Each program assessed itself with audit-kit; these are self-assessments for "
            "quality improvement, not accreditation decisions or clinical advice. A gap is a "
            f"practice scored below capable ({CAPABLE:.1f}) or a critical finding. Each "
            "program's own report gives its findings, sources and action plan in full.",
            "Notice",
        ),
    ]
