"""Clinical time arithmetic, each computation once.

The rules refuse what these functions say is too early (or too late), and
`due()`, the simulator and the testing kit ask them when something becomes
possible, so a date the scheduler offers is a date the rules accept
(docs/rules.md, docs/scheduling.md). No other module adds a policy
duration to an event time.

Conventions (docs/rules.md#time):

- Durations are fixed day counts; 12 months is `YEAR` = 365 d.
- "Per rolling 12 months" counts procedures performed in
  ``(visit_at − 365 d, visit_at]``, plus the new one.
- Calendar days are the clinic's: "same day" and "next calendar day" are
  judged in ``policy.time_zone``, so one instant gets one verdict whatever
  UTC offset it arrived in.
- The functions that take a time refuse a naive one, naming the argument,
  as events do: Python would read it in the host's zone, or fail to compare.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Sequence
from functools import lru_cache
from zoneinfo import ZoneInfo

from facetcare._persistent import Appended
from facetcare._validate import require_aware
from facetcare.facts import Facts
from facetcare.policy import Policy

__all__ = [
    "YEAR",
    "assessment_opens_at",
    "clinic_date",
    "clinic_zone",
    "discharge_ready_at",
    "earliest_block_visit",
    "earliest_neurotomy_visit",
    "earliest_under_cap",
    "in_rolling_year",
    "next_clinic_day",
    "next_follow_up_at",
    "reblock_deadline",
    "reblock_needed",
    "relief_lasted",
    "relief_window",
    "repeat_relief_met_at",
    "settling_ends_at",
]

#: 12 months, as every rolling-year rule counts them.
YEAR = dt.timedelta(days=365)
_ONE_DAY = dt.timedelta(days=1)
_MIDNIGHT = dt.time(0)


@lru_cache(maxsize=64)
def clinic_zone(name: str) -> dt.tzinfo:
    """The clinic's time zone by IANA name; "UTC" needs no time zone database."""
    return dt.UTC if name == "UTC" else ZoneInfo(name)


def clinic_date(moment: dt.datetime, policy: Policy) -> dt.date:
    """The calendar day ``moment`` falls on at the clinic."""
    require_aware("moment", moment)
    return moment.astimezone(clinic_zone(policy.time_zone)).date()


def next_clinic_day(moment: dt.datetime, policy: Policy) -> dt.datetime:
    """Midnight at the clinic starting the calendar day after ``moment``.

    Returned in the offset of ``moment`` (the same instant), so times keep
    the representation the caller used.
    """
    require_aware("moment", moment)
    zone = clinic_zone(policy.time_zone)
    day = moment.astimezone(zone).date() + _ONE_DAY
    midnight = dt.datetime.combine(day, _MIDNIGHT, zone)
    if type(zone) is not dt.timezone:  # a fixed offset has no gap to fall in
        # A day that starts inside a DST gap starts at the first real instant.
        midnight = midnight.astimezone(dt.UTC).astimezone(zone)
    return midnight.astimezone(moment.tzinfo)


def in_rolling_year(times: Sequence[dt.datetime], visit_at: dt.datetime) -> int:
    """How many of ``times`` (sorted) fall in ``(visit_at − 365 d, visit_at]``.

    Found by bisection: a pathway's procedure times are in order (events
    are), and every booking asks, so counting them one by one would make a
    long log cost the square of its length.
    """
    require_aware("visit_at", visit_at)
    if isinstance(times, Appended):  # the facts' own: bisected layer by layer, in C
        return times.count_at_most(visit_at) - times.count_at_most(visit_at - YEAR)
    _aware_times(times)
    return bisect_right(times, visit_at) - bisect_right(times, visit_at - YEAR)


def earliest_under_cap(times: Sequence[dt.datetime], cap: int | None) -> dt.datetime | None:
    """First visit time at which one more procedure fits ``cap`` per rolling year.

    None when the cap cannot bind (no cap, or fewer procedures than the cap).
    The window ``(t − 365 d, t]`` may hold at most ``cap − 1`` earlier ones,
    so the ``cap``-th most recent (``times`` are sorted) must have left it.
    """
    _aware_times(times)
    if cap is None or len(times) < cap:
        return None
    return times[-cap] + YEAR


def _aware_times(times: Sequence[dt.datetime]) -> None:
    """Each of a caller's ``times`` is aware; the facts' own are event times, checked already.

    Checking the facts' sequences one by one on every booking would make a
    long log cost the square of its length again.
    """
    if isinstance(times, Appended):
        return
    for moment in times:
        require_aware("times", moment)


def _latest(*moments: dt.datetime | None) -> dt.datetime | None:
    present = [m for m in moments if m is not None]
    return max(present) if present else None


def earliest_block_visit(facts: Facts, policy: Policy) -> dt.datetime:
    """The earliest visit time a block may be booked for now.

    Not before the last accepted event (a visit is never booked in the
    past), the policy's gap since the last block, or the first day the
    yearly block cap allows.
    """
    assert facts.last_at is not None
    last = facts.last_block_at
    gap = policy.min_block_gap
    after_gap = last + gap if last is not None and gap is not None else None
    capped = earliest_under_cap(facts.block_times, policy.max_blocks_per_year)
    found = _latest(facts.last_at, after_gap, capped)
    assert found is not None
    return found


def earliest_neurotomy_visit(facts: Facts, policy: Policy) -> dt.datetime:
    """The earliest visit time a neurotomy may be booked for now.

    A clinic day after the last block, not before the last relief
    assessment concluded, the policy's minimum interval after the last
    neurotomy, and the first day the yearly neurotomy cap allows.
    """
    assert facts.last_at is not None
    last_block = facts.last_block_at
    after_block = next_clinic_day(last_block, policy) if last_block is not None else None
    interval = policy.min_neurotomy_interval
    after_repeat = (facts.neurotomy.at + interval
                    if interval is not None and facts.neurotomy is not None else None)
    capped = earliest_under_cap(facts.neurotomy_times, policy.max_neurotomies_per_year)
    found = _latest(facts.last_at, after_block, facts.assessed_at, after_repeat, capped)
    assert found is not None
    return found


def reblock_deadline(facts: Facts, policy: Policy) -> dt.datetime | None:
    """From this visit time on, a repeat neurotomy needs new blocks.

    Inclusive: the source says "two years or more between RFAs without
    repeat diagnostics" [1.3 Palmetto], so 730 d itself requires them.
    """
    if policy.reblock_after is None or facts.neurotomy is None:
        return None
    return facts.neurotomy.at + policy.reblock_after


def reblock_needed(facts: Facts, policy: Policy, visit_at: dt.datetime) -> bool:
    """Whether a repeat neurotomy booked for ``visit_at`` needs new blocks (`reblock_deadline`)."""
    require_aware("visit_at", visit_at)
    deadline = reblock_deadline(facts, policy)
    return deadline is not None and visit_at >= deadline


def discharge_ready_at(facts: Facts, policy: Policy) -> dt.datetime | None:
    """When the observation (block) or recovery (neurotomy) period has run."""
    if facts.state == "block_observation" and facts.block is not None:
        return facts.block.at + policy.block_observation
    if facts.state == "neurotomy_recovery" and facts.neurotomy is not None:
        return facts.neurotomy.at + policy.neurotomy_recovery
    return None


def relief_window(facts: Facts, policy: Policy) -> tuple[dt.datetime, dt.datetime] | None:
    """The relief window of the block under assessment, both ends included."""
    if facts.block is None:
        return None
    return facts.block.at, facts.block.at + policy.relief_window_end


def assessment_opens_at(facts: Facts, policy: Policy) -> dt.datetime | None:
    """The earliest time the relief assessment may conclude."""
    if facts.block is None:
        return None
    return facts.block.at + policy.relief_window_min


def settling_ends_at(facts: Facts, policy: Policy) -> dt.datetime | None:
    """The last moment a poor follow-up still counts as settling (inclusive)."""
    if facts.neurotomy is None:
        return None
    return facts.neurotomy.at + policy.follow_up_settling


def next_follow_up_at(facts: Facts, policy: Policy) -> dt.datetime | None:
    """When the next routine follow-up is due while relief lasts."""
    if facts.neurotomy is None:
        return None
    since = facts.last_follow_up_at or facts.neurotomy.at
    return since + policy.follow_up_interval


def repeat_relief_met_at(facts: Facts, policy: Policy) -> dt.datetime | None:
    """The first time pain may return for the last neurotomy's relief to count for a repeat.

    Relief ending at this instant or later has lasted the policy's
    ``repeat_min_relief_duration``; None before any neurotomy.
    """
    if facts.neurotomy is None:
        return None
    return facts.neurotomy.at + (policy.repeat_min_relief_duration or dt.timedelta(0))


def relief_lasted(facts: Facts) -> dt.timedelta | None:
    """How long relief after the last neurotomy lasted; None while it lasts."""
    if facts.neurotomy is None or facts.relief_ended_at is None:
        return None
    return facts.relief_ended_at - facts.neurotomy.at

