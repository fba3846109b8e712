"""The PDF gap report: its parts in reading order, laid out as one document."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from reportlab.platypus import Flowable

from audit_kit.model.brand import Brand
from audit_kit.model.comparison import Comparison
from audit_kit.model.instrument import Instrument
from audit_kit.model.responses import Responses
from audit_kit.model.result import ScoreResult
from audit_kit.outputs.pdf import styles as st
from audit_kit.outputs.pdf.appendices import about, answers, methods
from audit_kit.outputs.pdf.blocks import Report, answers_fingerprint, short_cites
from audit_kit.outputs.pdf.cover import cover
from audit_kit.outputs.pdf.document import lay_out
from audit_kit.outputs.pdf.findings import findings
from audit_kit.outputs.pdf.profile import profile
from audit_kit.outputs.pdf.progress import progress_part
from audit_kit.outputs.pdf.references import references


@dataclass(frozen=True)
class Part:
    """One part of the report: what builds it, and whether only the full report has it."""

    name: str
    build: Callable[[Report], list[Flowable]]
    full_only: bool = False


#: The parts in reading order. A new part is one module with one function and a line here.
PARTS: tuple[Part, ...] = (
    Part("summary", cover),
    Part("progress", progress_part),
    Part("profile", profile),
    Part("findings", findings),
    Part("references", references),
    Part("answers", answers, full_only=True),
    Part("methods", methods, full_only=True),
    Part("about", about, full_only=True),
)


#: Pages a default report stays within, for the bundled examples (a board reads 4-8 pages).
PAGE_BUDGET = 8


@dataclass(frozen=True)
class Rendered:
    """The PDF, and what the reader should be told about it (characters the font lacks)."""

    data: bytes
    warnings: list[str]


def render_report(
    instrument: Instrument,
    responses: Responses,
    result: ScoreResult,
    *,
    full: bool = False,
    comparison: Comparison | None = None,
    brand: Brand | None = None,
) -> Rendered:
    """Render the gap report, short by default, with the appendices when ``full``; with a
    ``comparison`` with the previous assessment, a page of progress after page 1; with a
    ``brand``, the consultancy's name, logo and accent on page 1 and every page's furniture.

    Pure: reads no clock and no file but the font files and the brand's logo.
    """
    report = Report(
        instrument=instrument,
        responses=responses,
        result=result,
        styles=st.build_styles(),
        fingerprint=answers_fingerprint(responses),
        short_cites=short_cites(instrument.citations),
        full=full,
        comparison=comparison,
        brand=brand,
    )
    data, pages = lay_out(report, _story(report))
    if comparison is not None and not full and pages > PAGE_BUDGET:
        # over the budget with a progress page: its chart of every dimension, then and now,
        # may stand in for the profile chart; kept only when that brings the report within it
        report.profile_chart = False
        compact, fewer = lay_out(report, _story(report))
        if fewer <= PAGE_BUDGET:
            data = compact
        else:
            report.profile_chart = True
    return Rendered(data, st.font_warnings(printed_text(report)))


def _story(report: Report) -> list[Flowable]:
    return [f for part in PARTS if report.full or not part.full_only for f in part.build(report)]


def printed_text(report: Report) -> list[tuple[str, str | None]]:
    """The free text this report prints, each with where it comes from, for font warnings."""
    r = report.result
    fields: list[tuple[str, str | None]] = [
        ("program name", r.program.name),
        ("assessor", r.assessor),
        *(("population served", p) for p in r.program.populations),
    ]
    if report.full:
        for item in r.items:
            fields += [
                (f"{item.code} note", item.note),
                (f"{item.code} evidence", item.evidence),
                (f"{item.code} N/A reason", item.na_reason),
            ]
    printed = [report.instrument.title, *(d.title for d in r.domains)]
    printed += [m.title for m in r.dimensions]
    printed += [f"{g.title} {g.recommendation}" for g in r.gaps if report.spelled_out(g)]
    printed += [f.finding for f in r.critical_findings]
    printed += [c.reference() for c in report.cited()]
    fields.append(("the instrument's text", "\n".join(printed)))
    return fields


def render_pdf(
    instrument: Instrument,
    responses: Responses,
    result: ScoreResult,
    *,
    full: bool = False,
    comparison: Comparison | None = None,
    brand: Brand | None = None,
) -> bytes:
    """The PDF bytes of ``render_report``."""
    return render_report(
        instrument, responses, result, full=full, comparison=comparison, brand=brand
    ).data
