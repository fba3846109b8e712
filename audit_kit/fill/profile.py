"""The program profile: its questions, and the items a setting records as not applicable."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from datetime import date

from audit_kit.fill.dialogue import CLEAR, Dialogue, NotAccepted, bracketed, valid
from audit_kit.model.instrument import Instrument
from audit_kit.model.responses import Answer, Program, Responses
from audit_kit.model.vocab import Setting

DEFAULT_SETTING = Setting.OUTPATIENT
DEFAULT_POPULATIONS = ("adults",)


@dataclass(frozen=True)
class Profile:
    """The answers to the profile questions."""

    program: Program
    assessor: str
    when: date


def apply_setting(
    instrument: Instrument,
    answers: dict[str, Answer],
    setting: Setting | None,
    *,
    drop_values: bool,
) -> tuple[dict[str, Answer], list[str], list[str]]:
    """Record the items that do not apply to ``setting`` as N/A and reopen those that apply again.

    Returns the answers in instrument order, the items whose value had to go (only with
    ``drop_values``; otherwise such answers are left as they are) and the items reopened because
    their recorded reason was another setting's. Notes and evidence references are kept.
    """
    if setting is None:  # not given yet: nothing is known not to apply
        return dict(answers), [], []
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


class ProfileInterview:
    """The profile questions, with the file's profile (when there is one) as the defaults."""

    def __init__(self, talk: Dialogue, today: date | None) -> None:
        self.talk = talk
        self.today = today

    def ask(self, current: Responses | None) -> Profile:
        old = current.program if current else None
        name = self._ask_name(old.name if old else None)
        setting = self._ask_setting(old.setting if old and old.setting else DEFAULT_SETTING)
        hospital = self.talk.yes_no(
            "Run by a hospital (hospital-based)?",
            old.hospital_based
            if old and old.setting == setting and old.hospital_based is not None
            else setting is Setting.HOSPITAL_INPATIENT,
        )
        populations = self._ask_populations(list(old.populations) if old else None)
        assessor = self.talk.ask_optional(
            "Assessor (name, role)", current.assessor if current else None, Responses, "assessor"
        )
        when = self._ask_date(
            current.assessment_date
            if current and current.assessment_date
            else (self.today or date.today())
        )
        program = Program(
            name=name, setting=setting, hospital_based=hospital, populations=populations
        )
        return Profile(program, assessor or "", when)

    def adopt(self, instrument: Instrument, responses: Responses, profile: Profile) -> Responses:
        """The responses with a newly typed profile; asks before a new setting removes answers."""
        program = profile.program
        old = responses.program.setting
        assert program.setting is not None  # the interview always asks for one
        answers, dropped, reopened = apply_setting(
            instrument, responses.answers, program.setting, drop_values=True
        )
        if dropped:
            self.talk.wrap(
                f"{len(dropped)} answered item(s) do not apply to "
                f"{program.setting.kind} programs: {', '.join(dropped)}. Changing the "
                "setting records them as N/A and removes their answers."
            )
            if not self.talk.yes_no(f"Change the setting to {program.setting.label}?", False):
                program = program.model_copy(update={"setting": old})
                self.talk.say(f"Setting kept: {old.label if old else 'not given'}.")
                answers, dropped, reopened = apply_setting(
                    instrument, responses.answers, old, drop_values=False
                )
        if reopened:
            self.talk.wrap(
                f"{len(reopened)} item(s) apply to {program.setting.kind} programs and "
                "are open again: " + ", ".join(reopened) + "."
            )
        return Responses(
            instrument_id=responses.instrument_id,
            instrument_version=responses.instrument_version,
            program=program,
            assessor=profile.assessor,
            assessment_date=profile.when,
            answers=answers,
        )

    def say_skipped(self, instrument: Instrument, setting: Setting | None) -> None:
        """Name the items that the setting records as N/A."""
        if setting is None:
            return
        skipped = [i.id for _, _, i in instrument.iter_items() if not i.applies(setting)]
        if skipped:
            self.talk.wrap(
                f"{len(skipped)} item(s) do not apply to {setting.kind} programs and "
                f"are recorded as N/A: {', '.join(skipped)}."
            )

    def _ask_name(self, current: str | None) -> str:
        def read(typed: str) -> str:
            if not typed and current:
                return current
            if not typed:
                raise NotAccepted("The program name is required: it goes on the report's cover.")
            return valid(Program, "name", typed)

        return self.talk.ask_until(f"Program name{bracketed(current)}: ", read)

    def _ask_setting(self, default: Setting) -> Setting:
        settings = list(Setting)

        def read(typed: str) -> Setting:
            if not typed:
                return default
            folded = typed.casefold()
            for n, setting in enumerate(settings, 1):
                if folded in (str(n), setting.value, setting.label.casefold()):
                    return setting
            raise NotAccepted(f"Not a setting: {typed!r}. Type a number from 1 to {len(settings)}.")

        self.talk.say("Setting:")
        for n, setting in enumerate(settings, 1):
            self.talk.say(f"  {n}  {setting.label}")
        numbered = f"{settings.index(default) + 1} {default.label}"
        return self.talk.ask_until(f"Setting (number or name) [{numbered}]: ", read)

    def _ask_populations(self, current: list[str] | None) -> list[str]:
        default = current if current is not None else list(DEFAULT_POPULATIONS)

        def read(typed: str) -> list[str]:
            if not typed:
                return default
            if typed == CLEAR:
                return []
            return valid(Program, "populations", [p.strip() for p in typed.split(",") if p.strip()])

        shown = ", ".join(default) or "none"
        hint = f"; {CLEAR} for none" if default else ""
        return self.talk.ask_until(f"Populations served, comma-separated [{shown}{hint}]: ", read)

    def _ask_date(self, default: date) -> date:
        def read(typed: str) -> date:
            if not typed:
                return default
            if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", typed):
                with contextlib.suppress(ValueError):
                    return date.fromisoformat(typed)
            raise NotAccepted(f"Not a date: {typed!r}. Type it as YYYY-MM-DD, e.g. 2026-03-31.")

        return self.talk.ask_until(f"Assessment date (YYYY-MM-DD) [{default.isoformat()}]: ", read)
