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

    First the program profile (? at any question explains it; the setting
    and whether the program is hospital-based must be typed, they have no
    default), then the items domain by domain. At each item type:

    \b
      1-5    a score (scale items)
      a, b…  a choice, by its letter or the start of its wording; the
             score of each choice is shown beside it
      85     a percentage (chart audits); 1% to 5% need the % sign, and
             a fraction such as 0.95 is refused: type 95
      ne     no eligible cases in the audit (chart audits; recorded N/A)
      na     not applicable (asks why; only where the item allows it)
      note   add a note and an evidence reference
      back   back to the previous item
      skip   leave the item as it is and go on
      ?      help
      quit   save and quit
      Enter  keep the current answer

    Commands are whole words, letters only pick choices and numbers are only
    scores or percentages: nothing means one thing on one item and another
    on the next. Items that an earlier answer makes not applicable (skip
    logic) are passed over, and the reason is said once; items that do not
    apply to the program's setting are recorded as N/A.

    Without -o the file is named after the program and the date in the
    current folder (program-<digest>-<date>.json for a name without Latin
    letters). Such a file is resumed only when it holds the same program;
    otherwise the next free name (...-2.json) is used, and said. With -o an
    existing file is continued at its first unanswered item, and a missing
    profile field in it (a blank workbook converted) is asked for.

    One session per file: FILE.json.lock beside it keeps a second fill off
    (exit 2); it is removed however the session ends, and one left by a
    killed session is taken over.

    Standard input need not be a terminal: one answer per line, so a session
    can be scripted; at the end of input everything answered is kept.

    Exit codes: 0 finished, or saved and stopped; 2 bad input, or the file
    is in use by another session; 130 Ctrl-C; 129 or 143 when the terminal
    closed or the process was told to stop.
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
