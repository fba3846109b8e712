"""Write the hidden _meta sheet the reader identifies the workbook by."""

from __future__ import annotations

from typing import TYPE_CHECKING

from audit_kit.formats.xlsx import layout as lay
from audit_kit.formats.xlsx.template.cells import put_text

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

    from audit_kit.model.instrument import Instrument


def write_meta(ws: Worksheet, instrument: Instrument) -> None:
    """The format, layout version, instrument and its checksum; very hidden and protected."""
    values: dict[str, str | int] = {
        "format": lay.FORMAT_TAG,
        "layout_version": lay.LAYOUT_VERSION,
        "instrument_id": instrument.id,
        "instrument_version": instrument.version,
        "checksum": lay.instrument_checksum(instrument),
    }
    for key in lay.META_KEYS:
        row = lay.META_ROW[key]
        put_text(ws.cell(row, lay.META_KEY_COL), key)
        value = values[key]
        if isinstance(value, str):
            put_text(ws.cell(row, lay.META_VALUE_COL), value)
        else:
            ws.cell(row, lay.META_VALUE_COL).value = value
    ws.sheet_state = "veryHidden"
    ws.protection.sheet = True
