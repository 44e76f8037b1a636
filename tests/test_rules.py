"""Every reason code, provoked and passed at its boundary, under the profiles.

Each refusal is checked three ways: `check()` lists the code with a message
that carries the numbers a clerk needs, `apply()` raises `Rejected` with it,
and the pathway (stage, events, document, due tasks) is exactly as before.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import attrs
import pytest

import facetcare as fc
from facetcare import events as ev
from facetcare.errors import CODES
from journey import (
    BLOCK_RECORD,
    CONSENSUS,
    DAY,
    HOUR,
    L45,
    MEDICARE,
    MINUTE,
    NEUROTOMY_RECORD,
    POLICIES,
    POLICY_IDS,
    SECOND,
    SEED,
    T0,
    UTC,
    Journey,
    L,
    R,
    S,
    lesions_for,
    reach,
    referral,
    snapshot,
    t,
    targets,
)

#: A clinic's own two-week gap between blocks (no payer profile has one).
GAP = attrs.evolve(fc.Policy.seed(), name="two-week-gap", min_block_gap=14 * DAY)


def refuse(pw: fc.Pathway, event: ev.Event, code: str, *mentions: str) -> fc.Reason:
    """Assert ``event`` is refused with ``code`` and changes nothing; returns the reason."""
    before = snapshot(pw, event.at)
    verdict = pw.check(event)
    assert not verdict.allowed
    assert code in verdict.codes, verdict.reasons
    reason = verdict.reasons[verdict.codes.index(code)]
    for text in mentions:
        assert text in reason.message, (text, reason.message)
    assert snapshot(pw, event.at) == before
    with pytest.raises(fc.Rejected) as refused:
        pw.apply(event)
    assert refused.value.reasons == verdict.reasons
    assert refused.value.event is event
    assert code in str(refused.value)
    assert snapshot(pw, event.at) == before
    return reason


def allow(pw: fc.Pathway, event: ev.Event) -> fc.Stage:
    verdict = pw.check(event)
    assert verdict.allowed, verdict.reasons
    return pw.apply(event)


def only(pw: fc.Pathway, event: ev.Event, code: str, *mentions: str) -> fc.Reason:
    """Refused for ``code`` and for nothing else."""
    reason = refuse(pw, event, code, *mentions)
    assert pw.check(event).codes == (code,)
    return reason


# -- common ---------------------------------------------------------------------------


def test_out_of_order() -> None:
    j = reach(S.REFERRED)
    early = j.booking(ev.BlockScheduled, at=j.now - MINUTE)
    only(j.pw, early, "out_of_order", (j.now - MINUTE).isoformat(timespec="minutes"),
         j.now.isoformat(timespec="minutes"))
    assert allow(j.pw, j.booking(ev.BlockScheduled, at=j.now)) == S.BLOCK_SCHEDULED


def test_out_of_order_is_judged_against_the_last_event_not_the_visit() -> None:
    j = reach(S.BLOCK_VISIT)
    late_performed = ev.BlockPerformed(at=j.now - MINUTE, visit_id="block-1", targets=L45,
                                       baseline_pain=7)
    only(j.pw, late_performed, "out_of_order")


# -- referral ---------------------------------------------------------------------------


@pytest.mark.parametrize("policy", [MEDICARE, CONSENSUS], ids=["medicare", "consensus"])
@pytest.mark.parametrize(
    ("months", "care_failed", "mention"),
    [
        (None, True, "unknown"),
        (2, True, "2 months"),
        (3, None, "unknown"),
        (3, False, "not failed"),
        (None, None, "at least 3 months"),
    ],
)
def test_entry_criteria_unmet_or_unknown(
    policy: fc.Policy, months: int | None, care_failed: bool | None, mention: str
) -> None:
    referred = referral(pain_months=months, conservative_care_failed=care_failed)
    empty = fc.Pathway(policy=policy)
    verdict = empty.check(referred)
    assert verdict.codes == ("entry_criteria",)
    assert mention in verdict.reasons[0].message
    assert policy.name in verdict.reasons[0].message
    with pytest.raises(fc.Rejected) as refused:
        fc.Pathway.start(referred, policy=policy)
    assert refused.value.codes == ("entry_criteria",)
    assert refused.value.event is referred
    assert empty.events == ()


@pytest.mark.parametrize("policy", [MEDICARE, CONSENSUS], ids=["medicare", "consensus"])
def test_entry_criteria_met_at_three_months(policy: fc.Policy) -> None:
    pw = fc.Pathway.start(referral(pain_months=3, conservative_care_failed=True), policy=policy)
    assert pw.stage == S.REFERRED


def test_the_seed_has_no_entry_criteria() -> None:
    pw = fc.Pathway.start(referral(pain_months=None, conservative_care_failed=None))
    assert pw.stage == S.REFERRED
    assert fc.Pathway.start(referral(pain_months=0, conservative_care_failed=False)).stage == (
        S.REFERRED)


# -- bookings -------------------------------------------------------------------------


def test_visit_in_past() -> None:
    j = reach(S.REFERRED)
    past = j.booking(ev.BlockScheduled, visit_at=j.now - MINUTE)
    only(j.pw, past, "visit_in_past", past.visit_id,
         past.visit_at.isoformat(timespec="minutes"))
    j2 = reach(S.BLOCK_POSITIVE)
    past_rf = j2.booking(ev.NeurotomyScheduled, visit_at=j2.now - MINUTE)
    refuse(j2.pw, past_rf, "visit_in_past")
    assert allow(j.pw, j.booking(ev.BlockScheduled, visit_at=j.now)) == S.BLOCK_SCHEDULED


@pytest.mark.parametrize("origin", [S.BLOCK_POSITIVE, S.BLOCK_NEGATIVE])
def test_block_interval_a_clinic_gap_of_14_days(origin: fc.Stage) -> None:
    # The LCD material has no gap between blocks (docs/payer-rules.md): a clinic's own rule.
    assert MEDICARE.min_block_gap is None
    j = Journey(GAP).block(positive=origin == S.BLOCK_POSITIVE)
    assert j.stage == origin and j.block_at is not None
    too_soon = j.booking(ev.BlockScheduled, visit_at=j.block_at + 14 * DAY - SECOND)
    only(j.pw, too_soon, "block_interval", "13 d 23 h 59 min 59 s", "14 d", GAP.name)
    assert allow(j.pw, j.booking(ev.BlockScheduled, visit_at=j.block_at + 14 * DAY)) == (
        S.BLOCK_SCHEDULED)


@pytest.mark.parametrize("policy", [SEED, CONSENSUS], ids=["seed", "consensus"])
def test_no_block_interval_without_a_minimum_gap(policy: fc.Policy) -> None:
    j = Journey(policy).block(positive=False)
    assert j.block_at is not None
    assert allow(j.pw, j.booking(ev.BlockScheduled, visit_at=j.block_at + DAY)) == (
        S.BLOCK_SCHEDULED)


def _four_negative_blocks(policy: fc.Policy) -> Journey:
    j = Journey(policy)
    for _ in range(4):
        j.block(positive=False)
    return j


def test_annual_limit_medicare_four_blocks_per_rolling_year() -> None:
    j = _four_negative_blocks(MEDICARE)
    first = j.block_times[0]
    fifth = j.booking(ev.BlockScheduled, visit_at=first + 365 * DAY - SECOND)
    only(j.pw, fifth, "annual_limit", "4 blocks", "4 per rolling 12 months")
    # (visit_at − 365 d, visit_at]: the first block falls out at exactly 365 days.
    assert allow(j.pw, j.booking(ev.BlockScheduled, visit_at=first + 365 * DAY)) == (
        S.BLOCK_SCHEDULED)


@pytest.mark.parametrize("policy", [SEED, CONSENSUS], ids=["seed", "consensus"])
def test_no_block_cap_without_one(policy: fc.Policy) -> None:
    j = _four_negative_blocks(policy)
    assert allow(j.pw, j.booking(ev.BlockScheduled)) == S.BLOCK_SCHEDULED


def _two_neurotomies_in_a_year(policy: fc.Policy) -> Journey:
    """Neurotomy, repeat after 183 d of relief, early recurrence, blocks on the right."""
    j = Journey(policy).positive_blocks().neurotomy().follow_up(2)
    j.pain_returned(after=183 * DAY)
    j.neurotomy().follow_up(2).pain_returned(after=10 * DAY)
    assert j.stage == S.RECURRENCE
    return j.positive_blocks(targets("L4-L5", side=R))


def test_annual_limit_medicare_two_neurotomies_per_rolling_year() -> None:
    j = _two_neurotomies_in_a_year(MEDICARE)
    first = j.neurotomy_times[0]
    right = targets("L4-L5", side=R)
    third = j.booking(ev.NeurotomyScheduled, right,
                      visit_at=first + 365 * DAY - SECOND)
    only(j.pw, third, "annual_limit", "2 neurotomies", "2 per rolling 12 months")
    assert allow(j.pw, j.booking(ev.NeurotomyScheduled, right, visit_at=first + 365 * DAY)) == (
        S.NEUROTOMY_SCHEDULED)


@pytest.mark.parametrize("policy", [SEED, CONSENSUS], ids=["seed", "consensus"])
def test_no_neurotomy_cap_without_one(policy: fc.Policy) -> None:
    j = _two_neurotomies_in_a_year(policy)
    booking = j.booking(ev.NeurotomyScheduled, targets("L4-L5", side=R))
    assert allow(j.pw, booking) == S.NEUROTOMY_SCHEDULED


def test_too_many_levels_medicare_two_joints_per_block_session() -> None:
    j = reach(S.REFERRED, MEDICARE)
    three = targets("L3-L4", "L4-L5", "L5-S1")
    only(j.pw, j.booking(ev.BlockScheduled, three), "too_many_levels", "3 facet joints",
         "L3-L4, L4-L5, L5-S1", "allows 2")
    # Bilateral joints count once: four targets on two joints are two levels.
    bilateral = targets("L4-L5", "L5-S1", side=L) + targets("L4-L5", "L5-S1", side=R)
    assert allow(j.pw, j.booking(ev.BlockScheduled, bilateral)) == S.BLOCK_SCHEDULED


@pytest.mark.parametrize("policy", [SEED, CONSENSUS], ids=["seed", "consensus"])
def test_no_level_cap_without_one(policy: fc.Policy) -> None:
    j = reach(S.REFERRED, policy)
    three = targets("L3-L4", "L4-L5", "L5-S1")
    assert allow(j.pw, j.booking(ev.BlockScheduled, three)) == S.BLOCK_SCHEDULED


def test_too_many_levels_for_a_neurotomy_under_a_clinic_cap() -> None:
    clinic = attrs.evolve(SEED, name="one-level", max_neurotomy_levels=1)
    both = targets("L3-L4", "L4-L5")
    j = Journey(clinic).positive_blocks(both)
    only(j.pw, j.booking(ev.NeurotomyScheduled, both), "too_many_levels", "neurotomy",
         "allows 1")
    assert allow(j.pw, j.booking(ev.NeurotomyScheduled, L45)) == S.NEUROTOMY_SCHEDULED


def test_region_mismatch() -> None:
    j = reach(S.REFERRED)
    neck = targets("C3-C4")
    only(j.pw, j.booking(ev.BlockScheduled, neck), "region_mismatch", "C3-C4", "lumbar")
    cervical = Journey(SEED, region=fc.Region.CERVICAL)
    only(cervical.pw, cervical.booking(ev.BlockScheduled, L45), "region_mismatch", "L4-L5",
         "cervical")
    assert allow(cervical.pw, cervical.booking(ev.BlockScheduled, neck)) == S.BLOCK_SCHEDULED
    rf = reach(S.BLOCK_POSITIVE)
    codes = rf.pw.check(rf.booking(ev.NeurotomyScheduled, targets("T11-T12"))).codes
    assert codes == ("untested_target", "region_mismatch")


def test_duplicate_visit() -> None:
    j = reach(S.BLOCK_NEGATIVE)
    only(j.pw, j.booking(ev.BlockScheduled, visit_id="block-1"), "duplicate_visit", "block-1")
    # A cancelled visit's id is spent too.
    j.book_block(visit_id="block-9")
    j.go(ev.VisitCancelled(at=j.now + HOUR, visit_id="block-9", reason="clinic closed"))
    refuse(j.pw, j.booking(ev.BlockScheduled, visit_id="block-9"), "duplicate_visit")
    assert allow(j.pw, j.booking(ev.BlockScheduled, visit_id="block-10")) == S.BLOCK_SCHEDULED


def test_duplicate_visit_for_a_second_neurotomy() -> None:
    j = reach(S.RECURRENCE)
    first_rf = next(e for e in j.pw.events if isinstance(e, ev.NeurotomyScheduled))
    only(j.pw, j.booking(ev.NeurotomyScheduled, visit_id=first_rf.visit_id), "duplicate_visit",
         "neurotomy")


# -- neurotomy bookings -----------------------------------------------------------------


def test_no_positive_block_medicare_needs_two() -> None:
    j = Journey(MEDICARE).block()
    assert j.stage == S.BLOCK_POSITIVE
    booking = j.booking(ev.NeurotomyScheduled)
    refuse(j.pw, booking, "no_positive_block", "1 positive block(s)", "requires 2")
    assert j.pw.check(booking).codes == ("no_positive_block", "untested_target")
    j.block()
    assert allow(j.pw, j.booking(ev.NeurotomyScheduled)) == S.NEUROTOMY_SCHEDULED


def test_a_negative_block_resets_the_series() -> None:
    j = Journey(MEDICARE).block().block(positive=False).block()
    assert j.stage == S.BLOCK_POSITIVE
    refuse(j.pw, j.booking(ev.NeurotomyScheduled), "no_positive_block", "1 positive")


@pytest.mark.parametrize("policy", [SEED, CONSENSUS], ids=["seed", "consensus"])
def test_one_positive_block_is_enough_elsewhere(policy: fc.Policy) -> None:
    j = Journey(policy).block()
    assert allow(j.pw, j.booking(ev.NeurotomyScheduled)) == S.NEUROTOMY_SCHEDULED


def test_untested_target_at_booking() -> None:
    j = reach(S.BLOCK_POSITIVE)
    only(j.pw, j.booking(ev.NeurotomyScheduled, targets("L4-L5", side=R)), "untested_target",
         "right L3 medial branch", "right L4 medial branch")
    # L3-L4 shares the L3 medial branch with L4-L5, but its L2 branch was never tested.
    reason = only(j.pw, j.booking(ev.NeurotomyScheduled, targets("L3-L4")), "untested_target",
                  "left L2 medial branch")
    assert "L3" not in reason.message
    assert allow(j.pw, j.booking(ev.NeurotomyScheduled)) == S.NEUROTOMY_SCHEDULED


def test_untested_target_medicare_needs_both_blocks() -> None:
    j = Journey(MEDICARE).block(targets("L3-L4", "L4-L5")).block(L45)
    only(j.pw, j.booking(ev.NeurotomyScheduled, targets("L3-L4")), "untested_target",
         "left L2 medial branch", "2 positive block(s)")
    assert allow(j.pw, j.booking(ev.NeurotomyScheduled, L45)) == S.NEUROTOMY_SCHEDULED


def test_untested_target_from_recurrence_other_nerves_need_a_block() -> None:
    j = reach(S.RECURRENCE)
    only(j.pw, j.booking(ev.NeurotomyScheduled, targets("L5-S1")), "untested_target",
         "L5 dorsal ramus", "neither treated by the last neurotomy")
    assert allow(j.pw, j.booking(ev.NeurotomyScheduled, L45)) == S.NEUROTOMY_SCHEDULED


def test_untested_target_at_the_neurotomy() -> None:
    j = reach(S.NEUROTOMY_VISIT)
    assert j.visit_id is not None
    stray = ev.NeurotomyPerformed(at=j.now + 10 * MINUTE, visit_id=j.visit_id,
                                  lesions=lesions_for(L45 + targets("L5-S1")))
    refuse(j.pw, stray, "untested_target", "left L5 dorsal ramus")
    assert j.pw.check(stray).codes == ("untested_target", "target_mismatch")
    # Several lesions on the same confirmed nerves are fine.
    fine = ev.NeurotomyPerformed(at=j.now + 10 * MINUTE, visit_id=j.visit_id,
                                 lesions=lesions_for(L45) * 3)
    assert allow(j.pw, fine) == S.NEUROTOMY_RECOVERY


def test_same_visit_when_booked_under_the_block_visit_id() -> None:
    j = reach(S.BLOCK_POSITIVE)
    block_visit = next(e for e in j.pw.events if isinstance(e, ev.BlockScheduled)).visit_id
    booking = j.booking(ev.NeurotomyScheduled, visit_id=block_visit)
    only(j.pw, booking, "same_visit", block_visit, "block visit")


def test_same_visit_on_the_block_day() -> None:
    j = reach(S.BLOCK_POSITIVE)
    assert j.block_at is not None
    day = j.block_at.date()
    late_that_day = dt.datetime.combine(day, dt.time(23, 59), tzinfo=UTC)
    only(j.pw, j.booking(ev.NeurotomyScheduled, visit_at=late_that_day), "same_visit",
         str(day), "later day")
    midnight = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=UTC)
    assert allow(j.pw, j.booking(ev.NeurotomyScheduled, visit_at=midnight)) == (
        S.NEUROTOMY_SCHEDULED)


def _block_at(policy: fc.Policy, block_at: dt.datetime) -> Journey:
    """A positive block given at ``block_at``, assessed as early as allowed."""
    j = Journey(policy)
    j.book_block(visit_at=block_at - 10 * MINUTE).check_in().perform_block()
    assert j.block_at == block_at
    j.discharge().diary((j.policy.block_observation, 1)).assess()
    assert j.stage == S.BLOCK_POSITIVE
    return j


def test_same_visit_calendar_days_around_midnight_utc() -> None:
    # A short-window clinic policy, so that only the calendar-day clause is in play.
    quick = attrs.evolve(SEED, name="quick", block_observation=15 * MINUTE,
                         relief_window_min=15 * MINUTE)
    j = _block_at(quick, t(days=14, hours=14, minutes=30))  # 23:30 UTC
    assert j.now == t(days=14, hours=14, minutes=45)
    same_day = t(days=14, hours=14, minutes=59)  # 23:59
    next_day = t(days=14, hours=15, minutes=30)  # 00:30 the next day
    only(j.pw, j.booking(ev.NeurotomyScheduled, visit_at=same_day), "same_visit")
    assert allow(j.pw, j.booking(ev.NeurotomyScheduled, visit_at=next_day)) == (
        S.NEUROTOMY_SCHEDULED)


def test_same_visit_days_are_judged_in_the_clinic_time_zone() -> None:
    clinic = attrs.evolve(SEED, name="new-york", time_zone="America/New_York")
    new_york = dt.timezone(dt.timedelta(hours=-4))  # EDT on 16 March 2026
    block = dt.datetime(2026, 3, 16, 14, 0, tzinfo=new_york)  # 18:00 UTC on the 16th
    j = _block_at(clinic, block)
    # 23:30 in New York on the 16th (03:30 UTC on the 17th) is the clinic's block day.
    same_day = dt.datetime(2026, 3, 17, 3, 30, tzinfo=UTC)
    only(j.pw, j.booking(ev.NeurotomyScheduled, visit_at=same_day), "same_visit",
         "2026-03-16", "America/New_York")
    # 00:30 the next morning in New York is a later clinic day, in any offset.
    for written in (dt.datetime(2026, 3, 17, 0, 30, tzinfo=new_york),
                    dt.datetime(2026, 3, 17, 4, 30, tzinfo=UTC),
                    dt.datetime(2026, 3, 17, 14, 30, tzinfo=dt.timezone(dt.timedelta(hours=10)))):
        assert j.pw.check(j.booking(ev.NeurotomyScheduled, visit_at=written)).allowed, written


def test_the_same_instant_gets_the_same_verdict_in_any_offset() -> None:
    # A block at 09:00 in Brisbane arrives from the EHR as 23:00Z the evening before.
    clinic = attrs.evolve(SEED, name="brisbane", time_zone="Australia/Brisbane")
    brisbane = dt.timezone(dt.timedelta(hours=10))
    for block in (dt.datetime(2026, 3, 17, 9, 0, tzinfo=brisbane),
                  dt.datetime(2026, 3, 16, 23, 0, tzinfo=UTC)):
        j = _block_at(clinic, block)
        for visit in (dt.datetime(2026, 3, 17, 20, 0, tzinfo=brisbane),
                      dt.datetime(2026, 3, 17, 10, 0, tzinfo=UTC)):
            assert j.pw.check(j.booking(ev.NeurotomyScheduled, visit_at=visit)).codes == (
                "same_visit",)
        for visit in (dt.datetime(2026, 3, 18, 0, 0, tzinfo=brisbane),
                      dt.datetime(2026, 3, 17, 14, 0, tzinfo=UTC)):
            assert j.pw.check(j.booking(ev.NeurotomyScheduled, visit_at=visit)).allowed


def test_same_visit_before_the_assessment_concluded() -> None:
    j = _block_at(SEED, t(days=14, hours=14, minutes=30))  # 23:30 UTC
    assessed = j.now
    assert assessed == t(days=14, hours=18, minutes=30)  # 03:30 the next day
    before = j.booking(ev.NeurotomyScheduled, at=assessed - HOUR, visit_at=assessed - MINUTE)
    verdict = j.pw.check(before)
    assert "same_visit" in verdict.codes
    assert any("relief assessment" in r.message for r in verdict.reasons)
    after = j.booking(ev.NeurotomyScheduled, visit_at=assessed)
    assert allow(j.pw, after) == S.NEUROTOMY_SCHEDULED


def _commercial() -> fc.Policy:
    return attrs.evolve(SEED, name="commercial", min_neurotomy_interval=183 * DAY)


def test_repeat_too_soon_from_recurrence() -> None:
    j = Journey(_commercial()).positive_blocks().neurotomy().follow_up(2)
    j.pain_returned(after=30 * DAY)
    assert j.neurotomy_at is not None
    earliest = j.neurotomy_at + 183 * DAY
    soon = j.booking(ev.NeurotomyScheduled, visit_at=earliest - SECOND)
    only(j.pw, soon, "repeat_too_soon", "183 d", earliest.isoformat(timespec="minutes"))
    assert allow(j.pw, j.booking(ev.NeurotomyScheduled, visit_at=earliest)) == (
        S.NEUROTOMY_SCHEDULED)


def test_repeat_too_soon_applies_to_other_nerves_too() -> None:
    j = Journey(_commercial()).positive_blocks().neurotomy().follow_up(2)
    j.pain_returned(after=30 * DAY).block(targets("L2-L3"))
    assert j.stage == S.BLOCK_POSITIVE and j.neurotomy_at is not None
    soon = j.booking(ev.NeurotomyScheduled, targets("L2-L3"),
                     visit_at=j.neurotomy_at + 100 * DAY)
    only(j.pw, soon, "repeat_too_soon")


@pytest.mark.parametrize("policy", POLICIES, ids=POLICY_IDS)
def test_no_minimum_interval_in_the_profiles(policy: fc.Policy) -> None:
    j = Journey(policy).positive_blocks().neurotomy().follow_up(2).pain_returned(after=30 * DAY)
    j.positive_blocks(targets("L2-L3"))
    booking = j.booking(ev.NeurotomyScheduled, targets("L2-L3"), visit_at=j.now + DAY)
    assert allow(j.pw, booking) == S.NEUROTOMY_SCHEDULED


def _recurrence(policy: fc.Policy, *, baseline: int, score: int, lasted: dt.timedelta) -> Journey:
    j = Journey(policy)
    for _ in range(policy.blocks_required):
        j.block(baseline=baseline)
    return j.neurotomy().follow_up(score).pain_returned(after=lasted)


def test_insufficient_prior_relief_medicare_duration_183_days() -> None:
    short = _recurrence(MEDICARE, baseline=8, score=2, lasted=183 * DAY - SECOND)
    only(short.pw, short.booking(ev.NeurotomyScheduled), "insufficient_prior_relief",
         "at least 183 d", "182 d 23 h 59 min 59 s")
    enough = _recurrence(MEDICARE, baseline=8, score=2, lasted=183 * DAY)
    assert allow(enough.pw, enough.booking(ev.NeurotomyScheduled)) == S.NEUROTOMY_SCHEDULED


def test_insufficient_prior_relief_medicare_at_least_50_percent() -> None:
    # A clinic accepting 3/8 as success lets a 37.5% relief reach recurrence.
    lenient = attrs.evolve(MEDICARE, neurotomy_success_threshold=Fraction(3, 8))
    weak = _recurrence(lenient, baseline=8, score=5, lasted=200 * DAY)
    only(weak.pw, weak.booking(ev.NeurotomyScheduled), "insufficient_prior_relief",
         "at least 50%", "best: 38%")
    exactly_half = _recurrence(lenient, baseline=8, score=4, lasted=200 * DAY)
    assert allow(exactly_half.pw, exactly_half.booking(ev.NeurotomyScheduled)) == (
        S.NEUROTOMY_SCHEDULED)


def test_insufficient_prior_relief_consensus_more_than_30_percent() -> None:
    lenient = attrs.evolve(CONSENSUS, neurotomy_success_threshold=Fraction(1, 4))
    exactly_30 = _recurrence(lenient, baseline=10, score=7, lasted=100 * DAY)
    only(exactly_30.pw, exactly_30.booking(ev.NeurotomyScheduled), "insufficient_prior_relief",
         "more than 30%", "best: 30%")
    forty = _recurrence(lenient, baseline=10, score=6, lasted=100 * DAY)
    assert allow(forty.pw, forty.booking(ev.NeurotomyScheduled)) == S.NEUROTOMY_SCHEDULED


def test_insufficient_prior_relief_consensus_duration_91_days() -> None:
    short = _recurrence(CONSENSUS, baseline=8, score=2, lasted=91 * DAY - SECOND)
    only(short.pw, short.booking(ev.NeurotomyScheduled), "insufficient_prior_relief", "91 d")
    enough = _recurrence(CONSENSUS, baseline=8, score=2, lasted=91 * DAY)
    assert allow(enough.pw, enough.booking(ev.NeurotomyScheduled)) == S.NEUROTOMY_SCHEDULED


def test_the_seed_has_no_prior_relief_rule() -> None:
    j = _recurrence(SEED, baseline=8, score=4, lasted=DAY)
    assert allow(j.pw, j.booking(ev.NeurotomyScheduled)) == S.NEUROTOMY_SCHEDULED


def test_insufficient_prior_relief_when_the_relief_never_ended_well() -> None:
    # No relief, then new blocks on the same nerves: repeating them is still a repeat.
    j = reach(S.NO_RELIEF, MEDICARE)
    j.positive_blocks()
    reason = only(j.pw, j.booking(ev.NeurotomyScheduled), "insufficient_prior_relief",
                  "best: 0%", "unknown")
    assert "no pain return recorded" in reason.message
    # Nerves the last neurotomy did not treat are not a repeat.
    other = Journey(MEDICARE).positive_blocks().neurotomy().follow_up(8, after=22 * DAY)
    other.positive_blocks(targets("L4-L5", side=R))
    booking = other.booking(ev.NeurotomyScheduled, targets("L4-L5", side=R))
    assert allow(other.pw, booking) == S.NEUROTOMY_SCHEDULED


def test_reblock_required_medicare_after_730_days() -> None:
    j = reach(S.RECURRENCE, MEDICARE)
    assert j.neurotomy_at is not None
    limit = j.neurotomy_at + 730 * DAY
    # "Two years or more" [1.3 Palmetto]: 730 d itself needs new blocks.
    stale = j.booking(ev.NeurotomyScheduled, visit_at=limit)
    only(j.pw, stale, "reblock_required", "730 d old", "from 730 d on")
    assert allow(j.pw, j.booking(ev.NeurotomyScheduled, visit_at=limit - SECOND)) == (
        S.NEUROTOMY_SCHEDULED)


@pytest.mark.parametrize("policy", [SEED, CONSENSUS], ids=["seed", "consensus"])
def test_no_reblock_rule_elsewhere(policy: fc.Policy) -> None:
    j = reach(S.RECURRENCE, policy)
    assert j.neurotomy_at is not None
    booking = j.booking(ev.NeurotomyScheduled, visit_at=j.neurotomy_at + 1000 * DAY)
    assert allow(j.pw, booking) == S.NEUROTOMY_SCHEDULED


def test_after_new_blocks_an_old_neurotomy_can_be_repeated() -> None:
    j = reach(S.RECURRENCE, MEDICARE)
    assert j.neurotomy_at is not None
    later = j.neurotomy_at + 800 * DAY
    j.block(visit_at=later).block()
    booking = j.booking(ev.NeurotomyScheduled)
    assert allow(j.pw, booking) == S.NEUROTOMY_SCHEDULED


# -- visits -----------------------------------------------------------------------------


@pytest.mark.parametrize("visit", [S.BLOCK_SCHEDULED, S.NEUROTOMY_SCHEDULED])
@pytest.mark.parametrize("policy", POLICIES, ids=POLICY_IDS)
def test_no_escort_at_check_in(visit: fc.Stage, policy: fc.Policy) -> None:
    j = reach(visit, policy)
    assert j.visit_id is not None and j.visit_at is not None
    alone = ev.CheckedIn(at=j.visit_at, visit_id=j.visit_id, escort_present=False)
    only(j.pw, alone, "no_escort", "check-in", policy.name)
    assert j.stage == visit
    with_driver = ev.CheckedIn(at=j.visit_at, visit_id=j.visit_id, escort_present=True)
    assert allow(j.pw, with_driver) in (S.BLOCK_VISIT, S.NEUROTOMY_VISIT)


@pytest.mark.parametrize("stage", [S.BLOCK_OBSERVATION, S.NEUROTOMY_RECOVERY])
@pytest.mark.parametrize("policy", POLICIES, ids=POLICY_IDS)
def test_no_escort_at_discharge(stage: fc.Stage, policy: fc.Policy) -> None:
    j = reach(stage, policy)
    assert j.visit_id is not None
    later = j.now + 2 * HOUR
    only(j.pw, ev.Discharged(at=later, visit_id=j.visit_id, escort_present=False), "no_escort",
         "discharge")
    assert allow(j.pw, ev.Discharged(at=later, visit_id=j.visit_id, escort_present=True)) in (
        S.RELIEF_ASSESSMENT, S.FOLLOW_UP)


def test_no_escort_rule_off() -> None:
    walk_in = attrs.evolve(SEED, name="walk-in", escort_required=False)
    j = reach(S.BLOCK_SCHEDULED, walk_in)
    assert j.visit_id is not None and j.visit_at is not None
    allow(j.pw, ev.CheckedIn(at=j.visit_at, visit_id=j.visit_id, escort_present=False))
    j.now = j.visit_at
    j.perform_block()
    allow(j.pw, ev.Discharged(at=j.now + HOUR, visit_id=j.visit_id, escort_present=False))


def test_unknown_visit_for_each_visit_event() -> None:
    j = reach(S.BLOCK_SCHEDULED)
    wrong = "block-99"
    at = j.now + HOUR
    message = only(j.pw, ev.CheckedIn(at=at, visit_id=wrong, escort_present=True),
                   "unknown_visit", wrong, "block-1").message
    assert "open visit" in message
    only(j.pw, ev.VisitCancelled(at=at, visit_id=wrong, reason="r"), "unknown_visit")
    only(j.pw, ev.VisitMissed(at=at, visit_id=wrong), "unknown_visit")
    j.check_in()
    only(j.pw, ev.BlockPerformed(at=j.now, visit_id=wrong, targets=L45, baseline_pain=8),
         "unknown_visit")
    only(j.pw, ev.VisitCancelled(at=j.now, visit_id=wrong, reason="r"), "unknown_visit")
    j.perform_block()
    only(j.pw, ev.Discharged(at=j.now + HOUR, visit_id=wrong, escort_present=True),
         "unknown_visit")
    rf = reach(S.NEUROTOMY_VISIT)
    only(rf.pw, ev.NeurotomyPerformed(at=rf.now, visit_id=wrong, lesions=lesions_for(L45)),
         "unknown_visit")


def test_target_mismatch() -> None:
    j = reach(S.BLOCK_VISIT)
    assert j.visit_id is not None
    other_side = ev.BlockPerformed(at=j.now + 5 * MINUTE, visit_id=j.visit_id,
                                   targets=targets("L4-L5", side=R), baseline_pain=8)
    only(j.pw, other_side, "target_mismatch", "right L4-L5")


def test_fewer_targets_than_booked_is_fine() -> None:
    both = targets("L4-L5", side=L) + targets("L4-L5", side=R)
    j = Journey().book_block(both).check_in()
    assert j.visit_id is not None
    one = ev.BlockPerformed(at=j.now + 5 * MINUTE, visit_id=j.visit_id, targets=L45,
                            baseline_pain=8)
    assert allow(j.pw, one) == S.BLOCK_OBSERVATION


# -- lesions ----------------------------------------------------------------------------


def _lesion_event(j: Journey, *lesions: tuple[float, float | None]) -> ev.NeurotomyPerformed:
    assert j.visit_id is not None
    return ev.NeurotomyPerformed(
        at=j.now + 10 * MINUTE, visit_id=j.visit_id,
        lesions=[fc.Lesion(L45[0], seconds, temp, fc.Modality.CONVENTIONAL_THERMAL)
                 for seconds, temp in lesions], **NEUROTOMY_RECORD)


@pytest.mark.parametrize(
    ("policy", "seconds", "mention"),
    [(SEED, 59, "60–90 s"), (SEED, 91, "60–90 s"), (CONSENSUS, 89, "at least 90 s")],
    ids=["seed-59", "seed-91", "consensus-89"],
)
def test_lesion_duration_refused(policy: fc.Policy, seconds: float, mention: str) -> None:
    j = reach(S.NEUROTOMY_VISIT, policy)
    only(j.pw, _lesion_event(j, (90, 85), (seconds, 85)), "lesion_duration", f"{seconds} s",
         mention, policy.name)


@pytest.mark.parametrize(
    ("policy", "seconds"),
    [(SEED, 60), (SEED, 90), (CONSENSUS, 90), (CONSENSUS, 240), (MEDICARE, 10)],
    ids=["seed-60", "seed-90", "consensus-90", "consensus-240", "medicare-no-rule"],
)
def test_lesion_duration_allowed(policy: fc.Policy, seconds: float) -> None:
    j = reach(S.NEUROTOMY_VISIT, policy)
    assert allow(j.pw, _lesion_event(j, (seconds, 85))) == S.NEUROTOMY_RECOVERY


@pytest.mark.parametrize(
    ("policy", "temperature", "mention"),
    [
        (MEDICARE, 79.9, "at least 80 °C"),
        (MEDICARE, None, "without a temperature"),
        (CONSENSUS, 79.9, "at least 80 °C and at most 90 °C"),
        (CONSENSUS, 90.1, "90.1 °C"),
        (CONSENSUS, None, "1 lesion(s) without a temperature"),
    ],
    ids=["medicare-80", "medicare-missing", "consensus-79.9", "consensus-90.1",
         "consensus-missing"],
)
def test_lesion_temperature_refused(
    policy: fc.Policy, temperature: float | None, mention: str
) -> None:
    j = reach(S.NEUROTOMY_VISIT, policy)
    only(j.pw, _lesion_event(j, (90, 85), (90, temperature)), "lesion_temperature", mention)


@pytest.mark.parametrize(
    ("policy", "temperature"),
    [(MEDICARE, 80), (MEDICARE, 80.5), (CONSENSUS, 80), (CONSENSUS, 90), (SEED, None),
     (SEED, 95)],
    ids=["medicare-80", "medicare-80.5", "consensus-80", "consensus-90", "seed-missing",
         "seed-95"],
)
def test_lesion_temperature_allowed(policy: fc.Policy, temperature: float | None) -> None:
    j = reach(S.NEUROTOMY_VISIT, policy)
    assert allow(j.pw, _lesion_event(j, (90, temperature))) == S.NEUROTOMY_RECOVERY


# -- observation and relief window ------------------------------------------------------


@pytest.mark.parametrize("policy", POLICIES, ids=POLICY_IDS)
def test_observation_incomplete_after_a_block(policy: fc.Policy) -> None:
    j = reach(S.BLOCK_OBSERVATION, policy)
    assert j.visit_id is not None and j.block_at is not None
    early = ev.Discharged(at=j.block_at + 59 * MINUTE, visit_id=j.visit_id, escort_present=True)
    only(j.pw, early, "observation_incomplete", "59 min", "1 h",
         (j.block_at + HOUR).isoformat(timespec="minutes"))
    on_time = ev.Discharged(at=j.block_at + HOUR, visit_id=j.visit_id, escort_present=True)
    assert allow(j.pw, on_time) == S.RELIEF_ASSESSMENT


@pytest.mark.parametrize("policy", POLICIES, ids=POLICY_IDS)
def test_observation_incomplete_after_a_neurotomy(policy: fc.Policy) -> None:
    j = reach(S.NEUROTOMY_RECOVERY, policy)
    assert j.visit_id is not None and j.neurotomy_at is not None
    early = ev.Discharged(at=j.neurotomy_at + 29 * MINUTE, visit_id=j.visit_id,
                          escort_present=True)
    only(j.pw, early, "observation_incomplete", "29 min", "30 min", "recovery")
    on_time = ev.Discharged(at=j.neurotomy_at + 30 * MINUTE, visit_id=j.visit_id,
                            escort_present=True)
    assert allow(j.pw, on_time) == S.FOLLOW_UP


@pytest.mark.parametrize("stage", [S.BLOCK_OBSERVATION, S.RELIEF_ASSESSMENT])
@pytest.mark.parametrize("policy", POLICIES, ids=POLICY_IDS)
def test_outside_relief_window(stage: fc.Stage, policy: fc.Policy) -> None:
    j = reach(stage, policy)
    assert j.block_at is not None
    block = j.block_at
    late = block + 6 * HOUR + MINUTE
    diary = ev.ReliefDiaryRecorded(at=late, entries=[fc.PainEntry(block + HOUR, 3),
                                                     fc.PainEntry(late, 2)])
    only(j.pw, diary, "outside_relief_window", "6 h 1 min", "6 h after")
    before = ev.ReliefDiaryRecorded(at=max(j.now, block),
                                    entries=[fc.PainEntry(block - MINUTE, 3)])
    refuse(j.pw, before, "outside_relief_window", "-1 min")
    edges = ev.ReliefDiaryRecorded(at=block + 6 * HOUR, entries=[
        fc.PainEntry(block, 5), fc.PainEntry(block + 6 * HOUR, 2)])
    assert allow(j.pw, edges) == stage


def test_a_diary_entered_the_next_morning_counts() -> None:
    j = reach(S.RELIEF_ASSESSMENT)
    assert j.block_at is not None
    next_morning = j.block_at + 22 * HOUR
    diary = ev.ReliefDiaryRecorded(at=next_morning, entries=[
        fc.PainEntry(j.block_at + 30 * MINUTE, 3), fc.PainEntry(j.block_at + 5 * HOUR, 2)])
    assert allow(j.pw, diary) == S.RELIEF_ASSESSMENT
    assert j.pw.apply(ev.ReliefAssessed(at=next_morning)) == S.BLOCK_POSITIVE


@pytest.mark.parametrize("policy", POLICIES, ids=POLICY_IDS)
def test_relief_window_open(policy: fc.Policy) -> None:
    j = reach(S.RELIEF_ASSESSMENT, policy)
    assert j.block_at is not None
    j.diary((30 * MINUTE, 1), (HOUR + MINUTE, 1))
    early = ev.ReliefAssessed(at=j.block_at + 3 * HOUR + 59 * MINUTE)
    only(j.pw, early, "relief_window_open", "3 h 59 min", "4 h",
         (j.block_at + 4 * HOUR).isoformat(timespec="minutes"))
    j.diary((4 * HOUR, 1))  # still relieved at 4 h: positive under every relief measure
    assert allow(j.pw, ev.ReliefAssessed(at=j.block_at + 4 * HOUR)) == S.BLOCK_POSITIVE


# -- outcomes -------------------------------------------------------------------------


#: Medicare's threshold read the seed's way (the sustained measure: test_payer_rules.py).
MEDICARE_BEST = attrs.evolve(MEDICARE, relief_measure=fc.ReliefMeasure.BEST, relief_min_entries=1)


def _assessed(policy: fc.Policy, baseline: int, *lowest: int) -> fc.Stage:
    """A block with ``baseline`` and one diary per score in ``lowest``; the outcome."""
    j = Journey(policy).book_block().check_in().perform_block(baseline=baseline).discharge()
    for hour, score in enumerate(lowest, start=2):
        j.diary((hour * HOUR, score))
    return j.pw.apply(ev.ReliefAssessed(at=j.now + 4 * HOUR))


@pytest.mark.parametrize(
    ("policy", "baseline", "scores", "stage"),
    [
        (SEED, 8, (4,), S.BLOCK_POSITIVE),  # exactly 50%
        (SEED, 8, (5,), S.BLOCK_NEGATIVE),  # 37.5%
        (CONSENSUS, 10, (5,), S.BLOCK_POSITIVE),
        (MEDICARE_BEST, 10, (2,), S.BLOCK_POSITIVE),  # exactly 80%
        (MEDICARE_BEST, 10, (3,), S.BLOCK_NEGATIVE),  # 70%
        (MEDICARE_BEST, 5, (1,), S.BLOCK_POSITIVE),  # 80% from a different baseline
        (SEED, 0, (0,), S.BLOCK_NEGATIVE),  # nothing to relieve
        (SEED, 8, (), S.BLOCK_NEGATIVE),  # no diary at all
        (SEED, 8, (6, 3, 7), S.BLOCK_POSITIVE),  # the lowest entry of any diary counts
        (SEED, 8, (9,), S.BLOCK_NEGATIVE),  # worse than baseline
    ],
)
def test_block_outcome(policy: fc.Policy, baseline: int, scores: tuple[int, ...],
                       stage: fc.Stage) -> None:
    assert _assessed(policy, baseline, *scores) == stage


def test_follow_up_settling_is_inclusive_at_21_days() -> None:
    j = reach(S.FOLLOW_UP)
    j.follow_up(8, after=21 * DAY)
    assert j.stage == S.FOLLOW_UP
    j.follow_up(8, after=21 * DAY + SECOND)
    assert j.stage == S.NO_RELIEF


def test_follow_up_relief_at_50_percent_is_sustained() -> None:
    assert reach(S.FOLLOW_UP).follow_up(4, after=3 * DAY).stage == S.SUSTAINED_RELIEF
    assert reach(S.FOLLOW_UP).follow_up(5, after=30 * DAY).stage == S.NO_RELIEF


def test_follow_up_settles_then_relieves() -> None:
    j = reach(S.FOLLOW_UP).follow_up(7, after=2 * DAY)
    assert j.stage == S.FOLLOW_UP
    assert j.follow_up(3, after=21 * DAY).stage == S.SUSTAINED_RELIEF


def test_follow_up_uses_the_most_recent_positive_block_baseline() -> None:
    # Medicare: two blocks with baselines 6 then 10; 10 → 5 is 50%, 6 → 5 would not be.
    j = Journey(MEDICARE).block(baseline=6).block(baseline=10).neurotomy()
    assert j.follow_up(5, after=30 * DAY).stage == S.SUSTAINED_RELIEF


def test_a_repeat_neurotomy_measures_against_the_first_baseline() -> None:
    j = Journey(SEED).block(baseline=10).neurotomy().follow_up(2).pain_returned()
    j.neurotomy()
    # The repeat is judged against baseline 10 (not the pain at recurrence).
    assert j.follow_up(5, after=30 * DAY).stage == S.SUSTAINED_RELIEF
    assert j.pw.best_relief == Fraction(1, 2)


# -- check() order and several reasons at once --------------------------------------------


def test_common_first_then_the_events_table_order_for_a_block_booking() -> None:
    j = _four_negative_blocks(attrs.evolve(MEDICARE, min_block_gap=14 * DAY))
    mixed = ev.BlockScheduled(
        at=j.now - MINUTE,
        visit_id="block-1",
        visit_at=j.now - 2 * MINUTE,
        targets=targets("L3-L4", "L4-L5") + targets("C5-C6"),
    )
    assert j.pw.check(mixed).codes == (
        "out_of_order", "visit_in_past", "block_interval", "annual_limit", "too_many_levels",
        "region_mismatch", "duplicate_visit",
    )
    refuse(j.pw, mixed, "annual_limit")


def test_several_reasons_for_a_neurotomy_booking() -> None:
    strict = attrs.evolve(MEDICARE, name="strict", min_neurotomy_interval=365 * DAY)
    j = _recurrence(strict, baseline=8, score=2, lasted=30 * DAY)
    assert j.neurotomy_at is not None
    stale_and_wide = ev.NeurotomyScheduled(
        at=j.now, visit_id="rf-new", visit_at=j.neurotomy_at + 731 * DAY,
        targets=L45 + targets("L2-L3"))
    assert j.pw.check(stale_and_wide).codes == (
        "untested_target", "insufficient_prior_relief", "reblock_required")
    soon = ev.NeurotomyScheduled(at=j.now, visit_id="rf-new", visit_at=j.now - MINUTE,
                                 targets=L45)
    assert j.pw.check(soon).codes == (
        "visit_in_past", "repeat_too_soon", "insufficient_prior_relief")


def test_several_reasons_at_discharge_check_in_and_treatment() -> None:
    j = reach(S.BLOCK_SCHEDULED)
    assert j.visit_at is not None
    assert j.pw.check(ev.CheckedIn(at=j.visit_at, visit_id="x", escort_present=False)).codes == (
        "no_escort", "unknown_visit")
    j.check_in().perform_block()
    early = ev.Discharged(at=j.now + MINUTE, visit_id="x", escort_present=False)
    assert j.pw.check(early).codes == ("no_escort", "observation_incomplete", "unknown_visit")
    rf = reach(S.NEUROTOMY_VISIT, CONSENSUS)
    bad = ev.NeurotomyPerformed(at=rf.now - MINUTE, visit_id="x",
                                lesions=[fc.Lesion(fc.Target("L5-S1", L), 30)])
    assert rf.pw.check(bad).codes == (
        "out_of_order", "lesion_duration", "lesion_temperature", "untested_target",
        "target_mismatch", "unknown_visit", "imaging_guidance")


def test_check_never_changes_the_pathway() -> None:
    j = reach(S.RELIEF_ASSESSMENT)
    assert j.block_at is not None
    before = snapshot(j.pw, T0)
    for _ in range(3):
        assert j.pw.check(ev.ReliefAssessed(at=j.block_at + 5 * HOUR)).allowed
        j.pw.check(ev.ReliefDiaryRecorded(at=j.block_at + 2 * HOUR,
                                          entries=[fc.PainEntry(j.block_at + HOUR, 0)]))
    assert snapshot(j.pw, T0) == before
    # The outcome comes from what was applied: the checked diary was never recorded.
    assert j.pw.apply(ev.ReliefAssessed(at=j.block_at + 5 * HOUR)) == S.BLOCK_NEGATIVE


# -- one provocation per code: a new code without an example fails here --------------------


def _provoke_invalid_transition() -> tuple[fc.Pathway, ev.Event]:
    j = reach(S.REFERRED)
    return j.pw, ev.ReliefAssessed(at=j.now + HOUR)


def _provoke_booking(stage: fc.Stage, policy: fc.Policy = SEED, kind: type = ev.BlockScheduled,
                     **options: object) -> tuple[fc.Pathway, ev.Event]:
    j = reach(stage, policy)
    return j.pw, j.booking(kind, **options)


def _provoke_visit(stage: fc.Stage, **fields: object) -> tuple[fc.Pathway, ev.Event]:
    j = reach(stage)
    assert j.visit_id is not None
    values: dict[str, object] = {"visit_id": j.visit_id, "escort_present": True, **fields}
    at = j.now + 2 * HOUR
    if stage in (S.BLOCK_SCHEDULED,):
        return j.pw, ev.CheckedIn(at=at, **values)  # type: ignore[arg-type]
    if stage == S.BLOCK_VISIT:
        values.pop("escort_present")
        return j.pw, ev.BlockPerformed(at=at, baseline_pain=8, **values,  # type: ignore[arg-type]
                                       **BLOCK_RECORD)
    return j.pw, ev.Discharged(at=at, **values)  # type: ignore[arg-type]


def _provoke_lesion(policy: fc.Policy, seconds: float, temp: float | None) -> tuple[
        fc.Pathway, ev.Event]:
    j = reach(S.NEUROTOMY_VISIT, policy)
    return j.pw, _lesion_event(j, (seconds, temp))


def _provoke_neurotomy(j: Journey, **options: object) -> tuple[fc.Pathway, ev.Event]:
    return j.pw, j.booking(ev.NeurotomyScheduled, **options)


def _provoke_gap() -> tuple[fc.Pathway, ev.Event]:
    j = Journey(GAP).block()
    assert j.block_at is not None
    return j.pw, j.booking(ev.BlockScheduled, visit_at=j.block_at + DAY)


def _provoke_performed(policy: fc.Policy, **record: object) -> tuple[fc.Pathway, ev.Event]:
    j = reach(S.BLOCK_VISIT, policy)
    assert j.visit_id is not None
    return j.pw, ev.BlockPerformed(at=j.now + 10 * MINUTE, visit_id=j.visit_id, targets=L45,
                                   baseline_pain=8, **{**BLOCK_RECORD, **record})


def _provoke_lesion_modality(policy: fc.Policy,
                             modality: fc.Modality | None) -> tuple[fc.Pathway, ev.Event]:
    j = reach(S.NEUROTOMY_VISIT, policy)
    assert j.visit_id is not None
    return j.pw, ev.NeurotomyPerformed(at=j.now + 10 * MINUTE, visit_id=j.visit_id,
                                       lesions=[fc.Lesion(L45[0], 90, 85, modality)],
                                       **NEUROTOMY_RECORD)


def _provoke_entry() -> tuple[fc.Pathway, ev.Event]:
    return fc.Pathway(policy=MEDICARE), referral(pain_months=None)


def _provoke_diary() -> tuple[fc.Pathway, ev.Event]:
    j = reach(S.RELIEF_ASSESSMENT)
    assert j.block_at is not None
    late = j.block_at + 7 * HOUR
    return j.pw, ev.ReliefDiaryRecorded(at=late, entries=[fc.PainEntry(late, 2)])


def _provoke_assessment() -> tuple[fc.Pathway, ev.Event]:
    j = reach(S.RELIEF_ASSESSMENT)
    assert j.block_at is not None
    return j.pw, ev.ReliefAssessed(at=j.block_at + 3 * HOUR)


def _provoke_observation() -> tuple[fc.Pathway, ev.Event]:
    j = reach(S.BLOCK_OBSERVATION)
    assert j.visit_id is not None
    return j.pw, ev.Discharged(at=j.now + MINUTE, visit_id=j.visit_id, escort_present=True)


PROVOKE = {
    "invalid_transition": _provoke_invalid_transition,
    "out_of_order": lambda: _provoke_booking(S.REFERRED, at=T0 - MINUTE),
    "entry_criteria": _provoke_entry,
    "visit_in_past": lambda: _provoke_booking(S.REFERRED, visit_at=T0 - MINUTE),
    "block_interval": _provoke_gap,
    "annual_limit": lambda: _provoke_neurotomy(_two_neurotomies_in_a_year(MEDICARE),
                                               treated=targets("L4-L5", side=R)),
    "too_many_levels": lambda: _provoke_booking(S.REFERRED, MEDICARE,
                                                treated=targets("L3-L4", "L4-L5", "L5-S1")),
    "no_positive_block": lambda: _provoke_neurotomy(Journey(MEDICARE).block()),
    "untested_target": lambda: _provoke_booking(S.BLOCK_POSITIVE, SEED, ev.NeurotomyScheduled,
                                                treated=targets("L5-S1")),
    "same_visit": lambda: _provoke_booking(S.BLOCK_POSITIVE, SEED, ev.NeurotomyScheduled,
                                           visit_id="block-1"),
    "repeat_too_soon": lambda: _provoke_booking(S.RECURRENCE, _commercial(),
                                                ev.NeurotomyScheduled, visit_at=t(days=100)),
    "insufficient_prior_relief": lambda: _provoke_neurotomy(
        _recurrence(MEDICARE, baseline=8, score=2, lasted=30 * DAY)),
    "reblock_required": lambda: _provoke_booking(S.RECURRENCE, MEDICARE, ev.NeurotomyScheduled,
                                                 visit_at=t(days=1000)),
    "no_escort": lambda: _provoke_visit(S.BLOCK_SCHEDULED, escort_present=False),
    "unknown_visit": lambda: _provoke_visit(S.BLOCK_SCHEDULED, visit_id="nope"),
    "duplicate_visit": lambda: _provoke_booking(S.BLOCK_NEGATIVE, visit_id="block-1"),
    "target_mismatch": lambda: _provoke_visit(S.BLOCK_VISIT, targets=targets("L1-L2")),
    "region_mismatch": lambda: _provoke_booking(S.REFERRED, treated=targets("C5-C6")),
    "lesion_duration": lambda: _provoke_lesion(SEED, 30, None),
    "lesion_temperature": lambda: _provoke_lesion(MEDICARE, 90, None),
    "observation_incomplete": _provoke_observation,
    "outside_relief_window": _provoke_diary,
    "relief_window_open": _provoke_assessment,
    "region_not_covered": lambda: (fc.Pathway(policy=CONSENSUS),
                                   referral(region=fc.Region.CERVICAL)),
    "not_axial": lambda: (fc.Pathway(policy=MEDICARE), referral(axial_pain=None)),
    "no_baseline_function": lambda: (fc.Pathway(policy=MEDICARE), referral(
        baseline_function_scale=None, baseline_function_score=None)),
    "radicular_pain": lambda: (fc.Pathway(policy=MEDICARE),
                               referral(untreated_radicular_pain=True)),
    "non_facet_cause": lambda: (fc.Pathway(policy=MEDICARE),
                                referral(non_facet_cause_excluded=None)),
    "diagnosis_not_covered": lambda: (fc.Pathway(policy=MEDICARE),
                                      referral(diagnosis="M54.16")),
    "levels_not_contiguous": lambda: _provoke_booking(
        S.BLOCK_POSITIVE, fc.Policy.evicore_cmm208(), ev.NeurotomyScheduled,
        treated=targets("L2-L3", "L4-L5")),
    "imaging_guidance": lambda: _provoke_performed(MEDICARE, guidance=fc.Guidance.ULTRASOUND),
    "sedation": lambda: _provoke_performed(MEDICARE, sedation=fc.Sedation.MODERATE),
    "anaesthetic_agent": lambda: _provoke_performed(MEDICARE, agent=None),
    "lesion_modality": lambda: _provoke_lesion_modality(MEDICARE, fc.Modality.PULSED),
    "correction_conflict": lambda: _provoke_correction("conflict"),
    "unknown_event": lambda: _provoke_correction("unknown"),
    "amend_type_mismatch": lambda: _provoke_correction("mismatch"),
    "duplicate_event_id": lambda: _provoke_correction("duplicate"),
}


def _provoke_correction(which: str) -> tuple[fc.Pathway, ev.Event]:
    j = reach(S.BLOCK_VISIT)  # Referred, BlockScheduled, CheckedIn
    later = j.now + HOUR
    if which == "conflict":  # without its booking, the check-in has no visit to open
        return j.pw, ev.EnteredInError(at=later, seq=1, reason="booked by mistake")
    if which == "unknown":
        return j.pw, ev.EnteredInError(at=later, seq=3, reason="no such entry")
    if which == "mismatch":
        return j.pw, ev.Amended(at=later, seq=2, reason="wrong row",
                                replacement=ev.VisitMissed(at=j.now, visit_id="block-1"))
    j.go(ev.VisitCancelled(
        at=later, visit_id="block-1", reason="unwell", event_id="desk-1"))
    return j.pw, ev.Closed(at=later + HOUR, reason="done", event_id="desk-1")


@pytest.mark.parametrize("code", sorted(CODES))
def test_every_code_has_an_example(code: str) -> None:
    pw, event = PROVOKE[code]()
    reason = refuse(pw, event, code)
    assert len(reason.message) > 20
    assert CODES[code]


def test_no_example_for_an_unknown_code() -> None:
    assert set(PROVOKE) == set(CODES)
