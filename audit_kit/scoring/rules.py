"""The scoring rules: one pure function from (instrument, responses) to a ScoreResult."""

from __future__ import annotations

import math
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from audit_kit.model.applicability import Skipped, skipped_items
from audit_kit.model.instrument import CitationRef, Dimension, Domain, Instrument, Item
from audit_kit.model.responses import AnswerValue, Responses, normalize_value
from audit_kit.model.result import (
    Completeness,
    CriticalFinding,
    DimensionResult,
    DomainResult,
    Gap,
    ItemResult,
    ScoreResult,
)
from audit_kit.model.vocab import AnswerKind, DomainState, GapKind, ItemStatus, Level, NaKind

CAPABLE = 3.0
ENHANCED = 4.5
EMERGING = 2.0
#: A domain with more than this share of applicable items unanswered gets no level.
MAX_UNANSWERED_SHARE = 0.20
_HUNDREDTH = Decimal("0.01")
#: What a missing profile field means for the result, said first among its warnings.
_MISSING = {
    "program name": "The program's name is not given; fill it in.",
    "setting": "The program's setting is not given: every item counts as applying, and the "
    "recommendations are not tailored to the setting; fill it in.",
    "hospital-based (yes or no)": "Whether a hospital runs the program is not given: the "
    "recommendations are not tailored to it; fill it in.",
    "assessment date": "The assessment date is not given; fill it in.",
}


def item_score(instrument: Instrument, item: Item, value: AnswerValue) -> int:
    """The 1-5 score of a value for an item (ValueError if the value is not an answer to it)."""
    canonical = normalize_value(item, value)
    if canonical is None:
        raise ValueError(f"{value!r} is not an answer to {item.id}")
    if item.kind is AnswerKind.SCALE:
        return int(canonical)
    if item.kind is AnswerKind.CHOICE:
        return next(c.score for c in item.choices or [] if c.value == canonical)
    percent = float(canonical)
    return next(b.score for b in instrument.bands_for(item) if b.contains(percent))


def is_critical(item: Item, value: AnswerValue) -> bool:
    """Whether an (already canonical) answer meets the item's critical rule."""
    rule = item.critical
    if rule is None:
        return False
    if rule.below_percent is not None:
        return isinstance(value, int | float) and value < rule.below_percent
    return value in rule.answers


def score(instrument: Instrument, responses: Responses) -> ScoreResult:
    """Apply the scoring rules. Pure: no files, no clock, no printing.

    The responses must already conform to the instrument (see ``responses.conform``); an answer
    to an unknown item or a value outside an item's answers raises ValueError.
    """
    unknown = sorted(set(responses.answers) - set(instrument.item_ids))
    if unknown:
        raise ValueError(f"answers to items not in {instrument.id}: {', '.join(unknown)}")
    warnings: list[str] = []
    items: list[ItemResult] = []
    criticals: list[CriticalFinding] = []
    skipped = skipped_items(instrument, responses.program.setting, responses.answers)

    for domain, dimension, item in instrument.iter_items():
        result = _item_result(
            instrument, domain, dimension, item, responses, skipped.get(item.id), warnings
        )
        items.append(result)
        if result.critical and result.value is not None:
            rule = item.critical
            assert rule is not None
            refs = rule.citations or item.citations
            criticals.append(
                CriticalFinding(
                    item_id=item.id,
                    code=result.code,
                    domain_id=domain.id,
                    title=item.title,
                    finding=rule.finding,
                    value=result.value,
                    citations=[instrument.citation(r.id) for r in refs],
                    sections=_sections(instrument, refs),
                )
            )

    dimensions: list[DimensionResult] = []
    domains: list[DomainResult] = []
    critical_domains = {c.domain_id for c in criticals}
    for domain in instrument.domains:
        own_dims: list[DimensionResult] = []
        for dimension in domain.dimensions:
            in_dim = [
                r for r in items if r.domain_id == domain.id and r.dimension_id == dimension.id
            ]
            dim_result = DimensionResult(
                domain_id=domain.id,
                dimension_id=dimension.id,
                title=dimension.title,
                score=round_score(_weighted_mean(in_dim)),
                completeness=_completeness(in_dim),
            )
            own_dims.append(dim_result)
            comp = dim_result.completeness
            if comp.applicable and not comp.answered:
                warnings.append(
                    f"{domain.title} / {dimension.title}: none of its {comp.applicable} "
                    "applicable items is answered; the level rests on the other dimensions."
                )
        dimensions.extend(own_dims)
        domains.append(
            _domain_result(
                domain,
                own_dims,
                [r for r in items if r.domain_id == domain.id],
                domain.id in critical_domains,
                warnings,
            )
        )

    missing = responses.missing()
    warnings[:0] = [_MISSING[field] for field in missing]
    return ScoreResult(
        missing=missing,
        instrument_id=instrument.id,
        instrument_version=instrument.version,
        instrument_title=instrument.title,
        program=responses.program,
        assessor=responses.assessor,
        assessment_date=responses.assessment_date,
        completeness=_completeness(items),
        domains=domains,
        dimensions=dimensions,
        items=items,
        critical_findings=criticals,
        gaps=_gaps(instrument, responses, items),
        warnings=warnings,
    )


def _item_result(
    instrument: Instrument,
    domain: Domain,
    dimension: Dimension,
    item: Item,
    responses: Responses,
    skipped: Skipped | None,
    warnings: list[str],
) -> ItemResult:
    answer = responses.answers.get(item.id)
    common = {
        "item_id": item.id,
        "code": instrument.code(item.id),
        "domain_id": domain.id,
        "dimension_id": dimension.id,
        "title": item.title,
        "weight": item.weight,
        "note": answer.note if answer else None,
        "evidence": answer.evidence if answer else None,
    }
    if skipped is not None:
        if answer is not None and answer.value is not None:
            warnings.append(
                f"{common['code']} {item.title}: answered, but it does not apply "
                f"({skipped.reason.rstrip('.')}); its answer was not scored."
            )
        return ItemResult(
            **common,
            status=ItemStatus.NOT_APPLICABLE,
            na_reason=skipped.reason,
            na_kind=skipped.kind,
        )
    if answer is not None and answer.not_applicable:
        return ItemResult(
            **common,
            status=ItemStatus.NOT_APPLICABLE,
            na_reason=answer.na_reason,
            na_kind=NaKind.RESPONDENT,
        )
    if answer is None or answer.value is None:
        return ItemResult(**common, status=ItemStatus.UNANSWERED)
    value = normalize_value(item, answer.value)
    if value is None:
        raise ValueError(f"{answer.value!r} is not an answer to {item.id}")
    return ItemResult(
        **common,
        status=ItemStatus.ANSWERED,
        value=value,
        score=item_score(instrument, item, value),
        critical=is_critical(item, value),
    )


def _weighted_mean(results: Iterable[ItemResult]) -> float | None:
    scored = [(r.weight, r.score) for r in results if r.score is not None]
    if not scored:
        return None
    return math.fsum(w * s for w, s in scored) / math.fsum(w for w, _ in scored)


def round_score(value: float | None) -> float | None:
    """A score to two decimals, halves rounded up: the score shown is the score the rules use.

    (So a dimension shown as 4.50 is enhanced, and one shown as 2.99 is not capable.)
    """
    if value is None:
        return None
    return float(Decimal(repr(value)).quantize(_HUNDREDTH, rounding=ROUND_HALF_UP))


def _completeness(results: list[ItemResult]) -> Completeness:
    return Completeness(
        total=len(results),
        answered=sum(r.status is ItemStatus.ANSWERED for r in results),
        not_applicable=sum(r.status is ItemStatus.NOT_APPLICABLE for r in results),
        unanswered=sum(r.status is ItemStatus.UNANSWERED for r in results),
    )


def level_from_scores(dimension_scores: list[float], domain_score: float) -> Level:
    """The lowest-dimension rule: enhanced, capable, emerging or not yet capable."""
    if all(s >= ENHANCED for s in dimension_scores):
        return Level.ENHANCED
    if all(s >= CAPABLE for s in dimension_scores):
        return Level.CAPABLE
    if domain_score >= EMERGING:
        return Level.EMERGING
    return Level.NOT_YET_CAPABLE


def _domain_result(
    domain: Domain,
    dims: list[DimensionResult],
    results: list[ItemResult],
    has_critical: bool,
    warnings: list[str],
) -> DomainResult:
    completeness = _completeness(results)
    dim_scores = [d.score for d in dims if d.score is not None]
    domain_score = round_score(math.fsum(dim_scores) / len(dim_scores)) if dim_scores else None
    # integer comparison: "more than 20%" must not flip on float rounding
    insufficient = completeness.unanswered * 5 > completeness.applicable
    scores_level: Level | None = None
    if completeness.applicable == 0:
        warnings.append(f"{domain.title}: every item is not applicable, so it has no level.")
    elif insufficient:
        warnings.append(
            f"{domain.title}: {completeness.unanswered} of {completeness.applicable} applicable "
            f"items are unanswered (more than {MAX_UNANSWERED_SHARE:.0%}), so the evidence is "
            "insufficient for a level; answer the remaining items."
        )
    elif domain_score is not None:
        scores_level = level_from_scores(dim_scores, domain_score)
    if has_critical:
        state = DomainState.CAPPED
    elif completeness.applicable == 0:
        state = DomainState.NOT_APPLICABLE
    elif insufficient or scores_level is None:
        state = DomainState.INSUFFICIENT_EVIDENCE
    else:
        state = DomainState.RATED
    level = scores_level if state is DomainState.RATED else None
    scored = [d for d in dims if d.score is not None]
    lowest = min(scored, key=lambda d: d.score or 0.0).dimension_id if scored else None
    return DomainResult(
        domain_id=domain.id,
        title=domain.title,
        score=domain_score,
        state=state,
        level=level,
        level_name=domain.levels.name(level) if level else None,
        scores_level=scores_level,
        scores_level_name=domain.levels.name(scores_level) if scores_level else None,
        capped=has_critical,
        insufficient_evidence=insufficient,
        completeness=completeness,
        lowest_dimension=lowest,
    )


def _sections(instrument: Instrument, refs: list[CitationRef]) -> list[str | None]:
    return [r.section or instrument.citation(r.id).section for r in refs]


def _gaps(instrument: Instrument, responses: Responses, items: list[ItemResult]) -> list[Gap]:
    """Every item below 5 (and every critical one), in priority order.

    Critical first, then below capable by weight × (3 − score), then towards enhanced by
    weight × (5 − score); ``items`` come in instrument order and the sort is stable, so ties
    keep that order.
    """
    tiers = list(GapKind)
    found: list[tuple[GapKind, float, ItemResult]] = []
    for r in items:
        if r.score is None or (r.score >= 5 and not r.critical):
            continue
        if r.critical:
            found.append((GapKind.CRITICAL, r.weight * max(CAPABLE - r.score, 0.0), r))
        elif r.score < CAPABLE:
            found.append((GapKind.BELOW_CAPABLE, r.weight * (CAPABLE - r.score), r))
        else:
            found.append((GapKind.TOWARDS_ENHANCED, r.weight * (5 - r.score), r))
    found.sort(key=lambda t: (tiers.index(t[0]), -t[1]))
    program = responses.program
    gaps = []
    for rank, (kind, priority, r) in enumerate(found, start=1):
        item = instrument.item(r.item_id)
        assert r.score is not None
        gaps.append(
            Gap(
                rank=rank,
                kind=kind,
                item_id=r.item_id,
                code=r.code,
                domain_id=r.domain_id,
                dimension_id=r.dimension_id,
                title=r.title,
                score=r.score,
                weight=r.weight,
                priority=round(priority, 4),
                recommendation=item.recommendation_for(program.setting, program.hospital_based),
                citations=[instrument.citation(c.id) for c in item.citations],
                sections=_sections(instrument, item.citations),
            )
        )
    return gaps
