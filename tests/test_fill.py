"""`audit-kit fill` driven through piped input: answers, navigation, autosave, resume, review."""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import given, settings
from hypothesis import strategies as st

from audit_kit.catalog import load_instrument
from audit_kit.cli import cli
from audit_kit.errors import AuditKitError
from audit_kit.fill import FillOptions, Outcome, apply_setting, parse_answer, run_fill
from audit_kit.fill.dialogue import NotAccepted
from audit_kit.formats.responses_json import dump_responses, read_responses_json
from audit_kit.model.applicability import skipped_items
from audit_kit.model.instrument import Choice, Instrument
from audit_kit.model.responses import Answer, Program, Responses
from audit_kit.model.vocab import AnswerKind, NaKind, Setting
from audit_kit.scoring import score

from conftest import DATA

MINI = str(DATA / "mini.yaml")
DAY = "2026-10-01"
OUTPATIENT_NA = "Does not apply to outpatient programs."
WIDTH = {"COLUMNS": "80"}


def profile(
    name: str = "Casa Esperanza",
    setting: str = "outpatient",
    hospital: str = "n",
    populations: str = "",
    assessor: str = "Dana Ruiz, clinical director",
    when: str = DAY,
) -> list[str]:
    """The six profile answers, in the order they are asked (empty: accept the default)."""
    return [name, setting, hospital, populations, assessor, when]


def fill(runner: CliRunner, lines: list[str], *args: str, instrument: str | None = MINI) -> Result:
    """Run `audit-kit fill` with one input line per entry."""
    argv = ["fill", *(["--instrument", instrument] if instrument else []), *args]
    return runner.invoke(cli, argv, input="".join(f"{line}\n" for line in lines), env=WIDTH)


def summary_counts(text: str) -> tuple[int, ...]:
    """Answered, N/A and unanswered, as the summary's last row gives them."""
    found = re.search(r"\n  All items +(\d+) +(\d+) +(\d+)\n", text)
    assert found, text
    return tuple(int(n) for n in found.groups())


def flat(text: str) -> str:
    """Text with its line wrapping undone, to find a wrapped message in it."""
    return " ".join(text.split())


def expected(answers: dict[str, Answer], **program: object) -> Responses:
    """The responses a mini session with the default profile should have written."""
    fields: dict[str, object] = {
        "name": "Casa Esperanza",
        "setting": Setting.OUTPATIENT,
        "hospital_based": False,
        "populations": ["adults"],
    }
    fields.update(program)
    return Responses(
        instrument_id="mini",
        instrument_version="1.0",
        program=Program.model_validate(fields),
        assessor="Dana Ruiz, clinical director",
        assessment_date=date(2026, 10, 1),
        answers=answers,
    )


def test_full_run_writes_canonical_responses(runner: CliRunner, tmp_path: Path) -> None:
    """Every answer kind, a note and N/A: the file is the canonical JSON, and score takes it."""
    out = tmp_path / "casa.json"
    lines = [
        *profile(),
        "4",  # mat.admit (scale)
        "By written referral",  # mat.route by its label
        "note",  # note on mat.naloxone, then its answer
        "Ten charts, June",
        "Chart audit 2026-09",
        "85%",
        "na",  # mat.pregnancy allows N/A
        "The program serves only men.",
        "5",  # cod.screen
        "3",  # cod.crisis
    ]
    result = fill(runner, lines, "-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    want = expected(
        {
            "mat.admit": Answer(value=4),
            "mat.route": Answer(value="referral"),
            "mat.naloxone": Answer(
                value=85, note="Ten charts, June", evidence="Chart audit 2026-09"
            ),
            "mat.pregnancy": Answer(not_applicable=True, na_reason="The program serves only men."),
            "mat.storage": Answer(not_applicable=True, na_reason=OUTPATIENT_NA),
            "cod.screen": Answer(value=5),
            "cod.crisis": Answer(value=3),
        }
    )
    assert out.read_bytes() == dump_responses(want)
    assert "answered  N/A  unanswered" in result.stdout
    assert "  All items                 5    2           0" in result.stdout
    quoted = shlex.quote(str(out))
    assert f"audit-kit report {quoted} --instrument {shlex.quote(MINI)}\n" in result.stdout
    assert f"audit-kit score {quoted} --instrument {shlex.quote(MINI)}\n" in result.stdout
    scored = runner.invoke(cli, ["score", str(out), "--instrument", MINI], catch_exceptions=False)
    assert scored.exit_code == 0, scored.output
    assert "5 answered, 2 not applicable, 0 unanswered, of 7 items" in scored.stdout


def test_screen_shows_position_question_guidance_and_answers(
    runner: CliRunner, tmp_path: Path
) -> None:
    """The item screen says where the user is and lists anchors, choices and percentage bands."""
    result = fill(runner, [*profile(), "4", "a", "95"], "-o", str(tmp_path / "x.json"))
    out = result.stdout
    assert result.exit_code == 0, result.output
    assert "Medications (MAT): 4 items" in out
    assert "MAT · Access — item 1 of 4 (overall 1 of 6)" in out
    assert "MAT-1 [mat.admit] Admission on MOUD" in out
    assert "Are people taking prescribed MOUD admitted?" in out
    assert "Evidence (policy, interview): Read the admission policy and ask intake staff." in out
    assert "  1  Refused or told to taper\n  3  Case by case\n  5  Always, dose continued\n" in out
    assert "  (2 and 4: in between)" in out
    assert "  a) On site (scores 5)\n  b) By written referral (scores 3)\n" in out
    assert "  90% to 100%       scores 5 (90% or more)" in out
    assert "N/A: not accepted for this item." in out
    assert "Answer (1-5): 4\nSaved: 4\n" in out
    assert "Answer (a-c): a\nSaved: a) On site (scores 5)\n" in out
    assert "Answer (0-100% or ne): 95\nSaved: 95% (scores 5)\n" in out
    assert "No eligible cases in the audit: type ne (recorded as not applicable)." in out
    assert "N/A: allowed (type na) — The program serves only men." in out
    assert "Answer (1-5 or na): " in out


def test_invalid_answers_are_explained_and_asked_again(runner: CliRunner, tmp_path: Path) -> None:
    """Out of range, words, empty and N/A where not allowed: explained, asked again, not saved."""
    out = tmp_path / "x.json"
    lines = [*profile(), "", "7", "four", "na", "2", "4", "on site", "120", "-5", "12,5%"]
    result = fill(runner, lines, "-o", str(out))
    assert result.exit_code == 0, result.output
    text = flat(result.stdout)
    assert "Type an answer, or skip to leave this item for now (? for help)." in text
    assert (
        "Not an answer here: '7'. Type a score from 1 to 5; or note, back, skip, quit "
        "(? for help)." in text
    )
    assert "Not an answer here: 'four'." in text
    assert "N/A is not accepted for this item: it applies to every outpatient program." in text
    assert (
        "Not an answer here: '4'. Choices are picked by letter (a-c), never by number: each "
        "choice's score is shown beside it;" in text
    )
    assert "Not an answer here: '120'. A percentage is from 0 to 100;" in text
    assert "Not an answer here: '-5'." in text
    saved = json.loads(out.read_text())["answers"]
    assert saved["mat.admit"] == {"value": 2}
    assert saved["mat.route"] == {"value": "on_site"}
    assert saved["mat.naloxone"] == {"value": 12.5}
    assert result.stderr == ""


def test_back_goes_to_previous_item_and_keeps_or_changes_it(
    runner: CliRunner, tmp_path: Path
) -> None:
    """back shows the previous item, its answer the default; Enter keeps it, a new one replaces."""
    out = tmp_path / "x.json"
    lines = [*profile(), "back", "4", "b", "back", "back", "", "c", "50"]
    result = fill(runner, lines, "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "This is the first item; there is nothing to go back to." in result.stdout
    assert "Answer (1-5) [4]: \n" in result.stdout  # back at mat.admit, Enter keeps 4
    assert "Answer (a-c) [b) By written referral]: c\n" in result.stdout
    saved = json.loads(out.read_text())["answers"]
    assert saved["mat.admit"] == {"value": 4}
    assert saved["mat.route"] == {"value": "none"}
    assert saved["mat.naloxone"] == {"value": 50}
    assert "No MOUD route at all." in result.stdout  # critical answer is flagged at once


def test_skip_leaves_items_unanswered_and_the_summary_names_them(
    runner: CliRunner, tmp_path: Path
) -> None:
    """skip moves on without an answer; the summary counts it and says how to come back."""
    out = tmp_path / "x.json"
    lines = [*profile(), "skip", "a", "skip", "5", "4", "4"]
    result = fill(runner, lines, "-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout.count("Skipped: left unanswered.") == 2
    saved = json.loads(out.read_text())["answers"]
    assert "mat.admit" not in saved and "mat.naloxone" not in saved
    assert "  All items                 4    1           2" in result.stdout
    assert "Unanswered: MAT-1, MAT-3." in result.stdout
    assert f"To answer them: audit-kit fill -o {shlex.quote(str(out))}" in result.stdout


def test_na_asks_a_reason_and_is_refused_where_not_allowed(
    runner: CliRunner, tmp_path: Path
) -> None:
    """na: reason required (empty re-asked), cancel returns to the answer; refused elsewhere."""
    out = tmp_path / "x.json"
    lines = [*profile(), "N/A", "3", "a", "90", "na", "cancel", "na", "", "  Men only  "]
    result = fill(runner, lines, "-o", str(out))
    text = flat(result.stdout)
    assert result.exit_code == 0, result.output
    assert text.count("N/A is not accepted for this item") == 1
    assert "N/A is fair when: The program serves only men." in text
    assert "A reason is required: it goes into the report." in text
    assert "Saved: not applicable." in text
    saved = json.loads(out.read_text())["answers"]
    assert saved["mat.pregnancy"] == {"not_applicable": True, "na_reason": "Men only"}
    assert saved["mat.admit"] == {"value": 3}


def test_items_not_for_the_setting_are_skipped_and_recorded(
    runner: CliRunner, tmp_path: Path, mini: Instrument
) -> None:
    """Outpatient: mat.storage is never asked and is recorded N/A; residential: it is asked."""
    out = tmp_path / "out.json"
    result = fill(runner, [*profile(setting="outpatient")], "-o", str(out))
    assert "[mat.storage]" not in result.stdout
    assert "1 item does not apply to outpatient programs and is recorded as N/A: MAT-5." in flat(
        result.stdout
    )
    _, responses = read_responses_json(out, mini)
    assert responses.answers["mat.storage"] == Answer(not_applicable=True, na_reason=OUTPATIENT_NA)
    assert score(mini, responses).item("mat.storage").na_reason == OUTPATIENT_NA

    res = tmp_path / "res.json"
    lines = [*profile(setting="a"), "5", "a", "95", "5", "4"]
    result = fill(runner, lines, "-o", str(res))
    assert "[mat.storage] Medication storage" in result.stdout
    assert "item 5 of 5 (overall 5 of 7)" in result.stdout
    assert json.loads(res.read_text())["answers"]["mat.storage"] == {"value": 4}


def test_profile_defaults_and_re_asking(runner: CliRunner, tmp_path: Path) -> None:
    """Name required, bad setting, yes/no and dates re-asked; no default for what scoring uses."""
    out = tmp_path / "x.json"
    lines = [
        "",
        "x" * 201,
        "St. Mary's Hospital Unit",
        "9",
        "",
        "Hospital inpatient",
        "maybe",
        "",
        "y",
        "adults,  , older adults",
        "",
        "01/10/2026",
        "2026-02-30",
        "2026-03-31",
    ]
    result = fill(runner, lines, "-o", str(out))
    text = result.stdout
    assert result.exit_code == 0, result.output
    assert "The program name is required" in text
    assert "Not accepted: String should have at most 200 characters." in text
    assert "Not a setting: '9'. Type a letter a-f or its name." in text
    # Enter at the setting is no answer: the settings are listed again
    assert text.count("  e) Opioid treatment program (OTP)\n") == 2
    assert "The setting is required: it decides which items apply" in text
    assert "Run by a hospital (hospital-based)? (y/n): maybe" in text
    assert text.count("Please type y (yes) or n (no); ? explains.") == 2
    assert text.count("Not a date:") == 2
    doc = json.loads(out.read_text())
    assert doc["program"] == {
        "name": "St. Mary's Hospital Unit",
        "setting": "hospital_inpatient",
        "hospital_based": True,
        "populations": ["adults", "older adults"],
    }
    assert doc["assessor"] == "" and doc["assessment_date"] == "2026-03-31"


def test_notes_are_saved_at_once_kept_with_enter_and_cleared_with_dash(
    runner: CliRunner, tmp_path: Path
) -> None:
    """note asks a note and an evidence reference, saves them, then asks the answer again."""
    out = tmp_path / "x.json"
    lines = [*profile(), "note", "Intake says yes", "Policy ADM-3", "note", "", "-", "5"]
    result = fill(runner, lines, "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "Note [Intake says yes; - to remove]: \n" in result.stdout
    assert result.stdout.count("Note saved.") == 2
    assert json.loads(out.read_text())["answers"]["mat.admit"] == {
        "value": 5,
        "note": "Intake says yes",
    }


def test_note_alone_is_saved_before_any_answer(runner: CliRunner, tmp_path: Path) -> None:
    """A note typed and then input ending: the note is in the file, the item still unanswered."""
    out = tmp_path / "x.json"
    result = fill(runner, [*profile(), "note", "Ask the pharmacist", ""], "-o", str(out))
    assert result.exit_code == 0
    assert json.loads(out.read_text())["answers"]["mat.admit"] == {"note": "Ask the pharmacist"}
    assert "End of input." in result.stdout


def test_help_lists_the_commands(runner: CliRunner, tmp_path: Path) -> None:
    """? explains every command and what the item accepts."""
    result = fill(runner, [*profile(), "?"], "-o", str(tmp_path / "x.json"))
    for line in (
        "  1-5        the answer: a score",
        "  note       add or change a note",
        "  back       back",
        "  skip       leave this item as it is and go on",
        "  quit       save and quit",
    ):
        assert line in result.stdout
    assert "Commands are whole words. Letters only pick choices, and numbers are only scores" in (
        flat(result.stdout)
    )
    assert "(na, not applicable, is not accepted for this item)" in result.stdout


def test_quit_then_resume_with_the_same_file(runner: CliRunner, tmp_path: Path) -> None:
    """quit saves and stops; running again with -o continues at the first unanswered item."""
    out = tmp_path / "x.json"
    first = fill(runner, [*profile(), "4", "skip", "70", "quit"], "-o", str(out))
    assert first.exit_code == 0, first.output
    assert "[mat.pregnancy]" in first.stdout
    assert "  All items                 2    1           4" in first.stdout
    assert f"To answer them: audit-kit fill -o {shlex.quote(str(out))}" in first.stdout

    second = fill(runner, ["a", "5", "5", "5"], "-o", str(out))
    assert second.exit_code == 0, second.output
    text = second.stdout
    assert f"Resuming {out}: Casa Esperanza (Outpatient), assessed {DAY}." in flat(text)
    assert "2 answered, 1 N/A, 4 unanswered, of 7 items." in text
    assert "Continuing at the first unanswered item." in text
    assert "[mat.admit]" not in text
    assert text.index("[mat.route]") < text.index("[mat.pregnancy]") < text.index("[cod.crisis]")
    assert "[mat.naloxone]" not in text  # answered before, not visited again
    assert "  All items                 6    1           0" in text
    answers = json.loads(out.read_text())["answers"]
    assert [answers[i]["value"] for i in ("mat.admit", "mat.route", "mat.naloxone")] == [
        4,
        "on_site",
        70,
    ]

    done = fill(runner, [], "-o", str(out))
    assert done.exit_code == 0
    assert "Every item that applies is answered (use --review to change answers)." in done.stdout


def test_default_file_is_named_after_program_and_date_and_resumed(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without -o: <slug>-<date>.json here; the same program and date again resumes it."""
    monkeypatch.chdir(tmp_path)
    first = fill(runner, [*profile(name="Casa Esperanza Norte"), "3"])
    assert first.exit_code == 0, first.output
    name = f"casa-esperanza-norte-{DAY}.json"
    assert (tmp_path / name).is_file()
    assert f"Answers are saved to {name} after every answer." in first.stdout

    second = fill(runner, [*profile(name="Casa Esperanza Norte", assessor="J. Doe"), "b"])
    assert second.exit_code == 0, second.output
    assert f"{name} already exists for this program and date: resuming it." in flat(second.stdout)
    doc = json.loads((tmp_path / name).read_text())
    assert doc["answers"]["mat.admit"] == {"value": 3}
    assert doc["answers"]["mat.route"] == {"value": "referral"}
    assert doc["assessor"] == "J. Doe"  # the profile just typed replaces the file's
    assert [p.name for p in tmp_path.iterdir()] == [name]


def test_default_date_is_today(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Enter at the date prompt takes today's date, shown in brackets."""
    monkeypatch.chdir(tmp_path)
    before = date.today().isoformat()
    result = fill(runner, profile(name="Sunrise House", when=""))
    today = date.today().isoformat()
    assert result.exit_code == 0
    assert f"Assessment date (YYYY-MM-DD) [{today}]: \n" in result.stdout
    assert {p.name for p in tmp_path.iterdir()} <= {
        f"sunrise-house-{before}.json",
        f"sunrise-house-{today}.json",
    }


def test_resume_flag_takes_the_most_recent_responses_file(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--resume without -o: the most recently changed responses *.json here, other JSON ignored."""
    monkeypatch.chdir(tmp_path)
    fill(runner, [*profile(name="Old Place"), "1"], "-o", "old.json")
    fill(runner, [*profile(name="New Place"), "2"], "-o", "new.json")
    os.utime("old.json", (1_000_000_000, 1_000_000_000))
    Path("result.json").write_text('{"instrument_id": "mini", "domains": []}')
    result = fill(runner, ["c"], "--resume")
    assert result.exit_code == 0, result.output
    assert "Most recent responses file here: new.json" in result.stdout
    assert "Resuming new.json: New Place (Outpatient)" in flat(result.stdout)
    assert json.loads(Path("new.json").read_text())["answers"]["mat.route"] == {"value": "none"}
    assert json.loads(Path("old.json").read_text())["answers"] == {
        "mat.admit": {"value": 1},
        "mat.storage": {"not_applicable": True, "na_reason": OUTPATIENT_NA},
    }


def test_nothing_to_resume_is_a_clear_error(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--resume with no file to continue: one line on stderr, exit 2, nothing asked."""
    monkeypatch.chdir(tmp_path)
    Path("notes.json").write_text("[1, 2]")
    result = fill(runner, [], "--resume")
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: no responses file (*.json) in the current folder to resume; name one with "
        "-o FILE, or leave out --resume to start a new assessment\n"
    )
    assert result.stdout == ""
    missing = fill(runner, [], "--review", "-o", "gone.json")
    assert missing.exit_code == 2
    assert missing.stderr.startswith("Error: gone.json: does not exist, so there is nothing to")
    assert "leave out --review" in missing.stderr


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("answers.xlsx", "fill writes a responses JSON file; give a name ending in .json"),
        ("nowhere/answers.json", "folder 'nowhere' does not exist; create it or choose another -o"),
    ],
)
def test_unusable_output_refused_before_any_question(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, message: str
) -> None:
    """A wrong -o is reported at once (exit 2), before the user types anything."""
    monkeypatch.chdir(tmp_path)
    result = fill(runner, profile(), "-o", name)
    assert result.exit_code == 2
    assert result.stderr == f"Error: {name}: {message}\n"
    assert result.stdout == ""


def test_resuming_a_file_that_is_not_valid_responses(runner: CliRunner, tmp_path: Path) -> None:
    """-o pointing at broken or foreign responses: located errors, exit 2, file untouched."""
    broken = tmp_path / "broken.json"
    broken.write_text('{"instrument_id": "mini", "answers": {')
    result = fill(runner, [], "-o", str(broken))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {broken}:1:")
    assert "not valid JSON" in result.stderr
    assert broken.read_text() == '{"instrument_id": "mini", "answers": {'

    other = tmp_path / "other.json"
    doc = json.loads(dump_responses(expected({})))
    doc["instrument_id"] = "mat-tsf-cod"
    other.write_text(json.dumps(doc))
    result = fill(runner, [], "-o", str(other))
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {other}: instrument_id: these responses are for instrument 'mat-tsf-cod', "
        "not 'mini'; pass the matching instrument with --instrument\n"
    )


def test_end_of_input_during_profile_saves_nothing(runner: CliRunner, tmp_path: Path) -> None:
    """Input ends before the profile is complete: exit 2, a clear message, no file."""
    result = fill(runner, ["Casa Esperanza", "2"], "-o", str(tmp_path / "x.json"))
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: input ended before the program profile was complete; nothing was saved\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_end_of_input_mid_way_keeps_every_answer(
    runner: CliRunner, tmp_path: Path, mini: Instrument
) -> None:
    """Input ends in the middle: exit 0, everything answered is in a valid responses file."""
    out = tmp_path / "x.json"
    result = fill(runner, [*profile(), "4", "b"], "-o", str(out))
    assert result.exit_code == 0
    assert "End of input." in result.stdout
    assert f"To answer them: audit-kit fill -o {shlex.quote(str(out))}" in result.stdout
    _, responses = read_responses_json(out, mini)
    assert {k: a.value for k, a in responses.answers.items() if a.value is not None} == {
        "mat.admit": 4,
        "mat.route": "referral",
    }
    assert [p.name for p in tmp_path.iterdir()] == ["x.json"]  # no temporary file left


def test_lines_that_are_not_utf8_are_ignored(runner: CliRunner, tmp_path: Path) -> None:
    """A line of invalid bytes is reported and skipped; the session goes on."""
    out = tmp_path / "x.json"
    data = "".join(f"{line}\n" for line in profile()).encode() + b"\xff\xfe4\n5\n"
    result = runner.invoke(cli, ["fill", "-i", MINI, "-o", str(out)], input=data, env=WIDTH)
    assert result.exit_code == 0
    assert "(ignored a line that is not UTF-8 text)" in result.stdout
    assert json.loads(out.read_text())["answers"]["mat.admit"] == {"value": 5}


def test_review_walks_answered_items_with_current_answers(
    runner: CliRunner, tmp_path: Path
) -> None:
    """--review: profile and answered items offered with their values; Enter keeps them."""
    out = tmp_path / "x.json"
    fill(runner, [*profile(), "4", "skip", "70", "na", "Men only", "quit"], "-o", str(out))
    lines = ["", "", "", "", "", "", "", "55", "", "3"]
    result = fill(runner, lines, "--review", "-o", str(out))
    text = result.stdout
    assert result.exit_code == 0, result.output
    assert "Program name [Casa Esperanza]: \n" in text
    assert "Assessor (name, role) [Dana Ruiz, clinical director; - to remove]: \n" in text
    assert f"Assessment date (YYYY-MM-DD) [{DAY}]: \n" in text
    assert "Answer (1-5) [4]: \n" in text
    assert "Answer (0-100% or ne) [70%]: 55\n" in text
    assert "Current answer: not applicable — Men only" in text
    assert "Answer (1-5 or na) [na: Men only]: \n" in text
    assert "[mat.route]" not in text and "[cod.screen]" not in text
    answers = json.loads(out.read_text())["answers"]
    assert answers["mat.naloxone"] == {"value": 55}
    assert answers["mat.pregnancy"] == {"not_applicable": True, "na_reason": "Men only"}
    assert answers["mat.admit"] == {"value": 4}
    assert "cod.screen" not in answers  # the trailing "3" was never read as an answer


def test_review_setting_change_asks_before_removing_answers(
    runner: CliRunner, tmp_path: Path
) -> None:
    """A new setting that makes answered items not apply is confirmed; 'n' keeps the old one."""
    out = tmp_path / "x.json"
    fill(runner, [*profile(setting="a"), "4", "a", "95", "5", "5", "quit"], "-o", str(out))
    assert json.loads(out.read_text())["answers"]["mat.storage"] == {"value": 5}

    keep = fill(runner, ["", "b", "", "", "", "", "n", "quit"], "--review", "-o", str(out))
    assert "1 answered item does not apply to outpatient programs: MAT-5." in flat(keep.stdout)
    assert "Setting kept: Residential." in keep.stdout
    doc = json.loads(out.read_text())
    assert doc["program"]["setting"] == "residential"
    assert doc["answers"]["mat.storage"] == {"value": 5}

    change = fill(runner, ["", "b", "", "", "", "", "y", "quit"], "--review", "-o", str(out))
    assert change.exit_code == 0
    doc = json.loads(out.read_text())
    assert doc["program"]["setting"] == "outpatient"
    assert doc["answers"]["mat.storage"] == {"not_applicable": True, "na_reason": OUTPATIENT_NA}

    back = fill(runner, ["", "a", "", "", "", "", "quit"], "--review", "-o", str(out))
    assert "1 item applies to residential programs and is open again: MAT-5." in flat(back.stdout)
    assert "mat.storage" not in json.loads(out.read_text())["answers"]


class _Scripted:
    """A console fed from a list; ``KeyboardInterrupt`` in the list is raised as Ctrl-C."""

    width = 80

    def __init__(self, lines: list[str | type[BaseException]]) -> None:
        self.lines = list(lines)
        self.out: list[str] = []

    def say(self, text: str = "") -> None:
        self.out.append(text)

    def ask(self, prompt: str) -> str:
        self.out.append(prompt)
        if not self.lines:
            raise EOFError
        line = self.lines.pop(0)
        if isinstance(line, type):
            raise line
        return line


def test_ctrl_c_stops_with_130_and_keeps_confirmed_answers(tmp_path: Path) -> None:
    """Ctrl-C at a prompt: exit code 130, a one-line note, every confirmed answer in the file."""
    out = tmp_path / "x.json"
    console = _Scripted([*profile(), "4", "b", KeyboardInterrupt])
    options = FillOptions(instrument=MINI, output=out)
    outcome = run_fill(options, console)
    assert outcome is Outcome.INTERRUPTED and outcome.exit_code == 130
    assert console.out[-1].startswith(f"Stopped. Every confirmed answer is saved in {out}; ")
    assert console.out[-1].endswith(f"continue with: audit-kit fill -o {out} --instrument {MINI}")
    answers = json.loads(out.read_text())["answers"]
    assert answers["mat.admit"] == {"value": 4} and answers["mat.route"] == {"value": "referral"}


def test_ctrl_c_in_the_profile_saves_nothing(tmp_path: Path) -> None:
    """Ctrl-C before the profile is complete: 130, nothing written."""
    console = _Scripted(["Casa", KeyboardInterrupt])
    outcome = run_fill(FillOptions(instrument=MINI, output=tmp_path / "x.json"), console)
    assert outcome.exit_code == 130
    assert console.out[-1] == "Stopped; nothing was saved."
    assert list(tmp_path.iterdir()) == []


def test_today_and_folder_are_options(tmp_path: Path) -> None:
    """The library call takes the default date and the folder instead of reading them itself."""
    console = _Scripted(profile(name="Harbor Light", when=""))
    run_fill(FillOptions(instrument=MINI, folder=tmp_path, today=date(2027, 1, 2)), console)
    assert (tmp_path / "harbor-light-2027-01-02.json").is_file()


@pytest.mark.parametrize(
    ("item_id", "typed", "value"),
    [
        ("mat.route", "b", "referral"),
        ("mat.route", " B ", "referral"),
        ("mat.route", "referral", "referral"),
        ("mat.route", "  by WRITTEN referral ", "referral"),
        ("mat.route", "by wr", "referral"),  # the start of one label
        ("mat.route", "2", None),  # never by position
        ("mat.route", "0", None),
        ("mat.route", "d", None),
        ("mat.route", "o", None),  # one letter is a key, never the start of a label
        ("mat.admit", "5", 5),
        ("mat.admit", "5.0", 5),
        ("mat.admit", "6", None),
        ("mat.admit", "2.5", None),
        ("mat.admit", "nan", None),
        ("mat.admit", "a", None),
        ("mat.naloxone", "100%", 100),
        ("mat.naloxone", "33,3 %", 33.3),
        ("mat.naloxone", "0", 0),
        ("mat.naloxone", "6", 6),
        ("mat.naloxone", "5%", 5),
        ("mat.naloxone", "5", None),  # could be a score
        ("mat.naloxone", "1", None),
        ("mat.naloxone", "2.5", None),
        ("mat.naloxone", "0.95", None),  # a fraction
        ("mat.naloxone", "0.95%", 0.95),
        ("mat.naloxone", "100.5", None),
        ("mat.naloxone", "-5", None),
        ("mat.naloxone", "1e2", None),
    ],
)
def test_parse_answer(mini: Instrument, item_id: str, typed: str, value: object) -> None:
    """What counts as an answer: letter, value, label or its start for choices; a percentage
    with % where a bare number could be a score or a fraction; None stands for a refusal."""
    item = mini.item(item_id)
    if value is None:
        with pytest.raises(NotAccepted):
            parse_answer(item, typed)
    else:
        assert parse_answer(item, typed) == value


def test_apply_setting_records_and_reopens(mini: Instrument) -> None:
    """Items off the setting become N/A (keeping notes); another setting's N/A reopens."""
    answers = {"mat.storage": Answer(value=4, note="Locked cabinet")}
    kept, dropped, reopened = apply_setting(mini, answers, Setting.OUTPATIENT, drop_values=False)
    assert kept == answers and dropped == [] and reopened == []
    moved, dropped, _ = apply_setting(mini, answers, Setting.OUTPATIENT, drop_values=True)
    assert moved["mat.storage"] == Answer(
        not_applicable=True, na_reason=OUTPATIENT_NA, note="Locked cabinet"
    )
    assert dropped == ["mat.storage"]
    back, _, reopened = apply_setting(mini, moved, Setting.RESIDENTIAL, drop_values=True)
    assert back == {"mat.storage": Answer(note="Locked cabinet")} and reopened == ["mat.storage"]
    otp, _, _ = apply_setting(mini, moved, Setting.OPIOID_TREATMENT_PROGRAM, drop_values=True)
    assert otp["mat.storage"].na_reason == ("Does not apply to opioid treatment programs.")


def _bundled_script(instrument: Instrument, setting: Setting) -> tuple[list[str], dict]:
    """Input lines answering every item of an instrument, and the answers they should give."""
    lines: list[str] = []
    answers: dict[str, Answer] = {}
    for n, (_, _, item) in enumerate(instrument.iter_items()):
        skipped = skipped_items(instrument, setting, answers).get(item.id)
        if skipped is not None and skipped.kind is NaKind.SKIP_LOGIC:
            continue  # an earlier answer makes it not apply: fill passes over it
        if not item.applies(setting):
            answers[item.id] = Answer(
                not_applicable=True,
                na_reason=setting.na_reason,
            )
            continue
        note = {}
        if n % 7 == 3:
            note = {"note": f"Note on item {n}", "evidence": f"Document {n}"}
            lines += ["note", note["note"], note["evidence"]]
        if item.allow_na:
            lines += ["na", f"Reason {n}"]
            answers[item.id] = Answer(not_applicable=True, na_reason=f"Reason {n}", **note)
            continue
        if item.kind is AnswerKind.CHOICE:
            choices = item.choices or []
            k = n % len(choices)
            lines.append(chr(ord("a") + k) if n % 2 else choices[k].label)
            value: int | float | str = choices[k].value
        elif item.kind is AnswerKind.PERCENT:
            value = (n * 37) % 101
            lines.append(f"{value}%")
        else:
            value = n % 5 + 1
            lines.append(str(value))
        answers[item.id] = Answer(value=value, **note)
    return lines, answers


def test_full_piped_run_of_the_bundled_instrument_gives_the_same_report(
    runner: CliRunner, tmp_path: Path, bundled: Instrument
) -> None:
    """All items of mat-tsf-cod piped in: the canonical JSON of those answers, and the same PDF.

    The same answers written as JSON by hand (every field spelt out, on one line) give a
    byte-identical report.
    """
    lines, answers = _bundled_script(bundled, Setting.OUTPATIENT)
    out = tmp_path / "casa.json"
    result = fill(runner, [*profile(), *lines], "-o", str(out), instrument=None)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    want = Responses(
        instrument_id=bundled.id,
        instrument_version=bundled.version,
        program=Program(
            name="Casa Esperanza",
            setting=Setting.OUTPATIENT,
            hospital_based=False,
            populations=["adults"],
        ),
        assessor="Dana Ruiz, clinical director",
        assessment_date=date(2026, 10, 1),
        answers={i: answers[i] for i in bundled.item_ids if i in answers},
    )
    assert out.read_bytes() == dump_responses(want)
    assert f"audit-kit report {shlex.quote(str(out))}\n" in result.stdout
    assert "unanswered" in result.stdout and "End of input." not in result.stdout
    scored = runner.invoke(cli, ["score", str(out)], catch_exceptions=False)
    assert scored.exit_code == 0, scored.output
    total = bundled.item_count
    na = total - sum(1 for a in answers.values() if not a.not_applicable)
    assert f"{total - na} answered, {na} not applicable, 0 unanswered, of {total} items" in (
        scored.stdout
    )

    hand = tmp_path / "hand.json"
    hand.write_text(want.model_dump_json(), encoding="utf-8")
    pdfs = []
    for source in (out, hand):
        pdf = tmp_path / f"{source.stem}.pdf"
        made = runner.invoke(cli, ["report", str(source), "-o", str(pdf)], catch_exceptions=False)
        assert made.exit_code == 0, made.output
        pdfs.append(pdf.read_bytes())
    assert pdfs[0] == pdfs[1]
    assert pdfs[0].startswith(b"%PDF")


def test_signal_handlers_are_put_back(runner: CliRunner, tmp_path: Path) -> None:
    """The session's hang-up and terminate handlers do not outlive the command."""
    before = (signal.getsignal(signal.SIGHUP), signal.getsignal(signal.SIGTERM))
    result = fill(runner, [*profile(), "4"], "-o", str(tmp_path / "x.json"))
    assert result.exit_code == 0
    assert (signal.getsignal(signal.SIGHUP), signal.getsignal(signal.SIGTERM)) == before


def test_digits_never_pick_a_choice_by_position(
    runner: CliRunner, tmp_path: Path, bundled: Instrument
) -> None:
    """On MAT-1 the first choice is the best answer: typing 1 to mean 'we refuse' is refused
    (it is no score here), and the letter of the refusal records it with its critical finding."""
    out = tmp_path / "x.json"
    result = fill(runner, [*profile(), "1", "d"], "-o", str(out), instrument=None)
    text = result.stdout
    assert result.exit_code == 0, result.output
    item = bundled.item("mat.admit_on_moud")
    assert "  a) Admitted whatever MOUD they take" in text and "(scores 5)" in text
    assert "Answer (a-d): 1\nNot an answer here: '1'. Choices are picked by letter (a-d)" in text
    assert "Saved: d) Refused admission" in text
    assert f"Critical finding: {item.critical.finding}" in flat(text)  # type: ignore[union-attr]
    assert json.loads(out.read_text())["answers"]["mat.admit_on_moud"] == {"value": "refused"}


def _instrument_with_route(tmp_path: Path, choices: list[dict[str, object]]) -> str:
    """The mini instrument with mat.route's choices replaced; the path of the new file."""
    import yaml

    doc = yaml.safe_load(Path(MINI).read_text())
    route = doc["domains"][0]["dimensions"][0]["items"][1]
    assert route["id"] == "mat.route"
    route["choices"] = choices
    route["critical"]["answers"] = [choices[-1]["value"]]
    path = tmp_path / "custom.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True))
    return str(path)


def test_choice_labels_that_are_digits_mean_what_the_workbook_means(
    runner: CliRunner, tmp_path: Path
) -> None:
    """Labels '3', '2', '1': typing 1 is the choice labelled 1 (as in a workbook cell), never
    the first choice; the letters still pick by position, shown beside each label."""
    spec = _instrument_with_route(
        tmp_path,
        [
            {"value": "high", "label": "3", "score": 5},
            {"value": "mid", "label": "2", "score": 3},
            {"value": "low", "label": "1", "score": 1},
        ],
    )
    out = tmp_path / "x.json"
    result = fill(runner, [*profile(), "4", "1", "back", "a"], "-o", str(out), instrument=spec)
    assert result.exit_code == 0, result.output
    assert "  a) 3 (scores 5)\n  b) 2 (scores 3)\n  c) 1 (scores 1)\n" in result.stdout
    assert "Answer (a-c): 1\nSaved: c) 1 (scores 1)\n" in result.stdout
    assert "Answer (a-c) [c) 1]: a\nSaved: a) 3 (scores 5)\n" in result.stdout
    assert json.loads(out.read_text())["answers"]["mat.route"] == {"value": "high"}


def test_text_that_fits_two_choices_is_refused_with_the_choices(
    runner: CliRunner, tmp_path: Path
) -> None:
    """A start shared by two labels, or a letter that is also another choice's label: refused,
    the candidates listed; the full label or the letter then records it."""
    spec = _instrument_with_route(
        tmp_path,
        [
            {"value": "written_full", "label": "Written agreement, followed up", "score": 5},
            {"value": "written_bare", "label": "Written agreement only", "score": 3},
            {"value": "none", "label": "A", "score": 1},
        ],
    )
    out = tmp_path / "x.json"
    lines = [*profile(), "4", "written", "a", "written agreement o"]
    result = fill(runner, lines, "-o", str(out), instrument=spec)
    text = flat(result.stdout)
    assert result.exit_code == 0, result.output
    assert (
        "'written' fits more than one answer: a) Written agreement, followed up; b) Written "
        "agreement only. Type the letter of the one you mean; or note, back" in text
    )
    assert "'a' fits more than one answer: a) Written agreement, followed up; c) A." in text
    assert json.loads(out.read_text())["answers"]["mat.route"] == {"value": "written_bare"}


_MINI_ROUTE = load_instrument(MINI).item("mat.route")


@settings(max_examples=200, deadline=None)
@given(
    labels=st.lists(
        st.text(alphabet="abcnqs12 ", min_size=1, max_size=4).filter(str.strip),
        min_size=1,
        max_size=6,
        unique_by=lambda label: " ".join(label.split()).casefold(),
    ),
    typed=st.text(alphabet="abcnqs12 ", max_size=4),
)
def test_a_typed_text_never_picks_a_choice_it_does_not_name(labels: list[str], typed: str) -> None:
    """Whatever the labels: a text picks a choice only when it is that choice's letter, value
    or label, or the start of its label alone; a digit never picks by position."""
    choices = [
        Choice(value=f"v{n}", label=label, score=1 + n % 5) for n, label in enumerate(labels)
    ]
    item = _MINI_ROUTE.model_copy(update={"choices": choices})
    keys = [chr(ord("a") + n) for n in range(len(choices))]
    wanted = " ".join(typed.split()).casefold()

    def names(n: int) -> bool:
        label = " ".join(labels[n].split()).casefold()
        return wanted in (keys[n], f"v{n}", label)

    try:
        value = parse_answer(item, typed)
    except NotAccepted:
        return
    n = int(str(value)[1:])
    exact = [m for m in range(len(choices)) if names(m)]
    if exact:
        assert exact == [n]
    else:
        starts = [
            m
            for m in range(len(choices))
            if " ".join(labels[m].split()).casefold().startswith(wanted)
        ]
        assert len(wanted) >= 2 and starts == [n]


def test_percent_that_could_be_a_score_or_a_fraction_needs_the_percent_sign(
    runner: CliRunner, tmp_path: Path
) -> None:
    """'3' could be a score and '0.95' a fraction: neither is saved; '3%' is three percent."""
    out = tmp_path / "x.json"
    result = fill(runner, [*profile(), "4", "b", "3", "0.95", "3%"], "-o", str(out))
    text = flat(result.stdout)
    assert result.exit_code == 0, result.output
    assert "'3' could be a score rather than a percentage. For 3 percent type 3%" in text
    assert "'0.95' looks like a fraction, and percentages are out of 100: type 95 or 95%" in text
    assert "Saved: 3% (scores 1)" in text
    assert "Critical finding: Naloxone is almost never provided." in text
    assert json.loads(out.read_text())["answers"]["mat.naloxone"] == {"value": 3}


def test_no_eligible_cases_is_not_applicable_on_percent_items(
    runner: CliRunner, tmp_path: Path, mini: Instrument
) -> None:
    """ne on a chart audit records N/A with that reason, which score counts as N/A; on a scale
    item it is refused."""
    out = tmp_path / "x.json"
    result = fill(runner, [*profile(), "ne", "4", "b", "ne"], "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "Answer (0-100% or ne): ne\nSaved: not applicable — no eligible cases" in result.stdout
    assert "ne (no eligible cases) is for chart-audit percentages; this item takes 1-5." in flat(
        result.stdout
    )
    _, responses = read_responses_json(out, mini)
    assert responses.answers["mat.naloxone"] == Answer(
        not_applicable=True, na_reason="No eligible cases in the audit."
    )
    result_item = score(mini, responses).item("mat.naloxone")
    assert result_item.na_kind is NaKind.RESPONDENT
    assert result_item.na_reason == "No eligible cases in the audit."


def test_question_mark_explains_every_profile_question(runner: CliRunner, tmp_path: Path) -> None:
    """? at each profile question explains it and asks again; nothing is taken from it."""
    out = tmp_path / "x.json"
    lines = ["?", "Casa", "?", "b", "?", "n", "?", "", "?", "", "?", DAY, "4"]
    result = fill(runner, lines, "-o", str(out))
    text = flat(result.stdout)
    assert result.exit_code == 0, result.output
    for said in (
        "The name of the program assessed, as it should appear on the report's cover.",
        "The kind of program. It decides which items apply",
        "Whether a hospital runs the program",
        "Who the program serves, separated by commas",
        "Who carried out the assessment (name and role)",
        "The day of the assessment, as YYYY-MM-DD.",
    ):
        assert said in text
    doc = json.loads(out.read_text())
    assert doc["program"] == {
        "name": "Casa",
        "setting": "outpatient",
        "hospital_based": False,
        "populations": ["adults"],
    }


def test_incomplete_profile_in_a_resumed_file_is_asked_for(
    runner: CliRunner, tmp_path: Path
) -> None:
    """A file whose profile lacks fields (a blank workbook converted): only those are asked,
    the others and the answers kept."""
    out = tmp_path / "x.json"
    partial = Responses(
        instrument_id="mini",
        instrument_version="1.0",
        program=Program(populations=["women"]),
        assessor="Dana Ruiz",
        answers={"mat.admit": Answer(value=4)},
    )
    out.write_bytes(dump_responses(partial))
    result = fill(runner, ["", "Casa", "", "residential", "?", "y", DAY, "quit"], "-o", str(out))
    text = flat(result.stdout)
    assert result.exit_code == 0, result.output
    assert "Resuming" in text and "Unnamed program (setting not given)" in text
    assert (
        "The profile in this file is incomplete (not given: program name, setting, "
        "hospital-based (yes or no), assessment date)" in text
    )
    assert "The program name is required" in text
    assert "Populations" not in text and "Assessor" not in text
    doc = json.loads(out.read_text())
    assert doc["program"] == {
        "name": "Casa",
        "setting": "residential",
        "hospital_based": True,
        "populations": ["women"],
    }
    assert doc["assessor"] == "Dana Ruiz" and doc["assessment_date"] == DAY
    assert doc["answers"] == {"mat.admit": {"value": 4}}


def _lock_of(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


def _wait_for(path: Path, process: subprocess.Popen[bytes]) -> None:
    """Wait until ``path`` exists (it is made before the first question); fail if never."""
    deadline = time.monotonic() + 60
    while not path.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.02)


def test_a_second_session_on_the_same_file_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    """While one fill works on a file, another exits 2 with one line naming the first; the
    first's answers are all kept, and its lock goes with it."""
    out = tmp_path / "x.json"
    first = subprocess.Popen(
        [sys.executable, "-m", "audit_kit", "fill", "-i", MINI, "-o", str(out)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, **WIDTH},
    )
    try:
        _wait_for(_lock_of(out), first)
        second = fill(runner, [*profile(name="Other"), "1"], "-o", str(out))
        assert second.exit_code == 2
        assert second.stdout == ""
        assert second.stderr.startswith(
            f"Error: {out}: another fill session is working on this file (process {first.pid} "
            f"on {socket.gethostname()}, since "
        )
        assert second.stderr.endswith(
            "); finish or quit that session first (if none is running, delete x.json.lock)\n"
        )
        assert second.stderr.count("\n") == 1
        typed = "".join(f"{line}\n" for line in [*profile(), "4", "quit"]).encode()
        _stdout, stderr = first.communicate(typed, timeout=60)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    assert first.returncode == 0, stderr.decode()
    assert json.loads(out.read_text())["program"]["name"] == "Casa Esperanza"
    assert json.loads(out.read_text())["answers"]["mat.admit"] == {"value": 4}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.json"]


def _dead_pid() -> int:
    """The id of a process that has ended."""
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(done.stdout)


def _write_lock(path: Path, **fields: object) -> str:
    holder = {
        "pid": 1,
        "host": socket.gethostname(),
        "since": "2026-09-30 17:05",
        "started": None,
        "token": "0123456789abcdef",
    }
    holder.update(fields)
    text = json.dumps(holder) + "\n"
    _lock_of(path).write_text(text)
    return text


@pytest.mark.parametrize("left_by", ["a dead process", "a reused process id"])
def test_a_lock_left_by_a_killed_session_is_taken_over(
    runner: CliRunner, tmp_path: Path, left_by: str
) -> None:
    """A lock whose process is gone (or whose id now belongs to another process) is taken
    over with a note; the session runs and removes it at the end."""
    out = tmp_path / "x.json"
    if left_by == "a dead process":
        pid = _dead_pid()
        _write_lock(out, pid=pid)
    else:
        if not Path(f"/proc/{os.getpid()}/stat").exists():
            pytest.skip("process start times are read from /proc")
        pid = os.getpid()  # alive, but started at another time than the lock says
        _write_lock(out, pid=pid, started="1")
    result = fill(runner, [*profile(), "4", "quit"], "-o", str(out))
    assert result.exit_code == 0, result.output
    assert (
        f"Took over x.json.lock: the session that left it (process {pid} on "
        f"{socket.gethostname()}, since 2026-09-30 17:05) is no longer running."
        in flat(result.stdout)
    )
    assert json.loads(out.read_text())["answers"]["mat.admit"] == {"value": 4}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.json"]


@pytest.mark.parametrize(
    ("lock", "who"),
    [
        ({"host": "clinic-laptop-7", "pid": 4242}, " (process 4242 on clinic-laptop-7, since "),
        ("not a lock", ""),
    ],
)
def test_a_lock_that_cannot_be_judged_stale_is_respected(
    runner: CliRunner, tmp_path: Path, lock: dict[str, object] | str, who: str
) -> None:
    """A lock from another computer (its process cannot be looked at) or an unreadable one:
    exit 2, the way out named, the lock and the file left alone."""
    out = tmp_path / "x.json"
    out.write_bytes(dump_responses(expected({"mat.admit": Answer(value=2)})))
    before = out.read_bytes()
    if isinstance(lock, dict):
        text = _write_lock(out, **lock)
    else:
        text = lock
        _lock_of(out).write_text(text)
    result = fill(runner, ["5"], "-o", str(out))
    assert result.exit_code == 2
    assert result.stderr.startswith(
        f"Error: {out}: another fill session is working on this file{who}"
    )
    assert "(if none is running, delete x.json.lock)\n" in result.stderr
    assert out.read_bytes() == before
    assert _lock_of(out).read_text() == text


@pytest.mark.parametrize(
    "ending",
    ["quit", "end of input", "input ended in the profile", "Ctrl-C", "file of another instrument"],
)
def test_the_lock_is_removed_however_the_session_ends(tmp_path: Path, ending: str) -> None:
    """quit, end of input, an error (exit 2), Ctrl-C: no lock is left behind."""
    out = tmp_path / "x.json"
    lines: list[str | type[BaseException]] = {
        "quit": [*profile(), "4", "quit"],
        "end of input": [*profile(), "4"],
        "input ended in the profile": ["Casa"],
        "Ctrl-C": [*profile(), "4", KeyboardInterrupt],
        "file of another instrument": [],
    }[ending]
    if ending == "file of another instrument":
        doc = json.loads(dump_responses(expected({})))
        doc["instrument_id"] = "mat-tsf-cod"
        out.write_text(json.dumps(doc))
    console = _Scripted(lines)
    try:
        run_fill(FillOptions(instrument=MINI, output=out), console)
    except AuditKitError:
        assert ending in ("input ended in the profile", "file of another instrument")
    assert not _lock_of(out).exists()
    assert [p.name for p in tmp_path.iterdir()] in ([], ["x.json"])


def test_default_names_never_mix_two_programs(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two names with the same Latin words get two files, the second said; each program's
    next session finds its own file. Names without Latin letters never share one."""
    monkeypatch.chdir(tmp_path)
    first = fill(runner, [*profile(name="Casa Esperanza"), "4"])
    name = f"casa-esperanza-{DAY}.json"
    assert first.exit_code == 0, first.output

    second = fill(runner, [*profile(name="Casa-Esperanza!"), "2"])
    other = f"casa-esperanza-{DAY}-2.json"
    assert second.exit_code == 0, second.output
    assert (
        f"{name} holds the assessment of another program (Casa Esperanza); this assessment "
        f"is saved as {other} instead." in flat(second.stdout)
    )
    again = fill(runner, [*profile(name="casa-esperanza!"), "c"])
    assert f"{other} already exists for this program and date: resuming it." in flat(again.stdout)
    assert json.loads(Path(name).read_text())["answers"]["mat.admit"] == {"value": 4}
    answers = json.loads(Path(other).read_text())["answers"]
    assert answers["mat.admit"] == {"value": 2} and answers["mat.route"] == {"value": "none"}

    files = {}
    for program, stem in (("Центр Надежда", "центр-надежда"), ("דרך חדשה", "דרך-חדשה")):
        result = fill(runner, [*profile(name=program), "3"])
        assert result.exit_code == 0, result.output
        made = Path(f"{stem}-{DAY}.json")
        assert made.exists()
        files[program] = made.name
        assert json.loads(made.read_text())["program"]["name"] == program
    resumed = fill(runner, [*profile(name="דרך חדשה"), "a"])
    assert f"{files['דרך חדשה']} already exists for this program and date" in flat(resumed.stdout)
    assert json.loads(Path(files["Центр Надежда"]).read_text())["answers"].get("mat.route") is None


def test_a_default_named_file_that_cannot_be_continued_is_left_alone(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file of the default name that is not this instrument's responses: untouched, and the
    assessment goes to the next name, with the reason said."""
    monkeypatch.chdir(tmp_path)
    name = f"casa-esperanza-{DAY}.json"
    Path(name).write_text('{"notes": "mine"}')
    result = fill(runner, [*profile(), "4"])
    assert result.exit_code == 0, result.output
    assert f"{name} is not this instrument's responses file (" in flat(result.stdout)
    assert f"this assessment is saved as casa-esperanza-{DAY}-2.json instead." in flat(
        result.stdout
    )
    assert Path(name).read_text() == '{"notes": "mine"}'


def test_escape_sequences_never_reach_the_terminal(
    runner: CliRunner, tmp_path: Path, mini: Instrument
) -> None:
    """An escape typed into a name or an answer leaves nothing of itself in the file or on the
    screen; one in a file's text (a C1 control, a bidi override) is not shown either."""
    out = tmp_path / "x.json"
    lines = [*profile(name="\x1b]0;pwn\x07Casa \x1b[31mEsperanza\x1b[0m"), "4\x1b[2J"]
    result = fill(runner, lines, "-o", str(out))
    assert result.exit_code == 0, result.output
    _, responses = read_responses_json(out, mini)
    assert responses.program.name == "Casa Esperanza"
    assert responses.answers["mat.admit"] == Answer(value=4)
    for leftover in ("\x1b", "\x07", "0;pwn", "[31m", "[2J"):
        assert leftover not in result.stdout

    hostile = responses.model_copy(
        update={
            "program": responses.program.model_copy(
                update={"name": "Casa\u202e Esperanza\x9b2J", "populations": ["adults\x9d0;x\x9c"]}
            )
        }
    )
    out.write_bytes(dump_responses(hostile))
    again = fill(runner, ["", "", "", "", "", "", "quit"], "--review", "-o", str(out))
    assert again.exit_code == 0, again.output
    assert "Program name [Casa Esperanza]: \n" in again.stdout
    assert "Populations served, comma-separated [adults; - for none]: \n" in again.stdout
    for leftover in ("\u202e", "\x9b", "\x9d", "2J", "0;x"):
        assert leftover not in again.stdout


SKIP = str(DATA / "skip.yaml")
NO_MOUD = (
    "The program has no patients taking MOUD (MAT-7 is answered 'None in the last 12 months')."
)


def test_skip_logic_passes_items_over_says_why_once_and_follows_a_changed_answer(
    runner: CliRunner, tmp_path: Path
) -> None:
    """'None on MOUD' passes two items over, said once with the reason; going back and
    answering 'Most' brings them back, and they are asked; the summary counts as score does."""
    out = tmp_path / "x.json"
    lines = [*profile(), "c", "back", "", "back", "a", "5", "4", "80%", "5"]
    result = fill(runner, lines, "-o", str(out), instrument=SKIP)
    text = flat(result.stdout)
    assert result.exit_code == 0, result.output
    assert text.count(f"Not asked from now on: {NO_MOUD}") == 1
    assert "MAT-2 MOUD continued through transfers" in text
    assert (
        "Not asked from now on: Applies only with other answers to MOUD continued through "
        "transfers (MAT-2 does not apply). MAT-3 Dose review" in text
    )
    assert (
        "Apply again after this answer (unanswered ones will be asked): MAT-2 MOUD continued "
        "through transfers; MAT-3 Dose review." in text
    )
    order = [result.stdout.index(f"[{i}]") for i in ("mat.continuity", "mat.dose_review")]
    assert result.stdout.index("Apply again") < order[0] < order[1]
    assert summary_counts(result.stdout) == (5, 0, 0)
    answers = json.loads(out.read_text())["answers"]
    assert answers["mat.continuity"] == {"value": 5} and answers["mat.dose_review"] == {"value": 4}


def test_answers_made_inapplicable_are_kept_but_not_counted(
    runner: CliRunner, tmp_path: Path, mini: Instrument
) -> None:
    """Changing the deciding answer to 'None' after answering the items it decides: they are
    said to stay in the file unscored; the summary's counts are score()'s, and a later session
    names the items not asked."""
    out = tmp_path / "x.json"
    lines = [*profile(), "a", "1", "4", "back", "back", "c", "quit"]
    result = fill(runner, lines, "-o", str(out), instrument=SKIP)
    text = flat(result.stdout)
    assert result.exit_code == 0, result.output
    assert "MAT-2 MOUD continued through transfers (answered 1)" in text
    assert "Their earlier answers stay in the file but are not scored while this holds" in text
    skip = load_instrument(SKIP)
    _, responses = read_responses_json(out, skip)
    assert responses.answers["mat.continuity"] == Answer(value=1)
    c = score(skip, responses).completeness
    assert (c.answered, c.not_applicable, c.unanswered) == (1, 2, 2)
    assert summary_counts(result.stdout) == (c.answered, c.not_applicable, c.unanswered)

    later = fill(runner, ["quit"], "-o", str(out), instrument=SKIP)
    assert flat(later.stdout).count(f"Not asked, because of earlier answers: {NO_MOUD}") == 1
