"""Cross-checks of an instrument document beyond each field's own rules: ids, references, logic."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from audit_kit.model import limits as lim

# Characters no instrument text needs and a terminal or reader may act on: C0 and C1 controls
# (tab and line breaks aside, ESC included), explicit bidirectional overrides, lone surrogates.
_UNPRINTABLE = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def _dicts(value: Any) -> list[tuple[int, dict[str, Any]]]:
    return (
        [(n, v) for n, v in enumerate(value) if isinstance(v, dict)]
        if isinstance(value, list)
        else []
    )


def _ref_id(ref: Any) -> Any:
    return ref.get("id") if isinstance(ref, dict) else ref


def check_size(doc: Any) -> list[tuple[str, str, str]]:
    """Counts over the limits of model/limits.py, found before anything is validated, so that
    a huge document is refused in a moment: the first item (or critical rule) too many."""
    if not isinstance(doc, dict):
        return []
    found: list[tuple[str, str, str]] = []
    items = critical = 0
    for di, domain in _dicts(doc.get("domains")):
        for mi, dimension in _dicts(domain.get("dimensions")):
            for ii, item in _dicts(dimension.get("items")):
                path = f"domains[{di}].dimensions[{mi}].items[{ii}]"
                items += 1
                if items == lim.MAX_ITEMS + 1:
                    found.append((path, "", "too-many-items"))
                if item.get("critical") is not None:
                    critical += 1
                    if critical == lim.MAX_CRITICAL_RULES + 1:
                        found.append((f"{path}.critical", "", "too-many-critical"))
    words = {
        "too-many-items": f"the instrument has {items:,} items; at most {lim.MAX_ITEMS} are "
        "accepted (this is the first one over); split it into several instruments",
        "too-many-critical": f"{critical} items have a critical rule; at most "
        f"{lim.MAX_CRITICAL_RULES} may (this is the first one over); keep critical rules for "
        "safety findings",
    }
    return [(path, words[code], code) for path, _, code in found]


def check_instrument(doc: Any) -> Iterator[tuple[str, str, str]]:
    """Cross-checks beyond each field's own rules, as (path, message, code) triples.

    Works on the raw document, so that it runs even when some fields are malformed and every
    problem can be reported at once; malformed parts are skipped here (validation names them).
    """
    if not isinstance(doc, dict):
        return
    yield from _unprintable(doc, "")
    citations = _dicts(doc.get("citations"))
    yield from _duplicates("citations", [(n, c.get("id")) for n, c in citations], "citation id")
    cited = {c.get("id") for _, c in citations}
    domains = _dicts(doc.get("domains"))
    yield from _duplicates("domains", [(n, d.get("id")) for n, d in domains], "domain id")
    yield from _bands("percent_bands", doc.get("percent_bands"))
    seen_items: dict[Any, str] = {}
    earlier: dict[str, dict[str, Any]] = {}
    codes: dict[str, str] = {}
    for di, domain in domains:
        dpath = f"domains[{di}]"
        dimensions = _dicts(domain.get("dimensions"))
        yield from _duplicates(
            f"{dpath}.dimensions", [(n, d.get("id")) for n, d in dimensions], "dimension id"
        )
        position = 0
        for mi, dimension in dimensions:
            for ii, item in _dicts(dimension.get("items")):
                position += 1
                path = f"{dpath}.dimensions[{mi}].items[{ii}]"
                yield from _item_checks(item, path, str(domain.get("id")), cited, seen_items)
                yield from _code_check(item, path, str(domain.get("id")), position, codes)
                yield from _condition_checks(item, path, earlier)
                if isinstance(item.get("id"), str):
                    earlier.setdefault(item["id"], item)


def _code_check(
    item: dict[str, Any], path: str, domain_id: str, position: int, codes: dict[str, str]
) -> Iterator[tuple[str, str, str]]:
    code = item.get("code")
    if code is None:
        code = f"{domain_id.upper()}-{position}"
    elif not isinstance(code, str):
        return
    if code in codes:
        yield (
            f"{path}.code",
            f"code {code!r} is already the code of {codes[code]}; codes must be unique (an item "
            "without a code gets its domain and position, e.g. MAT-4)",
            "duplicate-code",
        )
    codes.setdefault(code, str(item.get("id")))


def _condition_checks(
    item: dict[str, Any], path: str, earlier: dict[str, dict[str, Any]]
) -> Iterator[tuple[str, str, str]]:
    """Skip logic names an earlier item, by its id, with answers that item has."""
    condition = item.get("applies_when")
    if not isinstance(condition, dict):
        return
    named = condition.get("item")
    if not isinstance(named, str):
        return
    if named == item.get("id"):
        yield f"{path}.applies_when.item", "an item cannot depend on itself", "condition-cycle"
        return
    decider = earlier.get(named)
    if decider is None:
        yield (
            f"{path}.applies_when.item",
            f"{named!r} is not an earlier item; a condition must name an item that comes before "
            "it in the instrument (which also rules out cycles)",
            "condition-item",
        )
        return
    kind = decider.get("kind", "scale")
    if kind == "percent":
        yield (
            f"{path}.applies_when.item",
            f"{named!r} is a percent item; a condition must name a scale or choice item",
            "condition-item",
        )
        return
    valid: list[Any] = (
        [c.get("value") for _, c in _dicts(decider.get("choices"))]
        if kind == "choice"
        else [1, 2, 3, 4, 5]
    )
    answers = condition.get("answers")
    for n, answer in enumerate(answers if isinstance(answers, list) else []):
        if answer not in valid or isinstance(answer, bool):
            yield (
                f"{path}.applies_when.answers[{n}]",
                f"{answer!r} is not an answer to {named}; valid: " + ", ".join(map(str, valid)),
                "condition-answer",
            )


def _item_checks(
    item: dict[str, Any], path: str, domain_id: str, cited: set[Any], seen: dict[Any, str]
) -> Iterator[tuple[str, str, str]]:
    item_id = item.get("id")
    if isinstance(item_id, str):
        if item_id in seen:
            yield (
                f"{path}.id",
                f"item id {item_id!r} is used twice (first at {seen[item_id]}); "
                "item ids must be unique",
                "duplicate-id",
            )
        seen.setdefault(item_id, path)
        if not item_id.startswith(f"{domain_id}."):
            yield f"{path}.id", f"item id {item_id!r} must start with '{domain_id}.'", "id-prefix"
    refs = item.get("citations")
    for ci, ref in enumerate(refs if isinstance(refs, list) else []):
        if isinstance(_ref_id(ref), str) and _ref_id(ref) not in cited:
            yield (
                f"{path}.citations[{ci}]",
                f"cites {_ref_id(ref)!r}, which is not in the citations catalogue; "
                "add it there or fix the id",
                "unknown-citation",
            )
    choices = _dicts(item.get("choices"))
    yield from _duplicates(
        f"{path}.choices", [(n, c.get("value")) for n, c in choices], "choice value", "value"
    )
    yield from _ambiguous_labels(path, choices)
    if item.get("bands") is not None:
        yield from _bands(f"{path}.bands", item.get("bands"))
    rule = item.get("critical")
    if not isinstance(rule, dict):
        return
    rule_refs = rule.get("citations")
    for ci, ref in enumerate(rule_refs if isinstance(rule_refs, list) else []):
        if isinstance(_ref_id(ref), str) and _ref_id(ref) not in cited:
            yield (
                f"{path}.critical.citations[{ci}]",
                f"cites {_ref_id(ref)!r}, which is not in the citations catalogue",
                "unknown-citation",
            )
    kind = item.get("kind", "scale")
    answers = rule.get("answers")
    if kind == "percent":
        if answers:
            yield (
                f"{path}.critical.answers",
                "a percent item's critical rule uses 'below_percent', not 'answers'",
                "critical-answer",
            )
        return
    if rule.get("below_percent") is not None:
        yield (
            f"{path}.critical.below_percent",
            f"'below_percent' is for percent items; this is a {kind} item",
            "critical-answer",
        )
    valid: list[Any] = [c.get("value") for _, c in choices] if kind == "choice" else [1, 2, 3, 4, 5]
    for ai, answer in enumerate(answers if isinstance(answers, list) else []):
        if answer not in valid or isinstance(answer, bool):
            yield (
                f"{path}.critical.answers[{ai}]",
                f"{answer!r} is not an answer to {item_id}; valid: " + ", ".join(map(str, valid)),
                "critical-answer",
            )


def _ambiguous_labels(
    path: str, choices: list[tuple[int, dict[str, Any]]]
) -> Iterator[tuple[str, str, str]]:
    """A label must name one choice only: answers are matched by label as well as by value."""
    from audit_kit.model.responses import fold

    values = {c.get("value") for _, c in choices}
    seen: set[str] = set()
    for n, choice in choices:
        label = choice.get("label")
        if not isinstance(label, str):
            continue
        key = fold(label)
        if key in seen:
            yield (
                f"{path}.choices[{n}].label",
                f"label {label!r} is used twice; each choice needs its own label",
                "duplicate-label",
            )
        elif key in values and key != choice.get("value"):
            yield (
                f"{path}.choices[{n}].label",
                f"label {label!r} is another choice's value; reword the label",
                "duplicate-label",
            )
        seen.add(key)


def _duplicates(
    path: str, ids: list[tuple[int, Any]], what: str, key: str = "id"
) -> Iterator[tuple[str, str, str]]:
    seen: set[Any] = set()
    for n, value in ids:
        if isinstance(value, str) and value in seen:
            yield (
                f"{path}[{n}].{key}",
                f"{what} {value!r} is used twice; make it unique",
                "duplicate-id",
            )
        seen.add(value)


def _bands(path: str, bands: Any) -> Iterator[tuple[str, str, str]]:
    entries = [
        (n, float(b["min"]), float(b["max"]))
        for n, b in _dicts(bands)
        # bounds outside 0-100 (or not numbers) are reported by validation; a huge integer
        # compared here never has to become a float
        if all(
            isinstance(b.get(k), int | float)
            and not isinstance(b.get(k), bool)
            and 0 <= b[k] <= 100
            for k in ("min", "max")
        )
    ]
    if not entries:
        return
    expected = 0.0
    for n, low, high in sorted(entries, key=lambda t: t[1]):
        if low >= high:
            yield f"{path}[{n}]", f"band min {low:g} must be below its max {high:g}", "bands"
            continue
        if low > expected:
            yield (
                f"{path}[{n}].min",
                f"gap: no band covers {expected:g}% to {low:g}%; bands must cover 0-100",
                "bands",
            )
        elif low < expected:
            yield (
                f"{path}[{n}].min",
                f"overlap: {low:g}% is already covered by a lower band up to {expected:g}%",
                "bands",
            )
        expected = max(expected, high)
    if expected < 100:
        yield path, f"no band covers {expected:g}% to 100%; bands must cover 0-100", "bands"


def _unprintable(node: Any, path: str) -> Iterator[tuple[str, str, str]]:
    """Every text holding a control character (an escape sequence, say), with its path."""
    stack: list[tuple[Any, str]] = [(node, path)]
    while stack:
        value, where = stack.pop()
        if isinstance(value, str):
            found = _UNPRINTABLE.search(value)
            if found:
                yield (
                    where,
                    f"holds the control character {found.group()!r} at position "
                    f"{found.start() + 1}; remove it (terminal escape sequences and bidirectional "
                    "overrides are not accepted in an instrument)",
                    "control-character",
                )
        elif isinstance(value, dict):
            for key, child in reversed(value.items()):
                step = f"[{key}]" if isinstance(key, int) else f".{key}" if where else str(key)
                stack.append((child, where + step))
        elif isinstance(value, list):
            for n, child in reversed(list(enumerate(value))):
                stack.append((child, f"{where}[{n}]"))
