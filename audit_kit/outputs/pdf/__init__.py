"""The PDF gap report."""

from audit_kit.outputs.pdf.report import render_pdf

__all__ = ["render_pdf"]
