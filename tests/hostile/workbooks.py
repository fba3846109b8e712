"""Filled workbooks to spoil: made from a bundled example, changed cell by cell or part by part."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from audit_kit.formats.xlsx import layout as lay

EXAMPLES = Path(__file__).resolve().parent.parent.parent / "questionnaires" / "examples"
EXAMPLE = EXAMPLES / "residential-12step.json"

Rows = dict[str, tuple[Any, int, dict[str, int]]]


@cache
def filled() -> bytes:
    """The residential example as the filled workbook `audit-kit convert` writes."""
    from audit_kit.formats.responses_json import read_responses_json
    from audit_kit.formats.xlsx.template import build_workbook

    instrument, responses = read_responses_json(EXAMPLE, None)
    return build_workbook(instrument, responses=responses)


def item_rows(wb: Any) -> Rows:
    """Every item id in a workbook: its sheet, its row and the sheet's columns by key."""
    by_header = {c.header: c.key for c in lay.COLUMNS}
    found: Rows = {}
    for ws in wb.worksheets:
        if ws.title in lay.RESERVED_SHEETS:
            continue
        for row in ws.iter_rows(min_row=1, max_row=lay.HEADER_SEARCH_ROWS):
            cols = {by_header[c.value]: c.column for c in row if c.value in by_header}
            if "id" in cols:
                header = row[0].row
                break
        else:
            continue
        for r in range(header + 1, ws.max_row + 1):
            value = ws.cell(r, cols["id"]).value
            if isinstance(value, str) and lay.ITEM_ID_RE.match(value):
                found[value] = (ws, r, cols)
    return found


def cell(wb: Any, item_id: str, key: str) -> Any:
    """The cell of an item's answer, note, N/A reason or evidence."""
    ws, row, cols = item_rows(wb)[item_id]
    return ws.cell(row, cols[key])


def program_cell(wb: Any, label: str) -> Any:
    """The value cell beside a Program sheet label such as 'Program name'."""
    ws = wb[lay.PROGRAM_SHEET]
    for row in ws.iter_rows(min_row=1, max_row=lay.PROGRAM_SEARCH_ROWS, max_col=1):
        if row[0].value == label:
            return ws.cell(row[0].row, lay.PROGRAM_VALUE_COL)
    raise KeyError(label)


def edited(change: Callable[[Any], object], data: bytes | None = None) -> bytes:
    """The filled workbook (or ``data``) opened with openpyxl, changed, and saved again."""
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data or filled()))
    change(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def parts(data: bytes) -> dict[str, bytes]:
    """The members of a workbook's zip archive."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {info.filename: zf.read(info) for info in zf.infolist()}


def rezipped(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A zip archive of ``members``, in their order."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    return out.getvalue()


def patched(
    change: dict[str, Callable[[bytes], bytes] | bytes | None], data: bytes | None = None
) -> bytes:
    """The workbook with archive members replaced (a function of the old bytes, new bytes, or
    None to remove); names not there yet are added."""
    members = parts(data or filled())
    for name, how in change.items():
        if how is None:
            members.pop(name, None)
        elif callable(how):
            members[name] = how(members[name])
        else:
            members[name] = how
    return rezipped(members)


def sheet_member(title: str, data: bytes | None = None) -> str:
    """The archive member holding the sheet called ``title``."""
    members = parts(data or filled())
    book = members["xl/workbook.xml"].decode()
    rels = members["xl/_rels/workbook.xml.rels"].decode()
    rid = re.search(rf'<sheet [^>]*name="{re.escape(title)}"[^>]*r:id="([^"]+)"', book)
    if rid is None:
        rid = re.search(rf'<sheet [^>]*r:id="([^"]+)"[^>]*name="{re.escape(title)}"', book)
    assert rid is not None, title
    target = re.search(rf'Id="{rid.group(1)}"[^>]*Target="([^"]+)"', rels) or re.search(
        rf'Target="([^"]+)"[^>]*Id="{rid.group(1)}"', rels
    )
    assert target is not None, title
    return "xl/" + target.group(1).removeprefix("/xl/").lstrip("/")
