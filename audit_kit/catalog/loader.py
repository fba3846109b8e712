"""Read one instrument file (YAML or JSON): validated, cross-checked, every problem located."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from audit_kit.errors import InstrumentError, Location, Problem

if TYPE_CHECKING:
    from audit_kit.model.instrument import Instrument

MAX_INSTRUMENT_BYTES = 2 * 1024 * 1024
SUFFIXES = (".yaml", ".yml", ".json")


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

    from audit_kit.catalog.checks import check_instrument
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


def instrument_schema() -> dict[str, Any]:
    """JSON Schema of the instrument format, for editors and authors."""
    from audit_kit.model.instrument import Instrument

    schema = Instrument.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "audit-kit instrument"
    return schema
