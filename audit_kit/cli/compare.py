"""`audit-kit compare`: what changed between two assessments of one program."""

from __future__ import annotations

from pathlib import Path

import click

from audit_kit.cli.base import cli, instrument_option

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@cli.command()
@click.argument("old", type=_FILE)
@click.argument("new", type=_FILE)
@instrument_option(
    help="Bundled instrument id or a .yaml/.json file, for both files (a custom instrument). "
    "Default: the bundled version each file names."
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def compare(old: Path, new: Path, spec: str | None, fmt: str) -> None:
    """Compare two assessments of one program (.xlsx or .json): OLD, then NEW.

    Per domain and dimension the change in score and level; gaps closed, new
    and still open; critical findings resolved and new. Each file is scored
    with the instrument version it names; across versions (1.0 then 1.1) the
    items the two share with the same meaning are compared, and the share of
    the newer instrument they make up is given.
    """
    from audit_kit.outputs.compare import compare_json, compare_text
    from audit_kit.workflows.compare import compare_files

    comparison = compare_files(old, new, spec).comparison
    click.echo(compare_json(comparison) if fmt == "json" else compare_text(comparison), nl=False)
