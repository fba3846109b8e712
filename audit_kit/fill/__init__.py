"""Interactive questionnaire at the terminal: profile, then the items, saved after each answer."""

from audit_kit.fill.console import TerminalConsole, stop_on_signals
from audit_kit.fill.items import parse_answer
from audit_kit.fill.profile import apply_setting
from audit_kit.fill.session import FillOptions, Outcome, run_fill

__all__ = [
    "FillOptions",
    "Outcome",
    "TerminalConsole",
    "apply_setting",
    "parse_answer",
    "run_fill",
    "stop_on_signals",
]
