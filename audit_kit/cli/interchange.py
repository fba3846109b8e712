"""`audit-kit export` and `audit-kit import`: the instrument in ODK/Kobo, REDCap and FHIR, and the
answers collected there brought back."""

from __future__ import annotations

from pathlib import Path

import click

from audit_kit.cli.base import cli, instrument_option, output_option

_TOOLS = ("xlsform", "redcap", "fhir")


@cli.command("export")
@click.argument("spec", metavar="INSTRUMENT")
@click.option(
    "--to",
    "tool",
    type=click.Choice(_TOOLS),
    required=True,
    help="xlsform: .xlsx for ODK and KoboToolbox; redcap: a data dictionary .csv; "
    "fhir: an R4 Questionnaire .json.",
)
@output_option("FILE", "File to write (.xlsx, .csv or .json, as --to says).", required=True)
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
def export(spec: str, tool: str, output: Path, force: bool) -> None:
    """Write INSTRUMENT (an id such as mat-tsf-cod, id@version, or a .yaml/.json file) as a
    form for another tool, and print its path.

    Every item keeps its code, question, guidance, anchored answers, N/A with its reason and
    skip logic; the program profile comes first. Bring the collected answers back with
    `audit-kit import`.
    """
    from audit_kit.workflows.interchange import export_instrument

    path = export_instrument(spec, tool, output, overwrite=force)
    click.echo(str(path))
    click.echo(
        f"Next: load it into the tool, collect the answers, export them, then run "
        f"`audit-kit import EXPORT -i {spec} -o responses/`.",
        err=True,
    )


@cli.command("import")
@click.argument(
    "source", metavar="FILE", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@instrument_option(
    "The instrument the form was exported from (id, id@version or file). "
    "Default: the one the file names."
)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    required=True,
    metavar="FILE.json|DIR",
    help="A responses .json file when FILE holds one program; otherwise a folder (created if "
    "missing) that gets <program>-<assessment date>.json for each program.",
)
@click.option(
    "--from",
    "tool",
    type=click.Choice(_TOOLS),
    help="The tool FILE comes from. Default: .json is FHIR, .xlsx is Kobo/ODK, and a .csv is "
    "REDCap when its header is REDCap's, else Kobo/ODK.",
)
@click.option("--force", is_flag=True, help="Replace responses files that exist.")
def import_(source: Path, spec: str | None, output: Path, tool: str | None, force: bool) -> None:
    """Read answers collected with a form made by `audit-kit export` and write responses JSON.

    FILE is a Kobo or ODK Central export (.xlsx or .csv, field names or labels as headers), a
    REDCap records export (.csv, raw or labels), or a FHIR QuestionnaireResponse (or a Bundle of
    them). Each row, record or response is one program. Every problem in every record is
    listed, with where it is; nothing is written until all are fixed.
    """
    from audit_kit.workflows.interchange import import_answers

    written = import_answers(source, output, spec, tool, overwrite=force)
    for done in written:
        click.echo(f"{done.path}  {done.responses.program.display_name} ({done.label})")
    first = written[0].path
    click.echo(
        f"Next: `audit-kit score {first}` for the scores, or `audit-kit report {first}` for the "
        "PDF gap report.",
        err=True,
    )
