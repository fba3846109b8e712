"""Workflows: the library function behind each command (assess, report, convert, demo)."""
