"""The PDF gap report."""

from audit_kit.outputs.pdf.blocks import (
    answer_words,
    answers_fingerprint,
    esc,
    finding_words,
    level_words,
    long_date,
    short_author,
)
from audit_kit.outputs.pdf.report import render_pdf

__all__ = [
    "answer_words",
    "answers_fingerprint",
    "esc",
    "finding_words",
    "level_words",
    "long_date",
    "render_pdf",
    "short_author",
]
