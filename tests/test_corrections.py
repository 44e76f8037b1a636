"""Corrections keep the original and record the fix: the log, the effective history, the audit.

The reproductions are the desk's day-one mistakes; the property drives random
corrections, valid and not, into random journeys under every profile.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st

import facetcare as fc
from facetcare import events as ev
from facetcare.testing import corrections, journeys
from journey import DAY, HOUR, MINUTE, SEED, Journey, S, reach

PROFILES = list(fc.Policy.profiles().values())
LATER = 30 * DAY  # corrections are made well after the events they correct


def _seq(pw: fc.Pathway, kind: type[ev.Event]) -> int:
    """The seq of the last logged event of ``kind``."""
    return max(i for i, e in enumerate(pw.log) if type(e) is kind)


# -- what was seen --------------------------------------------------------------------


def test_a_wrong_no_show_entered_in_error_lets_the_check_in_through() -> None:
    j = reach(S.BLOCK_SCHEDULED)
    assert j.visit_id is not None and j.visit_at is not None
    j.go(ev.VisitMissed(at=j.visit_at + 10 * MINUTE, visit_id=j.visit_id))
    assert j.stage == S.REFERRED
    missed = _seq(j.pw, ev.VisitMissed)
    fix = ev.EnteredInError(at=j.visit_at + HOUR, seq=missed, reason="clicked the wrong row",
                            recorded_by="clerk-7")
    assert j.pw.apply(fix) == S.BLOCK_SCHEDULED
    check_in = ev.CheckedIn(at=j.visit_at + 2 * HOUR, visit_id=j.visit_id, escort_present=True)
    assert j.pw.apply(check_in) == S.BLOCK_VISIT
    # The mistake stays in the log, retracted; the effective history has no trace of it.
    assert j.pw.log[missed] == ev.VisitMissed(at=j.visit_at + 10 * MINUTE, visit_id=j.visit_id)
    assert not any(isinstance(e, ev.VisitMissed) for e in j.pw.events)
    audit = j.pw.history()
    assert audit[missed].status == "retracted"
    assert audit[missed].corrected_by == (missed + 1,)
    assert (audit[missed + 1].status, audit[missed + 1].corrects,
            audit[missed + 1].reason, audit[missed + 1].recorded_by) == (
        "correction", missed, "clicked the wrong row", "clerk-7")


def _assessed(baseline: int, score: int) -> Journey:
    j = Journey().book_block().check_in().perform_block(baseline=baseline).discharge()
    j.diary((2 * HOUR, score)).assess()
    return j


def test_an_amended_baseline_turns_the_assessment_positive() -> None:
    j = _assessed(baseline=3, score=2)  # typed 3 instead of 8: 33% relief, negative
    assert j.stage == S.BLOCK_NEGATIVE
    seq = _seq(j.pw, ev.BlockPerformed)
    wrong = j.pw.log[seq]
    assert isinstance(wrong, ev.BlockPerformed)
    right = ev.BlockPerformed(at=wrong.at, visit_id=wrong.visit_id, targets=wrong.targets,
                              baseline_pain=8)
    assert j.pw.apply(ev.Amended(at=j.now + LATER, seq=seq, replacement=right,
                                 reason="baseline typed as 3, was 8")) == S.BLOCK_POSITIVE
    assert j.pw.history()[seq].status == "amended"
    assert right in j.pw.events and wrong not in j.pw.events and wrong in j.pw.log


def test_the_reverse_amendment_conflicts_with_a_booking_made_on_it() -> None:
    j = _assessed(baseline=8, score=2)
    assert j.stage == S.BLOCK_POSITIVE
    j.book_neurotomy()
    seq = _seq(j.pw, ev.BlockPerformed)
    right = j.pw.log[seq]
    assert isinstance(right, ev.BlockPerformed)
    wrong = ev.BlockPerformed(at=right.at, visit_id=right.visit_id, targets=right.targets,
                              baseline_pain=3)
    amend = ev.Amended(at=j.now + LATER, seq=seq, replacement=wrong, reason="was 3")
    before = (j.pw.log, j.pw.events, j.pw.stage, j.pw.facts)
    with pytest.raises(fc.Rejected) as refused:
        j.pw.apply(amend)
    assert refused.value.codes == ("correction_conflict",)
    message = refused.value.reasons[0].message
    assert message.startswith("after this correction, NeurotomyScheduled at")
    assert (j.pw.log, j.pw.events, j.pw.stage, j.pw.facts) == before
    # Retracting the booking in the same batch makes the correction consistent.
    booking = _seq(j.pw, ev.NeurotomyScheduled)
    retract = ev.EnteredInError(at=j.now + LATER, seq=booking, reason="booked on a wrong result")
    assert j.pw.apply_all([amend, retract]) == S.BLOCK_NEGATIVE
    assert len(j.pw.log) == len(before[0]) + 2


def test_a_late_diary_turns_a_negative_assessment_positive() -> None:
    j = Journey().book_block().check_in().perform_block(baseline=8).discharge()
    assert j.block_at is not None
    j.assess()  # no diary yet: negative
    assert j.stage == S.BLOCK_NEGATIVE
    entry = j.block_at + 2 * HOUR
    late = ev.LateEntry(at=j.now + DAY,
                        event=ev.ReliefDiaryRecorded(at=entry, entries=[fc.PainEntry(entry, 1)]),
                        reason="diary handed in the next day")
    assert j.pw.apply(late) == S.BLOCK_POSITIVE
    # It sits at its clinical time, before the assessment, in the effective history.
    kinds = [type(e) for e in j.pw.events]
    assert kinds.index(ev.ReliefDiaryRecorded) < kinds.index(ev.ReliefAssessed)
    assert type(j.pw.log[-1]) is ev.LateEntry


def test_the_same_follow_up_sent_twice_is_logged_once() -> None:
    j = reach(S.FOLLOW_UP)
    report = ev.FollowUpRecorded(at=j.now + 7 * DAY, pain_score=2, event_id="ehr-42")
    assert j.pw.apply(report) == S.SUSTAINED_RELIEF
    size = len(j.pw.log)
    assert j.pw.apply(report) == S.SUSTAINED_RELIEF
    assert len(j.pw.log) == size
    assert j.pw.check(report).allowed
    other = ev.FollowUpRecorded(at=j.now + 8 * DAY, pain_score=5, event_id="ehr-42")
    with pytest.raises(fc.Rejected) as refused:
        j.pw.apply(other)
    assert refused.value.codes == ("duplicate_event_id",)
    assert len(j.pw.log) == size


# -- the correction codes at their boundaries ----------------------------------------------


def test_unknown_event_for_a_missing_or_retracted_seq() -> None:
    j = reach(S.BLOCK_SCHEDULED)
    size = len(j.pw.log)
    assert j.pw.check(ev.EnteredInError(at=j.now, seq=size, reason="r")).codes == (
        "unknown_event",)
    assert j.pw.check(ev.EnteredInError(at=j.now, seq=size - 1, reason="r")).allowed
    j.pw.apply(ev.EnteredInError(at=j.now, seq=size - 1, reason="r"))
    again = ev.EnteredInError(at=j.now, seq=size - 1, reason="r")
    assert j.pw.check(again).codes == ("unknown_event",)
    # A correction is not itself a clinical event to correct.
    assert j.pw.check(ev.EnteredInError(at=j.now, seq=size, reason="r")).codes == (
        "unknown_event",)


def test_amend_type_mismatch_and_its_counterpart() -> None:
    j = reach(S.BLOCK_SCHEDULED)
    booked = j.pw.log[1]
    assert isinstance(booked, ev.BlockScheduled)
    other = ev.NeurotomyScheduled(at=booked.at, visit_id="x", visit_at=booked.visit_at,
                                  targets=booked.targets)
    assert j.pw.check(ev.Amended(at=j.now, seq=1, replacement=other, reason="r")).codes == (
        "amend_type_mismatch",)
    moved = ev.BlockScheduled(at=booked.at, visit_id=booked.visit_id,
                              visit_at=booked.visit_at + DAY, targets=booked.targets,
                              escort_confirmed=True)
    assert j.pw.apply(ev.Amended(at=j.now, seq=1, replacement=moved, reason="r")) == (
        S.BLOCK_SCHEDULED)
    assert j.pw.facts.open_visit is not None
    assert j.pw.facts.open_visit.visit_at == booked.visit_at + DAY


def test_retracting_the_referral_leaves_nothing_and_is_refused() -> None:
    j = reach(S.REFERRED)
    assert j.pw.check(ev.EnteredInError(at=j.now, seq=0, reason="r")).codes == (
        "correction_conflict",)


def test_preview_shows_the_impact_and_changes_nothing() -> None:
    j = _assessed(baseline=8, score=2)
    j.book_neurotomy()
    seq = _seq(j.pw, ev.ReliefDiaryRecorded)
    before = (j.pw.log, j.pw.events, j.pw.facts)
    impact = j.pw.preview(ev.EnteredInError(at=j.now + LATER, seq=seq, reason="wrong patient"))
    assert (j.pw.log, j.pw.events, j.pw.facts) == before
    assert not impact.allowed
    assert impact.stage_before == "neurotomy_scheduled"
    assert impact.stage_after == "block_negative"
    assert [type(r.event) for r in impact.refused] == [ev.NeurotomyScheduled]
    assert impact.refused[0].codes
    assert [t.kind for t in impact.tasks_added] == ["decide_next_step"]
    assert "record_visit_outcome" in [t.kind for t in impact.tasks_removed]
    ok = j.pw.preview(ev.EnteredInError(at=j.now + LATER, seq=_seq(j.pw, ev.NeurotomyScheduled),
                                        reason="r"))
    assert ok.allowed and ok.stage_after == "block_positive"


def test_recorded_at_is_never_before_the_event() -> None:
    at = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    with pytest.raises(ValueError, match="recorded_at"):
        ev.Closed(at=at, reason="r", recorded_at=at - MINUTE)
    assert ev.Closed(at=at, reason="r", recorded_at=at).recorded_at == at
    with pytest.raises(ValueError, match="timezone-aware"):
        ev.Closed(at=at, reason="r", recorded_at=dt.datetime(2026, 3, 3))


def test_documents_carry_the_log_and_round_trip() -> None:
    j = _assessed(baseline=3, score=2)
    seq = _seq(j.pw, ev.BlockPerformed)
    wrong = j.pw.log[seq]
    assert isinstance(wrong, ev.BlockPerformed)
    j.pw.apply(ev.Amended(at=j.now + LATER, seq=seq, reason="r", event_id="fix-1",
                          replacement=ev.BlockPerformed(at=wrong.at, visit_id=wrong.visit_id,
                                                        targets=wrong.targets, baseline_pain=8)))
    text = j.pw.to_json()
    again = fc.Pathway.from_json(text)
    assert again == j.pw and again.log == j.pw.log and again.events == j.pw.events
    assert again.to_json() == text
    assert again.stage == S.BLOCK_POSITIVE


# -- the property -----------------------------------------------------------------------------


@pytest.mark.parametrize("policy", PROFILES, ids=[p.name for p in PROFILES])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_corrections_never_break_the_pathway(policy: fc.Policy,
                                                    data: st.DataObject) -> None:
    pw = fc.Pathway.replay(data.draw(journeys(policy, max_steps=25), label="journey"),
                           policy=policy)
    for _ in range(data.draw(st.integers(1, 4), label="corrections")):
        correction = data.draw(corrections(pw), label="correction")
        before = (pw.log, pw.events, pw.facts, pw.stage)
        verdict = pw.check(correction)
        try:
            pw.apply(correction)
        except fc.Rejected as refused:
            assert not verdict.allowed and refused.codes == verdict.codes
            assert (pw.log, pw.events, pw.facts, pw.stage) == before
            continue
        assert verdict.allowed
        assert pw.log[:-1] == before[0] and pw.log[-1] == correction
        # The effective history always passes every rule, and the document round-trips.
        assert fc.Pathway.replay(pw.events, policy=policy).stage == pw.stage
        assert fc.Pathway.replay(pw.log, policy=policy) == pw
        assert fc.Pathway.from_json(pw.to_json()) == pw


@pytest.mark.parametrize("outcome", ["accepted", "correction_conflict", "unknown_event",
                                     "amend_type_mismatch"])
def test_the_corrections_strategy_draws_every_outcome(outcome: str) -> None:
    pw = _assessed(baseline=8, score=2).book_neurotomy().pw

    def gives(correction: ev.Event) -> bool:
        verdict = pw.check(correction)
        return verdict.allowed if outcome == "accepted" else outcome in verdict.codes

    found = find(corrections(pw), gives, settings=settings(max_examples=2000, database=None))
    assert isinstance(found, ev.Correction)


def test_corrections_need_a_referred_pathway() -> None:
    with pytest.raises(ValueError, match="Referred"):
        corrections(fc.Pathway(policy=SEED))
