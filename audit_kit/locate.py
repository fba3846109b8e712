"""Turn pydantic validation errors and document paths into located, readable problems."""

from __future__ import annotations

import difflib
import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ValidationError

from audit_kit.errors import AuditKitError, Location, Problem

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
Loc = Sequence[int | str]


def format_path(loc: Loc) -> str:
    """``('domains', 0, 'items', 3, 'weight')`` → ``domains[0].items[3].weight``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _IDENT.match(part):
            out += f".{part}" if out else part
        else:
            out += f"[{part!r}]".replace("'", '"')
    return out


def _clean_loc(loc: Loc) -> tuple[int | str, ...]:
    # pydantic marks dict-key errors with a trailing '[key]' and union members with type names
    return tuple(p for p in loc if p != "[key]")


def _model_fields(model: type[BaseModel]) -> set[str]:
    names: set[str] = set(model.model_fields)
    for field in model.model_fields.values():
        for arg in _nested_models(field.annotation):
            names |= _model_fields(arg)
    return names


def _nested_models(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    for arg in getattr(annotation, "__args__", ()) or ():
        found.extend(_nested_models(arg))
    return found


def _item_label(data: Any, loc: Loc) -> str | None:
    """The id of the innermost object on the path that has one, to name it in the message."""
    node, label = data, None
    for part in loc:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(node, Mapping) and isinstance(node.get("id"), str):
            label = node["id"]
    return label


def problems_from_validation(
    error: ValidationError,
    *,
    file: str | None,
    data: Any,
    model: type[BaseModel],
    line_of: Callable[[tuple[int | str, ...]], int | None] | None = None,
) -> list[Problem]:
    """One located problem per pydantic error, worded for the person who wrote the file."""
    known = sorted(_model_fields(model))
    problems = []
    for err in error.errors(include_url=False):
        loc = _clean_loc(err["loc"])
        kind = err["type"]
        if kind == "missing":
            message = f"required field {loc[-1]!r} is missing; add it"
        elif kind == "extra_forbidden":
            close = difflib.get_close_matches(str(loc[-1]), known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else "; remove it"
            message = f"unknown field {loc[-1]!r}{hint}"
        elif kind == "value_error":
            message = err["msg"].removeprefix("Value error, ")
        elif kind in ("too_long", "string_too_long"):
            message = _too_long(err)
        else:
            message = err["msg"][0].lower() + err["msg"][1:]
            if "input" in err and kind not in ("model_type", "dict_type", "list_type"):
                shown = repr(err["input"])
                message += f" (got {shown[:60] + '…' if len(shown) > 60 else shown})"
        label = _item_label(data, loc)
        if label and not format_path(loc).endswith(".id"):
            message += f" [{label}]"
        line = line_of(loc) if line_of else None
        problems.append(
            Problem(Location(file=file, path=format_path(loc) or None, line=line), message, kind)
        )
    return problems


#: No number in an instrument or responses has more digits than this (years have four).
MAX_DIGITS = 1000
#: Nesting deeper than any instrument or responses document needs (they need about ten).
MAX_DEPTH = 64


class _Refused(ValueError):
    """A value json.loads can read but we refuse, with the text it was written as."""

    def __init__(self, message: str, written: str) -> None:
        super().__init__(message)
        self.message, self.written = message, written


def line_and_column(text: str, written: str) -> tuple[int | None, int | None]:
    """The 1-based line and column where ``written`` first appears in ``text``."""
    at = text.find(written)
    if at < 0:
        return None, None
    line = text.count("\n", 0, at) + 1
    return line, at - (text.rfind("\n", 0, at) + 1) + 1


def too_deep(data: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether lists and objects are nested more than ``limit`` deep (walked without recursion)."""
    stack = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            if depth > limit:
                return True
            stack.extend((child, depth + 1) for child in _children(node))
    return False


def _children(node: dict[Any, Any] | list[Any]) -> Any:
    return node.values() if isinstance(node, dict) else node


def shorten(text: str, limit: int = 60) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis, to quote user input in a message."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _too_long(err: Any) -> str:
    """A list or text over its limit (model/limits.py), with the size found and the limit."""
    ctx = err.get("ctx", {})
    limit = ctx.get("max_length")
    if err["type"] == "string_too_long":
        size = len(err["input"]) if isinstance(err.get("input"), str) else None
        found = f" ({size:,} characters)" if size is not None else ""
        return f"the text is too long{found}; shorten it to at most {limit:,} characters"
    size = ctx.get("actual_length")
    found = f"{size:,} entries" if isinstance(size, int) else "too many entries"
    return f"has {found}; at most {limit:,} are accepted"


def load_json(text: str, shown: str, error: type[AuditKitError]) -> Any:
    """Parse JSON text, turning every way it can fail into ``error`` located in ``shown``.

    Also refused: NaN and Infinity (not JSON, though Python reads them), numbers too large to
    mean anything here, nesting deeper than any document needs, and a key given twice in one
    object (which would silently keep the last).
    """
    duplicates: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in items:
            if key in out:
                duplicates.append(key)
            out[key] = value
        return out

    def constant(name: str) -> Any:
        raise _Refused(f"{name} is not a JSON number; write a number or null", name)

    def integer(written: str) -> int:
        digits = len(written.lstrip("-"))
        if digits > MAX_DIGITS:
            raise _Refused(
                f"a number of {digits:,} digits is far too large to be a score, percentage, "
                "weight or year; correct it",
                written,
            )
        return int(written)

    def real(written: str) -> float:
        number = float(written)
        if not math.isfinite(number):
            raise _Refused(
                f"{shorten(written, 30)} is too large a number for any field; correct it",
                written,
            )
        return number

    try:
        data = json.loads(
            text,
            object_pairs_hook=pairs,
            parse_constant=constant,
            parse_int=integer,
            parse_float=real,
        )
    except json.JSONDecodeError as exc:
        raise error.single(
            f"not valid JSON: {exc.msg}",
            file=shown,
            line=exc.lineno,
            column=exc.colno,
            code="json-syntax",
        ) from None
    except RecursionError:
        raise error.single(
            f"lists and objects are nested too deeply (more than {MAX_DEPTH} levels); check "
            "that this is the right file",
            file=shown,
            code="json-depth",
        ) from None
    except _Refused as exc:
        line, column = line_and_column(text, exc.written)
        raise error.single(
            exc.message, file=shown, line=line, column=column, code="json-number"
        ) from None
    if too_deep(data):
        raise error.single(
            f"lists and objects are nested more than {MAX_DEPTH} levels deep; check that this "
            "is the right file",
            file=shown,
            code="json-depth",
        )
    if duplicates:
        raise error(
            Problem(
                Location(file=shown),
                f"key {shorten(key)!r} appears twice in one object; keep only one",
                "duplicate-key",
            )
            for key in dict.fromkeys(duplicates)
        )
    return data
