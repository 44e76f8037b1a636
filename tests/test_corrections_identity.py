"""Corrections keep every identity: the pathway's, each event id's, and the batch positions.

Each test is a desk's or an integrator's mistake that the corrections once let
through: a referral amended onto another pathway, an id reused inside a late
entry, a batch half applied, a caller's subclass of a correction, a refusal
reported at the wrong position, and a log of corrections that would take
hours to judge.
"""

from __future__ import annotations

import datetime as dt

import attrs
import pytest

import facetcare as fc
from facetcare import documents
from facetcare import events as ev
from journey import DAY, HOUR, MINUTE, T0, Journey, S, reach, referral


def _snapshot(pw: fc.Pathway) -> tuple[object, ...]:
    return (pw.stage, pw.events, pw.log, pw.facts, pw.to_json())


# -- a referral's identity ------------------------------------------------------------


@pytest.mark.parametrize(("field", "value"), [
    ("pathway_id", "pw-X"), ("patient_id", "pt-X"), ("region", fc.Region.CERVICAL)])
def test_an_amended_referral_keeps_the_pathways_identity(field: str, value: object) -> None:
    pw = fc.Pathway.start(referral())
    before = _snapshot(pw)
    moved = attrs.evolve(referral(), **{field: value})
    with pytest.raises(fc.Rejected) as refused:
        pw.apply(ev.Amended(at=T0 + HOUR, seq=0, replacement=moved, reason="typo"))
    assert refused.value.codes == ("amend_type_mismatch",)
    assert field in str(refused.value)
    assert _snapshot(pw) == before


def test_an_amended_referral_may_correct_its_other_findings() -> None:
    pw = fc.Pathway.start(referral(pain_months=6))
    fixed = attrs.evolve(referral(pain_months=6), pain_months=9)
    assert pw.apply(ev.Amended(at=T0 + HOUR, seq=0, replacement=fixed, reason="typo")) == S.REFERRED
    assert pw.events[0] == fixed


# -- event ids carried inside corrections ------------------------------------------------


def _missed_and_retracted() -> tuple[fc.Pathway, ev.EnteredInError]:
    j = reach(S.BLOCK_SCHEDULED)
    assert j.visit_at is not None and j.visit_id is not None
    j.go(ev.VisitMissed(at=j.visit_at + HOUR, visit_id=j.visit_id, event_id="m1"))
    fix = ev.EnteredInError(at=j.visit_at + 2 * HOUR, seq=len(j.pw.log) - 1, reason="wrong row",
                            event_id="c1")
    j.pw.apply(fix)
    return j.pw, fix


@pytest.mark.parametrize("taken", ["c1", "m1"])
def test_a_late_entry_cannot_reuse_an_accepted_id(taken: str) -> None:
    pw, _ = _missed_and_retracted()
    before = _snapshot(pw)
    late = ev.LateEntry(at=T0 + DAY, reason="late", event=ev.PolicyChanged(
        at=T0 + MINUTE, policy=fc.Policy.seed(), reason="p", event_id=taken))
    assert pw.check(late).codes == ("duplicate_event_id",)
    with pytest.raises(fc.Rejected) as refused:
        pw.apply(late)
    assert refused.value.codes == ("duplicate_event_id",)
    with pytest.raises(fc.Rejected):
        pw.apply_all([late])
    assert _snapshot(pw) == before


def test_a_late_entry_and_its_event_cannot_share_an_id() -> None:
    pw = fc.Pathway.start(referral())
    late = ev.LateEntry(at=T0 + DAY, reason="late", event_id="x", event=ev.PolicyChanged(
        at=T0 + MINUTE, policy=fc.Policy.seed(), reason="p", event_id="x"))
    assert pw.check(late).codes == ("duplicate_event_id",)


def test_an_amendment_may_keep_the_id_of_the_event_it_replaces() -> None:
    pw = fc.Pathway.start(referral(event_id="r1", pain_months=6))
    first = ev.Amended(at=T0 + HOUR, seq=0, reason="typo",
                       replacement=referral(event_id="r1", pain_months=9))
    assert pw.apply(first) == S.REFERRED
    again = ev.Amended(at=T0 + 2 * HOUR, seq=0, reason="typo again",
                       replacement=referral(event_id="r1", pain_months=10))
    assert pw.apply(again) == S.REFERRED
    assert pw.events[0].pain_months == 10  # type: ignore[attr-defined]


def test_a_late_entry_resent_with_only_its_events_id_is_logged_once() -> None:
    pw = fc.Pathway.start(referral())
    late = ev.LateEntry(at=T0 + DAY, reason="late", event=ev.PolicyChanged(
        at=T0 + MINUTE, policy=fc.Policy.seed(), reason="p", event_id="pc1"))
    pw.apply(late)
    before = _snapshot(pw)
    assert pw.check(late).allowed
    assert pw.apply(late) == pw.stage
    assert _snapshot(pw) == before


# -- batches --------------------------------------------------------------------------


@pytest.mark.parametrize("with_correction", [False, True])
def test_a_batch_holding_a_non_event_changes_nothing(with_correction: bool) -> None:
    j = reach(S.REFERRED)
    before = _snapshot(j.pw)
    first: ev.Event = (ev.EnteredInError(at=T0 + DAY, seq=0, reason="x") if with_correction
                       else ev.Withdrawn(at=T0 + DAY, reason="moved away"))
    with pytest.raises(TypeError, match="event 1"):
        j.pw.apply_all([first, None])  # type: ignore[list-item]
    assert _snapshot(j.pw) == before


def test_a_batch_reports_the_position_of_the_refused_event_not_of_its_equal() -> None:
    j = reach(S.BLOCK_SCHEDULED)
    assert j.visit_at is not None and j.visit_id is not None
    j.go(ev.PolicyChanged(at=j.now + MINUTE, policy=fc.Policy.seed(), reason="renewed"))
    check_in = ev.CheckedIn(at=j.visit_at, visit_id=j.visit_id, escort_present=True)
    retract = ev.EnteredInError(at=j.visit_at + HOUR, seq=len(j.pw.log) - 1, reason="x")
    with pytest.raises(fc.Rejected) as refused:
        j.pw.apply_all([retract, check_in, check_in])
    assert refused.value.index == 2


# -- the correction types themselves ------------------------------------------------------


@attrs.frozen(kw_only=True)
class _Retraction(ev.EnteredInError):
    """A caller's subclass: the documents have no form for it."""


def test_a_subclass_of_a_correction_is_refused_like_any_unknown_event() -> None:
    j = reach(S.BLOCK_SCHEDULED)
    before = _snapshot(j.pw)
    odd = _Retraction(at=j.now + HOUR, seq=1, reason="x")
    assert j.pw.check(odd).codes == ("invalid_transition",)
    with pytest.raises(fc.Rejected):
        j.pw.apply(odd)
    with pytest.raises(fc.Rejected):
        j.pw.apply_all([odd])
    with pytest.raises(TypeError):
        j.pw.preview(odd)
    assert _snapshot(j.pw) == before
    with pytest.raises(fc.Rejected):
        j.pw.apply(ev.Correction(at=j.now + HOUR))  # the base class is no correction either


# -- bounded work for a log of corrections ---------------------------------------------------


def _amended_many(count: int) -> fc.Pathway:
    pw = fc.Pathway.start(referral(pain_months=6))
    for k in range(count):
        pw.apply(ev.Amended(at=T0 + (k + 1) * MINUTE, seq=0, reason="again",
                            replacement=referral(pain_months=6 + k % 2)))
    return pw


def test_a_log_whose_corrections_replay_too_much_is_refused_before_any_replay() -> None:
    pw = _amended_many(40)  # positions 1..40: 820 events replayed in all
    text = pw.to_json()
    assert fc.Pathway.from_json(text) == pw
    tight = attrs.evolve(documents.DEFAULT_LIMITS, max_correction_replay=819)
    with pytest.raises(fc.SerializationError, match="max_correction_replay"):
        fc.Pathway.from_json(text, limits=tight)
    exact = attrs.evolve(documents.DEFAULT_LIMITS, max_correction_replay=820)
    assert fc.Pathway.from_json(text, limits=exact) == pw
    lines = documents.dump_events_jsonl(pw.log)
    with pytest.raises(fc.SerializationError, match="max_correction_replay"):
        documents.load_events_jsonl(lines, limits=tight)
    assert documents.load_events_jsonl(lines, limits=exact) == list(pw.log)


# -- due() near the end of the calendar, and with many visits ----------------------------------


def test_due_near_the_end_of_the_calendar_says_why_nothing_can_be_booked() -> None:
    late = dt.datetime(8999, 6, 1, 9, 0, tzinfo=dt.UTC)
    policy = attrs.evolve(fc.Policy.seed(), min_block_gap=dt.timedelta(days=300))
    j = Journey(policy, at=late).book_block().check_in().perform_block(baseline=8)
    j.discharge().diary((2 * HOUR, 8)).assess()
    assert j.stage == S.BLOCK_NEGATIVE
    options = [o for task in j.pw.due(j.now) for o in task.options if o.kind == "schedule_block"]
    assert options and options[0].not_before.year == 9000
    assert [r.code for r in options[0].blocked_by] == ["block_interval"]


@pytest.mark.parametrize("pattern", ["dashes", "numbers"])
def test_due_works_whatever_visit_ids_the_clinic_used(pattern: str) -> None:
    """Ids like the probe's own: its id stays short and unused (ids stop at 200 characters)."""
    pw = fc.Pathway.start(referral())
    visit_at = T0 + DAY
    for k in range(195):  # up to 'option' and 194 dashes: 200 characters
        visit_id = "option" + "-" * k if pattern == "dashes" else (
            "option" if k == 0 else f"option-{k + 1}")
        pw.apply(ev.BlockScheduled(at=T0, visit_id=visit_id, visit_at=visit_at,
                                   targets=(fc.Target("L4-L5", fc.Side.LEFT),)))
        pw.apply(ev.VisitCancelled(at=T0, visit_id=visit_id, reason="patient asked"))
    j = Journey()
    j.pw = pw
    j.book_block().check_in().perform_block(baseline=8).discharge().diary((2 * HOUR, 8)).assess()
    assert j.stage == S.BLOCK_NEGATIVE
    assert [task.kind for task in pw.due(j.now)] == ["decide_next_step"]
