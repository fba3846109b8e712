"""One row per program of a batch: what the roll-up workbook and the portfolio report show."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import Field

from audit_kit.model.comparison import Comparison, Direction
from audit_kit.model.frozen import Frozen as _Frozen
from audit_kit.model.result import ScoreResult
from audit_kit.model.vocab import DomainState, GapKind, Level


class FailureKind(StrEnum):
    """Why a program of a batch has no result."""

    INPUT = "input"  # the file has problems the user can fix
    BUG = "bug"  # audit-kit failed on it (a traceback is kept)
    CRASH = "crash"  # the worker process died while on it
    TIMEOUT = "timeout"  # it took longer than the time allowed per file

    @property
    def label(self) -> str:
        """The kind in words, for the roll-up and the summary."""
        return _FAILURE_LABELS[self]


_FAILURE_LABELS = {
    FailureKind.INPUT: "problem in the file",
    FailureKind.BUG: "internal error (a bug in audit-kit)",
    FailureKind.CRASH: "worker process died",
    FailureKind.TIMEOUT: "took too long",
}


class DomainRow(_Frozen):
    """A domain's standing in one program, and its change since the previous assessment."""

    domain_id: str = Field(description="Domain id.")
    title: str = Field(description="Name of the domain.")
    score: float | None = Field(description="Domain score; None if none.")
    state: DomainState = Field(description="rated, capped, insufficient_evidence, not_applicable.")
    level: Level | None = Field(description="The level held (only when rated).")
    headline: str = Field(description="Level or state in words.")
    scores_level_name: str | None = Field(description="The level the scores alone give.")
    previous_score: float | None = Field(default=None, description="Score at the previous one.")
    previous_headline: str | None = Field(default=None, description="Level or state then.")
    direction: Direction | None = Field(
        default=None, description="Change of level since the previous assessment, if compared."
    )


class GapRow(_Frozen):
    """An item on a program's action plan that is a real gap (critical or below capable)."""

    item_id: str = Field(description="Item id.")
    code: str = Field(description="Short code people read, e.g. 'MAT-4'.")
    kind: GapKind = Field(description="critical or below_capable.")


class ChangeRow(_Frozen):
    """What changed since the program's previous assessment."""

    previous_file: str = Field(description="The previous assessment's file.")
    previous_date: date | None = Field(description="Its date.")
    previous_version: str = Field(description="Its instrument version.")
    shared_share: float = Field(description="Share of the current instrument compared (0-1).")
    gaps_closed: int = Field(description="Gaps closed.")
    gaps_new: int = Field(description="New gaps.")
    criticals_resolved: list[str] = Field(description="Codes of critical findings resolved.")
    criticals_new: list[str] = Field(description="Codes of new critical findings.")


class ProgramRow(_Frozen):
    """One program of a batch: its result in brief, or why there is none."""

    input: str = Field(description="The input file, as found.")
    sha256: str | None = Field(description="SHA-256 of the input file's bytes.")
    report: str | None = Field(default=None, description="File name of its PDF report.")
    error: str | None = Field(default=None, description="Why it has no result (located).")
    failure: FailureKind | None = Field(default=None, description="Kind of failure.")
    program: str | None = Field(default=None, description="Program name (or a placeholder).")
    setting: str | None = Field(default=None, description="Setting in words.")
    assessment_date: date | None = Field(default=None, description="Date of the assessment.")
    instrument: str | None = Field(default=None, description="Instrument id@version.")
    domains: list[DomainRow] = Field(default_factory=list, description="One per domain.")
    criticals: list[GapRow] = Field(default_factory=list, description="Critical findings.")
    gaps: list[GapRow] = Field(
        default_factory=list, description="Gaps that are critical or below capable."
    )
    answered: int = Field(default=0, description="Items answered.")
    applicable: int = Field(default=0, description="Items that apply.")
    draft: bool = Field(default=False, description="Whether the result is a draft.")
    warnings: list[str] = Field(default_factory=list, description="Notes on this program.")
    change: ChangeRow | None = Field(default=None, description="Change since last time.")

    @property
    def ok(self) -> bool:
        """Whether the program was scored."""
        return self.error is None

    @property
    def completeness(self) -> float | None:
        """Share of applicable items answered (0-1); None when nothing applies."""
        return self.answered / self.applicable if self.applicable else None

    def domain(self, domain_id: str) -> DomainRow | None:
        """The program's row for a domain, if its instrument has it."""
        return next((d for d in self.domains if d.domain_id == domain_id), None)


def program_row(
    input_name: str,
    sha256: str,
    result: ScoreResult,
    comparison: Comparison | None = None,
    previous_file: str | None = None,
    notes: list[str] | None = None,
) -> ProgramRow:
    """The row of a scored program, with its change when it was compared with a previous one."""
    changes = {c.domain_id: c for c in comparison.domains} if comparison else {}
    domains = []
    for d in result.domains:
        change = changes.get(d.domain_id)
        domains.append(
            DomainRow(
                domain_id=d.domain_id,
                title=d.title,
                score=d.score,
                state=d.state,
                level=d.level,
                headline=d.headline,
                scores_level_name=d.scores_level_name,
                previous_score=change.old_score if change else None,
                previous_headline=change.old_headline if change else None,
                direction=change.direction if change else None,
            )
        )
    change_row = None
    if comparison is not None:
        change_row = ChangeRow(
            previous_file=previous_file or "",
            previous_date=comparison.old_date,
            previous_version=comparison.old_version,
            shared_share=comparison.shared_share,
            gaps_closed=len(comparison.gaps_closed),
            gaps_new=len(comparison.gaps_new),
            criticals_resolved=[c.code for c in comparison.criticals_resolved],
            criticals_new=[c.code for c in comparison.criticals_new],
        )
    real = (GapKind.CRITICAL, GapKind.BELOW_CAPABLE)
    return ProgramRow(
        input=input_name,
        sha256=sha256,
        program=result.program.display_name,
        setting=result.program.setting_label,
        assessment_date=result.assessment_date,
        instrument=f"{result.instrument_id}@{result.instrument_version}",
        domains=domains,
        criticals=[
            GapRow(item_id=c.item_id, code=c.code, kind=GapKind.CRITICAL)
            for c in result.critical_findings
        ],
        gaps=[
            GapRow(item_id=g.item_id, code=g.code, kind=g.kind)
            for g in result.gaps
            if g.kind in real
        ],
        answered=result.completeness.answered,
        applicable=result.completeness.applicable,
        draft=result.draft,
        warnings=list(notes or []),
        change=change_row,
    )
