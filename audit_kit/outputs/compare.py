"""The comparison of two assessments as terminal text or JSON."""

from __future__ import annotations

import textwrap
from datetime import date

from audit_kit.model.comparison import (
    Comparison,
    CriticalChange,
    DimensionChange,
    DomainChange,
    ItemChange,
)
from audit_kit.model.vocab import DomainState, ItemStatus
from audit_kit.outputs.text import WIDTH, fmt_score
from audit_kit.outputs.wording import count


def fmt_change(value: float | None) -> str:
    """'+0.50', '-0.05', '0.00', or an en dash when there is no change to show."""
    if value is None:
        return "–"
    return "0.00" if value == 0 else f"{value:+.2f}"


def fmt_day(day: date | None) -> str:
    """An ISO date, or that it was not given."""
    return day.isoformat() if day else "date not given"


def standing_words(headline: str | None, state: DomainState | None, scores: str | None) -> str:
    """A side of a domain in words: its level or state, and for a capped domain what the scores
    alone give."""
    if headline is None:
        return "not assessed (not in this version)"
    if state is DomainState.CAPPED and scores:
        return f"{headline} (the scores alone give: {scores})"
    return headline


def score_pair(old: float | None, new: float | None, arrow: str = "→") -> str:
    """'2.00 → 2.50'."""
    return f"{fmt_score(old)} {arrow} {fmt_score(new)}"


_STATUS_WORDS = {
    ItemStatus.NOT_APPLICABLE: "not applicable",
    ItemStatus.UNANSWERED: "unanswered",
}


def item_scores(change: ItemChange, arrow: str = "→") -> str:
    """An item's answer before and now: '2 → 5', 'unanswered → 2', 'not asked → 3'."""

    def side(status: ItemStatus | None, score: int | None) -> str:
        if status is None:
            return "not asked"
        return str(score) if score is not None else _STATUS_WORDS.get(status, "–")

    before, now = (
        side(change.old_status, change.old_score),
        side(change.new_status, change.new_score),
    )
    return f"{before} {arrow} {now}"


def _wrap(text: str, indent: str, later: str | None = None) -> str:
    return textwrap.fill(
        " ".join(text.split()),
        WIDTH,
        initial_indent=indent,
        subsequent_indent=indent if later is None else later,
    )


def _domain_lines(change: DomainChange) -> list[str]:
    direction = f"level {change.direction.label}"
    lines = [
        f"  {change.title}: {score_pair(change.old_score, change.new_score)} "
        f"({fmt_change(change.score_change)}); {direction}"
    ]
    before = standing_words(change.old_headline, change.old_state, change.old_scores_level_name)
    now = standing_words(change.new_headline, change.new_state, change.new_scores_level_name)
    lines.append(_wrap(before, "      before: ", "              "))
    lines.append(_wrap(now, "      now:    ", "              "))
    return lines


def _dimension_line(change: DimensionChange, width: int, versions: tuple[str, str]) -> str:
    scores = f"{fmt_score(change.old_score):>4} → {fmt_score(change.new_score):>4}"
    tail = f"  {fmt_change(change.score_change):>5}"
    if not change.in_old:
        tail = f"  new in {versions[1]}"
    elif not change.in_new:
        tail = f"  not in {versions[1]}"
    return f"    {change.title:<{width}}  {scores}{tail}"


def _item_lines(title: str, changes: list[ItemChange]) -> list[str]:
    out = [f"  {title} ({len(changes)})" + (":" if changes else ": none")]
    out += [_wrap(f"{c.code} {c.title} ({item_scores(c)})", "    ", "      ") for c in changes]
    return out


def _critical_lines(title: str, changes: list[CriticalChange]) -> list[str]:
    out = [f"  {title} ({len(changes)})" + (":" if changes else ": none")]
    out += [_wrap(f"{c.code} {c.title}: {c.finding}", "    ", "      ") for c in changes]
    return out


def compare_text(c: Comparison) -> str:
    """The comparison for the terminal: notes, domains, dimensions, critical findings, gaps."""
    versions = (c.old_version, c.new_version)
    name = c.new_program if c.new_program == c.old_program else f"{c.old_program} → {c.new_program}"
    out = [
        f"{name}: {fmt_day(c.old_date)} → {fmt_day(c.new_date)}",
        f"Instrument: {c.instrument_id} {c.old_version}"
        + (f" → {c.new_version}" if c.across_versions else ""),
    ]
    if c.across_versions:
        out.append(
            f"Items compared: {len(c.shared_items)} of the {c.new_item_count} items of "
            f"{c.new_version} ({c.shared_share:.0%}); the others are new or changed meaning."
        )
    if c.warnings:
        # first: some of them question whether the two files should be compared at all
        out += ["", "NOTES"]
        out += [_wrap(w, "  - ", "    ") for w in c.warnings]
    out += ["", "DOMAINS (score before → now, change; level)"]
    for change in c.domains:
        out += _domain_lines(change)
    out += ["", "DIMENSION SCORES (before → now, change)"]
    width = max([len(d.title) for d in c.dimensions] + [20])
    for domain in c.domains:
        out.append(f"  {domain.title}")
        out += [_dimension_line(d, width, versions) for d in c.dimensions_of(domain.domain_id)]
    out += ["", "CRITICAL FINDINGS"]
    out += _critical_lines("Resolved", c.criticals_resolved)
    out += _critical_lines("New", c.criticals_new)
    out += _critical_lines("Still open", c.criticals_still_open)
    if c.criticals_unconfirmed:
        out += _critical_lines(
            "Not confirmed resolved: now unanswered or not applicable", c.criticals_unconfirmed
        )
    if c.criticals_not_compared:
        out += _critical_lines(
            "On items not compared (new, or changed in meaning)",
            c.criticals_not_compared,
        )
    out += ["", "GAPS (item score before → now)"]
    out += _item_lines("Closed", c.gaps_closed)
    out += _item_lines("New", c.gaps_new)
    out += _item_lines("Still open", c.gaps_still_open)
    if c.gaps_unconfirmed:
        out += _item_lines(
            "Not confirmed closed: now unanswered or not applicable", c.gaps_unconfirmed
        )
    if c.gaps_not_compared:
        codes = ", ".join(g.code for g in c.gaps_not_compared)
        out.append(
            _wrap(
                f"On items not compared: {count(len(c.gaps_not_compared), 'gap')} ({codes})",
                "  ",
                "    ",
            )
        )
    return "\n".join(out) + "\n"


def compare_json(c: Comparison) -> str:
    """The whole comparison as JSON (item ids and codes both), for other tools."""
    return c.model_dump_json(indent=2) + "\n"
