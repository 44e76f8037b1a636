"""Drawn steps, whole valid journeys, and near misses: events one detail away from valid.

A step is made by the makers (`facetcare.testing._makers`) with drawn
choices, aimed at the pathway as it stands and at its policy in force;
`Pathway.check` decides, and the first accepted candidate is the step. A
journey is therefore valid because the real rules accepted every step, not
because the generator re-implements them. A near miss takes such a step
and breaks one thing (a time, a visit id, an escort, a target, a lesion),
which is where an integration's refusal handling is tested.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import attrs
from hypothesis import strategies as st

from facetcare import events as ev
from facetcare import timing
from facetcare.anatomy import Region
from facetcare.facts import Facts
from facetcare.machine import START, Stage
from facetcare.pathway import Pathway
from facetcare.policy import Policy
from facetcare.testing._makers import MAKERS, Drawn, covered, referral
from facetcare.testing._strategies import lesion_values, targets

__all__ = ["journeys", "near_misses", "next_events", "referrals"]

SECOND, HOUR = dt.timedelta(seconds=1), dt.timedelta(hours=1)
_ENDINGS = frozenset({ev.Closed, ev.Withdrawn})
_DETOURS = frozenset({ev.VisitCancelled, ev.VisitMissed, ev.PolicyChanged})
_PROGRESS = frozenset(MAKERS) - _ENDINGS - _DETOURS


@st.composite
def _referral(draw: st.DrawFn, policy: Policy, region: Region | None) -> ev.Referred:
    return referral(Drawn(draw), policy, region)


def referrals(
    policy: Policy | None = None, region: Region | str | None = None
) -> st.SearchStrategy[ev.Referred]:
    """Referrals that meet ``policy``'s entry criteria, for ``region`` (any it covers when None).

    A region the policy does not cover is a `ValueError`: no referral there is accepted.
    """
    policy = policy or Policy.seed()
    return _referral(policy, None if region is None else covered(policy, region))


def _weight(kind: type[ev.Event], f: Facts) -> int:
    """Steps that keep the stage (diaries, later follow-ups) are tried less often.

    Before an assessment the first diary is likely: without one a block is
    negative, and a journey would rarely string two positive blocks together.
    """
    kept = f.block is not None and f.block.lowest_in_window is not None
    if kind is ev.ReliefDiaryRecorded:
        return 1 if kept or f.state == Stage.BLOCK_OBSERVATION else 6
    if kind is ev.ReliefAssessed:
        return 3 if kept else 1
    return 1 if kind is ev.FollowUpRecorded and f.state == Stage.SUSTAINED_RELIEF else 3


def _kinds(pw: Pathway) -> list[type[ev.Event]]:
    """Event types valid in the pathway's stage, in the events table's order."""
    return [kind for kind in MAKERS if kind in pw.allowed_events()]


@st.composite
def next_events(draw: st.DrawFn, pathway: Pathway) -> ev.Event:
    """Events ``pathway`` accepts next, judged on its state when drawn.

    Before referral, a referral its policy accepts. In a final stage no
    event is accepted, and drawing marks the example invalid (like
    `hypothesis.strategies.nothing`).
    """
    f, policy, choices = pathway.facts, pathway.policy_in_force, Drawn(draw)
    if f.state == START:
        return referral(choices, policy, None)
    kinds = _kinds(pathway)
    if not kinds:
        return draw(st.nothing())
    # Mostly progress, sometimes a detour (a cancelled or missed visit, a payer
    # change), rarely the end; Hypothesis favours the ends of a range, so the
    # rare outcomes sit inside it.
    roll = draw(st.integers(0, 39))
    wanted = _ENDINGS if roll == 13 else _DETOURS if roll in (5, 11, 27, 33) else _PROGRESS
    menu = [kind for kind in kinds if kind in wanted for _ in range(_weight(kind, f))]
    if not menu:
        menu = [k for k in kinds if k in _PROGRESS for _ in range(_weight(k, f))] or kinds
    first = menu[draw(st.integers(0, len(menu) - 1))]
    others = sorted((k for k in kinds if k is not first), key=lambda k: k in _ENDINGS)
    for kind in [first, first, *others]:
        event = MAKERS[kind](choices, f, policy)
        if pathway.check(event).allowed:
            return event
    # Withdrawal has no rules: at the last event's time it is always accepted.
    assert f.last_at is not None
    return ev.Withdrawn(at=f.last_at, reason="no other step was accepted")


@st.composite
def _journey(
    draw: st.DrawFn, policy: Policy, region: Region | None, max_steps: int
) -> tuple[ev.Event, ...]:
    pw = Pathway(policy=policy)
    pw.apply(referral(Drawn(draw), policy, region))
    # Any length, or as long as allowed: deep stages need twenty-odd steps.
    for _ in range(draw(st.one_of(st.integers(0, max_steps), st.just(max_steps)))):
        if pw.stage.is_final:
            break
        pw.apply(draw(next_events(pw)))
    return pw.events


def journeys(
    policy: Policy | None = None,
    region: Region | str | None = None,
    *,
    max_steps: int = 60,
) -> st.SearchStrategy[tuple[ev.Event, ...]]:
    """Valid event sequences, starting with `Referred`, that ``policy`` accepts.

    ``Pathway.replay(journey, policy=policy)`` rebuilds every one. Steps are
    drawn from every stage's events (positive and negative blocks,
    confirmatory blocks, cancelled and missed visits, follow-up outcomes,
    recurrence, closing and withdrawal, and now and then a payer change to
    another shipped profile, after which steps follow the new policy) and
    kept only when the real rules accept them. Journeys shrink towards fewer
    steps and plain choices. A ``region`` the policy does not cover is a
    `ValueError`.
    """
    if max_steps < 0:
        raise ValueError("max_steps must not be negative")
    policy = policy or Policy.seed()
    return _journey(policy, None if region is None else covered(policy, region),
                    max_steps)


# -- near misses -------------------------------------------------------------------------

#: One way to break an event: (draw, event, facts, policy) → the broken event, or None.
Break = Callable[[st.DrawFn, Any, Facts, Policy], ev.Event | None]


def _changed(event: Any, **changes: Any) -> ev.Event:
    changed: ev.Event = attrs.evolve(event, **changes)
    return changed


def _back(draw: st.DrawFn, limit: dt.timedelta) -> dt.timedelta:
    """A step back in time, from one second up to ``limit``."""
    return draw(st.integers(1, max(int(limit.total_seconds()), 1))) * SECOND


def _earlier(draw: st.DrawFn, event: Any, f: Facts, p: Policy) -> ev.Event | None:
    if f.last_at is None:
        return None
    at = f.last_at - _back(draw, dt.timedelta(days=3))
    if isinstance(event, ev.ReliefDiaryRecorded):
        entries = tuple(attrs.evolve(e, at=min(e.at, at)) for e in event.entries)
        return _changed(event, at=at, entries=entries)
    return _changed(event, at=at)


def _other_visit(draw: st.DrawFn, event: Any, f: Facts, p: Policy) -> ev.Event | None:
    if not hasattr(event, "visit_id"):
        return None
    return _changed(event, visit_id=draw(st.sampled_from(sorted({*f.visits, "v-unknown"}))))


def _outside_window(draw: st.DrawFn, event: Any, f: Facts, p: Policy) -> ev.Event | None:
    window = timing.relief_window(f, p)
    if window is None:
        return None
    after = draw(st.booleans())
    moment = window[1] + _back(draw, 2 * HOUR) if after else window[0] - _back(draw, 2 * HOUR)
    entry = ev.PainEntry(moment, draw(st.integers(0, 10)))
    return _changed(event, at=max(event.at, moment), entries=(*event.entries, entry))


def _too_early(draw: st.DrawFn, event: Any, f: Facts, p: Policy) -> ev.Event | None:
    opens = timing.assessment_opens_at if isinstance(event, ev.ReliefAssessed) else (
        timing.discharge_ready_at)
    ready = opens(f, p)
    if ready is None or f.last_at is None:
        return None
    # Between the last event (at the latest) and the time it becomes allowed.
    return _changed(event, at=ready - _back(draw, ready - min(f.last_at, ready)))


def _bad_lesion(draw: st.DrawFn, event: Any, f: Facts, p: Policy) -> ev.Event:
    seconds, heat = lesion_values(None)
    burn = attrs.evolve(event.lesions[0], seconds=draw(seconds), temperature_c=draw(heat))
    return _changed(event, lesions=(burn, *event.lesions[1:]))


def _no_escort(draw: st.DrawFn, event: Any, f: Facts, p: Policy) -> ev.Event:
    return _changed(event, escort_present=False)


def _in_the_past(draw: st.DrawFn, event: Any, f: Facts, p: Policy) -> ev.Event:
    return _changed(event, visit_at=event.at - _back(draw, dt.timedelta(days=2)))


def _stray_target(draw: st.DrawFn, event: Any, f: Facts, p: Policy) -> ev.Event:
    return _changed(event, targets=(*event.targets, draw(targets())))


#: Per event type, the details that can be broken (besides its time and visit id).
_BREAKS: dict[type[ev.Event], tuple[Break, ...]] = {
    ev.Referred: (lambda d, event, f, p: _changed(
        event, pain_months=d(st.one_of(st.none(), st.integers(0, 6))),
        conservative_care_failed=d(st.one_of(st.none(), st.booleans()))),),
    ev.BlockScheduled: (_in_the_past, _stray_target),
    ev.NeurotomyScheduled: (_in_the_past, _stray_target),
    ev.CheckedIn: (_no_escort,),
    ev.BlockPerformed: (_stray_target,),
    ev.NeurotomyPerformed: (lambda d, event, f, p: _changed(event, lesions=(
        *event.lesions, attrs.evolve(event.lesions[0], target=d(targets())))), _bad_lesion),
    ev.Discharged: (_no_escort, _too_early),
    ev.ReliefDiaryRecorded: (_outside_window,),
    ev.ReliefAssessed: (_too_early,),
}


@st.composite
def near_misses(draw: st.DrawFn, pathway: Pathway) -> ev.Event:
    """Events aimed at ``pathway``'s stage with one detail broken.

    Earlier than the last event, another visit's id, no escort, a visit
    booked in the past, a target that was not booked or blocked, a lesion out
    of range, a diary entry outside the relief window, a discharge or an
    assessment too early, a referral that misses the entry criteria. Some
    are still accepted (a change can be harmless); the rules decide.
    """
    f, policy = pathway.facts, pathway.policy_in_force
    if f.state == START:
        event: ev.Event = referral(Drawn(draw), policy, None)
    else:
        kinds = _kinds(pathway) or list(MAKERS)
        event = MAKERS[draw(st.sampled_from(kinds))](Drawn(draw), f, policy)
    breaks = (_earlier, _other_visit, *_BREAKS.get(type(event), ()))
    start = draw(st.integers(0, len(breaks) - 1))
    for broken in breaks[start:] + breaks[:start]:
        try:
            changed = broken(draw, event, f, policy)
        except (ValueError, TypeError):
            continue  # the change made an unconstructible event; try another
        if changed is not None:
            return changed
    return event
