"""The next event of a real pathway: candidates aimed at its state, kept if accepted.

Each step is drawn for the pathway as it stands (its open visit, last
block, confirmed nerves, the policy's gaps and caps), then `Pathway.check`
decides: the first accepted candidate is the step. A journey is therefore
valid because the real rules accepted every step, not because the
generator re-implements them; the builders only make acceptance likely.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Sequence
from typing import TypeVar

from hypothesis import strategies as st

from facetcare import events as ev
from facetcare.anatomy import JOINTS, Region, Side
from facetcare.machine import START, Stage
from facetcare.pathway import Pathway
from facetcare.policy import Policy, ReliefMeasure
from facetcare.records import block_record, lesion_record, neurotomy_record, referral_record
from facetcare.testing._facts import Facts, facts_of, nerves_of
from facetcare.testing._strategies import (
    aware_datetimes,
    lesion_values,
    reasons,
    time_zones,
)

__all__ = ["BUILDERS", "kinds_for", "next_events", "next_step", "pick", "referral", "referrals"]

ZERO = dt.timedelta(0)
MINUTE = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)
YEAR = 365 * DAY

#: A pause before the next thing happens; shrinks towards "at once".
_LATER = st.one_of(
    st.just(ZERO),
    st.integers(1, 59).map(lambda n: n * MINUTE),
    st.integers(1, 23).map(lambda n: n * HOUR),
    st.integers(1, 120).map(lambda n: n * DAY),
)
#: A short pause inside a visit.
_SOON = st.one_of(st.just(ZERO), st.integers(1, 90).map(lambda n: n * MINUTE))
#: How far ahead a visit is booked.
_AHEAD = st.one_of(
    st.integers(0, 45).map(lambda n: n * DAY), st.integers(1, 23).map(lambda n: n * HOUR)
)
#: When referrals happen: recent years, any zone.
_REFERRAL_TIMES = aware_datetimes(
    dt.datetime(2020, 1, 1, tzinfo=dt.UTC), dt.datetime(2035, 1, 1, tzinfo=dt.UTC)
)

Builder = Callable[[st.DrawFn, Pathway, Facts], ev.Event]
T = TypeVar("T")


#: Strategies are built once: Hypothesis validates each new one on first use.
_MAYBE_ZONE = st.one_of(st.none(), time_zones())
_SIDES = ((Side.LEFT,), (Side.RIGHT,), (Side.LEFT, Side.RIGHT))


def pick(draw: st.DrawFn, items: Sequence[T]) -> T:
    return items[draw(st.integers(0, len(items) - 1))]


def _shown(draw: st.DrawFn, moment: dt.datetime) -> dt.datetime:
    """The same instant, sometimes as another system would write it (another zone)."""
    zone = draw(_MAYBE_ZONE)
    return moment if zone is None else moment.astimezone(zone)


def _last(facts: Facts) -> dt.datetime:
    assert facts.last_at is not None
    return facts.last_at


def _after(
    draw: st.DrawFn, base: dt.datetime, pause: st.SearchStrategy[dt.timedelta]
) -> dt.datetime:
    return _shown(draw, base + draw(pause))


def _fresh_id(facts: Facts) -> str:
    number = len(facts.visit_ids) + 1
    while f"v{number}" in facts.visit_ids:
        number += 1
    return f"v{number}"


def _subset(draw: st.DrawFn, items: tuple[ev.Target, ...]) -> tuple[ev.Target, ...]:
    """A non-empty subset, shrinking towards all of them."""
    kept = tuple(item for item in items if not draw(st.booleans()))
    return kept or (pick(draw, items),)


def _escort(draw: st.DrawFn, policy: Policy) -> bool:
    return True if policy.escort_required else draw(st.booleans())


def _next_day(moment: dt.datetime, zone: dt.tzinfo | None) -> dt.datetime:
    """Midnight after ``moment``'s day as seen in ``zone`` (never the machine's own zone)."""
    local = moment.astimezone(zone or dt.UTC)
    return dt.datetime.combine(local.date() + DAY, dt.time(0), tzinfo=local.tzinfo)


def _fits_cap(times: tuple[dt.datetime, ...], cap: int | None) -> dt.datetime | None:
    """Earliest visit time with fewer than ``cap`` procedures in the 365 days before it."""
    if cap is None or len(times) < cap:
        return None
    return sorted(times)[-cap] + YEAR


@st.composite
def referral(
    draw: st.DrawFn, policy: Policy, region: Region | None
) -> ev.Referred:
    needed = policy.entry_min_pain_months
    if needed is None:
        months = draw(st.one_of(st.none(), st.integers(0, 240)))
    else:
        months = draw(st.integers(needed, 240))
    if policy.entry_requires_failed_conservative_care:
        care: bool | None = True
    else:
        care = draw(st.one_of(st.none(), st.booleans()))
    region = region if region is not None else pick(draw, list(policy.regions or Region))
    record = referral_record(policy, region)
    record.update(pain_months=months, conservative_care_failed=care)
    return ev.Referred(
        at=draw(_REFERRAL_TIMES),
        pathway_id=pick(draw, ("pw-1", "pw-2", "pw-x")),
        patient_id=pick(draw, ("pt-1", "pt-2")),
        region=region,
        **record,
    )


def referrals(
    policy: Policy | None = None, region: Region | str | None = None
) -> st.SearchStrategy[ev.Referred]:
    """Referrals that meet ``policy``'s entry criteria, for ``region`` (any when None)."""
    return referral(policy or Policy.seed(), None if region is None else Region(region))


@functools.cache
def _lesion_values(
    policy: Policy,
) -> tuple[st.SearchStrategy[float], st.SearchStrategy[float | None]]:
    return lesion_values(policy)


def _fresh_targets(draw: st.DrawFn, region: Region, cap: int | None) -> tuple[ev.Target, ...]:
    joints = [joint for joint, where in JOINTS.items() if where == region]
    chosen: list[str] = []
    for _ in range(draw(st.integers(1, min(cap or 3, 3)))):
        joint = pick(draw, joints)
        if joint not in chosen:
            chosen.append(joint)
    return tuple(ev.Target(joint, side) for joint in chosen for side in pick(draw, _SIDES))


def _block_booking(draw: st.DrawFn, pw: Pathway, f: Facts) -> ev.Event:
    policy = pw.policy_in_force
    at = _after(draw, _last(f), _LATER)
    earliest = at
    if policy.min_block_gap is not None and f.block_times:
        earliest = max(earliest, f.block_times[-1] + policy.min_block_gap)
    capped = _fits_cap(f.block_times, policy.max_blocks_per_year)
    if capped is not None:
        earliest = max(earliest, capped)
    # A confirmatory block repeats the targets; otherwise other nerves may be tried.
    if f.block_targets and draw(st.booleans()) is False:
        chosen = f.block_targets
    else:
        chosen = _fresh_targets(draw, f.region, policy.max_block_levels)
    return ev.BlockScheduled(
        at=at, visit_id=_fresh_id(f), visit_at=_shown(draw, earliest + draw(_AHEAD)),
        targets=chosen, escort_confirmed=draw(st.booleans()),
    )


def _neurotomy_booking(draw: st.DrawFn, pw: Pathway, f: Facts) -> ev.Event:
    policy = pw.policy_in_force
    at = _after(draw, _last(f), _LATER)
    pool = f.neurotomy_targets if f.state == Stage.RECURRENCE else f.block_targets
    fitting = tuple(t for t in pool if nerves_of((t,)) <= f.treatable) or pool
    chosen = _subset(draw, fitting) if fitting else _fresh_targets(draw, f.region, None)
    zone = draw(_MAYBE_ZONE)
    earliest = at if zone is None else at.astimezone(zone)
    if f.block_times:
        earliest = max(earliest, _next_day(f.block_times[-1], earliest.tzinfo))
    if f.assessed_at is not None:
        earliest = max(earliest, f.assessed_at + MINUTE)
    if policy.min_neurotomy_interval is not None and f.neurotomy_at is not None:
        earliest = max(earliest, f.neurotomy_at + policy.min_neurotomy_interval)
    capped = _fits_cap(f.neurotomy_times, policy.max_neurotomies_per_year)
    if capped is not None:
        earliest = max(earliest, capped)
    visit_at = earliest + draw(_AHEAD) + draw(st.integers(0, 10)) * HOUR
    if (policy.reblock_after is not None and f.neurotomy_at is not None
            and f.state == Stage.RECURRENCE):
        visit_at = max(earliest, min(visit_at, f.neurotomy_at + policy.reblock_after))
    return ev.NeurotomyScheduled(
        at=at, visit_id=_fresh_id(f), visit_at=visit_at, targets=chosen,
        escort_confirmed=draw(st.booleans()),
    )


def _check_in(draw: st.DrawFn, pw: Pathway, f: Facts) -> ev.Event:
    last = _last(f)
    visit = f.open_visit
    on_time = visit is not None and draw(st.booleans()) is False
    base = max(last, visit.visit_at) if visit is not None and on_time else last
    return ev.CheckedIn(
        at=_after(draw, base, _SOON),
        visit_id=visit.visit_id if visit is not None else "v1",
        escort_present=_escort(draw, pw.policy),
    )


def _block_given(draw: st.DrawFn, pw: Pathway, f: Facts) -> ev.Event:
    visit = f.open_visit
    booked = visit.targets if visit is not None else (ev.Target("L4-L5", Side.LEFT),)
    return ev.BlockPerformed(
        at=_after(draw, _last(f), _SOON),
        visit_id=visit.visit_id if visit is not None else "v1",
        targets=_subset(draw, booked),
        # Mostly the high pain that brings a referral; sometimes anything, even 0.
        baseline_pain=10 - draw(st.integers(0, 3 if draw(st.booleans()) is False else 10)),
        **block_record(pw.policy_in_force),
    )


def _neurotomy_done(draw: st.DrawFn, pw: Pathway, f: Facts) -> ev.Event:
    visit = f.open_visit
    booked = visit.targets if visit is not None else (ev.Target("L4-L5", Side.LEFT),)
    fitting = tuple(t for t in booked if nerves_of((t,)) <= f.treatable) or booked
    treated = _subset(draw, fitting)
    seconds, heat = _lesion_values(pw.policy)
    burns = [
        ev.Lesion(target, draw(seconds), draw(heat), **lesion_record(pw.policy_in_force))
        for target in treated
        for _ in range(draw(st.integers(1, 3)))
    ]
    return ev.NeurotomyPerformed(
        at=_after(draw, _last(f), _SOON),
        visit_id=visit.visit_id if visit is not None else "v1",
        lesions=tuple(burns),
        **neurotomy_record(pw.policy_in_force),
    )


def _discharge(draw: st.DrawFn, pw: Pathway, f: Facts) -> ev.Event:
    policy = pw.policy_in_force
    last = _last(f)
    if f.state == Stage.BLOCK_OBSERVATION and f.block_at is not None:
        ready = f.block_at + policy.block_observation
    elif f.neurotomy_at is not None:
        ready = f.neurotomy_at + policy.neurotomy_recovery
    else:
        ready = last
    return ev.Discharged(
        at=_after(draw, max(last, ready), _SOON),
        visit_id=f.open_visit.visit_id if f.open_visit is not None else "v1",
        escort_present=_escort(draw, policy),
    )


def _diary(draw: st.DrawFn, pw: Pathway, f: Facts) -> ev.Event:
    at = _after(draw, _last(f), _LATER)
    block = f.block_at if f.block_at is not None else at
    latest = min(block + pw.policy.relief_window_end, at)
    span = max(int((latest - block).total_seconds()) // 60, 0)
    scores = _scores(draw)
    sustained = pw.policy_in_force.relief_measure == ReliefMeasure.SUSTAINED
    if f.block_at is not None and draw(st.integers(0, 3)) < (3 if sustained else 2):
        # A kept diary: one score at 30 min, 2 h and when the assessment may conclude,
        # so a sustained relief measure (docs/payer-rules.md#relief) can be met too
        # (under one, mostly relieved: two such blocks lead to a neurotomy).
        score = draw(st.integers(0, 1) if sustained and draw(st.booleans()) else scores)
        lasting = block + pw.policy_in_force.relief_window_min
        return ev.ReliefDiaryRecorded(at=max(at, lasting), entries=[
            ev.PainEntry(block + offset, score) for offset in (30 * MINUTE, 120 * MINUTE)
            if block + offset < lasting] + [ev.PainEntry(lasting, score)])
    entries = [
        ev.PainEntry(block + draw(st.integers(0, span)) * MINUTE, draw(scores))
        for _ in range(draw(st.integers(1, 4)))
    ]
    return ev.ReliefDiaryRecorded(at=at, entries=entries)


def _assessment(draw: st.DrawFn, pw: Pathway, f: Facts) -> ev.Event:
    last = _last(f)
    ready = last if f.block_at is None else f.block_at + pw.policy.relief_window_min
    return ev.ReliefAssessed(at=_after(draw, max(last, ready), _SOON))


def _scores(draw: st.DrawFn) -> st.SearchStrategy[int]:
    """Pain after a treatment: often clearly relieved, otherwise anything."""
    return st.integers(0, 2) if draw(st.booleans()) is False else st.integers(0, 10)


#: Pain at follow-up: clearly relieved, clearly not, or anything.
_FOLLOW_UP_SCORES = (st.integers(0, 2), st.integers(7, 10), st.integers(0, 10))


def _follow_up(draw: st.DrawFn, pw: Pathway, f: Facts) -> ev.Event:
    last = _last(f)
    base = last
    # Often once the settling period is over, when "no relief" becomes possible.
    if f.state == Stage.FOLLOW_UP and f.neurotomy_at is not None and draw(st.booleans()):
        base = max(last, f.neurotomy_at + pw.policy.follow_up_settling)
    return ev.FollowUpRecorded(at=_after(draw, base, _LATER),
                               pain_score=draw(pick(draw, _FOLLOW_UP_SCORES)))


def _pain_returned(draw: st.DrawFn, pw: Pathway, f: Facts) -> ev.Event:
    last = _last(f)
    lasting = pw.policy.repeat_min_relief_duration
    base = last
    # Often just long enough for the policy's repeat rule, so repeats are reachable.
    if lasting is not None and f.neurotomy_at is not None and draw(st.booleans()) is False:
        base = max(last, f.neurotomy_at + lasting)
    return ev.PainReturned(at=_after(draw, base, _LATER), pain_score=draw(st.integers(0, 10)))


def _visit_id(f: Facts) -> str:
    return f.open_visit.visit_id if f.open_visit is not None else "v1"


def _cancel(draw: st.DrawFn, pw: Pathway, f: Facts) -> ev.Event:
    return ev.VisitCancelled(at=_after(draw, _last(f), _SOON), visit_id=_visit_id(f),
                             reason=draw(reasons()))


def _miss(draw: st.DrawFn, pw: Pathway, f: Facts) -> ev.Event:
    return ev.VisitMissed(at=_after(draw, _last(f), _SOON), visit_id=_visit_id(f))


def _close(draw: st.DrawFn, pw: Pathway, f: Facts) -> ev.Event:
    return ev.Closed(at=_after(draw, _last(f), _LATER), reason=draw(reasons()))


def _withdraw(draw: st.DrawFn, pw: Pathway, f: Facts) -> ev.Event:
    return ev.Withdrawn(at=_after(draw, _last(f), _LATER), reason=draw(reasons()))


def _policy_changed(draw: st.DrawFn, pw: Pathway, f: Facts) -> ev.Event:
    return ev.PolicyChanged(at=_after(draw, _last(f), _SOON), policy=pw.policy_in_force,
                            reason=draw(reasons()))


#: Per event type: how to aim one at the pathway.
BUILDERS: dict[type[ev.Event], Builder] = {
    ev.BlockScheduled: _block_booking,
    ev.NeurotomyScheduled: _neurotomy_booking,
    ev.CheckedIn: _check_in,
    ev.BlockPerformed: _block_given,
    ev.NeurotomyPerformed: _neurotomy_done,
    ev.Discharged: _discharge,
    ev.ReliefDiaryRecorded: _diary,
    ev.ReliefAssessed: _assessment,
    ev.FollowUpRecorded: _follow_up,
    ev.PainReturned: _pain_returned,
    ev.VisitCancelled: _cancel,
    ev.VisitMissed: _miss,
    ev.Closed: _close,
    ev.Withdrawn: _withdraw,
    ev.PolicyChanged: _policy_changed,
}
_ENDINGS = frozenset({ev.Closed, ev.Withdrawn})
_DETOURS = frozenset({ev.VisitCancelled, ev.VisitMissed, ev.PolicyChanged})
_PROGRESS = frozenset(BUILDERS) - _ENDINGS - _DETOURS


def _weight(kind: type[ev.Event], f: Facts) -> int:
    """Steps that keep the stage (diaries, later follow-ups) are tried less often.

    Before an assessment the first diary is likely: without one a block is
    negative, and a journey would rarely string two positive blocks together.
    """
    if kind is ev.ReliefDiaryRecorded:
        return 1 if f.diary_kept or f.state == Stage.BLOCK_OBSERVATION else 6
    if kind is ev.ReliefAssessed:
        return 3 if f.diary_kept else 1
    if kind is ev.FollowUpRecorded and f.state == Stage.SUSTAINED_RELIEF:
        return 1
    if kind is ev.NeurotomyScheduled and f.state in (Stage.FOLLOW_UP, Stage.SUSTAINED_RELIEF):
        return 1  # staged care (the other side) now and then; follow-up first
    return 3


def kinds_for(pw: Pathway) -> list[type[ev.Event]]:
    """Event types valid in the pathway's stage, in the events table's order."""
    allowed = pw.allowed_events()
    return [kind for kind in BUILDERS if kind in allowed]


@st.composite
def next_step(draw: st.DrawFn, pw: Pathway) -> ev.Event:
    f = facts_of(pw)
    if f.state == START:
        return draw(referral(pw.policy, None))
    kinds = kinds_for(pw)
    if not kinds:
        return draw(st.nothing())
    # Mostly progress, sometimes a cancelled or missed visit, rarely the end.
    # (Hypothesis favours the ends of a range, so the rare outcomes sit inside it.)
    roll = draw(st.integers(0, 39))
    wanted = _ENDINGS if roll == 13 else _DETOURS if roll in (5, 11, 27, 33) else _PROGRESS
    menu = [kind for kind in kinds if kind in wanted for _ in range(_weight(kind, f))]
    if not menu:
        menu = [k for k in kinds if k in _PROGRESS for _ in range(_weight(k, f))] or kinds
    first = pick(draw, menu)
    others = sorted((k for k in kinds if k is not first), key=lambda k: k in _ENDINGS)
    for kind in [first, first, *others]:
        event = BUILDERS[kind](draw, pw, f)
        if pw.check(event).allowed:
            return event
    # Withdrawal has no rules: at the last event's time it is always accepted.
    return ev.Withdrawn(at=_last(f), reason="no other step was accepted")


def next_events(pathway: Pathway) -> st.SearchStrategy[ev.Event]:
    """Events ``pathway`` accepts next, judged on its state when drawn.

    Before referral, a referral its policy accepts. In a final stage no
    event is accepted, and drawing marks the example invalid (like
    `hypothesis.strategies.nothing`).
    """
    return next_step(pathway)
