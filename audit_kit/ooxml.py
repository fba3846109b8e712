"""Workbook archives without a clock in them: the same content always gives the same bytes."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from datetime import datetime
from io import BytesIO

_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def without_clock(
    data: bytes,
    stamp: datetime | None,
    rewrite: Callable[[str, bytes], bytes] | None = None,
) -> bytes:
    """The .xlsx archive ``data`` with every member dated 1980-01-01 and, given ``stamp``, the
    document's modified date set to it; ``rewrite(name, content)`` may change a member."""
    source = zipfile.ZipFile(BytesIO(data))
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if stamp is not None and info.filename == "docProps/core.xml":
                # openpyxl stamps the save time here whatever the properties say
                when = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
                content = _MODIFIED.sub(rb"\g<1>" + when + rb"\g<2>", content)
            if rewrite is not None:
                content = rewrite(info.filename, content)
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            target.writestr(fixed, content)
    return out.getvalue()
