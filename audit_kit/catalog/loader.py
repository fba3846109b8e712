"""Read one instrument file (YAML or JSON): validated, cross-checked, every problem located."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from audit_kit.errors import AuditKitError, InstrumentError, Location, Problem
from audit_kit.model import limits as lim

if TYPE_CHECKING:
    from audit_kit.model.instrument import Instrument

MAX_INSTRUMENT_BYTES = 2 * 1024 * 1024
SUFFIXES = (".yaml", ".yml", ".json")
#: YAML values (scalars, and the starts and ends of lists and mappings) in one file: an item
#: with every list at its limit has about 400; the bundled instrument about 70 an item.
MAX_YAML_EVENTS = 500 * lim.MAX_ITEMS


def load_instrument_file(path: Path) -> Instrument:
    """Read, validate and cross-check one instrument file (returns an Instrument)."""
    resolved = path.resolve()
    try:
        stamp = resolved.stat()
        key = (stamp.st_mtime_ns, stamp.st_size)
    except OSError:
        key = (0, 0)
    return _load_cached(resolved, str(path), key)


@cache
def _load_cached(resolved: Path, shown: str, _stamp: tuple[int, int]) -> Instrument:
    from pydantic import ValidationError

    from audit_kit.catalog.checks import check_instrument, check_size
    from audit_kit.fsutil import decode_text, read_input
    from audit_kit.locate import load_json, problems_from_validation
    from audit_kit.model.instrument import Instrument

    raw = read_input(Path(shown), MAX_INSTRUMENT_BYTES, "an instrument")
    text = decode_text(raw, shown, InstrumentError)
    if resolved.suffix.lower() == ".json":
        data = load_json(text, shown, InstrumentError)
        line_of: Callable[[tuple[int | str, ...]], int | None] | None = None
    else:
        data, root = _parse_yaml(text, shown)
        line_of = _yaml_lines(root)
    if not isinstance(data, dict):
        raise InstrumentError.single(
            "the file must hold a mapping with id, version, title, domains and citations",
            file=shown,
        )
    oversized = check_size(data)
    if oversized:
        raise InstrumentError(
            Problem(Location(file=shown, path=path, line=_line(line_of, path)), message, code)
            for path, message, code in oversized
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
        problems.append(
            Problem(Location(file=shown, path=path, line=_line(line_of, path)), message, code)
        )
    if problems or instrument is None:
        raise InstrumentError(problems)
    return instrument


def _line(line_of: Callable[[tuple[int | str, ...]], int | None] | None, path: str) -> int | None:
    return line_of(_parse_path(path)) if line_of else None


def _yaml_loader() -> Any:
    import yaml

    from audit_kit.locate import MAX_DIGITS

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

    def construct_int(loader: Any, node: Any) -> Any:
        digits = sum(ch.isdigit() for ch in str(node.value))
        if digits > MAX_DIGITS:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"a number of {digits:,} digits is far too large for any field; correct it",
                node.start_mark,
            )
        return base.construct_yaml_int(loader, node)

    Loader.add_constructor("tag:yaml.org,2002:int", construct_int)
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


def yaml_problem(exc: Any, shown: str, error: type[AuditKitError]) -> AuditKitError:
    """A YAML parser's error as one located problem of the given kind."""
    mark = getattr(exc, "problem_mark", None)
    if mark is None:
        return error.single(f"not valid YAML: {exc}", file=shown)
    return error.single(
        f"not valid YAML: {exc.problem}",
        file=shown,
        line=mark.line + 1,
        column=mark.column + 1,
        code="yaml-syntax",
    )


def _parse_yaml(text: str, shown: str) -> tuple[Any, Any]:
    """The document and its node tree (for line numbers), from text checked event by event
    first: no aliases, no deeper nesting or more values than an instrument can have."""
    import yaml

    from audit_kit.locate import MAX_DEPTH

    loader = _yaml_loader()
    depth = events = 0
    try:
        for event in yaml.parse(text, Loader=loader):
            events += 1
            mark = event.start_mark
            line = mark.line + 1 if mark else None
            if isinstance(event, yaml.AliasEvent):
                raise InstrumentError.single(
                    "YAML aliases (*name) are not accepted; write the value out in full",
                    file=shown,
                    line=line,
                    code="yaml-alias",
                )
            if events > MAX_YAML_EVENTS:
                raise InstrumentError.single(
                    f"the file holds more than {MAX_YAML_EVENTS:,} YAML values, far more than an "
                    f"instrument of at most {lim.MAX_ITEMS} items needs; check that this is the "
                    "right file",
                    file=shown,
                    line=line,
                    code="yaml-size",
                )
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise InstrumentError.single(
                        f"lists and mappings are nested more than {MAX_DEPTH} levels deep; "
                        "check that this is the right file",
                        file=shown,
                        line=line,
                        code="yaml-depth",
                    )
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
        composer = loader(text)
        try:
            root = composer.get_single_node()
            return (composer.construct_document(root) if root is not None else None), root
        finally:
            composer.dispose()
    except yaml.YAMLError as exc:
        raise yaml_problem(exc, shown, InstrumentError) from None


def _yaml_lines(root: Any) -> Callable[[tuple[int | str, ...]], int | None]:
    """A lookup from a document path to its 1-based line: the deepest part of the path found."""

    def line_of(loc: tuple[int | str, ...]) -> int | None:
        import yaml

        node, line = root, None
        for part in loc:
            if node is None:
                break
            if line is None:
                line = node.start_mark.line + 1
            found = None
            if isinstance(node, yaml.MappingNode):
                for key, value in node.value:
                    if str(key.value) == str(part):
                        found, line = value, key.start_mark.line + 1
                        break
            elif (
                isinstance(node, yaml.SequenceNode)
                and isinstance(part, int)
                and 0 <= part < len(node.value)
            ):
                found = node.value[part]
                line = found.start_mark.line + 1
            if found is None:
                break
            node = found
        return line

    return line_of


def _parse_path(path: str) -> tuple[int | str, ...]:
    """``domains[0].items[3].weight`` → ``('domains', 0, 'items', 3, 'weight')``."""
    parts = path.replace("[", ".").replace("]", "").split(".")
    return tuple(int(p) if p.isdigit() else p for p in parts if p)


def instrument_schema() -> dict[str, Any]:
    """JSON Schema of the instrument format, for editors and authors."""
    from audit_kit.model.instrument import Instrument

    schema = Instrument.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "audit-kit instrument"
    return schema
