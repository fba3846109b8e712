"""The scoring rules of DESIGN.md, one at a time, on the small test instrument."""

from __future__ import annotations

import pytest

from audit_kit.model.instrument import Instrument
from audit_kit.model.responses import Answer
from audit_kit.model.vocab import DomainState, GapKind, ItemStatus, Level, NaKind, Setting
from audit_kit.scoring import item_score, level_from_scores, score

from conftest import build_responses

# Everything at 5 on the mini instrument, for an outpatient program (mat.storage does not apply).
ALL_FIVE = {
    "mat.admit": 5,
    "mat.route": "on_site",
    "mat.naloxone": 95,
    "mat.pregnancy": 5,
    "cod.screen": 5,
    "cod.crisis": 5,
}


def scored(mini: Instrument, setting: Setting = Setting.OUTPATIENT, **changes: object):
    """Score ALL_FIVE with some answers changed (None removes an answer)."""
    answers = {k.replace("__", "."): v for k, v in changes.items()}
    merged = {k: v for k, v in {**ALL_FIVE, **answers}.items() if v is not None}
    return score(mini, build_responses(mini, merged, setting=setting))


def test_dimension_score_is_the_weighted_mean(mini: Instrument) -> None:
    """mat.admit (weight 2) at 2 and mat.route (weight 1) at 5 → (2·2 + 5) / 3 = 3.0."""
    result = scored(mini, mat__admit=2)
    access = result.dimensions_of("mat")[0]
    assert access.dimension_id == "access"
    assert access.score == pytest.approx(3.0)


def test_domain_score_is_the_mean_of_its_dimensions(mini: Instrument) -> None:
    """access = 3.0 and safety = (5 + 3) / 2 = 4.0 → domain 3.5, whatever the item counts."""
    result = scored(mini, mat__admit=2, mat__pregnancy=3)
    assert result.domain("mat").score == pytest.approx(3.5)


def test_not_applicable_leaves_numerator_and_denominator(mini: Instrument) -> None:
    """An N/A item neither adds to nor dilutes its dimension's mean."""
    with_na = scored(mini, mat__naloxone=50, mat__pregnancy="na")
    safety = with_na.dimensions_of("mat")[1]
    assert safety.score == pytest.approx(3.0)  # only naloxone (50% → 3) counts
    # pregnancy marked N/A, storage outside the outpatient setting
    assert safety.completeness.not_applicable == 2
    assert safety.completeness.applicable == 1
    assert with_na.item("mat.pregnancy").status is ItemStatus.NOT_APPLICABLE
    assert with_na.item("mat.pregnancy").na_reason == "Does not apply here."


def test_unanswered_is_tracked_never_guessed(mini: Instrument) -> None:
    """An unanswered item is counted as unanswered and left out of the mean (not scored as 1)."""
    result = scored(mini, mat__route=None)
    assert result.item("mat.route").status is ItemStatus.UNANSWERED
    assert result.item("mat.route").score is None
    assert result.dimensions_of("mat")[0].score == pytest.approx(5.0)
    assert result.domain("mat").completeness.unanswered == 1
    assert result.completeness.unanswered == 1


def test_item_outside_the_setting_is_not_applicable_and_its_answer_ignored(
    mini: Instrument,
) -> None:
    """mat.storage applies only to residential and hospital inpatient programs."""
    result = scored(mini, mat__storage=1)
    item = result.item("mat.storage")
    assert item.status is ItemStatus.NOT_APPLICABLE
    assert item.na_reason == "Does not apply to outpatient programs."
    assert item.na_kind is NaKind.SETTING
    assert result.dimensions_of("mat")[1].score == pytest.approx(5.0)
    assert any(
        w.startswith("MAT-5 Medication storage: answered, but it does not apply")
        for w in result.warnings
    )

    residential = scored(mini, Setting.RESIDENTIAL, mat__storage=1)
    assert residential.item("mat.storage").score == 1


def test_more_than_20_percent_unanswered_gives_insufficient_evidence(mini: Instrument) -> None:
    """Outpatient mat has 4 applicable items: 1 unanswered is 25%, more than 20%."""
    result = scored(mini, mat__pregnancy=None)
    mat = result.domain("mat")
    assert mat.insufficient_evidence
    assert mat.level is None and mat.level_name is None
    assert mat.score is not None  # the mean is still reported
    assert any("insufficient" in w for w in result.warnings)


def test_exactly_20_percent_unanswered_still_gets_a_level(mini: Instrument) -> None:
    """Residential mat has 5 applicable items: 1 unanswered is exactly 20%, not more."""
    result = scored(mini, Setting.RESIDENTIAL, mat__storage=None)
    mat = result.domain("mat")
    assert not mat.insufficient_evidence
    assert mat.level is Level.ENHANCED


@pytest.mark.parametrize(
    ("dimension_scores", "mean", "level"),
    [
        ([5.0, 4.5], 4.75, Level.ENHANCED),
        ([5.0, 4.4], 4.7, Level.CAPABLE),  # high mean, one dimension below 4.5
        ([5.0, 3.0], 4.0, Level.CAPABLE),
        ([5.0, 2.9], 3.95, Level.EMERGING),  # one dimension below 3.0 decides
        ([2.5, 1.5], 2.0, Level.EMERGING),
        ([2.0, 1.5], 1.75, Level.NOT_YET_CAPABLE),
    ],
)
def test_lowest_dimension_rule(dimension_scores: list[float], mean: float, level: Level) -> None:
    """Enhanced/capable need every dimension at 4.5/3.0; emerging needs a mean of 2.0."""
    assert level_from_scores(dimension_scores, mean) is level


def test_lowest_dimension_decides_the_domain_level(mini: Instrument) -> None:
    """access 5.0 but safety 3.0 → capable, not enhanced, though the mean is 4.0."""
    result = scored(mini, mat__naloxone=55, mat__pregnancy=3)
    mat = result.domain("mat")
    assert mat.score == pytest.approx(4.0)
    assert mat.level is Level.CAPABLE
    assert mat.level_name == "MAT-capable"
    assert mat.lowest_dimension == "safety"


def test_levels_use_the_domains_own_words(mini: Instrument) -> None:
    """cod names its levels in its own words."""
    result = scored(mini)
    assert result.domain("cod").level_name == "Co-occurring enhanced"


@pytest.mark.parametrize(
    ("item_id", "value", "domain"),
    [
        ("mat.admit", 1, "mat"),
        ("mat.route", "none", "mat"),
        ("mat.naloxone", 5, "mat"),
        ("cod.crisis", 1, "cod"),
    ],
)
def test_each_critical_finding_caps_its_domain(
    mini: Instrument, item_id: str, value: object, domain: str
) -> None:
    """One critical answer drops an otherwise enhanced domain to the lowest level."""
    result = scored(mini, **{item_id.replace(".", "__"): value})
    capped = result.domain(domain)
    assert capped.state is DomainState.CAPPED and capped.level is None
    assert capped.capped
    assert capped.scores_level in (Level.ENHANCED, Level.CAPABLE, Level.EMERGING)
    assert capped.headline == "Critical finding: not capable until resolved"
    assert [f.item_id for f in result.critical_findings] == [item_id]
    assert result.critical_findings[0].citations
    other = next(d for d in result.domains if d.domain_id != domain)
    assert not other.capped and other.level is Level.ENHANCED
    assert result.gaps[0].item_id == item_id and result.gaps[0].kind is GapKind.CRITICAL


def test_non_critical_low_answers_do_not_cap(mini: Instrument) -> None:
    """mat.admit at 2 is a gap, not a critical finding; the rule names answer 1 only."""
    result = scored(mini, mat__admit=2)
    assert result.critical_findings == []
    assert not result.domain("mat").capped


def test_critical_percent_threshold(mini: Instrument) -> None:
    """Naloxone below 10% is critical; 10% itself is not."""
    assert scored(mini, mat__naloxone=9.9).critical_findings
    assert not scored(mini, mat__naloxone=10).critical_findings


def test_critical_finding_cites_its_own_sources_when_given(mini: Instrument) -> None:
    """mat.route's critical rule cites the standard with a section; the item cites the guide."""
    result = scored(mini, mat__route="none")
    finding = result.critical_findings[0]
    assert [c.id for c in finding.citations] == ["standard"]
    assert finding.sections == ["EP 2"]
    assert finding.finding == "No MOUD route at all."


def test_critical_caps_even_with_insufficient_evidence(mini: Instrument) -> None:
    """A critical finding sets the lowest level even when too much is unanswered for a level."""
    result = scored(mini, mat__admit=1, mat__route=None, mat__pregnancy=None)
    mat = result.domain("mat")
    assert mat.insufficient_evidence
    assert mat.state is DomainState.CAPPED and mat.level is None
    assert mat.scores_level is None


def test_priority_order(mini: Instrument) -> None:
    """Critical first; then below capable by weight × (3 − score); then towards enhanced."""
    result = scored(
        mini,
        cod__crisis=1,  # critical
        mat__admit=2,  # weight 2 × (3-2) = 2
        cod__screen=1,  # weight 1 × (3-1) = 2, later in the instrument than mat.admit
        mat__pregnancy=2,  # 1 × 1 = 1
        mat__route="referral",  # 3: towards enhanced, 1 × (5-3) = 2
        mat__naloxone=85,  # 4: towards enhanced, 1 × 1 = 1
    )
    assert [(g.item_id, g.kind.value, g.priority) for g in result.gaps] == [
        ("cod.crisis", "critical", 3.0),
        ("mat.admit", "below_capable", 2.0),
        ("cod.screen", "below_capable", 2.0),
        ("mat.pregnancy", "below_capable", 1.0),
        ("mat.route", "towards_enhanced", 2.0),
        ("mat.naloxone", "towards_enhanced", 1.0),
    ]
    assert [g.rank for g in result.gaps] == [1, 2, 3, 4, 5, 6]
    assert [g.timeframe for g in result.gaps[:2]] == ["30 days", "90 days"]
    assert result.gaps[-1].timeframe == "12 months"


def test_items_at_five_are_not_gaps(mini: Instrument) -> None:
    """A program at 5 everywhere has nothing on its action plan."""
    assert scored(mini).gaps == []


def test_recommendation_is_tailored_to_the_program(mini: Instrument) -> None:
    """Setting variant wins over the hospital variants, which win over the default."""

    def rec(item_id: str, setting: Setting, hospital: bool) -> str:
        low = {"mat.admit": 2, "mat.route": "referral"}
        responses = build_responses(
            mini, {**ALL_FIVE, **low}, setting=setting, hospital_based=hospital
        )
        return next(g for g in score(mini, responses).gaps if g.item_id == item_id).recommendation

    assert rec("mat.admit", Setting.HOSPITAL_INPATIENT, True).startswith("Ask the hospital")
    assert rec("mat.admit", Setting.RESIDENTIAL, False).startswith("Contract a prescriber")
    assert rec("mat.route", Setting.OPIOID_TREATMENT_PROGRAM, False).startswith("Add bupre")
    assert rec("mat.route", Setting.RESIDENTIAL, False) == "Set up a MOUD route."


@pytest.mark.parametrize(
    ("percent", "expected"),
    [
        (0, 1),
        (19.9, 1),
        (20, 2),
        (49.99, 2),
        (50, 3),
        (79.5, 3),
        (80, 4),
        (89.9, 4),
        (90, 5),
        (100, 5),
    ],
)
def test_percent_bands(mini: Instrument, percent: float, expected: int) -> None:
    """Chart-audit shares map to scores by the default bands."""
    assert item_score(mini, mini.item("mat.naloxone"), percent) == expected


def test_choice_answers_map_to_their_scores(mini: Instrument) -> None:
    """Choice values and their labels both score."""
    item = mini.item("mat.route")
    assert item_score(mini, item, "referral") == 3
    assert item_score(mini, item, "By written referral") == 3


def test_all_na_domain_has_no_level_and_no_division_by_zero(mini: Instrument) -> None:
    """Where nothing applies there is no score, no level and a warning, not a crash."""
    only_na = Instrument.model_validate(
        mini.model_dump()
        | {
            "domains": [
                d
                | {
                    "dimensions": [
                        m
                        | {"items": [i | {"allow_na": True, "critical": None} for i in m["items"]]}
                        for m in d["dimensions"]
                    ]
                }
                for d in mini.model_dump()["domains"]
            ]
        }
    )
    answers = {i: "na" for i in only_na.item_ids if i.startswith("cod.")}
    result = score(only_na, build_responses(only_na, {**ALL_FIVE, **answers}))
    cod = result.domain("cod")
    assert cod.score is None and cod.level is None and not cod.insufficient_evidence
    assert cod.completeness.applicable == 0
    assert any("every item is not applicable" in w for w in result.warnings)


def test_score_is_pure_and_deterministic(mini: Instrument) -> None:
    """The same input gives an equal result, and the responses are not changed."""
    responses = build_responses(mini, {**ALL_FIVE, "mat.admit": 2})
    before = responses.model_dump()
    assert score(mini, responses) == score(mini, responses)
    assert responses.model_dump() == before


def test_unknown_items_and_bad_values_are_refused(mini: Instrument) -> None:
    """score() expects checked responses; garbage is a programming error, not a guess."""
    with pytest.raises(ValueError, match="nope"):
        score(mini, build_responses(mini, {"mat.nope": 3}))
    with pytest.raises(ValueError, match=r"mat\.admit"):
        score(mini, build_responses(mini, {"mat.admit": Answer(value=7)}))
