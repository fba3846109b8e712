"""`audit-kit fill` in a real pseudo-terminal: a session, Ctrl-C, hang-up, kill -9, resume."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import sys
import threading
import time
from datetime import date
from pathlib import Path

import pexpect

from audit_kit.formats.responses_json import dump_responses, read_responses_json
from audit_kit.model.applicability import skipped_items
from audit_kit.model.instrument import Instrument
from audit_kit.model.responses import Answer, Program, Responses
from audit_kit.model.vocab import AnswerKind, NaKind, Setting

from conftest import DATA

MINI = str(DATA / "mini.yaml")
PROFILE = [
    ("Program name: ", "Casa Esperanza"),
    (r"Setting \(a-f or its name\): ", "b"),
    (r"\(y/n\): ", "n"),
    (r"Populations served, comma-separated \[adults; - for none\]: ", "adults, women"),
    (r"Assessor \(name, role\) \[none\]: ", "Dana Ruiz"),
    (r"Assessment date \(YYYY-MM-DD\) \[\d{4}-\d\d-\d\d\]: ", "2026-10-01"),
]


def spawn(folder: Path, *args: str, instrument: str = MINI) -> pexpect.spawn:
    """`python -m audit_kit fill` (on the mini instrument) in a pseudo-terminal of 80 columns."""
    env = {**os.environ, "COLUMNS": "80", "LINES": "40", "TERM": "dumb"}
    child = pexpect.spawn(
        sys.executable,
        ["-m", "audit_kit", "fill", "--instrument", instrument, *args],
        cwd=str(folder),
        env=env,
        encoding="utf-8",
        timeout=30,
        dimensions=(40, 80),
    )
    child.delaybeforesend = None  # every send waits for its prompt first
    return child


def converse(child: pexpect.spawn, steps: list[tuple[str, str]]) -> None:
    """Wait for each prompt (a regular expression) and type the answer and Enter."""
    for prompt, typed in steps:
        child.expect(prompt)
        child.sendline(typed)


def finish(child: pexpect.spawn) -> str:
    """Wait for the process to end; return what it printed since the last expect."""
    child.expect(pexpect.EOF)
    child.close()
    return str(child.before)


def settle(child: pexpect.spawn, typed: str = "") -> None:
    """Wait until typed text is echoed and the process waits for the next key.

    A signal that lands while readline is handling a keystroke is only acted on at the next
    key (CPython looks at signals when its wait for input is interrupted, not in between); a
    person never types and signals within the same millisecond, a test would. On Linux the
    kernel says where a process sleeps, so the test waits until it sleeps in that wait.
    """
    if typed:
        child.expect(re.escape(typed))
    wchan = Path(f"/proc/{child.pid}/wchan")
    if not wchan.exists():
        time.sleep(0.5)  # no way to see the wait here: give readline time to return to it
        return
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            if any(w in wchan.read_text() for w in ("poll", "select")):
                return
        time.sleep(0.01)
    raise AssertionError("fill never went back to waiting for input")


def hang_up(child: pexpect.spawn, *then: signal.Signals) -> int:
    """Close the terminal as a closed window does, send ``then``, wait for fill; its exit code.

    Nothing else signals it (pexpect's close would send its own signals after 0.1 s, racing
    fill's own exit). A watchdog kills a process that has not ended within a minute, so that
    a hang fails the test instead of stopping the suite.
    """
    child.ptyproc.fileobj.close()  # the master side: the kernel sends SIGHUP
    for signum in then:
        with contextlib.suppress(ProcessLookupError):
            os.kill(child.pid, signum)
    watchdog = threading.Timer(60, lambda: os.kill(child.pid, signal.SIGKILL))
    watchdog.start()
    try:
        child.wait()
    finally:
        watchdog.cancel()
    child.close()
    assert child.signalstatus is None, f"ended by signal {child.signalstatus}"
    return int(child.exitstatus)


def saved(path: Path, mini: Instrument) -> dict[str, Answer]:
    """The answers in a responses file, after the full check that `score` also does."""
    _, responses = read_responses_json(path, mini)
    return responses.answers


def test_full_session_in_a_terminal(tmp_path: Path) -> None:
    """Profile, invalid answer, back, skip, N/A with reason, note: the file is canonical."""
    child = spawn(tmp_path, "-o", "casa.json")
    converse(child, PROFILE)
    converse(
        child,
        [
            (r"Answer \(1-5\): ", "9"),
            (r"Not an answer here: '9'\. Type a score.*\r\nAnswer \(1-5\): ", "4"),
            (r"Answer \(a-c\): ", "back"),
            (r"\[mat\.admit\].*Answer \(1-5\) \[4\]: ", "5"),
            (r"\[mat\.route\].*Answer \(a-c\): ", "referral"),
            (r"Answer \(0-100% or ne\): ", "skip"),
            (r"Skipped: left unanswered\..*Answer \(1-5 or na\): ", "na"),
            (r"Why does it not apply\?: ", ""),
            (r"A reason is required.*Why does it not apply\?: ", "Men only"),
            (r"\[cod\.screen\].*Answer \(1-5\): ", "note"),
            (r"Note \[none\]: ", "Screened with the PHQ-9"),
            (r"Evidence reference .*\[none\]: ", "Chart audit, May"),
            (r"Note saved\.\r\nAnswer \(1-5\): ", "3"),
            (r"Answer \(1-5\): ", "5"),
        ],
    )
    rest = finish(child)
    assert child.exitstatus == 0
    assert "Traceback" not in rest
    assert "audit-kit report casa.json --instrument" in rest
    want = Responses(
        instrument_id="mini",
        instrument_version="1.0",
        program=Program(
            name="Casa Esperanza",
            setting=Setting.OUTPATIENT,
            hospital_based=False,
            populations=["adults", "women"],
        ),
        assessor="Dana Ruiz",
        assessment_date=date(2026, 10, 1),
        answers={
            "mat.admit": Answer(value=5),
            "mat.route": Answer(value="referral"),
            "mat.pregnancy": Answer(not_applicable=True, na_reason="Men only"),
            "mat.storage": Answer(
                not_applicable=True, na_reason="Does not apply to outpatient programs."
            ),
            "cod.screen": Answer(
                value=3, note="Screened with the PHQ-9", evidence="Chart audit, May"
            ),
            "cod.crisis": Answer(value=5),
        },
    )
    assert (tmp_path / "casa.json").read_bytes() == dump_responses(want)


def test_kill_9_mid_way_loses_only_the_pending_answer(tmp_path: Path, mini: Instrument) -> None:
    """kill -9 with an answer typed but not entered; resuming finds every confirmed answer."""
    path = tmp_path / "casa.json"
    child = spawn(tmp_path, "-o", "casa.json")
    converse(child, PROFILE)
    converse(
        child,
        [
            (r"Answer \(1-5\): ", "2"),
            (r"Answer \(a-c\): ", "a"),
            (r"Answer \(0-100% or ne\): ", "note"),
            (r"Note \[none\]: ", "Ten charts"),
            (r"Evidence reference .*\[none\]: ", ""),
            (r"Answer \(0-100% or ne\): ", "77"),
        ],
    )
    child.expect(r"\[mat\.pregnancy\].*Answer \(1-5 or na\): ")
    child.send("4")  # typed, never entered
    child.expect("4")
    os.kill(child.pid, signal.SIGKILL)
    child.expect(pexpect.EOF)
    child.close()
    assert child.signalstatus == signal.SIGKILL

    assert saved(path, mini) == {
        "mat.admit": Answer(value=2),
        "mat.route": Answer(value="on_site"),
        "mat.naloxone": Answer(value=77, note="Ten charts"),
        "mat.storage": Answer(
            not_applicable=True, na_reason="Does not apply to outpatient programs."
        ),
    }
    # killed outright, it could not remove its lock; the next session takes it over
    assert sorted(p.name for p in tmp_path.iterdir()) == ["casa.json", "casa.json.lock"]

    again = spawn(tmp_path, "-o", "casa.json")
    again.expect(r"Took over casa\.json\.lock: the session that left it\s+\(process \d+")
    again.expect(r"is no longer\s+running\.")
    again.expect(r"Resuming casa\.json: Casa\s+Esperanza \(Outpatient\)")
    again.expect(r"3 answered, 1 N/A, 3 unanswered, of 7 items\.")
    again.expect(r"Continuing at the first unanswered item\.")
    converse(
        again,
        [
            (r"\[mat\.pregnancy\].*Answer \(1-5 or na\): ", "4"),
            (r"\[cod\.screen\].*Answer \(1-5\): ", "5"),
            (r"\[cod\.crisis\].*Answer \(1-5\): ", "5"),
        ],
    )
    rest = finish(again)
    assert again.exitstatus == 0, rest
    assert sorted(p.name for p in tmp_path.iterdir()) == ["casa.json"]
    answers = saved(path, mini)
    assert {k: a.value for k, a in answers.items()} == {
        "mat.admit": 2,
        "mat.route": "on_site",
        "mat.naloxone": 77,
        "mat.pregnancy": 4,
        "mat.storage": None,
        "cod.screen": 5,
        "cod.crisis": 5,
    }


def test_ctrl_c_exits_130_with_a_note_and_resume_continues(
    tmp_path: Path, mini: Instrument
) -> None:
    """Ctrl-C at a prompt: one-line note, no traceback, exit 130; --resume picks the file up."""
    child = spawn(tmp_path)
    converse(child, PROFILE)
    converse(child, [(r"Answer \(1-5\): ", "3")])
    child.expect(r"Answer \(a-c\): ")
    child.send("b")
    settle(child, "b")
    child.sendintr()
    child.expect(r"Stopped\. Every confirmed answer is saved in casa-esperanza-2026-10-01\.json;")
    rest = finish(child)
    assert child.exitstatus == 130
    assert "Traceback" not in rest and "Aborted" not in rest
    path = tmp_path / "casa-esperanza-2026-10-01.json"
    assert saved(path, mini)["mat.admit"] == Answer(value=3)
    assert "mat.route" not in saved(path, mini)
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]  # the lock is gone

    again = spawn(tmp_path, "--resume")
    again.expect(r"Most recent responses file here: casa-esperanza-2026-10-01\.json")
    converse(again, [(r"\[mat\.route\].*Answer \(a-c\): ", "quit")])
    rest = finish(again)
    assert again.exitstatus == 0
    assert "To answer them: audit-kit fill -o casa-esperanza-2026-10-01.json" in rest


def test_hang_up_leaves_a_valid_file_and_no_temporary_files(
    tmp_path: Path, mini: Instrument
) -> None:
    """A closed terminal (SIGHUP) mid-session: exit 129, the file holds every confirmed
    answer, and neither a temporary file nor the lock is left."""
    path = tmp_path / "casa.json"
    child = spawn(tmp_path, "-o", "casa.json")
    converse(child, PROFILE)
    converse(child, [(r"Answer \(1-5\): ", "5"), (r"Answer \(a-c\): ", "c")])
    child.expect(r"Answer \(0-100% or ne\): ")
    child.send("50")
    child.expect("50")
    assert hang_up(child) == 129
    assert {k: a.value for k, a in saved(path, mini).items()} == {
        "mat.admit": 5,
        "mat.route": "none",
        "mat.storage": None,
    }
    assert sorted(p.name for p in tmp_path.iterdir()) == ["casa.json"]
    assert json.loads(path.read_text())["program"]["name"] == "Casa Esperanza"


def test_a_second_signal_does_not_cut_the_way_out(tmp_path: Path, mini: Instrument) -> None:
    """Hang-up, then terminate at once (a shell passes the hang-up on to its jobs): the first
    stop decides; the exit code is 129 and the lock is gone."""
    child = spawn(tmp_path, "-o", "casa.json")
    converse(child, PROFILE)
    converse(child, [(r"Answer \(1-5\): ", "4")])
    child.expect(r"Answer \(a-c\): ")
    settle(child)
    assert hang_up(child, signal.SIGTERM, signal.SIGHUP, signal.SIGINT) == 129
    assert saved(tmp_path / "casa.json", mini)["mat.admit"] == Answer(value=4)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["casa.json"]


def test_whole_bundled_instrument_in_a_terminal(tmp_path: Path, bundled: Instrument) -> None:
    """Every item of mat-tsf-cod answered at a terminal, in order; the file is complete."""
    child = spawn(tmp_path, "-o", "casa.json", instrument="mat-tsf-cod")
    converse(child, PROFILE)
    prompt = (
        r"\[([a-z]+\.[a-z0-9_]+)\].*?Answer \((1-5|a-[a-z]|0-100%)( or na| or ne|, ne or na)?\): "
    )
    seen: list[str] = []
    want: dict[str, Answer] = {}
    for _ in range(bundled.item_count):
        if child.expect([prompt, r"\n  All items "]) == 1:
            break
        item = bundled.item(child.match.group(1))
        seen.append(item.id)
        if item.kind is AnswerKind.CHOICE:
            choices = item.choices or []
            choice = choices[-1]
            # by letter and by wording in turn
            child.sendline(chr(ord("a") + len(choices) - 1) if len(seen) % 2 else choice.label)
            want[item.id] = Answer(value=choice.value)
        else:
            value = 80 if item.kind is AnswerKind.PERCENT else 3
            child.sendline(str(value))
            want[item.id] = Answer(value=value)
    rest = finish(child)
    assert child.exitstatus == 0, rest
    skipped = skipped_items(bundled, Setting.OUTPATIENT, want)
    applicable = [i for i in bundled.item_ids if i not in skipped]
    assert seen == applicable
    for item_id, why in skipped.items():
        if why.kind is NaKind.SETTING:
            want[item_id] = Answer(not_applicable=True, na_reason=why.reason)
    assert saved(tmp_path / "casa.json", bundled) == {
        i: want[i] for i in bundled.item_ids if i in want
    }
    assert "audit-kit report casa.json" in rest and "--instrument" not in rest


def test_terminate_signal_ends_the_session_cleanly(tmp_path: Path, mini: Instrument) -> None:
    """kill (SIGTERM) at a prompt: the note, exit 143, no traceback, answers kept, no lock."""
    child = spawn(tmp_path, "-o", "casa.json")
    converse(child, PROFILE)
    converse(child, [(r"Answer \(1-5\): ", "4")])
    child.expect(r"Answer \(a-c\): ")
    settle(child)
    child.kill(signal.SIGTERM)
    child.expect(r"Stopped by a signal\. Every confirmed answer is saved in casa\.json;")
    rest = finish(child)
    assert child.exitstatus == 143
    assert "Traceback" not in rest
    assert saved(tmp_path / "casa.json", mini)["mat.admit"] == Answer(value=4)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["casa.json"]  # the lock is gone
