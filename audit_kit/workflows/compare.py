"""Library entry point of `audit-kit compare`: read and score two assessments, compare them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from audit_kit.errors import ResponsesError
from audit_kit.workflows.assess import Assessment

if TYPE_CHECKING:
    from audit_kit.model.comparison import Comparison


@dataclass(frozen=True)
class Compared:
    """The two assessments and what changed between them."""

    old: Assessment
    new: Assessment
    comparison: Comparison


def compare_assessments(old: Assessment, new: Assessment, old_name: str = "") -> Comparison:
    """Compare two scored assessments of one instrument (ResponsesError, located at
    ``old_name``, when they are of different instruments)."""
    from audit_kit.scoring.compare import compare

    if old.instrument.id != new.instrument.id:
        raise ResponsesError.single(
            f"is an assessment with {old.instrument.id}, the other with {new.instrument.id}; "
            "compare two assessments made with the same instrument (any of its versions)",
            file=old_name or None,
            code="different-instruments",
        )
    return compare(old.instrument, old.result, new.instrument, new.result)


def compare_files(old: Path, new: Path, instrument: str | Path | None = None) -> Compared:
    """Read and score two assessments (.xlsx or .json) and compare them; every problem of either
    file is reported with its location.

    Each file is read with the bundled version it names, or with ``instrument``: NEW always,
    OLD when it is a file (a custom instrument), since OLD may be of an earlier bundled version.
    """
    from audit_kit.errors import AuditKitError
    from audit_kit.workflows.assess import assess, earlier_instrument

    if instrument is not None:
        from audit_kit.catalog import load_instrument

        load_instrument(instrument)  # a broken instrument is told once, not once per file
    problems = []
    assessments = []
    for path, spec in ((old, earlier_instrument(instrument)), (new, instrument)):
        try:
            assessments.append(assess(path, spec))
        except AuditKitError as exc:
            problems += exc.problems
    if problems:
        raise ResponsesError(problems)
    before, now = assessments
    return Compared(before, now, compare_assessments(before, now, str(old)))
