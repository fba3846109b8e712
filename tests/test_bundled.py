"""The bundled instrument and its examples: complete, cited, and scoring as they should."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from audit_kit.catalog import bundled_paths, load_instrument
from audit_kit.cli import cli
from audit_kit.formats.responses_json import read_responses_json
from audit_kit.model.instrument import Instrument
from audit_kit.model.responses import Answer, Responses
from audit_kit.model.vocab import AnswerKind, DomainState, Level, NaKind, Setting
from audit_kit.scoring import score

from conftest import EXAMPLES, ROOT

#: The safety findings DESIGN.md and issue 9 require, and the item carrying each in 1.1.
CRITICAL_PRACTICES = {
    "refusing admission to people on MOUD": "mat.admit_on_moud",
    "requiring a MOUD taper or time limit": "mat.no_forced_taper",
    "MOUD conditional on counselling or meeting attendance": "mat.no_counseling_precondition",
    "automatic discharge for a return to use, a positive test or MOUD": "mat.no_punitive_discharge",
    "no MOUD route at all": "mat.moud_route",
    "MOUD not continued through transfers and hospital stays": "mat.continuity_on_entry",
    "no withdrawal-management protocol where withdrawal is admitted": "mat.withdrawal_protocol",
    "no naloxone and no overdose-risk education": "mat.naloxone_provision",
    "meeting attendance enforced by discharge or loss of medication": "tsf.voluntary",
    "no suicide-risk screening or crisis protocol": "cod.suicide_risk",
    "psychiatric medication stopped without a prescriber": "cod.psych_med_continuity",
    "staff or peers advising to stop medication": "cod.no_med_advice",
}
#: Criticals about what a program does to everyone: never skipped, never N/A, every setting.
NEVER_SKIPPED = [
    "mat.admit_on_moud",
    "mat.no_forced_taper",
    "mat.no_counseling_precondition",
    "mat.no_punitive_discharge",
    "mat.moud_route",
    "mat.withdrawal_protocol",
    "mat.naloxone_provision",
    "tsf.voluntary",
    "cod.suicide_risk",
    "cod.no_med_advice",
]
#: Prescriber and TSF-access items: advice differs for hospital and non-hospital programs.
SETTING_SENSITIVE = [
    "mat.moud_route",
    "mat.prescriber_access",
    "cod.psych_prescriber",
    "tsf.tsf_access",
    "tsf.active_linkage",
    "tsf.meetings_access",
]
EXAMPLE_NAMES = [
    "residential-12step",
    "hospital-unit",
    "integrated-outpatient",
    "otp-no-mental-health",
]


def example(name: str) -> tuple[Instrument, Responses]:
    """A bundled example, read and checked like any user file."""
    return read_responses_json(EXAMPLES / f"{name}.json", None)


@pytest.mark.parametrize(
    ("name", "summary"),
    [
        ("mat-tsf-cod-1.0.yaml", "59 items in 3 domains"),
        ("mat-tsf-cod-1.1.yaml", "72 items in 3 domains"),
    ],
)
def test_bundled_instruments_pass_their_own_check(
    runner: CliRunner, name: str, summary: str
) -> None:
    """`instrument check` on each shipped version says OK."""
    path = ROOT / "questionnaires" / name
    result = runner.invoke(cli, ["instrument", "check", str(path)], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"OK: {summary}\n"


def test_instrument_list_shows_every_version(runner: CliRunner) -> None:
    """`instrument list` names both versions with their item counts per domain."""
    result = runner.invoke(cli, ["instrument", "list"], catch_exceptions=False)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("mat-tsf-cod  1.0  Integrated Addiction Care")
    assert "59 items in 3 domains: mat 21, tsf 18, cod 20" in lines[1]
    assert lines[2].startswith("mat-tsf-cod  1.1  Integrated Addiction Care")
    assert "72 items in 3 domains: mat 31, tsf 18, cod 23" in lines[3]
    assert [p.name for p in bundled_paths()] == ["mat-tsf-cod-1.0.yaml", "mat-tsf-cod-1.1.yaml"]


def test_the_bundled_id_means_the_newest_version(bundled: Instrument) -> None:
    """`mat-tsf-cod` is 1.1; 1.0 stays loadable as mat-tsf-cod@1.0."""
    assert bundled.version == "1.1"
    assert load_instrument("mat-tsf-cod@1.0").version == "1.0"


def test_shape(bundled: Instrument) -> None:
    """Domains mat, tsf, cod with 3-6 dimensions each, 45 to about 75 items, every kind."""
    assert [d.id for d in bundled.domains] == ["mat", "tsf", "cod"]
    assert all(3 <= len(d.dimensions) <= 6 for d in bundled.domains)
    assert 45 <= bundled.item_count <= 75
    kinds = {item.kind for _, _, item in bundled.iter_items()}
    assert kinds == set(AnswerKind)


def test_codes_are_explicit_and_stable_across_versions(bundled: Instrument) -> None:
    """Every 1.1 item names its code; an item kept from 1.0 keeps its 1.0 code; a dropped
    item's code is never given to another."""
    old = load_instrument("mat-tsf-cod@1.0")
    assert all(item.code for _, _, item in bundled.iter_items())
    for item_id in old.item_ids:
        if bundled.has_item(item_id):
            assert bundled.code(item_id) == old.code(item_id), item_id
        else:
            assert old.code(item_id) not in {bundled.code(i) for i in bundled.item_ids}


def test_every_item_is_anchored_guided_and_cited(bundled: Instrument) -> None:
    """Anchors 1, 3, 5, evidence guidance, a recommendation and at least one citation each."""
    for _, _, item in bundled.iter_items():
        assert {1, 3, 5} <= set(item.anchors), item.id
        assert item.guidance and item.evidence and item.recommendation, item.id
        assert item.citations, item.id


def test_every_citation_is_complete_and_used(bundled: Instrument) -> None:
    """Author, title and year on each source; no source is listed without being cited."""
    cited = {r.id for _, _, item in bundled.iter_items() for r in item.citations}
    cited |= {
        r.id
        for _, _, item in bundled.iter_items()
        if item.critical
        for r in item.critical.citations
    }
    for citation in bundled.citations:
        assert citation.author and citation.title and citation.year, citation.id
        assert citation.id in cited, f"{citation.id} is never cited"
    for path in bundled_paths():
        assert "NEJM" not in path.read_text()
    # not a section of ASAM 2020; 1.0 stays as released
    assert "Patient guidance" not in (ROOT / "questionnaires" / "mat-tsf-cod-1.1.yaml").read_text()


@pytest.mark.parametrize("practice", CRITICAL_PRACTICES)
def test_required_critical_rules_exist(bundled: Instrument, practice: str) -> None:
    """Each required safety finding has a critical rule on an item that cannot be N/A."""
    item = bundled.item(CRITICAL_PRACTICES[practice])
    assert item.critical is not None
    assert not item.allow_na and item.applies_to is None


@pytest.mark.parametrize("item_id", NEVER_SKIPPED)
def test_refusal_and_safety_criticals_are_never_skipped(bundled: Instrument, item_id: str) -> None:
    """A program that refuses MOUD cannot escape these findings through skip logic."""
    item = bundled.item(item_id)
    assert item.applies_when is None and item.applies_to is None and not item.na_allowed


def test_skippable_criticals_are_decided_by_what_the_program_does(bundled: Instrument) -> None:
    """The only critical with skip logic applies exactly where its risk exists: continuity where
    patients take MOUD. The withdrawal procedure applies everywhere, because withdrawal can start
    after admission in any program that admits people from the community; sending people at risk
    elsewhere skips only the item on withdrawal management leading to MOUD."""
    continuity = bundled.item("mat.continuity_on_entry").applies_when
    assert continuity is not None and continuity.item == "mat.moud_in_care"
    assert "none_on_moud" not in continuity.answers
    skippable = [i.id for _, _, i in bundled.iter_items() if i.critical and i.applies_when]
    assert skippable == ["mat.continuity_on_entry"]
    assert bundled.item("mat.withdrawal_protocol").applies_when is None
    to_treatment = bundled.item("mat.withdrawal_to_treatment").applies_when
    assert to_treatment is not None and to_treatment.item == "mat.withdrawal_screen"
    assert not {"assessed_sent_elsewhere", "not_assessed_sent_elsewhere"} & set(
        to_treatment.answers
    )


def test_tsf_items_say_what_a_reviewer_asked(bundled: Instrument) -> None:
    """TSF is voluntary, offered beside secular and other mutual-help groups, never a substitute
    for MOUD, and prescribed MOUD is not 'use'."""
    tsf = " ".join(
        " ".join(
            [item.title, item.question, item.guidance, item.recommendation, *item.anchors.values()]
        )
        for domain, _, item in bundled.iter_items()
        if domain.id == "tsf"
    )
    for group in [
        "SMART Recovery",
        "LifeRing",
        "Women for Sobriety",
        "Medication-Assisted Recovery Anonymous",
    ]:
        assert group in tsf, group
    assert "voluntary" in tsf
    assert "never replaces MOUD" in tsf and "never as a replacement" in tsf
    med = bundled.item("tsf.med_compatible")
    assert "not" in med.title.lower() and "use" in med.title.lower()


def test_no_forced_taper_anchor_2_is_not_a_routine_practice(bundled: Instrument) -> None:
    """1.0's anchor 2 described a routine practice that its own guidance scored 1; no more."""
    anchors = bundled.item("mat.no_forced_taper").anchors
    assert "routine" not in anchors[2].lower() or "not routine" in anchors[2].lower()
    assert bundled.item("mat.no_forced_taper").revised_in == "1.1"


def test_phase_held_back_for_missed_meetings_cannot_reach_capable(bundled: Instrument) -> None:
    """tsf.voluntary: any penalty for missed meetings scores at most 2; loss of medication is 1
    and critical."""
    item = bundled.item("tsf.voluntary")
    assert item.critical is not None and item.critical.answers == [1]
    for score_, text in item.anchors.items():
        if score_ >= 3:
            assert "phase" not in text.lower() or "no " in text.lower(), text


@pytest.mark.parametrize("item_id", SETTING_SENSITIVE)
def test_prescriber_and_tsf_access_advice_depends_on_the_setting(
    bundled: Instrument, item_id: str
) -> None:
    """Non-hospital programs are told to add a prescriber; hospital ones to add TSF access."""
    item = bundled.item(item_id)
    assert {"hospital_based", "not_hospital_based"} <= set(item.recommendation_variants)
    assert "galanter-2018" in {r.id for r in item.citations}
    hospital = item.recommendation_variants["hospital_based"]
    other = item.recommendation_variants["not_hospital_based"]
    assert hospital != other


def _critical_items(instrument: Instrument) -> list[str]:
    return [item.id for _, _, item in instrument.iter_items() if item.critical]


@pytest.mark.parametrize("item_id", _critical_items(load_instrument("mat-tsf-cod")))
def test_each_bundled_critical_caps_its_domain(item_id: str) -> None:
    """Triggering any critical rule in the well-integrated example caps that domain, shown as
    its own state; where skip logic governs the item, the deciding answer makes it apply."""
    instrument, responses = example("integrated-outpatient")
    item = instrument.item(item_id)
    assert item.critical is not None
    answers = dict(responses.answers)
    if item.applies_when:
        answers[item.applies_when.item] = Answer(value=item.applies_when.answers[0])
    trigger = item.critical.answers[0]
    answers[item_id] = Answer(value=trigger)
    result = score(instrument, responses.model_copy(update={"answers": answers}))
    domain = result.domain(item.domain_id)
    assert domain.state is DomainState.CAPPED and domain.capped and domain.level is None
    assert domain.headline == "Critical finding: not capable until resolved"
    assert result.gaps[0].item_id == item_id
    assert result.critical_findings[0].citations


def test_residential_12step_example() -> None:
    """Abstinence-only residential program: capped by its medication criticals, yet no longer
    scored 1 on the items that cannot apply to a program with no patients on MOUD."""
    instrument, responses = example("residential-12step")
    result = score(instrument, responses)
    mat = result.domain("mat")
    assert mat.state is DomainState.CAPPED and mat.capped
    assert mat.scores_level is Level.NOT_YET_CAPABLE  # the scores alone are that low too
    found = {f.item_id for f in result.critical_findings}
    assert {"mat.admit_on_moud", "mat.moud_route", "mat.no_punitive_discharge"} <= found
    assert result.item("mat.moud_in_care").value == "none_on_moud"
    skipped = [
        r.item_id for r in result.items if r.na_kind is NaKind.SKIP_LOGIC and r.domain_id == "mat"
    ]
    assert "mat.continuity_on_entry" in skipped and "mat.diversion_control" in skipped
    assert all(result.item(i).score is None for i in skipped)
    assert all(g.kind.value == "critical" for g in result.gaps[: len(result.critical_findings)])


def test_hospital_unit_example() -> None:
    """Hospital unit: medications capable, TSF absent; the advice is the hospital variant."""
    instrument, responses = example("hospital-unit")
    result = score(instrument, responses)
    assert result.domain("mat").level is Level.CAPABLE
    assert result.domain("tsf").level is Level.NOT_YET_CAPABLE
    assert result.critical_findings == []
    access = next(g for g in result.gaps if g.item_id == "tsf.tsf_access")
    assert (
        access.recommendation
        == instrument.item("tsf.tsf_access").recommendation_variants["hospital_based"]
    )


def test_integrated_example_is_capable_or_enhanced_everywhere() -> None:
    """The well-integrated program reaches capable or enhanced in all three domains."""
    instrument, responses = example("integrated-outpatient")
    result = score(instrument, responses)
    assert result.critical_findings == []
    for domain in result.domains:
        assert domain.level in (Level.CAPABLE, Level.ENHANCED), domain.domain_id
    assert result.gaps  # still some realistic room to improve


def test_otp_without_mental_health_care_example() -> None:
    """An OTP with medications in place but no mental-health care: cod capped by its critical."""
    instrument, responses = example("otp-no-mental-health")
    result = score(instrument, responses)
    assert responses.program.setting is Setting.OPIOID_TREATMENT_PROGRAM
    assert result.domain("cod").state is DomainState.CAPPED
    assert {f.domain_id for f in result.critical_findings} == {"cod"}
    assert result.domain("mat").state is DomainState.RATED


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_examples_are_complete_and_canonical(name: str) -> None:
    """Every applicable item is answered, no skipped item carries an answer, and the files are
    already in canonical form."""
    from audit_kit.formats.responses_json import dump_responses

    instrument, responses = example(name)
    result = score(instrument, responses)
    assert result.completeness.unanswered == 0
    assert not [w for w in result.warnings if "not scored" in w]
    raw = (EXAMPLES / f"{name}.json").read_bytes()
    assert json.loads(raw) == json.loads(dump_responses(responses))


def test_score_command_on_the_residential_example(runner: CliRunner) -> None:
    """README command 1's scoring step: states, criticals with sources, priorities."""
    path = EXAMPLES / "residential-12step.json"
    result = runner.invoke(cli, ["score", str(path)], catch_exceptions=False)
    assert result.exit_code == 0
    assert "Critical finding: not capable until resolved" in result.stdout
    assert "CRITICAL FINDINGS (" in result.stdout
    assert "Source: ASAM (2020)" in result.stdout
    assert "TOP 10 PRIORITIES" in result.stdout
