"""Witnesses for the referral, the common rules and the booking rules.

Each builder returns the refused case and the passing case of one check,
standing on its boundary (one second, one minute, one month either side).
"""

from __future__ import annotations

import datetime as dt

from facetcare import events as ev
from facetcare.anatomy import JOINTS, Region, Side
from facetcare.policy import Policy
from facetcare.rules import span
from facetcare.testing._cases import SECOND, Case, booked, passed, refused, start
from facetcare.testing._script import DAY, MINUTE, YEAR, Script
from facetcare.testing._witness_payer import confirm


def not_in_stage(p: Policy, r: Region) -> tuple[Case, Case]:
    s = start(p, r)
    arrive = ev.CheckedIn(at=s.last, visit_id="v1", escort_present=True)
    visit = booked(p, r)
    return (refused(s, arrive, "checked in with no visit booked"),
            passed(visit, visit.check_in(), "checked in for the booked visit"))


def after_final(p: Policy, r: Region) -> tuple[Case, Case]:
    s = start(p, r)
    closed = s.copy().do(s.close())
    return (refused(closed, closed.book_block(), "a block booked after the pathway closed"),
            passed(s, s.book_block(), "the same booking before closing"))


def out_of_order(p: Policy, r: Region) -> tuple[Case, Case]:
    s = start(p, r)
    return (refused(s, s.book_block(at=s.last - SECOND), "booked 1 s before the referral"),
            passed(s, s.book_block(at=s.last), "booked at the referral's own time"))


def pain_months(p: Policy, r: Region) -> tuple[Case, Case]:
    needed = p.entry_min_pain_months or 0
    s = Script(p, r)
    return (refused(s, s.referral(pain_months=needed - 1), f"pain for {needed - 1} months"),
            passed(s, s.referral(pain_months=needed), f"pain for {needed} months"))


def care(p: Policy, r: Region) -> tuple[Case, Case]:
    s = Script(p, r)
    return (refused(s, s.referral(conservative_care_failed=None), "conservative care unknown"),
            passed(s, s.referral(conservative_care_failed=True), "conservative care failed"))


# -- bookings ---------------------------------------------------------------------------


def block_in_past(p: Policy, r: Region) -> tuple[Case, Case]:
    s = start(p, r)
    return (refused(s, s.book_block(visit_at=s.last - SECOND), "visit 1 s before the booking"),
            passed(s, s.book_block(visit_at=s.last), "visit at the booking's own time"))


def _next_noon(moment: dt.datetime) -> dt.datetime:
    return dt.datetime.combine(moment.date() + DAY, dt.time(12), tzinfo=moment.tzinfo)


def neurotomy_in_past(p: Policy, r: Region) -> tuple[Case, Case]:
    s = start(p, r).positive()
    at = _next_noon(s.last)
    return (refused(s, s.book_neurotomy(at=at, visit_at=at - SECOND),
                    "visit 1 s before the booking"),
            passed(s, s.book_neurotomy(at=at, visit_at=at), "visit at the booking's own time"))


def block_interval(p: Policy, r: Region) -> tuple[Case, Case]:
    gap = p.min_block_gap or dt.timedelta(0)
    s = start(p, r).block(False)
    last = s.facts.block_times[-1]
    return (refused(s, s.book_block(visit_at=last + gap - SECOND),
                    f"{span(gap - SECOND)} after the last block"),
            passed(s, s.book_block(visit_at=last + gap), f"{span(gap)} after the last block"))


def block_cap(p: Policy, r: Region) -> tuple[Case, Case]:
    cap = p.max_blocks_per_year or 0
    s = start(p, r)
    for _ in range(cap):
        s.block(False)
    oldest = sorted(s.facts.block_times)[-cap]
    return (refused(s, s.book_block(visit_at=oldest + YEAR - SECOND),
                    f"block {cap + 1} booked 365 d − 1 s after the oldest of {cap}"),
            passed(s, s.book_block(visit_at=oldest + YEAR),
                   f"block {cap + 1} booked 365 d after the oldest of {cap}"))


def neurotomy_cap(p: Policy, r: Region) -> tuple[Case, Case]:
    # A first neurotomy, its repeat, no relief, then blocks on the other side.
    s = Script(p, r).recurrence()
    first = s.facts.neurotomy_at
    assert first is not None
    s.neurotomy().not_relieved()
    right = (s.target(Side.RIGHT),)
    s.positive(targets=right)
    return (refused(s, s.book_neurotomy(targets=right, visit_at=first + YEAR - SECOND),
                    "a third neurotomy 365 d − 1 s after the first"),
            passed(s, s.book_neurotomy(targets=right, visit_at=first + YEAR),
                   "a third neurotomy 365 d after the first"))


def _region_joints(r: Region) -> list[str]:
    return [joint for joint, where in JOINTS.items() if where == r]


def block_levels(p: Policy, r: Region) -> tuple[Case, Case]:
    cap = p.max_block_levels or 0
    joints = _region_joints(r)
    s = start(p, r)
    over = tuple(ev.Target(j, Side.LEFT) for j in joints[:cap + 1])
    both = tuple(ev.Target(j, side) for j in joints[:cap] for side in Side)
    return (refused(s, s.book_block(targets=over), f"{cap + 1} joints, left side"),
            passed(s, s.book_block(targets=both), f"{cap} joints, both sides"))


def neurotomy_levels(p: Policy, r: Region) -> tuple[Case, Case]:
    cap = p.max_neurotomy_levels or 0
    over = tuple(ev.Target(j, Side.LEFT) for j in _region_joints(r)[:cap + 1])
    s = confirm(start(p, r), over)  # in sessions the block level cap allows
    return (refused(s, s.book_neurotomy(targets=over), f"{cap + 1} joints"),
            passed(s, s.book_neurotomy(targets=over[:cap]), f"{cap} joints"))


def no_positive(p: Policy, r: Region) -> tuple[Case, Case]:
    s = start(p, r).block(True)
    more = s.copy().positive()
    return (refused(s, s.book_neurotomy(), "after 1 positive block"),
            passed(more, more.book_neurotomy(),
                   f"after {p.blocks_required} positive blocks"))


def untested_booking(p: Policy, r: Region) -> tuple[Case, Case]:
    s = start(p, r).positive()
    return (refused(s, s.book_neurotomy(targets=(s.other(),)), "a joint that was not blocked"),
            passed(s, s.book_neurotomy(), "the blocked joint"))


def untested_repeat(p: Policy, r: Region) -> tuple[Case, Case]:
    s = Script(p, r).recurrence()
    return (refused(s, s.book_neurotomy(targets=(s.other(),)), "a repeat on other nerves"),
            passed(s, s.book_neurotomy(), "a repeat on the treated nerves"))


def untested_lesion(p: Policy, r: Region) -> tuple[Case, Case]:
    s = start(p, r).positive()
    s.do(s.book_neurotomy()).do(s.check_in())
    stray = (s.lesion(s.other()),)
    return (refused(s, s.perform_neurotomy(lesions=stray), "a lesion on an unblocked joint"),
            passed(s, s.perform_neurotomy(), "lesions on the blocked joint"))


def block_visit_id(p: Policy, r: Region) -> tuple[Case, Case]:
    s = start(p, r).positive()
    block_visit = sorted(s.facts.visit_ids)[-1]
    return (refused(s, s.book_neurotomy(visit_id=block_visit), "booked under the block's visit"),
            passed(s, s.book_neurotomy(), "a visit of its own"))


def same_day(p: Policy, r: Region) -> tuple[Case, Case]:
    s = start(p, r).positive()
    block = s.facts.block_times[-1]
    midnight = dt.datetime.combine(block.date() + DAY, dt.time(0), tzinfo=block.tzinfo)
    return (refused(s, s.book_neurotomy(visit_at=midnight - SECOND), "23:59:59 on the block's day"),
            passed(s, s.book_neurotomy(visit_at=midnight), "00:00 the next day"))


def before_assessed(p: Policy, r: Region) -> tuple[Case, Case]:
    # An evening block is assessed after midnight: a later day, yet too early.
    s = start(p, r)
    evening = dt.datetime.combine(s.last.date() + 7 * DAY, dt.time(21), tzinfo=s.last.tzinfo)
    s.visit_for_block(visit_at=evening).do(s.discharge()).do(s.diary(0)).do(s.assess())
    while s.facts.positive_blocks < p.blocks_required:
        s.visit_for_block(visit_at=s.block_slot().replace(hour=21)).do(s.discharge())
        s.do(s.diary(0)).do(s.assess())
    assessed = s.last
    return (refused(s, s.book_neurotomy(visit_at=assessed - MINUTE),
                    "1 min before the assessment concluded"),
            passed(s, s.book_neurotomy(visit_at=assessed), "at the moment of the assessment"))


def duplicate_block(p: Policy, r: Region) -> tuple[Case, Case]:
    s = start(p, r).block(False)
    return (refused(s, s.book_block(visit_id="v1"), "the first block's visit id again"),
            passed(s, s.book_block(), "a new visit id"))


def duplicate_neurotomy(p: Policy, r: Region) -> tuple[Case, Case]:
    s = Script(p, r).recurrence()
    used = next(e.visit_id for e in s.events if isinstance(e, ev.NeurotomyScheduled))
    return (refused(s, s.book_neurotomy(visit_id=used), "the last neurotomy's visit id again"),
            passed(s, s.book_neurotomy(), "a new visit id"))


def repeat_soon(p: Policy, r: Region) -> tuple[Case, Case]:
    # No relief, then blocks on the other side: sooner than waiting for a recurrence.
    interval = p.min_neurotomy_interval or dt.timedelta(0)
    s = start(p, r).positive().neurotomy()
    done = s.facts.neurotomy_at
    assert done is not None
    right = (s.target(Side.RIGHT),)
    s.not_relieved().positive(targets=right)
    return (refused(s, s.book_neurotomy(targets=right, visit_at=done + interval - SECOND),
                    f"{span(interval - SECOND)} after the last neurotomy"),
            passed(s, s.book_neurotomy(targets=right, visit_at=done + interval),
                   f"{span(interval)} after the last neurotomy"))


def relief_too_short(p: Policy, r: Region) -> tuple[Case, Case]:
    lasting = p.repeat_min_relief_duration or dt.timedelta(0)
    s = start(p, r).positive().neurotomy()
    s.do(s.follow_up(0, at=s.last + MINUTE))
    done = s.facts.neurotomy_at
    assert done is not None
    short = s.copy().do(s.pain_returned(at=done + lasting - SECOND))
    enough = s.copy().do(s.pain_returned(at=done + lasting))
    return (refused(short, short.book_neurotomy(),
                    f"relief lasted {span(lasting - SECOND)}"),
            passed(enough, enough.book_neurotomy(), f"relief lasted {span(lasting)}"))


def relief_not_shown(p: Policy, r: Region) -> tuple[Case, Case]:
    s = start(p, r).positive().neurotomy().not_relieved()
    both = (s.target(Side.LEFT), s.target(Side.RIGHT))
    s.positive(targets=both)
    return (refused(s, s.book_neurotomy(targets=both[:1]), "the nerves that gave no relief"),
            passed(s, s.book_neurotomy(targets=both[1:]), "the other side, blocked anew"))


def reblock(p: Policy, r: Region) -> tuple[Case, Case]:
    limit = p.reblock_after or dt.timedelta(0)
    s = Script(p, r).recurrence()
    done = s.facts.neurotomy_at
    assert done is not None
    # "Two years or more" [1.3 Palmetto]: the limit itself needs new blocks.
    return (refused(s, s.book_neurotomy(visit_at=done + limit),
                    f"{span(limit)} after the last neurotomy"),
            passed(s, s.book_neurotomy(visit_at=done + limit - SECOND),
                   f"{span(limit - SECOND)} after the last neurotomy"))
