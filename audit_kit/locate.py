"""Turn pydantic validation errors and document paths into located, readable problems."""

from __future__ import annotations

import difflib
import json
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


def load_json(text: str, shown: str, error: type[AuditKitError]) -> Any:
    """Parse JSON text, turning every way it can fail into ``error`` located in ``shown``.

    Also refused: NaN and Infinity (not JSON, though Python reads them) and a key given twice
    in one object (which would silently keep the last).
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
        raise ValueError(f"{name} is not a JSON number; write a number or null")

    try:
        data = json.loads(text, object_pairs_hook=pairs, parse_constant=constant)
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
            "not valid JSON: nested too deeply", file=shown, code="json-syntax"
        ) from None
    except ValueError as exc:  # integers of thousands of digits, NaN, Infinity
        raise error.single(f"not valid JSON: {exc}", file=shown, code="json-syntax") from None
    if duplicates:
        raise error(
            Problem(
                Location(file=shown),
                f"key {key!r} appears twice in one object; keep only one",
                "duplicate-key",
            )
            for key in dict.fromkeys(duplicates)
        )
    return data
