"""Write the fill-in workbook for an instrument, empty or filled with a program's responses."""

from audit_kit.formats.xlsx.template.workbook import build_workbook

__all__ = ["build_workbook"]
