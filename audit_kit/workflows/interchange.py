"""Export an instrument to XLSForm, REDCap or FHIR, and import the answers collected there."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from audit_kit.errors import InputFileError, Location, OutputError, Problem
from audit_kit.fsutil import check_input, check_output, make_folder, slug, write_atomic

if TYPE_CHECKING:
    from collections.abc import Callable

    from audit_kit.formats.interchange.records import Imported
    from audit_kit.model.instrument import Instrument
    from audit_kit.model.responses import Responses

TOOLS = ("xlsform", "redcap", "fhir")
SUFFIXES = {"xlsform": ".xlsx", "redcap": ".csv", "fhir": ".json"}
WHAT = {
    "xlsform": "an XLSForm (.xlsx) for ODK and KoboToolbox",
    "redcap": "a REDCap data dictionary (.csv)",
    "fhir": "a FHIR R4 Questionnaire (.json)",
}


def export_instrument(
    spec: str | Path, tool: str, output: Path, *, overwrite: bool = False
) -> Path:
    """Write the instrument as ``tool`` reads it (see WHAT) and return the path."""
    from audit_kit.catalog import load_instrument

    wanted = SUFFIXES[tool]
    if output.suffix.lower() != wanted:
        raise OutputError.single(
            f"{WHAT[tool]} is written to a file ending in {wanted}; change the name given with -o",
            file=str(output),
            code="suffix",
        )
    check_output(output)
    instrument = load_instrument(spec)
    write_atomic(output, _builder(tool)(instrument), overwrite=overwrite)
    return output


def _builder(tool: str) -> Callable[[Instrument], bytes]:
    if tool == "xlsform":
        from audit_kit.formats.interchange.xlsform import build_xlsform

        return build_xlsform
    if tool == "redcap":
        from audit_kit.formats.interchange.redcap import build_dictionary

        return build_dictionary
    from audit_kit.formats.interchange.fhir import build_questionnaire

    return build_questionnaire


def detect_tool(path: Path) -> str:
    """Which tool an export comes from: FHIR JSON, a Kobo .xlsx, or a CSV whose header says
    REDCap (record_id first, or REDCap's own columns) or else Kobo/ODK."""
    suffix = path.suffix.lower()
    if suffix == ".json":
        return "fhir"
    if suffix == ".xlsx":
        return "xlsform"
    if suffix not in (".csv", ".txt"):
        raise InputFileError.single(
            "give a .csv or .xlsx export (Kobo, ODK Central, REDCap) or a FHIR .json file; "
            "or say which tool it comes from with --from",
            file=str(path),
            code="format",
        )
    check_input(path, "an export")
    try:
        with path.open("rb") as handle:
            head = handle.read(64 * 1024).decode("utf-8-sig", errors="replace")
    except OSError as exc:
        raise InputFileError.single(f"cannot be read ({exc.strerror})", file=str(path)) from None
    first = head.splitlines()[0].lower() if head else ""
    names = [n.strip().strip('"') for n in first.replace(";", ",").replace("\t", ",").split(",")]
    if names and names[0] in ("record_id", "record id", "variable / field name"):
        return "redcap"
    if any(n.startswith("redcap_") or n.endswith("_complete") for n in names):
        return "redcap"
    return "xlsform"


def _reader(tool: str) -> Callable[[Path, Instrument | None], tuple[Instrument, list[Imported]]]:
    if tool == "xlsform":
        from audit_kit.formats.interchange.xlsform import read_export

        return read_export
    if tool == "redcap":
        from audit_kit.formats.interchange.redcap import read_records

        return read_records
    from audit_kit.formats.interchange.fhir import read_responses

    return read_responses


@dataclass(frozen=True)
class Written:
    """One responses file written, and the record it came from."""

    path: Path
    label: str
    responses: Responses


def read_answers(
    source: Path, spec: str | Path | None = None, tool: str | None = None
) -> tuple[Instrument, list[Imported]]:
    """The programs in a tool's export, each checked against the instrument (every problem of
    every record at once)."""
    from audit_kit.catalog import load_instrument

    tool = tool or detect_tool(source)
    instrument = load_instrument(spec) if spec is not None else None
    return _reader(tool)(source, instrument)


def import_answers(
    source: Path,
    output: Path,
    spec: str | Path | None = None,
    tool: str | None = None,
    *,
    overwrite: bool = False,
) -> list[Written]:
    """Read a tool's export and write one responses JSON file per program.

    ``output`` is a ``.json`` file when the export holds one program, else a folder (created
    if missing) that gets ``<program>-<assessment date>.json`` for each. Nothing is written
    unless every record reads cleanly and every file can be written.
    """
    _check_target(output)
    _, programs = read_answers(source, spec, tool)
    if output.suffix.lower() == ".json":
        if len(programs) > 1:
            rows = ", ".join(p.label for p in programs[:5]) + (", ..." if len(programs) > 5 else "")
            raise OutputError.single(
                f"the export holds {len(programs)} programs ({rows}); give a folder with -o to "
                "write one responses file for each",
                file=str(output),
                code="several",
            )
        targets = [output]
    else:
        make_folder(output)
        targets = _names(output, programs)
    existing = [t for t in targets if t.exists()]
    for target in targets:
        check_output(target)
        if target.exists() and target.resolve() == source.resolve():
            raise OutputError.single(
                "is the export itself; choose another output with -o", file=str(target)
            )
    if existing and not overwrite:
        raise OutputError(
            Problem(
                Location(file=str(t)),
                "already exists; choose another output with -o, or pass --force to replace it",
                "exists",
            )
            for t in existing
        )
    from audit_kit.formats.responses_json import dump_responses

    written = []
    for target, program in zip(targets, programs, strict=True):
        write_atomic(target, dump_responses(program.responses))
        written.append(Written(target, program.label, program.responses))
    return written


def _check_target(output: Path) -> None:
    suffix = output.suffix.lower()
    if suffix and suffix != ".json" and not output.is_dir():
        raise OutputError.single(
            "give a responses file ending in .json, or a folder for one file per program",
            file=str(output),
            code="suffix",
        )
    if suffix == ".json":
        check_output(output)


def _names(folder: Path, programs: list[Imported]) -> list[Path]:
    """A file in ``folder`` for each program, named after it; never outside the folder."""
    taken: set[str] = set()
    paths = []
    for program in programs:
        responses = program.responses
        base = slug(responses.program.name or "", fallback=slug(program.label, "program"))
        if responses.assessment_date:
            base += f"-{responses.assessment_date.isoformat()}"
        name, n = base, 1
        while name in taken:
            n += 1
            name = f"{base}-{n}"
        taken.add(name)
        paths.append(folder / f"{name}.json")
    return paths
