"""Payer rules as their sources write them (docs/payer-rules.md).

Each new reason code is refused at its boundary and passed just inside it;
the Medicare corrections, the relief measures, the regional guidelines, the
commercial profile and results per target are each an example here.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import attrs
import pytest

import facetcare as fc
from facetcare import events as ev
from journey import (
    BLOCK_RECORD,
    CONSENSUS,
    DAY,
    HOUR,
    L23,
    L45,
    MEDICARE,
    MINUTE,
    NEUROTOMY_RECORD,
    R45,
    SECOND,
    SEED,
    Journey,
    S,
    lesions_for,
    reach,
    referral,
    snapshot,
    staged,
    targets,
)

CERVICAL = fc.Policy.consensus_cervical_2022()
EVICORE = fc.Policy.evicore_cmm208()
NECK = targets("C5-C6")


def refused(pw: fc.Pathway, event: ev.Event, code: str, *mentions: str) -> None:
    """Refused with ``code`` (whatever else), nothing changed; the message says ``mentions``."""
    before = snapshot(pw, event.at) if pw.events else None
    verdict = pw.check(event)
    assert code in verdict.codes, verdict.reasons
    reason = verdict.reasons[verdict.codes.index(code)]
    for text in mentions:
        assert text in reason.message, (text, reason.message)
    with pytest.raises(fc.Rejected):
        pw.apply(event)
    if before is not None:
        assert snapshot(pw, event.at) == before


def accepted(pw: fc.Pathway, event: ev.Event) -> fc.Stage:
    verdict = pw.check(event)
    assert verdict.allowed, verdict.reasons
    return pw.apply(event)


def start_refused(policy: fc.Policy, code: str, *mentions: str, **fields: object) -> None:
    with pytest.raises(fc.Rejected) as error:
        fc.Pathway.start(referral(**fields), policy=policy)
    assert code in error.value.codes
    reason = error.value.reasons[error.value.codes.index(code)]
    for text in mentions:
        assert text in reason.message, (text, reason.message)


def starts(policy: fc.Policy, **fields: object) -> fc.Pathway:
    return fc.Pathway.start(referral(**fields), policy=policy)


# -- Medicare corrections ------------------------------------------------------------------


def test_medicare_neurotomy_at_most_two_levels() -> None:
    # Blocks are two levels per session too: four sessions confirm three joints.
    j = Journey(MEDICARE).positive_blocks(targets("L3-L4", "L4-L5"))
    j.positive_blocks(targets("L5-S1"))
    three = j.booking(ev.NeurotomyScheduled, targets("L3-L4", "L4-L5", "L5-S1"))
    refused(j.pw, three, "too_many_levels", "3 facet joints", "allows 2")
    # Two joints on both sides are two levels.
    two_bilateral = targets("L3-L4", "L4-L5") + targets("L3-L4", "L4-L5", side=fc.Side.RIGHT)
    k = Journey(MEDICARE).positive_blocks(two_bilateral)
    assert accepted(k.pw, k.booking(ev.NeurotomyScheduled, two_bilateral)) == (
        S.NEUROTOMY_SCHEDULED)


def test_medicare_has_no_gap_between_blocks() -> None:
    j = Journey(MEDICARE).block()
    assert j.block_at is not None
    next_day = j.booking(ev.BlockScheduled, visit_at=j.block_at + DAY)
    assert accepted(j.pw, next_day) == S.BLOCK_SCHEDULED


def test_medicare_values_as_their_sources_write_them() -> None:
    assert MEDICARE.lesion_min_temperature_c == 80 and not MEDICARE.lesion_temperature_strict
    assert MEDICARE.max_neurotomy_levels == 2
    assert MEDICARE.min_block_gap is None
    assert MEDICARE.reblock_after == 730 * DAY
    assert MEDICARE.relief_measure == fc.ReliefMeasure.SUSTAINED
    assert MEDICARE.relief_min_entries == 2


# -- relief measures ----------------------------------------------------------------------


def _assess(policy: fc.Policy, *entries: tuple[dt.timedelta, int], baseline: int = 10,
            at: dt.timedelta = 6 * HOUR) -> fc.Stage:
    j = Journey(policy).book_block().check_in().perform_block(baseline=baseline).discharge()
    assert j.block_at is not None
    if entries:
        j.diary(*entries, at=j.block_at + 6 * HOUR)
    return j.pw.apply(ev.ReliefAssessed(at=j.block_at + at))


def test_best_measure_one_good_entry_in_the_window() -> None:
    assert _assess(SEED, (2 * HOUR, 5), (5 * HOUR, 9)) == S.BLOCK_POSITIVE  # 50% once
    assert _assess(SEED, (2 * HOUR, 6)) == S.BLOCK_NEGATIVE
    assert _assess(SEED) == S.BLOCK_NEGATIVE
    two = attrs.evolve(SEED, name="two-entries", relief_min_entries=2)
    assert _assess(two, (2 * HOUR, 5)) == S.BLOCK_NEGATIVE
    assert _assess(two, (2 * HOUR, 5), (3 * HOUR, 9)) == S.BLOCK_POSITIVE


@pytest.mark.parametrize(
    ("entries", "stage"),
    [
        # two entries, both ≥ 80%, the last at 4 h: the boundary case
        (((30 * MINUTE, 2), (4 * HOUR, 2)), S.BLOCK_POSITIVE),
        # one entry only (at 4 h): not "consistent"
        (((4 * HOUR, 0),), S.BLOCK_NEGATIVE),
        # relief never seen at or after 4 h
        (((30 * MINUTE, 1), (4 * HOUR - SECOND, 1)), S.BLOCK_NEGATIVE),
        # one entry up to 4 h below 80% (70%): not sustained
        (((30 * MINUTE, 1), (2 * HOUR, 3), (4 * HOUR, 1)), S.BLOCK_NEGATIVE),
        # wearing off after 4 h is the agent ending: still positive
        (((30 * MINUTE, 1), (2 * HOUR, 1), (4 * HOUR, 2), (5 * HOUR, 7)), S.BLOCK_POSITIVE),
        # seen later than 4 h is enough evidence that it lasted
        (((30 * MINUTE, 1), (3 * HOUR, 1), (5 * HOUR, 2)), S.BLOCK_POSITIVE),
        # relief at 4 h and after, but the early entries not yet at 80%
        (((15 * MINUTE, 5), (4 * HOUR, 1), (5 * HOUR, 1)), S.BLOCK_NEGATIVE),
    ],
    ids=["two-at-80", "single", "not-seen-at-4h", "dip-to-70", "wears-off-after",
         "seen-at-5h", "slow-onset"],
)
def test_medicare_sustained_relief(entries: tuple[tuple[dt.timedelta, int], ...],
                                   stage: fc.Stage) -> None:
    assert _assess(MEDICARE, *entries) == stage


def test_the_same_diary_is_positive_read_best_and_negative_read_sustained() -> None:
    diary = ((2 * HOUR, 1),)
    best = attrs.evolve(MEDICARE, name="best", relief_measure="best", relief_min_entries=1)
    assert _assess(best, *diary) == S.BLOCK_POSITIVE
    assert _assess(MEDICARE, *diary) == S.BLOCK_NEGATIVE


@pytest.mark.parametrize("value", [0, -1, 1001])
def test_relief_min_entries_is_bounded(value: int) -> None:
    with pytest.raises(ValueError, match="relief_min_entries"):
        attrs.evolve(SEED, relief_min_entries=value)


def test_relief_measure_is_named_in_a_bad_value() -> None:
    with pytest.raises(TypeError, match=r"relief_measure|ReliefMeasure"):
        attrs.evolve(SEED, relief_measure="average")


# -- referral criteria ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "bad", "good"),
    [
        ("not_axial", {"axial_pain": None}, {"axial_pain": True}),
        ("not_axial", {"axial_pain": False}, {"axial_pain": True}),
        ("no_baseline_function", {"baseline_function_scale": None,
                                  "baseline_function_score": None},
         {"baseline_function_scale": "ndi", "baseline_function_score": 0}),
        ("radicular_pain", {"untreated_radicular_pain": None}, {"untreated_radicular_pain": False}),
        ("radicular_pain", {"untreated_radicular_pain": True}, {"untreated_radicular_pain": False}),
        ("non_facet_cause", {"non_facet_cause_excluded": None},
         {"non_facet_cause_excluded": True}),
        ("non_facet_cause", {"non_facet_cause_excluded": False},
         {"non_facet_cause_excluded": True}),
        ("diagnosis_not_covered", {"diagnosis": None}, {"diagnosis": "M47.816"}),
        ("diagnosis_not_covered", {"diagnosis": "M54.16"}, {"diagnosis": "M47.817"}),
        ("diagnosis_not_covered", {"diagnosis": "M47.811"}, {"diagnosis": "M47.812"}),
        ("diagnosis_not_covered", {"diagnosis": "M47.818"}, {"diagnosis": "M47.817"}),
        ("diagnosis_not_covered", {"diagnosis": "M47.891"}, {"diagnosis": "M47.892"}),
        ("diagnosis_not_covered", {"diagnosis": "M47.898"}, {"diagnosis": "M47.897"}),
        ("diagnosis_not_covered", {"diagnosis": "M48.11"}, {"diagnosis": "M48.12"}),
        ("diagnosis_not_covered", {"diagnosis": "M48.18"}, {"diagnosis": "M48.17"}),
        ("entry_criteria", {"pain_months": 2}, {"pain_months": 3}),
    ],
)
def test_medicare_referral_criteria(code: str, bad: dict[str, object],
                                    good: dict[str, object]) -> None:
    start_refused(MEDICARE, code, MEDICARE.name, **bad)
    assert starts(MEDICARE, **good).stage == S.REFERRED


def test_the_diagnosis_reason_names_the_covered_ranges() -> None:
    start_refused(MEDICARE, "diagnosis_not_covered", "M47.812–M47.817", "M47.892–M47.897",
                  "M48.12–M48.17", "M54.16", diagnosis="M54.16")


@pytest.mark.parametrize("policy", [SEED, CONSENSUS], ids=["seed", "consensus"])
def test_profiles_without_documentation_rules_take_an_unknown_referral(
        policy: fc.Policy) -> None:
    bare = ev.Referred(at=referral().at, pathway_id="pw-1", patient_id="pt-1",
                       region="lumbar", pain_months=6, conservative_care_failed=True)
    assert fc.Pathway.start(bare, policy=policy).stage == S.REFERRED


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"diagnosis": "M4"}, "diagnosis"),
        ({"diagnosis": "47.816"}, "diagnosis"),
        ({"diagnosis": "M47.81612"}, "diagnosis"),
        ({"diagnosis": 47816}, "diagnosis"),
        ({"baseline_function_scale": "odi"}, "baseline_function"),
        ({"baseline_function_scale": "odi", "baseline_function_score": 101}, "odi maximum"),
        ({"baseline_function_scale": "ndi", "baseline_function_score": 51}, "ndi maximum"),
        ({"baseline_function_scale": "pain", "baseline_function_score": 1},
         "baseline_function_scale"),
        ({"conservative_care_weeks": -1}, "conservative_care_weeks"),
        ({"axial_pain": "yes"}, "axial_pain"),
    ],
)
def test_bad_referral_values_name_the_field(fields: dict[str, object], error: str) -> None:
    base: dict[str, object] = {"at": referral().at, "pathway_id": "p", "patient_id": "q",
                               "region": "lumbar"}
    with pytest.raises((ValueError, TypeError), match=error):
        ev.Referred(**base, **fields)  # type: ignore[arg-type]


def test_diagnosis_codes_are_normalised() -> None:
    assert referral(diagnosis="m47816").diagnosis == "M47.816"
    assert referral(diagnosis=" M48.16 ").diagnosis == "M48.16"
    assert referral(diagnosis="M54.5").diagnosis == "M54.5"


# -- regions -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("policy", "wrong", "right"),
    [(CONSENSUS, "cervical", "lumbar"), (CERVICAL, "lumbar", "cervical"),
     (CERVICAL, "thoracic", "cervical")],
    ids=["lumbar-guideline", "cervical-guideline", "cervical-not-thoracic"],
)
def test_a_profile_refuses_a_region_it_does_not_cover(policy: fc.Policy, wrong: str,
                                                      right: str) -> None:
    start_refused(policy, "region_not_covered", policy.name, wrong, region=wrong)
    assert starts(policy, region=right).stage == S.REFERRED


@pytest.mark.parametrize("region", ["cervical", "thoracic", "lumbar"])
@pytest.mark.parametrize("policy", [SEED, MEDICARE, EVICORE], ids=["seed", "medicare", "evicore"])
def test_payer_profiles_cover_every_region(policy: fc.Policy, region: str) -> None:
    assert starts(policy, region=region).stage == S.REFERRED


# -- the cervical consensus ----------------------------------------------------------------


def _neck(**fields: object) -> Journey:
    return Journey(CERVICAL, region=fc.Region.CERVICAL, **fields)


def test_cervical_consensus_six_weeks_of_conservative_care() -> None:
    start_refused(CERVICAL, "entry_criteria", "6 weeks", "5 weeks", region="cervical",
                  conservative_care_weeks=5)
    start_refused(CERVICAL, "entry_criteria", "unknown", region="cervical",
                  conservative_care_weeks=None)
    assert starts(CERVICAL, region="cervical", conservative_care_weeks=6,
                  pain_months=None).stage == S.REFERRED


def test_cervical_consensus_more_than_50_percent() -> None:
    for score, stage in ((5, S.BLOCK_NEGATIVE), (4, S.BLOCK_POSITIVE)):
        j = _neck().book_block(NECK).check_in().perform_block(baseline=10).discharge()
        j.diary((2 * HOUR, score))
        assert j.assess().stage == stage


def test_cervical_consensus_block_guidance_fluoroscopy_or_ultrasound() -> None:
    for guidance, allowed in (("ultrasound", True), ("fluoroscopy", True), ("ct", False)):
        j = _neck().book_block(NECK).check_in()
        assert j.visit_id is not None
        block = ev.BlockPerformed(at=j.now + 5 * MINUTE, visit_id=j.visit_id, targets=NECK,
                                  baseline_pain=8, guidance=guidance)
        if allowed:
            assert accepted(j.pw, block) == S.BLOCK_OBSERVATION
        else:
            refused(j.pw, block, "imaging_guidance", "fluoroscopy or ultrasound", "ct")


def test_cervical_consensus_repeat_after_more_than_30_percent_for_3_months() -> None:
    j = _neck().block(NECK).neurotomy(NECK).follow_up(3).pain_returned(after=91 * DAY)
    assert accepted(j.pw, j.booking(ev.NeurotomyScheduled, NECK)) == S.NEUROTOMY_SCHEDULED
    assert CERVICAL.reblock_after is None


# -- imaging, sedation, agent, modality -----------------------------------------------------


def _block_at_visit(policy: fc.Policy, **record: object) -> tuple[fc.Pathway, ev.Event]:
    j = reach(S.BLOCK_VISIT, policy)
    assert j.visit_id is not None
    return j.pw, ev.BlockPerformed(at=j.now + 5 * MINUTE, visit_id=j.visit_id, targets=L45,
                                   baseline_pain=8, **{**BLOCK_RECORD, **record})


def _neurotomy_at_visit(policy: fc.Policy, *, modality: object = "conventional_thermal",
                        **record: object) -> tuple[fc.Pathway, ev.Event]:
    j = reach(S.NEUROTOMY_VISIT, policy)
    assert j.visit_id is not None
    lesions = [fc.Lesion(L45[0], 90, 85, modality)]  # type: ignore[arg-type]
    return j.pw, ev.NeurotomyPerformed(at=j.now + 15 * MINUTE, visit_id=j.visit_id,
                                       lesions=lesions, **{**NEUROTOMY_RECORD, **record})


@pytest.mark.parametrize(
    ("field", "bad", "good", "code"),
    [
        ("guidance", "ultrasound", "ct", "imaging_guidance"),
        ("guidance", None, "fluoroscopy", "imaging_guidance"),
        ("sedation", "moderate", "minimal", "sedation"),
        ("sedation", None, "none", "sedation"),
        ("agent", None, "bupivacaine", "anaesthetic_agent"),
    ],
)
def test_medicare_block_record(field: str, bad: object, good: object, code: str) -> None:
    pw, event = _block_at_visit(MEDICARE, **{field: bad})
    refused(pw, event, code, MEDICARE.name)
    pw, event = _block_at_visit(MEDICARE, **{field: good})
    assert accepted(pw, event) == S.BLOCK_OBSERVATION


def test_a_sedated_block_is_not_diagnostic() -> None:
    pw, event = _block_at_visit(MEDICARE, sedation="moderate")
    refused(pw, event, "sedation", "moderate sedation", "at most minimal", "diagnostic")


@pytest.mark.parametrize(
    ("field", "bad", "good", "code"),
    [
        ("guidance", "ultrasound", "ct", "imaging_guidance"),
        ("sedation", "general", "deep", "sedation"),
        ("sedation", None, "moderate", "sedation"),
    ],
)
def test_medicare_neurotomy_record(field: str, bad: object, good: object, code: str) -> None:
    pw, event = _neurotomy_at_visit(MEDICARE, **{field: bad})
    refused(pw, event, code)
    pw, event = _neurotomy_at_visit(MEDICARE, **{field: good})
    assert accepted(pw, event) == S.NEUROTOMY_RECOVERY


@pytest.mark.parametrize("policy", [MEDICARE, EVICORE], ids=["medicare", "evicore"])
@pytest.mark.parametrize("modality", ["cooled", "pulsed", "cryo", "chemical", "laser", None])
def test_only_conventional_thermal_lesions(policy: fc.Policy, modality: str | None) -> None:
    pw, event = _neurotomy_at_visit(policy, modality=modality)
    refused(pw, event, "lesion_modality", "conventional_thermal")
    pw, event = _neurotomy_at_visit(policy, modality="conventional_thermal")
    assert accepted(pw, event) == S.NEUROTOMY_RECOVERY


def test_the_seed_takes_any_record_or_none() -> None:
    pw, event = _neurotomy_at_visit(SEED, modality=None, guidance=None, sedation="general")
    assert accepted(pw, event) == S.NEUROTOMY_RECOVERY
    pw, block = _block_at_visit(SEED, guidance=None, sedation=None, agent=None)
    assert accepted(pw, block) == S.BLOCK_OBSERVATION


def test_consensus_neurotomy_fluoroscopy_only() -> None:
    pw, event = _neurotomy_at_visit(CONSENSUS, guidance="ct")
    refused(pw, event, "imaging_guidance", "fluoroscopy")


def test_bad_record_values_name_the_field() -> None:
    with pytest.raises(ValueError, match="guidance"):
        ev.BlockPerformed(at=referral().at, visit_id="v", targets=L45, baseline_pain=3,
                          guidance="x-ray")
    with pytest.raises(ValueError, match="modality"):
        fc.Lesion(L45[0], 90, 85, "microwave")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="sedation"):
        ev.NeurotomyPerformed(at=referral().at, visit_id="v", lesions=lesions_for(L45),
                              sedation=3)


# -- eviCore CMM-208 -------------------------------------------------------------------------


def test_evicore_three_contiguous_levels_per_side() -> None:
    three = targets("L3-L4", "L4-L5", "L5-S1")
    j = Journey(EVICORE).positive_blocks(targets("L2-L3", *(t.joint for t in three)))
    assert accepted(j.pw, j.booking(ev.NeurotomyScheduled, three)) == S.NEUROTOMY_SCHEDULED
    k = Journey(EVICORE).positive_blocks(targets("L2-L3", "L3-L4", "L4-L5", "L5-S1"))
    refused(k.pw, k.booking(ev.NeurotomyScheduled, targets("L2-L3", "L4-L5")),
            "levels_not_contiguous", "L2-L3, L4-L5")
    refused(k.pw, k.booking(ev.NeurotomyScheduled, targets("L2-L3", "L3-L4", "L4-L5", "L5-S1")),
            "too_many_levels", "allows 3")


def test_evicore_six_months_between_and_twelve_weeks_of_relief() -> None:
    j = Journey(EVICORE).positive_blocks().neurotomy().follow_up(2)
    j.pain_returned(after=84 * DAY - SECOND)
    assert j.neurotomy_at is not None
    refused(j.pw, j.booking(ev.NeurotomyScheduled, visit_at=j.neurotomy_at + 183 * DAY),
            "insufficient_prior_relief", "84 d")
    k = Journey(EVICORE).positive_blocks().neurotomy().follow_up(2).pain_returned(after=84 * DAY)
    assert k.neurotomy_at is not None
    refused(k.pw, k.booking(ev.NeurotomyScheduled, visit_at=k.neurotomy_at + 183 * DAY - SECOND),
            "repeat_too_soon", "183 d")
    later = k.booking(ev.NeurotomyScheduled, visit_at=k.neurotomy_at + 183 * DAY)
    assert accepted(k.pw, later) == S.NEUROTOMY_SCHEDULED


def test_evicore_four_weeks_of_conservative_care() -> None:
    start_refused(EVICORE, "entry_criteria", "4 weeks", conservative_care_weeks=3)
    assert starts(EVICORE, conservative_care_weeks=4).stage == S.REFERRED


# -- every value has a source ----------------------------------------------------------------


@pytest.mark.parametrize("name", list(fc.Policy.profiles()))
def test_every_profile_value_has_a_source(name: str) -> None:
    sources = fc.Policy.sources(name)
    assert set(sources) == {a.name for a in attrs.fields(fc.Policy)}
    assert all(len(text) > 5 for text in sources.values())
    policy = fc.Policy.profiles()[name]
    assert policy.name == name


def test_the_seed_describes_the_leaflet() -> None:
    doc = fc.Policy.seed.__doc__ or ""
    assert "leaflet" in doc and "follows no guideline" in doc


def test_profiles_are_shared_frozen_values() -> None:
    assert fc.Policy.medicare_l38803() is fc.Policy.medicare_l38803()
    assert fc.Policy.profiles()["evicore-cmm208"] == EVICORE
    with pytest.raises(KeyError, match="no policy profile"):
        fc.Policy.sources("aetna")


# -- results per target ----------------------------------------------------------------------


def test_a_negative_block_resets_only_the_nerves_it_tested() -> None:
    j = Journey(MEDICARE).positive_blocks(L45).block(L23, positive=False)
    assert j.stage == S.BLOCK_NEGATIVE
    assert accepted(j.pw, j.booking(ev.NeurotomyScheduled, L45)) == S.NEUROTOMY_SCHEDULED
    k = Journey(MEDICARE).positive_blocks(L45).block(L23, positive=False)
    refused(k.pw, k.booking(ev.NeurotomyScheduled, L23), "untested_target")
    # A negative result on the same nerves does reset them.
    m = Journey(MEDICARE).positive_blocks(L45).block(L45, positive=False)
    refused(m.pw, m.booking(ev.NeurotomyScheduled, L45), "untested_target")


def test_a_negative_block_on_an_overlapping_joint_resets_the_shared_nerve() -> None:
    # L3-L4 shares the L3 medial branch with L4-L5: L4-L5 loses one of its nerves.
    j = Journey(SEED).block(L45).block(targets("L3-L4"), positive=False)
    refused(j.pw, j.booking(ev.NeurotomyScheduled, L45), "untested_target", "L3 medial branch")


def test_due_offers_the_still_confirmed_neurotomy_after_a_negative_block() -> None:
    j = Journey(MEDICARE).positive_blocks(L45).block(L23, positive=False)
    (task,) = j.pw.due(j.now)
    (offer,) = [o for o in task.options if o.kind == "schedule_neurotomy"]
    assert offer.available and "left L4-L5 still confirmed" in task.detail
    assert j.pw.check(j.booking(ev.NeurotomyScheduled, L45, visit_at=offer.not_before))
    assert not j.pw.check(j.booking(ev.NeurotomyScheduled, L45,
                                    visit_at=offer.not_before - SECOND))
    plain = reach(S.NO_RELIEF)
    assert [o.kind for o in plain.pw.due(plain.now)[0].options] == ["schedule_block", "close"]


@pytest.mark.parametrize("stage", [S.FOLLOW_UP, S.SUSTAINED_RELIEF])
@pytest.mark.parametrize("policy", [SEED, MEDICARE], ids=["seed", "medicare"])
def test_staged_bilateral_neurotomy(stage: fc.Stage, policy: fc.Policy) -> None:
    j = staged(stage, policy)
    refused(j.pw, j.booking(ev.NeurotomyScheduled, L45), "untested_target", "treated since")
    task = next(t for t in j.pw.due(j.now) if t.kind == "schedule_neurotomy")
    assert "right L4-L5" in task.detail
    assert j.pw.check(j.booking(ev.NeurotomyScheduled, R45, visit_at=task.not_before))
    assert not j.pw.check(j.booking(ev.NeurotomyScheduled, R45,
                                    visit_at=task.not_before - SECOND))
    j.book_neurotomy(R45, visit_at=j.now + 14 * DAY).check_in().perform_neurotomy().discharge()
    assert j.stage == S.FOLLOW_UP
    # Both sides done: nothing confirmed is left untreated.
    assert [t.kind for t in j.pw.due(j.now)] == ["record_follow_up"]
    j.follow_up(2, after=30 * DAY)
    assert j.stage == S.SUSTAINED_RELIEF


def test_staged_care_counts_against_the_yearly_cap() -> None:
    both = L45 + R45 + targets("L5-S1") + targets("L5-S1", side=fc.Side.RIGHT)
    j = Journey(MEDICARE).positive_blocks(both).neurotomy(L45)
    j.neurotomy(R45, visit_at=j.now + 14 * DAY)
    third = j.booking(ev.NeurotomyScheduled, targets("L5-S1"), visit_at=j.now + 14 * DAY)
    refused(j.pw, third, "annual_limit", "allows 2")


def test_lesions_only_on_booked_targets() -> None:
    j = Journey(SEED).positive_blocks(L45 + R45).book_neurotomy(L45).check_in()
    assert j.visit_id is not None
    stray = ev.NeurotomyPerformed(at=j.now + 10 * MINUTE, visit_id=j.visit_id,
                                  lesions=lesions_for(L45 + R45))
    refused(j.pw, stray, "target_mismatch", "right L4-L5")
    assert j.pw.check(stray).codes == ("target_mismatch",)
    fine = ev.NeurotomyPerformed(at=j.now + 10 * MINUTE, visit_id=j.visit_id,
                                 lesions=lesions_for(L45))
    assert accepted(j.pw, fine) == S.NEUROTOMY_RECOVERY


def test_follow_up_relief_is_measured_against_the_confirming_block() -> None:
    j = Journey(SEED).block(L45, baseline=8).block(R45, baseline=6).neurotomy(L45)
    j.follow_up(4)  # 50% of the L4-L5 left baseline (8), not 33% of 6
    assert j.stage == S.SUSTAINED_RELIEF
    assert j.pw.best_relief == Fraction(1, 2)
