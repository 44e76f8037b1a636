"""What a scheduling system must do next: `due`, its `Task` values and their options.

`due` turns a pathway's facts into tasks with their windows; it never reads
the clock (the caller passes ``now``, which is only validated: the tasks do
not depend on it, so a store can keep them as rows). Every booking date it
offers comes from `facetcare.timing`, the functions the rules refuse with,
and every option it lists is judged by the rules themselves, so what `due`
offers the rules accept (docs/scheduling.md).

``not_before`` means, for a booking task or option (``schedule_block``,
``schedule_neurotomy``), the earliest visit time the rules allow; for every
other task, the earliest time to act. ``due_by`` is the latest time to act,
or None.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import attrs

from facetcare import _validate, timing
from facetcare import events as ev
from facetcare.anatomy import JOINTS, Side
from facetcare.errors import Reason
from facetcare.facts import Facts, nerves_of
from facetcare.machine import Stage
from facetcare.policy import Policy
from facetcare.rules import RULES
from facetcare.slots import SlotEstimate, estimate_slot

__all__ = ["BOOKING_KINDS", "Option", "SlotEstimate", "Task", "confirmed_targets", "due",
           "estimate_slot"]

#: Task kinds whose ``not_before`` is the earliest allowed visit time.
BOOKING_KINDS = frozenset({"schedule_block", "schedule_neurotomy"})
#: A follow-up not recorded within this time after it fell due is overdue (an assumption:
#: two weeks to reach the patient).
_FOLLOW_UP_GRACE = dt.timedelta(days=14)


@attrs.frozen
class Option:
    """One way on from a decision: the task ``kind`` it leads to, from when, and what blocks it.

    ``blocked_by`` holds the reasons the rules would refuse it for at
    ``not_before``; an option no date can make valid is listed, blocked, so
    the desk can say why.
    """

    kind: str
    not_before: dt.datetime
    blocked_by: tuple[Reason, ...] = ()

    @property
    def available(self) -> bool:
        return not self.blocked_by


@attrs.frozen
class Task:
    """Work for the scheduler: do ``kind`` from ``not_before``, by ``due_by`` if set."""

    kind: str
    not_before: dt.datetime
    due_by: dt.datetime | None = None
    visit_id: str | None = None
    detail: str = ""
    #: For ``decide_next_step``: the ways on, each with its earliest date.
    options: tuple[Option, ...] = ()
    #: The name of the policy in force when the task was computed.
    policy: str = ""

    def overdue(self, now: dt.datetime) -> bool:
        """True once ``due_by`` has passed (a task without one is never overdue)."""
        _validate.require_aware("now", now)  # like event times: aware only
        return self.due_by is not None and now > self.due_by


def _task(policy: Policy, kind: str, not_before: dt.datetime,  # noqa: PLR0917
          due_by: dt.datetime | None = None, visit_id: str | None = None, detail: str = "",
          options: tuple[Option, ...] = ()) -> Task:
    return Task(kind, not_before, due_by, visit_id, detail, options, policy.name)


def _blocked_by(facts: Facts, booking: ev.BlockScheduled | ev.NeurotomyScheduled,
                policy: Policy) -> tuple[Reason, ...]:
    """The reasons the rules give for a booking, apart from its id and its booking time."""
    skip = {"visit_in_past", "duplicate_visit"}
    found = (rule(facts, booking, policy) for rule in RULES[type(booking)])
    return tuple(r for r in found if r is not None and r.code not in skip)


def _probe_id(facts: Facts) -> str:
    """A visit id no visit of the pathway has, and short: a probe is a real, valid event."""
    probe, n = "option", 1
    while probe in facts.visits:
        n += 1
        probe = f"option-{n}"
    return probe


def _probe_at(earliest: dt.datetime) -> dt.datetime:
    """``earliest``, or the calendar's last instant if the rules allow nothing before its end.

    A probe booking is a real event, so its ``visit_at`` must be a supported
    time; past `_validate.LATEST` the rules' own timing reasons then say why nothing
    can be booked within the calendar.
    """
    return min(earliest, _validate.LATEST)


def _block_option(facts: Facts, policy: Policy) -> Option:
    earliest = timing.earliest_block_visit(facts, policy)
    blocked: tuple[Reason, ...] = ()
    if facts.block is not None:
        assert facts.last_at is not None
        probe = ev.BlockScheduled(at=facts.last_at, visit_id=_probe_id(facts),
                                  visit_at=_probe_at(earliest), targets=facts.block.targets)
        blocked = _blocked_by(facts, probe, policy)
    return Option("schedule_block", earliest, blocked)


def confirmed_targets(facts: Facts, policy: Policy) -> tuple[ev.Target, ...]:
    """The region's targets whose nerves the series confirms and no neurotomy treated since."""
    confirmed = facts.confirmed_nerves(policy.blocks_required)
    if not confirmed:
        return ()
    return tuple(
        target for joint, region in JOINTS.items() if region == facts.region
        for target in (ev.Target(joint, Side.LEFT), ev.Target(joint, Side.RIGHT))
        if nerves_of((target,)) <= confirmed
    )


def _confirmed_option(facts: Facts, policy: Policy,
                      treated: tuple[ev.Target, ...]) -> Option:
    """A neurotomy of the still-confirmed targets (after a negative block elsewhere, or staged)."""
    assert facts.last_at is not None
    earliest = timing.earliest_neurotomy_visit(facts, policy)
    probe = ev.NeurotomyScheduled(at=facts.last_at, visit_id=_probe_id(facts),
                                  visit_at=_probe_at(earliest), targets=treated)
    return Option("schedule_neurotomy", earliest, _blocked_by(facts, probe, policy))


def _staged(facts: Facts, policy: Policy) -> list[Task]:
    """Staged care: confirmed targets the last neurotomy did not treat (e.g. the other side)."""
    treated = confirmed_targets(facts, policy)
    if not treated or len(facts.series) < policy.blocks_required:
        return []
    earliest = timing.earliest_neurotomy_visit(facts, policy)
    names = ", ".join(f"{t.side} {t.joint}" for t in treated)
    return [_task(policy, "schedule_neurotomy", earliest, None, None,
                  f"staged care: {names} confirmed and not yet treated may be booked")]


def _repeat_option(facts: Facts, policy: Policy) -> Option:
    assert facts.neurotomy is not None and facts.last_at is not None
    earliest = timing.earliest_neurotomy_visit(facts, policy)
    probe = ev.NeurotomyScheduled(at=facts.last_at, visit_id=_probe_id(facts),
                                  visit_at=_probe_at(earliest), targets=facts.neurotomy.targets)
    return Option("schedule_neurotomy", earliest, _blocked_by(facts, probe, policy))


def _referred(facts: Facts, policy: Policy) -> list[Task]:
    return [_task(policy, "schedule_block", timing.earliest_block_visit(facts, policy),
                 detail="book a diagnostic medial branch block")]


def _scheduled(facts: Facts, policy: Policy) -> list[Task]:
    visit = facts.open_visit
    assert visit is not None and facts.last_at is not None
    tasks = [_task(policy, "record_visit_outcome", visit.visit_at,
                  timing.next_clinic_day(visit.visit_at, policy), visit.visit_id,
                  f"record the check-in, no-show or cancellation of the {visit.kind} visit")]
    if policy.escort_required and not visit.escort_confirmed:
        tasks.append(_task(policy, "confirm_escort", facts.last_at, visit.visit_at, visit.visit_id,
                          f"confirm a driver home for the {visit.kind} visit"))
    return tasks


def _in_visit(facts: Facts, policy: Policy) -> list[Task]:
    visit = facts.open_visit
    assert visit is not None and facts.last_at is not None
    by = timing.next_clinic_day(facts.last_at, policy)
    return [_task(policy, "record_procedure", facts.last_at, by,
                 visit.visit_id, f"record the {visit.kind} performed, or cancel the visit")]


def _shown(moment: dt.datetime, policy: Policy) -> str:
    """A time in a task's wording: at the clinic, whatever offset it arrived in."""
    return moment.astimezone(timing.clinic_zone(policy.time_zone)).isoformat()


def _diary(facts: Facts, policy: Policy) -> Task:
    window = timing.relief_window(facts, policy)
    assert window is not None
    return _task(policy, "record_relief_diary", window[0], None, None,
                f"diary entries count from the block until {_shown(window[1], policy)}")


def _observation(facts: Facts, policy: Policy) -> list[Task]:
    ready = timing.discharge_ready_at(facts, policy)
    assert ready is not None
    visit_id = facts.open_visit.visit_id if facts.open_visit else None
    return [_diary(facts, policy),
            _task(policy, "discharge", ready, None, visit_id,
                 "home with a driver after the observation period")]


def _assessment(facts: Facts, policy: Policy) -> list[Task]:
    opens = timing.assessment_opens_at(facts, policy)
    assert opens is not None
    return [_diary(facts, policy),
            _task(policy, "assess_relief", opens, None, None, "conclude the relief assessment")]


def _positive(facts: Facts, policy: Policy) -> list[Task]:
    if len(facts.series) < policy.blocks_required:
        needed = policy.blocks_required - len(facts.series)
        earliest = timing.earliest_block_visit(facts, policy)
        return [_task(policy, "schedule_block", earliest, None, None,
                     f"confirmatory block: {needed} more positive block(s) needed")]
    earliest = timing.earliest_neurotomy_visit(facts, policy)
    return [_task(policy, "schedule_neurotomy", earliest, None,
                 None, "book the neurotomy as a separate visit on a later day")]


def _recovery(facts: Facts, policy: Policy) -> list[Task]:
    ready = timing.discharge_ready_at(facts, policy)
    assert ready is not None
    visit_id = facts.open_visit.visit_id if facts.open_visit else None
    return [_task(policy, "discharge", ready, None, visit_id, "home with a driver after recovery")]


def _follow_up(facts: Facts, policy: Policy) -> list[Task]:
    assert facts.last_at is not None
    return [_task(policy, "record_follow_up", facts.last_at, timing.settling_ends_at(facts, policy),
                 None, "pain report and follow-up appointment"), *_staged(facts, policy)]


def _sustained(facts: Facts, policy: Policy) -> list[Task]:
    next_at = timing.next_follow_up_at(facts, policy)
    assert next_at is not None
    return [_task(policy, "record_follow_up", next_at, next_at + _FOLLOW_UP_GRACE, None,
                 "routine review while relief lasts; record pain returned if it has"),
            *_staged(facts, policy)]


_DECISIONS = {
    Stage.BLOCK_NEGATIVE: "block negative: other nerves, another block, or close",
    Stage.NO_RELIEF: "neurotomy gave no relief: reassess, block other nerves, or close",
    Stage.RECURRENCE: "pain returned: repeat neurotomy, new block, or close",
}


def _decide(facts: Facts, policy: Policy) -> list[Task]:
    assert facts.last_at is not None
    options = []
    detail = _DECISIONS[Stage(facts.state)]
    if facts.state == Stage.RECURRENCE and facts.neurotomy is not None:
        repeat = _repeat_option(facts, policy)
        options.append(repeat)
        deadline = timing.reblock_deadline(facts, policy)
        if deadline is not None:
            detail += f"; a repeat without new blocks only before {_shown(deadline, policy)}"
    elif facts.state == Stage.BLOCK_NEGATIVE:
        still = confirmed_targets(facts, policy)
        if still and len(facts.series) >= policy.blocks_required:
            options.append(_confirmed_option(facts, policy, still))
            detail += "; " + ", ".join(f"{t.side} {t.joint}" for t in still) + " still confirmed"
    options.append(_block_option(facts, policy))
    options.append(Option("close", facts.last_at))
    return [_task(policy, "decide_next_step", facts.last_at, None, None, detail, tuple(options))]


_TASKS: dict[str, Callable[[Facts, Policy], list[Task]]] = {
    Stage.REFERRED: _referred,
    Stage.BLOCK_SCHEDULED: _scheduled,
    Stage.NEUROTOMY_SCHEDULED: _scheduled,
    Stage.BLOCK_VISIT: _in_visit,
    Stage.NEUROTOMY_VISIT: _in_visit,
    Stage.BLOCK_OBSERVATION: _observation,
    Stage.RELIEF_ASSESSMENT: _assessment,
    Stage.BLOCK_POSITIVE: _positive,
    Stage.NEUROTOMY_RECOVERY: _recovery,
    Stage.FOLLOW_UP: _follow_up,
    Stage.SUSTAINED_RELIEF: _sustained,
    Stage.BLOCK_NEGATIVE: _decide,
    Stage.NO_RELIEF: _decide,
    Stage.RECURRENCE: _decide,
}


def due(facts: Facts, policy: Policy, now: dt.datetime) -> tuple[Task, ...]:
    """Every open task of the pathway's current stage, ordered by ``not_before``.

    Future tasks are included (a scheduler books ahead); `Task.overdue`
    says which have passed their ``due_by`` at ``now``. ``policy`` is the
    policy in force.
    """
    _validate.require_aware("now", now)  # like event times: aware only
    making = _TASKS.get(facts.state)
    if making is None:
        return ()
    return tuple(sorted(making(facts, policy), key=lambda t: (t.not_before, t.kind)))
