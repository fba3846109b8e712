"""Read a filled assessment workbook: forgiving about what people type, every problem located."""

from audit_kit.formats.xlsx.reader.workbook import read_workbook

__all__ = ["read_workbook"]
