"""Library entry points for the action plan: write the workbook, and read the team's progress."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from audit_kit.errors import AuditKitError, InputFileError, OutputError
from audit_kit.fsutil import check_output, slug

if TYPE_CHECKING:
    from datetime import date

    from audit_kit.formats.plan.layout import Status
    from audit_kit.formats.plan.reader import Action, PlanProgress
    from audit_kit.model.result import ScoreResult
    from audit_kit.model.vocab import GapKind


def default_plan_path(result: ScoreResult) -> Path:
    """``<program-slug>-<assessment date>-plan.xlsx`` in the current folder."""
    day = result.assessment_date.isoformat() if result.assessment_date else "undated"
    return Path(f"{slug(result.program.display_name)}-{day}-plan.xlsx")


def write_plan(
    responses_path: Path,
    output: Path | None = None,
    instrument: str | Path | None = None,
    *,
    overwrite: bool = False,
) -> Path:
    """Read responses (.json or .xlsx), score them, write the action-plan workbook; return its
    path.

    Without ``output`` the plan goes to ``default_plan_path`` in the current folder. An existing
    file is refused unless ``overwrite``; the input is never touched.
    """
    from audit_kit.formats.plan.writer import build_plan
    from audit_kit.fsutil import write_atomic
    from audit_kit.workflows.assess import assess

    if output is not None:
        _check_output(output, responses_path, overwrite)
    try:
        assessment = assess(responses_path, instrument)
    except AuditKitError as exc:
        _refuse_a_plan(exc, responses_path)
        raise
    if output is None:
        output = default_plan_path(assessment.result)
        _check_output(output, responses_path, overwrite)
    data = build_plan(
        assessment.instrument, assessment.result, fingerprint=assessment.responses.fingerprint()
    )
    write_atomic(output, data, overwrite=overwrite)
    return output


def _check_output(output: Path, source: Path, overwrite: bool) -> None:
    """Refuse, before any work, an output that is no .xlsx, is the input, or exists."""
    from audit_kit.workflows.convert import output_format

    output_format(output, allowed=("xlsx",))
    check_output(output)
    if output.exists() and source.exists() and output.resolve() == source.resolve():
        raise OutputError.single(
            "is the responses file itself; choose another name with -o",
            file=str(output),
            code="same-file",
        )
    if output.exists() and not overwrite:
        raise OutputError.single(
            "already exists; choose another name with -o, or pass --force to replace it",
            file=str(output),
            code="exists",
        )


def _refuse_a_plan(exc: AuditKitError, path: Path) -> None:
    """A plan given where responses belong: say so, rather than that it is no template."""
    from audit_kit.formats.plan.reader import looks_like_plan

    if any(p.code == "no-meta" for p in exc.problems) and looks_like_plan(path):
        raise InputFileError.single(
            "is an action plan, not an assessment; to see its progress run "
            f"`audit-kit plan --status {path}`",
            file=str(path),
            code="plan-not-responses",
        ) from None


@dataclass(frozen=True)
class TimeFrame:
    """The actions of one time frame and where they stand."""

    kind: GapKind
    actions: tuple[Action, ...]
    as_of: date

    def count(self, status: Status) -> int:
        """Actions on the sheet with this status."""
        return sum(a.status is status for a in self.actions)

    @property
    def overdue(self) -> tuple[Action, ...]:
        """Open actions due before the day of the status, earliest first."""
        late = [a for a in self.actions if a.overdue(self.as_of)]
        return tuple(sorted(late, key=lambda a: (a.due, a.rank)))

    @property
    def missing(self) -> tuple[Action, ...]:
        """Actions whose row is no longer on the sheet."""
        return tuple(a for a in self.actions if a.status is None)

    @property
    def open_without_due(self) -> int:
        """Open actions nobody has given a due date yet."""
        return sum(
            a.status is not None and not a.status.closed and a.due is None for a in self.actions
        )


@dataclass(frozen=True)
class PlanStatus:
    """A plan's progress on a given day, by time frame."""

    progress: PlanProgress
    as_of: date
    frames: tuple[TimeFrame, ...]

    @property
    def actions(self) -> tuple[Action, ...]:
        """Every action, in priority order."""
        return self.progress.actions

    def count(self, status: Status) -> int:
        """Actions on the sheet with this status, in all time frames."""
        return sum(f.count(status) for f in self.frames)

    @property
    def overdue(self) -> tuple[Action, ...]:
        """Every overdue action, time frame by time frame."""
        return tuple(a for f in self.frames for a in f.overdue)

    @property
    def missing(self) -> tuple[Action, ...]:
        """Every action whose row is no longer on the sheet."""
        return tuple(a for f in self.frames for a in f.missing)

    @property
    def open_without_due(self) -> int:
        """Open actions without a due date, in all time frames."""
        return sum(f.open_without_due for f in self.frames)


def plan_status(plan_path: Path, as_of: date) -> PlanStatus:
    """Read a plan workbook and say where each time frame stands on ``as_of``.

    Pure over what it reads: the day comes from the caller, never from the clock.
    """
    from audit_kit.formats.plan.reader import read_plan
    from audit_kit.model.vocab import GapKind

    progress = read_plan(plan_path)
    frames = tuple(
        TimeFrame(kind, tuple(a for a in progress.actions if a.kind is kind), as_of)
        for kind in GapKind
    )
    return PlanStatus(progress, as_of, frames)
