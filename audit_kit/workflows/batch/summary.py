"""What a batch reports as it goes (BatchEvent) and when it is done (BatchSummary)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from audit_kit.model.portfolio import ProgramRow

ROLLUP = "rollup.xlsx"
PORTFOLIO = "portfolio.pdf"


@dataclass(frozen=True)
class BatchEvent:
    """Progress: ``done`` of ``total`` in a phase ('previous' or 'programs'), and the last row."""

    phase: str
    done: int
    total: int
    row: ProgramRow | None = None
    skipped: bool = False


@dataclass(frozen=True)
class BatchSummary:
    """What a batch did: every program's row (roll-up order), the files written, and figures."""

    out_dir: Path
    rows: list[ProgramRow]
    rollup: Path
    portfolio: Path
    processed: int
    skipped: int
    notes: list[str] = field(default_factory=list)
    tracebacks: dict[str, str] = field(default_factory=dict)  # input → traceback, for bugs
    worker_peak_kib: dict[int, int] = field(default_factory=dict)  # process id → peak RSS
    seconds: float = 0.0

    @property
    def failed(self) -> list[ProgramRow]:
        """The programs with no result."""
        return [r for r in self.rows if not r.ok]

    @property
    def exit_code(self) -> int:
        """0 when every program succeeded, 3 when any failed."""
        return 3 if self.failed else 0
