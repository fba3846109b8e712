"""Loading instruments: bundled by id, files by path, and every definition problem located."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from audit_kit.catalog import instrument_schema, load_instrument
from audit_kit.errors import AuditKitError, InstrumentError

from conftest import DATA

MINI = (DATA / "mini.yaml").read_text(encoding="utf-8")


def broken(tmp_path: Path, *replacements: tuple[str, str], extra: str = "") -> Path:
    """A copy of mini.yaml with text replaced (each replacement must apply)."""
    text = MINI
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / "broken.yaml"
    path.write_text(text + extra, encoding="utf-8")
    return path


def problems_of(path: Path | str) -> list[str]:
    """The problems an instrument file has, as printed."""
    with pytest.raises(InstrumentError) as caught:
        load_instrument(path)
    return [str(p) for p in caught.value.problems]


ITEM0 = "domains[0].dimensions[0].items[0]"
ITEM1 = "domains[0].dimensions[0].items[1]"


@pytest.mark.parametrize(
    ("replacement", "where", "what"),
    [
        (("weight: 2", "weight: 0"), f"{ITEM0}.weight", "greater than 0"),
        (("citations: [{id: guide", "citations: [{id: gide"), f"{ITEM0}.citations[0]", "'gide'"),
        (('5: "Always, dose continued"', '7: "Always"'), f"{ITEM0}.anchors", "anchor 7"),
        (('3: "Case by case", ', ""), f"{ITEM0}.anchors", "3 is missing"),
        (("answers: [1]", "answers: [6]"), f"{ITEM0}.critical.answers[0]", "6 is not an answer"),
        (("answers: [none]", "answers: [nothing]"), f"{ITEM1}.critical.answers[0]", "'nothing'"),
        (("id: mat.route", "id: cod.route"), f"{ITEM1}.id", "must start with 'mat.'"),
        (("id: mat.route", "id: mat.admit"), f"{ITEM1}.id", "used twice"),
        (("kind: choice", "kind: choise"), f"{ITEM1}.kind", "'scale', 'choice' or 'percent'"),
        (
            ("guidance: Read the admission", "guidanse: Read the admission"),
            f"{ITEM0}.guidance",
            "required field 'guidance' is missing",
        ),
        (("value: referral", "value: on_site"), f"{ITEM1}.choices[1].value", "used twice"),
        (("- id: guide\n", "- id: standard\n"), "citations[1].id", "'standard' is used twice"),
    ],
)
def test_each_definition_problem_is_located(
    tmp_path: Path, replacement: tuple[str, str], where: str, what: str
) -> None:
    """The message names the file, the line, the path inside the document and the problem."""
    path = broken(tmp_path, replacement)
    found = [p for p in problems_of(path) if f": {where}:" in p and what in p]
    assert found, problems_of(path)
    assert found[0].startswith(f"{path}:")  # file:line first, as editors expect


def test_unknown_field_suggests_the_right_name(tmp_path: Path) -> None:
    """A misspelt key is named, with a suggestion."""
    path = broken(tmp_path, ("guidance: Read the admission", "guidanse: Read the admission"))
    messages = problems_of(path)
    assert any("unknown field 'guidanse'; did you mean 'guidance'?" in m for m in messages)
    assert any("required field 'guidance' is missing" in m for m in messages)


def test_line_numbers_point_into_the_yaml(tmp_path: Path) -> None:
    """The line printed is the line of the offending key."""
    path = broken(tmp_path, ("weight: 2", "weight: -1"))
    line = next(
        n for n, text in enumerate(path.read_text().splitlines(), 1) if "weight: -1" in text
    )
    assert any(p.startswith(f"{path}:{line}: ") for p in problems_of(path))


def test_all_problems_are_reported_at_once(tmp_path: Path) -> None:
    """Structural and cross-reference problems come together, not one per run."""
    path = broken(
        tmp_path,
        ("weight: 2", "weight: 0"),
        ("citations: [{id: guide", "citations: [{id: gide"),
        ("answers: [none]", "answers: [nothing]"),
        ("weight: 1.5", "weight: abc"),
    )
    assert len(problems_of(path)) == 4


def test_bands_must_cover_0_to_100_without_gaps(tmp_path: Path) -> None:
    """A gap, an overlap and a missing top end are each named."""
    bands = "percent_bands:\n  - {min: 0, max: 40, score: 1}\n  - {min: 50, max: 90, score: 3}\n"
    messages = problems_of(broken(tmp_path, extra=bands))
    assert any("percent_bands[1].min: gap: no band covers 40% to 50%" in m for m in messages)
    assert any("percent_bands: no band covers 90% to 100%" in m for m in messages)
    overlap = "percent_bands:\n  - {min: 0, max: 60, score: 1}\n  - {min: 50, max: 100, score: 3}\n"
    assert any("overlap" in m for m in problems_of(broken(tmp_path, extra=overlap)))


def test_critical_rule_must_fit_the_answer_kind(tmp_path: Path) -> None:
    """A percent item's rule uses below_percent; scale items use answers."""
    path = broken(tmp_path, ("below_percent: 10", "answers: [1]"))
    assert any("uses 'below_percent', not 'answers'" in m for m in problems_of(path))


def test_yaml_syntax_error_gives_the_line(tmp_path: Path) -> None:
    """Broken YAML is reported with its line, not a traceback."""
    path = tmp_path / "bad.yaml"
    path.write_text("id: x\nversion: [1.0\ntitle: y\n", encoding="utf-8")
    (message,) = problems_of(path)
    assert message.startswith(f"{path}:") and "not valid YAML" in message


def test_yaml_aliases_are_refused(tmp_path: Path) -> None:
    """Aliases can blow up in memory (billion laughs); they are refused before loading."""
    path = tmp_path / "alias.yaml"
    path.write_text("a: &x [1, 2]\nb: *x\n", encoding="utf-8")
    (message,) = problems_of(path)
    assert "aliases" in message and f"{path}:2:" in message


def test_yes_and_no_stay_text_in_yaml(tmp_path: Path) -> None:
    """YAML 1.1 would read `yes` as true; choice values named yes/no must stay text."""
    path = broken(
        tmp_path,
        ("value: on_site", "value: yes"),
        ("value: none", "value: no"),
        ("answers: [none]", "answers: [no]"),
    )
    loaded = load_instrument(path)
    assert [c.value for c in loaded.item("mat.route").choices or []] == ["yes", "referral", "no"]


def test_a_json_instrument_loads_like_yaml(tmp_path: Path, mini) -> None:  # type: ignore[no-untyped-def]
    """Instruments may be written as JSON too."""
    path = tmp_path / "mini.json"
    path.write_text(mini.model_dump_json(), encoding="utf-8")
    assert load_instrument(path) == mini


def test_json_syntax_error_gives_line_and_column(tmp_path: Path) -> None:
    """Broken JSON is located."""
    path = tmp_path / "bad.json"
    path.write_text('{"id": "x",\n "version": }', encoding="utf-8")
    (message,) = problems_of(path)
    assert message.startswith(f"{path}:2:") and "not valid JSON" in message


def test_missing_and_oversized_files(tmp_path: Path) -> None:
    """A missing path and an oversized file are refused with a clear message."""
    with pytest.raises(AuditKitError, match="no such file"):
        load_instrument(tmp_path / "nope.yaml")
    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * (3 * 1024 * 1024))
    with pytest.raises(AuditKitError, match="over the 2 MiB limit for an instrument"):
        load_instrument(big)


def test_unknown_bundled_id_suggests_the_closest() -> None:
    """A typo in an instrument id gets a suggestion and the list of bundled ids."""
    with pytest.raises(InstrumentError, match="did you mean 'mat-tsf-cod'"):
        load_instrument("mat-tsf-cd")


def test_schema_describes_every_field() -> None:
    """The JSON Schema for authors carries descriptions and the item definition."""
    schema = instrument_schema()
    json.dumps(schema)
    item = schema["$defs"]["Item"]
    assert set(item["required"]) >= {"id", "title", "question", "anchors", "citations"}
    assert all("description" in spec for spec in item["properties"].values())


@pytest.mark.parametrize(
    ("extra", "replacement", "expected"),
    [
        ("percent_bands: []\n", None, "percent_bands: list should have at least 1 item"),
        (
            "percent_bands: [{min: 0, max: 100000000000000000000000000000000000000000000000000"
            "00000000000000000000000000000000000000000000000000000000000000000000000000000000"
            "00000000000000000000000000000000000000000000000000000000000000000000000000000000"
            "00000000000000000000000000000000000000000000000000000000000000000000000000000000"
            "000000000000000000000000000, score: 1}]\n",
            None,
            "percent_bands[0].max: input should be",
        ),
        ("", ('label: "By written referral"', 'label: "On site"'), "label 'On site' is used twice"),
        ("", ('label: "No route at all"', 'label: "referral"'), "is another choice's value"),
        ("", ("title: Admission on MOUD", "title: " + "x" * 121), "at most 120 characters"),
        ("", ("title: Mini test instrument", "title: Mini\ntitle: Again"), "appears twice"),
    ],
)
def test_more_definition_problems(
    tmp_path: Path, extra: str, replacement: tuple[str, str] | None, expected: str
) -> None:
    """Empty or absurd bands, ambiguous labels, overlong titles, duplicate keys: all refused."""
    path = broken(tmp_path, *([replacement] if replacement else []), extra=extra)
    assert any(expected in p for p in problems_of(path)), problems_of(path)


def test_bundled_id_wins_over_a_folder_of_that_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`-i mat-tsf-cod` means the bundled instrument even beside a folder called mat-tsf-cod."""
    (tmp_path / "mat-tsf-cod").mkdir()
    monkeypatch.chdir(tmp_path)
    assert load_instrument("mat-tsf-cod").id == "mat-tsf-cod"
