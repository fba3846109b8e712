"""The PDF gap report, checked on its extracted text, its layout, its structure and its bytes."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from collections.abc import Callable
from datetime import date
from functools import cache
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
from audit_kit.model.responses import Answer, Program, Responses, clean_text
from audit_kit.model.result import ScoreResult
from audit_kit.model.vocab import GapKind, Setting
from audit_kit.outputs.pdf import (
    answer_words,
    answers_fingerprint,
    esc,
    finding_words,
    render_pdf,
    render_report,
    short_author,
)
from audit_kit.outputs.pdf import styles as st
from audit_kit.outputs.pdf.chart import ProfileChart, chart_rows
from audit_kit.outputs.pdf.styles import PLACEHOLDER, printable
from audit_kit.outputs.wording import standing
from audit_kit.scoring import score
from audit_kit.workflows.assess import Assessment, assess

from conftest import DATA, EXAMPLES, build_responses
from strategies import answers_for, instruments, responses_for

EXAMPLE_NAMES = sorted(p.stem for p in EXAMPLES.glob("*.json"))
GOLDEN = Path(__file__).parent / "golden"
MAX_PAGES = 8
HOSTILE = [
    "<b>bold never closed",
    '<img src="/etc/passwd"/>',
    '<a href="javascript:alert(1)">click</a>',
    '<link href="javascript:alert(2)">x</link>',
    '<font name="NoSuchFont">font</font>',
    "R&D; AT&T &copy; &nbsp; &#169; &lt;",
    "quotes \" ' “curly” ‘single’ – — ≥ ≤ …",
]
TOP_PARTS = ["Summary", "Scores by dimension", "Findings by domain", "References"]
APPENDICES = [
    "Appendix A. Every answer",
    "Appendix B. Methods",
    "Appendix C. About this report",
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
    """The text without the running header, footer and page numbers, whitespace collapsed."""
    pages = pdf_pages(data)
    draft = pages[0].startswith("DRAFT\n")
    kept = []
    for n, page in enumerate(pages):
        furniture = (1 if n == 0 else 3) + (1 if draft else 0)
        kept.append("\n".join(page.splitlines()[furniture:-1]))
    return " ".join(" ".join(kept).split())


def squeeze(text: str) -> str:
    """Text without any whitespace (for long strings broken at arbitrary places)."""
    return "".join(text.split())


def render(instrument: Instrument, responses: Responses, full: bool = False) -> bytes:
    return render_pdf(instrument, responses, score(instrument, responses), full=full)


@cache
def _example(name: str, full: bool) -> tuple[Assessment, bytes]:
    assessment = assess(EXAMPLES / f"{name}.json")
    result = assessment.result
    return assessment, render_pdf(assessment.instrument, assessment.responses, result, full=full)


def example(name: str, full: bool = False) -> tuple[Assessment, bytes]:
    """A bundled example's assessment and report (rendered once per test session)."""
    return _example(name, full)


def outline(data: bytes) -> list[tuple[str, int, int]]:
    """(title, depth, page index) of every outline entry, in order."""
    reader = PdfReader(BytesIO(data))
    entries: list[tuple[str, int, int]] = []

    def walk(nodes: list[Any], depth: int) -> None:
        for node in nodes:
            if isinstance(node, list):
                walk(node, depth + 1)
            else:
                entries.append((node.title, depth, reader.get_destination_page_number(node)))

    walk(reader.outline, 0)
    return entries


def text_runs(data: bytes) -> list[list[tuple[float, float, str]]]:
    """For each page, every piece of text drawn: (font size, baseline y, text)."""
    pages: list[list[tuple[float, float, str]]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        if text.strip():
            scale = abs(tm[3] * cm[3]) or 1.0
            pages[-1].append((size * scale, cm[3] * tm[5] + cm[5], text))

    for page in PdfReader(BytesIO(data)).pages:
        pages.append([])
        page.extract_text(visitor_text=visit)
    return pages


def ids_in(text: str, instrument: Instrument) -> list[str]:
    """Item ids (such as mat.admit_on_moud) that occur in a text, even broken across lines."""
    flat_text = squeeze(text)
    return [i for i in instrument.item_ids if i in flat_text]


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


def draft_responses(instrument: Instrument, answered: int) -> Responses:
    """A bundled example cut down to its first ``answered`` answers, without a date."""
    full = assess(EXAMPLES / "residential-12step.json").responses
    kept = dict(list(full.answers.items())[:answered])
    return full.model_copy(update={"answers": kept, "assessment_date": None})


# ------------------------------------------------------------------------------------------
# The bundled examples: golden text, length and content


def test_examples_exist() -> None:
    """The tests below run on every bundled example; there must be some."""
    assert len(EXAMPLE_NAMES) >= 3


@pytest.mark.parametrize(
    ("name", "full"), [(name, False) for name in EXAMPLE_NAMES] + [("residential-12step", True)]
)
def test_example_matches_golden_text(name: str, full: bool, update_golden: bool) -> None:
    """Each example's report, as extracted text page by page, matches its reviewed golden file.

    Run ``pytest --update-golden`` after an intended change and review the diff.
    """
    _, data = example(name, full)
    pages = pdf_pages(data)
    text = "".join(
        f"=== page {n} of {len(pages)} ===\n{page}\n" for n, page in enumerate(pages, start=1)
    ).replace(__version__, "<version>")
    golden = GOLDEN / f"{name}{'-full' if full else ''}.txt"
    if update_golden:
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert golden.exists(), f"no golden file {golden}; run pytest --update-golden"
    assert text == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_default_report_is_short(name: str) -> None:
    """At most 8 pages; the full report adds the appendices and so is longer."""
    _, data = example(name)
    _, full = example(name, full=True)
    pages = len(PdfReader(BytesIO(data)).pages)
    assert pages <= MAX_PAGES
    assert len(PdfReader(BytesIO(full)).pages) > pages


@pytest.mark.parametrize("full", [False, True])
@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_no_item_id_anywhere_people_read(name: str, full: bool) -> None:
    """People read codes such as MAT-4; item ids stay in the machine-readable outputs."""
    assessment, data = example(name, full)
    text = flat(data)
    assert ids_in(text, assessment.instrument) == []
    for gap in assessment.result.gaps:
        assert re.search(rf"\b{re.escape(gap.code)}\b", text), gap.code


@pytest.mark.parametrize("full", [False, True])
@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_each_recommendation_is_printed_once(name: str, full: bool) -> None:
    """A recommendation is printed once, with its sources; a step left out of the short report
    is named by code and title, and spelled out in the full one."""
    assessment, data = example(name, full)
    result = assessment.result
    text = squeeze(body(data))
    critical = {f.item_id for f in result.critical_findings}
    spelled = 0
    for gap in result.gaps:
        times = text.count(squeeze(gap.recommendation))
        if full or gap.kind is not GapKind.TOWARDS_ENHANCED or _next_is_enhanced(result, gap):
            assert times == 1, (gap.code, times)
            spelled += 1
            if gap.item_id not in critical:  # a critical one cites the finding's sources too
                sources = "; ".join(
                    _label(c.abbreviation, c.author, c.year) + (f", {s}" if full and s else "")
                    for c, s in zip(gap.citations, gap.sections, strict=True)
                )
                noun = "Source" if len(gap.citations) == 1 else "Sources"
                assert squeeze(f"{gap.recommendation} {noun}: {sources}.") in text, gap.code
        else:
            assert times == 0, gap.code
            assert squeeze(f"{gap.code} {gap.title}") in text
    assert spelled > 0


def _next_is_enhanced(result: ScoreResult, gap: Any) -> bool:
    d = result.domain(gap.domain_id)
    return d.level is not None and d.level.value in ("capable", "enhanced") and not d.capped


def _label(abbreviation: str | None, author: str, year: int) -> str:
    return f"{abbreviation or short_author(author)} ({year})"


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_page_one_answers_the_boards_three_questions(name: str) -> None:
    """Where we stand (each domain's standing and score), what is dangerous (each critical
    finding by code, in one entry) and what to do first; no hash and no ids."""
    assessment, data = example(name)
    result = assessment.result
    first = " ".join(pdf_pages(data)[0].split())
    for heading in ("Where we stand", "What is dangerous", "What we do first"):
        assert heading in first
    for d in result.domains:
        assert " ".join(standing(d).split()) in first
        assert f"{d.score:.2f}" in first
    for finding in result.critical_findings:
        assert f"{finding.code} {' '.join(finding.finding.split())}" in first
    if not result.critical_findings:
        assert "No critical findings" in first
    assert "Within 30 days" in first and "Within 90 days" in first
    assert answers_fingerprint(assessment.responses)[:8] not in squeeze(first)
    assert "SHA" not in first
    assert ids_in(first, assessment.instrument) == []


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_example_report_content(name: str) -> None:
    """Standings, critical findings with their sources, the chart, methods and references."""
    assessment, data = example(name)
    result = assessment.result
    pages = pdf_pages(data)
    text = flat(data)
    for d in result.domains:
        assert " ".join(standing(d).split()) in text
    for finding in result.critical_findings:
        for citation in finding.citations:
            assert _label(citation.abbreviation, citation.author, citation.year) in text
    assert "How the scores work" in text and "never count, for or against" in text
    assert "References" in text
    for warning in result.warnings:
        assert " ".join(warning.split()) in text
    assert all(f"Page {n} of {len(pages)}" in page for n, page in enumerate(pages, start=1))
    assert "DRAFT" not in text


def test_the_references_list_what_is_cited() -> None:
    """The short report lists each source it cites (author, year, title); the full one adds
    where each was published."""
    assessment, data = example("residential-12step")
    _, full = example("residential-12step", full=True)
    text, full_text = squeeze(body(data)), squeeze(body(full))
    result = assessment.result
    cited = {c.id for f in result.critical_findings for c in f.citations}
    cited |= {
        c.id
        for g in result.gaps
        if g.kind is not GapKind.TOWARDS_ENHANCED or _next_is_enhanced(result, g)
        for c in g.citations
    }
    for citation in assessment.instrument.citations:
        if citation.id not in cited:
            assert squeeze(citation.title) not in text
            continue
        assert squeeze(citation.title) in text
        if citation.published_in:
            assert squeeze(citation.published_in) in full_text


def test_chart_shows_every_dimension_from_zero() -> None:
    """Every dimension has a bar from 0, a 1.00 included, with its score and band in words."""
    assessment, data = example("residential-12step")
    result = assessment.result
    chart_page = next(p for p in pdf_pages(data) if "Scores by dimension" in p)
    flat_chart = " ".join(chart_page.split())
    assert "capable 3.0" in flat_chart and "enhanced 4.5" in flat_chart
    assert "0 1 2 3 4 5" in flat_chart
    ones = [m for m in result.dimensions if m.score == 1.0]
    assert ones, "the example should have a dimension at 1.00"
    for m in result.dimensions:
        assert m.score is not None
        word = "not yet capable" if m.score < 2 else ""
        assert f"{m.score:.2f} {word}".strip() in flat_chart
    # every scored row draws a bar of positive width that starts at the 0 line
    chart = ProfileChart(chart_rows(_report_for(assessment)))
    bars = _bars_drawn(chart)
    assert len(bars) == sum(1 for r in chart.rows if r.score is not None)
    zero = chart._x(0)
    for (x, width), row in zip(bars, [r for r in chart.rows if r.score is not None], strict=True):
        assert x == pytest.approx(zero)
        assert width == pytest.approx(chart._x(row.score) - zero) and width > 0


def _report_for(assessment: Assessment) -> Any:
    from audit_kit.outputs.pdf.blocks import Report, short_cites

    return Report(
        instrument=assessment.instrument,
        responses=assessment.responses,
        result=assessment.result,
        styles=st.build_styles(),
        fingerprint=answers_fingerprint(assessment.responses),
        short_cites=short_cites(assessment.instrument.citations),
    )


def _bars_drawn(chart: ProfileChart) -> list[tuple[float, float]]:
    """(x, width) of each filled rectangle the chart draws, in order."""
    drawn: list[tuple[float, float]] = []

    class Canvas:
        def rect(self, x: float, y: float, w: float, h: float, stroke: int, fill: int) -> None:
            drawn.append((x, w))

        def __getattr__(self, name: str) -> Callable[..., None]:
            return lambda *args, **kwargs: None

    chart.canv = Canvas()  # type: ignore[assignment]
    chart.draw()
    return drawn


@pytest.mark.parametrize("full", [False, True])
def test_type_sizes(full: bool) -> None:
    """Text on the page (header and footer aside) is at least 8.5 pt; body text 9.5 pt."""
    _, data = example("residential-12step", full)
    top = st.PAGE[1] - st.MARGIN_TOP + 2
    bottom = st.MARGIN_BOTTOM - 2
    sizes = [
        round(size, 2) for page in text_runs(data) for size, y, _ in page if bottom <= y <= top
    ]
    assert sizes and min(sizes) >= 8.5
    styles = st.build_styles()
    assert styles["Body"].fontSize >= 9.5 and styles["Bullet"].fontSize >= 9.5
    assert min(s.fontSize for s in styles.byName.values()) >= 8.5


@pytest.mark.parametrize("full", [False, True])
@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_no_page_is_less_than_half_full(name: str, full: bool) -> None:
    """Every page but the last is at least half full, unless a new part starts on the next."""
    _, data = example(name, full)
    starts = {page for title, depth, page in outline(data) if depth == 0}
    runs = text_runs(data)
    frame_top = st.PAGE[1] - st.MARGIN_TOP
    half = frame_top - st.FRAME_HEIGHT / 2
    for n, page in enumerate(runs[:-1]):
        if n + 1 in starts:
            continue
        lowest = min(y for _, y, _ in page if y > st.MARGIN_BOTTOM - 2)
        assert lowest < half, f"page {n + 1} is less than half full"


def test_structure_metadata_and_outline() -> None:
    """Metadata, a bookmark per part and per domain, portrait pages, the appendices in --full."""
    assessment, data = example(EXAMPLE_NAMES[0])
    result = assessment.result
    reader = PdfReader(BytesIO(data))
    meta = reader.metadata
    assert meta is not None
    assert result.program.display_name in (meta.title or "")
    assert meta.author == result.assessor
    assert answers_fingerprint(assessment.responses) in (meta.subject or "")
    assert meta.creation_date is not None
    assert meta.creation_date.date() == result.assessment_date
    entries = outline(data)
    assert [t for t, depth, _ in entries if depth == 0] == TOP_PARTS
    assert [t for t, depth, _ in entries if depth == 1] == [
        d.title for d in assessment.instrument.domains
    ]
    assert entries[0][2] == 0
    assert [p for _, _, p in entries] == sorted(p for _, _, p in entries)
    assert all(page.mediabox.width < page.mediabox.height for page in reader.pages)
    _, full = example(EXAMPLE_NAMES[0], full=True)
    assert [t for t, depth, _ in outline(full) if depth == 0] == TOP_PARTS + APPENDICES


@pytest.mark.parametrize("full", [False, True])
def test_every_font_is_embedded(full: bool) -> None:
    """No base-14 font is referenced: every font has an embedded TrueType program."""
    _, data = example(EXAMPLE_NAMES[0], full)
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
@pytest.mark.parametrize("full", [False, True])
def test_pdffonts_and_qpdf(tmp_path: Path, full: bool) -> None:
    """pdffonts lists only embedded subsets, and qpdf finds no structural error."""
    _, data = example(EXAMPLE_NAMES[0], full)
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
    for full in (False, True):
        first = render(mini, mini_responses, full)
        again = Responses.model_validate(mini_responses.model_dump())
        assert render(mini, again, full) == first
    a = assess(EXAMPLES / f"{EXAMPLE_NAMES[0]}.json")
    b = assess(EXAMPLES / f"{EXAMPLE_NAMES[0]}.json")
    assert render_pdf(a.instrument, a.responses, a.result) == render_pdf(
        b.instrument, b.responses, b.result
    )


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


def test_fingerprint_is_in_the_full_report_only(
    mini: Instrument, mini_responses: Responses
) -> None:
    """The SHA-256 of the canonical JSON is printed in --full (and is in every report's
    metadata); it changes with any answer."""
    fingerprint = answers_fingerprint(mini_responses)
    assert fingerprint == hashlib.sha256(dump_responses(mini_responses)).hexdigest()
    changed = mini_responses.model_copy(
        update={"answers": {**mini_responses.answers, "cod.screen": Answer(value=5)}}
    )
    assert answers_fingerprint(changed) != fingerprint
    short, full = render(mini, mini_responses), render(mini, mini_responses, full=True)
    grouped = " ".join(fingerprint[i : i + 8] for i in range(0, 64, 8))
    assert grouped in flat(full) and fingerprint in squeeze(flat(full))
    assert fingerprint[:8] not in flat(short)
    assert fingerprint.encode() in short
    assert render(mini, changed, full=True) != full


def test_date_is_the_assessments(mini: Instrument, mini_responses: Responses) -> None:
    """The only dates in the report are the assessment's, never today's."""
    data = render(mini, mini_responses, full=True)
    text = flat(data)
    assert "October 1, 2026" in text and "2026-10-01" in text
    today = date.today()
    if today != mini_responses.assessment_date:
        assert today.isoformat() not in text
        assert f"{today:%Y%m%d}".encode() not in data


# ------------------------------------------------------------------------------------------
# Drafts: a domain with too few answers, or a profile field missing


def test_draft_mark_exactly_when_a_domain_lacks_evidence(bundled: Instrument) -> None:
    """A draft mark on every page while a domain has insufficient evidence, and none after;
    page 1 says what is missing."""
    for answered in (12, 40, 60):
        responses = draft_responses(bundled, answered)
        responses = responses.model_copy(update={"assessment_date": date(2026, 10, 28)})
        result = score(bundled, responses)
        short = [d for d in result.domains if d.insufficient_evidence]
        for full in (False, True):
            pages = pdf_pages(render_pdf(bundled, responses, result, full=full))
            marked = [page.startswith("DRAFT\n") for page in pages]
            assert marked == [bool(short)] * len(pages), (answered, full)
        first = " ".join(pages[0].split())
        for d in short:
            assert f"{d.title} ({d.completeness.unanswered} of " in first
        assert ("Too few answers for a level" in first) == bool(short)
    assert any(
        d.insufficient_evidence for d in score(bundled, draft_responses(bundled, 12)).domains
    )
    _, complete = example("residential-12step")
    assert "DRAFT" not in flat(complete)


def test_a_report_with_every_profile_field_missing(bundled: Instrument) -> None:
    """No name, setting, hospital flag or date: it renders, marked as a draft, and page 1 names
    each missing field."""
    base = assess(EXAMPLES / "residential-12step.json").responses
    for program in (Program(), Program(name="Casa"), Program(setting=Setting.OUTPATIENT)):
        responses = base.model_copy(update={"program": program, "assessment_date": None})
        result = score(bundled, responses)
        assert result.draft
        for full in (False, True):
            pages = pdf_pages(render_pdf(bundled, responses, result, full=full))
            assert all(page.startswith("DRAFT\n") for page in pages)
            first = " ".join(pages[0].split())
            assert "Not given: " in first
            for missing in result.missing:
                assert missing in first
            assert "Assessed on a date not given" in first


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
    short = render(mini, responses)
    assert '<font color="red">Clinic</font> & <b>Sons</b>' in flat(short)
    data = render(mini, responses, full=True)
    text = flat(data)
    for line in HOSTILE:
        assert " ".join(line.split()) in text, line
    assert '<font color="red">Clinic</font> & <b>Sons</b>' in text
    assert '<img src="x.png"> & "policy"' in text
    assert "<i>men only</i> &amp;" in text
    for pdf in (short, data):
        assert b"/JavaScript" not in pdf and b"/URI" not in pdf and b"/Annot" not in pdf
        assert b"/Subtype /Image" not in pdf


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
    data = render(custom, build_responses(custom, {"mat.admit": 1}), full=True)
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
    """A note much taller than a page flows over several pages of the full report, in full,
    without an error (longer than the model accepts: the renderer copes all the same)."""
    words = " ".join(f"word{n:04d}" for n in range(556))[:5000]
    unbroken = "x" * 5000
    responses = make_responses(
        mini,
        {
            "mat.admit": Answer.model_construct(value=2, note=words),
            "cod.screen": Answer.model_construct(value=3, note=unbroken),
        },
    )
    data = render(mini, responses, full=True)
    short = render(mini, make_responses(mini, {"mat.admit": 2, "cod.screen": 3}), full=True)
    assert len(PdfReader(BytesIO(data)).pages) >= len(PdfReader(BytesIO(short)).pages) + 3
    text = body(data)
    # in full in Appendix A; the repeated table header may interrupt it at a page break
    assert all(text.count(f"word{n:04d}") == 1 for n in range(555))
    assert squeeze(text).count("x" * 1000) >= 1
    assert "word0001" not in flat(render(mini, responses))  # notes are for the full report


def test_characters_outside_the_font_are_shown_and_reported(
    mini: Instrument, make_responses: Callable[..., Responses]
) -> None:
    """Control characters go; Greek, CJK and emoji become a visible ◊ and a warning says which
    field and which characters; Spanish stays as written."""
    note = "ctl\x00\x07\x1b[31m end · Ωμέγα 中文 🙂 zero\u200bwidth\u00a0nbsp Niños ≥ “ok”"
    responses = make_responses(mini, {"mat.admit": Answer(value=2, note=note)})
    kept = responses.answers["mat.admit"].note  # the escape sequence is gone on the way in
    assert kept is not None
    result = score(mini, responses)
    rendered = render_report(mini, responses, result, full=True)
    text = flat(rendered.data)
    assert " ".join(printable(kept).split()) in text
    assert f"ctl end · Ω{PLACEHOLDER * 4} {PLACEHOLDER * 2} {PLACEHOLDER} zerowidth" in text
    assert "Niños ≥ “ok”" in text
    assert len(rendered.warnings) == 1
    warning = rendered.warnings[0]
    assert warning.startswith("MAT-1 note: ")
    for ch in "μέγα中":
        assert f"{ch} (U+{ord(ch):04X})" in warning
    assert "and 2 more" in warning
    # the short report prints no notes, so it has nothing to warn about
    assert render_report(mini, responses, result).warnings == []


def test_printable_and_esc() -> None:
    """The two text guards on their own."""
    assert printable("a\x00b\r\nc\u200bd") == "ab\ncd"
    assert printable("e\u0301") == "é"  # decomposed accent composed, so the font has it
    assert printable("λ") == PLACEHOLDER
    assert printable("q\u0303") == "q" + PLACEHOLDER  # a mark that composes with nothing
    assert esc("<b>&copy;</b>") == "&lt;b&gt;&amp;copy;&lt;/b&gt;"
    assert esc('it\'s "x"\nnext') == "it&#39;s &quot;x&quot;<br/>next"


_TEXT = hs.text(
    alphabet=hs.characters(codec="utf-8", categories=["L", "M", "N", "P", "S", "Zs"]),
    min_size=1,
    max_size=120,
).filter(lambda s: clean_text(s).strip())


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=_TEXT,
    assessor=_TEXT,
    population=_TEXT.filter(lambda s: "\n" not in s),
    note=_TEXT,
    evidence=_TEXT,
    reason=_TEXT,
)
def test_any_user_text_reaches_the_pdf(
    name: str, assessor: str, population: str, note: str, evidence: str, reason: str
) -> None:
    """Whatever is typed in any free-text field reaches the full report as the font can draw
    it, with ◊ for the rest, and exactly the fields with such characters are warned about."""
    mini = load_instrument(DATA / "mini.yaml")
    base = build_responses(
        mini,
        {
            "mat.admit": Answer(value=2, note=note, evidence=evidence),
            "mat.pregnancy": Answer(not_applicable=True, na_reason=reason),
            "cod.crisis": 3,
        },
    )
    program = Program(
        name=name, setting=Setting.OUTPATIENT, hospital_based=False, populations=[population]
    )
    responses = base.model_copy(update={"program": program, "assessor": assessor})
    # what the model keeps (stripped, cleaned) is what must appear
    kept = Responses.model_validate(responses.model_dump())
    rendered = render_report(mini, kept, score(mini, kept), full=True)
    text = squeeze(flat(rendered.data))
    fields = {
        "program name": kept.program.name,
        "assessor": kept.assessor,
        "population served": kept.program.populations[0],
        "MAT-1 note": kept.answers["mat.admit"].note,
        "MAT-1 evidence": kept.answers["mat.admit"].evidence,
        "MAT-4 N/A reason": kept.answers["mat.pregnancy"].na_reason,
    }
    for where, value in fields.items():
        assert value is not None
        assert squeeze(printable(value)) in text, where
    warned = {w.split(": ", 1)[0] for w in rendered.warnings}
    assert warned == {where for where, value in fields.items() if PLACEHOLDER in printable(value)}


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=hs.data())
def test_any_instrument_and_answers_render(data: hs.DataObject) -> None:
    """Random instruments and answers (N/A, unanswered, critical) always give a report that
    states each domain's standing, names each critical finding and is a draft when it must."""
    instrument = data.draw(instruments())
    setting = data.draw(hs.sampled_from(list(Setting)))
    responses = responses_for(instrument, data.draw(answers_for(instrument, setting)), setting)
    result = score(instrument, responses)
    for full in (False, True):
        text = flat(render_pdf(instrument, responses, result, full=full))
        for d in result.domains:
            assert " ".join(standing(d).split()) in text
        for finding in result.critical_findings:
            assert f"{finding.code} {finding.finding}" in text
        assert ("DRAFT" in text) == result.draft


# ------------------------------------------------------------------------------------------
# Incomplete assessments, warnings and the words used


def test_incomplete_assessment_states_insufficient_evidence(
    mini: Instrument, make_responses: Callable[..., Responses]
) -> None:
    """A half-answered assessment renders, and says why a domain has no level."""
    responses = make_responses(mini, {"mat.admit": 4})
    result = score(mini, responses)
    text = flat(render_pdf(mini, responses, result))
    assert "Insufficient evidence for a level (more than 20% of applicable items unanswered)" in (
        text
    )
    assert "Not answered (3):" in text and "Not answered (2):" in text
    for warning in result.warnings:
        assert " ".join(warning.split()) in text
    empty = flat(render(mini, make_responses(mini, {})))
    assert "Nothing critical to resolve." in empty and "No gaps below capable." in empty


def test_incomplete_bundled_assessment(
    bundled: Instrument, make_responses: Callable[..., Responses]
) -> None:
    """The bundled instrument with a handful of answers still gives a full report."""
    first = [i.id for _, _, i in bundled.iter_items() if i.kind.value == "scale"][:3]
    responses = make_responses(bundled, dict.fromkeys(first, 2))
    text = flat(render(bundled, responses))
    assert text.count("Insufficient evidence for a level") >= len(bundled.domains)


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
    assert "COD-2 No suicide-risk screening or crisis protocol." in text
    assert "MAT-5 Medication storage: answered, but it does not apply" in text
    assert "its answer was not scored." in text
    assert "Test Society (2020)" in text


def test_setting_variant_recommendation_is_used(
    mini: Instrument, make_responses: Callable[..., Responses]
) -> None:
    """The findings give the recommendation written for the program's setting."""
    hospital = make_responses(mini, {"mat.admit": 2}, hospital_based=True)
    other = make_responses(mini, {"mat.admit": 2}, hospital_based=False)
    assert "Ask the hospital pharmacy to stock every MOUD." in flat(render(mini, hospital))
    assert "Contract a prescriber to continue MOUD on site." in flat(render(mini, other))


def test_not_applicable_items_are_listed_with_their_reason(bundled: Instrument) -> None:
    """The full report lists every item that does not apply, with why; the short one counts
    them in the sentence on what was answered."""
    assessment, full = example("otp-no-mental-health", full=True)
    _, short = example("otp-no-mental-health")
    text = flat(full)
    skipped = [i for i in assessment.result.items if i.na_kind is not None]
    assert skipped
    for item in skipped:
        assert item.na_reason
        assert squeeze(item.na_reason) in squeeze(text)
    assert "Ruled out by an earlier answer" in text and "Outside the program's setting" in text
    assert f"{len(skipped)} did not apply" in flat(short)


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
    """Sixty dimensions: the chart runs over pages, and long instrument text wraps."""
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
    data = render(custom, responses)
    text = flat(data)
    assert "Dimension 59 with a long" in text and "Findings by domain" in text
    chart_pages = [p for p in pdf_pages(data) if "capable 3.0" in p]
    assert len(chart_pages) >= 2


def test_same_short_label_gets_a_letter(mini: Instrument) -> None:
    """Two sources that would read 'Test Society (2020)' are told apart as 2020a and 2020b;
    the full report gives the section relied on."""
    doc = mini.model_dump(mode="json", exclude_none=True)
    doc["citations"][1].update(author="Test Society", year=2020)
    custom = Instrument.model_validate(doc)
    responses = build_responses(custom, {"mat.route": "none"})
    text = flat(render(custom, responses))
    assert "Test Society (2020a)" in text and "Test Society (2020b)" in text
    assert re.search(r"Test Society \(2020b\), EP 2", flat(render(custom, responses, full=True)))
