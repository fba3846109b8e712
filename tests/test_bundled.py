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
from audit_kit.model.vocab import AnswerKind, DomainState, Level
from audit_kit.scoring import score

from conftest import EXAMPLES, ROOT

#: The six safety findings DESIGN.md requires, and the item carrying each.
CRITICAL_PRACTICES = {
    "refusing admission to people on MOUD": "mat.admit_on_moud",
    "requiring a MOUD taper or time limit": "mat.no_forced_taper",
    "no MOUD route at all": "mat.moud_route",
    "no naloxone provision": "mat.naloxone_provision",
    "staff or peers advising to stop medication": "cod.no_med_advice",
    "no suicide-risk screening or crisis protocol": "cod.suicide_risk",
}
#: Prescriber and TSF-access items: advice differs for hospital and non-hospital programs.
SETTING_SENSITIVE = [
    "mat.moud_route",
    "mat.prescriber_access",
    "cod.psych_prescriber",
    "tsf.tsf_access",
    "tsf.active_linkage",
    "tsf.meetings_access",
]


def example(name: str) -> tuple[Instrument, Responses]:
    """A bundled example, read and checked like any user file."""
    return read_responses_json(EXAMPLES / f"{name}.json", None)


def test_bundled_instrument_passes_its_own_check(runner: CliRunner) -> None:
    """`instrument check` on the shipped file says OK."""
    path = ROOT / "questionnaires" / "mat-tsf-cod-1.0.yaml"
    result = runner.invoke(cli, ["instrument", "check", str(path)], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "OK: 59 items in 3 domains\n"


def test_instrument_list_shows_it(runner: CliRunner) -> None:
    """`instrument list` names it with its item counts per domain."""
    result = runner.invoke(cli, ["instrument", "list"], catch_exceptions=False)
    assert result.exit_code == 0
    assert result.stdout.startswith("mat-tsf-cod  1.0  Integrated Addiction Care")
    assert "59 items in 3 domains: mat 21, tsf 18, cod 20" in result.stdout
    assert [p.name for p in bundled_paths()] == ["mat-tsf-cod-1.0.yaml"]


def test_shape(bundled: Instrument) -> None:
    """Domains mat, tsf, cod with 3-5 dimensions each and at least 45 items."""
    assert [d.id for d in bundled.domains] == ["mat", "tsf", "cod"]
    assert all(3 <= len(d.dimensions) <= 5 for d in bundled.domains)
    assert bundled.item_count >= 45
    kinds = {item.kind for _, _, item in bundled.iter_items()}
    assert kinds == set(AnswerKind)


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
    assert "NEJM" not in (ROOT / "questionnaires" / "mat-tsf-cod-1.0.yaml").read_text()


@pytest.mark.parametrize("practice", CRITICAL_PRACTICES)
def test_required_critical_rules_exist(bundled: Instrument, practice: str) -> None:
    """Each required safety finding has a critical rule on an item that cannot be N/A."""
    item = bundled.item(CRITICAL_PRACTICES[practice])
    assert item.critical is not None
    assert not item.allow_na and item.applies_to is None


@pytest.mark.parametrize("item_id", SETTING_SENSITIVE)
def test_prescriber_and_tsf_access_advice_depends_on_the_setting(
    bundled: Instrument, item_id: str
) -> None:
    """Non-hospital programs are told to add a prescriber; hospital ones to add TSF access."""
    item = bundled.item(item_id)
    assert {"hospital_based", "not_hospital_based"} <= set(item.recommendation_variants)
    assert "galanter-2017" in {r.id for r in item.citations}
    hospital = item.recommendation_variants["hospital_based"]
    other = item.recommendation_variants["not_hospital_based"]
    assert hospital != other


def _critical_items(instrument: Instrument) -> list[str]:
    return [item.id for _, _, item in instrument.iter_items() if item.critical]


@pytest.mark.parametrize("item_id", _critical_items(load_instrument("mat-tsf-cod")))
def test_each_bundled_critical_caps_its_domain(item_id: str) -> None:
    """Triggering any critical rule in the well-integrated example drops that domain's level."""
    instrument, responses = example("integrated-outpatient")
    item = instrument.item(item_id)
    assert item.critical is not None
    trigger = item.critical.answers[0]
    answers = {**responses.answers, item_id: Answer(value=trigger)}
    result = score(instrument, responses.model_copy(update={"answers": answers}))
    domain = result.domain(item.domain_id)
    assert domain.state is DomainState.CAPPED and domain.capped and domain.level is None
    assert result.gaps[0].item_id == item_id
    assert result.critical_findings[0].citations


def test_residential_12step_example() -> None:
    """Abstinence-only residential program: critical findings in mat, mat at the lowest level."""
    instrument, responses = example("residential-12step")
    result = score(instrument, responses)
    mat = result.domain("mat")
    assert mat.state is DomainState.CAPPED and mat.capped
    assert mat.scores_level is Level.NOT_YET_CAPABLE  # the scores alone are that low too
    assert {f.domain_id for f in result.critical_findings} == {"mat"}
    assert "mat.admit_on_moud" in {f.item_id for f in result.critical_findings}
    assert result.domain("tsf").level in (Level.CAPABLE, Level.ENHANCED)
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


@pytest.mark.parametrize("name", ["residential-12step", "hospital-unit", "integrated-outpatient"])
def test_examples_are_complete_and_canonical(name: str) -> None:
    """Every applicable item is answered; the files are already in canonical form."""
    from audit_kit.formats.responses_json import dump_responses

    instrument, responses = example(name)
    result = score(instrument, responses)
    assert result.completeness.unanswered == 0
    raw = (EXAMPLES / f"{name}.json").read_bytes()
    assert json.loads(raw) == json.loads(dump_responses(responses))


def test_score_command_on_the_residential_example(runner: CliRunner) -> None:
    """README command 1's scoring step: levels, criticals with sources, priorities."""
    path = EXAMPLES / "residential-12step.json"
    result = runner.invoke(cli, ["score", str(path)], catch_exceptions=False)
    assert result.exit_code == 0
    assert "Not yet MAT-capable" in result.stdout
    assert "CRITICAL FINDINGS (4)" in result.stdout
    assert "Source: ASAM (2020)" in result.stdout
    assert "TOP 10 PRIORITIES" in result.stdout
