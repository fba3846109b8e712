"""The command group, its shared options, and how user errors become exit code 2.

Exit codes: 0 success; 2 bad input or usage (one located line per problem on stderr);
1 is left to real bugs, which show a traceback.
"""

from __future__ import annotations

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


def instrument_option(help: str = _INSTRUMENT_HELP, **extra: Any) -> Any:
    return click.option("--instrument", "-i", "spec", metavar="ID|PATH", help=help, **extra)


def output_option(metavar: str, help: str, **extra: Any) -> Any:
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
        except KeyboardInterrupt:
            # click would say "Aborted!" and exit 1, the code kept for bugs; outputs are written
            # atomically, so nothing half-written is left behind
            click.echo("Stopped. No file is left half-written.", err=True)
            ctx.exit(130)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="audit-kit")
def cli() -> None:
    """Assess an addiction-treatment program on medications (MAT/MOUD), Twelve-Step
    Facilitation and co-occurring disorders, and get a gap report.

    Exit codes: 0 success; 2 bad input or usage; 3 batch: some programs failed;
    130 stopped by Ctrl-C (fill and batch keep what was done; fill also 129 and 143
    for a closed terminal or kill); 1 a bug (please report it).
    """
