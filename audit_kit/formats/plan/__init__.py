"""The action-plan workbook: written from a score result, read back with the team's progress."""
