"""Outputs: views of a score result for people and tools (terminal text, the PDF report)."""
