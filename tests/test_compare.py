"""`audit-kit compare` and `report --previous`: what changed between two assessments."""

from __future__ import annotations

import json
from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as hst
from pypdf import PdfReader

from audit_kit.catalog import load_instrument
from audit_kit.cli import cli
from audit_kit.formats.responses_json import dump_responses
from audit_kit.model.comparison import Comparison, Direction
from audit_kit.model.instrument import Instrument
from audit_kit.model.migrate import version_key
from audit_kit.model.responses import Answer, Responses
from audit_kit.model.vocab import DomainState, ItemStatus
from audit_kit.outputs.pdf.kit import arrow
from audit_kit.scoring import score
from audit_kit.scoring.compare import compare

from conftest import DATA, EXAMPLES, all_answered, build_responses
from strategies import answers_for, instruments, responses_for

OLD_10 = DATA / "examples-1.0" / "residential-12step.json"
NEW_11 = EXAMPLES / "residential-12step.json"


def _write(folder: Path, responses: Responses, name: str) -> Path:
    path = folder / name
    path.write_bytes(dump_responses(responses))
    return path


def _in_order(instrument: Instrument, *item_ids: str) -> list[str]:
    """Item ids in instrument order, as every list of a comparison is."""
    return [i for i in instrument.item_ids if i in item_ids]


def _pair(bundled: Instrument) -> tuple[Responses, Responses, dict[str, str]]:
    """Two assessments of one program, one year apart, with each kind of change in them."""
    scale = [i.id for _, _, i in bundled.iter_items() if i.kind.value == "scale"]
    crit = [
        i.id
        for _, _, i in bundled.iter_items()
        if i.kind.value == "scale"
        and i.critical
        and 1 in i.critical.answers
        and i.applies_when is None
        and not i.applies_to
    ]
    plain = [
        i
        for i in scale
        if i not in crit and bundled.item(i).applies_when is None and not bundled.item(i).applies_to
    ]
    roles = {
        "closed": plain[0],
        "new": plain[1],
        "still": plain[2],
        "unconfirmed": plain[3],
        "resolved": crit[0],
        "new_critical": crit[1],
    }
    base = all_answered(bundled, 5)
    old = dict(base, **{roles["closed"]: 2, roles["still"]: 3, roles["unconfirmed"]: 2})
    old[roles["resolved"]] = 1
    new = dict(base, **{roles["new"]: 2, roles["still"]: 4})
    new[roles["new_critical"]] = 1
    del new[roles["unconfirmed"]]
    before = build_responses(bundled, old, name="Casa Esperanza").model_copy(
        update={"assessment_date": date(2025, 10, 1)}
    )
    after = build_responses(bundled, new, name="Casa Esperanza")
    return before, after, roles


def test_same_version_sorts_every_change_into_its_list(bundled: Instrument) -> None:
    """Gaps closed, new, still open and unconfirmed; criticals resolved and new; by item id."""
    before, after, roles = _pair(bundled)
    old, new = score(bundled, before), score(bundled, after)
    c = compare(bundled, old, bundled, new)
    assert [g.item_id for g in c.gaps_closed] == _in_order(
        bundled, roles["closed"], roles["resolved"]
    )
    assert [g.item_id for g in c.gaps_new] == _in_order(
        bundled, roles["new"], roles["new_critical"]
    )
    assert [g.item_id for g in c.gaps_still_open] == [roles["still"]]
    assert [g.item_id for g in c.gaps_unconfirmed] == [roles["unconfirmed"]]
    assert c.gaps_unconfirmed[0].new_status is ItemStatus.UNANSWERED
    assert [x.item_id for x in c.criticals_resolved] == [roles["resolved"]]
    assert [x.item_id for x in c.criticals_new] == [roles["new_critical"]]
    assert c.criticals_still_open == c.criticals_not_compared == []
    closed = {g.item_id: g for g in c.gaps_closed}[roles["closed"]]
    assert closed.code == bundled.code(roles["closed"])
    assert (closed.old_score, closed.new_score) == (2, 5)
    assert (c.gaps_still_open[0].old_score, c.gaps_still_open[0].new_score) == (3, 4)
    assert len(c.shared_items) == bundled.item_count
    assert c.shared_share == 1.0
    assert not c.across_versions


def test_domain_and_dimension_changes_follow_the_two_results(bundled: Instrument) -> None:
    """Every domain and dimension, matched by id: old and new score, state and direction."""
    before, after, roles = _pair(bundled)
    old, new = score(bundled, before), score(bundled, after)
    c = compare(bundled, old, bundled, new)
    assert [d.domain_id for d in c.domains] == [d.id for d in bundled.domains]
    for change in c.domains:
        was, now = old.domain(change.domain_id), new.domain(change.domain_id)
        assert (change.old_score, change.new_score) == (was.score, now.score)
        assert (change.old_state, change.new_state) == (was.state, now.state)
        assert change.old_headline == was.headline
        if was.score is not None and now.score is not None:
            assert change.score_change == round(now.score - was.score, 2)
    resolved_domain = bundled.item(roles["resolved"]).domain_id
    new_critical_domain = bundled.item(roles["new_critical"]).domain_id
    if resolved_domain != new_critical_domain:
        assert c.domain(resolved_domain).old_state is DomainState.CAPPED
        assert c.domain(resolved_domain).direction is Direction.UP
        assert c.domain(new_critical_domain).direction is Direction.DOWN
    keys = [(d.domain_id, d.dimension_id) for d in c.dimensions]
    assert keys == [(d.domain_id, d.dimension_id) for d in new.dimensions]
    for change in c.dimensions:
        old_dim = next(
            d
            for d in old.dimensions
            if d.dimension_id == change.dimension_id and d.domain_id == change.domain_id
        )
        assert change.old_score == old_dim.score


def test_across_versions_compares_only_the_items_that_mean_the_same() -> None:
    """1.0 → 1.1: items in both and not revised since 1.0 are compared; share of 1.1 given."""
    old_i, new_i = load_instrument("mat-tsf-cod@1.0"), load_instrument("mat-tsf-cod@1.1")
    from audit_kit.workflows.compare import compare_files

    c = compare_files(OLD_10, NEW_11).comparison
    same = [
        i
        for i in new_i.item_ids
        if old_i.has_item(i)
        and (new_i.item(i).revised_in is None or version_key(new_i.item(i).revised_in) <= (1, 0))
    ]
    revised = [i for i in new_i.item_ids if old_i.has_item(i) and i not in same]
    assert c.shared_items == same
    assert c.changed_meaning == revised
    assert c.new_item_count == new_i.item_count
    assert c.shared_share == len(same) / new_i.item_count
    assert set(c.only_new) == set(new_i.item_ids) - set(old_i.item_ids)
    assert set(c.only_old) == set(old_i.item_ids) - set(new_i.item_ids)
    listed = c.gaps_closed + c.gaps_new + c.gaps_still_open + c.gaps_unconfirmed
    assert {g.item_id for g in listed} <= set(same)
    assert {g.item_id for g in c.gaps_not_compared}.isdisjoint(same)
    # a critical finding on a revised item is reported, but never as resolved or still open
    assert {x.item_id for x in c.criticals_not_compared} & set(revised)
    assert {x.item_id for x in c.criticals_still_open} <= set(same)
    # domains added in 1.1 (dimensions) are marked new, not given a made-up old score
    added = [d for d in c.dimensions if not d.in_old]
    assert added and all(d.old_score is None and d.score_change is None for d in added)
    assert any("across instrument versions" in w for w in c.warnings)


def test_order_of_versions_does_not_change_what_is_shared() -> None:
    """Given newest first, the same items are shared, and a note says to check the order."""
    from audit_kit.workflows.compare import compare_files

    forward = compare_files(OLD_10, NEW_11).comparison
    backward = compare_files(NEW_11, OLD_10).comparison
    assert set(backward.shared_items) == set(forward.shared_items)
    assert any("check the order" in w for w in backward.warnings)


def test_cli_text_puts_the_notes_that_question_the_comparison_first(runner: CliRunner) -> None:
    """Newest given first: the note saying so comes before the figures it puts in doubt."""
    out = runner.invoke(cli, ["compare", str(NEW_11), str(OLD_10)]).stdout
    assert out.index("check the order") < out.index("DOMAINS")


def test_two_assessments_of_the_same_day_are_questioned(bundled: Instrument) -> None:
    """The same file given twice (or two files of one day) is compared, with a note to check."""
    _, after, _ = _pair(bundled)
    result = score(bundled, after)
    c = compare(bundled, result, bundled, result)
    assert any("Both assessments are dated" in w for w in c.warnings)
    assert not c.gaps_closed and not c.gaps_new
    before, after, _ = _pair(bundled)
    c = compare(bundled, score(bundled, before), bundled, score(bundled, after))
    assert not any("Both assessments are dated" in w for w in c.warnings)


@settings(max_examples=40, deadline=None)
@given(hst.data())
def test_every_shared_gap_lands_in_exactly_the_right_lists(data: hst.DataObject) -> None:
    """For any two assessments: the old gaps are closed, still open or unconfirmed, the new
    ones new or still open, each once, and comparing a result with itself changes nothing."""
    instrument = data.draw(instruments())
    old = score(instrument, responses_for(instrument, data.draw(answers_for(instrument))))
    new = score(instrument, responses_for(instrument, data.draw(answers_for(instrument))))
    c = compare(instrument, old, instrument, new)
    old_gaps = {g.item_id for g in old.gaps}
    new_gaps = {g.item_id for g in new.gaps}
    ids = lambda changes: [x.item_id for x in changes]  # noqa: E731
    assert sorted(ids(c.gaps_closed + c.gaps_still_open + c.gaps_unconfirmed)) == sorted(old_gaps)
    assert sorted(ids(c.gaps_new + c.gaps_still_open)) == sorted(new_gaps)
    assert all(new.item(i).score == 5 and not new.item(i).critical for i in ids(c.gaps_closed))
    old_crit = {x.item_id for x in old.critical_findings}
    new_crit = {x.item_id for x in new.critical_findings}
    assert set(ids(c.criticals_resolved)) == {
        i for i in old_crit - new_crit if new.item(i).status is ItemStatus.ANSWERED
    }
    assert set(ids(c.criticals_new)) == new_crit - old_crit
    same = compare(instrument, new, instrument, new)
    assert not (same.gaps_closed or same.gaps_new or same.criticals_resolved or same.criticals_new)
    assert all(d.direction in (Direction.SAME, Direction.NOT_COMPARABLE) for d in same.domains)
    assert all(d.score_change in (0, None) for d in same.domains + same.dimensions)


def test_cli_text_names_items_by_code(
    runner: CliRunner, tmp_path: Path, bundled: Instrument
) -> None:
    """The text shows codes and titles, never ids, and the change per domain."""
    before, after, roles = _pair(bundled)
    old = _write(tmp_path, before, "2025.json")
    new = _write(tmp_path, after, "2026.json")
    result = runner.invoke(cli, ["compare", str(old), str(new)], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert out.startswith("Casa Esperanza: 2025-10-01 → 2026-10-01")
    closed = bundled.code(roles["closed"])
    assert "  Closed (2):\n" in out
    assert f"\n    {closed} {bundled.item(roles['closed']).title} (2 → 5)\n" in out
    assert f"{bundled.code(roles['resolved'])} " in out.split("CRITICAL FINDINGS")[1]
    for item_id in roles.values():
        assert item_id not in out
    for d in score(bundled, after).domains:
        assert d.title in out


def test_cli_json_round_trips_and_carries_ids(runner: CliRunner) -> None:
    """--format json is the whole comparison; it reads back into an equal Comparison."""
    result = runner.invoke(
        cli, ["compare", str(OLD_10), str(NEW_11), "--format", "json"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["across_versions"] is True
    assert doc["old_version"] == "1.0" and doc["new_version"] == "1.1"
    back = Comparison.model_validate(doc)
    assert back.shared_items == doc["shared_items"]
    assert all("item_id" in g and "code" in g for g in doc["gaps_still_open"])


def test_different_instruments_are_refused_with_the_file(bundled: Instrument) -> None:
    """Assessments of two different instruments: a located error naming the first file."""
    import pytest

    from audit_kit.errors import ResponsesError
    from audit_kit.workflows.assess import Assessment
    from audit_kit.workflows.compare import compare_assessments

    mini = load_instrument(DATA / "mini.yaml")
    mini_responses = build_responses(mini, {"mat.admit": 3})
    ours = build_responses(bundled, {})
    first = Assessment(mini, mini_responses, score(mini, mini_responses))
    second = Assessment(bundled, ours, score(bundled, ours))
    with pytest.raises(ResponsesError) as caught:
        compare_assessments(first, second, "2025/mini.json")
    (problem,) = caught.value.problems
    assert str(problem) == (
        "2025/mini.json: is an assessment with mini, the other with mat-tsf-cod; compare two "
        "assessments made with the same instrument (any of its versions)"
    )


def test_errors_in_both_files_are_all_listed(runner: CliRunner, tmp_path: Path) -> None:
    """Each file's problems, located, in one run; exit 2, nothing on stdout."""
    bad_json = tmp_path / "old.json"
    bad_json.write_text('{"instrument_id": ', encoding="utf-8")
    doc = json.loads(NEW_11.read_text(encoding="utf-8"))
    first = next(iter(doc["answers"]))
    doc["answers"][first]["value"] = "maybe"
    bad_value = tmp_path / "new.json"
    bad_value.write_text(json.dumps(doc), encoding="utf-8")
    result = runner.invoke(cli, ["compare", str(bad_json), str(bad_value)])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert f"Error: {bad_json}:1:" in result.stderr
    assert f"Error: {bad_value}: answers" in result.stderr and "'maybe'" in result.stderr


def _pdf_text(data: bytes) -> str:
    reader = PdfReader(BytesIO(data))
    return " ".join(" ".join(p.extract_text() for p in reader.pages).split())


def _pages_with(data: bytes, needle: str) -> list[int]:
    reader = PdfReader(BytesIO(data))
    return [
        n for n, page in enumerate(reader.pages) if needle in " ".join(page.extract_text().split())
    ]


def test_report_previous_adds_one_page_of_progress(
    runner: CliRunner, tmp_path: Path, bundled: Instrument
) -> None:
    """`report NEW --previous OLD`: "Progress since <date>" on a page of its own, with the
    domains then and now and the closed, new and open lists by code; one page more."""
    before, after, roles = _pair(bundled)
    old = _write(tmp_path, before, "2025.json")
    new = _write(tmp_path, after, "2026.json")
    plain = tmp_path / "plain.pdf"
    with_progress = tmp_path / "progress.pdf"
    assert runner.invoke(cli, ["report", str(new), "-o", str(plain)]).exit_code == 0
    result = runner.invoke(
        cli, ["report", str(new), "--previous", str(old), "-o", str(with_progress)]
    )
    assert result.exit_code == 0, result.stderr
    data = with_progress.read_bytes()
    plain_pages = len(PdfReader(BytesIO(plain.read_bytes())).pages)
    assert len(PdfReader(BytesIO(data)).pages) == plain_pages + 1
    pages = _pages_with(data, "Progress since October 1, 2025")
    assert len(pages) == 1
    page = " ".join(PdfReader(BytesIO(data)).pages[pages[0]].extract_text().split())
    assert "Compared with the assessment of October 1, 2025 (mat-tsf-cod 1.1)." in page
    assert "Critical findings resolved (1)" in page and "New critical findings (1)" in page
    assert "Gaps closed (2)" in page and "New gaps (2)" in page and "Gaps still open (1)" in page
    closed = f"{bundled.code(roles['closed'])} {bundled.item(roles['closed']).title}"
    assert f"{closed} (2 {arrow()} 5)" in page
    assert f"{bundled.code(roles['still'])} " in page
    for d in score(bundled, after).domains:
        assert d.title in page
    assert "not counted as closed: " + bundled.code(roles["unconfirmed"]) in page
    # the same inputs give the same bytes
    again = tmp_path / "again.pdf"
    runner.invoke(cli, ["report", str(new), "--previous", str(old), "-o", str(again)])
    assert again.read_bytes() == data


def test_with_progress_every_bundled_example_stays_within_eight_pages(
    runner: CliRunner, tmp_path: Path
) -> None:
    """A progress page that would push a report past 8 pages takes the place of the profile
    chart (its chart has every dimension, then and now); otherwise the profile chart stays."""
    for name in ("residential-12step", "hospital-unit", "integrated-outpatient"):
        out = tmp_path / f"{name}.pdf"
        old = DATA / "examples-1.0" / f"{name}.json"
        args = ["report", str(EXAMPLES / f"{name}.json"), "--previous", str(old), "-o", str(out)]
        assert runner.invoke(cli, args).exit_code == 0
        reader = PdfReader(out)
        assert len(reader.pages) <= 8, name
        text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
        assert "Progress since" in text
        stands_in = "The chart on the progress page gives every dimension's score" in text
        # the profile chart's own caption is there exactly when it was not replaced
        assert ("Bars start at 0." in text) != stands_in, name
    residential = " ".join(
        p.extract_text() for p in PdfReader(tmp_path / "residential-12step.pdf").pages
    )
    assert "The chart on the progress page" in " ".join(residential.split())


def test_progress_part_fits_one_page_when_everything_changed(bundled: Instrument) -> None:
    """Every item a gap then and closed now, across versions: still one page, lists cut with
    'and N more'."""
    from reportlab.platypus import SimpleDocTemplate

    from audit_kit.outputs.pdf import styles as st
    from audit_kit.outputs.pdf.progress import progress

    old_i = load_instrument("mat-tsf-cod@1.0")
    low = build_responses(old_i, all_answered(old_i, 2))
    high = build_responses(bundled, all_answered(bundled, 5))
    c = compare(old_i, score(old_i, low), bundled, score(bundled, high))
    assert len(c.gaps_closed) > 20
    buffer = BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=st.PAGE,
        leftMargin=st.MARGIN_LEFT,
        rightMargin=st.MARGIN_RIGHT,
        topMargin=st.MARGIN_TOP,
        bottomMargin=st.MARGIN_BOTTOM,
        invariant=1,
    )
    doc.build(progress(c, st.build_styles(), new_page=False))
    data = buffer.getvalue()
    assert len(PdfReader(BytesIO(data)).pages) == 1
    text = _pdf_text(data)
    assert f"Gaps closed ({len(c.gaps_closed)})" in text
    assert "more (audit-kit compare lists all)" in text
    assert f"{len(c.shared_items)} of its {bundled.item_count} items" in text


def test_previous_that_cannot_be_read_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    """--previous with a file that is not an assessment: exit 2, located, no report written."""
    other = tmp_path / "old.json"
    other.write_text('{"instrument_id": "mat-tsf-cod",', encoding="utf-8")
    out = tmp_path / "r.pdf"
    result = runner.invoke(cli, ["report", str(NEW_11), "--previous", str(other), "-o", str(out)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {other}:1:")
    assert not out.exists()


def test_answer_unanswered_now_is_not_a_resolved_critical(bundled: Instrument) -> None:
    """A critical finding whose item is left unanswered is 'not confirmed', never resolved."""
    before, after, roles = _pair(bundled)
    answers = dict(after.answers)
    answers.pop(roles["resolved"], None)
    later = after.model_copy(update={"answers": answers})
    c = compare(bundled, score(bundled, before), bundled, score(bundled, later))
    assert [x.item_id for x in c.criticals_unconfirmed] == [roles["resolved"]]
    assert c.criticals_resolved == []


def test_na_now_keeps_a_gap_unconfirmed(bundled: Instrument) -> None:
    """A gap whose item is now N/A is listed as not confirmed closed, with its status."""
    before, after, roles = _pair(bundled)
    item = bundled.item(roles["closed"])
    if not item.na_allowed:
        item_id = next(
            i.id
            for _, _, i in bundled.iter_items()
            if i.allow_na and not i.applies_when and i.kind.value == "scale"
        )
        before = before.model_copy(update={"answers": {**before.answers, item_id: Answer(value=2)}})
    else:
        item_id = item.id
    after = after.model_copy(
        update={
            "answers": {
                **after.answers,
                item_id: Answer(not_applicable=True, na_reason="Service closed."),
            }
        }
    )
    c = compare(bundled, score(bundled, before), bundled, score(bundled, after))
    unconfirmed = {g.item_id: g for g in c.gaps_unconfirmed}
    assert unconfirmed[item_id].new_status is ItemStatus.NOT_APPLICABLE


MINI_RESPONSES = {
    "instrument_id": "mini",
    "instrument_version": "1.0",
    "program": {"name": "Casa Esperanza", "setting": "outpatient", "hospital_based": False},
    "assessment_date": "2025-10-01",
    "answers": {"mat.admit": {"value": 1}, "cod.screen": {"value": 2}},
}


def test_custom_instrument_is_compared_and_reported_with_i(
    runner: CliRunner, tmp_path: Path
) -> None:
    """A custom instrument's file, given once with -i, reads both assessments: compare and
    report --previous work for instruments that are not bundled."""
    mini = str(DATA / "mini.yaml")
    old = tmp_path / "old.json"
    old.write_text(json.dumps(MINI_RESPONSES), encoding="utf-8")
    later = dict(MINI_RESPONSES, assessment_date="2026-10-01")
    later["answers"] = {"mat.admit": {"value": 5}, "cod.screen": {"value": 2}}
    new = tmp_path / "new.json"
    new.write_text(json.dumps(later), encoding="utf-8")

    refused = runner.invoke(cli, ["compare", str(old), str(new)])
    assert refused.exit_code == 2 and "no bundled instrument 'mini'" in refused.stderr

    result = runner.invoke(cli, ["compare", str(old), str(new), "-i", mini, "--format", "json"])
    assert result.exit_code == 0, result.stderr
    assert [c["item_id"] for c in json.loads(result.stdout)["criticals_resolved"]] == ["mat.admit"]

    pdf = tmp_path / "progress.pdf"
    args = ["report", str(new), "-i", mini, "--previous", str(old), "-o", str(pdf)]
    reported = runner.invoke(cli, args)
    assert reported.exit_code == 0, reported.stderr
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "Progress since October 1, 2025" in text


def test_compare_with_a_broken_instrument_says_so_once(runner: CliRunner, tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text('id: mine\nversion: "1.0"\ndomains: [\n', encoding="utf-8")
    result = runner.invoke(cli, ["compare", str(NEW_11), str(NEW_11), "-i", str(broken)])
    assert result.exit_code == 2
    assert result.stderr.count("not valid YAML") == 1, result.stderr


def test_compare_i_with_a_bundled_id_reads_the_older_file_with_its_own_version(
    runner: CliRunner,
) -> None:
    """-i names the newer file's instrument; a 1.0 file given first is still read with 1.0."""
    result = runner.invoke(cli, ["compare", "-i", "mat-tsf-cod", str(OLD_10), str(NEW_11)])
    assert result.exit_code == 0, result.stderr
    assert "Instrument: mat-tsf-cod 1.0 → 1.1" in result.stdout


def test_ctrl_c_is_exit_130_not_the_code_kept_for_bugs(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    import audit_kit.workflows.compare as workflow

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(workflow, "compare_files", interrupted)
    result = runner.invoke(cli, ["compare", str(OLD_10), str(NEW_11)])
    assert result.exit_code == 130
    assert "Stopped. No file is left half-written." in result.stderr


def test_the_profile_chart_stays_when_dropping_it_would_not_meet_the_page_budget(
    runner: CliRunner, tmp_path: Path
) -> None:
    """An assessment with many gaps runs past 8 pages with or without the profile chart:
    the chart stays rather than being given up for nothing."""
    doc = json.loads((EXAMPLES / "integrated-outpatient.json").read_text(encoding="utf-8"))
    instrument = load_instrument("mat-tsf-cod@1.1")
    for item_id, answer in doc["answers"].items():
        if instrument.item(item_id).kind.value == "scale" and answer.get("value") is not None:
            answer["value"] = 2
    low = tmp_path / "low.json"
    low.write_text(json.dumps(doc), encoding="utf-8")
    out = tmp_path / "low.pdf"
    args = ["report", str(low), "--previous", str(EXAMPLES / "integrated-outpatient.json")]
    assert runner.invoke(cli, [*args, "-o", str(out)]).exit_code == 0
    reader = PdfReader(out)
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert len(reader.pages) > 8
    assert "Bars start at 0." in text and "The chart on the progress page" not in text
