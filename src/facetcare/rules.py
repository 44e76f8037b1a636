"""One function per rule: each returns a `Reason` when it refuses, else None.

Rules read the `Record` (facts derived from the accepted events), the event
and the `Policy`; they never change anything, so `check()` can run them all
and `apply()` runs them once. Every number comes from the policy (DESIGN
principle 5); which policy field and source is named in `facetcare.policy`.

`RULES` lists, per event type, the rules in the order of the DESIGN events
table; `COMMON` runs first for every event. Each rule declares the reason
code it gives with `gives`, so the diagram and the docs name it from data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from fractions import Fraction
from typing import Any, TypeVar

from facetcare import events as ev
from facetcare.errors import CODES, Reason
from facetcare.machine import Stage
from facetcare.policy import Policy
from facetcare.record import Record, describe, nerves_of

__all__ = [
    "CODE_OF",
    "COMMON",
    "RULES",
    "Rule",
    "entry_criteria",
    "gives",
    "invalid_transition",
    "span",
]

Rule = Callable[[Record, Any, Policy], Reason | None]
YEAR = dt.timedelta(days=365)


def span(delta: dt.timedelta) -> str:
    """A duration the way a clinic says it: "7 h 5 min", "14 d", "-30 min"."""
    sign = "-" if delta < dt.timedelta(0) else ""
    total = abs(int(delta.total_seconds()))
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [f"{days} d" * bool(days), f"{hours} h" * bool(hours),
             f"{minutes} min" * bool(minutes), f"{seconds} s" * bool(seconds)]
    return sign + (" ".join(p for p in parts if p) or "0 min")


def _when(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="minutes")


def _percent(share: Fraction) -> str:
    return f"{float(share) * 100:.0f}%"


#: rule → the reason code it gives when it refuses; filled by `gives`.
CODE_OF: dict[Rule, str] = {}
_R = TypeVar("_R", bound=Callable[..., Reason | None])


def gives(code: str) -> Callable[[_R], _R]:
    """Declare the reason code a rule gives, so diagrams and docs can name it."""
    if code not in CODES:
        raise ValueError(f"{code!r} is not a reason code in facetcare.errors.CODES")

    def declare(rule: _R) -> _R:
        CODE_OF[rule] = code
        return rule

    return declare


# -- common --------------------------------------------------------------------


def invalid_transition(rec: Record, event: ev.Event) -> Reason:
    stage = "before referral" if rec.state == "start" else f"in stage {rec.state}"
    return Reason("invalid_transition", f"{event.kind} is not allowed {stage}")


@gives("out_of_order")
def out_of_order(rec: Record, event: ev.Event, policy: Policy) -> Reason | None:
    if rec.last_at is not None and event.at < rec.last_at:
        return Reason(
            "out_of_order",
            f"{event.kind} at {_when(event.at)} is earlier than the last accepted event "
            f"({_when(rec.last_at)})",
        )
    return None


COMMON: tuple[Rule, ...] = (out_of_order,)


# -- referral ------------------------------------------------------------------


@gives("entry_criteria")
def entry_criteria(rec: Record, event: ev.Referred, policy: Policy) -> Reason | None:
    """Payer entry criteria [1.2]; unknown (None) counts as not met."""
    unmet = []
    needed = policy.entry_min_pain_months
    if needed is not None and (event.pain_months is None or event.pain_months < needed):
        known = "unknown" if event.pain_months is None else f"{event.pain_months} months"
        unmet.append(f"pain for at least {needed} months (referral: {known})")
    care_failed = event.conservative_care_failed
    if policy.entry_requires_failed_conservative_care and care_failed is not True:
        known = "unknown" if event.conservative_care_failed is None else "not failed"
        unmet.append(f"failed conservative care (referral: {known})")
    if unmet:
        return Reason("entry_criteria", f"{policy.name} requires " + " and ".join(unmet))
    return None


# -- bookings ------------------------------------------------------------------


@gives("visit_in_past")
def visit_in_past(rec: Record, event: ev.BlockScheduled, policy: Policy) -> Reason | None:
    if event.visit_at < event.at:
        return Reason(
            "visit_in_past",
            f"visit {event.visit_id} is booked for {_when(event.visit_at)}, before the "
            f"booking itself ({_when(event.at)})",
        )
    return None


@gives("block_interval")
def block_interval(rec: Record, event: ev.BlockScheduled, policy: Policy) -> Reason | None:
    gap = policy.min_block_gap
    last = rec.block_times[-1] if rec.block_times else None
    if gap is not None and last is not None and event.visit_at - last < gap:
        return Reason(
            "block_interval",
            f"the block on {_when(event.visit_at)} would be {span(event.visit_at - last)} after "
            f"the last block; {policy.name} requires at least {span(gap)}",
        )
    return None


def _within_year(times: list[dt.datetime], visit_at: dt.datetime) -> int:
    """Procedures performed in (visit_at − 365 d, visit_at]."""
    start = visit_at - YEAR
    return sum(1 for t in times if start < t <= visit_at)


def _annual_limit(
    times: list[dt.datetime], cap: int | None, visit_at: dt.datetime, what: str, policy: Policy
) -> Reason | None:
    if cap is None:
        return None
    done = _within_year(times, visit_at)
    if done + 1 > cap:
        return Reason(
            "annual_limit",
            f"{done} {what} in the 12 months before {_when(visit_at)}; {policy.name} allows "
            f"{cap} per rolling 12 months",
        )
    return None


@gives("annual_limit")
def block_annual_limit(rec: Record, event: ev.BlockScheduled, policy: Policy) -> Reason | None:
    return _annual_limit(rec.block_times, policy.max_blocks_per_year, event.visit_at,
                         "blocks", policy)


@gives("annual_limit")
def neurotomy_annual_limit(
    rec: Record, event: ev.NeurotomyScheduled, policy: Policy
) -> Reason | None:
    return _annual_limit(rec.neurotomy_times, policy.max_neurotomies_per_year, event.visit_at,
                         "neurotomies", policy)


def _too_many_levels(targets: tuple[ev.Target, ...], cap: int | None, policy: Policy,
                     what: str) -> Reason | None:
    if cap is None:
        return None
    levels = {t.joint for t in targets}
    if len(levels) > cap:
        return Reason(
            "too_many_levels",
            f"{len(levels)} facet joints ({', '.join(sorted(levels))}) in one {what} session; "
            f"{policy.name} allows {cap} (a bilateral joint counts once)",
        )
    return None


@gives("too_many_levels")
def block_levels(rec: Record, event: ev.BlockScheduled, policy: Policy) -> Reason | None:
    return _too_many_levels(event.targets, policy.max_block_levels, policy, "block")


@gives("too_many_levels")
def neurotomy_levels(rec: Record, event: ev.NeurotomyScheduled, policy: Policy) -> Reason | None:
    return _too_many_levels(event.targets, policy.max_neurotomy_levels, policy, "neurotomy")


@gives("region_mismatch")
def region_mismatch(rec: Record, event: ev.BlockScheduled, policy: Policy) -> Reason | None:
    stray = sorted({t.joint for t in event.targets if t.region != rec.region})
    if stray:
        return Reason(
            "region_mismatch",
            f"{', '.join(stray)} is not in the {rec.region} region this pathway covers",
        )
    return None


@gives("duplicate_visit")
def duplicate_visit(rec: Record, event: ev.BlockScheduled, policy: Policy) -> Reason | None:
    earlier = rec.visits.get(event.visit_id)
    if earlier is None:
        return None
    if isinstance(event, ev.NeurotomyScheduled) and earlier.kind == "block":
        return None  # reported as same_visit
    return Reason(
        "duplicate_visit",
        f"visit id {event.visit_id} was already used for a {earlier.kind} visit",
    )


@gives("no_positive_block")
def no_positive_block(rec: Record, event: ev.NeurotomyScheduled, policy: Policy) -> Reason | None:
    if rec.state == Stage.RECURRENCE:
        return None  # a repeat of the last neurotomy; repeat rules apply
    have = len(rec.series)
    if have < policy.blocks_required:
        return Reason(
            "no_positive_block",
            f"{have} positive block(s) since the last negative result or neurotomy; "
            f"{policy.name} requires {policy.blocks_required}",
        )
    return None


def _untested(rec: Record, nerves: frozenset[Any], origin: str, policy: Policy,
              what: str) -> Reason | None:
    untested = nerves - rec.treatable_nerves(origin, policy.blocks_required)
    if not untested:
        return None
    if origin == Stage.RECURRENCE:
        why = "were not treated by the last neurotomy; other nerves need a new positive block"
    else:
        why = f"were not confirmed by {policy.blocks_required} positive block(s)"
    return Reason("untested_target", f"{what} {describe(untested)}, which {why}")


@gives("untested_target")
def untested_booking(rec: Record, event: ev.NeurotomyScheduled, policy: Policy) -> Reason | None:
    return _untested(rec, nerves_of(event.targets), rec.state, policy, "booked for")


@gives("same_visit")
def same_visit(rec: Record, event: ev.NeurotomyScheduled, policy: Policy) -> Reason | None:
    earlier = rec.visits.get(event.visit_id)
    if earlier is not None and earlier.kind == "block":
        return Reason(
            "same_visit",
            f"visit {event.visit_id} is a block visit; the neurotomy needs a visit of its own",
        )
    last_block = rec.block_times[-1] if rec.block_times else None
    if last_block is not None:
        tz = event.visit_at.tzinfo
        if event.visit_at.date() <= last_block.astimezone(tz).date():
            return Reason(
                "same_visit",
                f"the neurotomy on {event.visit_at.date()} must be on a later day than the "
                f"last block ({last_block.astimezone(tz).date()})",
            )
    assessed = rec.last_assessed_at
    if assessed is not None and event.visit_at <= assessed:
        return Reason(
            "same_visit",
            f"the neurotomy at {_when(event.visit_at)} must come after the relief assessment "
            f"concluded ({_when(assessed)})",
        )
    return None


@gives("repeat_too_soon")
def repeat_too_soon(rec: Record, event: ev.NeurotomyScheduled, policy: Policy) -> Reason | None:
    interval = policy.min_neurotomy_interval
    if interval is None or rec.neurotomy is None:
        return None
    since = event.visit_at - rec.neurotomy.at
    if since < interval:
        return Reason(
            "repeat_too_soon",
            f"{span(since)} after the last neurotomy; {policy.name} requires {span(interval)} "
            f"(earliest {_when(rec.neurotomy.at + interval)})",
        )
    return None


@gives("insufficient_prior_relief")
def insufficient_prior_relief(
    rec: Record, event: ev.NeurotomyScheduled, policy: Policy
) -> Reason | None:
    last = rec.neurotomy
    needed, lasting = policy.repeat_min_relief, policy.repeat_min_relief_duration
    if last is None or (needed is None and lasting is None):
        return None
    if not nerves_of(event.targets) & last.nerves:
        return None
    best = rec.best_relief
    ended = rec.relief_ended_at
    unmet = []
    if needed is not None:
        enough = best is not None and (best > needed if policy.repeat_relief_strict
                                       else best >= needed)
        if not enough:
            got = "none recorded" if best is None else _percent(best)
            word = "more than" if policy.repeat_relief_strict else "at least"
            unmet.append(f"relief {word} {_percent(needed)} (best: {got})")
    if lasting is not None:
        lasted = None if ended is None else ended - last.at
        if lasted is None or lasted < lasting:
            got = "unknown: no pain return recorded" if lasted is None else span(lasted)
            unmet.append(f"relief lasting at least {span(lasting)} (lasted: {got})")
    if unmet:
        return Reason(
            "insufficient_prior_relief",
            f"repeating the last neurotomy needs {' and '.join(unmet)}",
        )
    return None


@gives("reblock_required")
def reblock_required(rec: Record, event: ev.NeurotomyScheduled, policy: Policy) -> Reason | None:
    limit = policy.reblock_after
    if limit is None or rec.neurotomy is None or rec.state != Stage.RECURRENCE:
        return None
    age = event.visit_at - rec.neurotomy.at
    if age > limit:
        return Reason(
            "reblock_required",
            f"the last neurotomy would be {span(age)} old; after {span(limit)} {policy.name} "
            "requires new diagnostic blocks",
        )
    return None


# -- visits --------------------------------------------------------------------


@gives("no_escort")
def no_escort(rec: Record, event: ev.CheckedIn | ev.Discharged, policy: Policy) -> Reason | None:
    if policy.escort_required and not event.escort_present:
        moment = "check-in" if isinstance(event, ev.CheckedIn) else "discharge"
        return Reason(
            "no_escort",
            f"no driver or escort at {moment}; {policy.name} requires one to take the "
            "patient home",
        )
    return None


@gives("unknown_visit")
def unknown_visit(rec: Record, event: Any, policy: Policy) -> Reason | None:
    visit = rec.open_visit
    if visit is None or event.visit_id != visit.visit_id:
        expected = f"the open visit is {visit.visit_id}" if visit else "no visit is open"
        return Reason("unknown_visit", f"visit {event.visit_id} is not open here; {expected}")
    return None


@gives("target_mismatch")
def target_mismatch(rec: Record, event: ev.BlockPerformed, policy: Policy) -> Reason | None:
    booked = rec.open_visit.targets if rec.open_visit else ()
    extra = [t for t in event.targets if t not in booked]
    if extra:
        return Reason(
            "target_mismatch",
            "not booked for this visit: " + ", ".join(f"{t.side} {t.joint}" for t in extra),
        )
    return None


@gives("lesion_duration")
def lesion_duration(rec: Record, event: ev.NeurotomyPerformed, policy: Policy) -> Reason | None:
    low, high = policy.lesion_min_seconds, policy.lesion_max_seconds
    bad = [
        lesion.seconds for lesion in event.lesions
        if (low is not None and lesion.seconds < low)
        or (high is not None and lesion.seconds > high)
    ]
    if bad:
        allowed = f"{low or 0}–{high} s" if high is not None else f"at least {low} s"
        return Reason(
            "lesion_duration",
            f"lesion(s) of {', '.join(f'{s:g} s' for s in bad)}; {policy.name} allows {allowed}",
        )
    return None


@gives("lesion_temperature")
def lesion_temperature(
    rec: Record, event: ev.NeurotomyPerformed, policy: Policy
) -> Reason | None:
    low, high = policy.lesion_min_temperature_c, policy.lesion_max_temperature_c
    if low is None and high is None:
        return None
    strict = policy.lesion_temperature_strict
    missing = sum(1 for lesion in event.lesions if lesion.temperature_c is None)
    bad = [
        t for lesion in event.lesions if (t := lesion.temperature_c) is not None
        and ((low is not None and (t <= low if strict else t < low))
             or (high is not None and t > high))
    ]
    if not missing and not bad:
        return None
    lower = "" if low is None else f"{'above' if strict else 'at least'} {low:g} °C"
    upper = "" if high is None else f"at most {high:g} °C"
    rule = " and ".join(p for p in (lower, upper) if p)
    found = ([f"{missing} lesion(s) without a temperature"] if missing else []) + (
        [f"lesion(s) at {', '.join(f'{t:g} °C' for t in bad)}"] if bad else [])
    return Reason("lesion_temperature", f"{'; '.join(found)}; {policy.name} requires {rule}")


@gives("untested_target")
def untested_lesion(rec: Record, event: ev.NeurotomyPerformed, policy: Policy) -> Reason | None:
    origin = rec.open_visit.origin if rec.open_visit else rec.state
    nerves = nerves_of(tuple(lesion.target for lesion in event.lesions))
    return _untested(rec, nerves, origin, policy, "lesions on")


@gives("observation_incomplete")
def observation_incomplete(rec: Record, event: ev.Discharged, policy: Policy) -> Reason | None:
    if rec.state == Stage.BLOCK_OBSERVATION:
        given, needed, what = rec.block_at, policy.block_observation, "block observation"
    else:
        given = rec.neurotomy.at if rec.neurotomy else None
        needed, what = policy.neurotomy_recovery, "neurotomy recovery"
    if given is not None and event.at - given < needed:
        return Reason(
            "observation_incomplete",
            f"discharge {span(event.at - given)} after the procedure; {what} takes "
            f"{span(needed)} (not before {_when(given + needed)})",
        )
    return None


# -- relief assessment ---------------------------------------------------------


@gives("outside_relief_window")
def outside_relief_window(
    rec: Record, event: ev.ReliefDiaryRecorded, policy: Policy
) -> Reason | None:
    """Entries are judged by their own times: window = [block, block + end]."""
    block = rec.block_at
    if block is None:
        return None
    end = block + policy.relief_window_end
    outside = [e for e in event.entries if not block <= e.at <= end]
    if outside:
        first = outside[0]
        return Reason(
            "outside_relief_window",
            f"{len(outside)} diary entr{'y' if len(outside) == 1 else 'ies'} outside the relief "
            f"window; e.g. the entry at {_when(first.at)} is {span(first.at - block)} after "
            f"the block, and the window runs from the block to {span(policy.relief_window_end)} "
            "after it",
        )
    return None


@gives("relief_window_open")
def relief_window_open(rec: Record, event: ev.ReliefAssessed, policy: Policy) -> Reason | None:
    block = rec.block_at
    if block is None:
        return None
    earliest = block + policy.relief_window_min
    if event.at < earliest:
        return Reason(
            "relief_window_open",
            f"assessed {span(event.at - block)} after the block; the assessment may conclude "
            f"from {span(policy.relief_window_min)} after it ({_when(earliest)})",
        )
    return None


#: Rules per event type, in the order of the DESIGN events table.
RULES: dict[type[ev.Event], tuple[Rule, ...]] = {
    ev.Referred: (entry_criteria,),
    ev.BlockScheduled: (visit_in_past, block_interval, block_annual_limit, block_levels,
                        region_mismatch, duplicate_visit),
    ev.NeurotomyScheduled: (visit_in_past, no_positive_block, untested_booking, same_visit,
                            repeat_too_soon, insufficient_prior_relief, neurotomy_annual_limit,
                            reblock_required, neurotomy_levels, region_mismatch, duplicate_visit),
    ev.CheckedIn: (no_escort, unknown_visit),
    ev.BlockPerformed: (unknown_visit, target_mismatch),
    ev.NeurotomyPerformed: (lesion_duration, lesion_temperature, untested_lesion, unknown_visit),
    ev.Discharged: (no_escort, observation_incomplete, unknown_visit),
    ev.ReliefDiaryRecorded: (outside_relief_window,),
    ev.ReliefAssessed: (relief_window_open,),
    ev.FollowUpRecorded: (),
    ev.PainReturned: (),
    ev.VisitCancelled: (unknown_visit,),
    ev.VisitMissed: (unknown_visit,),
    ev.Closed: (),
    ev.Withdrawn: (),
}
