"""Convert responses between the workbook and JSON forms, and to another instrument version."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from audit_kit.errors import AuditKitError, OutputError

if TYPE_CHECKING:
    from audit_kit.model.instrument import Instrument
    from audit_kit.model.migrate import Migration

FORMATS = {".json": "json", ".xlsx": "xlsx"}


def output_format(path: Path, allowed: tuple[str, ...] = ("json", "xlsx")) -> str:
    """The format an output file name asks for: 'json' or 'xlsx' (OutputError otherwise)."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt not in allowed:
        endings = " or ".join(f".{a}" for a in allowed)
        raise OutputError.single(
            f"give an output file name ending in {endings}", file=str(path), code="format"
        )
    assert fmt is not None
    return fmt


def convert_responses(source: Path, output: Path, instrument: str | Path | None = None) -> bytes:
    """The responses in ``source`` (.xlsx or .json) in the other form, as ``output`` names it.

    JSON comes out in the canonical form of responses_json.dump_responses; a workbook is the
    template with the program details and answers in it. Reading applies every check, so a
    file with problems is refused, all problems listed, rather than converted half.
    """
    from audit_kit.formats.responses_json import dump_responses
    from audit_kit.formats.xlsx.template import build_workbook
    from audit_kit.fsutil import check_output
    from audit_kit.workflows.assess import read_responses, responses_format

    target = output_format(output)
    if responses_format(source) == target:
        raise OutputError.single(
            f"is .{target} like the input; convert turns .xlsx into .json and .json into .xlsx",
            file=str(output),
            code="same-format",
        )
    check_output(output)
    if output.exists() and output.resolve() == source.resolve():
        raise OutputError.single(
            "is the input file; choose another output name", file=str(output), code="same-file"
        )
    loaded, responses = read_responses(source, instrument)
    if target == "json":
        return dump_responses(responses)
    return build_workbook(loaded, responses=responses)


def convert_to_version(
    source: Path, output: Path, version: str, instrument: str | Path | None = None
) -> tuple[bytes, Instrument, Instrument, Migration]:
    """The responses in ``source`` carried to another bundled version of their instrument, in
    the form ``output`` names (.json or .xlsx), with the old and new instruments and what
    carried over."""
    from audit_kit.catalog import load_bundled
    from audit_kit.formats.responses_json import dump_responses
    from audit_kit.formats.xlsx.template import build_workbook
    from audit_kit.fsutil import check_output
    from audit_kit.model.migrate import migrate
    from audit_kit.workflows.assess import read_responses

    target = output_format(output)
    check_output(output)
    if output.exists() and output.resolve() == source.resolve():
        raise OutputError.single(
            "is the input file; choose another output name (the input is never changed)",
            file=str(output),
            code="same-file",
        )
    old, responses = read_responses(source, instrument)
    if old.version == version:
        raise AuditKitError.single(
            f"the responses are already for {old.id} {version}; nothing to convert",
            path="--to-version",
            code="same-version",
        )
    new = load_bundled(old.id, version)
    moved = migrate(old, new, responses)
    if target == "json":
        return dump_responses(moved.responses), old, new, moved
    return build_workbook(new, responses=moved.responses), old, new, moved


def template_path(instrument_id: str, program_name: str | None) -> Path:
    """Default name of a new template in the current folder: after the program, else the
    instrument (``casa-esperanza.xlsx``, ``mat-tsf-cod-assessment.xlsx``)."""
    from audit_kit.fsutil import slug

    fallback = f"{slug(instrument_id)}-assessment"
    return Path(f"{slug(program_name or '', fallback=fallback)}.xlsx")


def write_template(
    instrument: str | Path,
    output: Path | None = None,
    *,
    program_name: str | None = None,
    setting: str | None = None,
    overwrite: bool = False,
) -> Path:
    """Write a blank workbook for ``instrument`` and return its path.

    Without ``output`` the file goes in the current folder, named by ``template_path``; an
    existing file is refused unless ``overwrite``.
    """
    from audit_kit.catalog import load_instrument
    from audit_kit.formats.xlsx.template import build_workbook
    from audit_kit.fsutil import write_atomic
    from audit_kit.model.vocab import Setting

    name = program_name.strip() if program_name else None
    if name is not None and len(name) > 200:
        raise AuditKitError.single(
            "the program name is longer than 200 characters; shorten it", path="--program"
        )
    loaded = load_instrument(instrument)
    path = output if output is not None else template_path(loaded.id, name)
    output_format(path, allowed=("xlsx",))
    data = build_workbook(loaded, program_name=name, setting=Setting(setting) if setting else None)
    write_atomic(path, data, overwrite=overwrite)
    return path
