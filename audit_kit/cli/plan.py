"""`audit-kit plan`: write the action-plan workbook, or print the progress typed into one."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from audit_kit.cli.base import cli, instrument_option, output_option
from audit_kit.errors import AuditKitError

if TYPE_CHECKING:
    from collections.abc import Callable

    from audit_kit.formats.plan.layout import Status
    from audit_kit.formats.plan.reader import Action
    from audit_kit.workflows.plan import PlanStatus, TimeFrame

_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_KIND_WORDS = {
    "critical": "critical findings",
    "below_capable": "below capable",
    "towards_enhanced": "towards enhanced",
}
_SHOWN_CHARS = 60  # of an owner's name in the listing
WIDTH = 100  # of the printed lines, as `audit-kit score`


@cli.command()
@click.argument(
    "source", metavar="RESPONSES|PLAN", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@output_option(
    "PLAN.xlsx",
    "Plan to write. Default: <program>-<assessment date>-plan.xlsx in the current folder.",
)
@instrument_option()
@click.option("--force", is_flag=True, help="Replace the plan file if it exists.")
@click.option(
    "--status",
    is_flag=True,
    help="Read a plan workbook (given instead of RESPONSES) and print its progress.",
)
@click.option(
    "--as-of",
    "as_of",
    metavar="YYYY-MM-DD",
    help="With --status: the day to judge overdue actions on. Default: today.",
)
def plan(
    source: Path,
    output: Path | None,
    spec: str | None,
    force: bool,
    status: bool,
    as_of: str | None,
) -> None:
    """Write the action plan for RESPONSES as a workbook to work from, and print its path.

    One row per action, in priority order, grouped by time frame (30 days,
    90 days, 12 months): code, finding, what to do, why, source and priority,
    with columns for the owner, due date, status and notes.

    With --status, read a plan the team has been filling in and print, per time
    frame, what is done, in progress, not started and won't do, and which open
    actions are overdue.
    """
    if status:
        for name, given in (("-o/--output", output), ("-i/--instrument", spec), ("--force", force)):
            if given:
                raise click.UsageError(f"{name} is for writing a plan; leave it out with --status")
        from audit_kit.workflows.plan import plan_status

        day = _day(as_of) if as_of is not None else date.today()
        click.echo(status_text(plan_status(source, day)), nl=False)
        return
    if as_of is not None:
        raise click.UsageError("--as-of goes with --status")
    from audit_kit.workflows.plan import write_plan

    path = write_plan(source, output, spec, overwrite=force)
    click.echo(str(path))
    click.echo(
        "Next: fill in owner, due date and status as the work goes; "
        f"`audit-kit plan --status {path}` lists what is done and overdue.",
        err=True,
    )


def _day(text: str) -> date:
    try:
        if _ISO_DAY.match(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise AuditKitError.single(
        f"{text!r} is not a date; give it as YYYY-MM-DD, e.g. 2026-12-31",
        path="--as-of",
        code="bad-date",
    )


def status_text(status: PlanStatus) -> str:
    """The progress of a plan: per time frame the counts, what is overdue and what is done."""
    from audit_kit.formats.plan.layout import Status
    from audit_kit.outputs.wording import count

    info = status.progress.info
    day = info.assessment_date.isoformat() if info.assessment_date else "date not given"
    total = len(status.actions)
    out = [
        f"Action plan: {info.program or 'Unnamed program'}",
        f"From the assessment of {day} ({info.instrument_id} {info.instrument_version}, "
        f"answers SHA-256 {info.fingerprint[:16]}…)",
        f"Progress on {status.as_of.isoformat()}: {status.count(Status.DONE)} of "
        f"{count(total, 'action')} done, {len(status.overdue)} overdue.",
    ]
    for frame in status.frames:
        out += ["", *_frame_lines(frame)]
    without_due = status.open_without_due
    out += [
        "",
        _wrap(
            f"Total — {count(total, 'action')}: {_counts(status.count)}; "
            f"{len(status.overdue)} overdue"
            + (f"; {count(without_due, 'open action')} without a due date." if without_due else ".")
        ),
    ]
    if status.missing:
        out.append("Not on the sheet any more (their rows were deleted), so not counted:")
        out += _lines(status.missing)
    other = status.progress.other_rows
    if other:
        rows = ", ".join(str(r) for r in other)
        which = (
            f"Row {rows} holds entries" if len(other) == 1 else f"Rows {rows} hold entries"
        ) + f" on {status.progress.sheet!r} but no action code of this plan"
        out.append(_wrap(f"{which}; {'it is' if len(other) == 1 else 'they are'} not counted."))
    return "\n".join(out) + "\n"


def _wrap(text: str, indent: str = "", later: str = "  ") -> str:
    import textwrap

    return textwrap.fill(text, WIDTH, initial_indent=indent, subsequent_indent=later)


def _frame_lines(frame: TimeFrame) -> list[str]:
    from audit_kit.formats.plan.layout import Status
    from audit_kit.outputs.wording import count

    head = f"Within {frame.kind.timeframe} ({_KIND_WORDS[frame.kind.value]}) — "
    if not frame.actions:
        return [head + "no actions."]
    lines = [_wrap(head + f"{count(len(frame.actions), 'action')}: {_counts(frame.count)}")]
    if frame.overdue:
        lines.append(f"  Overdue ({len(frame.overdue)}):")
        lines += _lines(frame.overdue, overdue=True)
    done = [a for a in frame.actions if a.status is Status.DONE]
    if done:
        lines.append(f"  Done ({len(done)}):")
        lines += _lines(done)
    return lines


def _counts(counter: Callable[[Status], int]) -> str:
    from audit_kit.formats.plan.layout import Status

    order = (Status.DONE, Status.IN_PROGRESS, Status.NOT_STARTED, Status.WONT_DO)
    return ", ".join(f"{counter(s)} {s.label.lower()}" for s in order)


def _lines(actions: tuple[Action, ...] | list[Action], overdue: bool = False) -> list[str]:
    """Each action's code and title, codes in one column; for overdue ones, when it was due,
    where it stands and who owns it on the line below."""
    width = max(len(a.code) for a in actions) + 2
    indent = " " * (4 + width)
    out: list[str] = []
    for action in actions:
        out.append(_wrap(action.title, f"    {action.code:<{width}}", indent))
        if overdue and action.due is not None and action.status is not None:
            said = f"due {action.due.isoformat()}, {action.status.label.lower()}"
            if action.owner:
                owner = " ".join(action.owner.split())
                if len(owner) > _SHOWN_CHARS:
                    owner = owner[: _SHOWN_CHARS - 1].rstrip() + "…"
                said += f", owner: {owner}"
            out.append(_wrap(said, indent, indent))
    return out
