"""Witnesses for the referral, the common rules and the booking rules.

Each builder returns the refused path and the passing path of one check,
standing on its boundary (one second or one unit either side). Every
time boundary is the one `facetcare.timing` computes for the rules.
"""

from __future__ import annotations

from facetcare import events as ev
from facetcare import timing
from facetcare.anatomy import Region, Side
from facetcare.policy import Policy
from facetcare.rules import span
from facetcare.testing._checks import check, needs, unless
from facetcare.testing._makers import HOUR, joints_of
from facetcare.testing._report import Path
from facetcare.testing._script import (
    SECOND,
    Script,
    booked,
    edge,
    known,
    passed,
    refused,
    start,
)

E = ev
Pair = tuple[Path, Path]


@check("invalid_transition", E.CheckedIn, "not valid in the stage")
def not_in_stage(p: Policy, r: Region) -> Pair:
    s = start(p, r)
    arrive = ev.CheckedIn(at=s.last, visit_id="v1", escort_present=True)
    visit = booked(p, r)
    return (refused(s, arrive, "checked in with no visit booked"),
            passed(visit, visit.check_in(), "checked in for the booked visit"))


@check("invalid_transition", E.BlockScheduled, "after a final stage")
def after_final(p: Policy, r: Region) -> Pair:
    s = start(p, r)
    closed = s.copy().do(s.close())
    return (refused(closed, closed.book_block(), "a block booked after the pathway closed"),
            passed(s, s.book_block(), "the same booking before closing"))


@check("out_of_order", E.BlockScheduled)
def out_of_order(p: Policy, r: Region) -> Pair:
    s = start(p, r)
    return (refused(s, s.book_block(at=s.last - SECOND), "booked 1 s before the referral"),
            passed(s, s.book_block(at=s.last), "booked at the referral's own time"))


@check("entry_criteria", E.Referred, "pain duration",
       needs("entry_min_pain_months", "no minimum pain duration"))
def pain_months(p: Policy, r: Region) -> Pair:
    needed = p.entry_min_pain_months or 0
    s = Script(p, r)
    return (refused(s, s.referral(pain_months=needed - 1), f"pain for {needed - 1} months"),
            passed(s, s.referral(pain_months=needed), f"pain for {needed} months"))


@check("entry_criteria", E.Referred, "conservative care",
       unless(lambda p: not p.entry_requires_failed_conservative_care,
              "failed conservative care is not required"))
def care(p: Policy, r: Region) -> Pair:
    s = Script(p, r)
    return (refused(s, s.referral(conservative_care_failed=None), "conservative care unknown"),
            passed(s, s.referral(conservative_care_failed=True), "conservative care failed"))


# -- bookings ---------------------------------------------------------------------------


@check("visit_in_past", E.BlockScheduled)
def block_in_past(p: Policy, r: Region) -> Pair:
    s = start(p, r)
    return (refused(s, s.book_block(visit_at=s.last - SECOND), "visit 1 s before the booking"),
            passed(s, s.book_block(visit_at=s.last), "visit at the booking's own time"))


@check("visit_in_past", E.NeurotomyScheduled)
def neurotomy_in_past(p: Policy, r: Region) -> Pair:
    s = start(p, r).positive()
    at = timing.next_clinic_day(s.last, p) + 12 * HOUR
    return (refused(s, s.book_neurotomy(at=at, visit_at=at - SECOND),
                    "visit 1 s before the booking"),
            passed(s, s.book_neurotomy(at=at, visit_at=at), "visit at the booking's own time"))


@check("block_interval", E.BlockScheduled,
       why_not=needs("min_block_gap", "no minimum gap between blocks"))
def block_interval(p: Policy, r: Region) -> Pair:
    s = start(p, r).block(False)
    bound = timing.earliest_block_visit(s.facts, p)
    return edge(s, s.book_block, (bound - SECOND, bound), known(s.facts.last_block_at),
                "{} after the last block")


@check("annual_limit", E.BlockScheduled,
       why_not=needs("max_blocks_per_year", "no cap on blocks per 12 months"))
def block_cap(p: Policy, r: Region) -> Pair:
    cap = p.max_blocks_per_year or 0
    s = start(p, r)
    for _ in range(cap):
        s.block(False)
    bound = known(timing.earliest_under_cap(s.facts.block_times, cap))
    return (refused(s, s.book_block(visit_at=bound - SECOND),
                    f"block {cap + 1} booked 365 d − 1 s after the oldest of {cap}"),
            passed(s, s.book_block(visit_at=bound),
                   f"block {cap + 1} booked 365 d after the oldest of {cap}"))


def _other_side_after_no_relief(s: Script) -> tuple[ev.Target, ...]:
    """No relief from the last neurotomy, then positive blocks on the right side."""
    right = (s.target(Side.RIGHT),)
    s.not_relieved().positive(targets=right)
    return right


@check("annual_limit", E.NeurotomyScheduled,
       why_not=needs("max_neurotomies_per_year", "no cap on neurotomies per 12 months"))
def neurotomy_cap(p: Policy, r: Region) -> Pair:
    # A first neurotomy, its repeat, no relief, then blocks on the other side.
    s = Script(p, r).recurrence().neurotomy()
    right = _other_side_after_no_relief(s)
    bound = known(timing.earliest_under_cap(s.facts.neurotomy_times, p.max_neurotomies_per_year))
    return (refused(s, s.book_neurotomy(targets=right, visit_at=bound - SECOND),
                    "a third neurotomy 365 d − 1 s after the first"),
            passed(s, s.book_neurotomy(targets=right, visit_at=bound),
                   "a third neurotomy 365 d after the first"))


@check("too_many_levels", E.BlockScheduled,
       why_not=needs("max_block_levels", "no cap on joints per block session"))
def block_levels(p: Policy, r: Region) -> Pair:
    cap = p.max_block_levels or 0
    joints = joints_of(r)
    s = start(p, r)
    over = tuple(ev.Target(j, Side.LEFT) for j in joints[:cap + 1])
    both = tuple(ev.Target(j, side) for j in joints[:cap] for side in Side)
    return (refused(s, s.book_block(targets=over), f"{cap + 1} joints, left side"),
            passed(s, s.book_block(targets=both), f"{cap} joints, both sides"))


@check("too_many_levels", E.NeurotomyScheduled,
       why_not=needs("max_neurotomy_levels", "no cap on joints per neurotomy session"))
def neurotomy_levels(p: Policy, r: Region) -> Pair:
    cap = p.max_neurotomy_levels or 0
    over = tuple(ev.Target(j, Side.LEFT) for j in joints_of(r)[:cap + 1])
    s = start(p, r)
    # Confirmed in sessions the block level cap allows (Medicare: 2 joints a session).
    per = p.max_block_levels or len(over)
    for i in range(0, len(over), per):
        for _ in range(p.blocks_required):
            s.block(True, targets=over[i:i + per])
    return (refused(s, s.book_neurotomy(targets=over), f"{cap + 1} joints"),
            passed(s, s.book_neurotomy(targets=over[:cap]), f"{cap} joints"))


@check("no_positive_block", E.NeurotomyScheduled,
       why_not=unless(lambda p: p.blocks_required <= 1, "one positive block is required, and "
                      "block_positive is only reached with one"))
def no_positive(p: Policy, r: Region) -> Pair:
    s = start(p, r).block(True)
    more = s.copy().positive()
    return (refused(s, s.book_neurotomy(), "after 1 positive block"),
            passed(more, more.book_neurotomy(), f"after {p.blocks_required} positive blocks"))


@check("untested_target", E.NeurotomyScheduled, "unblocked nerves")
def untested_booking(p: Policy, r: Region) -> Pair:
    s = start(p, r).positive()
    return (refused(s, s.book_neurotomy(targets=(s.other(),)), "a joint that was not blocked"),
            passed(s, s.book_neurotomy(), "the blocked joint"))


@check("untested_target", E.NeurotomyScheduled, "repeat on other nerves")
def untested_repeat(p: Policy, r: Region) -> Pair:
    s = Script(p, r).recurrence()
    return (refused(s, s.book_neurotomy(targets=(s.other(),)), "a repeat on other nerves"),
            passed(s, s.book_neurotomy(), "a repeat on the treated nerves"))


@check("untested_target", E.NeurotomyPerformed)
def untested_lesion(p: Policy, r: Region) -> Pair:
    s = start(p, r).positive()
    s.do(s.book_neurotomy()).do(s.check_in())
    stray = (s.lesion(s.other()),)
    return (refused(s, s.perform_neurotomy(lesions=stray), "a lesion on an unblocked joint"),
            passed(s, s.perform_neurotomy(), "lesions on the blocked joint"))


@check("same_visit", E.NeurotomyScheduled, "the block's visit id")
def block_visit_id(p: Policy, r: Region) -> Pair:
    s = start(p, r).positive()
    block_visit = [v.visit_id for v in s.facts.visits.values() if v.kind == "block"][-1]
    return (refused(s, s.book_neurotomy(visit_id=block_visit), "booked under the block's visit"),
            passed(s, s.book_neurotomy(), "a visit of its own"))


def _positive_at(s: Script, hour: int) -> Script:
    """Positive blocks, each a week on at ``hour`` o'clock in the clinic's time zone."""
    p = s.pathway.policy_in_force
    while len(s.facts.series) < p.blocks_required:
        slot = max(s.last + 6 * 24 * HOUR, timing.earliest_block_visit(s.facts, p))
        s.visit_for_block(visit_at=timing.next_clinic_day(slot, p) + hour * HOUR)
        s.do(s.discharge()).do(s.diary(0)).do(s.assess())
    return s


@check("same_visit", E.NeurotomyScheduled, "same calendar day")
def same_day(p: Policy, r: Region) -> Pair:
    # A morning block, so its assessment concludes on the block's own day.
    s = _positive_at(start(p, r), 9)
    midnight = timing.next_clinic_day(known(s.facts.last_block_at), p)
    return (refused(s, s.book_neurotomy(visit_at=midnight - SECOND), "23:59:59 on the block's day"),
            passed(s, s.book_neurotomy(visit_at=midnight), "00:00 the next day"))


@check("same_visit", E.NeurotomyScheduled, "before the assessment")
def before_assessed(p: Policy, r: Region) -> Pair:
    # An evening block is assessed after midnight: a later day, yet too early.
    s = _positive_at(start(p, r), 21)
    assessed = s.last
    return (refused(s, s.book_neurotomy(visit_at=assessed - 60 * SECOND),
                    "1 min before the assessment concluded"),
            passed(s, s.book_neurotomy(visit_at=assessed), "at the moment of the assessment"))


@check("repeat_too_soon", E.NeurotomyScheduled,
       why_not=needs("min_neurotomy_interval", "no minimum interval between neurotomies"))
def repeat_soon(p: Policy, r: Region) -> Pair:
    # No relief, then blocks on the other side: sooner than waiting for a recurrence.
    s = start(p, r).positive().neurotomy()
    done = known(s.facts.neurotomy).at
    right = _other_side_after_no_relief(s)
    bound = timing.earliest_neurotomy_visit(s.facts, p)
    return edge(s, s.book_neurotomy, (bound - SECOND, bound), done, "{} after the last neurotomy",
                targets=right)


@check("insufficient_prior_relief", E.NeurotomyScheduled, "relief too short",
       needs("repeat_min_relief_duration", "no prior-relief duration rule"))
def relief_too_short(p: Policy, r: Region) -> Pair:
    s = start(p, r).positive().neurotomy()
    s.do(s.follow_up(0, at=s.last + 60 * SECOND))
    done, lasts = known(s.facts.neurotomy).at, known(timing.repeat_relief_met_at(s.facts, p))
    short = s.copy().do(s.pain_returned(at=lasts - SECOND))
    enough = s.copy().do(s.pain_returned(at=lasts))
    return (refused(short, short.book_neurotomy(), f"relief lasted {span(lasts - SECOND - done)}"),
            passed(enough, enough.book_neurotomy(), f"relief lasted {span(lasts - done)}"))


@check("insufficient_prior_relief", E.NeurotomyScheduled, "same nerves, no relief",
       unless(lambda p: p.repeat_min_relief is None and p.repeat_min_relief_duration is None,
              "no prior-relief rule (repeat_min_relief and its duration are None)"))
def relief_not_shown(p: Policy, r: Region) -> Pair:
    s = start(p, r).positive().neurotomy().not_relieved()
    both = (s.target(Side.LEFT), s.target(Side.RIGHT))
    s.positive(targets=both)
    return (refused(s, s.book_neurotomy(targets=both[:1]), "the nerves that gave no relief"),
            passed(s, s.book_neurotomy(targets=both[1:]), "the other side, blocked anew"))


@check("reblock_required", E.NeurotomyScheduled,
       why_not=needs("reblock_after", "repeats never need new blocks"))
def reblock(p: Policy, r: Region) -> Pair:
    s = Script(p, r).recurrence()
    deadline = known(timing.reblock_deadline(s.facts, p))
    # "Two years or more" [1.3 Palmetto]: the deadline itself needs new blocks.
    return edge(s, s.book_neurotomy, (deadline, deadline - SECOND), known(s.facts.neurotomy).at,
                "{} after the last neurotomy")
