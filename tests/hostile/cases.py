"""The corpus: malformed, hostile and merely odd inputs for every reader, each with what the
command line must do with it.

Inputs are built at test time from the bundled examples, so they follow the instrument. Each
case names its input file, how to build its bytes, and its expectation:

- ``refused``: exit 2, one ``Error: FILE...`` line per problem, located, nothing written;
- ``scored``: exit 0 and exactly the score of ``twin``, the same input written plainly;
- ``reported``: exit 0 and a PDF report;
- ``checked``: ``audit-kit instrument check`` says OK;
- ``either``: scored like ``twin``, or refused with ``words`` (where both are fair answers).
"""

from __future__ import annotations

import codecs
import json
import re
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from audit_kit.model import limits as lim

from hostile import build
from hostile import workbooks as wbk

ROOT = Path(__file__).resolve().parent.parent.parent
EXAMPLE = ROOT / "questionnaires" / "examples" / "residential-12step.json"
MINI = ROOT / "tests" / "data" / "mini.yaml"
DATA = ROOT / "tests" / "data"

Bytes = Callable[[], bytes]


@dataclass(frozen=True)
class Case:
    """One input and what the command line must do with it."""

    id: str
    name: str  # the input's file name
    data: Bytes | None  # its bytes; None for the special inputs of ``make``
    expect: str  # refused | scored | reported | checked | either
    words: tuple[str, ...] = ()  # in the messages (refused), each of them
    command: str = "report"  # report | score | check: what a refusal comes from
    instrument: Bytes | None = None  # an instrument file passed with -i (instrument.json)
    instrument_name: str = "instrument.json"
    twin: Bytes | None = None  # for scored and either: the same input, written plainly
    make: str | None = None  # fifo | folder
    xfail: str | None = None
    not_in_output: tuple[str, ...] = field(default=())  # never on stdout or stderr
    usage: bool = False  # refused by the command line's own argument check (click)

    def args(self) -> list[str]:
        """The command line run on this case."""
        extra = ["-i", self.instrument_name] if self.instrument else []
        if self.expect == "checked" or self.command == "check":
            return ["instrument", "check", self.name]
        if self.expect in ("scored", "either") or self.command == "score":
            return ["score", self.name, "--format", "json", *extra]
        return ["report", self.name, "-o", "out.pdf", *extra]


# -- responses JSON -----------------------------------------------------------------------------


@cache
def example() -> str:
    """The bundled residential example, as text."""
    return EXAMPLE.read_text(encoding="utf-8")


def doc() -> dict[str, Any]:
    """A fresh copy of the example document."""
    return json.loads(example())


def plain(value: Any) -> bytes:
    """A document as UTF-8 JSON."""
    return json.dumps(value, ensure_ascii=False, indent=2).encode("utf-8")


def changed(change: Callable[[dict[str, Any]], object]) -> Bytes:
    """The example with ``change`` applied to it, as JSON."""

    def data() -> bytes:
        d = doc()
        change(d)
        return plain(d)

    return data


def answer(item_id: str, **fields: Any) -> Callable[[dict[str, Any]], object]:
    """A change: one answer replaced by ``fields``."""
    return lambda d: d["answers"].__setitem__(item_id, fields)


def program(**fields: Any) -> Callable[[dict[str, Any]], object]:
    """A change: program fields set."""
    return lambda d: d["program"].update(fields)


def text_replaced(old: str, new: str, encoding: str = "utf-8") -> Bytes:
    """The example's text with ``old`` replaced (once) by raw JSON text ``new``."""

    def data() -> bytes:
        assert old in example()
        return example().replace(old, new, 1).encode(encoding)

    return data


def example_bytes() -> bytes:
    """The example as it is."""
    return example().encode("utf-8")


def encoded(encoding: str, bom: bytes = b"") -> Bytes:
    """The example in another encoding, with or without a byte-order mark."""
    return lambda: bom + example().encode(encoding)


ESCAPES = "\x1b]0;pwn\x07\x1b[2J\x1b[31m"
NAME = "Bramblewood Lodge Residential Program (fictional)"


def _deep(levels: int) -> Bytes:
    return lambda: ('{"a": ' * levels + "1" + "}" * levels).encode()


def _populations(count: int) -> Bytes:
    return changed(program(populations=[f"group {n}" for n in range(count)]))


def _many_answers(count: int) -> Bytes:
    def data() -> bytes:
        d = doc()
        d["answers"] = {f"x.i{n}": {"value": 1} for n in range(count)}
        return json.dumps(d, separators=(",", ":")).encode()

    return data


def _notes_over_total() -> Bytes:
    def change(d: dict[str, Any]) -> None:
        for n, item_answer in enumerate(d["answers"].values()):
            if n < lim.ANSWER_TEXT_MAX // lim.NOTE_MAX + 2:
                item_answer["note"] = build.words(lim.NOTE_MAX, "note")

    return changed(change)


JSON_CASES = [
    Case("json-empty", "r.json", lambda: b"", "refused", ("empty",)),
    Case("json-bom-only", "r.json", lambda: codecs.BOM_UTF8, "refused", ("empty",)),
    Case("json-utf16-bom-only", "r.json", lambda: codecs.BOM_UTF16_LE, "refused", ("empty",)),
    Case("json-whitespace-only", "r.json", lambda: b" \n\t\r\n ", "refused", ("empty",)),
    Case(
        "json-not-json", "r.json", lambda: b"hello, world\n", "refused", (":1:1: not valid JSON",)
    ),
    Case(
        "json-truncated",
        "r.json",
        lambda: example_bytes()[: len(example_bytes()) // 2],
        "refused",
        ("not valid JSON",),
    ),
    Case(
        "json-trailing-garbage",
        "r.json",
        lambda: example_bytes() + b"\n}\n",
        "refused",
        ("not valid JSON: Extra data",),
    ),
    Case("json-top-level-list", "r.json", lambda: b"[1, 2]", "refused", ("must be a JSON object",)),
    Case("json-top-level-string", "r.json", lambda: b'"x"', "refused", ("must be a JSON object",)),
    Case(
        "json-nan",
        "r.json",
        text_replaced('"value": 3', '"value": NaN'),
        "refused",
        ("NaN is not a JSON number",),
    ),
    Case(
        "json-infinity",
        "r.json",
        text_replaced('"value": 3', '"value": Infinity'),
        "refused",
        ("Infinity is not a JSON number",),
    ),
    Case(
        "json-minus-infinity",
        "r.json",
        text_replaced('"value": 3', '"value": -Infinity'),
        "refused",
        ("-Infinity is not a JSON number",),
    ),
    Case(
        "json-huge-integer",
        "r.json",
        text_replaced('"value": 3', '"value": ' + "9" * 5000),
        "refused",
        ("a number of 5,000 digits is far too large",),
        not_in_output=("set_int_max_str_digits",),
    ),
    Case(
        "json-huge-exponent",
        "r.json",
        text_replaced('"value": 3', '"value": 1e999'),
        "refused",
        ("1e999 is too large a number",),
    ),
    Case(
        "json-integer-of-999-digits",
        "r.json",
        text_replaced('"value": 3', '"value": ' + "9" * 999),
        "refused",
        ("is not an answer to",),
    ),
    Case(
        "json-deep-nesting",
        "r.json",
        lambda: b"[" * 200_000 + b"]" * 200_000,
        "refused",
        ("nested too deeply",),
    ),
    Case("json-deep-objects", "r.json", _deep(100), "refused", ("nested more than 64 levels",)),
    Case(
        "json-deep-value",
        "r.json",
        changed(answer("mat.sud_diagnosis", value=json.loads("[" * 60 + "]" * 60))),
        "refused",
        ('answers["mat.sud_diagnosis"].value',),
    ),
    Case(
        "json-duplicate-top-level-key",
        "r.json",
        text_replaced('"assessor":', '"assessment_date": "2020-01-01", "assessor":'),
        "refused",
        ("'assessment_date' appears twice",),
    ),
    Case(
        "json-duplicate-answer-key",
        "r.json",
        text_replaced('"value": 3', '"value": 3, "value": 5'),
        "refused",
        ("'value' appears twice",),
    ),
    Case(
        "json-duplicate-item",
        "r.json",
        text_replaced('"answers": {', '"answers": {"mat.sud_diagnosis": {"value": 5},'),
        "refused",
        ("'mat.sud_diagnosis' appears twice",),
    ),
    Case(
        "json-latin1",
        "r.json",
        lambda: example().replace(NAME, "Clínica Señora").encode("latin-1", "replace"),
        "refused",
        ("not UTF-8 text", "save it as UTF-8"),
    ),
    Case(
        "json-broken-utf16",
        "r.json",
        lambda: codecs.BOM_UTF16_LE + example().encode("utf-16-le")[:-1],
        "refused",
        ("not UTF-16 text",),
    ),
    Case(
        "json-answers-a-list",
        "r.json",
        changed(lambda d: d.__setitem__("answers", [1, 2])),
        "refused",
        ("answers: must be an object",),
    ),
    Case(
        "json-answer-a-number",
        "r.json",
        changed(lambda d: d["answers"].__setitem__("mat.sud_diagnosis", 4)),
        "refused",
        ('answers["mat.sud_diagnosis"]: must be an object',),
    ),
    Case(
        "json-unknown-item",
        "r.json",
        changed(lambda d: d["answers"].__setitem__("mat.sud_diagnosys", {"value": 4})),
        "refused",
        ("did you mean mat.sud_diagnosis",),
    ),
    Case(
        "json-value-a-list",
        "r.json",
        changed(answer("mat.sud_diagnosis", value=[3])),
        "refused",
        ('answers["mat.sud_diagnosis"].value: must be a number',),
    ),
    Case(
        "json-value-true",
        "r.json",
        changed(answer("mat.sud_diagnosis", value=True)),
        "refused",
        ('answers["mat.sud_diagnosis"].value',),
    ),
    Case(
        "json-value-out-of-range",
        "r.json",
        changed(answer("mat.sud_diagnosis", value=7)),
        "refused",
        ("7 is not an answer to mat.sud_diagnosis; choose 1-5",),
    ),
    Case(
        "json-value-words",
        "r.json",
        changed(answer("mat.sud_diagnosis", value="high")),
        "refused",
        ("'high' is not an answer",),
    ),
    Case(
        "json-value-very-long-text",
        "r.json",
        changed(answer("mat.sud_diagnosis", value="x" * 1_000_000)),
        "refused",
        ("1,000,000 characters long",),
    ),
    Case(
        "json-unknown-choice",
        "r.json",
        changed(answer("mat.admit_on_moud", value="sometimes")),
        "refused",
        ("'sometimes' is not an answer to mat.admit_on_moud",),
    ),
    Case(
        "json-percent-over-100",
        "r.json",
        changed(answer("tsf.dose", value=150)),
        "refused",
        ("150 is not an answer to tsf.dose",),
    ),
    Case(
        "json-percent-negative",
        "r.json",
        changed(answer("tsf.dose", value=-1)),
        "refused",
        ("-1 is not an answer to tsf.dose",),
    ),
    Case(
        "json-not-applicable-text",
        "r.json",
        changed(answer("mat.pregnancy_pathway", not_applicable="yes", na_reason="Men only")),
        "refused",
        ('answers["mat.pregnancy_pathway"].not_applicable',),
    ),
    Case(
        "json-na-without-reason",
        "r.json",
        changed(answer("mat.pregnancy_pathway", not_applicable=True)),
        "refused",
        ("without a reason",),
    ),
    Case(
        "json-na-not-allowed",
        "r.json",
        changed(answer("mat.admit_on_moud", not_applicable=True, na_reason="We do not")),
        "refused",
        ("cannot be answered N/A",),
    ),
    Case(
        "json-note-a-number",
        "r.json",
        changed(answer("mat.sud_diagnosis", value=3, note=12)),
        "refused",
        ('answers["mat.sud_diagnosis"].note',),
    ),
    Case(
        "json-program-a-string",
        "r.json",
        changed(lambda d: d.__setitem__("program", "Bramblewood")),
        "refused",
        ("program:",),
    ),
    Case(
        "json-unknown-setting",
        "r.json",
        changed(program(setting="rehab")),
        "refused",
        ("program.setting",),
    ),
    Case(
        "json-hospital-based-text",
        "r.json",
        changed(program(hospital_based="no")),
        "refused",
        ("program.hospital_based",),
    ),
    Case(
        "json-date-day-first",
        "r.json",
        changed(lambda d: d.__setitem__("assessment_date", "28/10/2026")),
        "refused",
        ("assessment_date",),
    ),
    Case(
        "json-date-impossible",
        "r.json",
        changed(lambda d: d.__setitem__("assessment_date", "2026-02-30")),
        "refused",
        ("assessment_date",),
    ),
    Case(
        "json-date-a-number",
        "r.json",
        changed(lambda d: d.__setitem__("assessment_date", 1793145600)),
        "refused",
        ("assessment_date: must be a date written YYYY-MM-DD",),
    ),
    Case(
        "json-no-instrument-id",
        "r.json",
        changed(lambda d: d.pop("instrument_id")),
        "refused",
        ("instrument_id: required field",),
    ),
    Case(
        "json-unknown-instrument",
        "r.json",
        changed(lambda d: d.__setitem__("instrument_id", "nope")),
        "refused",
        ("instrument_id: no bundled instrument 'nope'",),
    ),
    Case(
        "json-instrument-id-a-path",
        "r.json",
        changed(lambda d: d.__setitem__("instrument_id", "../../../../etc/passwd")),
        "refused",
        ("instrument_id: no bundled instrument",),
    ),
    Case(
        "json-instrument-id-very-long",
        "r.json",
        changed(lambda d: d.__setitem__("instrument_id", "a" * 100_000)),
        "refused",
        ("instrument_id: no bundled instrument 'aaaa",),
    ),
    Case(
        "json-unknown-version",
        "r.json",
        changed(lambda d: d.__setitem__("instrument_version", "9.9")),
        "refused",
        ("r.json: instrument_version: no version '9.9'",),
    ),
    Case(
        "json-unknown-field",
        "r.json",
        changed(lambda d: d.__setitem__("answer", {})),
        "refused",
        ("unknown field 'answer'; did you mean 'answers'?",),
    ),
    Case(
        "json-200k-populations",
        "r.json",
        _populations(200_000),
        "refused",
        ("program.populations: has 200,000 entries; at most 20",),
    ),
    Case(
        "json-21-populations",
        "r.json",
        _populations(lim.MAX_POPULATIONS + 1),
        "refused",
        ("program.populations: has 21 entries",),
    ),
    Case(
        "json-population-empty",
        "r.json",
        changed(program(populations=["adults", ""])),
        "refused",
        ("program.populations[1]",),
    ),
    Case(
        "json-population-two-lines",
        "r.json",
        changed(program(populations=["adults\nwomen"])),
        "refused",
        ("runs over several lines",),
    ),
    Case(
        "json-150k-answers",
        "r.json",
        _many_answers(150_000),
        "refused",
        ("answers: has 150,000 answers",),
    ),
    Case(
        "json-very-long-key",
        "r.json",
        changed(lambda d: d["answers"].__setitem__("k" * 500_000, {"value": 1})),
        "refused",
        ("(500,000 characters) is not an item id",),
    ),
    Case(
        "json-note-too-long",
        "r.json",
        changed(answer("mat.sud_diagnosis", value=3, note="n" * (lim.NOTE_MAX + 1))),
        "refused",
        ('answers["mat.sud_diagnosis"].note: the text is too long (2,001 characters)',),
    ),
    Case(
        "json-note-of-four-megabytes",
        "r.json",
        changed(answer("mat.sud_diagnosis", value=3, note="n" * 4_000_000)),
        "refused",
        ('answers["mat.sud_diagnosis"].note: the text is too long',),
    ),
    Case(
        "json-name-too-long",
        "r.json",
        changed(program(name="N" * 201)),
        "refused",
        ("program.name: the text is too long (201 characters)",),
    ),
    Case(
        "json-notes-over-the-total",
        "r.json",
        _notes_over_total(),
        "refused",
        ("notes, evidence and N/A reasons together come to",),
    ),
    Case(
        "json-too-large-file",
        "r.json",
        lambda: b'{"instrument_id": "mat-tsf-cod", "x": "' + b"x" * (6 * 1024 * 1024) + b'"}',
        "refused",
        ("over the 5 MiB limit",),
    ),
    Case(
        "json-a-folder", "r.json", None, "refused", ("is a directory",), make="folder", usage=True
    ),
    Case("json-a-fifo", "r.json", None, "refused", ("not a regular file",), make="fifo"),
    Case(
        "json-escape-in-unknown-key",
        "r.json",
        changed(lambda d: d["answers"].__setitem__("\x1b]0;pwn\x07", {"value": 1})),
        "refused",
        ("\\x1b]0;pwn\\x07",),
    ),
    Case(
        "json-lone-surrogate-in-unknown-key",
        "r.json",
        text_replaced('"answers": {', '"answers": {"\\ud800": {"value": 1},'),
        "refused",
        ("is not an item of",),
    ),
    # merely odd: the same score as the plain file
    Case(
        "json-utf8-bom",
        "r.json",
        lambda: codecs.BOM_UTF8 + example_bytes(),
        "scored",
        twin=example_bytes,
    ),
    Case(
        "json-utf16-le-bom",
        "r.json",
        encoded("utf-16-le", codecs.BOM_UTF16_LE),
        "scored",
        twin=example_bytes,
    ),
    Case(
        "json-utf16-be-bom",
        "r.json",
        encoded("utf-16-be", codecs.BOM_UTF16_BE),
        "scored",
        twin=example_bytes,
    ),
    Case("json-utf16-le-no-bom", "r.json", encoded("utf-16-le"), "scored", twin=example_bytes),
    Case("json-utf16-be-no-bom", "r.json", encoded("utf-16-be"), "scored", twin=example_bytes),
    Case("json-utf32-le-no-bom", "r.json", encoded("utf-32-le"), "scored", twin=example_bytes),
    Case(
        "json-crlf-and-tabs",
        "r.json",
        lambda: (
            re.sub(r"(?m)^(  )+", lambda m: "\t" * (len(m.group()) // 2), example())
            .replace("\n", "\r\n")
            .encode()
        ),
        "scored",
        twin=example_bytes,
    ),
    Case(
        "json-one-line",
        "r.json",
        lambda: json.dumps(json.loads(example()), separators=(",", ":")).encode(),
        "scored",
        twin=example_bytes,
    ),
    Case(
        "json-escaped-unicode",
        "r.json",
        lambda: json.dumps(json.loads(example()), ensure_ascii=True).encode(),
        "scored",
        twin=example_bytes,
    ),
    Case(
        "json-answers-shuffled",
        "r.json",
        changed(lambda d: d.__setitem__("answers", dict(reversed(d["answers"].items())))),
        "scored",
        twin=example_bytes,
    ),
    Case(
        "json-terminal-escapes-in-name",
        "r.json",
        changed(program(name=f"Bramblewood {ESCAPES}Lodge\x1b[0m Residential Program (fictional)")),
        "scored",
        twin=example_bytes,
        not_in_output=("\x1b", "0;pwn", "[2J", "[31m"),
    ),
    Case(
        "json-c1-escapes-and-bidi-in-name",
        "r.json",
        changed(
            program(
                name="Bramblewood \x9b31m\x9d0;pwn\x9cLodge\u202e Residential Program (fictional)"
            )
        ),
        "scored",
        twin=example_bytes,
        not_in_output=("\x9b", "pwn", "\u202e"),
    ),
    Case(
        "json-control-characters-in-note",
        "r.json",
        changed(
            lambda d: d["answers"]["mat.sud_diagnosis"].__setitem__(
                "note", "\x00\x07\x08" + d["answers"]["mat.sud_diagnosis"]["note"] + "\x7f\x0c"
            )
        ),
        "scored",
        twin=example_bytes,
    ),
    Case(
        "json-lone-surrogate-in-assessor",
        "r.json",
        text_replaced('"assessor": "', '"assessor": "\\ud800'),
        "scored",
        twin=example_bytes,
    ),
    Case(
        "json-scale-as-float",
        "r.json",
        text_replaced('"value": 3', '"value": 3.0'),
        "scored",
        twin=example_bytes,
    ),
    Case(
        "json-scale-as-exponent",
        "r.json",
        text_replaced('"value": 3', '"value": 0.3e1'),
        "scored",
        twin=example_bytes,
    ),
    Case(
        "json-choice-by-label",
        "r.json",
        text_replaced(
            '"value": "refused"',
            '"value": "Refused admission, or told to come back once off medication"',
        ),
        "scored",
        twin=example_bytes,
    ),
    Case(
        "json-twenty-populations",
        "r.json",
        _populations(lim.MAX_POPULATIONS),
        "scored",
        twin=_populations(lim.MAX_POPULATIONS),
    ),
    Case(
        "json-non-latin-name",
        "r.json",
        changed(program(name="Центр «Надежда» 中心 مركز")),
        "reported",
    ),
]


# -- instrument files -----------------------------------------------------------------------------


@cache
def mini_text() -> str:
    """The small test instrument, as YAML text."""
    return MINI.read_text(encoding="utf-8")


def mini_doc() -> dict[str, Any]:
    """A fresh copy of the small test instrument."""
    return yaml.safe_load(mini_text())


def mini_changed(change: Callable[[dict[str, Any]], object]) -> Bytes:
    """The small instrument with ``change`` applied, as JSON."""

    def data() -> bytes:
        d = mini_doc()
        change(d)
        return plain(d)

    return data


def mini_replaced(old: str, new: str) -> Bytes:
    """The small instrument's YAML with ``old`` replaced once by ``new``."""

    def data() -> bytes:
        assert old in mini_text(), old
        return mini_text().replace(old, new, 1).encode("utf-8")

    return data


def first_item(d: dict[str, Any]) -> dict[str, Any]:
    """The first item of an instrument document."""
    return d["domains"][0]["dimensions"][0]["items"][0]


def _bomb(levels: int = 9) -> bytes:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for n in range(1, levels):
        refs = ", ".join(f"*a{n - 1}" for _ in range(9))
        lines.append(f"a{n}: &a{n} [{refs}]")
    return ("\n".join(lines) + "\n").encode()


def _yaml(value: Any) -> bytes:
    return yaml.safe_dump(
        json.loads(json.dumps(value)), sort_keys=False, allow_unicode=True
    ).encode()


def _skip(condition: dict[str, Any], at: int = 0, dimension: int = 0) -> Bytes:
    def change(d: dict[str, Any]) -> None:
        d["domains"][0]["dimensions"][dimension]["items"][at]["applies_when"] = condition

    return mini_changed(change)


def _tiny(items: int, form: str = "json") -> Bytes:
    def data() -> bytes:
        d = build.tiny_instrument(items)
        if form == "yaml":
            return yaml.safe_dump(
                json.loads(json.dumps(d)), default_flow_style=True, width=10**9
            ).encode()
        return json.dumps(d, separators=(",", ":")).encode()

    return data


def _responses_for(instrument: Callable[[], dict[str, Any]]) -> Bytes:
    return lambda: plain(build.responses_doc(instrument(), worst=True))


def _critical_everywhere(count: int) -> Bytes:
    def change(d: dict[str, Any]) -> None:
        items = [i for dom in d["domains"] for dim in dom["dimensions"] for i in dim["items"]]
        for n in range(count):
            d["domains"][0]["dimensions"][0]["items"].append(
                {**items[0], "id": f"mat.extra{n}", "critical": items[0]["critical"]}
            )

    return mini_changed(change)


def _one_domain_critical() -> dict[str, Any]:
    """Every critical rule allowed, in one domain, with the longest titles: the domain's summary
    box lists them all and must still fit a page."""
    doc = build.instrument_doc(60, domains=1, per_dimension=60)
    critical = 0
    for item in doc["domains"][0]["dimensions"][0]["items"]:
        item["title"] = build.words(lim.ITEM_TITLE_MAX, item["id"])
        if item.get("kind", "scale") == "scale" and critical < lim.MAX_CRITICAL_RULES:
            item["critical"] = {"answers": [1], "finding": build.words(lim.FINDING_MAX, "f")}
            critical += 1
    doc["domains"][0]["description"] = build.words(lim.TEXT_MAX, "description")
    return doc


INSTRUMENT_CASES = [
    Case(
        "yaml-alias-bomb",
        "i.yaml",
        _bomb,
        "refused",
        ("YAML aliases (*name) are not accepted",),
        command="check",
    ),
    Case(
        "yaml-one-alias",
        "i.yaml",
        mini_replaced("citations: [guide]", "citations: &c [guide]\n            x: *c"),
        "refused",
        ("aliases",),
        command="check",
    ),
    Case(
        "yaml-python-object",
        "i.yaml",
        lambda: b"!!python/object/apply:os.system ['touch pwned']\n",
        "refused",
        ("could not determine a constructor",),
        command="check",
    ),
    Case(
        "yaml-python-name",
        "i.yaml",
        lambda: (
            mini_text()
            .replace("title: Mini test instrument", "title: !!python/name:os.system")
            .encode()
        ),
        "refused",
        ("could not determine a constructor",),
        command="check",
    ),
    Case(
        "yaml-duplicate-key",
        "i.yaml",
        mini_replaced("title: Mini test instrument", "title: Mini\ntitle: Again"),
        "refused",
        ("'title' appears twice",),
        command="check",
    ),
    Case(
        "yaml-huge-integer",
        "i.yaml",
        mini_replaced("weight: 2", "weight: " + "9" * 5000),
        "refused",
        ("a number of 5,000 digits",),
        command="check",
        not_in_output=("set_int_max_str_digits",),
    ),
    Case(
        "yaml-deep-flow",
        "i.yaml",
        lambda: b"x: " + b"[" * 990 + b"]" * 990 + b"\n",
        "refused",
        ("nested more than 64",),
        command="check",
    ),
    Case(
        "yaml-deeper-than-the-parser",
        "i.yaml",
        lambda: b"x: " + b"[" * 20000 + b"]" * 20000 + b"\n",
        "refused",
        ("nesting depth",),
        command="check",
    ),
    Case(
        "yaml-deep-mappings",
        "i.yaml",
        lambda: b"x: " + b"{a: " * 500 + b"1" + b"}" * 500 + b"\n",
        "refused",
        ("nested more than 64",),
        command="check",
    ),
    Case(
        "yaml-tab-indent",
        "i.yaml",
        lambda: b"id: x\n\tversion: 1\n",
        "refused",
        (":2:1: not valid YAML",),
        command="check",
    ),
    Case(
        "yaml-a-list",
        "i.yaml",
        lambda: b"- 1\n- 2\n",
        "refused",
        ("must hold a mapping",),
        command="check",
    ),
    Case("yaml-empty", "i.yaml", lambda: b"", "refused", ("must hold a mapping",), command="check"),
    Case(
        "yaml-binary",
        "i.yaml",
        lambda: b"\x89PNG\r\n\x1a\n" + bytes(range(256)),
        "refused",
        ("not UTF-8 text",),
        command="check",
    ),
    Case(
        "yaml-too-large",
        "i.yaml",
        lambda: b"# " + b"x" * (3 * 1024 * 1024) + b"\n",
        "refused",
        ("over the 2 MiB limit",),
        command="check",
    ),
    Case(
        "yaml-10800-items",
        "i.yaml",
        _tiny(10_800, "yaml"),
        "refused",
        ("YAML values",),
        command="check",
    ),
    Case(
        "json-instrument-10800-items",
        "i.json",
        _tiny(10_800),
        "refused",
        (f"the instrument has 10,800 items; at most {lim.MAX_ITEMS}",),
        command="check",
    ),
    Case(
        "instrument-one-item-too-many",
        "i.json",
        _tiny(lim.MAX_ITEMS + 1),
        "refused",
        (
            f"domains[0].dimensions[0].items[{lim.MAX_ITEMS}]: the instrument has "
            f"{lim.MAX_ITEMS + 1} items",
        ),
        command="check",
    ),
    Case("instrument-items-at-the-limit", "i.json", _tiny(lim.MAX_ITEMS), "checked"),
    Case(
        "instrument-too-many-critical-rules",
        "i.json",
        _critical_everywhere(lim.MAX_CRITICAL_RULES),
        "refused",
        (f"items have a critical rule; at most {lim.MAX_CRITICAL_RULES}",),
        command="check",
    ),
    Case(
        "json-instrument-nan",
        "i.json",
        lambda: b'{"id": NaN}',
        "refused",
        ("NaN is not a JSON number",),
        command="check",
    ),
    Case(
        "json-instrument-huge-integer",
        "i.json",
        lambda: b'{"id": "x", "version": ' + b"1" * 5000 + b"}",
        "refused",
        (":1:24: a number of 5,000 digits",),
        command="check",
    ),
    Case(
        "skip-logic-later-item",
        "i.json",
        _skip({"item": "mat.naloxone", "answers": [1]}),
        "refused",
        ("applies_when.item: 'mat.naloxone' is not an earlier item",),
        command="check",
    ),
    Case(
        "skip-logic-itself",
        "i.json",
        _skip({"item": "mat.admit", "answers": [1]}),
        "refused",
        ("cannot depend on itself",),
        command="check",
    ),
    Case(
        "skip-logic-unknown-item",
        "i.json",
        _skip({"item": "mat.nothing", "answers": [1]}, at=1),
        "refused",
        ("'mat.nothing' is not an earlier item",),
        command="check",
    ),
    Case(
        "skip-logic-impossible-answer",
        "i.json",
        _skip({"item": "mat.admit", "answers": [9]}, at=1),
        "refused",
        ("applies_when.answers[0]: 9 is not an answer to mat.admit",),
        command="check",
    ),
    Case(
        "skip-logic-on-percent-item",
        "i.json",
        _skip({"item": "mat.naloxone", "answers": [1]}, at=1, dimension=1),
        "refused",
        ("is a percent item",),
        command="check",
    ),
    Case(
        "duplicate-codes",
        "i.json",
        mini_changed(
            lambda d: [
                i.__setitem__("code", "MAT-1") for i in d["domains"][0]["dimensions"][0]["items"]
            ]
        ),
        "refused",
        ("code 'MAT-1' is already the code of mat.admit",),
        command="check",
    ),
    Case(
        "duplicate-item-ids",
        "i.json",
        mini_changed(
            lambda d: d["domains"][0]["dimensions"][0]["items"][1].__setitem__("id", "mat.admit")
        ),
        "refused",
        ("item id 'mat.admit' is used twice",),
        command="check",
    ),
    Case(
        "terminal-escape-in-title",
        "i.json",
        mini_changed(lambda d: d.__setitem__("title", "Mini \x1b]0;pwn\x07 instrument")),
        "refused",
        ("title: holds the control character '\\x1b'",),
        command="check",
    ),
    Case(
        "bidi-override-in-title",
        "i.yaml",
        lambda: _yaml({**mini_doc(), "title": "Mini \u202etest"}),
        "refused",
        ("title: holds the control character '\\u202e'",),
        command="check",
    ),
    Case(
        "thirteen-choices",
        "i.json",
        mini_changed(
            lambda d: d["domains"][0]["dimensions"][0]["items"][1].__setitem__(
                "choices",
                [{"value": f"c{n}", "label": f"Choice {n}", "score": 3} for n in range(13)],
            )
        ),
        "refused",
        ("choices: has 13 entries; at most 12",),
        command="check",
    ),
    Case(
        "recommendation-too-long",
        "i.json",
        mini_changed(
            lambda d: first_item(d).__setitem__(
                "recommendation", "r" * (lim.RECOMMENDATION_MAX + 1)
            )
        ),
        "refused",
        ("recommendation: the text is too long",),
        command="check",
    ),
    Case(
        "sixty-one-citations",
        "i.json",
        mini_changed(
            lambda d: d["citations"].extend(
                {**d["citations"][0], "id": f"extra{n}"} for n in range(lim.MAX_CITATIONS)
            )
        ),
        "refused",
        ("citations: has",),
        command="check",
    ),
    Case("instrument-at-its-limits-as-yaml", "i.yaml", lambda: _yaml(_largest()[0]), "checked"),
    Case(
        "yaml-utf16-with-bom",
        "i.yaml",
        lambda: codecs.BOM_UTF16_LE + mini_text().encode("utf-16-le"),
        "checked",
    ),
    Case("yaml-crlf", "i.yaml", lambda: mini_text().replace("\n", "\r\n").encode(), "checked"),
    Case("yaml-as-json", "i.json", lambda: plain(mini_doc()), "checked"),
    Case(
        "critical-rules-all-in-one-domain-report",
        "r.json",
        lambda: plain(build.responses_doc(_one_domain_critical(), worst=True)),
        "reported",
        instrument=lambda: plain(_one_domain_critical()),
    ),
    Case(
        "instrument-at-its-limits-reports",
        "r.json",
        lambda: plain(_largest()[1]),
        "reported",
        instrument=lambda: plain(_largest()[0]),
    ),
]


# -- workbooks ------------------------------------------------------------------------------------

MAT_SHEET = "MAT"


def wb_changed(change: Callable[[Any], object]) -> Bytes:
    """The filled example workbook, changed with openpyxl."""
    return lambda: wbk.edited(change)


def set_cell(item_id: str, key: str, value: Any, number_format: str | None = None) -> Bytes:
    """The filled workbook with one item's cell set."""

    def change(wb: Any) -> None:
        target = wbk.cell(wb, item_id, key)
        target.value = value
        if number_format:
            target.number_format = number_format

    return wb_changed(change)


def set_program(label: str, value: Any) -> Bytes:
    """The filled workbook with one Program sheet value set."""
    return wb_changed(lambda wb: setattr(wbk.program_cell(wb, label), "value", value))


def sheet_xml(change: Callable[[str], str], title: str = MAT_SHEET) -> Bytes:
    """The filled workbook with a sheet's XML rewritten."""

    def data() -> bytes:
        member = wbk.sheet_member(title)
        return wbk.patched({member: lambda xml: change(xml.decode()).encode()})

    return data


def _cell_ref(item_id: str, key: str) -> str:
    import io

    from openpyxl import load_workbook

    return wbk.cell(load_workbook(io.BytesIO(wbk.filled())), item_id, key).coordinate


def cell_xml(item_id: str, key: str, xml: str) -> Bytes:
    """The filled workbook with one cell's XML replaced by ``xml`` ({ref} is its reference)."""

    def change(sheet: str) -> str:
        import re

        ref = _cell_ref(item_id, key)
        pattern = re.compile(rf'<c r="{ref}"[^>]*?(?:/>|>.*?</c>)', re.S)
        assert pattern.search(sheet), ref
        return pattern.sub(xml.format(ref=ref), sheet, count=1)

    return sheet_xml(change)


LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{n} "' + f"&lol{n - 1 if n > 1 else ''};" * 10 + '">' for n in range(1, 10)
    )
    + "]>"
)


def _with_doctype(doctype: str, entity: str) -> Bytes:
    def change(sheet: str) -> str:
        body = sheet[sheet.index("<worksheet") :]
        body = body.replace(
            "<sheetData>",
            f'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>{entity}</t></is></c></row>',
            1,
        )
        return doctype + body

    return sheet_xml(change, "Instructions")


def _shared_strings_laughs() -> bytes:
    sst = (
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
        'uniqueCount="1"><si><t>&lol9;</t></si></sst>'
    )
    return wbk.patched({"xl/sharedStrings.xml": (LAUGHS + sst).encode()})


def _huge_cell() -> bytes:
    """One cell of 30 million characters (a few dozen KiB once zipped)."""

    def change(sheet: str) -> str:
        cell = f'<row r="1"><c r="A1" t="inlineStr"><is><t>{"x" * 30_000_000}</t></is></c></row>'
        return sheet.replace("<sheetData>", "<sheetData>" + cell, 1)

    return sheet_xml(change, "Instructions")()


def _central_entry(data: bytearray, name: str) -> int:
    at = data.find(b"PK\x01\x02")
    while at != -1:
        size = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46 : at + 46 + size] == name.encode():
            return at
        at = data.find(b"PK\x01\x02", at + 4)
    raise AssertionError(name)


def _lying_sizes() -> bytes:
    data = bytearray(wbk.filled())
    struct.pack_into("<I", data, _central_entry(data, wbk.sheet_member(MAT_SHEET)) + 24, 100)
    return bytes(data)


def _dense(rows: int, cols: int) -> Bytes:
    def change(sheet: str) -> str:
        from openpyxl.utils import get_column_letter

        letters = [get_column_letter(c) for c in range(1, cols + 1)]
        body = "".join(
            f'<row r="{r}">' + "".join(f'<c r="{x}{r}"><v>1</v></c>' for x in letters) + "</row>"
            for r in range(1, rows + 1)
        )
        start, end = sheet.index("<sheetData"), sheet.index("</sheetData>")
        return sheet[:start] + f"<sheetData>{body}" + sheet[end:]

    return sheet_xml(change, "Instructions")


def _zip_bomb() -> bytes:
    return wbk.patched({"xl/media/image1.png": bytes(40 * 1024 * 1024)})


def _many_members() -> bytes:
    return wbk.patched({f"customXml/item{n}.xml": b"<x/>" for n in range(600)})


def _strict() -> bytes:
    transitional = {
        b"http://schemas.openxmlformats.org/spreadsheetml/2006/main": b"http://purl.oclc.org/ooxml/spreadsheetml/main",
        b"http://schemas.openxmlformats.org/officeDocument/2006/relationships": b"http://purl.oclc.org/ooxml/officeDocument/relationships",
    }

    def strict(xml: bytes) -> bytes:
        for old, new in transitional.items():
            xml = xml.replace(old, new)
        return xml

    members = wbk.parts(wbk.filled())
    return wbk.rezipped({name: strict(content) for name, content in members.items()})


def _with_vba() -> bytes:
    return wbk.patched({"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" + bytes(1020)})


def _merged_answers(wb: Any) -> None:
    first = wbk.cell(wb, "mat.sud_diagnosis", "answer")
    below = first.offset(row=1)
    first.parent.merge_cells(f"{first.coordinate}:{below.coordinate}")


def _rename_sheet(old: str, new: str) -> Callable[[Any], object]:
    return lambda wb: setattr(wb[old], "title", new)


def _swap_columns(wb: Any) -> None:
    from audit_kit.formats.xlsx import layout as lay

    answer_col, note_col = lay.COLUMN_INDEX["answer"], lay.COLUMN_INDEX["note"]
    for ws in wb.worksheets:
        if ws.title in ("MAT", "TSF", "COD"):
            for row in range(1, ws.max_row + 1):
                a, b = ws.cell(row, answer_col), ws.cell(row, note_col)
                if "MergedCell" in (type(a).__name__, type(b).__name__):
                    continue  # the dimension bands span the row
                # as a person moves columns: the values with their number formats
                a.value, b.value = b.value, a.value
                a.number_format, b.number_format = b.number_format, a.number_format


def _header(key: str, text: str) -> Callable[[Any], object]:
    def change(wb: Any) -> None:
        from audit_kit.formats.xlsx import layout as lay

        for ws in wb.worksheets:
            for row in ws.iter_rows(min_row=1, max_row=lay.HEADER_SEARCH_ROWS):
                for c in row:
                    if c.value == lay.header(key):
                        c.value = text

    return change


def _duplicate_row(wb: Any) -> None:
    ws, row, cols = wbk.item_rows(wb)["mat.sud_diagnosis"]
    last = ws.max_row + 1
    for col in range(1, max(cols.values()) + 1):
        ws.cell(last, col).value = ws.cell(row, col).value


def _delete_item_row(wb: Any) -> None:
    ws, row, _ = wbk.item_rows(wb)["mat.sud_diagnosis"]
    ws.delete_rows(row)


def _answer_to_note(wb: Any) -> None:
    answer_cell = wbk.cell(wb, "mat.sud_diagnosis", "answer")
    wbk.cell(wb, "mat.sud_diagnosis", "note").value = answer_cell.value
    answer_cell.value = None


def _long_notes(wb: Any) -> None:
    for n, item_id in enumerate(wbk.item_rows(wb)):
        if n < lim.ANSWER_TEXT_MAX // lim.NOTE_MAX + 2:
            wbk.cell(wb, item_id, "note").value = build.words(lim.NOTE_MAX, "note")


def _legacy() -> bytes:
    return (DATA / "legacy.xls").read_bytes()


def _encrypted() -> bytes:
    return (DATA / "encrypted.xlsx").read_bytes()


def _pdf() -> bytes:
    return b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def _program_name_with_controls() -> bytes:
    def change(sheet: str) -> str:
        return sheet.replace(
            NAME,
            "Bramblewood &#x9b;31m&#x9d;0;pwn&#x9c;Lodge&#x202e; Residential Program (fictional)",
            1,
        )

    return sheet_xml(change, "Program")()


def _set_answer_twin(item_id: str, value: Any) -> Bytes:
    return changed(lambda d: d["answers"][item_id].__setitem__("value", value))


def _renamed_meta(wb: Any) -> None:
    wb["_meta"].title = "meta"


_largest = cache(build.largest)


def _largest_workbook() -> bytes:
    from audit_kit.formats.responses_json import parse_responses
    from audit_kit.formats.xlsx.template import build_workbook
    from audit_kit.model.instrument import Instrument

    instrument_doc, responses_doc = _largest()
    instrument = Instrument.model_validate(instrument_doc)
    _, responses = parse_responses(plain(responses_doc), "largest.json", instrument)
    return build_workbook(instrument, responses=responses)


WORKBOOK_CASES = [
    # measurements.md §2: refused before any parser, each with its own message
    Case("xlsx-zip-bomb", "w.xlsx", _zip_bomb, "refused"),
    Case("xlsx-lying-sizes", "w.xlsx", _lying_sizes, "refused"),
    Case("xlsx-billion-laughs", "w.xlsx", _with_doctype(LAUGHS, "&lol9;"), "refused"),
    Case(
        "xlsx-external-entity",
        "w.xlsx",
        _with_doctype(
            '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', "&xxe;"
        ),
        "refused",
        not_in_output=("root:",),
    ),
    Case(
        "xlsx-harmless-dtd",
        "w.xlsx",
        _with_doctype('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY hi "hello">]>', "&hi;"),
        "refused",
    ),
    Case("xlsx-entities-in-shared-strings", "w.xlsx", _shared_strings_laughs, "refused"),
    Case("xlsx-huge-string-cell", "w.xlsx", _huge_cell, "refused"),
    Case(
        "xlsx-malformed-sheet-xml",
        "w.xlsx",
        sheet_xml(lambda s: s.replace("</sheetData>", "<row></sheetData>", 1)),
        "refused",
    ),
    Case("xlsx-without-extension", "workbook", wbk.filled, "scored", twin=example_bytes),
    Case("xlsx-upper-case-extension", "W.XLSX", wbk.filled, "scored", twin=example_bytes),
    Case("xls-legacy", "w.xls", _legacy, "refused", ("legacy",)),
    Case("xls-renamed-xlsx", "w.xlsx", _legacy, "refused", ("legacy",)),
    Case("xlsx-encrypted", "w.xlsx", _encrypted, "refused", ("password",)),
    Case("xlsm-by-name", "w.xlsm", wbk.filled, "refused", ("macro",)),
    Case("xlsx-with-macros", "w.xlsx", _with_vba, "refused", ("macro",)),
    Case("csv-renamed-xlsx", "w.xlsx", lambda: b"Item id,Answer\nmat.admit_on_moud,3\n", "refused"),
    Case(
        "csv-by-name",
        "w.csv",
        lambda: b"Item id,Answer\nmat.admit_on_moud,3\n",
        "refused",
        ("CSV",),
    ),
    Case("pdf-renamed-xlsx", "w.xlsx", _pdf, "refused", ("PDF",), command="score"),
    Case("xlsx-empty", "w.xlsx", lambda: b"", "refused", ("empty",)),
    Case("xlsx-truncated", "w.xlsx", lambda: wbk.filled()[: len(wbk.filled()) // 2], "refused"),
    Case("xlsx-zip-without-parts", "w.xlsx", lambda: wbk.rezipped({"hello.txt": b"hi"}), "refused"),
    Case(
        "xlsx-far-away-cell",
        "w.xlsx",
        wb_changed(lambda wb: wb["MAT"].__setitem__("XFD1048576", "far")),
        "refused",
        ("MAT!XFD1048576",),
    ),
    Case(
        "xlsx-far-away-row",
        "w.xlsx",
        sheet_xml(lambda s: s.replace("</sheetData>", '<row r="1048576"/></sheetData>')),
        "refused",
        ("MAT!A1048576",),
    ),
    Case("xlsx-dense-cell-bomb", "w.xlsx", _dense(2000, 200), "refused"),
    Case("xlsx-many-members", "w.xlsx", _many_members, "refused"),
    Case(
        "xlsx-strict-ooxml",
        "w.xlsx",
        _strict,
        "either",
        ("Strict",),
        twin=example_bytes,
        command="score",
    ),
    # cells and sheets
    Case(
        "xlsx-merged-answer-cells",
        "w.xlsx",
        wb_changed(_merged_answers),
        "refused",
        ("MAT!",),
        command="score",
    ),
    Case(
        "xlsx-deleted-domain-sheet",
        "w.xlsx",
        wb_changed(lambda wb: wb.remove(wb["TSF"])),
        "refused",
        ("TSF",),
    ),
    Case(
        "xlsx-deleted-program-sheet",
        "w.xlsx",
        wb_changed(lambda wb: wb.remove(wb["Program"])),
        "refused",
        ("Program",),
    ),
    Case(
        "xlsx-deleted-meta-sheet",
        "w.xlsx",
        wb_changed(lambda wb: wb.remove(wb["_meta"])),
        "refused",
    ),
    Case("xlsx-renamed-meta-sheet", "w.xlsx", wb_changed(_renamed_meta), "refused"),
    Case(
        "xlsx-renamed-domain-sheet",
        "w.xlsx",
        wb_changed(_rename_sheet("MAT", "Medications")),
        "scored",
        twin=example_bytes,
    ),
    Case(
        "xlsx-hidden-domain-sheet",
        "w.xlsx",
        wb_changed(lambda wb: setattr(wb["COD"], "sheet_state", "hidden")),
        "scored",
        twin=example_bytes,
    ),
    Case(
        "xlsx-extra-sheet",
        "w.xlsx",
        wb_changed(lambda wb: wb.create_sheet("My notes").__setitem__("A1", "3")),
        "scored",
        twin=example_bytes,
    ),
    Case(
        "xlsx-date-as-answer",
        "w.xlsx",
        set_cell("mat.sud_diagnosis", "answer", datetime(2026, 3, 4)),
        "refused",
        ("MAT!",),
    ),
    Case(
        "xlsx-assessment-date-day-first-text",
        "w.xlsx",
        set_program("Assessment date", "28/10/2026"),
        "refused",
        ("Program!B",),
    ),
    Case(
        "xlsx-assessment-date-as-text",
        "w.xlsx",
        set_program("Assessment date", "2026-10-28"),
        "scored",
        twin=example_bytes,
    ),
    Case(
        "xlsx-formula-without-saved-value",
        "w.xlsx",
        set_cell("mat.sud_diagnosis", "answer", "=1+2"),
        "refused",
        ("formula without a saved result",),
    ),
    Case(
        "xlsx-formula-with-saved-value",
        "w.xlsx",
        cell_xml("mat.sud_diagnosis", "answer", '<c r="{ref}"><f>1+2</f><v>3</v></c>'),
        "scored",
        twin=example_bytes,
    ),
    Case(
        "xlsx-error-value",
        "w.xlsx",
        cell_xml("mat.sud_diagnosis", "answer", '<c r="{ref}" t="e"><f>1/0</f><v>#DIV/0!</v></c>'),
        "refused",
        ("#DIV/0!",),
    ),
    Case(
        "xlsx-answer-header-renamed",
        "w.xlsx",
        wb_changed(_header("answer", "Reply")),
        "refused",
        ("Answer",),
    ),
    Case(
        "xlsx-answer-and-note-columns-swapped",
        "w.xlsx",
        wb_changed(_swap_columns),
        "scored",
        twin=example_bytes,
    ),
    Case(
        "xlsx-percent-as-text",
        "w.xlsx",
        set_cell("tsf.dose", "answer", "85%"),
        "scored",
        twin=example_bytes,
    ),
    Case(
        "xlsx-percent-hundred-text",
        "w.xlsx",
        set_cell("tsf.dose", "answer", "100%"),
        "scored",
        twin=_set_answer_twin("tsf.dose", 100),
    ),
    Case(
        "xlsx-percent-formatted-fraction",
        "w.xlsx",
        set_cell("tsf.dose", "answer", 0.85, "0%"),
        "scored",
        twin=example_bytes,
    ),
    Case(
        "xlsx-percent-as-a-bare-fraction",
        "w.xlsx",
        # in a plain number cell (a percent-formatted one shows 95% and is read so)
        set_cell("tsf.dose", "answer", 0.95, "General"),
        "refused",
        ("TSF!D", "type 95 or 95%"),
        command="score",
    ),
    Case(
        "xlsx-score-range",
        "w.xlsx",
        set_cell("mat.sud_diagnosis", "answer", "3 - 4"),
        "refused",
        ("MAT!",),
        command="score",
    ),
    Case(
        "xlsx-score-fraction",
        "w.xlsx",
        set_cell("mat.sud_diagnosis", "answer", "3/4"),
        "refused",
        ("MAT!",),
    ),
    Case(
        "xlsx-percent-fraction-text",
        "w.xlsx",
        set_cell("tsf.dose", "answer", "1/2"),
        "refused",
        ("TSF!",),
    ),
    Case(
        "xlsx-answer-in-note-column",
        "w.xlsx",
        wb_changed(_answer_to_note),
        "refused",
        ("MAT!",),
        command="score",
    ),
    Case(
        "xlsx-answer-with-spaces",
        "w.xlsx",
        set_cell("mat.sud_diagnosis", "answer", "  3 "),
        "scored",
        twin=example_bytes,
    ),
    Case(
        "xlsx-duplicate-item-row",
        "w.xlsx",
        wb_changed(_duplicate_row),
        "refused",
        ("mat.sud_diagnosis",),
    ),
    Case(
        "xlsx-item-row-deleted",
        "w.xlsx",
        wb_changed(_delete_item_row),
        "refused",
        ("mat.sud_diagnosis",),
    ),
    Case(
        "xlsx-note-too-long",
        "w.xlsx",
        set_cell("mat.sud_diagnosis", "note", "n" * 40_000),
        "refused",
        ("MAT!", "too long"),
    ),
    Case(
        "xlsx-notes-over-the-total",
        "w.xlsx",
        wb_changed(_long_notes),
        "refused",
        ("together come to",),
    ),
    Case(
        "xlsx-unknown-setting", "w.xlsx", set_program("Setting", "Rehab"), "refused", ("Program!B",)
    ),
    Case(
        "xlsx-hospital-based-maybe",
        "w.xlsx",
        set_program("Hospital-based", "maybe"),
        "refused",
        ("Program!B",),
    ),
    Case(
        "xlsx-program-name-too-long",
        "w.xlsx",
        set_program("Program name", "N" * 201),
        "refused",
        ("Program!B", "too long"),
    ),
    Case(
        "xlsx-control-characters-in-name",
        "w.xlsx",
        _program_name_with_controls,
        "scored",
        twin=example_bytes,
        not_in_output=("\x9b", "pwn", "\u202e"),
    ),
    Case(
        "xlsx-populations-over-the-limit",
        "w.xlsx",
        set_program("Populations served", "; ".join(f"group {n}" for n in range(25))),
        "refused",
        ("Program!B", "at most 20"),
    ),
    Case(
        "xlsx-at-the-limits-scores",
        "w.xlsx",
        _largest_workbook,
        "scored",
        instrument=lambda: plain(_largest()[0]),
        twin=lambda: plain(_largest()[1]),
    ),
]


CASES: list[Case] = [*JSON_CASES, *INSTRUMENT_CASES, *WORKBOOK_CASES]


def write_input(case: Case, folder: Path) -> Path:
    """Write a case's input (and instrument) into ``folder``; return the input's path."""
    path = folder / case.name
    if case.make == "folder":
        path.mkdir()
    elif case.make == "fifo":
        import os

        os.mkfifo(path)
    else:
        assert case.data is not None
        path.write_bytes(case.data())
    if case.instrument:
        (folder / case.instrument_name).write_bytes(case.instrument())
    return path
