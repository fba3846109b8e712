"""Untrusted text: escape sequences cleaned out, messages kept on one printable line, encodings."""

from __future__ import annotations

import codecs

import pytest
from hypothesis import given
from hypothesis import strategies as st

from audit_kit.errors import Location, Problem, ResponsesError, printable
from audit_kit.fsutil import decode_text, text_encoding
from audit_kit.model.responses import Answer, Program, clean_text

# What must never survive cleaning: C0 and C1 controls (tab and line feed aside), DEL, explicit
# bidirectional controls, lone surrogates.
FORBIDDEN = {chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)]} - {"\t", "\n"}
FORBIDDEN |= {chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]}


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Casa \x1b]0;pwn\x07Esperanza", "Casa Esperanza"),  # OSC ended by BEL
        ("Casa \x1b]0;pwn\x1b\\Esperanza", "Casa Esperanza"),  # OSC ended by ST
        ("Casa \x1b]8;;http://x.test\x1b\\link\x1b]8;;\x1b\\", "Casa link"),  # hyperlink
        ("\x1b[2J\x1b[1;31mRed\x1b[0m", "Red"),  # CSI with parameters
        ("\x1b[?25lhidden cursor", "hidden cursor"),  # private CSI
        ("\x9b31mC1 CSI\x9d0;pwn\x9c", "C1 CSI"),  # the one-character C1 forms
        ("Title\x1b]0;never ended", "Title"),  # unterminated OSC: to the end of the line
        ("Title\x1b]0;cut\nnext line", "Title\nnext line"),
        ("\x1bPq#0;2;0;0;0\x1b\\sixel", "sixel"),  # DCS
        ("keypad\x1b=\x1b>", "keypad"),  # two-byte escapes
        ("nul\x00 bell\x07 back\x08 del\x7f", "nul bell back del"),
        ("a\r\nb\rc\x85d\u2028e\u2029f", "a\nb\nc\nd\ne\nf"),
        ("evil\u202etxt.exe\u202c \u2066x\u2069", "eviltxt.exe x"),
        ("lone \ud800 surrogate", "lone  surrogate"),
    ],
)
def test_escape_sequences_are_taken_out_whole(raw: str, clean: str) -> None:
    """Nothing of a sequence is left behind (no ']0;pwn', no '[31m')."""
    assert clean_text(raw) == clean


@pytest.mark.parametrize(
    "text",
    [
        "Clínica Señora de la Paz — “Esperanza” ≥ 90%",
        "Центр «Надежда», Ελληνικά, Tiếng Việt",
        "中心 日本語 한국어",
        "مركز الأمل \u200f(RTL mark kept)",
        "עברית",
        "हिन्दी केंद्र",
        "👩🏽‍⚕️ family 👨‍👩‍👧 flags 🇲🇽",
        "tabs\tand\nline feeds",
    ],
)
def test_normal_unicode_is_kept(text: str) -> None:
    """Letters of every script, emoji (with their joiners), tabs and line feeds stay as given."""
    assert clean_text(text) == text


@given(st.text())
def test_cleaning_leaves_nothing_a_terminal_acts_on(text: str) -> None:
    """Whatever comes in: no control, bidi or surrogate character out, and cleaning twice
    changes nothing more."""
    cleaned = clean_text(text)
    assert not FORBIDDEN & set(cleaned)
    assert not any(0xD800 <= ord(c) <= 0xDFFF for c in cleaned)
    assert clean_text(cleaned) == cleaned


def test_the_models_clean_every_text_field() -> None:
    """Program, answer and populations text is cleaned on the way in, from any format."""
    program = Program(name="Casa\x1b]0;pwn\x07 Esperanza", populations=["adults\x1b[31m"])
    assert program.name == "Casa Esperanza" and program.populations == ["adults"]
    answer = Answer(value=3, note="ok\x9b2J", evidence="\u202epolicy", na_reason=None)
    assert (answer.note, answer.evidence) == ("ok", "policy")


@given(st.text())
def test_messages_stay_on_one_printable_line(text: str) -> None:
    """Whatever a file holds, a problem quoting it prints as one line with no control, bidi or
    surrogate character: they show as escapes."""
    shown = str(Problem(Location(file=text, path=text), text))
    assert "\n" not in shown
    assert not FORBIDDEN & set(shown)
    assert not any(0xD800 <= ord(c) <= 0xDFFF for c in shown)
    shown.encode("utf-8")  # printable to any UTF-8 terminal


def test_escapes_in_messages_are_shown_not_acted_on() -> None:
    """The reader sees what is in the file, written out."""
    assert printable("a\x1b]0;pwn\x07b\u202ec\ud800") == "a\\x1b]0;pwn\\x07b\\u202ec\\ud800"
    error = ResponsesError.single("bad", file="r\x1b[2J.json")
    assert str(error) == "r\\x1b[2J.json: bad"


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [
        ("utf-8", b""),
        ("utf-8", codecs.BOM_UTF8),
        ("utf-16-le", codecs.BOM_UTF16_LE),
        ("utf-16-be", codecs.BOM_UTF16_BE),
        ("utf-16-le", b""),
        ("utf-16-be", b""),
        ("utf-32-le", codecs.BOM_UTF32_LE),
        ("utf-32-be", codecs.BOM_UTF32_BE),
        ("utf-32-le", b""),
        ("utf-32-be", b""),
    ],
)
def test_json_and_yaml_in_any_unicode_encoding(encoding: str, bom: bytes) -> None:
    """UTF-8, -16 and -32, with or without a byte-order mark, read to the same text (RFC 4627:
    the first character of JSON, or of an instrument's YAML, is ASCII)."""
    text = '{"program": {"name": "Clínica 中心 👩🏽‍⚕️"}}'
    raw = bom + text.encode(encoding)
    assert text_encoding(raw) == encoding
    assert decode_text(raw, "r.json", ResponsesError) == text


def test_undecodable_bytes_are_one_located_problem() -> None:
    """Legacy 8-bit text and broken UTF-16 say what the file is not and what to do."""
    with pytest.raises(ResponsesError) as caught:
        decode_text("Señora".encode("cp1252"), "r.json", ResponsesError)
    assert str(caught.value) == (
        "r.json:1: not UTF-8 text (byte 2 cannot be read); it may be in a legacy encoding such "
        "as Windows-1252; save it as UTF-8"
    )
    with pytest.raises(ResponsesError) as caught:
        decode_text(codecs.BOM_UTF16_LE + b"{\x00x", "r.json", ResponsesError)
    assert str(caught.value).startswith("r.json: not UTF-16 text (byte ")
