"""Checks of the referral, the common rules and the booking rules, one row each.

Each pair stands on its boundary (one second or one unit either side);
every time boundary is the one `facetcare.timing` computes for the rules.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from facetcare import events as ev
from facetcare import timing as tm
from facetcare.anatomy import Side
from facetcare.rules import span
from facetcare.testing._checks import (
    SECOND,
    Check,
    Pair,
    Setup,
    both,
    bound,
    case,
    edge,
    needs,
    unless,
)
from facetcare.testing._makers import DAY, HOUR, MINUTE, joints_of
from facetcare.testing._script import Script, known

__all__ = ["RULES", "confirm", "left"]

E = ev


def left(s: Script, joints: int) -> tuple[ev.Target, ...]:
    """The first ``joints`` joints of the region, on the left."""
    return tuple(ev.Target(j, Side.LEFT) for j in joints_of(s.region)[:joints])


def confirm(s: Script, targets: tuple[ev.Target, ...]) -> Script:
    """Positive blocks confirming ``targets``, in sessions the block level cap allows."""
    per = s.in_force.max_block_levels or len(targets)
    joints = list(dict.fromkeys(t.joint for t in targets))
    for i in range(0, len(joints), per):
        for _ in range(s.in_force.blocks_required):
            s.block(True, targets=tuple(t for t in targets if t.joint in joints[i:i + per]))
    return s


def _right(s: Script) -> tuple[ev.Target, ...]:
    return (s.target(side=Side.RIGHT),)


def _right_after_no_relief(s: Script) -> Script:
    """No relief from the last neurotomy, then positive blocks on the right side."""
    return s.not_relieved().positive(targets=_right(s))


def _at_cap(s: Script) -> Script:
    """As many negative blocks as the yearly cap allows."""
    for _ in range(s.policy.max_blocks_per_year or 0):
        s.block(False)
    return s


def _cap(times: tuple[dt.datetime, ...], cap: int | None, what: str, **fixed: Any) -> Pair:
    """Booked 365 d − 1 s and 365 d after the oldest of the last ``cap`` (``{}`` in ``what``)."""
    at = known(tm.earliest_under_cap(times, cap))
    return (case(what.format("365 d − 1 s"), visit_at=at - SECOND, **fixed),
            case(what.format("365 d"), visit_at=at, **fixed))


def _block_cap(s: Script) -> Pair:
    n = len(s.facts.block_times)
    return _cap(s.facts.block_times, s.policy.max_blocks_per_year,
                f"block {n + 1} booked {{}} after the oldest of {n}")


def _levels(s: Script) -> Pair:
    cap, joints = s.policy.max_block_levels or 0, joints_of(s.region)
    return (case(f"{cap + 1} joints, left side", targets=left(s, cap + 1)),
            case(f"{cap} joints, both sides",
                 targets=tuple(ev.Target(j, side) for j in joints[:cap] for side in Side)))


def _noon_after(s: Script, early: dt.timedelta) -> dict[str, Any]:
    """Booked at noon the clinic day after the last event, for ``early`` before that."""
    at = tm.next_clinic_day(s.last, s.policy) + 12 * HOUR
    return {"at": at, "visit_at": at - early}


def _positive_at(hour: int) -> Setup:
    """Positive blocks, each a week on at ``hour`` o'clock in the clinic's time zone."""
    def setup(s: Script) -> Script:
        p = s.referred().policy
        while len(s.facts.series) < p.blocks_required:
            slot = max(s.last + 6 * DAY, tm.earliest_block_visit(s.facts, p))
            s.visit_for_block(visit_at=tm.next_clinic_day(slot, p) + hour * HOUR)
            s.then(ev.Discharged).do(s.diary(0)).then(ev.ReliefAssessed)
        return s

    return setup


def _same_day(s: Script) -> Pair:
    midnight = tm.next_clinic_day(known(s.facts.last_block_at), s.policy)
    return (case("23:59:59 on the block's day", visit_at=midnight - SECOND),
            case("00:00 the next day", visit_at=midnight))


def _relief_lasted(s: Script) -> Pair:
    """Pain back a second before the repeat rule's relief and on it (two scripts)."""
    s.then(ev.FollowUpRecorded, pain_score=0, at=s.last + MINUTE)
    done, lasts = known(s.facts.neurotomy).at, known(tm.repeat_relief_met_at(s.facts, s.policy))
    return both(lambda at: case(f"relief lasted {span(at - done)}", script=s.copy().then(
        ev.PainReturned, at=at)), lasts - SECOND, lasts)


def _both_sides(s: Script) -> tuple[ev.Target, ...]:
    return s.target(), *_right(s)


#: Rows in the order the report lists them.
RULES: tuple[Check, ...] = (
    Check("invalid_transition", E.CheckedIn, Script.referred, lambda s: (
        case("checked in with no visit booked"),
        case("checked in for the booked visit", script=Script.booked)), "not valid in the stage"),
    Check("invalid_transition", E.BlockScheduled, lambda s: s.then(ev.Closed), lambda s: (
        case("a block booked after the pathway closed"),
        case("the same booking before closing", script=Script.referred)), "after a final stage"),
    Check("out_of_order", E.BlockScheduled, Script.referred, lambda s: (
        case("booked 1 s before the referral", at=s.last - SECOND),
        case("booked at the referral's own time", at=s.last))),
    Check("entry_criteria", E.Referred, Script.as_is, lambda s: both(
        lambda n: case(f"pain for {n} months", pain_months=n),
        (s.policy.entry_min_pain_months or 0) - 1, s.policy.entry_min_pain_months),
          "pain duration", needs("entry_min_pain_months", "no minimum pain duration")),
    Check("entry_criteria", E.Referred, Script.as_is, lambda s: (
        case("conservative care unknown", conservative_care_failed=None),
        case("conservative care failed", conservative_care_failed=True)), "conservative care",
          unless(lambda p: not p.entry_requires_failed_conservative_care,
                 "failed conservative care is not required")),
    # -- bookings
    Check("visit_in_past", E.BlockScheduled, Script.referred, lambda s: (
        case("visit 1 s before the booking", visit_at=s.last - SECOND),
        case("visit at the booking's own time", visit_at=s.last))),
    Check("visit_in_past", E.NeurotomyScheduled, Script.positive, lambda s: (
        case("visit 1 s before the booking", **_noon_after(s, SECOND)),
        case("visit at the booking's own time", **_noon_after(s, 0 * SECOND)))),
    Check("block_interval", E.BlockScheduled, lambda s: s.block(False), lambda s: bound(
        tm.earliest_block_visit(s.facts, s.policy), known(s.facts.last_block_at),
        "{} after the last block"),
          why_not=needs("min_block_gap", "no minimum gap between blocks")),
    Check("annual_limit", E.BlockScheduled, _at_cap, _block_cap,
          why_not=needs("max_blocks_per_year", "no cap on blocks per 12 months")),
    # A first neurotomy, its repeat, no relief, then blocks on the other side.
    Check("annual_limit", E.NeurotomyScheduled,
          lambda s: _right_after_no_relief(s.recurrence().neurotomy()), lambda s: _cap(
              s.facts.neurotomy_times, s.policy.max_neurotomies_per_year,
              "a third neurotomy {} after the first", targets=_right(s)),
          why_not=needs("max_neurotomies_per_year", "no cap on neurotomies per 12 months")),
    Check("too_many_levels", E.BlockScheduled, Script.referred, _levels,
          why_not=needs("max_block_levels", "no cap on joints per block session")),
    # Confirmed in sessions the block level cap allows (Medicare: 2 joints a session).
    Check("too_many_levels", E.NeurotomyScheduled,
          lambda s: confirm(s.referred(), left(s, (s.policy.max_neurotomy_levels or 0) + 1)),
          lambda s: both(lambda n: case(f"{n} joints", targets=left(s, n)),
                         (s.policy.max_neurotomy_levels or 0) + 1,
                         s.policy.max_neurotomy_levels or 0),
          why_not=needs("max_neurotomy_levels", "no cap on joints per neurotomy session")),
    Check("no_positive_block", E.NeurotomyScheduled, lambda s: s.block(True), lambda s: (
        case("after 1 positive block"),
        case(f"after {s.policy.blocks_required} positive blocks", script=Script.positive)),
          why_not=unless(lambda p: p.blocks_required <= 1, "one positive block is required, "
                         "and block_positive is only reached with one")),
    Check("untested_target", E.NeurotomyScheduled, Script.positive, lambda s: (
        case("a joint that was not blocked", targets=(s.target("other"),)),
        case("the blocked joint")), "unblocked nerves"),
    Check("untested_target", E.NeurotomyScheduled, Script.recurrence, lambda s: (
        case("a repeat on other nerves", targets=(s.target("other"),)),
        case("a repeat on the treated nerves")), "repeat on other nerves"),
    Check("untested_target", E.NeurotomyPerformed, Script.treating, lambda s: (
        case("a lesion on an unblocked joint", lesions=(s.lesion(s.target("other")),)),
        case("lesions on the blocked joint"))),
    Check("same_visit", E.NeurotomyScheduled, Script.positive, lambda s: (
        case("booked under the block's visit", visit_id=[
            v.visit_id for v in s.facts.visits.values() if v.kind == "block"][-1]),
        case("a visit of its own")), "the block's visit id"),
    # A morning block, so its assessment concludes on the block's own day.
    Check("same_visit", E.NeurotomyScheduled, _positive_at(9), _same_day, "same calendar day"),
    # An evening block is assessed after midnight: a later day, yet too early.
    Check("same_visit", E.NeurotomyScheduled, _positive_at(21), lambda s: (
        case("1 min before the assessment concluded", visit_at=s.last - MINUTE),
        case("at the moment of the assessment", visit_at=s.last)), "before the assessment"),
    # No relief, then blocks on the other side: sooner than waiting for a recurrence.
    Check("repeat_too_soon", E.NeurotomyScheduled,
          lambda s: _right_after_no_relief(s.treated()), lambda s: bound(
              tm.earliest_neurotomy_visit(s.facts, s.policy), known(s.facts.neurotomy).at,
              "{} after the last neurotomy", targets=_right(s)),
          why_not=needs("min_neurotomy_interval", "no minimum interval between neurotomies")),
    Check("insufficient_prior_relief", E.NeurotomyScheduled, Script.treated, _relief_lasted,
          "relief too short", needs("repeat_min_relief_duration", "no prior-relief duration rule")),
    Check("insufficient_prior_relief", E.NeurotomyScheduled,
          lambda s: s.treated().not_relieved().positive(targets=_both_sides(s)), lambda s: (
              case("the nerves that gave no relief", targets=_both_sides(s)[:1]),
              case("the other side, blocked anew", targets=_both_sides(s)[1:])),
          "same nerves, no relief",
          unless(lambda p: p.repeat_min_relief is None and p.repeat_min_relief_duration is None,
                 "no prior-relief rule (repeat_min_relief and its duration are None)")),
    # "Two years or more" [1.3 Palmetto]: the deadline itself needs new blocks.
    Check("reblock_required", E.NeurotomyScheduled, Script.recurrence, lambda s: edge(
        at := known(tm.reblock_deadline(s.facts, s.policy)), at - SECOND,
        known(s.facts.neurotomy).at, "{} after the last neurotomy"),
          why_not=needs("reblock_after", "repeats never need new blocks")),
)
