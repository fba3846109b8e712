"""Build the fill-in workbook: every sheet in order, saved without the clock in its bytes."""

from __future__ import annotations

import re
import zipfile
from datetime import date, datetime, time
from io import BytesIO
from typing import TYPE_CHECKING

from audit_kit.formats.xlsx import layout as lay
from audit_kit.formats.xlsx.template.instructions import write_instructions
from audit_kit.formats.xlsx.template.items import write_item_sheet
from audit_kit.formats.xlsx.template.meta import write_meta
from audit_kit.formats.xlsx.template.program import write_program
from audit_kit.formats.xlsx.template.styles import add_styles
from audit_kit.formats.xlsx.template.validation import Lists

if TYPE_CHECKING:
    from audit_kit.model.instrument import Instrument
    from audit_kit.model.responses import Responses
    from audit_kit.model.vocab import Setting

_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


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

    wb = Workbook()
    add_styles(wb)
    if responses is not None:
        setting = responses.program.setting
        program_name = responses.program.name
    sheets = lay.domain_sheet_names(instrument)
    lists = Lists(wb.create_sheet(lay.LISTS_SHEET))

    write_instructions(wb.active, instrument, sheets)
    program = wb.create_sheet(lay.PROGRAM_SHEET, 1)
    write_program(program, instrument, lists, responses, program_name, setting)
    for position, domain in enumerate(instrument.domains, start=2):
        ws = wb.create_sheet(sheets[domain.id], position)
        write_item_sheet(ws, instrument, domain.id, lists, responses, setting)
    lists.finish()
    write_meta(wb.create_sheet(lay.META_SHEET), instrument)
    wb.security = WorkbookProtection(lockStructure=True)
    wb.active = 0
    stamp = None
    if responses is not None:
        # no date given: a fixed stamp, so that the same answers still give the same bytes
        stamp = datetime.combine(responses.assessment_date or date(2000, 1, 1), time())
        wb.properties.created = stamp

    out = BytesIO()
    wb.save(out)
    return _without_clock(out.getvalue(), stamp)


def _without_clock(data: bytes, stamp: datetime | None) -> bytes:
    """The archive with members dated 1980-01-01 and, given ``stamp``, the document's modified
    date set to it: a workbook holding the same answers is then the same bytes."""
    source = zipfile.ZipFile(BytesIO(data))
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if stamp is not None and info.filename == "docProps/core.xml":
                # openpyxl stamps the save time here whatever the properties say
                when = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
                content = _MODIFIED.sub(rb"\g<1>" + when + rb"\g<2>", content)
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            target.writestr(fixed, content)
    return out.getvalue()
