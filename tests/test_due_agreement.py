"""`due()` agrees with the rules: what it offers, the rules accept; a second earlier, they refuse.

The property runs over generated journeys under every shipped profile and
every prefix of them, for every booking task and every booking option of a
decision. The reproductions below are the cases where the two once disagreed.
"""

from __future__ import annotations

import datetime as dt

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import facetcare as fc
from facetcare import events as ev
from facetcare.codes import TIME_CODES
from facetcare.records import referral_record
from facetcare.scheduling import BOOKING_KINDS
from facetcare.testing import journeys
from journey import DAY, HOUR, MEDICARE, MINUTE, Journey, targets

SECOND = dt.timedelta(seconds=1)
#: The shipped profiles, and one with every time rule at once (a repeat interval too).
PROFILES = [*fc.Policy.profiles().values(),
            attrs.evolve(fc.Policy.medicare_l38803(), name="every-time-rule",
                         min_neurotomy_interval=183 * DAY, repeat_min_relief_duration=None,
                         repeat_min_relief=None, time_zone="America/Chicago")]
#: A booking option may be refused by these whatever its date: listed, blocked.
_TIMELESS = TIME_CODES - {"visit_in_past"}


def _targets_for(pw: fc.Pathway, kind: str) -> tuple[fc.Target, ...] | None:
    """Targets a valid booking of ``kind`` would name now, or None if there are none."""
    facts = pw.facts
    if kind == "schedule_block":
        if facts.block is not None:
            return facts.block.targets
        joint = {"lumbar": "L4-L5", "thoracic": "T6-T7", "cervical": "C4-C5"}[facts.region]
        return (fc.Target(joint, "left"),)
    origin = facts.state
    treatable = facts.treatable_nerves(origin, pw.policy_in_force.blocks_required)
    pool = facts.neurotomy.targets if facts.neurotomy and origin == "recurrence" else (
        facts.block.targets if facts.block else ())
    chosen = tuple(t for t in pool if {(n, t.side) for n in t.nerves} <= treatable)
    return chosen or None


def _booking(pw: fc.Pathway, kind: str, visit_at: dt.datetime,
             chosen: tuple[fc.Target, ...]) -> ev.BlockScheduled | ev.NeurotomyScheduled:
    made = ev.BlockScheduled if kind == "schedule_block" else ev.NeurotomyScheduled
    assert pw.facts.last_at is not None
    return made(at=pw.facts.last_at, visit_id="probe-visit", visit_at=visit_at,
                targets=chosen, escort_confirmed=True)


def _offers(pw: fc.Pathway) -> list[tuple[str, dt.datetime, tuple[fc.Reason, ...]]]:
    """Every (booking kind, earliest visit, blocked_by) the pathway's tasks offer."""
    assert pw.facts.last_at is not None
    found = []
    for task in pw.due(pw.facts.last_at):
        if task.kind in BOOKING_KINDS:
            found.append((task.kind, task.not_before, ()))
        found += [(o.kind, o.not_before, o.blocked_by) for o in task.options
                  if o.kind in BOOKING_KINDS]
    return found


def assert_due_agrees(pw: fc.Pathway) -> int:
    """The agreement for one pathway; returns how many offers were checked."""
    checked = 0
    for kind, earliest, blocked_by in _offers(pw):
        chosen = _targets_for(pw, kind)
        if chosen is None:
            continue
        at_earliest = set(pw.check(_booking(pw, kind, earliest, chosen)).codes)
        blocking = {r.code for r in blocked_by}
        # At its own earliest date an option is never blocked by a time rule, except the
        # re-block deadline, which no later date can meet either.
        assert not blocking & (TIME_CODES - {"reblock_required"}), (kind, earliest, blocking)
        assert not (at_earliest & _TIMELESS) - blocking, (kind, earliest, at_earliest)
        if not blocking:
            assert not at_earliest & TIME_CODES, (kind, earliest, at_earliest)
        before = set(pw.check(_booking(pw, kind, earliest - SECOND, chosen)).codes)
        assert before & TIME_CODES, (kind, earliest, before)
        checked += 1
    return checked


@pytest.mark.parametrize("policy", PROFILES, ids=[p.name for p in PROFILES])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_due_agrees_with_the_rules_on_every_prefix(policy: fc.Policy, data: st.DataObject) -> None:
    events = data.draw(journeys(policy), label="journey")
    pw = fc.Pathway(policy=policy)
    for event in events:
        pw.apply(event)
        assert_due_agrees(pw)


@pytest.mark.parametrize("policy", PROFILES, ids=[p.name for p in PROFILES])
def test_due_agrees_at_a_recurrence(policy: fc.Policy) -> None:
    region = policy.regions[0] if policy.regions else fc.Region.LUMBAR
    joint = targets("C5-C6" if region == fc.Region.CERVICAL else "L4-L5")
    j = Journey(policy, region=region).positive_blocks(joint).neurotomy(joint).follow_up(2)
    j.pain_returned(after=30 * DAY)
    assert j.stage == "recurrence"
    assert assert_due_agrees(j.pw) == 2  # the repeat and a new block


# -- what was seen -----------------------------------------------------------------------


def _option(task: fc.Task, kind: str) -> fc.Option:
    (found,) = [o for o in task.options if o.kind == kind]
    return found


def test_a_clinic_gap_after_a_negative_block_is_in_the_date() -> None:
    # The LCD material sets no gap between blocks (docs/payer-rules.md): a clinic's own.
    j = Journey(attrs.evolve(MEDICARE, name="gap", min_block_gap=14 * DAY)).block(positive=False)
    assert j.block_at is not None
    (task,) = j.pw.due(j.now)
    assert task.kind == "decide_next_step"
    block = _option(task, "schedule_block")
    assert block.not_before == j.block_at + 14 * DAY
    seven_days = j.booking(ev.BlockScheduled, visit_at=j.block_at + 7 * DAY)
    assert j.pw.check(seven_days).codes == ("block_interval",)
    assert j.pw.check(j.booking(ev.BlockScheduled, visit_at=block.not_before)).allowed
    assert assert_due_agrees(j.pw) == 1


def test_medicare_yearly_block_cap_is_in_the_date() -> None:
    # Three negative blocks and a positive one within twelve months.
    j = Journey(MEDICARE)
    for _ in range(3):
        j.block(positive=False)
    j.block()
    first = j.block_times[0]
    (task,) = j.pw.due(j.now)
    assert task.kind == "schedule_block"
    assert task.not_before == first + 365 * DAY
    assert j.pw.check(j.booking(ev.BlockScheduled, visit_at=first + 365 * DAY)).allowed
    assert j.pw.check(j.booking(ev.BlockScheduled,
                                visit_at=first + 365 * DAY - SECOND)).codes == ("annual_limit",)


def test_medicare_repeat_after_short_relief_is_offered_blocked() -> None:
    j = Journey(MEDICARE).positive_blocks().neurotomy().follow_up(2)
    j.pain_returned(after=119 * DAY)
    (task,) = j.pw.due(j.now)
    repeat = _option(task, "schedule_neurotomy")
    assert [r.code for r in repeat.blocked_by] == ["insufficient_prior_relief"]
    assert "183 d" in repeat.blocked_by[0].message
    assert _option(task, "schedule_block").available
    assert _option(task, "close").available


def test_a_visit_that_passed_unrecorded_is_overdue_work() -> None:
    j = Journey()
    j.book_block()
    assert j.visit_at is not None
    now = j.visit_at + 11 * DAY
    (task,) = [t for t in j.pw.due(now) if t.kind == "record_visit_outcome"]
    assert task.overdue(now)


def test_sustained_relief_has_its_next_review() -> None:
    j = Journey().positive_blocks().neurotomy().follow_up(2)
    assert j.stage == "sustained_relief"
    (task,) = j.pw.due(j.now)
    assert task.kind == "record_follow_up"
    assert task.not_before == j.now + MEDICARE.follow_up_interval


def test_the_policy_cannot_be_reassigned() -> None:
    j = Journey()
    with pytest.raises(AttributeError):
        j.pw.policy = MEDICARE  # type: ignore[misc]
    assert j.pw.policy == fc.Policy.seed()


def test_a_payer_change_judges_later_events_only() -> None:
    j = Journey().block()  # one positive block: enough under the seed
    assert j.stage == "block_positive"
    before = j.pw.events
    j.go(ev.PolicyChanged(at=j.now + HOUR, policy=MEDICARE, reason="now on Medicare"))
    assert j.pw.policy == fc.Policy.seed() and j.pw.policy_in_force == MEDICARE
    assert j.pw.events[:-1] == before and j.stage == "block_positive"
    # Medicare wants a second positive block: a neurotomy is refused now.
    assert "no_positive_block" in j.pw.check(j.booking(ev.NeurotomyScheduled)).codes
    (task,) = j.pw.due(j.now)
    assert (task.kind, task.policy) == ("schedule_block", MEDICARE.name)
    # The document keeps the change; replay gives the same pathway.
    again = fc.Pathway.from_json(j.pw.to_json())
    assert again == j.pw and again.policy_in_force == MEDICARE


def test_prior_procedures_count_in_the_caps() -> None:
    t0 = Journey().now
    earlier = [fc.PriorProcedure("block", t0 - (100 - 10 * i) * DAY, "pw-old") for i in range(4)]
    referral = ev.Referred(at=t0, pathway_id="pw-new", patient_id="pt-1", region="lumbar",
                           prior_procedures=earlier, **referral_record(MEDICARE, "lumbar"))
    pw = fc.Pathway.start(referral, policy=MEDICARE)
    (task,) = pw.due(t0)
    assert task.not_before == earlier[0].at + 365 * DAY
    booking = ev.BlockScheduled(at=t0, visit_id="b1", visit_at=t0 + 14 * DAY,
                                targets=targets("L4-L5"), escort_confirmed=True)
    assert pw.check(booking).codes == ("annual_limit",)
    assert fc.Pathway.from_json(pw.to_json()) == pw


def test_prior_procedures_cannot_postdate_the_referral() -> None:
    t0 = Journey().now
    with pytest.raises(ValueError, match="prior_procedures"):
        ev.Referred(at=t0, pathway_id="p", patient_id="x", region="lumbar",
                    prior_procedures=[fc.PriorProcedure("block", t0 + MINUTE, "old")])


def test_facts_are_frozen_and_do_not_change_under_a_reader() -> None:
    j = Journey()
    held = j.pw.facts
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        held.state = "closed"  # type: ignore[misc]
    j.book_block()
    assert held.state == "referred" and j.pw.facts.state == "block_scheduled"
    assert held.visits == {} and len(j.pw.facts.visits) == 1
