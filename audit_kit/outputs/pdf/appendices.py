"""The appendices: every answer, the methods, the references and a closing note on the report."""

from __future__ import annotations

from typing import Any

from reportlab.platypus import Flowable, Spacer
from reportlab.platypus.flowables import CondPageBreak

from audit_kit import __version__
from audit_kit.model.vocab import GapKind, Level
from audit_kit.outputs.pdf import styles as st
from audit_kit.outputs.pdf.blocks import (
    Para,
    Report,
    Together,
    answer_words,
    bullets,
    esc,
    id_markup,
    new_page,
    styled_table,
)
from audit_kit.scoring import CAPABLE, EMERGING, ENHANCED, MAX_UNANSWERED_SHARE

_LEVEL_WORDS = {
    Level.NOT_YET_CAPABLE: "not yet capable",
    Level.EMERGING: "emerging",
    Level.CAPABLE: "capable",
    Level.ENHANCED: "enhanced",
}


def answers(report: Report) -> list[Flowable]:
    """Appendix A, every answer by domain, from a new page."""
    s = report.styles
    out: list[Flowable] = [
        *new_page(),
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
                Para("Item", s["CellHead"]),
                Para("Answer", s["CellHead"]),
                Para("Note or N/A reason", s["CellHead"]),
                Para("Evidence", s["CellHead"]),
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
                        Para(f"<b>{esc(item.title)}</b><br/>{id_markup(item.id)}", s["Cell"]),
                        Para(answer, s["Cell"]),
                        Para("<br/>".join(note_parts) or "–", s["Cell"]),
                        Para(esc(res.evidence) if res.evidence else "–", s["Cell"]),
                    ]
                )
        out.append(styled_table(rows, [0.27 * w, 0.19 * w, 0.34 * w, 0.20 * w]))
    return out


def methods(report: Report) -> list[Flowable]:
    """Appendix B, the scoring rules and level names, from a new page."""
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
        *new_page(),
        report.heading("Appendix B. Methods", "H1", "appendix-methods"),
        report.para(
            "These are audit-kit's own scoring rules, inspired by the Dual Diagnosis Capability "
            "in Addiction Treatment (DDCAT) index and the Integrating Medications for Addiction "
            "Treatment (IMAT) index. They are not those instruments, and the levels in this "
            "report are not DDCAT or IMAT ratings."
        ),
        *bullets(report, rules),
        Para("Level names used in this report", s["H2"]),
    ]
    rows = [
        [Para("Domain", s["CellHead"])]
        + [Para(_LEVEL_WORDS[level].capitalize(), s["CellHead"]) for level in Level]
    ]
    rows += [
        [Para(esc(d.title), s["CellBold"])]
        + [Para(esc(d.levels.name(level)), s["Cell"]) for level in Level]
        for d in ins.domains
    ]
    fills = [
        ("BACKGROUND", (n, 1), (n, -1), st.LEVEL_FILLS[level]) for n, level in enumerate(Level, 1)
    ]
    w = st.CONTENT_WIDTH
    out.append(styled_table(rows, [0.24 * w] + [0.19 * w] * 4, zebra=False, extra=fills))
    out.append(Para("The answers fingerprint", s["H2"]))
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


def references(report: Report) -> list[Flowable]:
    """Appendix C, the sources cited, after the methods."""
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
        entry = Para(
            f"<b>{esc(label)}</b><br/>{esc(citation.reference())}", report.styles["Reference"]
        )
        out.append(Together([entry]))
    return out


def about(report: Report) -> list[Flowable]:
    """The closing note: what the report is and what it was made from."""
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
            f"{r.assessment_date or 'without a date'} (fingerprint {report.fingerprint[:16]}…) and "
            f"{esc(r.instrument_id)} version {esc(r.instrument_version)}.",
            "Notice",
        ),
    ]
