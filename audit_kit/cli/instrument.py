"""`audit-kit instrument`: list, show, check and describe instruments."""

from __future__ import annotations

import json
from pathlib import Path

import click

from audit_kit.cli.base import DEFAULT_INSTRUMENT, cli


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
