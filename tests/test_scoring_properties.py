"""Invariants of the scoring engine over random instruments and answers (hypothesis)."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from audit_kit.model.instrument import Instrument
from audit_kit.model.responses import Answer
from audit_kit.model.vocab import AnswerKind, DomainState, ItemStatus, Level
from audit_kit.scoring import score

from strategies import answers_for, instruments, responses_for

random_assessments = instruments().flatmap(lambda ins: st.tuples(st.just(ins), answers_for(ins)))


@settings(max_examples=150, deadline=None)
@given(random_assessments)
def test_scores_stay_within_1_and_5(case: tuple[Instrument, dict[str, Answer]]) -> None:
    """Every item, dimension and domain score is None or within the 1-5 scale."""
    instrument, answers = case
    result = score(instrument, responses_for(instrument, answers))
    values = [i.score for i in result.items]
    values += [d.score for d in result.dimensions] + [d.score for d in result.domains]
    assert all(v is None or 1 <= v <= 5 for v in values)


@settings(max_examples=100, deadline=None)
@given(random_assessments, st.randoms())
def test_answer_order_is_irrelevant(
    case: tuple[Instrument, dict[str, Answer]], rnd: random.Random
) -> None:
    """Shuffling the answers mapping changes nothing in the result."""
    instrument, answers = case
    keys = list(answers)
    rnd.shuffle(keys)
    shuffled = {k: answers[k] for k in keys}
    first = score(instrument, responses_for(instrument, answers))
    second = score(instrument, responses_for(instrument, shuffled))
    assert first.model_dump_json() == second.model_dump_json()


@settings(max_examples=100, deadline=None)
@given(instruments(all_na_allowed=True))
def test_all_na_domain_has_no_level(instrument: Instrument) -> None:
    """A domain whose every item is N/A gets no score and no level, and nothing divides by 0."""
    answers = {
        i: Answer(not_applicable=True, na_reason="Not offered here.") for i in instrument.item_ids
    }
    result = score(instrument, responses_for(instrument, answers))
    for domain in result.domains:
        assert domain.score is None and domain.level is None
        assert domain.completeness.applicable == 0
    assert all(d.score is None for d in result.dimensions)
    assert result.gaps == []


@settings(max_examples=150, deadline=None)
@given(random_assessments)
def test_levels_follow_the_rules(case: tuple[Instrument, dict[str, Answer]]) -> None:
    """A level appears only with enough evidence or a critical finding; criticals always cap."""
    instrument, answers = case
    result = score(instrument, responses_for(instrument, answers))
    critical_domains = {f.domain_id for f in result.critical_findings}
    for domain in result.domains:
        if domain.domain_id in critical_domains:
            assert domain.state is DomainState.CAPPED and domain.level is None
        elif domain.insufficient_evidence or domain.completeness.applicable == 0:
            assert domain.level is None
        else:
            assert domain.level is not None
            dims = [d.score for d in result.dimensions_of(domain.domain_id) if d.score is not None]
            if domain.level is Level.ENHANCED:
                assert min(dims) >= 4.5 - 1e-4
            if domain.level is Level.CAPABLE:
                assert min(dims) >= 3.0 - 1e-4


@settings(max_examples=150, deadline=None)
@given(random_assessments, st.data())
def test_a_better_answer_never_lowers_a_score(
    case: tuple[Instrument, dict[str, Answer]], data: st.DataObject
) -> None:
    """Raising one scale answer (not a critical one) never lowers its dimension or domain."""
    instrument, answers = case
    scale = [
        i
        for i, a in answers.items()
        if a.value is not None
        and instrument.item(i).kind is AnswerKind.SCALE
        and isinstance(a.value, int)
        and a.value < 5
    ]
    if not scale:
        return
    item_id = data.draw(st.sampled_from(scale))
    better = {**answers, item_id: Answer(value=int(answers[item_id].value or 1) + 1)}
    before = score(instrument, responses_for(instrument, answers))
    after = score(instrument, responses_for(instrument, better))
    domain = item_id.split(".")[0]
    assert (after.domain(domain).score or 0) >= (before.domain(domain).score or 0) - 1e-9
    assert after.item(item_id).status is ItemStatus.ANSWERED


@settings(max_examples=100, deadline=None)
@given(random_assessments)
def test_gaps_are_ranked_and_complete(case: tuple[Instrument, dict[str, Answer]]) -> None:
    """Every answered item below 5 (and every critical one) is a gap, ranked 1..n by tier."""
    instrument, answers = case
    result = score(instrument, responses_for(instrument, answers))
    expected = {
        i.item_id for i in result.items if i.score is not None and (i.score < 5 or i.critical)
    }
    assert {g.item_id for g in result.gaps} == expected
    assert [g.rank for g in result.gaps] == list(range(1, len(result.gaps) + 1))
    tiers = [g.kind for g in result.gaps]
    order = ["critical", "below_capable", "towards_enhanced"]
    assert tiers == sorted(tiers, key=lambda k: order.index(k.value))
