"""Rules on booking a block or a neurotomy visit (docs/rules.md#bookings).

Every time limit is computed by `facetcare.timing`, the same functions
`due()` asks for the earliest date, so the scheduler and the rules agree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from facetcare import events as ev
from facetcare import timing
from facetcare.anatomy import JOINTS
from facetcare.codes import (
    ANNUAL_LIMIT,
    BLOCK_INTERVAL,
    DUPLICATE_VISIT,
    INSUFFICIENT_PRIOR_RELIEF,
    LEVELS_NOT_CONTIGUOUS,
    NO_POSITIVE_BLOCK,
    REBLOCK_REQUIRED,
    REGION_MISMATCH,
    REPEAT_TOO_SOON,
    SAME_VISIT,
    TOO_MANY_LEVELS,
    UNTESTED_TARGET,
    VISIT_IN_PAST,
)
from facetcare.errors import Reason
from facetcare.facts import Facts, Nerve, describe, nerves_of
from facetcare.machine import Stage
from facetcare.policy import Policy
from facetcare.rules._declare import gives, percent, span, when
from facetcare.rules.outcomes import best_relief

__all__ = [
    "block_annual_limit",
    "block_interval",
    "block_levels",
    "duplicate_visit",
    "insufficient_prior_relief",
    "levels_not_contiguous",
    "neurotomy_annual_limit",
    "neurotomy_levels",
    "no_positive_block",
    "reblock_required",
    "region_mismatch",
    "repeat_too_soon",
    "same_visit",
    "untested",
    "untested_booking",
    "visit_in_past",
]

Booking = ev.BlockScheduled | ev.NeurotomyScheduled
#: joint → its place from the top of the spine (C2-C3 is 0), for contiguity.
_ORDER = {joint: i for i, joint in enumerate(JOINTS)}
_JOINT_AT = dict(enumerate(JOINTS))


@gives(VISIT_IN_PAST)
def visit_in_past(facts: Facts, event: Booking, policy: Policy) -> Reason | None:
    if event.visit_at < event.at:
        return Reason(
            VISIT_IN_PAST,
            f"visit {event.visit_id} is booked for {when(event.visit_at)}, before the "
            f"booking itself ({when(event.at)})",
        )
    return None


@gives(BLOCK_INTERVAL)
def block_interval(facts: Facts, event: ev.BlockScheduled, policy: Policy) -> Reason | None:
    gap = policy.min_block_gap
    last = facts.last_block_at
    if gap is not None and last is not None and event.visit_at < last + gap:
        return Reason(
            BLOCK_INTERVAL,
            f"the block on {when(event.visit_at)} would be {span(event.visit_at - last)} after "
            f"the last block; {policy.name} requires at least {span(gap)} "
            f"(earliest {when(last + gap)})",
        )
    return None


def _annual_limit(times: Sequence[dt.datetime], cap: int | None, visit_at: dt.datetime,
                  what: str, policy: Policy) -> Reason | None:
    if cap is None:
        return None
    done = timing.in_rolling_year(times, visit_at)
    if done + 1 > cap:
        earliest = timing.earliest_under_cap(times, cap)
        then = f" (earliest {when(earliest)})" if earliest is not None else ""
        return Reason(
            ANNUAL_LIMIT,
            f"{done} {what} in the 12 months before {when(visit_at)}; {policy.name} allows "
            f"{cap} per rolling 12 months{then}",
        )
    return None


@gives(ANNUAL_LIMIT)
def block_annual_limit(facts: Facts, event: ev.BlockScheduled, policy: Policy) -> Reason | None:
    return _annual_limit(facts.block_times, policy.max_blocks_per_year, event.visit_at,
                         "blocks", policy)


@gives(ANNUAL_LIMIT)
def neurotomy_annual_limit(
    facts: Facts, event: ev.NeurotomyScheduled, policy: Policy
) -> Reason | None:
    return _annual_limit(facts.neurotomy_times, policy.max_neurotomies_per_year,
                         event.visit_at, "neurotomies", policy)


def _too_many_levels(targets: tuple[ev.Target, ...], cap: int | None, policy: Policy,
                     what: str) -> Reason | None:
    if cap is None:
        return None
    levels = {t.joint for t in targets}
    if len(levels) > cap:
        return Reason(
            TOO_MANY_LEVELS,
            f"{len(levels)} facet joints ({', '.join(sorted(levels))}) in one {what} session; "
            f"{policy.name} allows {cap} (a bilateral joint counts once)",
        )
    return None


@gives(TOO_MANY_LEVELS)
def block_levels(facts: Facts, event: ev.BlockScheduled, policy: Policy) -> Reason | None:
    return _too_many_levels(event.targets, policy.max_block_levels, policy, "block")


@gives(TOO_MANY_LEVELS)
def neurotomy_levels(facts: Facts, event: ev.NeurotomyScheduled,
                     policy: Policy) -> Reason | None:
    return _too_many_levels(event.targets, policy.max_neurotomy_levels, policy, "neurotomy")


@gives(LEVELS_NOT_CONTIGUOUS)
def levels_not_contiguous(facts: Facts, event: ev.NeurotomyScheduled,
                          policy: Policy) -> Reason | None:
    """Each side's joints one run of adjacent levels (eviCore: "contiguous levels")."""
    if not policy.neurotomy_levels_contiguous:
        return None
    for side in sorted({t.side for t in event.targets}):
        places = sorted(_ORDER[t.joint] for t in event.targets if t.side == side)
        if places[-1] - places[0] + 1 != len(places):
            joints = ", ".join(_JOINT_AT[i] for i in places)
            return Reason(LEVELS_NOT_CONTIGUOUS,
                          f"{side} {joints} are not contiguous levels; {policy.name} covers "
                          "contiguous levels only")
    return None


@gives(REGION_MISMATCH)
def region_mismatch(facts: Facts, event: Booking, policy: Policy) -> Reason | None:
    region = facts.region
    for target in event.targets:
        if target.region != region:
            break
    else:
        return None
    stray = sorted({t.joint for t in event.targets if t.region != region})
    if stray:
        return Reason(
            REGION_MISMATCH,
            f"{', '.join(stray)} is not in the {facts.region} region this pathway covers",
        )
    return None


@gives(DUPLICATE_VISIT)
def duplicate_visit(facts: Facts, event: Booking, policy: Policy) -> Reason | None:
    earlier = facts.visits.get(event.visit_id)
    if earlier is None:
        return None
    if isinstance(event, ev.NeurotomyScheduled) and earlier.kind == "block":
        return None  # reported as same_visit
    return Reason(
        DUPLICATE_VISIT,
        f"visit id {event.visit_id} was already used for a {earlier.kind} visit",
    )


@gives(NO_POSITIVE_BLOCK)
def no_positive_block(facts: Facts, event: ev.NeurotomyScheduled,
                      policy: Policy) -> Reason | None:
    if facts.state == Stage.RECURRENCE:
        return None  # a repeat of the last neurotomy; repeat rules apply
    have = len(facts.series)
    if have < policy.blocks_required:
        return Reason(
            NO_POSITIVE_BLOCK,
            f"{have} positive block(s) since the last negative result or neurotomy; "
            f"{policy.name} requires {policy.blocks_required}",
        )
    return None


def untested(facts: Facts, nerves: frozenset[Nerve], origin: str, policy: Policy,
             what: str) -> Reason | None:
    """Nerves outside what a neurotomy booked from ``origin`` may treat."""
    outside = nerves - facts.treatable_nerves(origin, policy.blocks_required)
    if not outside:
        return None
    if origin == Stage.RECURRENCE:
        why = (f"were neither treated by the last neurotomy nor confirmed by "
               f"{policy.blocks_required} positive block(s) since")
    else:
        why = (f"are not confirmed by {policy.blocks_required} positive block(s) "
               "(or were treated since)")
    return Reason(UNTESTED_TARGET, f"{what} {describe(outside)}, which {why}")


@gives(UNTESTED_TARGET)
def untested_booking(facts: Facts, event: ev.NeurotomyScheduled,
                     policy: Policy) -> Reason | None:
    return untested(facts, nerves_of(event.targets), facts.state, policy, "booked for")


@gives(SAME_VISIT)
def same_visit(facts: Facts, event: ev.NeurotomyScheduled, policy: Policy) -> Reason | None:
    """A visit of its own, on a later clinic day than the last block, after its assessment."""
    earlier = facts.visits.get(event.visit_id)
    if earlier is not None and earlier.kind == "block":
        return Reason(
            SAME_VISIT,
            f"visit {event.visit_id} is a block visit; the neurotomy needs a visit of its own",
        )
    last_block = facts.last_block_at
    if last_block is not None:
        day, block_day = timing.clinic_date(event.visit_at, policy), timing.clinic_date(
            last_block, policy)
        if day <= block_day:
            return Reason(
                SAME_VISIT,
                f"the neurotomy on {day} must be on a later day than the last block "
                f"({block_day}, days in {policy.time_zone})",
            )
    assessed = facts.assessed_at
    if assessed is not None and event.visit_at < assessed:
        return Reason(
            SAME_VISIT,
            f"the neurotomy at {when(event.visit_at)} must not be before the relief "
            f"assessment concluded ({when(assessed)})",
        )
    return None


@gives(REPEAT_TOO_SOON)
def repeat_too_soon(facts: Facts, event: ev.NeurotomyScheduled,
                    policy: Policy) -> Reason | None:
    interval = policy.min_neurotomy_interval
    last = facts.neurotomy
    if interval is None or last is None:
        return None
    if event.visit_at < last.at + interval:
        return Reason(
            REPEAT_TOO_SOON,
            f"{span(event.visit_at - last.at)} after the last neurotomy; {policy.name} requires "
            f"{span(interval)} (earliest {when(last.at + interval)})",
        )
    return None


def _relief_shortfall(facts: Facts, policy: Policy) -> list[str]:
    needed, lasting = policy.repeat_min_relief, policy.repeat_min_relief_duration
    unmet = []
    if needed is not None:
        best = best_relief(facts)
        enough = best is not None and (best > needed if policy.repeat_relief_strict
                                       else best >= needed)
        if not enough:
            got = "none recorded" if best is None else percent(best)
            word = "more than" if policy.repeat_relief_strict else "at least"
            unmet.append(f"relief {word} {percent(needed)} (best: {got})")
    if lasting is not None:
        met_at, ended = timing.repeat_relief_met_at(facts, policy), facts.relief_ended_at
        if ended is None or met_at is None or ended < met_at:
            lasted = timing.relief_lasted(facts)
            got = "unknown: no pain return recorded" if lasted is None else span(lasted)
            unmet.append(f"relief lasting at least {span(lasting)} (lasted: {got})")
    return unmet


@gives(INSUFFICIENT_PRIOR_RELIEF)
def insufficient_prior_relief(
    facts: Facts, event: ev.NeurotomyScheduled, policy: Policy
) -> Reason | None:
    last = facts.neurotomy
    if last is None or not nerves_of(event.targets) & last.nerves:
        return None
    unmet = _relief_shortfall(facts, policy)
    if unmet:
        return Reason(
            INSUFFICIENT_PRIOR_RELIEF,
            f"repeating the last neurotomy needs {' and '.join(unmet)}",
        )
    return None


@gives(REBLOCK_REQUIRED)
def reblock_required(facts: Facts, event: ev.NeurotomyScheduled,
                     policy: Policy) -> Reason | None:
    if facts.state != Stage.RECURRENCE or not timing.reblock_needed(facts, policy,
                                                                     event.visit_at):
        return None
    last: Any = facts.neurotomy
    return Reason(
        REBLOCK_REQUIRED,
        f"the last neurotomy would be {span(event.visit_at - last.at)} old; from "
        f"{span(policy.reblock_after or dt.timedelta(0))} on, {policy.name} requires new "
        "diagnostic blocks",
    )
