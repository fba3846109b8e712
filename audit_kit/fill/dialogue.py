"""Questions over a Console: wrapped text, cleaned input, and asking again until accepted."""

from __future__ import annotations

import re
import textwrap
import unicodedata
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from audit_kit.fill.console import Console

T = TypeVar("T")
CLEAR = "-"  # typed at an optional prompt to remove the current text
KEEP = "\u00a0"  # a space that wrapping does not break at
_ESCAPES = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-_]")


class NotAccepted(Exception):
    """What was typed is refused; the message says why, and the question is asked again."""


class Dialogue:
    """The session's side of the conversation: what it says and the questions it asks."""

    def __init__(self, console: Console) -> None:
        self.console = console

    @property
    def width(self) -> int:
        return self.console.width

    def say(self, text: str = "") -> None:
        self.console.say(text)

    def wrap(self, text: str, indent: str = "", later: str | None = None) -> None:
        """Say a paragraph wrapped to the terminal width; KEEP joins words that stay together."""
        filled = textwrap.fill(
            re.sub(r"[ \t\r\n]+", " ", text).strip(),
            self.console.width,
            initial_indent=indent,
            subsequent_indent=indent if later is None else later,
            break_on_hyphens=False,
            break_long_words=False,
        )
        self.say(filled.replace(KEEP, " "))

    def ask(self, prompt: str) -> str:
        """The line typed, cleaned; EOFError at end of input."""
        return clean(self.console.ask(prompt))

    def ask_until(self, prompt: str, read: Callable[[str], T]) -> T:
        """Ask until ``read`` takes what is typed; it raises NotAccepted to have it typed again."""
        while True:
            typed = self.ask(prompt)
            try:
                return read(typed)
            except NotAccepted as refused:
                self.say(str(refused))

    def yes_no(self, question: str, default: bool) -> bool:
        def read(typed: str) -> bool:
            folded = typed.casefold()
            if not folded:
                return default
            if folded in ("y", "yes"):
                return True
            if folded in ("n", "no"):
                return False
            raise NotAccepted("Please type y (yes) or n (no).")

        return self.ask_until(f"{question} (y/n) [{'y' if default else 'n'}]: ", read)

    def ask_optional(
        self, label: str, current: str | None, model: type[Any], name: str
    ) -> str | None:
        """Free text that may stay empty: Enter keeps the current text, ``-`` removes it."""

        def read(typed: str) -> str | None:
            if not typed:
                return current or None
            if typed == CLEAR:
                return None
            return valid(model, name, typed)

        hint = f" [{short(current)}; {CLEAR} to remove]" if current else " [none]"
        return self.ask_until(f"{label}{hint}: ", read)


def clean(text: str) -> str:
    """Typed text without terminal escape sequences, control characters or outer spaces."""
    text = _ESCAPES.sub("", text)
    return "".join(c for c in text if unicodedata.category(c) != "Cc").strip()


def valid(model: type[Any], name: str, value: T) -> T:
    """The value, if the model field takes it (its own length limits); else NotAccepted."""
    from pydantic import TypeAdapter, ValidationError

    info = model.model_fields[name]
    try:
        TypeAdapter(Annotated[info.annotation, info]).validate_python(value)
    except ValidationError as exc:
        problem = "; ".join(str(e["msg"]) for e in exc.errors())
        raise NotAccepted(f"Not accepted: {problem}.") from None
    return value


def short(text: str, width: int = 40) -> str:
    return textwrap.shorten(text, width, placeholder="…")


def bracketed(current: str | None) -> str:
    """The default shown after a question, `` [like this]``, or nothing."""
    return f" [{current}]" if current else ""
