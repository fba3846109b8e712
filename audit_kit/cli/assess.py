"""Commands on one assessment: template, score, report, convert and demo."""

from __future__ import annotations

from pathlib import Path

import click

from audit_kit.cli.base import DEFAULT_INSTRUMENT, cli, instrument_option, output_option


@cli.command()
@click.argument("responses", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@instrument_option()
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
@click.argument("responses", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@output_option(
    "FILE.pdf",
    "PDF to write (replaced if it exists). "
    "Default: reports/<program>-<assessment date>.pdf, creating reports/.",
)
@instrument_option()
@click.option(
    "--full",
    is_flag=True,
    help="Add the appendices: every answer with its note and evidence, the methods in "
    "full, the answers' fingerprint; every recommendation spelled out, with source sections.",
)
@click.option(
    "--previous",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    metavar="OLD",
    help="An earlier assessment of the program (.xlsx or .json): adds a page of progress since. "
    "Read with the bundled version it names, or with -i when -i is a file.",
)
@click.option(
    "--brand",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Brand file (.toml or .yaml): consultancy name, contact line, logo, accent colour.",
)
def report(
    responses: Path,
    output: Path | None,
    spec: str | None,
    full: bool,
    previous: Path | None,
    brand: Path | None,
) -> None:
    """Write the PDF gap report for RESPONSES (.xlsx or .json) and print its path.

    The default report is short, for a board: page 1 says where the program
    stands, what is dangerous and what to do first; then a chart of every
    dimension, the findings by domain with each recommendation and its source,
    how the scores work and the references. A draft mark is on every page
    while a profile field is missing or a domain has too few answers. With
    --previous, a page of progress since that assessment follows page 1.
    """
    from audit_kit.workflows.report import write_report

    def warn(message: str) -> None:
        click.echo(f"Warning: {message}", err=True)

    path = write_report(
        responses, output, spec, full=full, previous=previous, brand=brand, warn=warn
    )
    click.echo(str(path))


def _setting_values() -> list[str]:
    from audit_kit.model.vocab import Setting

    return [s.value for s in Setting]


@cli.command()
@instrument_option(
    "Bundled instrument id or a .yaml/.json file.", default=DEFAULT_INSTRUMENT, show_default=True
)
@output_option(
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
@output_option(
    "OUTPUT", "File to write: .json for an .xlsx INPUT, .xlsx for a .json INPUT.", required=True
)
@instrument_option()
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
    help=(
        "Bundled example: residential-12step, hospital-unit, integrated-outpatient or "
        "otp-no-mental-health."
    ),
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
