"""Interactive questionnaire at the terminal: profile, then the items, saved after each answer."""

from audit_kit.fill.session import (
    FillOptions,
    Outcome,
    TerminalConsole,
    apply_setting,
    parse_answer,
    run_fill,
    stop_on_signals,
)

__all__ = [
    "FillOptions",
    "Outcome",
    "TerminalConsole",
    "apply_setting",
    "parse_answer",
    "run_fill",
    "stop_on_signals",
]
