"""The PDF gap report, checked on its extracted text, its structure and its bytes."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from collections.abc import Callable
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs
from pypdf import PdfReader

from audit_kit import __version__
from audit_kit.catalog import load_instrument
from audit_kit.formats.responses_json import dump_responses
from audit_kit.model.instrument import Instrument
from audit_kit.model.responses import Answer, Responses, clean_text
from audit_kit.model.vocab import Setting
from audit_kit.outputs.pdf import (
    answer_words,
    answers_fingerprint,
    esc,
    finding_words,
    level_words,
    render_pdf,
    short_author,
)
from audit_kit.outputs.pdf.styles import printable
from audit_kit.scoring import score
from audit_kit.workflows.assess import assess

from conftest import DATA, EXAMPLES, build_responses
from strategies import answers_for, instruments, responses_for

EXAMPLE_NAMES = sorted(p.stem for p in EXAMPLES.glob("*.json"))
GOLDEN = Path(__file__).parent / "golden"
HOSTILE = [
    "<b>bold never closed",
    '<img src="/etc/passwd"/>',
    '<a href="javascript:alert(1)">click</a>',
    '<link href="javascript:alert(2)">x</link>',
    '<font name="NoSuchFont">font</font>',
    "R&D; AT&T &copy; &nbsp; &#169; &lt;",
    "quotes \" ' “curly” ‘single’ – — ≥ ≤ …",
]


def pdf_pages(data: bytes) -> list[str]:
    """Text of each page, one line per text line, inner whitespace collapsed."""
    reader = PdfReader(BytesIO(data))
    pages = []
    for page in reader.pages:
        lines = (" ".join(line.split()) for line in page.extract_text().splitlines())
        pages.append("\n".join(line for line in lines if line))
    return pages


def flat(data: bytes) -> str:
    """All the text of a PDF on one line, whitespace collapsed (for phrases that wrap)."""
    return " ".join(" ".join(pdf_pages(data)).split())


def body(data: bytes) -> str:
    """The text without running header, footer and page number, whitespace collapsed."""
    pages = pdf_pages(data)
    kept = ["\n".join(page.splitlines()[1 if n == 0 else 3 : -1]) for n, page in enumerate(pages)]
    return " ".join(" ".join(kept).split())


def squeeze(text: str) -> str:
    """Text without any whitespace (for long strings broken at arbitrary places)."""
    return "".join(text.split())


def render(instrument: Instrument, responses: Responses) -> bytes:
    return render_pdf(instrument, responses, score(instrument, responses))


def example(name: str) -> tuple[Any, bytes]:
    assessment = assess(EXAMPLES / f"{name}.json")
    data = render_pdf(assessment.instrument, assessment.responses, assessment.result)
    return assessment, data


@pytest.fixture(name="mini_responses")
def _mini_responses(mini: Instrument, make_responses: Callable[..., Responses]) -> Responses:
    return make_responses(
        mini,
        {
            "mat.admit": Answer(
                value=2,
                note="Methadone patients wait for a taper review.",
                evidence="Admission policy v3, p. 4",
            ),
            "mat.route": "referral",
            "mat.naloxone": 35,
            "mat.pregnancy": "na",
            "cod.screen": 4,
            "cod.crisis": 1,
        },
        setting=Setting.RESIDENTIAL,
        name="Casa Esperanza — Residencial",
    )


# ------------------------------------------------------------------------------------------
# The bundled examples: golden text and content


def test_examples_exist() -> None:
    """The golden tests below run on every bundled example; there must be some."""
    assert len(EXAMPLE_NAMES) >= 3


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_example_matches_golden_text(name: str, update_golden: bool) -> None:
    """Each example's report, as extracted text page by page, matches its reviewed golden file.

    Run ``pytest --update-golden`` after an intended change and review the diff.
    """
    _, data = example(name)
    pages = pdf_pages(data)
    text = "".join(
        f"=== page {n} of {len(pages)} ===\n{page}\n" for n, page in enumerate(pages, start=1)
    ).replace(__version__, "<version>")
    golden = GOLDEN / f"{name}.txt"
    if update_golden:
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert golden.exists(), f"no golden file {golden}; run pytest --update-golden"
    assert text == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_example_report_content(name: str) -> None:
    """Levels, critical findings with sources, the action plan and references are all there."""
    assessment, data = example(name)
    instrument, result = assessment.instrument, assessment.result
    pages = pdf_pages(data)
    text = flat(data)
    assert len(pages) >= 6
    for d in result.domains:
        assert " ".join(level_words(instrument, d).split()) in text
        assert d.level_name is None or d.level_name in text
    for finding in result.critical_findings:
        assert " ".join(finding.finding.split()) in text
        for citation in finding.citations:
            assert citation.author in text
    assert "Action plan" in text
    for gap in result.gaps:
        assert squeeze(gap.recommendation) in squeeze(text)
    assert "Appendix C. References" in text
    for citation in instrument.citations:
        assert squeeze(citation.reference()) in squeeze(text)
    for warning in result.warnings:
        assert " ".join(warning.split()) in text
    assert f"Page {len(pages)} of {len(pages)}" in pages[-1]
    assert all(f"Page {n} of {len(pages)}" in page for n, page in enumerate(pages, start=1))


def test_summary_page_has_chart_lines_and_levels() -> None:
    """The executive summary names each level in words and labels both chart lines."""
    assessment, data = example(EXAMPLE_NAMES[0])
    summary = "\n".join(pdf_pages(data)[1:3])
    assert "Executive summary" in summary
    assert "capable 3.0" in summary and "enhanced 4.5" in summary
    for d in assessment.result.domains:
        assert d.title.split()[0] in summary


def test_structure_metadata_outline_and_orientation() -> None:
    """Metadata, one bookmark per section, and a landscape action plan."""
    assessment, data = example(EXAMPLE_NAMES[0])
    result = assessment.result
    reader = PdfReader(BytesIO(data))
    meta = reader.metadata
    assert meta is not None
    assert result.program.name in (meta.title or "")
    assert meta.author == result.assessor
    assert answers_fingerprint(assessment.responses) in (meta.subject or "")
    assert meta.creation_date is not None
    assert meta.creation_date.date() == result.assessment_date
    top = [o.title for o in reader.outline if not isinstance(o, list)]
    expected = [
        "Cover",
        "Executive summary",
        *(d.title for d in assessment.instrument.domains),
        "Action plan",
        "Appendix A. Every answer",
        "Appendix B. Methods",
        "Appendix C. References",
        "About this report",
    ]
    assert top == expected
    pages_of = {
        o.title: reader.get_destination_page_number(o)
        for o in reader.outline
        if not isinstance(o, list)
    }
    assert pages_of["Cover"] == 0
    assert list(pages_of.values()) == sorted(pages_of.values())
    plan = reader.pages[pages_of["Action plan"]]
    assert plan.mediabox.width > plan.mediabox.height
    assert reader.pages[0].mediabox.width < reader.pages[0].mediabox.height


def test_every_font_is_embedded() -> None:
    """No base-14 font is referenced: every font has an embedded TrueType program."""
    _, data = example(EXAMPLE_NAMES[0])
    reader = PdfReader(BytesIO(data))
    names = set()
    for page in reader.pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            names.add(str(font["/BaseFont"]))
            assert "/FontFile2" in font["/FontDescriptor"].get_object(), font["/BaseFont"]
    assert names and all("Vera" in n for n in names)


@pytest.mark.skipif(
    not (shutil.which("pdffonts") and shutil.which("qpdf")), reason="poppler/qpdf not installed"
)
def test_pdffonts_and_qpdf(tmp_path: Path) -> None:
    """pdffonts lists only embedded subsets, and qpdf finds no structural error."""
    _, data = example(EXAMPLE_NAMES[0])
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    rows = fonts.stdout.splitlines()[2:]
    assert rows
    for row in rows:
        emb, sub = row.split()[-5:-3]
        assert (emb, sub) == ("yes", "yes"), row
    check = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def test_same_input_gives_identical_bytes(mini: Instrument, mini_responses: Responses) -> None:
    """Byte-identical output for the same input, in one process, from fresh objects."""
    first = render(mini, mini_responses)
    second = render(mini, Responses.model_validate(mini_responses.model_dump()))
    assert first == second
    _, a = example(EXAMPLE_NAMES[0])
    _, b = example(EXAMPLE_NAMES[0])
    assert a == b


def test_bytes_do_not_depend_on_the_environment(
    mini: Instrument, mini_responses: Responses, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SOURCE_DATE_EPOCH (which reportlab would otherwise read) changes nothing."""
    plain = render(mini, mini_responses)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert render(mini, mini_responses) == plain


def test_workbook_and_json_give_the_same_report(tmp_path: Path) -> None:
    """The same answers entered in the workbook give the same fingerprint and the same bytes."""
    xlsx_template = pytest.importorskip("audit_kit.formats.xlsx.template")
    assessment, from_json = example(EXAMPLE_NAMES[0])
    workbook = tmp_path / "answers.xlsx"
    workbook.write_bytes(
        xlsx_template.build_workbook(assessment.instrument, responses=assessment.responses)
    )
    again = assess(workbook)
    assert answers_fingerprint(again.responses) == answers_fingerprint(assessment.responses)
    assert render_pdf(again.instrument, again.responses, again.result) == from_json


def test_different_answers_give_different_fingerprints(
    mini: Instrument, mini_responses: Responses
) -> None:
    """The fingerprint is the SHA-256 of the canonical JSON, and changes with any answer."""
    fingerprint = answers_fingerprint(mini_responses)
    assert fingerprint == hashlib.sha256(dump_responses(mini_responses)).hexdigest()
    changed = mini_responses.model_copy(
        update={"answers": {**mini_responses.answers, "cod.screen": Answer(value=5)}}
    )
    assert answers_fingerprint(changed) != fingerprint
    data = render(mini, mini_responses)
    text = flat(data)
    grouped = " ".join(fingerprint[i : i + 8] for i in range(0, 64, 8))
    assert grouped in text
    assert fingerprint in squeeze(text)
    assert render(mini, changed) != data


def test_date_is_the_assessments(mini: Instrument, mini_responses: Responses) -> None:
    """The only dates in the report are the assessment's, never today's."""
    data = render(mini, mini_responses)
    text = flat(data)
    assert "October 1, 2026" in text and "2026-10-01" in text
    today = date.today()
    if today != mini_responses.assessment_date:
        assert today.isoformat() not in text
        assert f"{today:%Y%m%d}".encode() not in data


# ------------------------------------------------------------------------------------------
# User text: escaping, long text, characters outside the font


def test_hostile_text_comes_out_literally(
    mini: Instrument, make_responses: Callable[..., Responses]
) -> None:
    """Markup, links, images and entities in user text are printed, never interpreted."""
    note = "\n".join(HOSTILE)
    responses = make_responses(
        mini,
        {
            "mat.admit": Answer(value=2, note=note, evidence='<img src="x.png"> & "policy"'),
            "cod.crisis": Answer(value=1, note="<b>crisis</b>"),
            "mat.pregnancy": Answer(not_applicable=True, na_reason="<i>men only</i> &amp;"),
        },
        name='<font color="red">Clinic</font> & <b>Sons</b>',
    )
    data = render(mini, responses)
    text = flat(data)
    for line in HOSTILE:
        assert " ".join(line.split()) in text, line
    assert '<font color="red">Clinic</font> & <b>Sons</b>' in text
    assert '<img src="x.png"> & "policy"' in text
    assert "<i>men only</i> &amp;" in text
    assert b"/JavaScript" not in data and b"/URI" not in data and b"/Annot" not in data
    assert b"/Subtype /Image" not in data


def test_hostile_instrument_text_comes_out_literally(mini: Instrument) -> None:
    """A custom instrument's titles, anchors and citations are escaped as well."""
    doc = mini.model_dump(mode="json", exclude_none=True)
    doc["title"] = "Custom <b>instrument</b> &copy;"
    doc["domains"][0]["title"] = "Meds <i>& more</i>"
    doc["domains"][0]["dimensions"][0]["items"][0]["anchors"]["1"] = '<a href="javascript:x">1</a>'
    doc["domains"][0]["dimensions"][0]["items"][0]["recommendation_variants"] = {
        "outpatient": "Do <u>this</u> & that"
    }
    doc["citations"][0]["url"] = "javascript:alert(1)"
    doc["citations"][0]["title"] = "Guide <img src='/etc/passwd'>"
    custom = Instrument.model_validate(doc)
    data = render(custom, build_responses(custom, {"mat.admit": 1}))
    text = flat(data)
    assert "Custom <b>instrument</b> &copy;" in text
    assert "Meds <i>& more</i>" in text
    assert '<a href="javascript:x">1</a>' in text
    assert "Do <u>this</u> & that" in text
    assert "javascript:alert(1)" in text
    assert "Guide <img src='/etc/passwd'>" in text
    assert b"/JavaScript" not in data and b"/URI" not in data and b"/Subtype /Image" not in data


def test_a_5000_character_note_splits_across_pages(
    mini: Instrument, make_responses: Callable[..., Responses]
) -> None:
    """A note much taller than a page flows over several pages, in full, without an error
    (longer than the model accepts: the renderer copes all the same)."""
    words = " ".join(f"word{n:04d}" for n in range(556))[:5000]
    unbroken = "x" * 5000
    responses = make_responses(
        mini,
        {
            "mat.admit": Answer.model_construct(value=2, note=words),
            "cod.screen": Answer.model_construct(value=3, note=unbroken),
        },
    )
    data = render(mini, responses)
    short = render(mini, make_responses(mini, {"mat.admit": 2, "cod.screen": 3}))
    assert len(PdfReader(BytesIO(data)).pages) >= len(PdfReader(BytesIO(short)).pages) + 3
    text = body(data)
    # in full in its domain section, and again in Appendix A (there the repeated table
    # header interrupts it at the page break)
    assert " ".join(words.split()) in text
    assert all(text.count(f"word{n:04d}") == 2 for n in range(555))
    assert squeeze(text).count("x" * 1000) >= 2


def test_characters_outside_the_font_do_not_crash(
    mini: Instrument, make_responses: Callable[..., Responses]
) -> None:
    """Control characters go; Greek, CJK and emoji become '?'; Spanish stays as written."""
    note = "ctl\x00\x07\x1b[31m end · Ωμέγα 中文 🙂 zero\u200bwidth\u00a0nbsp Niños ≥ “ok”"
    responses = make_responses(mini, {"mat.admit": Answer(value=2, note=note)})
    kept = responses.answers["mat.admit"].note  # the escape sequence is gone on the way in
    text = flat(render(mini, responses))
    assert " ".join(printable(kept).split()) in text
    assert "ctl end · Ω???? ?? ? zerowidth nbsp Niños ≥ “ok”" in text


def test_printable_and_esc() -> None:
    """The two text guards on their own."""
    assert printable("a\x00b\r\nc\u200bd") == "ab\ncd"
    assert printable("e\u0301") == "é"  # decomposed accent composed, so the font has it
    assert printable("λ") == "?"
    assert esc("<b>&copy;</b>") == "&lt;b&gt;&amp;copy;&lt;/b&gt;"
    assert esc('it\'s "x"\nnext') == "it&#39;s &quot;x&quot;<br/>next"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    note=hs.text(
        alphabet=hs.characters(codec="utf-8", categories=["L", "N", "P", "S", "Zs"]),
        max_size=300,
    ),
    # a name of nothing but control characters is empty once cleaned, and refused
    name=hs.text(min_size=1, max_size=80).filter(lambda s: clean_text(s).strip()),
)
def test_any_user_text_renders(note: str, name: str) -> None:
    """Whatever a user types in a note or a program name, the report renders and shows it."""
    mini = load_instrument(DATA / "mini.yaml")
    responses = build_responses(
        mini, {"mat.admit": Answer(value=2, note=note or None), "cod.crisis": 3}, name=name
    )
    text = squeeze(flat(render(mini, responses)))
    assert squeeze(printable(note).replace("?", "")) in text.replace("?", "")


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=hs.data())
def test_any_instrument_and_answers_render(data: hs.DataObject) -> None:
    """Random instruments and answers (N/A, unanswered, critical) always give a report."""
    instrument = data.draw(instruments())
    setting = data.draw(hs.sampled_from(list(Setting)))
    responses = responses_for(instrument, data.draw(answers_for(instrument, setting)), setting)
    result = score(instrument, responses)
    pdf = render_pdf(instrument, responses, result)
    text = flat(pdf)
    for d in result.domains:
        assert " ".join(level_words(instrument, d).split()) in text
    assert f"{len(result.gaps)} action" in text


# ------------------------------------------------------------------------------------------
# Incomplete assessments, warnings and the words used


def test_incomplete_assessment_states_insufficient_evidence(
    mini: Instrument, make_responses: Callable[..., Responses]
) -> None:
    """A half-answered assessment renders, and says why a domain has no level."""
    responses = make_responses(mini, {"mat.admit": 4})
    result = score(mini, responses)
    text = flat(render_pdf(mini, responses, result))
    assert "insufficient evidence — more than 20% unanswered" in text
    assert "Not answered (3)" in text and "Not answered (2)" in text
    for warning in result.warnings:
        assert " ".join(warning.split()) in text
    empty = render(mini, make_responses(mini, {}))
    assert "No actions: every answered item scored 5." in flat(empty)


def test_incomplete_bundled_assessment(
    bundled: Instrument, make_responses: Callable[..., Responses]
) -> None:
    """The bundled instrument with a handful of answers still gives a full report."""
    first = [i.id for _, _, i in bundled.iter_items() if i.kind.value == "scale"][:3]
    responses = make_responses(bundled, dict.fromkeys(first, 2))
    text = flat(render(bundled, responses))
    assert text.count("No level: insufficient evidence") >= len(bundled.domains)


def test_capped_level_and_warnings_are_written_out(
    mini: Instrument, make_responses: Callable[..., Responses]
) -> None:
    """A critical finding's cap is stated in words; so are answers ignored for the setting."""
    responses = make_responses(
        mini,
        {
            "cod.screen": 5,
            "cod.crisis": 1,
            "mat.admit": 5,
            "mat.route": "on_site",
            "mat.naloxone": 95,
            "mat.pregnancy": 5,
            "mat.storage": 4,
        },
        setting=Setting.OUTPATIENT,
    )
    result = score(mini, responses)
    text = flat(render_pdf(mini, responses, result))
    cod = result.domain("cod")
    assert cod.capped
    assert "Critical finding: not capable until resolved (the scores alone give: " in text
    assert "No suicide-risk screening or crisis protocol." in text
    assert "MAT-5 Medication storage: answered, but it does not apply" in text
    assert "its answer was not scored." in text
    assert "Test Society (2020)" in text


def test_setting_variant_recommendation_is_used(
    mini: Instrument, make_responses: Callable[..., Responses]
) -> None:
    """The action plan gives the recommendation written for the program's setting."""
    hospital = make_responses(mini, {"mat.admit": 2}, hospital_based=True)
    other = make_responses(mini, {"mat.admit": 2}, hospital_based=False)
    assert "Ask the hospital pharmacy to stock every MOUD." in flat(render(mini, hospital))
    assert "Contract a prescriber to continue MOUD on site." in flat(render(mini, other))


def test_words_for_answers_and_findings(mini: Instrument, mini_responses: Responses) -> None:
    """Answers and findings in words: exact anchor, between two anchors, choice, percent."""
    result = score(mini, mini_responses)
    admit, route, naloxone = (result.item(i) for i in ("mat.admit", "mat.route", "mat.naloxone"))
    assert finding_words(mini.item("mat.admit"), admit) == (
        "Scored 2 of 5, between the anchors for 1 and 3; at 1: “Refused or told to taper.”"
    )
    assert finding_words(mini.item("mat.route"), route) == (
        "Answered “By written referral” (3 of 5): “Referral only.”"
    )
    assert answer_words(mini.item("mat.naloxone"), naloxone) == "35% of audited charts (2 of 5)"
    assert answer_words(mini.item("mat.pregnancy"), result.item("mat.pregnancy")) == (
        "Not applicable"
    )
    assert answer_words(mini.item("mat.storage"), result.item("mat.storage")) == "Unanswered"


@pytest.mark.parametrize(
    ("author", "short"),
    [
        ("American Society of Addiction Medicine (ASAM)", "ASAM"),
        ("Galanter M", "Galanter"),
        ("Timko C, DeBenedetti A", "Timko and DeBenedetti"),
        ("McGovern MP, Matzkin AL, Giard J", "McGovern et al."),
        ("Campbell BK, et al.", "Campbell et al."),
        ("The Joint Commission", "The Joint Commission"),
        ("Project MATCH Research Group", "Project MATCH Research Group"),
    ],
)
def test_short_author(author: str, short: str) -> None:
    """In-text citation labels."""
    assert short_author(author) == short


def test_large_custom_instrument(mini: Instrument) -> None:
    """Sixty dimensions still fit the chart on one page, and long instrument text wraps."""
    doc = mini.model_dump(mode="json", exclude_none=True)
    template = doc["domains"][1]["dimensions"][0]["items"][0]
    doc["domains"][1]["dimensions"] = [
        {
            "id": f"dim{n}",
            "title": f"Dimension {n} " + "with a long title " * 4,
            "items": [
                {
                    **template,
                    "id": f"cod.item{n}",
                    "recommendation": "Do this. " * 88,
                    "anchors": {"1": "low " * 120, "3": "mid", "5": "high"},
                }
            ],
        }
        for n in range(60)
    ]
    custom = Instrument.model_validate(doc)
    answers = {f"cod.item{n}": Answer(value=1 + n % 5) for n in range(60)}
    responses = Responses(
        instrument_id="mini",
        instrument_version="1.0",
        program={"name": "P", "setting": "outpatient", "hospital_based": False},
        assessment_date=date(2026, 1, 2),
        answers=answers,
    )
    text = flat(render(custom, responses))
    assert "Dimension 59 with a long" in text and "Action plan" in text


def test_same_short_label_gets_a_letter(mini: Instrument) -> None:
    """Two sources that would read 'Test Society (2020)' are told apart as 2020a and 2020b."""
    doc = mini.model_dump(mode="json", exclude_none=True)
    doc["citations"][1].update(author="Test Society", year=2020)
    custom = Instrument.model_validate(doc)
    text = flat(render(custom, build_responses(custom, {"mat.route": "none"})))
    assert "Test Society (2020a)" in text and "Test Society (2020b)" in text
    assert re.search(r"Test Society \(2020b\), EP 2", text)
