"""Questions over a Console: wrapped text, cleaned input, lettered lists, asking until accepted."""

from __future__ import annotations

import re
import textwrap
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from audit_kit.fill.console import ESCAPE_SEQUENCE, Console
from audit_kit.model.responses import fold

T = TypeVar("T")
CLEAR = "-"  # typed at an optional prompt to remove the current text
HELP = "?"  # typed at any question for a short explanation
KEEP = "\u00a0"  # a space that wrapping does not break at
MIN_PREFIX = 2  # a single letter is always a key, never the start of a label


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

    def ask_until(
        self,
        prompt: str,
        read: Callable[[str], T],
        explain: str | Callable[[], None] | None = None,
    ) -> T:
        """Ask until ``read`` takes what is typed; it raises NotAccepted to have it typed again.

        With ``explain``, ``?`` shows it (text, or a function that says it) and asks again.
        """
        while True:
            typed = self.ask(prompt)
            if explain is not None and typed == HELP:
                if callable(explain):
                    explain()
                else:
                    self.wrap(explain)
                continue
            try:
                return read(typed)
            except NotAccepted as refused:
                if str(refused):  # empty when ``read`` has said why itself
                    self.wrap(str(refused))

    def yes_no(self, question: str, default: bool | None, explain: str | None = None) -> bool:
        """A yes or no; Enter takes ``default``, or asks again when there is none."""

        def read(typed: str) -> bool:
            folded = typed.casefold()
            if not folded and default is not None:
                return default
            if folded in ("y", "yes"):
                return True
            if folded in ("n", "no"):
                return False
            raise NotAccepted(
                "Please type y (yes) or n (no)" + ("; ? explains." if explain else ".")
            )

        shown = "" if default is None else f" [{'y' if default else 'n'}]"
        return self.ask_until(f"{question} (y/n){shown}: ", read, explain)

    def ask_optional(
        self, label: str, current: str | None, model: type[Any], name: str, explain: str
    ) -> str | None:
        """Free text that may stay empty: Enter keeps the current text, ``-`` removes it."""

        def read(typed: str) -> str | None:
            if not typed:
                return current or None
            if typed == CLEAR:
                return None
            return valid(model, name, typed)

        hint = f" [{short(current)}; {CLEAR} to remove]" if current else " [none]"
        return self.ask_until(f"{label}{hint}: ", read, explain)


@dataclass(frozen=True)
class Option(Generic[T]):
    """One entry of a lettered list: its key, its wording, and what picking it gives."""

    key: str
    label: str
    value: T
    names: tuple[str, ...] = ()  # other exact spellings, such as a stored value


def letter_keys(count: int, reserved: Iterable[str] = ()) -> list[str]:
    """Keys for a list: a, b, … z, then aa, ab, …; never one of the ``reserved`` words."""
    taken = {r.casefold() for r in reserved}
    keys: list[str] = []
    n = 0
    while len(keys) < count:
        n += 1
        key, rest = "", n
        while rest:
            rest, digit = divmod(rest - 1, 26)
            key = chr(ord("a") + digit) + key
        if key not in taken:
            keys.append(key)
    return keys


def options(
    entries: Sequence[tuple[str, T, tuple[str, ...]]], reserved: Iterable[str] = ()
) -> list[Option[T]]:
    """A lettered list from (label, value, other spellings) entries."""
    keys = letter_keys(len(entries), reserved)
    return [
        Option(key, label, value, names)
        for key, (label, value, names) in zip(keys, entries, strict=True)
    ]


def key_range(listed: Sequence[Option[Any]]) -> str:
    """The keys as the prompt shows them: 'a-d', or 'a' for a single entry."""
    return listed[0].key if len(listed) == 1 else f"{listed[0].key}-{listed[-1].key}"


def listing(listed: Sequence[Option[Any]], width: int = 50) -> str:
    """Every entry on one line, for a message: 'a) On site; b) By referral'."""
    return "; ".join(f"{o.key}) {short(o.label, width)}" for o in listed)


def pick(listed: Sequence[Option[T]], typed: str) -> Option[T] | None:
    """The entry typed: its key, its wording, another spelling of it, or the start of its wording.

    None when nothing matches; NotAccepted, listing the candidates, when the text fits more
    than one entry, so that no text silently means one of two things.
    """
    wanted = fold(typed)
    if not wanted:
        return None
    exact = [
        o
        for o in listed
        if wanted == o.key or wanted == fold(o.label) or wanted in (fold(n) for n in o.names)
    ]
    if not exact and len(wanted) >= MIN_PREFIX:
        exact = [o for o in listed if fold(o.label).startswith(wanted)]
    if len(exact) > 1:
        raise NotAccepted(
            f"{typed!r} fits more than one answer: {listing(exact)}. Type the letter of the "
            "one you mean."
        )
    return exact[0] if exact else None


def clean(text: str) -> str:
    """Typed text without terminal escape sequences, control characters or outer spaces."""
    text = ESCAPE_SEQUENCE.sub("", text)
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
