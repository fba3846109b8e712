"""The end of a session: counts per domain, the items still open, and the commands to go on."""

from __future__ import annotations

import shlex
from pathlib import Path

from audit_kit.fill.dialogue import Dialogue, short
from audit_kit.fill.responses_file import ResponsesFile
from audit_kit.model.instrument import Domain, Instrument
from audit_kit.model.responses import Responses
from audit_kit.model.result import Completeness
from audit_kit.model.vocab import ItemStatus
from audit_kit.scoring import score

MAX_LISTED = 10  # unanswered items named one by one in the summary


def counts(
    instrument: Instrument, responses: Responses, domain: Domain | None = None
) -> Completeness:
    """Answered, N/A and unanswered, as the scoring rules count them."""
    result = score(instrument, responses)
    return result.domain(domain.id).completeness if domain else result.completeness


def command_line(verb: str, path: Path, instrument_arg: str | None) -> str:
    """The audit-kit command that does ``verb`` with the file, quoted for the shell."""
    parts = ["audit-kit", *verb.split(), str(path)]
    if instrument_arg is not None:
        parts += ["--instrument", instrument_arg]
    return " ".join(parts[:1] + [shlex.quote(p) for p in parts[1:]])


def say_summary(talk: Dialogue, file: ResponsesFile, instrument_arg: str | None) -> None:
    """The table of counts, where the answers are, what is left, and what to run next."""
    instrument, r = file.instrument, file.responses
    p = r.program
    talk.say()
    talk.say("=" * talk.width)
    talk.wrap(
        f"Summary: {p.display_name} — {p.setting_label}"
        f"{', hospital-based' if p.hospital_based else ''}, assessed "
        f"{r.assessment_date or 'on a date not given'}"
    )
    rows = [(d.title, counts(instrument, r, d)) for d in instrument.domains]
    rows.append(("All items", counts(instrument, r)))
    title_width = min(max(len(t) for t, _ in rows), max(10, talk.width - 36))
    talk.say(f"  {'':<{title_width}}  answered  N/A  unanswered")
    for title, c in rows:
        shown = short(title, title_width) if len(title) > title_width else title
        talk.say(
            f"  {shown:<{title_width}}  {c.answered:>8}  {c.not_applicable:>3}  {c.unanswered:>10}"
        )
    open_ids = [i.code for i in score(instrument, r).items if i.status is ItemStatus.UNANSWERED]
    talk.say()
    talk.say(f"Saved in {file.path}")
    if len(open_ids) > MAX_LISTED:
        talk.say(f"Unanswered: {len(open_ids)} items, from {open_ids[0]} on.")
    elif open_ids:
        talk.wrap("Unanswered: " + ", ".join(open_ids) + ".")
    if open_ids:
        talk.say(f"To answer them: {command_line('fill -o', file.path, instrument_arg)}")
    talk.say("Next:")
    talk.say(f"  {command_line('score', file.path, instrument_arg)}")
    talk.say(f"  {command_line('report', file.path, instrument_arg)}")
