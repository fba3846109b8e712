"""Command line: parse arguments, call one library function, print, map errors to exit codes.

Exit codes: 0 success; 2 bad input or usage (one located line per problem on stderr);
1 is left to real bugs, which show a traceback.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from audit_kit import __version__
from audit_kit.errors import AuditKitError

DEFAULT_INSTRUMENT = "mat-tsf-cod"
MAX_PROBLEMS_SHOWN = 50

_INSTRUMENT_HELP = (
    "Bundled instrument id or a .yaml/.json file. Default: the one the responses name."
)


def _instrument_option(help: str = _INSTRUMENT_HELP, **extra: Any) -> Any:
    return click.option("--instrument", "-i", "spec", metavar="ID|PATH", help=help, **extra)


def _output_option(metavar: str, help: str, **extra: Any) -> Any:
    return click.option(
        "--output",
        "-o",
        type=click.Path(dir_okay=False, path_type=Path),
        metavar=metavar,
        help=help,
        **extra,
    )


class UserError(click.ClickException):
    """An AuditKitError on its way out: one line per problem on stderr, exit code 2."""

    exit_code = 2

    def __init__(self, error: AuditKitError) -> None:
        super().__init__(str(error))
        self.error = error

    def show(self, file: Any = None) -> None:
        """Print each problem on its own line, the first fifty at most."""
        problems = self.error.problems
        for problem in problems[:MAX_PROBLEMS_SHOWN]:
            click.echo(f"Error: {problem}", err=True)
        if len(problems) > MAX_PROBLEMS_SHOWN:
            click.echo(f"Error: ... and {len(problems) - MAX_PROBLEMS_SHOWN} more", err=True)


class _Group(click.Group):
    """A group that turns the library's user errors into exit code 2 for every subcommand."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except AuditKitError as exc:
            raise UserError(exc) from None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="audit-kit")
def cli() -> None:
    """Assess an addiction-treatment program on medications (MAT/MOUD), Twelve-Step
    Facilitation and co-occurring disorders, and get a gap report.

    Exit codes: 0 success, 2 bad input or usage, 1 a bug (please report it).
    """


@cli.group()
def instrument() -> None:
    """List, show, check and describe instruments."""


@instrument.command("list")
def instrument_list() -> None:
    """List the bundled instruments with their items per domain."""
    from audit_kit.catalog import list_bundled
    from audit_kit.outputs.text import instrument_list as render

    click.echo(render(list_bundled()))


@instrument.command("show")
@click.argument("spec", metavar="[ID|PATH]", default=DEFAULT_INSTRUMENT)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "markdown"]), default="text", show_default=True
)
def instrument_show(spec: str, fmt: str) -> None:
    """Show every item of an instrument: question, evidence, answers, rules and sources."""
    from audit_kit.catalog import load_instrument
    from audit_kit.outputs.text import instrument_text

    click.echo(instrument_text(load_instrument(spec), markdown=fmt == "markdown"), nl=False)


@instrument.command("check")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def instrument_check(path: Path) -> None:
    """Check an instrument file; list every problem with its location."""
    from audit_kit.catalog import load_instrument_file

    loaded = load_instrument_file(path)
    click.echo(f"OK: {loaded.item_count} items in {len(loaded.domains)} domains")


@instrument.command("schema")
def instrument_schema() -> None:
    """Print the JSON Schema of the instrument format (for editors)."""
    from audit_kit.catalog import instrument_schema as schema

    click.echo(json.dumps(schema(), indent=2, ensure_ascii=False))


@cli.command()
@click.argument("responses", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_instrument_option()
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def score(responses: Path, spec: str | None, fmt: str) -> None:
    """Score RESPONSES (.json or .xlsx): levels, scores, critical findings, priorities."""
    from audit_kit.outputs.text import score_text
    from audit_kit.workflows.assess import assess

    result = assess(responses, spec).result
    if fmt == "json":
        click.echo(result.model_dump_json(indent=2))
    else:
        click.echo(score_text(result), nl=False)


@cli.command()
@_instrument_option(
    f"Bundled instrument id or a .yaml/.json file. Default: the resumed file's, "
    f"else {DEFAULT_INSTRUMENT}."
)
@_output_option(
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


@cli.command()
@click.argument("responses", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_output_option(
    "FILE.pdf",
    "PDF to write (replaced if it exists). "
    "Default: reports/<program>-<assessment date>.pdf, creating reports/.",
)
@_instrument_option()
def report(responses: Path, output: Path | None, spec: str | None) -> None:
    """Write the PDF gap report for RESPONSES (.xlsx or .json) and print its path.

    Cover, executive summary with a chart, findings per domain, the prioritised
    action plan, every answer, the scoring rules and the references.
    """
    from audit_kit.workflows.report import write_report

    click.echo(str(write_report(responses, output, spec)))


def _setting_values() -> list[str]:
    from audit_kit.model.vocab import Setting

    return [s.value for s in Setting]


@cli.command()
@_instrument_option(
    "Bundled instrument id or a .yaml/.json file.", default=DEFAULT_INSTRUMENT, show_default=True
)
@_output_option(
    "FILE.xlsx",
    "Workbook to write. Default: <program>.xlsx with --program, else "
    "<instrument>-assessment.xlsx, in the current folder.",
)
@click.option("--program", "program_name", metavar="NAME", help="Program name to fill in.")
@click.option(
    "--setting",
    type=click.Choice(_setting_values()),
    help="Program setting to fill in; items that do not apply to it are marked.",
)
@click.option("--force", is_flag=True, help="Replace the output file if it exists.")
def template(
    spec: str, output: Path | None, program_name: str | None, setting: str | None, force: bool
) -> None:
    """Write the fill-in workbook (.xlsx) for an instrument and print its path.

    Instructions, a Program sheet, and one sheet per domain with a row per item
    and a dropdown in each answer cell. Fill it in with Excel or LibreOffice,
    then score it or make the report from it.
    """
    from audit_kit.workflows.convert import write_template

    path = write_template(spec, output, program_name=program_name, setting=setting, overwrite=force)
    click.echo(str(path))
    click.echo(
        f"Next: fill it in with Excel or LibreOffice, then run `audit-kit score {path}` "
        f"for the scores or `audit-kit report {path}` for the PDF gap report.",
        err=True,
    )


@cli.command()
@click.argument(
    "source", metavar="INPUT", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@_output_option(
    "OUTPUT", "File to write: .json for an .xlsx INPUT, .xlsx for a .json INPUT.", required=True
)
@_instrument_option()
@click.option("--force", is_flag=True, help="Replace OUTPUT if it exists.")
@click.option(
    "--to-version",
    metavar="VERSION",
    help="Carry the answers to another bundled version of their instrument (e.g. 1.1); "
    "OUTPUT may then be .json or .xlsx.",
)
def convert(
    source: Path, output: Path, spec: str | None, force: bool, to_version: str | None
) -> None:
    """Convert responses from .xlsx to .json, or from .json to .xlsx, and print the path.

    Nothing is lost either way: the JSON is the canonical responses file, the
    workbook is the template with the program details and answers in it. A
    file with problems is not converted; every problem is listed instead.

    With --to-version, every answer whose item means the same in that version is
    carried over; new items, and items whose answers changed meaning, are left
    unanswered and listed.
    """
    from audit_kit.fsutil import write_atomic

    if to_version is None:
        from audit_kit.workflows.convert import convert_responses

        write_atomic(output, convert_responses(source, output, spec), overwrite=force)
        click.echo(str(output))
        return
    from audit_kit.outputs.text import migration_text
    from audit_kit.workflows.convert import convert_to_version

    data, old, new, moved = convert_to_version(source, output, to_version, spec)
    write_atomic(output, data, overwrite=force)
    click.echo(migration_text(old, new, moved), nl=False)
    click.echo(f"Wrote {output}")


@cli.command()
@click.option(
    "--output",
    "-o",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("demo"),
    show_default=True,
    metavar="DIR",
    help="Folder to write the example and its report into (created if missing).",
)
@click.option(
    "--example",
    default="residential-12step",
    show_default=True,
    metavar="NAME",
    help="Bundled example: residential-12step, hospital-unit or integrated-outpatient.",
)
def demo(folder: Path, example: str) -> None:
    """Write a bundled example assessment (.json and .xlsx), print its scores, and write its
    PDF gap report; existing demo files in the folder are replaced."""
    from audit_kit.outputs.text import score_text
    from audit_kit.workflows.demo import write_demo

    files = write_demo(folder, example)
    click.echo(score_text(files.assessment.result), nl=False)
    click.echo()
    click.echo(f"Wrote {files.json}, {files.workbook} and {files.report}")
    click.echo(
        f"Next: open the report, or try `audit-kit score {files.workbook}`; for your own "
        "program start with `audit-kit template --program NAME`."
    )


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="audit-kit")
