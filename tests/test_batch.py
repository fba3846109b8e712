"""`audit-kit batch` and `run_batch`: many programs, one bad file, names, re-runs, exit codes."""

from __future__ import annotations

import multiprocessing
import os
import re
import time
import unicodedata
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as hst
from openpyxl import load_workbook
from pypdf import PdfReader

from audit_kit.cli import cli
from audit_kit.formats.responses_json import dump_responses
from audit_kit.model.instrument import Instrument
from audit_kit.model.portfolio import FailureKind
from audit_kit.outputs.rollup import LEVEL_FILLS, STATE_FILLS
from audit_kit.workflows.batch import BatchSummary, run_batch
from audit_kit.workflows.batch import run as batch_module
from audit_kit.workflows.batch.manifest import MANIFEST
from audit_kit.workflows.batch.names import assign_names, base_name, inside

from conftest import EXAMPLES, all_answered, build_responses

# these tests replace the task function in this process; only forked workers see that
FORK = multiprocessing.get_context("fork")
FORKS_WITH_THREADS = pytest.mark.filterwarnings(
    "ignore:This process .* is multi-threaded:DeprecationWarning"
)


def _assessment(
    folder: Path,
    file_name: str,
    instrument: Instrument,
    program: str,
    day: date = date(2026, 10, 1),
    value: int = 4,
) -> Path:
    responses = build_responses(instrument, all_answered(instrument, value), name=program)
    path = folder / file_name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(dump_responses(responses.model_copy(update={"assessment_date": day})))
    return path


def _pdf_text(path: Path) -> str:
    reader = PdfReader(BytesIO(path.read_bytes()))
    return " ".join(" ".join(p.extract_text() for p in reader.pages).split())


def _pdfs(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob("*.pdf") if p.name != "portfolio.pdf")


@pytest.fixture(name="reported", scope="module")
def _reported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, BatchSummary]:
    """One batch with reports: two programs sharing a name and date, two with hostile names,
    a corrupt JSON file and a workbook that is not one, among good files."""
    from audit_kit.catalog import load_instrument

    bundled = load_instrument("mat-tsf-cod")
    root = tmp_path_factory.mktemp("batch")
    inputs = root / "inputs"
    _assessment(inputs, "north/casa.json", bundled, "Casa Esperanza", value=4)
    _assessment(inputs, "south/casa.json", bundled, "Casa Esperanza", value=2)
    _assessment(inputs, "hostile.json", bundled, "../x", value=3)
    _assessment(inputs, "slash.json", bundled, "a/b", value=3)
    (inputs / "corrupt.json").write_text('{"instrument_id": "mat-tsf-cod", ', encoding="utf-8")
    (inputs / "notes.xlsx").write_bytes(b"this is no workbook")
    (inputs / "~$casa.xlsx").write_bytes(b"an office lock file")
    out = root / "out"
    summary = run_batch([inputs], out, jobs=2)
    return inputs, out, summary


def test_bad_files_are_reported_and_the_rest_are_done(
    reported: tuple[Path, Path, BatchSummary],
) -> None:
    """The corrupt JSON and the non-workbook fail with located errors; the others get reports;
    the lock file is not taken as an input; exit code 3."""
    inputs, out, summary = reported
    assert summary.exit_code == 3
    failed = {Path(r.input).name: r for r in summary.failed}
    assert set(failed) == {"corrupt.json", "notes.xlsx"}
    assert failed["corrupt.json"].error == (
        f"{inputs / 'corrupt.json'}:1:34: not valid JSON: Expecting property name enclosed in "
        "double quotes"
    )
    assert failed["corrupt.json"].failure is FailureKind.INPUT
    assert failed["notes.xlsx"].error is not None
    assert failed["notes.xlsx"].error.startswith(f"{inputs / 'notes.xlsx'}: ")
    assert len(summary.rows) == 6
    assert all(r.report for r in summary.rows if r.ok)
    assert len(_pdfs(out)) == 4


def test_names_are_unique_safe_and_from_program_and_date(
    reported: tuple[Path, Path, BatchSummary],
) -> None:
    """Two 'Casa Esperanza' on one date: -2 for the second by input path; '../x' and 'a/b'
    become plain names inside the folder."""
    inputs, out, summary = reported
    by_input = {Path(r.input).relative_to(inputs).as_posix(): r.report for r in summary.rows}
    assert by_input["north/casa.json"] == "casa-esperanza-2026-10-01.pdf"
    assert by_input["south/casa.json"] == "casa-esperanza-2026-10-01-2.pdf"
    assert by_input["hostile.json"] == "x-2026-10-01.pdf"
    assert by_input["slash.json"] == "a-b-2026-10-01.pdf"
    assert {p.name for p in out.parent.iterdir()} == {"inputs", "out"}
    for name in _pdfs(out):
        assert (out / name).resolve().parent == out.resolve()
    text = _pdf_text(out / "casa-esperanza-2026-10-01-2.pdf")
    assert "Casa Esperanza" in text


def test_rollup_has_a_row_per_program_with_levels_in_words(
    reported: tuple[Path, Path, BatchSummary],
) -> None:
    """Frozen header, filters, level in words with its colour, the error of a failed file."""
    _, out, summary = reported
    wb = load_workbook(out / "rollup.xlsx")
    ws = wb["Programs"]
    header = [c.value for c in ws[1]]
    assert ws.freeze_panes == "B2"
    # printed across pages at a legible scale, each page with the header row and program name
    assert (ws.print_title_rows, ws.print_title_cols) == ("$1:$1", "$A:$A")
    assert ws.page_setup.scale == 70 and not ws.sheet_properties.pageSetUpPr.fitToPage
    assert (
        ws.auto_filter.ref == f"A1:{ws.cell(1, len(header)).column_letter}{len(summary.rows) + 1}"
    )
    assert ws.max_row == len(summary.rows) + 1
    col = {name: n for n, name in enumerate(header)}
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    programs = [r[col["Program"]] for r in rows[:4]]
    assert programs == ["../x", "a/b", "Casa Esperanza", "Casa Esperanza"]
    level = "Medications for addiction treatment: level"
    for n, row in enumerate(summary.rows, start=2):
        cells = rows[n - 2]
        if row.ok:
            d = row.domains[0]
            assert cells[col[level]].startswith(d.headline)
            colour = LEVEL_FILLS[d.level] if d.level else STATE_FILLS[d.state]
            assert ws.cell(n, col[level] + 1).fill.fgColor.rgb == "00" + colour
            assert cells[col["Report"]] == row.report
        else:
            assert cells[col["Status"]] == "Failed"
            assert cells[col["Error"]] == row.error
            assert cells[col["Report"]] in ("", None)


def test_portfolio_lists_programs_and_failures(reported: tuple[Path, Path, BatchSummary]) -> None:
    _, out, _ = reported
    text = _pdf_text(out / "portfolio.pdf")
    assert "6 programs: 4 scored" in text
    assert "Levels per domain" in text and "Most frequent gaps" in text
    assert "Files that could not be scored (2)" in text
    assert "not valid JSON" in text


def test_rerun_skips_what_has_not_changed(
    reported: tuple[Path, Path, BatchSummary], tmp_path: Path
) -> None:
    """Same inputs again: no program redone, reports untouched, same roll-up; failures retried."""
    inputs, out, first = reported
    stamps = {name: (out / name).stat().st_mtime_ns for name in _pdfs(out)}
    rollup = (out / "rollup.xlsx").read_bytes()
    again = run_batch([inputs], out, jobs=2)
    assert again.processed == 2  # the two failed files are tried again
    assert again.skipped == 4
    assert {name: (out / name).stat().st_mtime_ns for name in _pdfs(out)} == stamps
    assert (out / "rollup.xlsx").read_bytes() == rollup
    assert [r.report for r in again.rows] == [r.report for r in first.rows]


def test_changed_input_forced_runs_and_new_options_redo_programs(
    tmp_path: Path, bundled: Instrument
) -> None:
    """Only the changed file is redone; --force redoes all; another brand redoes all."""
    inputs = tmp_path / "in"
    a = _assessment(inputs, "a.json", bundled, "Alder House")
    _assessment(inputs, "b.json", bundled, "Birch Clinic")
    out = tmp_path / "out"
    assert run_batch([inputs], out, jobs=2, reports=False).processed == 2
    _assessment(inputs, "a.json", bundled, "Alder House", value=5)
    changed = run_batch([inputs], out, jobs=2, reports=False)
    assert (changed.processed, changed.skipped) == (1, 1)
    assert next(r for r in changed.rows if r.input == str(a)).domains[0].level == "enhanced"
    forced = run_batch([inputs], out, jobs=2, reports=False, force=True)
    assert (forced.processed, forced.skipped) == (2, 0)
    from audit_kit.model.brand import Brand

    branded = run_batch([inputs], out, jobs=2, reports=False, brand=Brand(name="Firm"))
    assert (branded.processed, branded.skipped) == (2, 0)


def test_renamed_program_moves_its_report(tmp_path: Path, bundled: Instrument) -> None:
    """A program renamed in its file gets a report of the new name; the old one is removed."""
    inputs = tmp_path / "in"
    _assessment(inputs, "a.json", bundled, "Alder House")
    out = tmp_path / "out"
    run_batch([inputs], out, jobs=1)
    assert _pdfs(out) == ["alder-house-2026-10-01.pdf"]
    _assessment(inputs, "a.json", bundled, "Alder House Recovery")
    second = run_batch([inputs], out, jobs=1)
    assert second.processed == 1
    assert _pdfs(out) == ["alder-house-recovery-2026-10-01.pdf"]


def test_manifest_written_atomically_and_output_inside_input_is_not_an_input(
    tmp_path: Path, bundled: Instrument
) -> None:
    """OUT_DIR inside the input folder: its rollup.xlsx is never read as an assessment."""
    inputs = tmp_path / "in"
    _assessment(inputs, "a.json", bundled, "Alder House")
    out = inputs / "results"
    first = run_batch([inputs], out, jobs=1, reports=False)
    second = run_batch([inputs], out, jobs=1, reports=False)
    assert first.exit_code == second.exit_code == 0
    assert len(second.rows) == 1
    assert (out / MANIFEST).is_file()
    assert not [p for p in out.iterdir() if p.name.startswith(".audit-kit-") and p.suffix == ".tmp"]


def test_program_name_of_300_characters_fails_with_its_location(
    tmp_path: Path, bundled: Instrument
) -> None:
    """A name longer than the 200 allowed is that file's located error, not the batch's end."""
    inputs = tmp_path / "in"
    _assessment(inputs, "ok.json", bundled, "Alder House")
    long = inputs / "long.json"
    text = (inputs / "ok.json").read_text(encoding="utf-8").replace("Alder House", "N" * 300)
    long.write_text(text, encoding="utf-8")
    summary = run_batch([inputs], tmp_path / "out", jobs=2, reports=False)
    (failed,) = summary.failed
    assert failed.input == str(long)
    assert failed.error is not None and failed.error.startswith(f"{long}: program.name: ")


@given(hst.text(min_size=0, max_size=400), hst.one_of(hst.none(), hst.dates()))
def test_any_program_name_gives_a_plain_file_name_inside(text: str, day: date | None) -> None:
    """Whatever the name ('../x', 'a/b', 300 characters, control characters): one plain,
    short file name that stays inside the folder."""
    folder = Path("/tmp/out")
    (name,) = assign_names([("k", base_name(text, day), None)], []).values()
    # letters and digits of any script (with their marks), dots and hyphens; nothing else
    assert name[0].isalnum() and name.endswith(".pdf")
    assert all(ch.isalnum() or ch in ".-" or unicodedata.category(ch)[0] == "M" for ch in name)
    assert len(name.encode()) <= 255 and ".." not in name
    assert inside(folder, name).parent == folder


def test_a_name_in_another_script_names_its_report_as_report_does(tmp_path: Path) -> None:
    """'Центр Надежда' gets 'центр-надежда-<date>.pdf' in a batch, as `audit-kit report`
    names it; not a bare 'program-<date>.pdf' that says nothing of the program."""
    from audit_kit.fsutil import slug

    day = date(2026, 5, 20)
    for program in ("Центр Надежда", "דרך חדשה", "Casa Esperanza"):
        (name,) = assign_names([("k", base_name(program, day), None)], []).values()
        assert name == f"{slug(program)}-{day.isoformat()}.pdf"


def test_names_collide_case_blind_and_keep_last_runs_name() -> None:
    wanted = [("a", "casa-2026-10-01", None), ("b", "casa-2026-10-01", None)]
    assert assign_names(wanted, ["CASA-2026-10-01.pdf"]) == {
        "a": "casa-2026-10-01-2.pdf",
        "b": "casa-2026-10-01-3.pdf",
    }
    kept = [("a", "casa-2026-10-01", None), ("b", "casa-2026-10-01", "casa-2026-10-01.pdf")]
    assert assign_names(kept, []) == {"a": "casa-2026-10-01-2.pdf", "b": "casa-2026-10-01.pdf"}
    for bad in ("../x.pdf", "a/b.pdf", ".hidden.pdf", "x" * 300 + ".pdf"):
        with pytest.raises(ValueError):
            inside(Path("/tmp/out"), bad)


def _dies_on_poison(task: Any) -> Any:
    if task.path.name == "poison.json":
        os._exit(7)
    return REAL_RUN_TASK(task)


def _hangs_on_slow(task: Any) -> Any:
    if task.path.name == "slow.json":
        time.sleep(60)
    return REAL_RUN_TASK(task)


def _dies_once(task: Any) -> Any:
    # the first task to get here takes its worker down with it, as an out-of-memory kill would
    marker = task.path.parent / "died-once"
    if not marker.exists():
        marker.write_text("", encoding="utf-8")
        os._exit(9)
    return REAL_RUN_TASK(task)


REAL_RUN_TASK = batch_module.run_task


@FORKS_WITH_THREADS
def test_a_worker_that_dies_is_reported_and_the_rest_finish(
    tmp_path: Path, bundled: Instrument, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file its worker dies on is failed as a crash with the exit code; the file in flight
    beside it is run again and succeeds."""
    monkeypatch.setattr(batch_module, "run_task", _dies_on_poison)
    inputs = tmp_path / "in"
    for name in ("a", "b", "c", "poison"):
        _assessment(inputs, f"{name}.json", bundled, f"Program {name}")
    summary = run_batch([inputs], tmp_path / "out", jobs=2, reports=False, mp_context=FORK)
    (failed,) = summary.failed
    assert Path(failed.input).name == "poison.json"
    assert failed.failure is FailureKind.CRASH
    assert failed.error == (
        f"{failed.input}: the worker process died while on this file (exit code 7); the file "
        "may be damaged in a way the checks miss, or the machine ran out of memory"
    )
    assert len([r for r in summary.rows if r.ok]) == 3
    assert any("A worker process died (exit code 7)" in n for n in summary.notes)
    assert summary.exit_code == 3


@FORKS_WITH_THREADS
def test_a_worker_killed_from_outside_costs_no_file(
    tmp_path: Path, bundled: Instrument, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker that dies once for a reason of its own: the files in flight are run again one
    at a time, all succeed, and a note says what happened."""
    monkeypatch.setattr(batch_module, "run_task", _dies_once)
    inputs = tmp_path / "in"
    for name in ("a", "b", "c", "d"):
        _assessment(inputs, f"{name}.json", bundled, f"Program {name}")
    summary = run_batch([inputs], tmp_path / "out", jobs=2, reports=False, mp_context=FORK)
    assert summary.exit_code == 0
    assert len(summary.rows) == 4
    (note,) = summary.notes
    assert note.startswith("A worker process died (exit code 9); the ")
    assert re.search(
        r"the (1 file in progress was|\d+ files in progress were) run again, one at a time\.$", note
    )


@FORKS_WITH_THREADS
def test_a_file_over_its_time_is_stopped_and_reported(
    tmp_path: Path, bundled: Instrument, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(batch_module, "run_task", _hangs_on_slow)
    inputs = tmp_path / "in"
    for name in ("a", "b", "slow"):
        _assessment(inputs, f"{name}.json", bundled, f"Program {name}")
    started = time.monotonic()
    summary = run_batch(
        [inputs], tmp_path / "out", jobs=2, reports=False, timeout=3, mp_context=FORK
    )
    assert time.monotonic() - started < 40
    (failed,) = summary.failed
    assert failed.failure is FailureKind.TIMEOUT
    assert failed.error is not None
    assert failed.error.startswith(f"{failed.input}: took longer than 3 seconds and was stopped")
    assert len([r for r in summary.rows if r.ok]) == 2


def test_previous_dir_compares_each_program_with_its_latest_earlier_one(
    tmp_path: Path, bundled: Instrument
) -> None:
    """Matched by name: the latest earlier assessment is used; the change shows in the row, the
    roll-up, the portfolio and the report's progress page."""
    inputs, previous = tmp_path / "2026", tmp_path / "2025"
    _assessment(inputs, "alder.json", bundled, "Alder House", value=4)
    _assessment(inputs, "birch.json", bundled, "Birch Clinic", value=4)
    _assessment(previous, "alder-2024.json", bundled, "Alder House", date(2024, 9, 1), 1)
    _assessment(previous, "alder-2025.json", bundled, "ALDER  house", date(2025, 9, 1), 2)
    out = tmp_path / "out"
    summary = run_batch([inputs], out, jobs=2, previous_dir=previous)
    alder = next(r for r in summary.rows if r.program == "Alder House")
    birch = next(r for r in summary.rows if r.program == "Birch Clinic")
    assert alder.change is not None
    assert alder.change.previous_date == date(2025, 9, 1)
    assert alder.change.previous_file == str(previous / "alder-2025.json")
    assert alder.domains[0].previous_headline is not None
    assert birch.change is None
    assert birch.warnings == ["No earlier assessment of this program under --previous-dir."]
    assert "Progress since September 1, 2025" in _pdf_text(out / str(alder.report))
    assert "Change since last time" in _pdf_text(out / "portfolio.pdf")
    ws = load_workbook(out / "rollup.xlsx")["Programs"]
    header = [c.value for c in ws[1]]
    assert "Compared with" in header and "Medications for addiction treatment: change" in header


def test_text_never_becomes_a_formula_in_the_rollup(tmp_path: Path, bundled: Instrument) -> None:
    inputs = tmp_path / "in"
    _assessment(inputs, "a.json", bundled, '=HYPERLINK("http://x","y")')
    summary = run_batch([inputs], tmp_path / "out", jobs=1, reports=False)
    ws = load_workbook(summary.rollup)["Programs"]
    assert ws["A2"].value == '=HYPERLINK("http://x","y")'
    assert ws["A2"].data_type == "s"


def test_cli_exit_codes_and_plain_progress(
    runner: CliRunner, tmp_path: Path, bundled: Instrument
) -> None:
    """0 when all succeed, 3 when some fail, 2 for bad usage; one line per file off a terminal."""
    inputs = tmp_path / "in"
    _assessment(inputs, "a.json", bundled, "Alder House")
    _assessment(inputs, "b.json", bundled, "Birch Clinic")
    out = tmp_path / "out"
    ok = runner.invoke(cli, ["batch", str(inputs), "-o", str(out), "--no-reports", "-j", "2"])
    assert ok.exit_code == 0, ok.output
    assert ok.stdout.startswith("2 programs: 2 scored, 0 failed.\n")
    lines = ok.stderr.splitlines()
    assert [line[:6] for line in lines] == ["[1/2] ", "[2/2] "]
    assert sorted(line[6:].split() for line in lines) == [
        ["ok", str(inputs / "a.json")],
        ["ok", str(inputs / "b.json")],
    ]
    (inputs / "bad.json").write_text("[]", encoding="utf-8")
    some = runner.invoke(cli, ["batch", str(inputs), "-o", str(out), "--no-reports"])
    assert some.exit_code == 3
    assert "3 programs: 2 scored (2 unchanged since the last run), 1 failed." in some.stdout
    assert f"  {inputs / 'bad.json'}" in some.stdout
    for args in (
        ["batch", str(tmp_path / "missing"), "-o", str(out)],
        ["batch", str(inputs), "-o", str(out), "--jobs", "0"],
        ["batch", str(inputs)],
        ["batch", str(tmp_path / "empty"), "-o", str(out)],
    ):
        (tmp_path / "empty").mkdir(exist_ok=True)
        bad = runner.invoke(cli, args)
        assert bad.exit_code == 2, (args, bad.output)
    empty = runner.invoke(cli, ["batch", str(tmp_path / "empty"), "-o", str(out)])
    assert "Error: no .xlsx or .json assessment found in" in empty.stderr
    missing = runner.invoke(cli, ["batch", str(tmp_path / "missing"), "-o", str(out)])
    assert (
        f"Error: {tmp_path / 'missing'}: no such file or folder; check the path" in missing.stderr
    )


def test_examples_are_scored_from_python(tmp_path: Path) -> None:
    """The library call alone: every bundled example, one row each, exit code 0."""
    summary = run_batch([EXAMPLES], tmp_path / "out", jobs=2, reports=False)
    assert summary.exit_code == 0
    assert sorted(Path(r.input).name for r in summary.rows) == sorted(
        p.name for p in EXAMPLES.glob("*.json")
    )
    assert summary.rollup.is_file() and summary.portfolio.is_file()
    assert all(pid > 0 and kib > 0 for pid, kib in summary.worker_peak_kib.items())


def _mini(folder: Path, name: str, day: str, admit: int) -> Path:
    """A responses file of the custom test instrument (not bundled)."""
    import json

    folder.mkdir(parents=True, exist_ok=True)
    doc = {
        "instrument_id": "mini",
        "instrument_version": "1.0",
        "program": {"name": "Casa Esperanza", "setting": "outpatient", "hospital_based": False},
        "assessment_date": day,
        "answers": {"mat.admit": {"value": admit}, "cod.screen": {"value": 2}},
    }
    path = folder / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_custom_instrument_with_i_reads_every_file_and_last_years(tmp_path: Path) -> None:
    """Without -i a custom instrument's files fail, located; with its file, they are scored,
    reported, compared with last year's and rolled up; editing the instrument redoes them."""
    from conftest import DATA

    mini = tmp_path / "mini.yaml"
    mini.write_bytes((DATA / "mini.yaml").read_bytes())
    _mini(tmp_path / "in", "casa.json", "2026-10-01", 5)
    _mini(tmp_path / "before", "casa.json", "2025-10-01", 1)

    without = run_batch([tmp_path / "in"], tmp_path / "out0", reports=False, mp_context=FORK)
    assert without.exit_code == 3
    assert "no bundled instrument 'mini'" in (without.failed[0].error or "")

    out = tmp_path / "out"
    args = {"previous_dir": tmp_path / "before", "instrument": mini, "mp_context": FORK}
    summary = run_batch([tmp_path / "in"], out, jobs=1, **args)
    assert summary.exit_code == 0, [r.error for r in summary.rows]
    (row,) = summary.rows
    assert row.instrument == "mini@1.0" and row.report
    assert row.change is not None and row.change.criticals_resolved == ["MAT-1"]
    assert "Progress since October 1, 2025" in _pdf_text(out / row.report)
    assert "Change since last time" in _pdf_text(out / "portfolio.pdf")

    again = run_batch([tmp_path / "in"], out, jobs=1, **args)
    assert again.skipped == 1
    mini.write_text(mini.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    edited = run_batch([tmp_path / "in"], out, jobs=1, **args)
    assert edited.skipped == 0


def test_what_the_report_could_not_print_is_noted_in_the_roll_up(
    tmp_path: Path, bundled: Instrument
) -> None:
    """The report's font has no Cyrillic: its ◊ are told in the program's row, as `report`
    tells them on stderr, so a consultant knows before sending the PDF."""
    _assessment(tmp_path / "in", "centr.json", bundled, "Центр Надежда")
    summary = run_batch([tmp_path / "in"], tmp_path / "out", jobs=1, mp_context=FORK)
    (row,) = summary.rows
    assert row.report is not None and row.report.startswith("центр-надежда-")
    assert any("program name: the report's font cannot draw" in w for w in row.warnings)
    notes = load_workbook(tmp_path / "out" / "rollup.xlsx")["Programs"]
    assert any("cannot draw" in str(c.value) for c in notes[2])
