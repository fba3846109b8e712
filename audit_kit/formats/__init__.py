"""Formats: readers and writers of responses (JSON, the fill-in workbook), one module each."""
