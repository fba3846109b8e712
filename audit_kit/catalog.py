"""Find and load instruments: bundled ones by id, or any YAML/JSON file, problems located."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

from audit_kit.errors import InstrumentError, Location, Problem

MAX_INSTRUMENT_BYTES = 2 * 1024 * 1024
_SUFFIXES = (".yaml", ".yml", ".json")


def bundled_dir() -> Path:
    """The folder of bundled questionnaires: inside the installed package, or the source tree."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "questionnaires", here.parent / "questionnaires"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("the bundled questionnaires folder is missing from this installation")


def bundled_paths() -> list[Path]:
    """Every bundled instrument file, sorted by name."""
    return sorted(p for p in bundled_dir().iterdir() if p.suffix in _SUFFIXES and p.is_file())


def examples_dir() -> Path:
    """The folder of bundled example assessments."""
    return bundled_dir() / "examples"


def list_bundled() -> list[Any]:
    """Every bundled instrument, loaded and checked (a list of Instrument)."""
    return [load_instrument_file(p) for p in bundled_paths()]


def load_instrument(spec: str | Path) -> Any:
    """Load an instrument from a file path, or a bundled one by id (returns an Instrument).

    A bundled id wins over a file or folder of the same name in the current folder; write
    ``./name`` to mean the file.
    """
    text = str(spec)
    path = Path(text)
    if path.suffix.lower() in _SUFFIXES or "/" in text or "\\" in text:
        return load_instrument_file(path)
    if text in {p.stem for p in bundled_paths()} or not path.exists():
        return load_bundled(text)
    return load_instrument_file(path)


def load_bundled(instrument_id: str) -> Any:
    """Load a bundled instrument by id only: never a path, whatever the id looks like."""
    ids = {p.stem: p for p in bundled_paths()}
    if instrument_id in ids:
        return load_instrument_file(ids[instrument_id])
    text = instrument_id
    close = difflib.get_close_matches(text, list(ids), n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    raise InstrumentError.single(
        f"no bundled instrument {text!r}; {hint}bundled: {', '.join(sorted(ids)) or 'none'}; "
        "or give the path of a .yaml or .json file",
        code="unknown-instrument",
    )


def load_instrument_file(path: Path) -> Any:
    """Read, validate and cross-check one instrument file (returns an Instrument)."""
    resolved = path.resolve()
    try:
        stamp = resolved.stat()
        key = (stamp.st_mtime_ns, stamp.st_size)
    except OSError:
        key = (0, 0)
    return _load_cached(resolved, str(path), key)


@cache
def _load_cached(resolved: Path, shown: str, _stamp: tuple[int, int]) -> Any:
    from pydantic import ValidationError

    from audit_kit.fsutil import read_input
    from audit_kit.locate import load_json, problems_from_validation
    from audit_kit.model.instrument import Instrument

    raw = read_input(Path(shown), MAX_INSTRUMENT_BYTES, "an instrument")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InstrumentError.single(
            f"not UTF-8 text (byte {exc.start}); save the file as UTF-8", file=shown
        ) from None
    if resolved.suffix.lower() == ".json":
        data = load_json(text, shown, InstrumentError)
        line_of: Callable[[tuple[int | str, ...]], int | None] | None = None
    else:
        data = _parse_yaml(text, shown)
        line_of = _yaml_lines(text)
    if not isinstance(data, dict):
        raise InstrumentError.single(
            "the file must hold a mapping with id, version, title, domains and citations",
            file=shown,
        )
    problems: list[Problem] = []
    instrument = None
    try:
        instrument = Instrument.model_validate(data)
    except ValidationError as exc:
        problems += problems_from_validation(
            exc, file=shown, data=data, model=Instrument, line_of=line_of
        )
    for path, message, code in check_instrument(data):
        line = line_of(_parse_path(path)) if line_of else None
        problems.append(Problem(Location(file=shown, path=path, line=line), message, code))
    if problems or instrument is None:
        raise InstrumentError(problems)
    return instrument


def _yaml_loader() -> Any:
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class Loader(base):  # type: ignore[misc, valid-type]
        """Safe loader: only true/false are booleans (`yes` stays text); no key given twice."""

        def construct_mapping(self, node: Any, deep: bool = False) -> Any:
            first: dict[Any, int] = {}
            for key_node, _ in node.value:
                if isinstance(key_node, yaml.ScalarNode):
                    line = key_node.start_mark.line + 1
                    if key_node.value in first:
                        raise yaml.constructor.ConstructorError(
                            None,
                            None,
                            f"key {key_node.value!r} appears twice in one mapping (first on "
                            f"line {first[key_node.value]}); keep only one",
                            key_node.start_mark,
                        )
                    first[key_node.value] = line
            return super().construct_mapping(node, deep)

    Loader.yaml_implicit_resolvers = {
        key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
        for key, resolvers in base.yaml_implicit_resolvers.items()
    }
    Loader.add_implicit_resolver(
        "tag:yaml.org,2002:bool",
        __import__("re").compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
        list("tTfF"),
    )
    return Loader


def _parse_yaml(text: str, shown: str) -> Any:
    import yaml

    loader = _yaml_loader()
    try:
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, yaml.AliasEvent):
                mark = event.start_mark
                raise InstrumentError.single(
                    "YAML aliases (*name) are not accepted; write the value out in full",
                    file=shown,
                    line=mark.line + 1 if mark else None,
                    code="yaml-alias",
                )
        return yaml.load(text, Loader=loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        raise InstrumentError.single(
            f"not valid YAML: {exc.problem}",
            file=shown,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
            code="yaml-syntax",
        ) from None
    except yaml.YAMLError as exc:
        raise InstrumentError.single(f"not valid YAML: {exc}", file=shown) from None


def _yaml_lines(text: str) -> Callable[[tuple[int | str, ...]], int | None]:
    """A lookup from a document path to its 1-based line, built only when first needed."""
    table: dict[tuple[str, ...], int] = {}

    def build() -> None:
        import yaml

        def walk(node: Any, path: tuple[str, ...]) -> None:
            table.setdefault(path, node.start_mark.line + 1)
            if isinstance(node, yaml.MappingNode):
                for key, value in node.value:
                    table[(*path, str(key.value))] = key.start_mark.line + 1
                    walk(value, (*path, str(key.value)))
            elif isinstance(node, yaml.SequenceNode):
                for n, value in enumerate(node.value):
                    walk(value, (*path, str(n)))

        root = yaml.compose(text, Loader=_yaml_loader())
        if root is not None:
            walk(root, ())

    def line_of(loc: tuple[int | str, ...]) -> int | None:
        if not table:
            build()
        key = tuple(str(p) for p in loc)
        while key:
            if key in table:
                return table[key]
            key = key[:-1]
        return None

    return line_of


def _parse_path(path: str) -> tuple[int | str, ...]:
    """``domains[0].items[3].weight`` → ``('domains', 0, 'items', 3, 'weight')``."""
    parts = path.replace("[", ".").replace("]", "").split(".")
    return tuple(int(p) if p.isdigit() else p for p in parts if p)


def _dicts(value: Any) -> list[tuple[int, dict[str, Any]]]:
    return (
        [(n, v) for n, v in enumerate(value) if isinstance(v, dict)]
        if isinstance(value, list)
        else []
    )


def _ref_id(ref: Any) -> Any:
    return ref.get("id") if isinstance(ref, dict) else ref


def check_instrument(doc: Any) -> Iterator[tuple[str, str, str]]:
    """Cross-checks beyond each field's own rules, as (path, message, code) triples.

    Works on the raw document, so that it runs even when some fields are malformed and every
    problem can be reported at once; malformed parts are skipped here (validation names them).
    """
    if not isinstance(doc, dict):
        return
    citations = _dicts(doc.get("citations"))
    yield from _duplicates("citations", [(n, c.get("id")) for n, c in citations], "citation id")
    cited = {c.get("id") for _, c in citations}
    domains = _dicts(doc.get("domains"))
    yield from _duplicates("domains", [(n, d.get("id")) for n, d in domains], "domain id")
    yield from _bands("percent_bands", doc.get("percent_bands"))
    seen_items: dict[Any, str] = {}
    for di, domain in domains:
        dpath = f"domains[{di}]"
        dimensions = _dicts(domain.get("dimensions"))
        yield from _duplicates(
            f"{dpath}.dimensions", [(n, d.get("id")) for n, d in dimensions], "dimension id"
        )
        for mi, dimension in dimensions:
            for ii, item in _dicts(dimension.get("items")):
                path = f"{dpath}.dimensions[{mi}].items[{ii}]"
                yield from _item_checks(item, path, str(domain.get("id")), cited, seen_items)


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


def instrument_schema() -> dict[str, Any]:
    """JSON Schema of the instrument format, for editors and authors."""
    from audit_kit.model.instrument import Instrument

    schema = Instrument.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "audit-kit instrument"
    return schema
