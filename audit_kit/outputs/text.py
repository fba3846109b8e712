"""Plain-text and Markdown views of instruments and score results, for the terminal."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from typing import TYPE_CHECKING

from audit_kit.model.applicability import answer_label
from audit_kit.model.instrument import Citation, Instrument, Item
from audit_kit.model.result import ScoreResult
from audit_kit.model.vocab import AnswerKind, GapKind, Level
from audit_kit.outputs.wording import count, fmt_score, standing

if TYPE_CHECKING:
    from audit_kit.model.migrate import Migration

WIDTH = 100


def cite_short(citations: list[Citation], sections: list[str | None]) -> str:
    """'ASAM (2020), Dimension IV.C; SAMHSA (2021)' for a list of citations."""
    parts = []
    for citation, section in zip(citations, sections, strict=True):
        parts.append(citation.short() + (f", {section}" if section else ""))
    return "; ".join(parts)


def _wrap(text: str, indent: str, later: str | None = None) -> str:
    return textwrap.fill(
        " ".join(text.split()),
        WIDTH,
        initial_indent=indent,
        subsequent_indent=indent if later is None else later,
    )


def instrument_list(instruments: list[Instrument]) -> str:
    """One line per instrument: id, version, title, and items per domain."""
    lines = []
    for ins in instruments:
        counts = ", ".join(f"{d.id} {sum(len(m.items) for m in d.dimensions)}" for d in ins.domains)
        lines.append(f"{ins.id}  {ins.version}  {ins.title}")
        lines.append(f"    {ins.item_count} items in {len(ins.domains)} domains: {counts}")
    return "\n".join(lines)


def _answers(instrument: Instrument, item: Item) -> Iterator[tuple[str, str]]:
    if item.kind is AnswerKind.CHOICE:
        for choice in item.choices or []:
            yield choice.value, f"{choice.label} (scores {choice.score})"
    elif item.kind is AnswerKind.PERCENT:
        for band in instrument.bands_for(item):
            yield band.span, f"scores {band.score}"
    for score, text in item.anchors.items():
        yield str(score), text


def instrument_text(instrument: Instrument, markdown: bool = False) -> str:
    """Every item of an instrument, readable in a terminal or as a Markdown document."""
    out: list[str] = []
    if markdown:
        out += [f"# {instrument.title}", "", f"`{instrument.id}` version {instrument.version}", ""]
        if instrument.description:
            out += [" ".join(instrument.description.split()), ""]
    else:
        out += [f"{instrument.title}", f"{instrument.id} version {instrument.version}", ""]
        if instrument.description:
            out += [_wrap(instrument.description, ""), ""]
    for domain in instrument.domains:
        levels = " / ".join(domain.levels.name(lv) for lv in Level)
        if markdown:
            out += [f"## {domain.title} (`{domain.id}`)", "", f"Levels: {levels}", ""]
        else:
            out += ["=" * WIDTH, f"{domain.title} [{domain.id}]", f"Levels: {levels}", ""]
        for dimension in domain.dimensions:
            out += (
                [f"### {dimension.title}", ""]
                if markdown
                else [f"-- {dimension.title} " + "-" * max(0, WIDTH - len(dimension.title) - 4), ""]
            )
            for item in dimension.items:
                out += [*list(_item_lines(instrument, item, markdown)), ""]
    out += ["## References" if markdown else "References", ""]
    for citation in instrument.citations:
        out.append(
            f"- [{citation.id}] {citation.reference()}"
            if markdown
            else _wrap(f"[{citation.id}] {citation.reference()}", "  ").lstrip()
        )
    return "\n".join(out).rstrip() + "\n"


def _item_lines(instrument: Instrument, item: Item, markdown: bool) -> Iterator[str]:
    flags = [f"weight {item.weight:g}", item.kind.value]
    if item.allow_na:
        flags.append("N/A allowed")
    if item.applies_to:
        flags.append("only for " + ", ".join(f"{s.kind} programs" for s in item.applies_to))
    refs = "; ".join(
        instrument.citation(r.id).short() + (f", {r.section}" if r.section else "")
        for r in item.citations
    )
    evidence = ", ".join(e.label for e in item.evidence)
    code = instrument.code(item.id)
    skip = _skip_rule(instrument, item)
    if markdown:
        yield f"**{code}** `{item.id}` — {item.title} ({', '.join(flags)})"
        yield ""
        yield f"- Question: {item.question}"
        yield f"- Evidence ({evidence}): {item.guidance}"
        for key, text in _answers(instrument, item):
            yield f"- {key}: {text}"
        if item.na_guidance:
            yield f"- N/A: {item.na_guidance}"
        if skip:
            yield f"- Skip logic: {skip}"
        if item.critical:
            yield f"- **Critical** ({_trigger(item)}): {item.critical.finding}"
        yield f"- Recommendation: {item.recommendation}"
        for key, text in item.recommendation_variants.items():
            yield f"  - for {key.replace('_', ' ')}: {text}"
        yield f"- Sources: {refs}"
        return
    yield f"{code} [{item.id}]  {item.title}  ({', '.join(flags)})"
    yield _wrap(item.question, "  Q: ", "     ")
    yield _wrap(f"Evidence ({evidence}): {item.guidance}", "     ")
    for key, text in _answers(instrument, item):
        yield _wrap(f"{key}: {text}", "     ")
    if item.na_guidance:
        yield _wrap(f"N/A: {item.na_guidance}", "     ")
    if skip:
        yield _wrap(f"Skip logic: {skip}", "     ")
    if item.critical:
        yield _wrap(f"CRITICAL ({_trigger(item)}): {item.critical.finding}", "     ")
    yield _wrap(f"Recommendation: {item.recommendation}", "     ")
    for key, text in item.recommendation_variants.items():
        yield _wrap(f"for {key.replace('_', ' ')}: {text}", "       ")
    yield _wrap(f"Sources: {refs}", "     ")


def _skip_rule(instrument: Instrument, item: Item) -> str | None:
    """The item's skip logic in words: which answers of which earlier item rule it out (while
    that item is unanswered, it applies)."""
    condition = item.applies_when
    if condition is None or not instrument.has_item(condition.item):
        return None
    decider = instrument.item(condition.item)
    allowed = list(dict.fromkeys(condition.answers))
    every = (
        [c.value for c in decider.choices or []]
        if decider.kind is AnswerKind.CHOICE
        else [1, 2, 3, 4, 5]
    )
    others = [v for v in every if v not in allowed]
    name = f"{instrument.code(decider.id)} ({decider.title})"
    why = f": {condition.reason}" if condition.reason else ""

    def listed(values: list[object]) -> str:
        return " or ".join(repr(answer_label(decider, v)) for v in values)

    if not others:
        return f"not applicable when {name} is not applicable{why}"
    # the shorter list reads better: the answers that rule it out, or those that keep it
    if len(others) <= len(allowed):
        return f"not applicable when {name} is answered {listed(others)} or is not applicable{why}"
    return (
        f"not applicable when {name} is answered anything but {listed(allowed)}, or is not "
        f"applicable{why}"
    )


def _trigger(item: Item) -> str:
    rule = item.critical
    assert rule is not None
    if rule.below_percent is not None:
        return f"below {rule.below_percent:g}%"
    return "answer " + " or ".join(str(a) for a in rule.answers)


def score_text(result: ScoreResult, top: int = 10) -> str:
    """The score of one assessment: levels, scores, critical findings and top priorities."""
    p = result.program
    c = result.completeness
    out = [
        f"{p.display_name} — {p.setting_label}{', hospital-based' if p.hospital_based else ''}"
        + (" (DRAFT)" if result.draft else ""),
        f"Assessed {result.assessment_date or 'on a date not given'}"
        + (f" by {result.assessor}" if result.assessor else ""),
        f"Instrument: {result.instrument_title} "
        f"({result.instrument_id} {result.instrument_version})",
        f"Completeness: {c.answered} answered, {c.not_applicable} not applicable, "
        f"{c.unanswered} unanswered, of {count(c.total, 'item')}",
        "",
        "DOMAIN LEVELS",
    ]
    width = max(len(t) for t in [d.title for d in result.domains] + [" " * 20])
    dim_width = max(len(t) for t in [d.title for d in result.dimensions] + [" " * 20]) + 2
    out += [f"  {d.title:<{width}}  {fmt_score(d.score):>4}  {standing(d)}" for d in result.domains]
    out += ["", f"CRITICAL FINDINGS ({len(result.critical_findings)})"]
    if not result.critical_findings:
        out.append("  None.")
    for f in result.critical_findings:
        out.append(_wrap(f"! {f.code} {f.title}: {f.finding}", "  ").rstrip())
        out.append(_wrap(f"Source: {cite_short(f.citations, f.sections)}", "    "))
    out += ["", "DIMENSION SCORES"]
    for d in result.domains:
        out.append(f"  {d.title}")
        for dim in result.dimensions_of(d.domain_id):
            dc = dim.completeness
            counts = f"{dc.answered} answered, {dc.not_applicable} N/A, {dc.unanswered} unanswered"
            out.append(f"    {dim.title:<{dim_width - 2}}  {fmt_score(dim.score):>4}  ({counts})")
    shown = result.gaps[:top]
    out += ["", f"TOP {len(shown)} PRIORITIES (of {count(len(result.gaps), 'gap')})"]
    if not shown:
        if result.completeness.answered:
            out.append("  None: every answered item is at 5.")
        else:
            out.append("  None yet: no item is answered.")
    labels = {
        GapKind.CRITICAL: "critical",
        GapKind.BELOW_CAPABLE: "below capable",
        GapKind.TOWARDS_ENHANCED: "towards enhanced",
    }
    for g in shown:
        out.append(
            f"  {g.rank:>2}. {g.code} {g.title} — score {g.score}, "
            f"{labels[g.kind]}, within {g.timeframe}"
        )
        out.append(_wrap(g.recommendation, "      "))
        out.append(_wrap(f"Source: {cite_short(g.citations, g.sections)}", "      "))
    if result.warnings:
        out += ["", "NOTES"]
        out += [_wrap(w, "  - ", "    ") for w in result.warnings]
    return "\n".join(out) + "\n"


def migration_text(old: Instrument, new: Instrument, moved: Migration) -> str:
    """What converting to another version carried over, and what is left to answer."""

    def listed(ids: tuple[str, ...], source: Instrument) -> list[str]:
        return [_wrap(f"{source.code(i)} {source.item(i).title}", "    ") for i in ids]

    out = [
        f"Carried over {count(len(moved.carried), 'answer')} from {old.id} {old.version} "
        f"to {new.version}."
    ]
    if moved.changed:
        out.append(
            f"Left unanswered, because their answers mean something else in {new.version} "
            "(any note and evidence are kept):"
        )
        out += listed(moved.changed, new)
    if moved.new:
        out.append(f"New in {new.version}, to answer:")
        out += listed(moved.new, new)
    if moved.dropped:
        out.append(f"No longer in {new.version} (their answers are not carried over):")
        out += listed(moved.dropped, old)
    return "\n".join(out) + "\n"
