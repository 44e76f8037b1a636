"""What the scheduler must do at each stage, and how long a slot to book.

Where a task says a visit may be booked from a time, the rules are asked too:
booking at ``not_before`` is accepted and a second earlier is refused, so the
scheduler's windows and the rules cannot drift apart.
"""

from __future__ import annotations

import datetime as dt

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import facetcare as fc
from facetcare import events as ev
from facetcare import timing
from facetcare.testing import aware_datetimes
from journey import (
    DAY,
    HOUR,
    MEDICARE,
    MINUTE,
    POLICIES,
    POLICY_IDS,
    SEED,
    T0,
    UTC,
    Journey,
    R,
    S,
    reach,
    t,
    targets,
)

SECOND = dt.timedelta(seconds=1)
FAR = T0 + 3000 * DAY


def kinds(tasks: tuple[fc.Task, ...]) -> list[str]:
    return [task.kind for task in tasks]


def the(tasks: tuple[fc.Task, ...], kind: str) -> fc.Task:
    (task,) = [task for task in tasks if task.kind == kind]
    return task


def option(task: fc.Task, kind: str) -> fc.Option:
    (found,) = [o for o in task.options if o.kind == kind]
    return found


# -- per stage ---------------------------------------------------------------------------


def test_referred_schedule_block() -> None:
    j = reach(S.REFERRED)
    (task,) = j.pw.due(T0)
    assert (task.kind, task.not_before, task.due_by, task.visit_id) == (
        "schedule_block", T0, None, None)


def test_a_cancelled_visit_brings_back_schedule_block() -> None:
    j = reach(S.BLOCK_SCHEDULED)
    assert j.visit_id is not None
    j.go(ev.VisitCancelled(at=j.now + DAY, visit_id=j.visit_id, reason="patient unwell"))
    assert kinds(j.pw.due(j.now)) == ["schedule_block"]
    assert j.pw.due(j.now)[0].not_before == j.now


@pytest.mark.parametrize("book", [Journey.book_block, Journey.book_neurotomy])
def test_confirm_escort_until_the_visit(book: object) -> None:
    j = Journey() if book is Journey.book_block else Journey().positive_blocks()
    booked_at = j.now
    j.book(j.booking(ev.BlockScheduled if book is Journey.book_block else ev.NeurotomyScheduled,
                     escort_confirmed=False))
    assert j.visit_at is not None
    task = the(j.pw.due(j.now), "confirm_escort")
    assert (task.not_before, task.due_by, task.visit_id) == (booked_at, j.visit_at, j.visit_id)
    assert not task.overdue(j.visit_at)
    assert task.overdue(j.visit_at + SECOND)


def test_no_escort_task_when_confirmed_or_not_required() -> None:
    # Booked with escort_confirmed=True: only the visit's outcome is to be recorded.
    assert kinds(reach(S.BLOCK_SCHEDULED).pw.due(T0)) == ["record_visit_outcome"]
    walk_in = attrs.evolve(SEED, name="walk-in", escort_required=False)
    j = Journey(walk_in)
    j.book(j.booking(ev.BlockScheduled, escort_confirmed=False))
    assert kinds(j.pw.due(T0)) == ["record_visit_outcome"]


@pytest.mark.parametrize("stage", [S.CLOSED, S.WITHDRAWN])
def test_only_final_stages_are_without_tasks(stage: fc.Stage) -> None:
    assert reach(stage).pw.due(FAR) == ()


@pytest.mark.parametrize("stage", [S.BLOCK_SCHEDULED, S.NEUROTOMY_SCHEDULED])
def test_a_visit_whose_time_passed_needs_its_outcome(stage: fc.Stage) -> None:
    j = reach(stage)
    assert j.visit_at is not None
    task = the(j.pw.due(j.now), "record_visit_outcome")
    assert (task.not_before, task.visit_id) == (j.visit_at, j.visit_id)
    # Due by the end of the visit's clinic day; 11 days later it is overdue.
    assert task.due_by == dt.datetime.combine(j.visit_at.date() + dt.timedelta(days=1),
                                              dt.time(0), tzinfo=UTC)
    assert not task.overdue(j.visit_at)
    assert task.overdue(j.visit_at + 11 * DAY)


@pytest.mark.parametrize("stage", [S.BLOCK_VISIT, S.NEUROTOMY_VISIT])
def test_a_checked_in_visit_needs_its_procedure_recorded(stage: fc.Stage) -> None:
    j = reach(stage)
    (task,) = j.pw.due(j.now)
    assert (task.kind, task.not_before, task.visit_id) == ("record_procedure", j.now,
                                                           j.visit_id)
    assert task.overdue(j.now + DAY)


def test_sustained_relief_is_reviewed_on_the_policy_schedule() -> None:
    j = reach(S.SUSTAINED_RELIEF)
    last = j.now
    (task,) = j.pw.due(j.now)
    assert (task.kind, task.not_before) == ("record_follow_up", last + 91 * DAY)
    assert not task.overdue(last + 105 * DAY)
    assert task.overdue(last + 105 * DAY + SECOND)
    j.follow_up(2, after=100 * DAY)
    assert j.pw.due(j.now)[0].not_before == j.now + 91 * DAY
    monthly = attrs.evolve(SEED, name="monthly", follow_up_interval=30 * DAY)
    k = reach(S.SUSTAINED_RELIEF, monthly)
    assert k.pw.due(k.now)[0].not_before == k.now + 30 * DAY


def test_block_observation_discharge_and_diary() -> None:
    j = reach(S.BLOCK_OBSERVATION)
    assert j.block_at is not None
    tasks = j.pw.due(j.now)
    assert kinds(tasks) == ["record_relief_diary", "discharge"]
    discharge = the(tasks, "discharge")
    assert discharge.not_before == j.block_at + 60 * MINUTE
    assert discharge.visit_id == j.visit_id
    assert the(tasks, "record_relief_diary").not_before == j.block_at


def test_the_discharge_window_is_what_the_rule_allows() -> None:
    j = reach(S.BLOCK_OBSERVATION)
    assert j.visit_id is not None
    ready = the(j.pw.due(j.now), "discharge").not_before
    early = ev.Discharged(at=ready - SECOND, visit_id=j.visit_id, escort_present=True)
    assert j.pw.check(early).codes == ("observation_incomplete",)
    assert j.pw.check(ev.Discharged(at=ready, visit_id=j.visit_id, escort_present=True))


def test_relief_assessment_diary_and_assess() -> None:
    j = reach(S.RELIEF_ASSESSMENT)
    assert j.block_at is not None
    tasks = j.pw.due(j.now)
    assert kinds(tasks) == ["record_relief_diary", "assess_relief"]
    diary = the(tasks, "record_relief_diary")
    assert diary.due_by is None  # entries are judged by their own times
    assert not diary.overdue(FAR)
    assess = the(tasks, "assess_relief")
    assert assess.not_before == j.block_at + 4 * HOUR
    assert j.pw.check(ev.ReliefAssessed(at=assess.not_before))
    assert not j.pw.check(ev.ReliefAssessed(at=assess.not_before - SECOND))


def test_block_positive_schedule_neurotomy_from_the_next_day() -> None:
    j = reach(S.BLOCK_POSITIVE)
    assert j.block_at is not None
    (task,) = j.pw.due(j.now)
    midnight = dt.datetime.combine(j.block_at.date() + dt.timedelta(days=1), dt.time(0),
                                   tzinfo=UTC)
    assert (task.kind, task.not_before, task.due_by) == ("schedule_neurotomy", midnight, None)
    assert j.pw.check(j.booking(ev.NeurotomyScheduled, visit_at=task.not_before))
    assert not j.pw.check(j.booking(ev.NeurotomyScheduled, visit_at=task.not_before - SECOND))


def test_schedule_neurotomy_in_the_clinic_time_zone() -> None:
    tokyo = dt.timezone(dt.timedelta(hours=9))
    j = Journey(attrs.evolve(SEED, name="tokyo", time_zone="Asia/Tokyo"))
    block = dt.datetime(2026, 3, 17, 7, 0, tzinfo=tokyo)  # 22:00 UTC on the 16th
    j.book_block(visit_at=block - 10 * MINUTE).check_in().perform_block()
    j.discharge().diary((2 * HOUR, 1)).assess()
    (task,) = j.pw.due(j.now)
    assert task.not_before == dt.datetime(2026, 3, 18, 0, 0, tzinfo=tokyo)
    assert j.pw.check(j.booking(ev.NeurotomyScheduled, visit_at=task.not_before))
    assert not j.pw.check(j.booking(ev.NeurotomyScheduled, visit_at=task.not_before - SECOND))


def test_schedule_neurotomy_waits_for_a_late_assessment() -> None:
    # A block at 23:30 is assessed at 03:30: the neurotomy cannot be booked before that.
    j = Journey()
    j.book_block(visit_at=t(days=14, hours=14, minutes=20)).check_in().perform_block()
    j.discharge().diary((2 * HOUR, 1)).assess()
    assessed = j.now
    (task,) = j.pw.due(j.now)
    assert task.not_before == assessed
    assert j.pw.check(j.booking(ev.NeurotomyScheduled, visit_at=assessed))
    assert not j.pw.check(j.booking(ev.NeurotomyScheduled, visit_at=assessed - SECOND))


def test_block_positive_confirmatory_block_after_a_clinic_gap_of_14_days() -> None:
    # Medicare's LCD material sets no gap (docs/payer-rules.md): the next block at once.
    now = Journey(MEDICARE).block()
    assert the(now.pw.due(now.now), "schedule_block").not_before == now.now
    j = Journey(attrs.evolve(MEDICARE, name="gap", min_block_gap=14 * DAY)).block()
    assert j.block_at is not None
    (task,) = j.pw.due(j.now)
    assert task.kind == "schedule_block"
    assert task.not_before == j.block_at + 14 * DAY
    assert "1 more" in task.detail
    assert j.pw.check(j.booking(ev.BlockScheduled, visit_at=task.not_before))
    assert not j.pw.check(j.booking(ev.BlockScheduled, visit_at=task.not_before - SECOND))
    j.block()
    assert kinds(j.pw.due(j.now)) == ["schedule_neurotomy"]


def test_neurotomy_recovery_discharge_after_30_minutes() -> None:
    j = reach(S.NEUROTOMY_RECOVERY)
    assert j.neurotomy_at is not None
    (task,) = j.pw.due(j.now)
    assert (task.kind, task.not_before, task.visit_id) == (
        "discharge", j.neurotomy_at + 30 * MINUTE, j.visit_id)


def test_follow_up_due_by_the_end_of_settling() -> None:
    j = reach(S.FOLLOW_UP)
    assert j.neurotomy_at is not None
    (task,) = j.pw.due(j.now)
    assert task.kind == "record_follow_up"
    assert task.not_before == j.now
    assert task.due_by == j.neurotomy_at + 21 * DAY
    assert not task.overdue(j.neurotomy_at + 21 * DAY)
    assert task.overdue(j.neurotomy_at + 21 * DAY + SECOND)
    # A report while settling keeps the task, with the same deadline.
    j.follow_up(6, after=5 * DAY)
    assert the(j.pw.due(j.now), "record_follow_up").due_by == j.neurotomy_at + 21 * DAY


@pytest.mark.parametrize("stage", [S.BLOCK_NEGATIVE, S.NO_RELIEF, S.RECURRENCE])
@pytest.mark.parametrize("policy", [SEED, fc.Policy.consensus_2020()], ids=["seed", "consensus"])
def test_decide_next_step_now_without_repeat_limits(stage: fc.Stage, policy: fc.Policy) -> None:
    j = reach(stage, policy)
    (task,) = j.pw.due(j.now)
    assert (task.kind, task.not_before, task.due_by) == ("decide_next_step", j.now, None)
    assert task.detail


def test_decide_next_step_with_a_minimum_interval() -> None:
    commercial = attrs.evolve(SEED, name="commercial", min_neurotomy_interval=183 * DAY)
    j = Journey(commercial).positive_blocks().neurotomy().follow_up(2)
    j.pain_returned(after=30 * DAY)
    assert j.neurotomy_at is not None
    (task,) = j.pw.due(j.now)
    earliest = j.neurotomy_at + 183 * DAY
    # The decision is due now; the repeat is an option from the earliest date.
    assert (task.kind, task.not_before) == ("decide_next_step", j.now)
    repeat = option(task, "schedule_neurotomy")
    assert repeat.not_before == earliest
    assert repeat.available
    assert j.pw.check(j.booking(ev.NeurotomyScheduled, visit_at=earliest))
    assert not j.pw.check(j.booking(ev.NeurotomyScheduled, visit_at=earliest - SECOND))
    # Once the interval has passed, the repeat can be booked at once.
    late = Journey(commercial).positive_blocks().neurotomy().follow_up(2).pain_returned()
    assert option(late.pw.due(late.now)[0], "schedule_neurotomy").not_before == late.now


def test_decide_next_step_under_the_medicare_yearly_cap() -> None:
    j = Journey(MEDICARE).positive_blocks().neurotomy().follow_up(2)
    j.pain_returned(after=183 * DAY).neurotomy().follow_up(2).pain_returned(after=10 * DAY)
    first, second = j.neurotomy_times
    (task,) = j.pw.due(j.now)
    assert task.kind == "decide_next_step"
    repeat = option(task, "schedule_neurotomy")
    assert repeat.not_before == first + 365 * DAY
    assert (second + 730 * DAY).isoformat() in task.detail  # the re-block deadline
    # Ten days of relief cannot justify a repeat: listed, and blocked, with the reason.
    assert [r.code for r in repeat.blocked_by] == ["insufficient_prior_relief"]
    # The rules agree: after new blocks on the right, a neurotomy fits from that date.
    j.positive_blocks(targets("L4-L5", side=R))
    right = targets("L4-L5", side=R)
    earliest = the(j.pw.due(j.now), "schedule_neurotomy").not_before
    assert earliest == first + 365 * DAY
    assert j.pw.check(j.booking(ev.NeurotomyScheduled, right, visit_at=earliest))
    assert not j.pw.check(j.booking(ev.NeurotomyScheduled, right,
                                    visit_at=earliest - SECOND))


def test_decide_next_step_medicare_single_neurotomy_is_not_capped() -> None:
    j = reach(S.RECURRENCE, MEDICARE)
    (task,) = j.pw.due(j.now)
    assert task.not_before == j.now
    assert option(task, "schedule_neurotomy").not_before == j.now


# -- general properties ---------------------------------------------------------------


@pytest.mark.parametrize("policy", POLICIES, ids=POLICY_IDS)
@pytest.mark.parametrize("stage", list(fc.Stage))
def test_due_is_ordered_and_ignores_now(stage: fc.Stage, policy: fc.Policy) -> None:
    j = reach(stage, policy)
    tasks = j.pw.due(j.now)
    assert list(tasks) == sorted(tasks, key=lambda task: task.not_before)
    assert j.pw.due(T0 - 1000 * DAY) == tasks == j.pw.due(FAR)
    assert all(task.not_before.tzinfo is not None for task in tasks)
    # No pathway stands without work unless it is final.
    assert (tasks == ()) == stage.is_final


def test_naive_now_is_refused() -> None:
    j = reach(S.FOLLOW_UP)
    naive = dt.datetime(2026, 3, 2, 9, 0)
    with pytest.raises(ValueError, match="now"):
        j.pw.due(naive)
    task = j.pw.due(j.now)[0]
    with pytest.raises(ValueError, match="now"):
        task.overdue(naive)
    with pytest.raises(TypeError, match="now"):
        j.pw.due("2026-03-02")  # type: ignore[arg-type]


def test_the_clinic_day_functions_refuse_naive_times() -> None:
    naive = dt.datetime(2026, 3, 2, 23, 30)
    j = reach(S.FOLLOW_UP)
    calls = {
        "moment": [lambda: timing.next_clinic_day(naive, SEED),
                   lambda: timing.clinic_date(naive, SEED)],
        "visit_at": [lambda: timing.in_rolling_year((T0,), naive),
                     lambda: timing.reblock_needed(j.pw.facts, MEDICARE, naive)],
        "times": [lambda: timing.in_rolling_year((naive,), T0),
                  lambda: timing.earliest_under_cap((naive,), 1)],
    }
    for name, refused in calls.items():
        for call in refused:
            with pytest.raises(ValueError, match=name):
                call()
    with pytest.raises(TypeError, match="moment"):
        timing.next_clinic_day("2026-03-02", SEED)  # type: ignore[arg-type]


_CLINICS = [attrs.evolve(SEED, name=zone, time_zone=zone)
            for zone in ("UTC", "America/New_York", "Australia/Lord_Howe", "Pacific/Apia")]


@settings(max_examples=200, deadline=None)
@given(moment=aware_datetimes(), policy=st.sampled_from(_CLINICS))
def test_the_next_clinic_day_depends_on_the_instant_alone(moment: dt.datetime,
                                                          policy: fc.Policy) -> None:
    midnight = timing.next_clinic_day(moment, policy)
    assert midnight == timing.next_clinic_day(moment.astimezone(UTC), policy)
    assert moment < midnight <= moment + 2 * DAY
    assert timing.clinic_date(midnight, policy) > timing.clinic_date(moment, policy)
    with pytest.raises(ValueError, match="moment"):
        timing.next_clinic_day(moment.replace(tzinfo=None), policy)


def test_a_task_without_due_by_is_never_overdue() -> None:
    task = fc.Task("schedule_block", T0)
    assert not task.overdue(FAR)
    assert fc.Task("x", T0, T0 + DAY).overdue(T0 + DAY + SECOND)


# -- slot estimates ---------------------------------------------------------------------


def minutes(low: float, high: float) -> tuple[dt.timedelta, dt.timedelta]:
    return (dt.timedelta(minutes=low), dt.timedelta(minutes=high))


def test_block_slot() -> None:
    slot = fc.estimate_slot("block")
    assert slot.procedure == minutes(20, 30)
    assert slot.recovery == minutes(60, 60)
    assert slot.total == minutes(80, 90)


@pytest.mark.parametrize(
    ("nerves", "low"), [(1, 45), (2, 45), (3, 52.5), (5, 67.5), (8, 90), (20, 90)]
)
def test_neurotomy_slot_grows_with_nerves(nerves: int, low: float) -> None:
    slot = fc.estimate_slot("neurotomy", nerves=nerves)
    assert slot.procedure == minutes(low, 90)
    assert slot.recovery == minutes(30, 60)
    assert slot.total == minutes(low + 30, 150)


def test_neurotomy_slot_defaults_to_two_nerves_and_follows_the_policy() -> None:
    assert fc.estimate_slot("neurotomy") == fc.estimate_slot("neurotomy", nerves=2)
    longer = attrs.evolve(SEED, block_observation=90 * MINUTE, neurotomy_recovery=45 * MINUTE)
    assert fc.estimate_slot("block", policy=longer).recovery == minutes(90, 90)
    assert fc.estimate_slot("neurotomy", policy=longer).recovery == minutes(45, 60)


def test_bad_slot_requests() -> None:
    with pytest.raises(ValueError, match="procedure"):
        fc.estimate_slot("injection")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="nerves"):
        fc.estimate_slot("neurotomy", nerves=0)
    with pytest.raises(ValueError, match="nerves"):
        fc.estimate_slot("block", nerves=-2)
    with pytest.raises(TypeError, match="nerves"):
        fc.estimate_slot("neurotomy", nerves=True)
    with pytest.raises(TypeError, match="nerves"):
        fc.estimate_slot("neurotomy", nerves=2.5)  # type: ignore[arg-type]
