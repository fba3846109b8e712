"""Pre-flight checks of an untrusted .xlsx before any parser sees it: format, size, zip, XML."""

from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path, PurePosixPath

from audit_kit.errors import InputFileError
from audit_kit.formats.xlsx.layout import MAX_COLS, MAX_ROWS
from audit_kit.fsutil import read_input

MiB = 1024 * 1024

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"
_ENCRYPTION_STREAM = "EncryptionInfo".encode("utf-16-le")

_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
# a cell or row element (any namespace prefix) and its reference, e.g. <c r="XFD1048576" ...>
_CELL = re.compile(rb'<(?:[\w.-]+:)?c\b[^>]*?\sr="\$?([A-Za-z]{1,4})\$?(\d{1,8})"')
_CELL_TAG = re.compile(rb"<(?:[\w.-]+:)?c[\s>/]")
_ROW = re.compile(rb'<(?:[\w.-]+:)?row\b[^>]*?\sr="(\d{1,8})"')
_FORMULA = re.compile(rb"<(?:[\w.-]+:)?f[\s>/]")
_SHEET_DATA = re.compile(rb"<(?:[\w.-]+:)?sheetData\b[^>]*>")
_SHEET_DATA_END = re.compile(rb"</(?:[\w.-]+:)?sheetData>")
# Binary parts (pictures, macros, printer settings) are not XML and not scanned; every other
# part is, whatever its name, since a workbook may name its sheet parts as it likes.
_BINARY_SUFFIXES = (
    ".png",
    ".jpg",
    ".jpeg",
    ".gif",
    ".bmp",
    ".tif",
    ".tiff",
    ".emf",
    ".wmf",
    ".bin",
    ".svg",
)

# Other files people mistake for a workbook, by their first bytes
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG picture"),
    (b"\xff\xd8\xff", "a JPEG picture"),
    (b"GIF87a", "a GIF picture"),
    (b"GIF89a", "a GIF picture"),
    (b"{\\rtf", "a Rich Text (RTF) document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
)
# Office documents of another kind, by the main part of their archive
_OTHER_OFFICE = (
    ("word/document.xml", "a Word document (.docx)"),
    ("ppt/presentation.xml", "a PowerPoint presentation (.pptx)"),
)
_STRICT_NS = b"http://purl.oclc.org/ooxml/spreadsheetml/main"
# Parts checked to be whole, well-formed XML (VML drawings, which Excel itself does not
# always write well-formed, are left out)
_WELL_FORMED_SUFFIXES = (".xml", ".rels")
# A merged range of a sheet, e.g. <mergeCell ref="F4:F6"/>
_MERGE = re.compile(
    rb'<(?:[\w.-]+:)?mergeCell\b[^>]*?\sref="\$?([A-Za-z]{1,4})\$?(\d{1,8})'
    rb'(?::\$?([A-Za-z]{1,4})\$?(\d{1,8}))?"'
)

_RESAVE = "open it in Excel or LibreOffice and save it as an Excel Workbook (.xlsx)"
_RESAVE_SENTENCE = _RESAVE[0].upper() + _RESAVE[1:]
_FILL_IN = "give the .xlsx workbook made by `audit-kit template` and filled in"


@dataclass(frozen=True)
class Limits:
    """What an assessment workbook may hold; far above any real one, far below harm."""

    file_bytes: int = 10 * MiB
    total_unzipped: int = 50 * MiB
    member_unzipped: int = 20 * MiB
    ratio: float = 100.0
    ratio_from: int = 1 * MiB  # the ratio limit applies to members larger than this
    members: int = 500
    rows: int = MAX_ROWS
    cols: int = MAX_COLS
    cells: int = 250_000


LIMITS = Limits()


#: A merged range: first row, first column, last row, last column (1-based).
Merge = tuple[int, int, int, int]
#: A cell: row, column (1-based).
CellAt = tuple[int, int]


@dataclass(frozen=True)
class Checked:
    """A workbook that passed the checks: its bytes, read once, and what the scan found."""

    data: bytes
    #: Cells holding a formula, by sheet name; None when some could not be placed (then the
    #: reader asks openpyxl).
    formulas: dict[str, frozenset[CellAt]] | None = field(default_factory=dict)
    #: Merged ranges by sheet name (openpyxl's fast reader does not report them).
    merges: dict[str, list[Merge]] = field(default_factory=dict)

    @property
    def has_formulas(self) -> bool:
        """Whether any sheet holds a formula (or might)."""
        return self.formulas is None or any(self.formulas.values())


def preflight(path: Path, limits: Limits = LIMITS) -> Checked:
    """Read the file once and refuse anything that is not a plain, sane .xlsx workbook.

    Every refusal is an InputFileError saying what the file is and what to do. The file is only
    read; parsers then work on the returned bytes, so what was checked is what is parsed.
    """
    shown = str(path)
    data = _read(path, shown, limits)
    _sniff(data, shown)
    try:
        archive = zipfile.ZipFile(BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError):
        raise _error(
            shown,
            "the file is damaged or incomplete (perhaps cut off while copying or downloading); "
            f"get the original again, or {_RESAVE}",
            "damaged",
        ) from None
    with archive:
        infos = archive.infolist()
        _check_members(infos, shown, limits)
        names = {info.filename for info in infos}
        _check_kind(archive, names, shown)
        parts = _read_xml_parts(archive, infos, shown)
    for name, xml in parts.items():
        if _DTD.search(xml):
            raise _error(
                shown,
                f"part {name} declares a DOCTYPE or XML entities, which workbooks never need and "
                f"which can be used to attack the reader; refused. {_RESAVE_SENTENCE}",
                "xml-entities",
            )
    sheet_names = _sheet_names(parts)
    _check_well_formed(parts, sheet_names, shown)
    if _STRICT_NS in parts.get("xl/workbook.xml", b"")[:4096]:
        raise _error(
            shown,
            "the workbook is saved as Strict Open XML, which audit-kit does not read; save it "
            "as an ordinary Excel Workbook (.xlsx) (Excel: File > Save As > Excel Workbook; "
            "not 'Strict Open XML Spreadsheet')",
            "strict-ooxml",
        )
    formulas: dict[str, frozenset[CellAt]] | None = {}
    cells = 0
    merges: dict[str, list[Merge]] = {}
    for name, xml in parts.items():
        if not _CELL_TAG.search(xml) and not _ROW.search(xml):
            continue
        # counted before the far-cell scan, which goes cell by cell
        cells += len(_CELL_TAG.findall(xml))
        if cells > limits.cells:
            raise _error(
                shown,
                f"holds more than {limits.cells:,} cells, far more than an assessment workbook; "
                "delete what does not belong to the assessment (or make a new template with "
                "`audit-kit template`) and try again",
                "too-many-cells",
            )
        _check_extent(xml, sheet_names.get(name, name), shown, limits)
        if name in sheet_names:
            merges[sheet_names[name]] = [_merge(m) for m in _MERGE.finditer(xml)]
            placed = _formula_cells(xml)
            if formulas is not None and placed is not None:
                formulas[sheet_names[name]] = placed
            else:
                formulas = None
        elif _FORMULA.search(xml):
            formulas = None
    return Checked(data=data, formulas=formulas, merges=merges)


def _formula_cells(xml: bytes) -> frozenset[CellAt] | None:
    """The cells of a sheet holding a formula, or None when some formula is in no cell found
    (a cell written without its reference)."""
    start = _SHEET_DATA.search(xml)
    end = _SHEET_DATA_END.search(xml)
    if start is None or end is None:
        return None if _FORMULA.search(xml) else frozenset()
    cells = list(_CELL.finditer(xml, start.end(), end.start()))
    found: set[CellAt] = set()
    for n, cell in enumerate(cells):
        stop = cells[n + 1].start() if n + 1 < len(cells) else end.start()
        if _FORMULA.search(xml, cell.end(), stop):
            found.add((int(cell.group(2)), _column(cell.group(1))))
    if len(found) != len(_FORMULA.findall(xml, start.end(), end.start())):
        return None
    return frozenset(found)


def _column(letters: bytes) -> int:
    col = 0
    for letter in letters.decode().upper():
        col = col * 26 + ord(letter) - 64
    return col


def _merge(match: re.Match[bytes]) -> Merge:
    first_col, first_row, last_col, last_row = match.groups()
    return (
        int(first_row),
        _column(first_col),
        int(last_row or first_row),
        _column(last_col or first_col),
    )


def _check_well_formed(parts: dict[str, bytes], sheet_names: dict[str, str], shown: str) -> None:
    """Refuse a part that is cut off or not XML: the parser would skip some parts silently."""
    from xml.parsers.expat import ExpatError, ParserCreate

    for name, xml in parts.items():
        if not name.lower().endswith(_WELL_FORMED_SUFFIXES):
            continue
        parser = ParserCreate("UTF-8")  # parts are UTF-8 here, whatever they declare
        try:
            parser.Parse(xml, True)
        except ExpatError as exc:
            what = f"sheet {sheet_names[name]} (part {name})" if name in sheet_names else name
            raise _error(
                shown,
                f"{what} is damaged: it is cut off or is not well-formed XML (line "
                f"{exc.lineno}); get the original file again, or {_RESAVE}",
                "damaged",
            ) from None


def _error(shown: str, message: str, code: str, **where: str) -> InputFileError:
    return InputFileError.single(message, code=code, file=shown, **where)  # type: ignore[return-value]


def _read(path: Path, shown: str, limits: Limits) -> bytes:
    data = read_input(
        path,
        limits.file_bytes,
        "an .xlsx workbook",
        "an assessment workbook is well under 1 MiB: remove pictures or other sheets, or make a "
        "new template with `audit-kit template` and copy the answers in",
    )
    if not data:
        raise _error(
            shown,
            "the file is empty (0 bytes); save the workbook again from Excel or LibreOffice, "
            "or make a new one with `audit-kit template`",
            "empty",
        )
    return data


def _sniff(data: bytes, shown: str) -> None:
    """Refuse what is plainly not an .xlsx, saying what it is instead."""
    if data.startswith(ZIP_MAGIC):
        return
    for magic, what in _SIGNATURES:
        if data.startswith(magic):
            raise _error(shown, f"this is {what}, not an .xlsx workbook; {_FILL_IN}", "not-xlsx")
    if data.startswith(OLE2_MAGIC):
        if _ENCRYPTION_STREAM in data:
            raise _error(
                shown,
                "the workbook is password-protected (encrypted), so it cannot be read; open it, "
                "remove the password (Excel: File > Info > Protect Workbook > Encrypt with "
                "Password, clear it; LibreOffice: File > Save As without 'Save with password'), "
                "save it and try again",
                "encrypted",
            )
        raise _error(
            shown,
            f"this is a legacy Excel 97-2003 workbook (.xls), not an .xlsx; {_RESAVE}",
            "legacy-xls",
        )
    if data.startswith(EMPTY_ZIP_MAGIC):
        raise _error(shown, f"this is an empty zip archive, not a workbook; {_RESAVE}", "not-xlsx")
    head = data[:4096]
    if b"\x00" not in head and _is_text(head):
        text = head.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
        if text.startswith(("{", "[")):
            raise _error(
                shown,
                "this is a JSON file, not an .xlsx workbook; if it holds responses, give it a "
                ".json name (or convert it with `audit-kit convert`)",
                "json-file",
            )
        if text.startswith("<"):
            raise _error(
                shown,
                f"this is an HTML or XML file saved under a spreadsheet name, not an .xlsx; "
                f"{_RESAVE}",
                "text-file",
            )
        raise _error(
            shown,
            "this is a text/CSV file, not an .xlsx workbook; fill in the template made by "
            f"`audit-kit template`, or {_RESAVE}",
            "text-file",
        )
    raise _error(shown, f"this is not an .xlsx workbook (unknown format); {_RESAVE}", "not-xlsx")


def _is_text(head: bytes) -> bool:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # a character cut at the end of the sample is fine
            try:
                head.decode("cp1252")
            except UnicodeDecodeError:
                return False
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return controls <= len(head) // 100


def _check_members(infos: list[zipfile.ZipInfo], shown: str, limits: Limits) -> None:
    if len(infos) > limits.members:
        raise _error(
            shown,
            f"the workbook archive has {len(infos)} parts (the limit is {limits.members}); "
            f"this is not an assessment workbook, or it is damaged; {_RESAVE}",
            "zip-limits",
        )
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise _error(
                shown,
                "parts of the archive are encrypted; remove the password, save the workbook "
                "as .xlsx and try again",
                "encrypted",
            )
        total += info.file_size
        ratio = info.file_size / info.compress_size if info.compress_size else float("inf")
        if (
            info.file_size > limits.member_unzipped
            or total > limits.total_unzipped
            or (info.file_size > limits.ratio_from and ratio > limits.ratio)
        ):
            raise _error(
                shown,
                f"part {info.filename} unpacks to {info.file_size / MiB:.1f} MiB from "
                f"{info.compress_size / 1024:.0f} KiB: far more than an assessment workbook "
                f"holds (a zip bomb, or a sheet with a huge number of filled cells); refused. "
                "Delete what does not belong to the assessment, or make a new template with "
                "`audit-kit template` and copy the answers in",
                "zip-bomb",
            )


def _check_kind(archive: zipfile.ZipFile, names: set[str], shown: str) -> None:
    lower = {n.lower() for n in names}
    if "mimetype" in lower:
        try:
            mimetype = archive.read("mimetype")[:100]
        except (KeyError, zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError):
            mimetype = b""
        if b"opendocument" in mimetype:
            raise _error(
                shown,
                "this is an OpenDocument spreadsheet (.ods), not an .xlsx; save it from "
                "LibreOffice as Excel 2007-365 (.xlsx)",
                "ods",
            )
    if "xl/workbook.bin" in lower:
        raise _error(
            shown,
            f"this is a binary Excel workbook (.xlsb), not an .xlsx; {_RESAVE}",
            "xlsb",
        )
    if any(n.endswith("vbaproject.bin") for n in lower):
        raise _error(
            shown,
            "this is a macro-enabled workbook (.xlsm); macros are never run or kept: save it as "
            "a plain Excel Workbook (.xlsx) without macros and try again",
            "macros",
        )
    for main, what in _OTHER_OFFICE:
        if main in lower and "xl/workbook.xml" not in lower:
            raise _error(shown, f"this is {what}, not an .xlsx workbook; {_FILL_IN}", "not-xlsx")
    if "[content_types].xml" not in lower or "xl/workbook.xml" not in lower:
        raise _error(
            shown,
            f"this is a zip archive but not an .xlsx workbook (no workbook part); {_RESAVE}",
            "not-xlsx",
        )


def _read_xml_parts(
    archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], shown: str
) -> dict[str, bytes]:
    parts: dict[str, bytes] = {}
    for info in infos:
        name = info.filename
        if info.is_dir() or name.lower().endswith(_BINARY_SUFFIXES):
            continue
        try:
            raw = archive.read(info)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError):
            raise _error(
                shown,
                f"part {name} of the workbook is damaged (it does not unpack to what it claims); "
                f"get the original again, or {_RESAVE}",
                "damaged",
            ) from None
        except NotImplementedError:
            raise _error(
                shown,
                f"part {name} uses a compression method spreadsheets do not use; {_RESAVE}",
                "damaged",
            ) from None
        parts[name] = _as_utf8(raw)
    return parts


def _as_utf8(raw: bytes) -> bytes:
    """UTF-16 parts re-encoded, so that the byte patterns searched for cannot hide."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16", errors="replace").encode("utf-8")
    if raw[:2] in (b"<\x00", b"\x00<"):
        return raw.decode("utf-16-le" if raw[0] else "utf-16-be", errors="replace").encode()
    return raw


def _sheet_names(parts: dict[str, bytes]) -> dict[str, str]:
    """Each worksheet part's sheet name, as the user sees it ('xl/worksheets/sheet3.xml' → 'MAT').

    Parsed only after the DOCTYPE check would pass; a part that fails to parse just leaves the
    part names in messages.
    """
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    workbook = parts.get("xl/workbook.xml")
    rels = parts.get("xl/_rels/workbook.xml.rels")
    if workbook is None or rels is None or _DTD.search(workbook) or _DTD.search(rels):
        return {}
    try:
        targets = {
            el.get("Id"): el.get("Target", "")
            for el in fromstring(rels).iter()
            if el.tag.endswith("Relationship")
        }
        names: dict[str, str] = {}
        for el in fromstring(workbook).iter():
            if not el.tag.endswith("}sheet"):
                continue
            rid = next((v for k, v in el.attrib.items() if k.endswith("}id")), None)
            target = targets.get(rid)
            if not target:
                continue
            part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            names[str(PurePosixPath(part))] = el.get("name", part)
        return names
    except (ParseError, DefusedXmlException, ValueError):
        return {}


def _check_extent(xml: bytes, sheet: str, shown: str, limits: Limits) -> None:
    """Refuse a cell or row beyond the limits, naming it."""
    for match in _CELL.finditer(xml):
        letters, row_text = match.group(1).decode().upper(), match.group(2)
        row = int(row_text)
        col = 0
        for letter in letters:
            col = col * 26 + ord(letter) - 64
        if row > limits.rows or col > limits.cols:
            raise _far_away(shown, sheet, f"{letters}{row}", f"cell {letters}{row}", limits)
    for match in _ROW.finditer(xml):
        row = int(match.group(1))
        if row > limits.rows:
            raise _far_away(shown, sheet, f"A{row}", f"row {row}", limits)


def _far_away(shown: str, sheet: str, cell: str, what: str, limits: Limits) -> InputFileError:
    return _error(
        shown,
        f"{what} is used, far outside an assessment workbook (at most {limits.rows:,} rows "
        f"and {limits.cols} columns are read); clear it: delete the rows and columns beyond "
        "your data, save, and try again",
        "far-cell",
        sheet=sheet,
        cell=cell,
    )
