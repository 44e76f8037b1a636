"""What a scheduling system must do next, and how long a slot to book.

`due` turns a pathway's stage and facts into `Task` values with their
windows (``not_before`` / ``due_by``); it never reads the clock, the caller
passes ``now``. `estimate_slot` sizes a procedure-room booking.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

import attrs

from facetcare import _validate
from facetcare.machine import Stage
from facetcare.policy import Policy
from facetcare.record import Record
from facetcare.rules import YEAR

if TYPE_CHECKING:
    from facetcare.pathway import Pathway

__all__ = ["SlotEstimate", "Task", "due", "estimate_slot"]

MINUTE = dt.timedelta(minutes=1)


@attrs.frozen
class Task:
    """Work for the scheduler: do ``kind`` from ``not_before``, by ``due_by`` if set."""

    kind: str
    not_before: dt.datetime
    due_by: dt.datetime | None = None
    visit_id: str | None = None
    detail: str = ""

    def overdue(self, now: dt.datetime) -> bool:
        """True once ``due_by`` has passed (a task without one is never overdue)."""
        _validate.require_aware("now", now)  # like event times: aware only
        return self.due_by is not None and now > self.due_by


def _next_day(moment: dt.datetime) -> dt.datetime:
    """Midnight starting the calendar day after ``moment``, in its own time zone."""
    day = moment.date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(0), tzinfo=moment.tzinfo)


def _earliest_after_cap(times: list[dt.datetime], cap: int | None) -> dt.datetime | None:
    """First moment a new procedure fits under a cap per rolling 365 days."""
    if cap is None or len(times) < cap:
        return None
    # The window (t − 365 d, t] must hold at most cap − 1 earlier procedures.
    return sorted(times)[-cap] + YEAR


def _referred(rec: Record, policy: Policy) -> list[Task]:
    assert rec.last_at is not None
    return [Task("schedule_block", rec.last_at, detail="book a diagnostic medial branch block")]


def _scheduled(rec: Record, policy: Policy) -> list[Task]:
    visit = rec.open_visit
    if visit is None or not policy.escort_required or visit.escort_confirmed:
        return []
    assert rec.last_at is not None
    return [Task("confirm_escort", rec.last_at, visit.visit_at, visit.visit_id,
                 f"confirm a driver home for the {visit.kind} visit")]


def _observation(rec: Record, policy: Policy) -> list[Task]:
    assert rec.block_at is not None
    window_end = rec.block_at + policy.relief_window_end
    visit_id = rec.open_visit.visit_id if rec.open_visit else None
    return [
        Task("record_relief_diary", rec.block_at, None, None,
             f"diary entries count from the block until {window_end.isoformat()}"),
        Task("discharge", rec.block_at + policy.block_observation, None, visit_id,
             "home with a driver after the observation period"),
    ]


def _assessment(rec: Record, policy: Policy) -> list[Task]:
    assert rec.block_at is not None
    window_end = rec.block_at + policy.relief_window_end
    return [
        Task("record_relief_diary", rec.block_at, None, None,
             f"diary entries count from the block until {window_end.isoformat()}"),
        Task("assess_relief", rec.block_at + policy.relief_window_min, None, None,
             "conclude the relief assessment"),
    ]


def _positive(rec: Record, policy: Policy) -> list[Task]:
    last_block = rec.block_times[-1]
    if len(rec.series) < policy.blocks_required:
        earliest = last_block + (policy.min_block_gap or dt.timedelta(0))
        needed = policy.blocks_required - len(rec.series)
        return [Task("schedule_block", max(earliest, rec.last_at or earliest), None, None,
                     f"confirmatory block: {needed} more positive block(s) needed")]
    # A later calendar day than the block, and after the assessment concluded
    # (a late-evening block is assessed after midnight).
    earliest = max(_next_day(last_block), rec.last_assessed_at or last_block)
    return [Task("schedule_neurotomy", earliest, None, None,
                 "book the neurotomy as a separate visit on a later day")]


def _recovery(rec: Record, policy: Policy) -> list[Task]:
    assert rec.neurotomy is not None
    visit_id = rec.open_visit.visit_id if rec.open_visit else None
    return [Task("discharge", rec.neurotomy.at + policy.neurotomy_recovery, None, visit_id,
                 "home with a driver after recovery")]


def _follow_up(rec: Record, policy: Policy) -> list[Task]:
    assert rec.neurotomy is not None and rec.last_at is not None
    return [Task("record_follow_up", rec.last_at, rec.neurotomy.at + policy.follow_up_settling,
                 None, "pain report and follow-up appointment")]


def earliest_repeat(rec: Record, policy: Policy) -> dt.datetime | None:
    """Earliest visit time a repeat neurotomy clears the interval and yearly cap."""
    if rec.neurotomy is None:
        return None
    candidates = []
    if policy.min_neurotomy_interval is not None:
        candidates.append(rec.neurotomy.at + policy.min_neurotomy_interval)
    capped = _earliest_after_cap(rec.neurotomy_times, policy.max_neurotomies_per_year)
    if capped is not None:
        candidates.append(capped)
    return max(candidates) if candidates else None


def _decide(rec: Record, policy: Policy) -> list[Task]:
    assert rec.last_at is not None
    not_before = rec.last_at
    detail = {
        Stage.BLOCK_NEGATIVE: "block negative: other nerves, another block, or close",
        Stage.NO_RELIEF: "neurotomy gave no relief: reassess, block other nerves, or close",
        Stage.RECURRENCE: "pain returned: repeat neurotomy, new block, or close",
    }[Stage(rec.state)]
    if rec.state == Stage.RECURRENCE:
        earliest = earliest_repeat(rec, policy)
        if earliest is not None and earliest > not_before:
            not_before = earliest
            detail += f"; repeat neurotomy allowed from {earliest.isoformat()}"
        if policy.reblock_after is not None and rec.neurotomy is not None:
            deadline = rec.neurotomy.at + policy.reblock_after
            detail += f"; without new blocks only until {deadline.isoformat()}"
    return [Task("decide_next_step", not_before, None, None, detail)]


_TASKS: dict[str, Callable[[Record, Policy], list[Task]]] = {
    Stage.REFERRED: _referred,
    Stage.BLOCK_SCHEDULED: _scheduled,
    Stage.NEUROTOMY_SCHEDULED: _scheduled,
    Stage.BLOCK_OBSERVATION: _observation,
    Stage.RELIEF_ASSESSMENT: _assessment,
    Stage.BLOCK_POSITIVE: _positive,
    Stage.NEUROTOMY_RECOVERY: _recovery,
    Stage.FOLLOW_UP: _follow_up,
    Stage.BLOCK_NEGATIVE: _decide,
    Stage.NO_RELIEF: _decide,
    Stage.RECURRENCE: _decide,
}


def due(pathway: Pathway, now: dt.datetime) -> tuple[Task, ...]:
    """Every open task of the pathway's current stage, ordered by ``not_before``.

    Future tasks are included (a scheduler books ahead); `Task.overdue`
    says which have passed their ``due_by`` at ``now``.
    """
    _validate.require_aware("now", now)  # like event times: aware only
    rec = pathway._record  # scheduling reads the derived facts
    making = _TASKS.get(rec.state)
    if making is None:
        return ()
    return tuple(sorted(making(rec, pathway.policy), key=lambda t: (t.not_before, t.kind)))


# -- slot estimates -------------------------------------------------------------


@attrs.frozen
class SlotEstimate:
    """Procedure and recovery time ranges as (min, max) timedeltas."""

    procedure: tuple[dt.timedelta, dt.timedelta]
    recovery: tuple[dt.timedelta, dt.timedelta]

    @property
    def total(self) -> tuple[dt.timedelta, dt.timedelta]:
        return (self.procedure[0] + self.recovery[0], self.procedure[1] + self.recovery[1])


def estimate_slot(
    procedure: Literal["block", "neurotomy"],
    *,
    nerves: int = 2,
    policy: Policy | None = None,
) -> SlotEstimate:
    """How long to book the room and the recovery bay.

    Block: 20–30 min procedure [DOMAIN step 2] + the policy's observation
    (60 min in every profile [3.3]). Neurotomy: 45 min for up to 2 nerves,
    rising linearly to 90 min at 8 or more, at most 90 min [DOMAIN step 5;
    3.3 "about 1 hour, more with more levels"; the linear rise is an
    assumption]; recovery from the policy's minimum (30 min) to 60 min
    [DOMAIN step 5].
    """
    policy = policy if policy is not None else Policy.seed()
    if isinstance(nerves, bool) or not isinstance(nerves, int):
        raise TypeError(f"nerves must be an int, got {nerves!r}")
    if nerves < 1:
        raise ValueError(f"nerves must be at least 1, got {nerves}")
    if procedure == "block":
        observe = policy.block_observation
        return SlotEstimate((20 * MINUTE, 30 * MINUTE), (observe, observe))
    if procedure == "neurotomy":
        steps = min(max(nerves - 2, 0), 6)
        low = 45 * MINUTE + 45 * MINUTE * steps / 6
        recover = policy.neurotomy_recovery
        return SlotEstimate((low, 90 * MINUTE), (recover, max(recover, 60 * MINUTE)))
    raise ValueError(f"procedure must be 'block' or 'neurotomy', got {procedure!r}")
