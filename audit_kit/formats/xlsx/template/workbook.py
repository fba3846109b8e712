"""Build the fill-in workbook: every sheet in order, saved without the clock in its bytes."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from io import BytesIO
from typing import TYPE_CHECKING

from audit_kit.formats.xlsx import layout as lay
from audit_kit.formats.xlsx.template.cells import SavedResults
from audit_kit.formats.xlsx.template.guide import write_guide
from audit_kit.formats.xlsx.template.instructions import write_instructions
from audit_kit.formats.xlsx.template.items import Context, item_places, write_item_sheet
from audit_kit.formats.xlsx.template.meta import write_meta
from audit_kit.formats.xlsx.template.program import write_program
from audit_kit.formats.xlsx.template.styles import add_styles
from audit_kit.formats.xlsx.template.validation import Lists
from audit_kit.ooxml import without_clock

if TYPE_CHECKING:
    from audit_kit.model.instrument import Instrument
    from audit_kit.model.responses import Responses
    from audit_kit.model.vocab import Setting

# a formula cell as openpyxl writes it: no type, an empty result
_FORMULA_CELL = re.compile(rb'<c r="([A-Z]+[0-9]+)"((?: s="[0-9]+")?)><f>(.*?)</f><v ?/></c>')


def build_workbook(
    instrument: Instrument,
    *,
    responses: Responses | None = None,
    program_name: str | None = None,
    setting: Setting | None = None,
) -> bytes:
    """The assessment workbook (.xlsx bytes): a blank template, or one holding ``responses``.

    ``program_name`` and ``setting`` pre-fill the Program sheet of a blank template; with
    ``responses``, the program details and answers all come from the responses.
    """
    from openpyxl import Workbook
    from openpyxl.workbook.protection import WorkbookProtection

    from audit_kit.model.applicability import skipped_items

    wb = Workbook()
    add_styles(wb)
    if responses is not None:
        setting = responses.program.setting
        program_name = responses.program.name
    sheets = lay.domain_sheet_names(instrument)
    lists = Lists(wb.create_sheet(lay.LISTS_SHEET))
    results = SavedResults()
    answers = responses.answers if responses is not None else {}
    ctx = Context(
        instrument=instrument,
        lists=lists,
        results=results,
        places=item_places(instrument, sheets),
        skipped=skipped_items(instrument, setting, answers),
        responses=responses,
        setting=setting,
        program_name=program_name,
    )

    write_instructions(wb.active, instrument, sheets)
    program = wb.create_sheet(lay.PROGRAM_SHEET, 1)
    write_program(program, instrument, lists, responses, program_name, setting)
    for position, domain in enumerate(instrument.domains, start=2):
        write_item_sheet(wb.create_sheet(sheets[domain.id], position), ctx, domain.id)
    write_guide(wb.create_sheet(lay.GUIDE_SHEET, 2 + len(instrument.domains)), instrument, sheets)
    lists.finish()
    write_meta(wb.create_sheet(lay.META_SHEET), instrument)
    wb.security = WorkbookProtection(lockStructure=True)
    wb.active = 0
    stamp = None
    if responses is not None:
        # no date given: a fixed stamp, so that the same answers still give the same bytes
        stamp = datetime.combine(responses.assessment_date or date(2000, 1, 1), time())
        wb.properties.created = stamp

    # openpyxl names each sheet's part after its position
    parts = {
        f"xl/worksheets/sheet{n}.xml": results.by_sheet.get(ws.title, {})
        for n, ws in enumerate(wb.worksheets, start=1)
    }
    out = BytesIO()
    wb.save(out)
    return _finished(out.getvalue(), stamp, parts)


def _finished(data: bytes, stamp: datetime | None, results: dict[str, dict[str, str]]) -> bytes:
    """The archive with each formula's result saved beside it, members dated 1980-01-01 and,
    given ``stamp``, the document's modified date set to it: a workbook holding the same
    answers is then the same bytes."""

    def saved(name: str, content: bytes) -> bytes:
        return _with_results(content, results[name]) if results.get(name) else content

    return without_clock(data, stamp, saved)


def _with_results(xml: bytes, results: dict[str, str]) -> bytes:
    """A sheet's XML with the result of each formula cell in ``results`` saved as text."""
    from xml.sax.saxutils import escape

    def saved(match: re.Match[bytes]) -> bytes:
        coordinate = match.group(1).decode()
        if coordinate not in results:
            return match.group(0)
        shown = escape(results.pop(coordinate)).encode("utf-8")
        return b'<c r="%s"%s t="str"><f>%s</f><v>%s</v></c>' % (
            match.group(1),
            match.group(2),
            match.group(3),
            shown,
        )

    xml = _FORMULA_CELL.sub(saved, xml)
    if results:  # openpyxl wrote a formula cell differently: better to fail than to go stale
        raise RuntimeError(f"formula cells not found to save results in: {sorted(results)}")
    return xml
