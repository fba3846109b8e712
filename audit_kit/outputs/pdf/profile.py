"""The profile: the chart of every dimension, how the scores work, and what was answered."""

from __future__ import annotations

from reportlab.platypus import Flowable

from audit_kit.model.vocab import ItemStatus, NaKind
from audit_kit.outputs.pdf.blocks import NA_WORDS, Para, Report, Together, bullets, esc, new_page
from audit_kit.outputs.pdf.chart import profile_chart
from audit_kit.outputs.wording import and_list, count
from audit_kit.scoring import CAPABLE, EMERGING, ENHANCED, MAX_UNANSWERED_SHARE


def profile(report: Report) -> list[Flowable]:
    """The profile part, from a new page."""
    s = report.styles
    chart = [
        report.heading("Scores by dimension", "H1", "profile"),
        profile_chart(report),
        report.para(
            f"Bars start at 0. A dimension's colour and word give the band of its score: not "
            f"yet capable under {EMERGING:.1f}, emerging from {EMERGING:.1f}, capable from "
            f"{CAPABLE:.1f}, enhanced from {ENHANCED:.1f}. A domain's bar is the mean of its "
            "dimensions; its colour and word are its level.",
            "Muted",
        ),
    ]
    if not report.profile_chart:
        chart = [
            report.heading("Scores by dimension", "H1", "profile"),
            report.para(
                "The chart on the progress page gives every dimension's score now and last "
                f"time, in the colour of its band: not yet capable under {EMERGING:.1f}, "
                f"emerging from {EMERGING:.1f}, capable from {CAPABLE:.1f}, enhanced from "
                f"{ENHANCED:.1f}. The findings below give each domain's level in words.",
                "Muted",
            ),
        ]
    out: list[Flowable] = [*new_page(), Together(chart)]
    out.append(Para("How the scores work", s["H2"]))
    where = (
        "Appendix B gives them in full."
        if report.full
        else "The full report (audit-kit report --full) gives them in full."
    )
    out.append(
        report.para(
            "Items are scored from 1 to 5. A dimension's score is the weighted mean of its "
            "answered items; a domain's, the mean of its dimensions. A domain is capable when "
            f"every dimension scores at least {CAPABLE:.1f}, enhanced when every one scores at "
            f"least {ENHANCED:.1f}, emerging when its own score is at least {EMERGING:.1f}, "
            "otherwise not yet capable. A critical finding keeps its domain from being capable "
            "until it is resolved, whatever the scores. Items that do not apply (marked not "
            "applicable with a reason, outside the program's setting, or ruled out by an earlier "
            "answer) never count, for or against. Unanswered items are never guessed; a domain "
            f"with more than {MAX_UNANSWERED_SHARE:.0%} of its applicable items unanswered gets "
            "no level. These are audit-kit's own rules, inspired by the DDCAT and IMAT indexes "
            "but not those indexes. " + where
        )
    )
    out.append(report.para(esc(answered_sentence(report))))
    warnings = report.result.warnings
    if warnings:
        out.append(Para("Notes on this result", s["H2"]))
        out += bullets(report, (esc(w) for w in warnings))
    return out


def answered_sentence(report: Report) -> str:
    """'Of the 74 items, 67 were answered, 7 did not apply (6 ruled out …) and 0 were left
    unanswered.'"""
    c = report.result.completeness
    na = [i.na_kind for i in report.result.items if i.status is ItemStatus.NOT_APPLICABLE]
    kinds = [(kind, na.count(kind)) for kind in NaKind if kind in na]
    if len(kinds) == 1:
        why = f" ({NA_WORDS[kinds[0][0]]})"
    else:
        why = f" ({and_list([f'{n} {NA_WORDS[kind]}' for kind, n in kinds])})" if kinds else ""
    return (
        f"Of the {count(c.total, 'item')}, {count(c.answered, verb='was')} answered, "
        f"{c.not_applicable} did not apply{why} and {count(c.unanswered, verb='was')} left "
        "unanswered."
    )
