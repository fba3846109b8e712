"""Compare two scored assessments of one program: one pure function, no files, no clock."""

from __future__ import annotations

from audit_kit.model.comparison import (
    Comparison,
    CriticalChange,
    DimensionChange,
    Direction,
    DomainChange,
    ItemChange,
)
from audit_kit.model.instrument import Instrument
from audit_kit.model.migrate import version_key
from audit_kit.model.responses import fold
from audit_kit.model.result import DomainResult, ItemResult, ScoreResult
from audit_kit.model.vocab import DomainState, ItemStatus, Level


def shared_items(old: Instrument, new: Instrument) -> tuple[list[str], list[str]]:
    """Items both versions ask with the same meaning, and those whose meaning changed (by id,
    in ``new``'s order). An item the later version revised after the earlier one is not shared,
    whichever of the two is given first."""
    earlier, later = sorted((old, new), key=lambda i: version_key(i.version))
    shared, changed = [], []
    for item_id in new.item_ids:
        if not old.has_item(item_id):
            continue
        revised = later.item(item_id).revised_in
        if revised is not None and version_key(revised) > version_key(earlier.version):
            changed.append(item_id)
        else:
            shared.append(item_id)
    return shared, changed


def _rank(d: DomainResult | None) -> int | None:
    """Order of standings: a capped domain below the lowest level; no level, no rank."""
    if d is None:
        return None
    if d.state is DomainState.CAPPED:
        return 0
    if d.state is DomainState.RATED and d.level is not None:
        return list(Level).index(d.level) + 1
    return None


def _direction(old: DomainResult | None, new: DomainResult | None) -> Direction:
    before, now = _rank(old), _rank(new)
    if before is None or now is None:
        return Direction.NOT_COMPARABLE
    if now > before:
        return Direction.UP
    return Direction.DOWN if now < before else Direction.SAME


def _domain_changes(old: ScoreResult, new: ScoreResult) -> list[DomainChange]:
    olds = {d.domain_id: d for d in old.domains}
    news = {d.domain_id: d for d in new.domains}
    order = [d.domain_id for d in new.domains] + [i for i in olds if i not in news]
    changes = []
    for domain_id in order:
        before, now = olds.get(domain_id), news.get(domain_id)
        shown = now or before
        assert shown is not None
        changes.append(
            DomainChange(
                domain_id=domain_id,
                title=shown.title,
                old_score=before.score if before else None,
                new_score=now.score if now else None,
                old_state=before.state if before else None,
                new_state=now.state if now else None,
                old_level=before.level if before else None,
                new_level=now.level if now else None,
                old_headline=before.headline if before else None,
                new_headline=now.headline if now else None,
                old_scores_level_name=before.scores_level_name if before else None,
                new_scores_level_name=now.scores_level_name if now else None,
                direction=_direction(before, now),
            )
        )
    return changes


def _dimension_changes(old: ScoreResult, new: ScoreResult) -> list[DimensionChange]:
    olds = {(d.domain_id, d.dimension_id): d for d in old.dimensions}
    news = {(d.domain_id, d.dimension_id): d for d in new.dimensions}
    keys = list(news) + [k for k in olds if k not in news]
    domain_order = [d.domain_id for d in new.domains] + [
        d.domain_id for d in old.domains if d.domain_id not in {n.domain_id for n in new.domains}
    ]
    # grouped by domain; within a domain the newer order, then dimensions the newer one dropped
    keys.sort(key=lambda k: domain_order.index(k[0]))
    changes = []
    for key in keys:
        before, now = olds.get(key), news.get(key)
        shown = now or before
        assert shown is not None
        changes.append(
            DimensionChange(
                domain_id=key[0],
                dimension_id=key[1],
                title=shown.title,
                old_score=before.score if before else None,
                new_score=now.score if now else None,
                in_old=before is not None,
                in_new=now is not None,
            )
        )
    return changes


def _item_change(
    item_id: str, code: str, before: ItemResult | None, now: ItemResult | None, gaps: GapKinds
) -> ItemChange:
    shown = now or before
    assert shown is not None
    return ItemChange(
        item_id=item_id,
        code=code,
        domain_id=shown.domain_id,
        title=shown.title,
        old_status=before.status if before else None,
        new_status=now.status if now else None,
        old_score=before.score if before else None,
        new_score=now.score if now else None,
        old_kind=gaps.old.get(item_id),
        new_kind=gaps.new.get(item_id),
    )


class GapKinds:
    """The kind of gap of each item on the two action plans, by item id."""

    def __init__(self, old: ScoreResult, new: ScoreResult) -> None:
        self.old = {g.item_id: g.kind for g in old.gaps}
        self.new = {g.item_id: g.kind for g in new.gaps}


def compare(
    old_instrument: Instrument,
    old_result: ScoreResult,
    new_instrument: Instrument,
    new_result: ScoreResult,
) -> Comparison:
    """What changed from ``old_result`` to ``new_result``. Pure: no files, no clock.

    Both must be results of one instrument (any two of its versions), each scored with its own
    version; ValueError otherwise.
    """
    if old_instrument.id != new_instrument.id:
        raise ValueError(
            f"cannot compare assessments of different instruments: {old_instrument.id} and "
            f"{new_instrument.id}"
        )
    for instrument, result in ((old_instrument, old_result), (new_instrument, new_result)):
        if (result.instrument_id, result.instrument_version) != (instrument.id, instrument.version):
            raise ValueError(
                f"a result of {result.instrument_id} {result.instrument_version} was given with "
                f"the instrument {instrument.ref}"
            )
    shared, changed = shared_items(old_instrument, new_instrument)
    gaps = GapKinds(old_result, new_result)
    old_items = {r.item_id: r for r in old_result.items}
    new_items = {r.item_id: r for r in new_result.items}
    old_critical = {c.item_id: c for c in old_result.critical_findings}
    new_critical = {c.item_id: c for c in new_result.critical_findings}

    closed, fresh, still, unconfirmed = [], [], [], []
    for item_id in shared:
        before, now = old_items[item_id], new_items[item_id]
        change = _item_change(item_id, new_instrument.code(item_id), before, now, gaps)
        was, is_now = item_id in gaps.old, item_id in gaps.new
        if was and is_now:
            still.append(change)
        elif was and now.status is ItemStatus.ANSWERED:
            closed.append(change)
        elif was:
            unconfirmed.append(change)
        elif is_now:
            fresh.append(change)
    shared_set = set(shared)
    not_compared = [
        _item_change(
            gap.item_id,
            new_instrument.code(gap.item_id),
            old_items.get(gap.item_id),
            new_items[gap.item_id],
            gaps,
        )
        for gap in new_result.gaps
        if gap.item_id not in shared_set
    ]
    position = {item_id: n for n, item_id in enumerate(new_instrument.item_ids)}
    not_compared.sort(key=lambda c: position[c.item_id])

    def critical(item_id: str, instrument: Instrument) -> CriticalChange:
        finding = new_critical.get(item_id) or old_critical[item_id]
        now = new_items.get(item_id)
        return CriticalChange(
            item_id=item_id,
            code=instrument.code(item_id),
            domain_id=finding.domain_id,
            title=finding.title,
            finding=finding.finding,
            before=item_id in old_critical,
            now=item_id in new_critical,
            new_status=now.status if now else None,
        )

    resolved, crit_new, crit_still, crit_unconfirmed = [], [], [], []
    crit_other: list[CriticalChange] = []
    for item_id in shared:
        before, now = item_id in old_critical, item_id in new_critical
        if before and now:
            crit_still.append(critical(item_id, new_instrument))
        elif before and new_items[item_id].status is ItemStatus.ANSWERED:
            resolved.append(critical(item_id, new_instrument))
        elif before:
            crit_unconfirmed.append(critical(item_id, new_instrument))
        elif now:
            crit_new.append(critical(item_id, new_instrument))
    crit_other += [
        critical(i, new_instrument)
        for i in new_instrument.item_ids
        if i not in shared_set and (i in new_critical or i in old_critical)
    ]
    crit_other += [
        critical(i, old_instrument)
        for i in old_instrument.item_ids
        if i in old_critical and not new_instrument.has_item(i)
    ]

    return Comparison(
        instrument_id=new_instrument.id,
        old_version=old_instrument.version,
        new_version=new_instrument.version,
        old_program=old_result.program.display_name,
        new_program=new_result.program.display_name,
        old_date=old_result.assessment_date,
        new_date=new_result.assessment_date,
        domains=_domain_changes(old_result, new_result),
        dimensions=_dimension_changes(old_result, new_result),
        shared_items=shared,
        new_item_count=new_instrument.item_count,
        changed_meaning=changed,
        only_old=[i for i in old_instrument.item_ids if not new_instrument.has_item(i)],
        only_new=[i for i in new_instrument.item_ids if not old_instrument.has_item(i)],
        gaps_closed=closed,
        gaps_new=fresh,
        gaps_still_open=still,
        gaps_unconfirmed=unconfirmed,
        gaps_not_compared=not_compared,
        criticals_resolved=resolved,
        criticals_new=crit_new,
        criticals_still_open=crit_still,
        criticals_unconfirmed=crit_unconfirmed,
        criticals_not_compared=crit_other,
        warnings=_warnings(old_instrument, old_result, new_instrument, new_result, len(shared)),
    )


def _warnings(
    old_instrument: Instrument,
    old: ScoreResult,
    new_instrument: Instrument,
    new: ScoreResult,
    shared: int,
) -> list[str]:
    out = []
    if old.program.name and new.program.name and fold(old.program.name) != fold(new.program.name):
        out.append(
            f"The two assessments name different programs ({old.program.name!r} and "
            f"{new.program.name!r}); check that they are of the same program."
        )
    if old.assessment_date and new.assessment_date and old.assessment_date > new.assessment_date:
        out.append(
            f"The earlier assessment given is dated {old.assessment_date}, after the later one "
            f"({new.assessment_date}); check the order: the older assessment comes first."
        )
    elif old.assessment_date and old.assessment_date == new.assessment_date:
        out.append(
            f"Both assessments are dated {new.assessment_date}; check that the earlier one is "
            "last time's assessment and not the same one again."
        )
    if old.program.setting != new.program.setting and old.program.setting and new.program.setting:
        out.append(
            f"The setting changed from {old.program.setting.label} to "
            f"{new.program.setting.label}, so some items apply differently."
        )
    if version_key(old_instrument.version) > version_key(new_instrument.version):
        out.append(
            f"The earlier assessment given uses version {old_instrument.version}, newer than the "
            f"later one's {new_instrument.version}; check the order: the older assessment comes "
            "first."
        )
    if old_instrument.version != new_instrument.version:
        total = new_instrument.item_count
        out.append(
            f"Compared across instrument versions {old_instrument.version} and "
            f"{new_instrument.version}: {shared} of the {total} items of "
            f"{new_instrument.version} ({shared / total:.0%}) are shared with the same meaning "
            "and compared item by item; domain and dimension scores rest on each version's own "
            "items."
        )
    for label, result in (("earlier", old), ("later", new)):
        if result.draft:
            out.append(
                f"The {label} assessment is a draft (a profile field is missing or a domain "
                "lacks the evidence for a level); its levels may change."
            )
    return out
