"""The PDF gap report."""

from audit_kit.outputs.pdf.blocks import (
    answer_words,
    answers_fingerprint,
    esc,
    finding_words,
    long_date,
    short_author,
)
from audit_kit.outputs.pdf.report import Rendered, render_pdf, render_report

__all__ = [
    "Rendered",
    "answer_words",
    "answers_fingerprint",
    "esc",
    "finding_words",
    "long_date",
    "render_pdf",
    "render_report",
    "short_author",
]
