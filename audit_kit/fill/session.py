"""Interactive questionnaire at the terminal: profile, then the items, saved after each answer."""

from __future__ import annotations

import contextlib
import enum
import json
import os
import re
import shlex
import shutil
import signal
import sys
import textwrap
import threading
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import FrameType
from typing import Annotated, Any, Protocol

import click

from audit_kit.errors import AuditKitError, InputFileError, OutputError
from audit_kit.formats.responses_json import (
    MAX_RESPONSES_BYTES,
    dump_responses,
    read_responses_json,
)
from audit_kit.fsutil import check_output, slug, write_atomic
from audit_kit.model.instrument import SCALE_MAX, SCALE_MIN, Dimension, Domain, Instrument, Item
from audit_kit.model.responses import (
    NA_WORDS,
    Answer,
    AnswerValue,
    Program,
    Responses,
    answer_hint,
    check_answers,
    normalize_value,
)
from audit_kit.model.result import Completeness
from audit_kit.model.vocab import AnswerKind, ItemStatus, Setting
from audit_kit.scoring import score

DEFAULT_SETTING = Setting.OUTPATIENT
DEFAULT_POPULATIONS = ("adults",)
MIN_WIDTH, MAX_WIDTH = 40, 100
MAX_LISTED = 10  # unanswered items named one by one in the summary
CLEAR = "-"  # typed at an optional prompt to remove the current text
CANCEL = "cancel"  # typed at the N/A reason prompt to answer the item after all
KEEP = "\u00a0"  # a space that wrapping does not break at
_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")
_ESCAPES = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-_]")
_HELD_SIGNALS = {
    s for s in (getattr(signal, n, None) for n in ("SIGINT", "SIGTERM", "SIGHUP")) if s is not None
}
Entry = tuple[Domain, Dimension, Item]


class FillInputError(AuditKitError):
    """The session cannot start or go on with what was typed (input ended too early)."""


class Outcome(enum.Enum):
    """How a session ended, and the exit code that goes with it."""

    COMPLETE = "complete"
    QUIT = "quit"
    END_OF_INPUT = "end of input"
    INTERRUPTED = "interrupted"
    HANGUP = "hang-up"
    TERMINATED = "terminated"

    @property
    def exit_code(self) -> int:
        """0 when the session ended as the user asked; 128 + signal number when stopped."""
        return {Outcome.INTERRUPTED: 130, Outcome.HANGUP: 129, Outcome.TERMINATED: 143}.get(self, 0)


class Stopped(BaseException):  # a signal, not an error: nothing may swallow it on the way out
    """The process was told to stop (hang-up or terminate) while a session was running."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class Console(Protocol):
    """Where the session reads answers and writes text; tests pass a scripted one."""

    width: int

    def say(self, text: str = "") -> None:
        """Write one line (or several) of text."""

    def ask(self, prompt: str) -> str:
        """Show a prompt and return the line typed; EOFError at end of input."""


class TerminalConsole:
    """Standard input and output: line editing on a terminal, one answer per line otherwise.

    When standard input is not a terminal the lines read are echoed after their prompt, so the
    output reads as a transcript of the session.
    """

    def __init__(self) -> None:
        stdin = sys.stdin
        self.interactive = bool(stdin is not None and stdin.isatty())
        columns = shutil.get_terminal_size((80, 24)).columns
        self.width = max(MIN_WIDTH, min(MAX_WIDTH, columns))
        if self.interactive:
            with contextlib.suppress(ImportError):
                import readline  # noqa: F401 (gives input() line editing and answer history)

    def say(self, text: str = "") -> None:
        """Write text; if the reader of standard output has gone, carry on without output."""
        try:
            click.echo(text)
        except BrokenPipeError:
            _silence_stdout()

    def ask(self, prompt: str) -> str:
        """Read one line, without its line ending; EOFError at end of input."""
        while True:
            if self.interactive:
                try:
                    return input(prompt)
                except UnicodeDecodeError:
                    self.say("(That was not readable text; please type it again.)")
                    continue
            self._write(prompt)
            raw = self._read_line()
            if not raw:
                self.say()
                raise EOFError
            try:
                line = raw.decode("utf-8").lstrip("\ufeff").rstrip("\r\n")
            except UnicodeDecodeError:
                self.say("(ignored a line that is not UTF-8 text)")
                continue
            self.say(line)
            return line

    def _write(self, text: str) -> None:
        try:
            click.echo(text, nl=False)
        except BrokenPipeError:
            _silence_stdout()

    @staticmethod
    def _read_line() -> bytes:
        stdin = sys.stdin
        if stdin is None:
            return b""
        buffer = getattr(stdin, "buffer", None)
        if buffer is not None:
            return bytes(buffer.readline())
        return str(stdin.readline()).encode("utf-8")


def _silence_stdout() -> None:
    """Send further output to the null device (the pipe reader has gone; answers still save)."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


@contextlib.contextmanager
def stop_on_signals() -> Iterator[None]:
    """Make hang-up (closed terminal) and terminate end a session cleanly, like Ctrl-C.

    The handlers are installed only in the main thread and put back on the way out.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous: dict[int, Any] = {}
    for name in ("SIGHUP", "SIGTERM"):
        signum = getattr(signal, name, None)
        if signum is not None:
            previous[signum] = signal.signal(signum, _raise_stopped)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _raise_stopped(signum: int, frame: FrameType | None) -> None:
    raise Stopped(signum)


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold Ctrl-C, hang-up and terminate until the block is done, so a save is never cut."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


@dataclass(frozen=True)
class FillOptions:
    """What the user asked for on the command line."""

    instrument: str | None = None
    """Bundled id or file path; None for the resumed file's, else ``default_instrument``."""
    output: Path | None = None
    """The responses file; None to name it after the program and date in ``folder``."""
    resume: bool = False
    """Continue an existing file (the most recent in ``folder`` when ``output`` is None)."""
    review: bool = False
    """Walk through the answered items (and the profile) with their answers as defaults."""
    folder: Path = Path(".")
    """Where a new file goes when ``output`` is None, and where ``resume`` looks."""
    today: date | None = None
    """Default assessment date; the system date when None."""
    default_instrument: str = "mat-tsf-cod"
    """The instrument of a new assessment when ``instrument`` is None."""


def run_fill(options: FillOptions, console: Console) -> Outcome:
    """Run one session: profile, then items, saving after every answer; returns how it ended."""
    return _Session(options, console).run()


def parse_answer(item: Item, text: str) -> AnswerValue | None:
    """The canonical value typed for an item, or None when the text is not an answer to it.

    Choice items take the number shown, the value or the label; percent items a number with or
    without ``%``; a decimal comma is read as a point.
    """
    typed = text.strip()
    if item.kind is AnswerKind.CHOICE:
        choices = item.choices or []
        if typed.isascii() and typed.isdigit() and 1 <= int(typed) <= len(choices):
            return choices[int(typed) - 1].value
        return normalize_value(item, typed)
    if item.kind is AnswerKind.PERCENT:
        typed = typed.removesuffix("%").strip()
    if not _NUMBER.match(typed):
        return None
    number = float(typed.replace(",", "."))
    return normalize_value(item, int(number) if number.is_integer() else number)


def status_of(answer: Answer | None) -> ItemStatus:
    """Answered, not applicable, or unanswered."""
    if answer is not None and answer.not_applicable:
        return ItemStatus.NOT_APPLICABLE
    if answer is not None and answer.value is not None:
        return ItemStatus.ANSWERED
    return ItemStatus.UNANSWERED


def apply_setting(
    instrument: Instrument, answers: dict[str, Answer], setting: Setting, *, drop_values: bool
) -> tuple[dict[str, Answer], list[str], list[str]]:
    """Record the items that do not apply to ``setting`` as N/A and reopen those that apply again.

    Returns the answers in instrument order, the items whose value had to go (only with
    ``drop_values``; otherwise such answers are left as they are) and the items reopened because
    their recorded reason was another setting's. Notes and evidence references are kept.
    """
    generated = {s.na_reason for s in Setting}
    out: dict[str, Answer] = {}
    dropped: list[str] = []
    reopened: list[str] = []
    for _, _, item in instrument.iter_items():
        answer = answers.get(item.id)
        kept = {"note": answer.note, "evidence": answer.evidence} if answer else {}
        if not item.applies(setting):
            if answer is not None and answer.not_applicable:
                reason = answer.na_reason
                if reason in generated:
                    reason = setting.na_reason
                answer = answer.model_copy(update={"na_reason": reason})
            elif answer is None or answer.value is None or drop_values:
                if answer is not None and answer.value is not None:
                    dropped.append(item.id)
                answer = Answer(not_applicable=True, na_reason=setting.na_reason, **kept)
        elif answer is not None and answer.not_applicable and answer.na_reason in generated:
            reopened.append(item.id)
            answer = Answer(**kept)
        if answer is not None and answer != Answer():
            out[item.id] = answer
    return out, dropped, reopened


def _clean(text: str) -> str:
    """Typed text without terminal escape sequences, control characters or outer spaces."""
    text = _ESCAPES.sub("", text)
    return "".join(c for c in text if unicodedata.category(c) != "Cc").strip()


def _field_problem(model: type[Any], name: str, value: object) -> str | None:
    """Why a model field would refuse a value (its own length limits), or None."""
    from pydantic import TypeAdapter, ValidationError

    info = model.model_fields[name]
    try:
        TypeAdapter(Annotated[info.annotation, info]).validate_python(value)
    except ValidationError as exc:
        return "; ".join(str(e["msg"]) for e in exc.errors())
    return None


def _short(text: str, width: int = 40) -> str:
    return textwrap.shorten(text, width, placeholder="…")


def _latest_responses(folder: Path, instrument_id: str | None) -> Path | None:
    """The most recently changed responses JSON in a folder (optionally for one instrument)."""
    found: list[tuple[int, str, Path]] = []
    for path in folder.glob("*.json"):
        if path.name.startswith("."):
            continue
        try:
            stat = path.stat()
            if not path.is_file() or stat.st_size > MAX_RESPONSES_BYTES:
                continue
            data = json.loads(path.read_bytes().decode("utf-8-sig"))
        except (OSError, UnicodeDecodeError, ValueError, RecursionError):
            continue
        if not isinstance(data, dict) or "answers" not in data:
            continue
        named = data.get("instrument_id")
        if isinstance(named, str) and instrument_id in (None, named):
            found.append((stat.st_mtime_ns, path.name, path))
    return max(found)[2] if found else None


class _Move(enum.Enum):
    NEXT = "next"
    BACK = "back"
    QUIT = "quit"


_HELP = """\
At the answer prompt, type one of these and press Enter:
  {accepted:<10} the answer{na_line}
  n          add or change a note and an evidence reference
  b          back to the previous item
  s          skip: leave this item as it is and go on
  Enter      keep the current answer, when there is one
  ?          this help
  q          save and quit (continue later with the same -o file)
Every answer is saved to the file as soon as you press Enter."""


class _Session:
    """One run of ``fill``: the state of the file being filled and the conversation."""

    def __init__(self, options: FillOptions, console: Console) -> None:
        self.options = options
        self.console = console
        self.instrument: Instrument | None = None
        self.responses: Responses | None = None
        self.path: Path | None = None
        self.instrument_arg: str | None = None
        self.shown_domain: str | None = None

    # -- the conversation -------------------------------------------------------------------

    def say(self, text: str = "") -> None:
        self.console.say(text)

    def wrap(self, text: str, indent: str = "", later: str | None = None) -> None:
        """Say a paragraph wrapped to the terminal width; KEEP joins words that stay together."""
        filled = textwrap.fill(
            re.sub(r"[ \t\r\n]+", " ", text).strip(),
            self.console.width,
            initial_indent=indent,
            subsequent_indent=indent if later is None else later,
            break_on_hyphens=False,
            break_long_words=False,
        )
        self.say(filled.replace(KEEP, " "))

    def ask(self, prompt: str) -> str:
        return _clean(self.console.ask(prompt))

    # -- top level --------------------------------------------------------------------------

    def run(self) -> Outcome:
        try:
            try:
                self._start()
                outcome = self._walk()
            except EOFError:
                if self.responses is None:
                    raise FillInputError.single(
                        "input ended before the program profile was complete; nothing was saved",
                        code="incomplete-profile",
                    ) from None
                self.say("End of input.")
                outcome = Outcome.END_OF_INPUT
            self._summary()
        except KeyboardInterrupt:
            self._stopped_note("Stopped")
            return Outcome.INTERRUPTED
        except Stopped as stop:
            # after a hang-up the terminal is gone: writing to it may fail, and that is fine
            with contextlib.suppress(OSError, Stopped):
                self._stopped_note("Stopped by a signal")
            hangup = stop.signum == getattr(signal, "SIGHUP", None)
            return Outcome.HANGUP if hangup else Outcome.TERMINATED
        return outcome

    def _stopped_note(self, what: str) -> None:
        self.say()
        if self.responses is None or self.path is None:
            self.say(f"{what}; nothing was saved.")
        else:
            self.say(
                f"{what}. Every confirmed answer is saved in {self.path}; "
                f"continue with: {self._command('fill -o')}"
            )

    # -- where the answers go ---------------------------------------------------------------

    def _start(self) -> None:
        from audit_kit.catalog import load_instrument

        opts = self.options
        explicit: Instrument | None = None
        if opts.instrument is not None:
            explicit = load_instrument(opts.instrument)
            if opts.instrument != explicit.id:
                self.instrument_arg = opts.instrument
        wants_old = opts.resume or opts.review
        flag = "--review" if opts.review else "--resume"
        if opts.output is not None:
            _check_output(opts.output)
            if opts.output.exists():
                self._resume(opts.output, explicit)
            elif wants_old:
                raise InputFileError.single(
                    f"does not exist, so there is nothing to resume; leave out {flag} to start "
                    "a new assessment in this file",
                    file=str(opts.output),
                    code="nothing-to-resume",
                )
            else:
                self._new(explicit or load_instrument(opts.default_instrument), opts.output)
        elif wants_old:
            found = _latest_responses(opts.folder, explicit.id if explicit else None)
            if found is None:
                where = "the current folder" if str(opts.folder) == "." else str(opts.folder)
                raise InputFileError.single(
                    f"no responses file (*.json) in {where} to resume; name one with -o FILE, "
                    f"or leave out {flag} to start a new assessment",
                    code="nothing-to-resume",
                )
            self.wrap(f"Most recent responses file here: {found}")
            self._resume(found, explicit)
        else:
            self._new(explicit or load_instrument(opts.default_instrument), None)

    def _intro(self, instrument: Instrument) -> None:
        self.wrap(f"{instrument.title} ({instrument.id} {instrument.version})")
        counts = ", ".join(
            f"{d.title} {sum(len(m.items) for m in d.dimensions)}" for d in instrument.domains
        )
        self.wrap(f"{instrument.item_count} items: {counts}.")

    def _new(self, instrument: Instrument, path: Path | None) -> None:
        self.instrument = instrument
        self._intro(instrument)
        self.say()
        self.say("Program profile (press Enter to accept the default in brackets).")
        program, assessor, when = self._ask_profile(None)
        if path is None:
            path = self.options.folder / f"{slug(program.name)}-{when.isoformat()}.json"
            if path.exists():
                self.say()
                self.wrap(f"{path} already exists for this program and date: resuming it.")
                self._resume(path, instrument, profile=(program, assessor, when))
                return
        self.path = path
        fresh = Responses(
            instrument_id=instrument.id,
            instrument_version=instrument.version,
            program=program,
            assessor=assessor,
            assessment_date=when,
        )
        answers, _, _ = apply_setting(instrument, {}, program.setting, drop_values=False)
        with _signals_held():
            self.responses = fresh.model_copy(update={"answers": answers})
            self._save()
        self.say()
        self.wrap(f"Answers are saved to {path} after every answer.")
        self._say_skipped_for_setting()

    def _resume(
        self,
        path: Path,
        explicit: Instrument | None,
        profile: tuple[Program, str, date] | None = None,
    ) -> None:
        """Continue a file; ``profile`` is one just typed, which replaces the file's."""
        instrument, responses = read_responses_json(path, explicit)
        self.instrument, self.path, self.responses = instrument, path, responses
        before = responses.program
        if profile is None:
            self.wrap(
                f"Resuming {path}: {before.name} ({before.setting.label}), assessed "
                f"{responses.assessment_date.isoformat()}."
            )
        c = self._counts(responses)
        self.say(
            f"{c.answered} answered, {c.not_applicable} N/A, "
            f"{c.unanswered} unanswered, of {c.total} items."
        )
        if self.options.review and profile is None:
            self.say()
            self.say("Program profile (press Enter to keep the value in brackets).")
            profile = self._ask_profile(responses)
        if profile is None:
            answers, _, _ = apply_setting(
                instrument, responses.answers, before.setting, drop_values=False
            )
            updated = responses.model_copy(update={"answers": answers})
        else:
            updated = self._adopt_profile(responses, *profile)
        with _signals_held():
            self.responses = updated
            if dump_responses(updated) != dump_responses(responses):
                self._save()
        if updated.program.setting != before.setting:
            self._say_skipped_for_setting()

    def _adopt_profile(
        self, responses: Responses, program: Program, assessor: str, when: date
    ) -> Responses:
        """The responses with a newly typed profile; asks before a new setting removes answers."""
        assert self.instrument is not None
        old = responses.program.setting
        answers, dropped, reopened = apply_setting(
            self.instrument, responses.answers, program.setting, drop_values=True
        )
        if dropped:
            self.wrap(
                f"{len(dropped)} answered item(s) do not apply to "
                f"{program.setting.kind} programs: {', '.join(dropped)}. Changing the "
                "setting records them as N/A and removes their answers."
            )
            if not self._yes_no(f"Change the setting to {program.setting.label}?", False):
                program = program.model_copy(update={"setting": old})
                self.say(f"Setting kept: {old.label}.")
                answers, dropped, reopened = apply_setting(
                    self.instrument, responses.answers, old, drop_values=False
                )
        if reopened:
            self.wrap(
                f"{len(reopened)} item(s) apply to {program.setting.kind} programs and "
                "are open again: " + ", ".join(reopened) + "."
            )
        return Responses(
            instrument_id=responses.instrument_id,
            instrument_version=responses.instrument_version,
            program=program,
            assessor=assessor,
            assessment_date=when,
            answers=answers,
        )

    def _say_skipped_for_setting(self) -> None:
        assert self.instrument is not None and self.responses is not None
        setting = self.responses.program.setting
        skipped = [i.id for _, _, i in self.instrument.iter_items() if not i.applies(setting)]
        if skipped:
            self.wrap(
                f"{len(skipped)} item(s) do not apply to {setting.kind} programs and "
                f"are recorded as N/A: {', '.join(skipped)}."
            )

    # -- the program profile ----------------------------------------------------------------

    def _ask_profile(self, current: Responses | None) -> tuple[Program, str, date]:
        old = current.program if current else None
        name = self._ask_name(old.name if old else None)
        setting = self._ask_setting(old.setting if old else DEFAULT_SETTING)
        hospital = self._yes_no(
            "Run by a hospital (hospital-based)?",
            old.hospital_based
            if old and old.setting == setting
            else setting is Setting.HOSPITAL_INPATIENT,
        )
        populations = self._ask_populations(list(old.populations) if old else None)
        assessor = self._ask_optional(
            "Assessor (name, role)", current.assessor if current else None, Responses, "assessor"
        )
        when = self._ask_date(
            current.assessment_date if current else (self.options.today or date.today())
        )
        program = Program(
            name=name, setting=setting, hospital_based=hospital, populations=populations
        )
        return program, assessor or "", when

    def _ask_name(self, current: str | None) -> str:
        while True:
            typed = self.ask(f"Program name{_default(current)}: ")
            if not typed and current:
                return current
            if not typed:
                self.say("The program name is required: it goes on the report's cover.")
                continue
            problem = _field_problem(Program, "name", typed)
            if problem is None:
                return typed
            self.say(f"Not accepted: {problem}.")

    def _ask_setting(self, default: Setting) -> Setting:
        settings = list(Setting)
        self.say("Setting:")
        for n, setting in enumerate(settings, 1):
            self.say(f"  {n}  {setting.label}")
        numbered = f"{settings.index(default) + 1} {default.label}"
        while True:
            typed = self.ask(f"Setting (number or name) [{numbered}]: ")
            if not typed:
                return default
            folded = typed.casefold()
            for n, setting in enumerate(settings, 1):
                if folded in (str(n), setting.value, setting.label.casefold()):
                    return setting
            self.say(f"Not a setting: {typed!r}. Type a number from 1 to {len(settings)}.")

    def _yes_no(self, question: str, default: bool) -> bool:
        while True:
            typed = self.ask(f"{question} (y/n) [{'y' if default else 'n'}]: ").casefold()
            if not typed:
                return default
            if typed in ("y", "yes"):
                return True
            if typed in ("n", "no"):
                return False
            self.say("Please type y (yes) or n (no).")

    def _ask_populations(self, current: list[str] | None) -> list[str]:
        default = current if current is not None else list(DEFAULT_POPULATIONS)
        shown = ", ".join(default) or "none"
        hint = f"; {CLEAR} for none" if default else ""
        while True:
            typed = self.ask(f"Populations served, comma-separated [{shown}{hint}]: ")
            if not typed:
                return default
            if typed == CLEAR:
                return []
            populations = [p.strip() for p in typed.split(",") if p.strip()]
            problem = _field_problem(Program, "populations", populations)
            if problem is None:
                return populations
            self.say(f"Not accepted: {problem}.")

    def _ask_optional(
        self, label: str, current: str | None, model: type[Any], name: str
    ) -> str | None:
        """Free text that may stay empty: Enter keeps the current text, ``-`` removes it."""
        hint = f" [{_short(current)}; {CLEAR} to remove]" if current else " [none]"
        while True:
            typed = self.ask(f"{label}{hint}: ")
            if not typed:
                return current or None
            if typed == CLEAR:
                return None
            problem = _field_problem(model, name, typed)
            if problem is None:
                return typed
            self.say(f"Not accepted: {problem}.")

    def _ask_date(self, default: date) -> date:
        while True:
            typed = self.ask(f"Assessment date (YYYY-MM-DD) [{default.isoformat()}]: ")
            if not typed:
                return default
            if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", typed):
                with contextlib.suppress(ValueError):
                    return date.fromisoformat(typed)
            self.say(f"Not a date: {typed!r}. Type it as YYYY-MM-DD, e.g. 2026-03-31.")

    # -- the items --------------------------------------------------------------------------

    def _walk(self) -> Outcome:
        """Go through the items; returns COMPLETE at the end of the walk, or QUIT."""
        assert self.instrument is not None and self.responses is not None
        setting = self.responses.program.setting
        seq = [entry for entry in self.instrument.iter_items() if entry[2].applies(setting)]
        answers = self.responses.answers
        if self.options.review:
            walk = {
                i.id for _, _, i in seq if status_of(answers.get(i.id)) is not ItemStatus.UNANSWERED
            }
            if not walk:
                self.say("Nothing to review yet: no item is answered.")
                return Outcome.COMPLETE
        else:
            walk = {
                i.id for _, _, i in seq if status_of(answers.get(i.id)) is ItemStatus.UNANSWERED
            }
            if not walk:
                self.say("Every item that applies is answered (use --review to change answers).")
                return Outcome.COMPLETE
            if len(walk) < len(seq):
                self.say("Continuing at the first unanswered item.")
        pos = next(n for n, (_, _, item) in enumerate(seq) if item.id in walk)
        while True:
            move = self._item(seq, pos)
            if move is _Move.QUIT:
                return Outcome.QUIT
            if move is _Move.BACK:
                pos -= 1
                walk.add(seq[pos][2].id)
                continue
            later = [n for n in range(pos + 1, len(seq)) if seq[n][2].id in walk]
            if not later:
                return Outcome.COMPLETE
            pos = later[0]

    def _item(self, seq: list[Entry], pos: int) -> _Move:
        """Show one item and handle what is typed until the user moves on."""
        assert self.responses is not None
        item = seq[pos][2]
        self._show(seq, pos)
        while True:
            current = self.responses.answers.get(item.id)
            typed = self.ask(self._prompt(item, current))
            command = typed.casefold()
            if not typed:
                if status_of(current) is not ItemStatus.UNANSWERED:
                    return _Move.NEXT
                self.say("Type an answer, or s to leave this item for now (? for help).")
            elif command in ("?", "h", "help"):
                self._help(item)
            elif command == "q":
                return _Move.QUIT
            elif command == "b":
                if pos > 0:
                    return _Move.BACK
                self.say("This is the first item; there is nothing to go back to.")
            elif command == "s":
                if status_of(current) is ItemStatus.UNANSWERED:
                    self.say("Skipped: left unanswered.")
                else:
                    self.say("Skipped: kept as it is.")
                return _Move.NEXT
            elif command == "n":
                self._ask_note(item, current)
            elif command in NA_WORDS:
                if self._ask_na(item, current):
                    return _Move.NEXT
            else:
                value = parse_answer(item, typed)
                if value is not None:
                    self._set_value(item, value)
                    return _Move.NEXT
                self.wrap(
                    f"Not an answer here: {typed!r}. Type {self._accepted(item)}; "
                    "or n, b, s, q (? for help)."
                )

    def _show(self, seq: list[Entry], pos: int) -> None:
        assert self.responses is not None
        domain, dimension, item = seq[pos]
        in_domain = [i for d, _, i in seq if d.id == domain.id]
        k = next(n for n, i in enumerate(in_domain, 1) if i.id == item.id)
        self.say()
        if domain.id != self.shown_domain:
            self.shown_domain = domain.id
            self.say("#" * self.console.width)
            self.wrap(f"{domain.title} ({domain.id.upper()}): {len(in_domain)} items")
        self.say("=" * self.console.width)
        self.wrap(
            f"{domain.id.upper()} · {dimension.title} — item {k} of {len(in_domain)} "
            f"(overall {pos + 1} of {len(seq)})"
        )
        self.wrap(f"[{item.id}] {item.title}")
        self.say()
        self.wrap(item.question)
        self.say()
        evidence = ", ".join(e.label for e in item.evidence)
        self.wrap(f"Evidence ({evidence}): {item.guidance}")
        self.say()
        for key, text in self._answer_lines(item):
            self.wrap(text, f"  {key}", " " * (len(key) + 2))
        if item.allow_na:
            guidance = f" — {item.na_guidance}" if item.na_guidance else ""
            self.wrap(f"N/A: allowed (type na){guidance}")
        else:
            self.say("N/A: not accepted for this item.")
        current = self.responses.answers.get(item.id)
        if current is not None and current.not_applicable:
            self.wrap(f"Current answer: not applicable — {current.na_reason}")
        if current is not None and current.note:
            self.wrap(f"Note: {current.note}")
        if current is not None and current.evidence:
            self.wrap(f"Evidence reference: {current.evidence}")
        self.say("Keys: n note · b back · s skip · ? help · q save and quit")

    def _answer_lines(self, item: Item) -> list[tuple[str, str]]:
        """(key column, text) pairs listing what the item accepts."""
        assert self.instrument is not None
        if item.kind is AnswerKind.CHOICE:
            choices = item.choices or []
            size = len(str(len(choices)))
            return [
                (f"{n:>{size}}  ", f"{c.label} (scores{KEEP}{c.score})")
                for n, c in enumerate(choices, 1)
            ]
        if item.kind is AnswerKind.PERCENT:
            bands = self.instrument.bands_for(item)
            keys = [b.span for b in bands]
            size = max(len(key) for key in keys) + 2
            lines = [("", "A percentage 0-100 from the chart audit, scored by band:")]
            for key, band in zip(keys, bands, strict=True):
                anchor = item.anchors.get(band.score)
                text = f"scores {band.score}" + (f" ({anchor})" if anchor else "")
                lines.append((key.ljust(size), text))
            return lines
        lines = [(f"{score}  ", text) for score, text in item.anchors.items()]
        between = [str(s) for s in range(SCALE_MIN, SCALE_MAX + 1) if s not in item.anchors]
        if between:
            lines.append(("", f"({' and '.join(between)}: in between)"))
        return lines

    @staticmethod
    def _range(item: Item) -> str:
        if item.kind is AnswerKind.CHOICE:
            return f"1-{len(item.choices or [])}"
        if item.kind is AnswerKind.PERCENT:
            return "0-100%"
        return f"{SCALE_MIN}-{SCALE_MAX}"

    def _accepted(self, item: Item) -> str:
        """What the item takes as an answer, as a phrase ('1-5 or N/A')."""
        if item.kind is AnswerKind.CHOICE:
            return f"a number from 1 to {len(item.choices or [])} or {answer_hint(item)}"
        return answer_hint(item)

    def _prompt(self, item: Item, current: Answer | None) -> str:
        accepted = self._range(item) + (" or na" if item.allow_na else "")
        return f"Answer ({accepted}){_default(self._describe(item, current))}: "

    def _describe(self, item: Item, answer: Answer | None) -> str | None:
        """The current answer, short, for the prompt's brackets."""
        if answer is None:
            return None
        if answer.not_applicable:
            return f"na: {_short(answer.na_reason or '', 30)}"
        if answer.value is None:
            return None
        if item.kind is AnswerKind.CHOICE:
            numbered = enumerate(item.choices or [], 1)
            n, label = next((n, c.label) for n, c in numbered if c.value == answer.value)
            return f"{n} {_short(label, 30)}"
        if item.kind is AnswerKind.PERCENT:
            return f"{answer.value}%"
        return str(answer.value)

    def _help(self, item: Item) -> None:
        if item.allow_na:
            na_line = "\n  na         not applicable to this program (you will be asked why)"
        else:
            na_line = "\n  (na, not applicable, is not accepted for this item)"
        self.say(_HELP.format(accepted=self._range(item), na_line=na_line))

    def _ask_note(self, item: Item, current: Answer | None) -> None:
        note = self._ask_optional("Note", current.note if current else None, Answer, "note")
        evidence = self._ask_optional(
            "Evidence reference (document, chart sample, meeting)",
            current.evidence if current else None,
            Answer,
            "evidence",
        )
        self._store(item, note=note, evidence=evidence)
        self.say("Note saved.")

    def _ask_na(self, item: Item, current: Answer | None) -> bool:
        """Ask why the item does not apply and record N/A; False when refused or cancelled."""
        assert self.responses is not None
        if not item.allow_na:
            self.wrap(
                "N/A is not accepted for this item: it applies to every "
                f"{self.responses.program.setting.kind} program. Type "
                f"{self._accepted(item)}, or s to leave it unanswered for now."
            )
            return False
        if item.na_guidance:
            self.wrap(f"N/A is fair when: {item.na_guidance}")
        old = current.na_reason if current and current.not_applicable else None
        hint = f" [{_short(old, 30)}]" if old else ""
        while True:
            typed = self.ask(f"Why does it not apply?{hint}: ")
            if not typed and old:
                typed = old
            if not typed:
                self.say(
                    f"A reason is required: it goes into the report. Type it, or {CANCEL} to "
                    "answer the item instead."
                )
                continue
            if typed.casefold() == CANCEL:
                return False
            problem = _field_problem(Answer, "na_reason", typed)
            if problem is None:
                break
            self.say(f"Not accepted: {problem}.")
        self._store(item, value=None, not_applicable=True, na_reason=typed)
        self.say("Saved: not applicable.")
        return True

    def _set_value(self, item: Item, value: AnswerValue) -> None:
        from audit_kit.scoring import is_critical, item_score

        assert self.instrument is not None
        self._store(item, value=value, not_applicable=False, na_reason=None)
        if item.kind is AnswerKind.CHOICE:
            shown = next(c.label for c in item.choices or [] if c.value == value)
        elif item.kind is AnswerKind.PERCENT:
            # a score typed by habit would pass as a tiny percentage: show what it means
            shown = f"{value}% (scores {item_score(self.instrument, item, value)})"
        else:
            shown = str(value)
        self.wrap(f"Saved: {shown}", later="  ")
        if item.critical and is_critical(item, value):
            self.wrap(f"Critical finding: {item.critical.finding}", "  ! ", "    ")

    def _store(self, item: Item, **changes: Any) -> None:
        """Change one answer and save the file at once."""
        assert self.instrument is not None and self.responses is not None
        current = self.responses.answers.get(item.id) or Answer()
        answer = Answer.model_validate({**current.model_dump(), **changes})
        answers = dict(self.responses.answers)
        if answer == Answer():
            answers.pop(item.id, None)
        else:
            answers[item.id] = answer
        checked, problems = check_answers(self.instrument, answers, self.responses.program.setting)
        if problems:  # the prompts only let valid answers through
            raise AssertionError(f"fill built an invalid answer: {problems}")
        with _signals_held():
            self.responses = self.responses.model_copy(update={"answers": checked})
            self._save()

    def _save(self) -> None:
        assert self.responses is not None and self.path is not None
        try:
            write_atomic(self.path, dump_responses(self.responses))
        except OSError as exc:
            raise OutputError.single(
                f"cannot save ({exc.strerror or exc}); the answers confirmed before this one "
                "are in the file",
                file=str(self.path),
                code="save-failed",
            ) from None

    # -- the end ----------------------------------------------------------------------------

    def _counts(self, responses: Responses, domain: Domain | None = None) -> Completeness:
        """Answered, N/A and unanswered, as the scoring rules count them."""
        assert self.instrument is not None
        result = score(self.instrument, responses)
        return result.domain(domain.id).completeness if domain else result.completeness

    def _command(self, verb: str) -> str:
        assert self.path is not None
        parts = ["audit-kit", *verb.split(), str(self.path)]
        if self.instrument_arg is not None:
            parts += ["--instrument", self.instrument_arg]
        return " ".join(parts[:1] + [shlex.quote(p) for p in parts[1:]])

    def _summary(self) -> None:
        assert self.instrument is not None and self.responses is not None
        r = self.responses
        p = r.program
        self.say()
        self.say("=" * self.console.width)
        self.wrap(
            f"Summary: {p.name} — {p.setting.label}"
            f"{', hospital-based' if p.hospital_based else ''}, assessed "
            f"{r.assessment_date.isoformat()}"
        )
        rows = [(d.title, self._counts(r, d)) for d in self.instrument.domains]
        rows.append(("All items", self._counts(r)))
        title_width = min(max(len(t) for t, _ in rows), max(10, self.console.width - 36))
        self.say(f"  {'':<{title_width}}  answered  N/A  unanswered")
        for title, c in rows:
            shown = _short(title, title_width) if len(title) > title_width else title
            self.say(
                f"  {shown:<{title_width}}  {c.answered:>8}  "
                f"{c.not_applicable:>3}  {c.unanswered:>10}"
            )
        open_ids = [
            i.id
            for _, _, i in self.instrument.iter_items()
            if i.applies(p.setting) and status_of(r.answers.get(i.id)) is ItemStatus.UNANSWERED
        ]
        self.say()
        self.say(f"Saved in {self.path}")
        if len(open_ids) > MAX_LISTED:
            self.say(f"Unanswered: {len(open_ids)} items, from {open_ids[0]} on.")
        elif open_ids:
            self.wrap("Unanswered: " + ", ".join(open_ids) + ".")
        if open_ids:
            self.say(f"To answer them: {self._command('fill -o')}")
        self.say("Next:")
        self.say(f"  {self._command('score')}")
        self.say(f"  {self._command('report')}")


def _default(current: str | None) -> str:
    return f" [{current}]" if current else ""


def _check_output(path: Path) -> None:
    """Refuse an output that cannot become a responses file, before any question is asked."""
    if path.suffix.lower() != ".json":
        raise OutputError.single(
            "fill writes a responses JSON file; give a name ending in .json",
            file=str(path),
            code="suffix",
        )
    check_output(path)
