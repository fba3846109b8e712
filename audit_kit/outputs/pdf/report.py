"""The PDF gap report: its parts in reading order, laid out as one document."""

from __future__ import annotations

from collections.abc import Callable

from reportlab.platypus import Flowable

from audit_kit.model.instrument import Instrument
from audit_kit.model.responses import Responses
from audit_kit.model.result import ScoreResult
from audit_kit.outputs.pdf import styles as st
from audit_kit.outputs.pdf.action_plan import action_plan
from audit_kit.outputs.pdf.appendices import about, answers, methods, references
from audit_kit.outputs.pdf.blocks import Report, answers_fingerprint, short_cites
from audit_kit.outputs.pdf.cover import cover
from audit_kit.outputs.pdf.document import write_pdf
from audit_kit.outputs.pdf.domains import domain_sections
from audit_kit.outputs.pdf.summary import summary

PARTS: tuple[Callable[[Report], list[Flowable]], ...] = (
    cover,
    summary,
    domain_sections,
    action_plan,
    answers,
    methods,
    references,
    about,
)


def render_pdf(instrument: Instrument, responses: Responses, result: ScoreResult) -> bytes:
    """Render the gap report. Pure: reads no clock and no file but the font files."""
    report = Report(
        instrument=instrument,
        responses=responses,
        result=result,
        styles=st.build_styles(),
        fingerprint=answers_fingerprint(responses),
        short_cites=short_cites(instrument.citations),
    )
    return write_pdf(report, [flowable for part in PARTS for flowable in part(report)])
