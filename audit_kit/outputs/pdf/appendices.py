"""The appendices of the full report: every answer, the methods, the fingerprint and the notice."""

from __future__ import annotations

from typing import Any

from reportlab.platypus import Flowable
from reportlab.platypus.flowables import CondPageBreak

from audit_kit import __version__
from audit_kit.model.vocab import GapKind, ItemStatus, Level
from audit_kit.outputs.pdf import styles as st
from audit_kit.outputs.pdf.blocks import (
    LEVEL_WORDS,
    NA_WORDS,
    Para,
    Report,
    Together,
    answer_words,
    bullets,
    esc,
    styled_table,
)
from audit_kit.scoring import CAPABLE, EMERGING, ENHANCED, MAX_UNANSWERED_SHARE


def new_part() -> list[Flowable]:
    """An appendix starts on a new page unless most of this one is still free."""
    return [CondPageBreak(0.6 * st.FRAME_HEIGHT)]


def answers(report: Report) -> list[Flowable]:
    """Appendix A, every answer by domain."""
    s = report.styles
    out: list[Flowable] = [
        *new_part(),
        report.heading("Appendix A. Every answer", "H1", "appendix-answers"),
        report.para(
            "Each item as answered, in the instrument's order, with the respondent's note and "
            "the evidence given. An item that does not apply says why: marked not applicable "
            "by the program, outside the program's setting, or ruled out by an earlier answer. "
            "Such items never count, for or against.",
            "Muted",
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
                Para("Note, or why it does not apply", s["CellHead"]),
                Para("Evidence", s["CellHead"]),
            ]
        ]
        for dimension in domain.dimensions:
            for item in dimension.items:
                res = report.items[item.id]
                answer = esc(answer_words(item, res))
                if res.critical:
                    answer += f'<br/><font color="{st.CRITICAL_HEX}"><b>Critical finding</b></font>'
                note_parts = []
                if res.status is ItemStatus.NOT_APPLICABLE:
                    why = NA_WORDS[res.na_kind] if res.na_kind else "not applicable"
                    reason = f": {esc(res.na_reason)}" if res.na_reason else ""
                    note_parts.append(f"<i>{esc(why.capitalize())}</i>{reason}")
                if res.note:
                    note_parts.append(esc(res.note))
                rows.append(
                    [
                        Para(f"<b>{esc(res.code)}</b> {esc(item.title)}", s["Cell"]),
                        Para(answer, s["Cell"]),
                        Para("<br/>".join(note_parts) or "–", s["Cell"]),
                        Para(esc(res.evidence) if res.evidence else "–", s["Cell"]),
                    ]
                )
        out.append(styled_table(rows, [0.27 * w, 0.19 * w, 0.34 * w, 0.20 * w]))
    return out


def methods(report: Report) -> list[Flowable]:
    """Appendix B, the scoring rules and level names."""
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
        "<b>Items that do not apply.</b> An item the program marks not applicable (only where "
        "the instrument allows it, and always with a reason; a percentage item when there were "
        "no eligible cases), an item outside the program's setting, and an item ruled out by "
        "the answer to an earlier item (skip logic) leave both the numerator and the "
        "denominator: they neither raise nor lower any score. Appendix A lists each with its "
        "reason.",
        "<b>Unanswered.</b> An unanswered item is never guessed and never counted as a low "
        "score. It is left out of the means and counted as unanswered.",
        "<b>Dimension score.</b> The weighted mean of the scores of the dimension's answered, "
        "applicable items, using each item's weight from the instrument.",
        "<b>Domain score.</b> The mean of its dimension scores (a dimension with no scored item "
        "is left out).",
        f"<b>Insufficient evidence.</b> When more than {share} of a domain's applicable items "
        "are unanswered, the domain gets no level from its scores; the report says so, marks "
        "every page as a draft, and still shows the scores of what was answered. A domain in "
        "which no item applies has no level either.",
        "<b>Level (lowest-dimension rule).</b> Enhanced where every dimension scores at least "
        f"{ENHANCED:.1f}; capable where every dimension scores at least {CAPABLE:.1f}; emerging "
        f"where the domain score is at least {EMERGING:.1f}; otherwise not yet capable. One weak "
        "dimension therefore holds the whole domain back. A dimension with no scored item is "
        "left out of the rule, and the report notes it.",
        "<b>Critical findings.</b> Some answers are safety or access failures (for example "
        "refusing people who take prescribed medication, or having no crisis protocol). Each "
        "is named on page 1 with its source in the findings, and puts its domain in its own "
        "state, “critical finding: not capable until resolved”, whatever the scores; the "
        "level its scores alone give is shown beside it.",
        "<b>Priorities.</b> Every answered item that scored below 5 is an action. Critical "
        "findings come first; then items below capable "
        f"(score under {CAPABLE:.0f}) ranked by weight × (3 − score); then steps towards "
        "enhanced ranked by weight × (5 − score). Ties keep the instrument's order, so the "
        "same answers always give the same order. Suggested time frames: "
        f"{GapKind.CRITICAL.timeframe} for critical findings, "
        f"{GapKind.BELOW_CAPABLE.timeframe} below capable, "
        f"{GapKind.TOWARDS_ENHANCED.timeframe} towards enhanced.",
        "<b>Recommendations.</b> Where the instrument words a recommendation for the program's "
        "setting, or for hospital-based or freestanding programs, that wording is used. The "
        "default report spells out every critical finding and gap below capable, and the steps "
        "towards enhanced of the domains already capable; this full report spells out every "
        "one, with the section of each source relied on.",
        "<b>Rounding.</b> Dimension and domain scores are rounded to two decimals (halves up), "
        "and the levels are decided on those rounded scores: the score shown is the score that "
        "counts. A domain score is the mean of its rounded dimension scores.",
    ]
    out: list[Flowable] = [
        *new_part(),
        report.heading("Appendix B. Methods", "H1", "appendix-methods"),
        report.para(
            "These are audit-kit's own scoring rules, inspired by the Dual Diagnosis Capability "
            "in Addiction Treatment (DDCAT) index and the Integrating Medications for Addiction "
            "Treatment (IMAT) index. They are not those instruments, and the levels in this "
            "report are not DDCAT or IMAT ratings."
        ),
        *bullets(report, rules),
    ]
    rows = [
        [Para("Domain", s["CellHead"])]
        + [Para(LEVEL_WORDS[level].capitalize(), s["CellHead"]) for level in Level]
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
    table = styled_table(rows, [0.24 * w] + [0.19 * w] * 4, zebra=False, extra=fills)
    out.append(Together([Para("Level names used in this report", s["H2"]), table]))
    return out


def about(report: Report) -> list[Flowable]:
    """Appendix C: what the report is, what it was made from, and the answers' fingerprint."""
    r = report.result
    groups = [report.fingerprint[i : i + 8] for i in range(0, 64, 8)]
    return [
        *new_part(),
        report.heading("Appendix C. About this report", "H1", "about"),
        report.para(
            "This is a self-assessment: the program's own answers, scored by fixed rules. It is "
            "not an accreditation decision, a certification or a survey finding, and it is not "
            "clinical advice about any patient. Use it to plan improvements and to prepare for "
            "an external review, and check each recommendation against the cited source and "
            "current law and regulation where you are."
        ),
        Para("The answers' fingerprint", report.styles["H2"]),
        report.para(
            "The SHA-256 hash of the answers in audit-kit's canonical JSON form (program, "
            "assessor, date and every answer with its note and evidence). Any change to the "
            "answers changes it; the same answers give the same fingerprint whether they came "
            "from the workbook or a JSON file. This report was made from the answers with the "
            "fingerprint:"
        ),
        report.para(" ".join(groups[:4]) + "<br/>" + " ".join(groups[4:]), "Fingerprint"),
        report.para(
            esc(
                f"Made with audit-kit {__version__} from the answers "
                + (f"dated {r.assessment_date}" if r.assessment_date else "without a date")
                + f" and {r.instrument_id} version {r.instrument_version}."
            ),
            "Muted",
        ),
    ]
