"""The gap report with a consultant's brand and the progress page, built from the report's parts.

A bridge until the report's renderer takes a comparison and a brand itself: the story is the
renderer's own parts in their order, with the brand block at the top of the cover and the
progress page after the executive summary. Without either, it is exactly ``render_pdf``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reportlab.platypus import Flowable

    from audit_kit.model.brand import Brand
    from audit_kit.model.comparison import Comparison
    from audit_kit.model.instrument import Instrument
    from audit_kit.model.responses import Responses
    from audit_kit.model.result import ScoreResult


def render_report(
    instrument: Instrument,
    responses: Responses,
    result: ScoreResult,
    *,
    comparison: Comparison | None = None,
    brand: Brand | None = None,
) -> bytes:
    """The gap report (PDF bytes), with "Progress since <date>" given a comparison with the
    previous assessment, and the consultancy's brand on the cover given a brand."""

    from audit_kit.outputs.pdf import styles as st
    from audit_kit.outputs.pdf.blocks import Report, answers_fingerprint, short_cites
    from audit_kit.outputs.pdf.cover import cover
    from audit_kit.outputs.pdf.document import write_pdf
    from audit_kit.outputs.pdf.report import PARTS, render_pdf
    from audit_kit.outputs.pdf.summary import summary
    from audit_kit.outputs.portfolio.brand import accent, brand_block
    from audit_kit.outputs.portfolio.progress import progress

    if comparison is None and brand is None:
        return render_pdf(instrument, responses, result)
    report = Report(
        instrument=instrument,
        responses=responses,
        result=result,
        styles=st.build_styles(),
        fingerprint=answers_fingerprint(responses),
        short_cites=short_cites(instrument.citations),
    )
    story: list[Flowable] = []
    for part in PARTS:
        flowables = part(report)
        if part is cover and brand is not None:
            flowables = _branded_cover(
                brand_block(brand, report.styles, st.CONTENT_WIDTH), flowables
            )
        story += flowables
        if part is summary and comparison is not None:
            story += progress(comparison, report.styles, accent=accent(brand))
    return write_pdf(report, story)


def _branded_cover(block: list[Flowable], cover: list[Flowable]) -> list[Flowable]:
    """The brand block first, taking its room from the cover's first spacer, so that the cover
    stays one page."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Spacer

    from audit_kit.outputs.pdf import styles as st

    room = sum(f.wrap(st.CONTENT_WIDTH, st.FRAME_HEIGHT)[1] for f in block) + 4 * mm
    out = list(cover)
    for n, flowable in enumerate(out):
        if isinstance(flowable, Spacer):
            out[n] = Spacer(1, max(0.0, flowable.height - room))
            break
    return [*block, *out]
