"""`audit-kit fill`: the questionnaire at the terminal."""

from __future__ import annotations

from pathlib import Path

import click

from audit_kit.cli.base import DEFAULT_INSTRUMENT, cli, instrument_option, output_option


@cli.command()
@instrument_option(
    f"Bundled instrument id or a .yaml/.json file. Default: the resumed file's, "
    f"else {DEFAULT_INSTRUMENT}."
)
@output_option(
    "FILE.json",
    "Responses file to write, or to continue when it exists. "
    "Default: <program>-<date>.json in the current folder.",
)
@click.option(
    "--resume",
    is_flag=True,
    help="Continue an existing file; without -o, the most recently changed responses "
    "*.json in the current folder.",
)
@click.option(
    "--review",
    is_flag=True,
    help="Go through the profile and the answered items again, current answers as defaults.",
)
@click.pass_context
def fill(
    ctx: click.Context, spec: str | None, output: Path | None, resume: bool, review: bool
) -> None:
    """Answer the questionnaire at the terminal; every answer is saved at once.

    First the program profile, then the items domain by domain. At each item
    type the score (for choices the number, value or label; for chart audits a
    percentage), or:

    \b
      na   not applicable (asks why; only where the item allows it)
      n    add a note and an evidence reference
      b    back to the previous item
      s    skip: leave the item unanswered
      ?    help
      q    save and quit

    Without -o the file is named after the program and the date, in the
    current folder. An existing file (-o FILE, or the same program and date)
    is continued at its first unanswered item. Items that do not apply to the
    program's setting are skipped and recorded as N/A.

    Standard input need not be a terminal: one answer per line, so a session
    can be scripted; at the end of input everything answered is kept.

    Exit codes: 0 finished, or saved and stopped; 2 bad input; 130 Ctrl-C;
    129 or 143 when the terminal closed or the process was told to stop.
    """
    from audit_kit.fill import FillOptions, TerminalConsole, run_fill, stop_on_signals

    options = FillOptions(
        instrument=spec,
        output=output,
        resume=resume,
        review=review,
        default_instrument=DEFAULT_INSTRUMENT,
    )
    with stop_on_signals():
        outcome = run_fill(options, TerminalConsole())
    ctx.exit(outcome.exit_code)
