"""Pre-flight guards: broken, wrong or hostile files are refused early, each with its message."""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from audit_kit.catalog import load_instrument
from audit_kit.cli import cli
from audit_kit.errors import InputFileError, Problem
from audit_kit.formats.xlsx.guard import LIMITS, Checked, Limits, preflight
from audit_kit.formats.xlsx.reader import read_workbook
from audit_kit.formats.xlsx.reader.load import load as _load
from audit_kit.formats.xlsx.template import build_workbook

from conftest import DATA

MINI = load_instrument(DATA / "mini.yaml")
TEMPLATE = build_workbook(MINI)
INSTRUCTIONS = "xl/worksheets/sheet1.xml"  # Instructions, Program, MAT, COD, Guide, Lists, _meta
MAT = "xl/worksheets/sheet3.xml"

LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + "".join(
        f' <!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">\n'
        for n in range(1, 10)
    )
    + "]>\n"
)


def rezip(
    source: bytes | None = TEMPLATE,
    change: dict[str, bytes | None] | None = None,
    add: list[tuple[str, bytes]] | None = None,
) -> bytes:
    """A copy of a workbook's archive with parts replaced (None: removed) and parts added."""
    change = change or {}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        if source is not None:
            with zipfile.ZipFile(io.BytesIO(source)) as src:
                for info in src.infolist():
                    data = change.get(info.filename, src.read(info))
                    if data is not None:
                        dst.writestr(info.filename, data)
        for name, data in add or []:
            dst.writestr(name, data)
    return out.getvalue()


def part(name: str, source: bytes = TEMPLATE) -> bytes:
    """One part of a workbook's archive."""
    with zipfile.ZipFile(io.BytesIO(source)) as zf:
        return zf.read(name)


def refused(path: Path, limits: Limits = LIMITS) -> Problem:
    """The one problem preflight reports for a file."""
    with pytest.raises(InputFileError) as caught:
        preflight(path, limits)
    (problem,) = caught.value.problems
    return problem


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _bomb_member() -> bytes:
    """A zip whose one extra part unpacks 2 MiB of zeros from about 2 KiB."""
    return rezip(add=[("xl/media/image1.png", bytes(2 * 1024 * 1024))])


def _central_entry(data: bytearray, name: str) -> int:
    """Offset of a part's entry in a zip's central directory."""
    at = data.find(b"PK\x01\x02")
    while at != -1:
        name_len = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46 : at + 46 + name_len] == name.encode():
            return at
        at = data.find(b"PK\x01\x02", at + 4)
    raise AssertionError(f"no central directory entry for {name}")


def _lying_sizes() -> bytes:
    """The MAT sheet's central-directory entry claims 100 bytes; the data is far longer."""
    data = bytearray(TEMPLATE)
    struct.pack_into("<I", data, _central_entry(data, MAT) + 24, 100)  # uncompressed size
    return bytes(data)


def _far_cell() -> bytes:
    wb = load_workbook(io.BytesIO(TEMPLATE))
    wb["MAT"]["XFD1048576"] = "far away"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _dense_sheet(rows: int, cols: int) -> bytes:
    """A sheet of rows × cols numbers, small once zipped."""
    from openpyxl.utils import get_column_letter

    letters = [get_column_letter(c) for c in range(1, cols + 1)]
    body = "".join(
        f'<row r="{r}">' + "".join(f'<c r="{x}{r}"><v>1</v></c>' for x in letters) + "</row>"
        for r in range(1, rows + 1)
    )
    xml = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{body}</sheetData></worksheet>"
    )
    return rezip(change={MAT: xml.encode()})


def _with_entities(where: str) -> bytes:
    if where == "sheet":
        xml = part(MAT).decode()
        body = xml[xml.index("<worksheet") :].replace(
            "<sheetData>",
            '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>',
            1,
        )
        return rezip(change={MAT: (LAUGHS + body).encode()})
    sst = (
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
        'uniqueCount="1"><si><t>&lol9;</t></si></sst>'
    )
    return rezip(add=[("xl/sharedStrings.xml", (LAUGHS + sst).encode())])


def _utf16_doctype() -> bytes:
    xml = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>'
    return rezip(add=[("xl/custom.xml", xml.encode("utf-16"))])


def _strict() -> bytes:
    """The template with Strict Open XML's namespaces, as Excel saves a 'Strict' workbook."""
    transitional = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    strict = b"http://purl.oclc.org/ooxml/spreadsheetml/main"
    with zipfile.ZipFile(io.BytesIO(TEMPLATE)) as zf:
        names = [n for n in zf.namelist() if n.startswith("xl/") and n.endswith(".xml")]
    return rezip(change={n: part(n).replace(transitional, strict) for n in names})


def _encrypted_member() -> bytes:
    """A part flagged as encrypted (zipfile will not write the flag itself)."""
    data = bytearray(rezip(add=[("xl/secret.xml", b"<x/>")]))
    at = _central_entry(data, "xl/secret.xml") + 8
    struct.pack_into("<H", data, at, struct.unpack_from("<H", data, at)[0] | 0x1)
    return bytes(data)


CASES: dict[str, tuple[Callable[[], bytes], str, str]] = {
    "empty": (
        lambda: b"",
        "empty",
        "the file is empty (0 bytes); save the workbook again from Excel or LibreOffice, or "
        "make a new one with `audit-kit template`",
    ),
    "renamed csv": (
        lambda: b"Item id,Answer\nmat.admit,3\nmat.route,On site\n",
        "text-file",
        "this is a text/CSV file, not an .xlsx workbook; fill in the template made by "
        "`audit-kit template`, or open it in Excel or LibreOffice and save it as an Excel "
        "Workbook (.xlsx)",
    ),
    "renamed json": (
        lambda: b'{"instrument_id": "mini"}',
        "json-file",
        "this is a JSON file, not an .xlsx workbook; if it holds responses, give it a .json "
        "name (or convert it with `audit-kit convert`)",
    ),
    "truncated": (
        lambda: TEMPLATE[: len(TEMPLATE) * 2 // 3],
        "damaged",
        "the file is damaged or incomplete (perhaps cut off while copying or downloading); get "
        "the original again, or open it in Excel or LibreOffice and save it as an Excel "
        "Workbook (.xlsx)",
    ),
    "legacy xls": (
        lambda: (DATA / "legacy.xls").read_bytes(),
        "legacy-xls",
        "this is a legacy Excel 97-2003 workbook (.xls), not an .xlsx; open it in Excel or "
        "LibreOffice and save it as an Excel Workbook (.xlsx)",
    ),
    "encrypted": (
        lambda: (DATA / "encrypted.xlsx").read_bytes(),
        "encrypted",
        "the workbook is password-protected (encrypted), so it cannot be read; open it, remove "
        "the password (Excel: File > Info > Protect Workbook > Encrypt with Password, clear it; "
        "LibreOffice: File > Save As without 'Save with password'), save it and try again",
    ),
    "zip bomb": (
        _bomb_member,
        "zip-bomb",
        "part xl/media/image1.png unpacks to 2.0 MiB from 2 KiB: far more than an assessment "
        "workbook holds (a zip bomb, or a sheet with a huge number of filled cells); refused. "
        "Delete what does not belong to the assessment, or make a new template with "
        "`audit-kit template` and copy the answers in",
    ),
    "lying sizes": (
        _lying_sizes,
        "damaged",
        f"part {MAT} of the workbook is damaged (it does not unpack to what it claims); get the "
        "original again, or open it in Excel or LibreOffice and save it as an Excel Workbook "
        "(.xlsx)",
    ),
    "entity bomb in a sheet": (
        lambda: _with_entities("sheet"),
        "xml-entities",
        f"part {MAT} declares a DOCTYPE or XML entities, which workbooks never need and which "
        "can be used to attack the reader; refused. Open it in Excel or LibreOffice and save "
        "it as an Excel Workbook (.xlsx)",
    ),
    "entity bomb in shared strings": (
        lambda: _with_entities("strings"),
        "xml-entities",
        "part xl/sharedStrings.xml declares a DOCTYPE or XML entities, which workbooks never "
        "need and which can be used to attack the reader; refused. Open it in Excel or "
        "LibreOffice and save it as an Excel Workbook (.xlsx)",
    ),
    "utf-16 doctype": (
        _utf16_doctype,
        "xml-entities",
        "part xl/custom.xml declares a DOCTYPE or XML entities, which workbooks never need and "
        "which can be used to attack the reader; refused. Open it in Excel or LibreOffice and "
        "save it as an Excel Workbook (.xlsx)",
    ),
    "far-away cell": (
        _far_cell,
        "far-cell",
        "cell XFD1048576 is used, far outside an assessment workbook (at most 5,000 rows and "
        "200 columns are read); clear it: delete the rows and columns beyond your data, save, "
        "and try again",
    ),
    "macros": (
        lambda: rezip(add=[("xl/vbaProject.bin", b"\x00" * 64)]),
        "macros",
        "this is a macro-enabled workbook (.xlsm); macros are never run or kept: save it as a "
        "plain Excel Workbook (.xlsx) without macros and try again",
    ),
    "binary xlsb": (
        lambda: rezip(change={"xl/workbook.xml": None}, add=[("xl/workbook.bin", b"\x00")]),
        "xlsb",
        "this is a binary Excel workbook (.xlsb), not an .xlsx; open it in Excel or LibreOffice "
        "and save it as an Excel Workbook (.xlsx)",
    ),
    "opendocument": (
        lambda: rezip(None, add=[("mimetype", b"application/vnd.oasis.opendocument.spreadsheet")]),
        "ods",
        "this is an OpenDocument spreadsheet (.ods), not an .xlsx; save it from LibreOffice as "
        "Excel 2007-365 (.xlsx)",
    ),
    "other zip": (
        lambda: rezip(None, add=[("notes/today.txt", b"minutes")]),
        "not-xlsx",
        "this is a zip archive but not an .xlsx workbook (no workbook part); open it in Excel "
        "or LibreOffice and save it as an Excel Workbook (.xlsx)",
    ),
    "word document": (
        lambda: rezip(None, add=[("[Content_Types].xml", b"<T/>"), ("word/document.xml", b"<w/>")]),
        "not-xlsx",
        "this is a Word document (.docx), not an .xlsx workbook; give the .xlsx workbook made "
        "by `audit-kit template` and filled in",
    ),
    "renamed pdf": (
        lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" * 40,
        "not-xlsx",
        "this is a PDF document, not an .xlsx workbook; give the .xlsx workbook made by "
        "`audit-kit template` and filled in",
    ),
    "renamed picture": (
        lambda: b"\x89PNG\r\n\x1a\n" + bytes(200),
        "not-xlsx",
        "this is a PNG picture, not an .xlsx workbook; give the .xlsx workbook made by "
        "`audit-kit template` and filled in",
    ),
    "renamed rtf": (
        lambda: b"{\\rtf1\\ansi Item id, Answer}",
        "not-xlsx",
        "this is a Rich Text (RTF) document, not an .xlsx workbook; give the .xlsx workbook "
        "made by `audit-kit template` and filled in",
    ),
    "strict open xml": (
        _strict,
        "strict-ooxml",
        "the workbook is saved as Strict Open XML, which audit-kit does not read; save it as an "
        "ordinary Excel Workbook (.xlsx) (Excel: File > Save As > Excel Workbook; not 'Strict "
        "Open XML Spreadsheet')",
    ),
    "cut-off instructions sheet": (
        lambda: rezip(change={INSTRUCTIONS: part(INSTRUCTIONS)[: len(part(INSTRUCTIONS)) // 2]}),
        "damaged",
        f"sheet Instructions (part {INSTRUCTIONS}) is damaged: it is cut off or is not "
        "well-formed XML (line 1); get the original file again, or open it in Excel or "
        "LibreOffice and save it as an Excel Workbook (.xlsx)",
    ),
    "encrypted zip member": (
        _encrypted_member,
        "encrypted",
        "parts of the archive are encrypted; remove the password, save the workbook as .xlsx "
        "and try again",
    ),
    "binary junk": (
        lambda: bytes(range(256)) * 4,
        "not-xlsx",
        "this is not an .xlsx workbook (unknown format); open it in Excel or LibreOffice and "
        "save it as an Excel Workbook (.xlsx)",
    ),
}


def _empty_zip() -> bytes:
    out = io.BytesIO()
    zipfile.ZipFile(out, "w").close()
    return out.getvalue()


@pytest.mark.parametrize("case", list(CASES))
def test_refused_with_its_own_message(tmp_path: Path, case: str) -> None:
    build, code, message = CASES[case]
    problem = refused(_write(tmp_path, "in.xlsx", build()))
    assert (problem.code, problem.message) == (code, message)
    assert problem.location.file == str(tmp_path / "in.xlsx")


@pytest.mark.parametrize("case", list(CASES))
def test_cli_refuses_with_one_line_and_exit_2(runner: CliRunner, tmp_path: Path, case: str) -> None:
    build, _, message = CASES[case]
    path = _write(tmp_path, "in.xlsx", build())
    result = runner.invoke(cli, ["score", str(path)])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"Error: {path}: ")
    assert line.endswith(message)


def test_far_away_cell_is_located_on_its_sheet(tmp_path: Path) -> None:
    problem = refused(_write(tmp_path, "far.xlsx", _far_cell()))
    assert str(problem.location) == f"{tmp_path / 'far.xlsx'}: MAT!XFD1048576"


def test_far_away_row_without_cells(tmp_path: Path) -> None:
    sheet = part(MAT).replace(
        b"</sheetData>", b'<row r="100000" ht="20" customHeight="1"/></sheetData>'
    )
    problem = refused(_write(tmp_path, "row.xlsx", rezip(change={MAT: sheet})))
    assert problem.code == "far-cell"
    assert str(problem).endswith(
        "MAT!A100000: row 100000 is used, far outside an assessment workbook (at most 5,000 "
        "rows and 200 columns are read); clear it: delete the rows and columns beyond your "
        "data, save, and try again"
    )


def test_huge_dense_sheet_small_on_disk(tmp_path: Path) -> None:
    """260,000 cells, within the row and column bounds: too many cells (or too compressible)."""
    data = _dense_sheet(1300, 200)
    assert len(data) < 1024 * 1024
    assert refused(_write(tmp_path, "dense.xlsx", data)).code in {"zip-bomb", "too-many-cells"}


def test_too_many_cells(tmp_path: Path) -> None:
    problem = refused(_write(tmp_path, "cells.xlsx", _dense_sheet(20, 10)), Limits(cells=150))
    assert (problem.code, problem.message) == (
        "too-many-cells",
        "holds more than 150 cells, far more than an assessment workbook; delete what does not "
        "belong to the assessment (or make a new template with `audit-kit template`) and try "
        "again",
    )


def test_size_and_count_limits(tmp_path: Path) -> None:
    path = _write(tmp_path, "in.xlsx", TEMPLATE)
    assert refused(path, Limits(file_bytes=5000)).code == "too-large"
    assert refused(path, Limits(members=5)).code == "zip-limits"
    assert refused(path, Limits(total_unzipped=20_000)).code == "zip-bomb"
    assert refused(path, Limits(member_unzipped=5_000)).code == "zip-bomb"
    big = _write(tmp_path, "big.xlsx", rezip(add=[("xl/media/a.bin", bytes(25 * 1024 * 1024))]))
    assert refused(big).code == "zip-bomb"


def test_oversized_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "huge.xlsx", TEMPLATE + bytes(11 * 1024 * 1024))
    problem = refused(path)
    assert (problem.code, problem.message) == (
        "too-large",
        "is 11.0 MiB, over the 10 MiB limit for an .xlsx workbook; an assessment workbook "
        "is well under 1 MiB: "
        "remove pictures or other sheets, or make a new template with `audit-kit template` "
        "and copy the answers in",
    )


def test_empty_zip_and_missing_file_and_folder(tmp_path: Path) -> None:
    assert refused(_write(tmp_path, "e.xlsx", _empty_zip())).code == "not-xlsx"
    assert refused(tmp_path / "missing.xlsx").message == "no such file; check the path"
    assert refused(tmp_path).message == "is a folder; give an .xlsx workbook file"


def test_ordinary_workbooks_pass(tmp_path: Path) -> None:
    for name, data in (
        ("template.xlsx", TEMPLATE),
        ("UPPER.XLSX", TEMPLATE),
        ("no-extension", TEMPLATE),
        ("libreoffice.xlsx", (DATA / "libreoffice-filled.xlsx").read_bytes()),
        ("bundled.xlsx", build_workbook(load_instrument("mat-tsf-cod"))),
    ):
        checked = preflight(_write(tmp_path, name, data))
        assert checked.data == data
    libreoffice = preflight(DATA / "libreoffice-filled.xlsx")
    assert not libreoffice.has_formulas
    assert libreoffice.merges["Program"] == [(11, 2, 11, 3)]  # the instrument's name
    # the template's own formulas: each sheet's count (A2) and mat.storage's Applies? (H10)
    checked = preflight(_write(tmp_path, "template.xlsx", TEMPLATE))
    assert checked.formulas is not None
    assert {k: sorted(v) for k, v in checked.formulas.items() if v} == {
        "MAT": [(2, 1), (10, 8)],
        "COD": [(2, 1)],
    }
    wb = load_workbook(io.BytesIO(TEMPLATE))
    wb["MAT"]["G5"] = "=1+1"
    wb.save(tmp_path / "formula.xlsx")
    assert (5, 7) in (preflight(tmp_path / "formula.xlsx").formulas or {})["MAT"]


def test_legacy_xls_by_name_is_refused_before_reading(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["score", str(DATA / "legacy.xls")])
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {DATA / 'legacy.xls'}: is a legacy Excel 97-2003 workbook; open it and save it "
        "as .xlsx\n"
    )


@pytest.mark.parametrize("where", ["sheet", "strings"])
def test_parser_refuses_entities_even_without_the_guard(where: str) -> None:
    """Defence in depth: openpyxl reads through defusedxml, and its refusal becomes a message."""
    data = _with_entities(where)
    if where == "strings":  # make openpyxl read the part: declare it as the shared strings
        types = part("[Content_Types].xml", data).replace(
            b"</Types>",
            b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
            b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
        )
        data = rezip(data, change={"[Content_Types].xml": types})
    with pytest.raises(InputFileError) as caught:
        _load(Checked(data=data), "in.xlsx")
    assert caught.value.problems[0].code == "unreadable"


def test_hostile_files_never_reach_the_reader(tmp_path: Path) -> None:
    for case in ("entity bomb in a sheet", "far-away cell", "zip bomb"):
        path = _write(tmp_path, "in.xlsx", CASES[case][0]())
        with pytest.raises(InputFileError):
            read_workbook(path, MINI)


def test_a_sheet_part_with_an_unusual_name_is_still_scanned(tmp_path: Path) -> None:
    """Renaming a worksheet part (sheet3.dat) must not slip a far-away cell past the guard."""
    data = build_workbook(load_instrument(DATA / "mini.yaml"))
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            name, content = info.filename, source.read(info.filename)
            if name == "xl/worksheets/sheet3.xml":
                name = "xl/worksheets/sheet3.dat"
                far = b'<row r="6000"><c r="XFD6000" t="inlineStr"><is><t>x</t></is></c></row>'
                content = content.replace(b"</sheetData>", far + b"</sheetData>")
            target.writestr(name, content.replace(b"sheet3.xml", b"sheet3.dat"))
    problem = refused(_write(tmp_path, "renamed.xlsx", out.getvalue()))
    assert problem.code == "far-cell" and str(problem.location).endswith("MAT!XFD6000")
