"""The program profile: its questions, and the items a setting records as not applicable."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from datetime import date

from audit_kit.fill.dialogue import (
    CLEAR,
    Dialogue,
    NotAccepted,
    bracketed,
    key_range,
    options,
    pick,
    valid,
)
from audit_kit.model.instrument import Instrument
from audit_kit.model.responses import Answer, Program, Responses
from audit_kit.model.vocab import Setting
from audit_kit.outputs.wording import count

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


_EXPLAIN_NAME = (
    "The name of the program assessed, as it should appear on the report's cover. Without -o "
    "the file is named after it and the date."
)
_EXPLAIN_SETTING = (
    "The kind of program. It decides which items apply (some only apply to residential or "
    "hospital programs) and which version of a recommendation the report gives. Pick a letter "
    "or type the setting's name."
)
_EXPLAIN_HOSPITAL = (
    "Whether a hospital runs the program, e.g. a hospital's addiction unit or clinic. Some "
    "recommendations are worded differently for programs that are, and are not, "
    "hospital-based. Type y or n."
)
_EXPLAIN_POPULATIONS = (
    "Who the program serves, separated by commas, e.g. adults, adolescents, pregnant women. "
    f"Shown on the report's cover; it does not change any score. {CLEAR} for none."
)
_EXPLAIN_ASSESSOR = "Who carried out the assessment (name and role); shown on the report."
_EXPLAIN_DATE = (
    "The day of the assessment, as YYYY-MM-DD. It is printed on the report and names the file; "
    "a later reassessment of the same program gets its own date and file."
)


class ProfileInterview:
    """The profile questions, with the file's profile (when there is one) as the defaults.

    Nothing that changes what the report says is taken without being typed: the setting and
    whether the program is hospital-based have no default on a new file.
    """

    def __init__(self, talk: Dialogue, today: date | None) -> None:
        self.talk = talk
        self.today = today

    def ask(self, current: Responses | None) -> Profile:
        """Every profile question, the current answers (if any) as defaults."""
        old = current.program if current else None
        name = self._ask_name(old.name if old else None)
        setting = self._ask_setting(old.setting if old else None)
        hospital = self._ask_hospital(old.hospital_based if old else None)
        populations = self._ask_populations(list(old.populations) if old else None)
        assessor = self.talk.ask_optional(
            "Assessor (name, role)",
            current.assessor if current else None,
            Responses,
            "assessor",
            _EXPLAIN_ASSESSOR,
        )
        when = self._ask_date(current.assessment_date if current else None)
        program = Program(
            name=name, setting=setting, hospital_based=hospital, populations=populations
        )
        return Profile(program, assessor or "", when)

    def ask_missing(self, current: Responses) -> Profile:
        """Only the profile fields the file does not give; the others are kept."""
        old = current.program
        self.talk.wrap(
            f"The profile in this file is incomplete (not given: {', '.join(current.missing())})"
            "; the report needs it. Please give what is missing (? explains a question)."
        )
        name = old.name if old.name is not None else self._ask_name(None)
        setting = old.setting if old.setting is not None else self._ask_setting(None)
        hospital = (
            old.hospital_based if old.hospital_based is not None else self._ask_hospital(None)
        )
        when = current.assessment_date or self._ask_date(None)
        program = old.model_copy(
            update={"name": name, "setting": setting, "hospital_based": hospital}
        )
        return Profile(program, current.assessor, when)

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
                f"{count(len(dropped), 'answered item', verb='does')} not apply to "
                f"{program.setting.kind} programs: {', '.join(map(instrument.code, dropped))}. "
                "Changing the setting records "
                + (
                    "it as N/A and removes its answer."
                    if len(dropped) == 1
                    else "them as N/A and removes their answers."
                )
            )
            if not self.talk.yes_no(f"Change the setting to {program.setting.label}?", False):
                program = program.model_copy(update={"setting": old})
                self.talk.say(f"Setting kept: {old.label if old else 'not given'}.")
                answers, dropped, reopened = apply_setting(
                    instrument, responses.answers, old, drop_values=False
                )
        if reopened:
            self.talk.wrap(
                f"{count(len(reopened), 'item', verb='applies')} to {program.setting.kind} "
                f"programs and {'is' if len(reopened) == 1 else 'are'} open again: "
                + ", ".join(map(instrument.code, reopened))
                + "."
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
        skipped = [
            instrument.code(i.id) for _, _, i in instrument.iter_items() if not i.applies(setting)
        ]
        if skipped:
            self.talk.wrap(
                f"{count(len(skipped), 'item', verb='does')} not apply to {setting.kind} "
                f"programs and {'is' if len(skipped) == 1 else 'are'} recorded as N/A: "
                f"{', '.join(skipped)}."
            )

    def _ask_name(self, current: str | None) -> str:
        def read(typed: str) -> str:
            if not typed and current:
                return current
            if not typed:
                raise NotAccepted("The program name is required: it goes on the report's cover.")
            return valid(Program, "name", typed)

        return self.talk.ask_until(f"Program name{bracketed(current)}: ", read, _EXPLAIN_NAME)

    def _ask_setting(self, current: Setting | None) -> Setting:
        listed = options([(s.label, s, (s.value, s.value.replace("_", " "))) for s in Setting])
        keys = key_range(listed)

        def say_list() -> None:
            self.talk.say("Setting:")
            for option in listed:
                self.talk.say(f"  {option.key}) {option.label}")

        def explain() -> None:
            self.talk.wrap(_EXPLAIN_SETTING)
            say_list()

        def read(typed: str) -> Setting:
            if not typed and current is not None:
                return current
            if not typed:
                self.talk.wrap(
                    "The setting is required: it decides which items apply and how the "
                    "recommendations are worded (? explains)."
                )
                say_list()
                raise NotAccepted("")
            found = pick(listed, typed)
            if found is None:
                raise NotAccepted(f"Not a setting: {typed!r}. Type a letter {keys} or its name.")
            return found.value

        say_list()
        shown = next((f"{o.key}) {o.label}" for o in listed if o.value is current), None)
        return self.talk.ask_until(
            f"Setting ({keys} or its name){bracketed(shown)}: ",
            read,
            explain,
        )

    def _ask_hospital(self, current: bool | None) -> bool:
        return self.talk.yes_no("Run by a hospital (hospital-based)?", current, _EXPLAIN_HOSPITAL)

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
        return self.talk.ask_until(
            f"Populations served, comma-separated [{shown}{hint}]: ", read, _EXPLAIN_POPULATIONS
        )

    def _ask_date(self, current: date | None) -> date:
        default = current or self.today or date.today()

        def read(typed: str) -> date:
            if not typed:
                return default
            if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", typed):
                with contextlib.suppress(ValueError):
                    return date.fromisoformat(typed)
            raise NotAccepted(f"Not a date: {typed!r}. Type it as YYYY-MM-DD, e.g. 2026-03-31.")

        return self.talk.ask_until(
            f"Assessment date (YYYY-MM-DD) [{default.isoformat()}]: ", read, _EXPLAIN_DATE
        )
