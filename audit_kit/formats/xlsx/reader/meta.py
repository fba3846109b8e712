"""Read the hidden _meta sheet: which instrument, edition and layout the workbook was made for."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from audit_kit.errors import InstrumentError, Location, Problem, ResponsesError
from audit_kit.formats.xlsx import layout as lay
from audit_kit.formats.xlsx.reader.cells import as_shown
from audit_kit.formats.xlsx.reader.load import NEW_TEMPLATE

if TYPE_CHECKING:
    from audit_kit.formats.xlsx.reader.load import Book, Cells
    from audit_kit.model.instrument import Instrument

_INSTRUMENT_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")

Meta = dict[str, tuple[str | None, Location]]  # by key: the value as shown, and its cell


def identify(book: Book, instrument: Instrument | None) -> Instrument:
    """The instrument to read against, checked to be the one the workbook was made for."""
    from audit_kit.catalog import load_bundled
    from audit_kit.model.responses import check_identity

    found = book.sheet(lay.META_SHEET)
    if found is None:
        if instrument is not None:
            return instrument  # sheets copied into another workbook: the item ids decide
        raise ResponsesError.single(
            "this workbook has no hidden audit-kit _meta sheet, so the instrument it answers "
            "is unknown (it was not made by `audit-kit template`, or its sheets were copied "
            f"into another workbook); pass --instrument, or {NEW_TEMPLATE}",
            code="no-meta",
            file=book.shown,
        )
    meta = _meta(book, *found)

    def fail(key: str, message: str, code: str = "bad-meta") -> ResponsesError:
        return ResponsesError([Problem(meta[key][1], message, code)])

    if meta["format"][0] != lay.FORMAT_TAG:
        raise fail("format", f"the _meta sheet is not audit-kit's; {NEW_TEMPLATE}", "no-meta")
    for key in lay.META_KEYS[1:]:
        if not meta[key][0]:
            raise fail(key, f"the _meta sheet is damaged ({key} is missing); {NEW_TEMPLATE}")
    layout, ident, version, checksum = (meta[k][0] or "" for k in lay.META_KEYS[1:])
    if not layout.isdigit():
        raise fail("layout_version", f"the _meta sheet is damaged; {NEW_TEMPLATE}")
    if int(layout) > lay.LAYOUT_VERSION:
        raise fail(
            "layout_version",
            f"the workbook was made by a newer audit-kit (layout {layout}; this one reads up "
            f"to {lay.LAYOUT_VERSION}); upgrade audit-kit",
            "newer-layout",
        )
    if instrument is None:
        if not _INSTRUMENT_ID.match(ident):
            raise fail("instrument_id", f"{ident!r} is not an instrument id; {NEW_TEMPLATE}")
        try:
            instrument = load_bundled(ident, version)
        except InstrumentError as exc:
            if exc.problems[0].code != "unknown-instrument":
                raise ResponsesError(
                    Problem(meta["instrument_id"][1], p.message, p.code) for p in exc.problems
                ) from None
            raise fail(
                "instrument_id",
                f"the workbook was made for instrument {ident!r}, which is not bundled with "
                "audit-kit; pass its .yaml or .json file with --instrument",
                "unknown-instrument",
            ) from None
    wrong = check_identity(instrument, ident, version)
    if wrong:
        raise ResponsesError(Problem(meta[p.field][1], p.message, p.code) for p in wrong)
    if checksum != lay.instrument_checksum(instrument):
        raise fail(
            "checksum",
            f"this workbook was made from a different edition of {instrument.id} "
            f"{instrument.version}: its items, answers or scoring differ from the instrument "
            f"loaded. Pass the instrument file it was made from with --instrument, or "
            f"{NEW_TEMPLATE}",
            "wrong-edition",
        )
    return instrument


def _meta(book: Book, title: str, cells: Cells) -> Meta:
    """Each key's value, found by the key beside it (rows may have moved), else at its row."""
    rows = {
        raw.value.strip(): row
        for (row, col), raw in sorted(cells.items(), reverse=True)
        if col == lay.META_KEY_COL and row <= lay.META_SEARCH_ROWS and isinstance(raw.value, str)
    }
    meta: Meta = {}
    for key in lay.META_KEYS:
        row = rows.get(key, lay.META_ROW[key])
        raw = cells.get((row, lay.META_VALUE_COL))
        usable = raw is not None and raw.value is not None and not raw.error
        where = book.at(title, lay.cell_name(row, lay.META_VALUE_COL))
        meta[key] = (as_shown(raw) if usable else None, where)
    return meta
