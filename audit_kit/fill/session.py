"""One run of `audit-kit fill`: the responses file chosen, the profile, the items, the summary."""

from __future__ import annotations

import contextlib
import enum
import signal
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from audit_kit.errors import AuditKitError, InputFileError
from audit_kit.fill.console import Console, Stopped, signals_held
from audit_kit.fill.dialogue import Dialogue
from audit_kit.fill.lock import SessionLock
from audit_kit.fill.naming import default_names, same_program
from audit_kit.fill.profile import Profile, ProfileInterview, apply_setting
from audit_kit.fill.responses_file import (
    ResponsesFile,
    check_responses_output,
    latest_responses,
)
from audit_kit.fill.summary import command_line, counts, say_summary
from audit_kit.fill.walk import ItemWalk
from audit_kit.model.instrument import Instrument
from audit_kit.model.responses import Responses

MAX_NAME_TRIES = 100  # default names tried (name-date.json, name-date-2.json, …) before giving up


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
    return Session(options, console).run()


class Session:
    """One run of ``fill``: which file is filled, and how the run ends.

    ``file`` is set once there is something saved to continue from; until then a stop loses
    nothing but the questions answered so far.
    """

    def __init__(self, options: FillOptions, console: Console) -> None:
        self.options = options
        self.talk = Dialogue(console)
        self.interview = ProfileInterview(self.talk, options.today)
        self.file: ResponsesFile | None = None
        self.lock: SessionLock | None = None
        # repeated in the commands shown, since the file names only the instrument's id
        self.instrument_arg: str | None = None

    def run(self) -> Outcome:
        try:
            try:
                self._start()
                assert self.file is not None
                finished = ItemWalk(self.talk, self.file, review=self.options.review).run()
                outcome = Outcome.COMPLETE if finished else Outcome.QUIT
            except EOFError:
                if self.file is None:
                    raise FillInputError.single(
                        "input ended before the program profile was complete; nothing was saved",
                        code="incomplete-profile",
                    ) from None
                self.talk.say("End of input.")
                outcome = Outcome.END_OF_INPUT
            finally:
                # signals are held while it goes: one arriving now is raised just after,
                # inside this try, and ends the session like any other stop
                self._unlock()
            say_summary(self.talk, self.file, self.instrument_arg)
        except KeyboardInterrupt:
            self._unlock()
            self._stopped_note("Stopped")
            return Outcome.INTERRUPTED
        except Stopped as stop:
            self._unlock()
            # after a hang-up the terminal is gone: writing to it may fail, and that is fine
            with contextlib.suppress(OSError, Stopped):
                self._stopped_note("Stopped by a signal")
            hangup = stop.signum == getattr(signal, "SIGHUP", None)
            return Outcome.HANGUP if hangup else Outcome.TERMINATED
        return outcome

    def _lock(self, path: Path) -> None:
        """Keep other fill sessions off ``path`` until this one ends (exit 2 if one is on it)."""
        # kept before it is taken: a stop that lands as acquire() returns must still remove it
        self.lock = lock = SessionLock(path)
        note = lock.acquire()
        if note:
            self.talk.wrap(note)

    def _unlock(self) -> None:
        if self.lock is not None:
            self.lock.release()
            self.lock = None

    def _stopped_note(self, what: str) -> None:
        self.talk.say()
        if self.file is None:
            self.talk.say(f"{what}; nothing was saved.")
        else:
            again = command_line("fill -o", self.file.path, self.instrument_arg)
            self.talk.say(
                f"{what}. Every confirmed answer is saved in {self.file.path}; "
                f"continue with: {again}"
            )

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
            check_responses_output(opts.output)
            self._lock(opts.output)
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
            found = latest_responses(opts.folder, explicit.id if explicit else None)
            if found is None:
                where = "the current folder" if str(opts.folder) == "." else str(opts.folder)
                raise InputFileError.single(
                    f"no responses file (*.json) in {where} to resume; name one with -o FILE, "
                    f"or leave out {flag} to start a new assessment",
                    code="nothing-to-resume",
                )
            self.talk.wrap(f"Most recent responses file here: {found}")
            self._lock(found)
            self._resume(found, explicit)
        else:
            self._new(explicit or load_instrument(opts.default_instrument), None)

    def _new(self, instrument: Instrument, path: Path | None) -> None:
        self.talk.wrap(f"{instrument.title} ({instrument.id} {instrument.version})")
        sizes = ", ".join(
            f"{d.title} {sum(len(m.items) for m in d.dimensions)}" for d in instrument.domains
        )
        self.talk.wrap(f"{instrument.item_count} items: {sizes}.")
        self.talk.say()
        self.talk.say("Program profile (? explains a question).")
        profile = self.interview.ask(None)
        if path is None:
            path, resume = self._default_path(instrument, profile)
            if resume:
                self._resume(path, instrument, profile)
                return
        fresh = Responses(
            instrument_id=instrument.id,
            instrument_version=instrument.version,
            program=profile.program,
            assessor=profile.assessor,
            assessment_date=profile.when,
        )
        setting = profile.program.setting
        answers, _, _ = apply_setting(instrument, {}, setting, drop_values=False)
        with signals_held():
            self.file = ResponsesFile(
                instrument, path, fresh.model_copy(update={"answers": answers})
            )
            self.file.save()
        self.talk.say()
        self.talk.wrap(f"Answers are saved to {path} after every answer.")
        self.interview.say_skipped(instrument, setting)

    def _resume(
        self, path: Path, explicit: Instrument | None, profile: Profile | None = None
    ) -> None:
        """Continue a file; ``profile`` is one just typed, which replaces the file's."""
        self.file = file = ResponsesFile.load(path, explicit)
        instrument, responses = file.instrument, file.responses
        before = responses.program
        if profile is None:
            self.talk.wrap(
                f"Resuming {path}: {before.display_name} ({before.setting_label}), assessed "
                f"{responses.assessment_date or 'on a date not given'}."
            )
        c = counts(instrument, responses)
        self.talk.say(
            f"{c.answered} answered, {c.not_applicable} N/A, "
            f"{c.unanswered} unanswered, of {c.total} items."
        )
        if self.options.review and profile is None:
            self.talk.say()
            self.talk.say("Program profile (press Enter to keep the value in brackets).")
            profile = self.interview.ask(responses)
        elif profile is None and responses.missing():
            self.talk.say()
            profile = self.interview.ask_missing(responses)
        if profile is None:
            answers, _, _ = apply_setting(
                instrument, responses.answers, before.setting, drop_values=False
            )
            file.replace(responses.model_copy(update={"answers": answers}))
        else:
            file.replace(self.interview.adopt(instrument, responses, profile))
        setting = file.responses.program.setting
        if setting != before.setting:
            self.interview.say_skipped(instrument, setting)

    def _default_path(self, instrument: Instrument, profile: Profile) -> tuple[Path, bool]:
        """The file named after the program and date, locked; True when it is to be resumed.

        A file of that name is resumed only when it holds this program's assessment (the same
        name) for this instrument; otherwise the next free name is taken (…-2.json), and said.
        """
        name = profile.program.display_name
        passed: list[str] = []
        for path in default_names(self.options.folder, name, profile.when, MAX_NAME_TRIES):
            if not path.exists():
                self._lock(path)
                if not path.exists():
                    self._say_passed(passed, path)
                    return path, False
                self._unlock()  # another session created it meanwhile: look at it again
            why_not = self._not_continuable(path, instrument, name)
            if why_not is None:
                self._lock(path)
                self.talk.say()
                self.talk.wrap(f"{path} already exists for this program and date: resuming it.")
                return path, True
            passed.append(f"{path} {why_not}")
        raise InputFileError.single(
            f"{MAX_NAME_TRIES} files named after this program and date exist already, none "
            "of them this program's; name the file with -o",
            file=str(self.options.folder),
            code="no-free-name",
        )

    def _not_continuable(self, path: Path, instrument: Instrument, name: str) -> str | None:
        """Why an existing default-named file is not this program's assessment, or None."""
        try:
            found = ResponsesFile.load(path, instrument)
        except AuditKitError as exc:
            problem = str(exc.problems[0].message)
            return f"is not this instrument's responses file ({problem})"
        other = found.responses.program.name
        if not same_program(other, name):
            return f"holds the assessment of another program ({other or 'no name given'})"
        return None

    def _say_passed(self, passed: list[str], path: Path) -> None:
        for why in passed:
            self.talk.wrap(f"{why}; this assessment is saved as {path} instead.")
