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
    from audit_kit.textout import instrument_list as render

    click.echo(render(list_bundled()))


@instrument.command("show")
@click.argument("spec", metavar="[ID|PATH]", default=DEFAULT_INSTRUMENT)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "markdown"]), default="text", show_default=True
)
def instrument_show(spec: str, fmt: str) -> None:
    """Show every item of an instrument: question, evidence, answers, rules and sources."""
    from audit_kit.catalog import load_instrument
    from audit_kit.textout import instrument_text

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
@click.option("--instrument", "-i", "spec", metavar="ID|PATH", help=_INSTRUMENT_HELP)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def score(responses: Path, spec: str | None, fmt: str) -> None:
    """Score RESPONSES (.json or .xlsx): levels, scores, critical findings, priorities."""
    from audit_kit.assess import assess
    from audit_kit.textout import score_text

    result = assess(responses, spec).result
    if fmt == "json":
        click.echo(result.model_dump_json(indent=2))
    else:
        click.echo(score_text(result), nl=False)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="audit-kit")
