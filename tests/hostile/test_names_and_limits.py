"""Default report names never collide across programs; the limits refuse with one located line."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from audit_kit.cli import cli
from audit_kit.fsutil import NAME_MAX, SLUG_MAX, _slug_words, slug
from audit_kit.model import limits as lim
from audit_kit.model.instrument import Instrument

from conftest import DATA, EXAMPLES
from hostile import build

MINI = str(DATA / "mini.yaml")
RESPONSES = {
    "instrument_id": "mini",
    "instrument_version": "1.0",
    "program": {"name": "x", "setting": "outpatient", "hospital_based": False},
    "assessment_date": "2026-10-01",
    "answers": {"mat.admit": {"value": 4}, "mat.route": {"value": "referral"}},
}
LONG = "Northern Regional Addiction Treatment and Recovery Services Program"  # 67 characters


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Casa Esperanza", "casa-esperanza"),
        ("Clínica Núñez (Norte)", "clinica-nunez-norte"),
        ("Центр «Надежда»", "центр-надежда"),
        ("中心 2", "中心-2"),
        ("مركز الأمل", "مركز-الأمل"),
        ("Ελληνικά", "ελληνικά"),
        ("Ｆｕｌｌ-width ﬁ", "full-width-fi"),
    ],
)
def test_slug_keeps_the_letters_of_every_script(name: str, expected: str) -> None:
    """Latin accents go; other scripts stay as they are, lower-cased."""
    assert slug(name) == expected


def test_slug_adds_a_hash_where_it_would_lose_the_name() -> None:
    """Cut at 60 characters, or without any letter: a stable hash of the whole name follows."""
    first, second = slug(LONG + " North"), slug(LONG + " South")
    assert first != second
    assert first.startswith(slug(LONG)[: SLUG_MAX - 1]) and len(first) <= SLUG_MAX + 9
    assert slug(LONG + " North") == first  # stable from run to run
    assert slug("🏥") != slug("🌿")
    assert slug("🏥").startswith("assessment-") and slug("!!!", "x").startswith("x-")
    assert slug("") == slug("   ") == "assessment"  # nothing given: the fallback alone


@given(st.text(min_size=1))
def test_slug_is_a_safe_file_name_part(name: str) -> None:
    """No separator, control or dot-only name; short enough for any file system."""
    part = slug(name)
    assert part and part not in (".", "..")
    assert not set(part) & set('/\\:*?"<>|\x00\n\r\t')
    assert all(c == "-" or unicodedata.category(c)[0] in "LNM" for c in part)
    assert len((part + "-2026-10-01.pdf").encode("utf-8", "surrogatepass")) <= NAME_MAX


@given(st.text(min_size=1), st.integers(min_value=0), st.characters())
def test_names_share_a_slug_only_when_their_words_agree(name: str, at: int, char: str) -> None:
    """A name and the same name with one character changed: the same slug only if their
    letters and digits still agree (up to capitals and Latin accents), so a report is replaced
    only by one of the same program."""
    at %= len(name)
    other = name[:at] + char + name[at + 1 :]
    if slug(name) == slug(other):
        assert _slug_words(name) == _slug_words(other)
    if _slug_words(name) == _slug_words(other) and _slug_words(name):
        assert slug(name) == slug(other)


def _report(runner: CliRunner, folder: Path, name: str, date: str = "2026-10-01") -> Path:
    doc = {**RESPONSES, "program": {**RESPONSES["program"], "name": name}, "assessment_date": date}
    source = folder / f"{hashlib.sha256((name + date).encode()).hexdigest()[:8]}.json"
    source.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(cli, ["report", str(source), "-i", MINI], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return Path(result.stdout.strip())


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (LONG + " North", LONG + " South"),  # the same first 60 characters
        ("Центр «Надежда»", "Центр «Вера»"),  # Cyrillic (once slugged to 'assessment')
        ("中心", "診所"),  # CJK
        ("🏥", "🌿"),  # no letters at all
    ],
)
def test_default_report_names_of_two_programs_never_collide(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, first: str, second: str
) -> None:
    """Two programs, one date, no -o: two reports side by side in reports/."""
    monkeypatch.chdir(tmp_path)
    one, two = _report(runner, tmp_path, first), _report(runner, tmp_path, second)
    assert one != two
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == sorted([one.name, two.name])


def test_the_same_assessment_replaces_its_own_report(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run again for the same program and date (answers corrected, say): the report is
    replaced, not duplicated; another date is another report."""
    monkeypatch.chdir(tmp_path)
    one = _report(runner, tmp_path, "Центр «Надежда»")
    again = _report(runner, tmp_path, "Центр «Надежда»")
    later = _report(runner, tmp_path, "Центр «Надежда»", "2027-04-01")
    assert one == again != later
    assert len(list((tmp_path / "reports").iterdir())) == 2


def _instrument(items: int) -> dict[str, Any]:
    return build.tiny_instrument(items, per_dimension=50)


def test_the_instrument_model_itself_holds_the_limits() -> None:
    """Built in code rather than read from a file, an instrument over a limit is refused too."""
    Instrument.model_validate(_instrument(lim.MAX_ITEMS))
    with pytest.raises(
        ValidationError, match=f"{lim.MAX_ITEMS + 1} items; at most {lim.MAX_ITEMS}"
    ):
        Instrument.model_validate(_instrument(lim.MAX_ITEMS + 1))
    doc = _instrument(lim.MAX_CRITICAL_RULES + 1)
    for item in doc["domains"][0]["dimensions"][0]["items"]:
        item["critical"] = {"answers": [1], "finding": "Unsafe."}
    over = (
        f"{lim.MAX_CRITICAL_RULES + 1} items have a critical rule; at most {lim.MAX_CRITICAL_RULES}"
    )
    with pytest.raises(ValidationError, match=over):
        Instrument.model_validate(doc)


def test_every_limit_leaves_room_above_the_bundled_instrument(bundled: Instrument) -> None:
    """The bundled instrument and examples sit inside every limit (model/limits.py's bracketed
    figures), most of them well inside, so the limits only stop what no real assessment needs."""
    items = [item for _, _, item in bundled.iter_items()]
    assert len(items) < lim.MAX_ITEMS
    assert max(len(i.citations) for i in items) <= lim.MAX_ITEM_CITATIONS
    assert max(len(c.author) for c in bundled.citations) <= lim.AUTHOR_MAX
    sections = [ref.section or "" for i in items for ref in i.citations]
    assert max(map(len, sections)) <= lim.SECTION_MAX
    assert sum(1 for i in items if i.critical) * 2 <= lim.MAX_CRITICAL_RULES
    texts = [t for i in items for t in [i.recommendation, *i.recommendation_variants.values()]]
    assert max(map(len, texts)) * 1.5 <= lim.RECOMMENDATION_MAX
    assert max(len(a) for i in items for a in i.anchors.values()) * 1.3 <= lim.ANCHOR_MAX
    assert max(len(i.title) for i in items) * 1.5 <= lim.ITEM_TITLE_MAX
    for path in EXAMPLES.glob("*.json"):
        answers = json.loads(path.read_text(encoding="utf-8"))["answers"].values()
        total = sum(len(a.get(f, "")) for a in answers for f in ("note", "evidence", "na_reason"))
        assert total * 3 <= lim.ANSWER_TEXT_MAX
