"""Whole valid journeys, and near misses: events one detail away from valid.

A journey is a real pathway driven step by step with `next_events`, so it
is valid because the rules accepted every step. Near misses take such a
step and break one thing (a time, a visit id, an escort, a target, a
lesion), which is where an integration's refusal handling is tested.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import attrs
from hypothesis import strategies as st

from facetcare import events as ev
from facetcare import timing
from facetcare.anatomy import Region
from facetcare.facts import Facts
from facetcare.machine import START
from facetcare.pathway import Pathway
from facetcare.policy import Policy
from facetcare.testing._makers import MAKERS, Drawn, referral
from facetcare.testing._steps import kinds_for, next_step
from facetcare.testing._strategies import lesion_values, targets

__all__ = ["journeys", "near_misses"]

SECOND = dt.timedelta(seconds=1)
Mutation = Callable[[st.DrawFn, ev.Event, Facts, Policy], ev.Event | None]


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
        pw.apply(draw(next_step(pw)))
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
    recurrence, closing and withdrawal) and kept only when the real rules
    accept them. Journeys shrink towards fewer steps and plain choices.
    """
    if max_steps < 0:
        raise ValueError("max_steps must not be negative")
    return _journey(policy or Policy.seed(), None if region is None else Region(region),
                    max_steps)


def _back(draw: st.DrawFn, limit: dt.timedelta) -> dt.timedelta:
    """A step back in time, from one second up to ``limit``."""
    return draw(st.integers(1, max(int(limit.total_seconds()), 1))) * SECOND


def _earlier(draw: st.DrawFn, event: ev.Event, f: Facts, policy: Policy) -> ev.Event | None:
    if f.last_at is None:
        return None
    at = f.last_at - _back(draw, dt.timedelta(days=3))
    if isinstance(event, ev.ReliefDiaryRecorded):
        entries = tuple(attrs.evolve(e, at=min(e.at, at)) for e in event.entries)
        return attrs.evolve(event, at=at, entries=entries)
    return attrs.evolve(event, at=at)


def _other_visit(draw: st.DrawFn, event: ev.Event, f: Facts, policy: Policy) -> ev.Event | None:
    if not hasattr(event, "visit_id"):
        return None
    other = draw(st.sampled_from(sorted({*f.visits, "v-unknown"})))
    return attrs.evolve(event, **{"visit_id": other})


def _no_escort(draw: st.DrawFn, event: ev.Event, f: Facts, policy: Policy) -> ev.Event | None:
    if isinstance(event, ev.CheckedIn | ev.Discharged):
        return attrs.evolve(event, escort_present=False)
    return None


def _in_the_past(draw: st.DrawFn, event: ev.Event, f: Facts, policy: Policy) -> ev.Event | None:
    if isinstance(event, ev.BlockScheduled | ev.NeurotomyScheduled):
        return attrs.evolve(event, visit_at=event.at - _back(draw, dt.timedelta(days=2)))
    return None


def _stray_target(draw: st.DrawFn, event: ev.Event, f: Facts, policy: Policy) -> ev.Event | None:
    stray = draw(targets())
    if isinstance(event, ev.BlockScheduled | ev.NeurotomyScheduled | ev.BlockPerformed):
        if stray in event.targets:
            return None
        return attrs.evolve(event, targets=(*event.targets, stray))
    if isinstance(event, ev.NeurotomyPerformed):
        burn = attrs.evolve(event.lesions[0], target=stray)
        return attrs.evolve(event, lesions=(*event.lesions, burn))
    return None


def _bad_lesion(draw: st.DrawFn, event: ev.Event, f: Facts, policy: Policy) -> ev.Event | None:
    if not isinstance(event, ev.NeurotomyPerformed):
        return None
    seconds, heat = lesion_values(None)
    burn = attrs.evolve(event.lesions[0], seconds=draw(seconds), temperature_c=draw(heat))
    return attrs.evolve(event, lesions=(burn, *event.lesions[1:]))


def _outside_window(
    draw: st.DrawFn, event: ev.Event, f: Facts, policy: Policy
) -> ev.Event | None:
    window = timing.relief_window(f, policy)
    if not isinstance(event, ev.ReliefDiaryRecorded) or window is None:
        return None
    if draw(st.booleans()):
        moment = window[1] + _back(draw, dt.timedelta(hours=2))
    else:
        moment = window[0] - _back(draw, dt.timedelta(hours=2))
    entry = ev.PainEntry(moment, draw(st.integers(0, 10)))
    return attrs.evolve(event, at=max(event.at, moment), entries=(*event.entries, entry))


def _too_early(draw: st.DrawFn, event: ev.Event, f: Facts, policy: Policy) -> ev.Event | None:
    if isinstance(event, ev.ReliefAssessed):
        ready = timing.assessment_opens_at(f, policy)
    elif isinstance(event, ev.Discharged):
        ready = timing.discharge_ready_at(f, policy)
    else:
        return None
    if ready is None or f.last_at is None:
        return None
    # Anywhere between the procedure (the last event at the latest) and readiness.
    return attrs.evolve(event, at=ready - _back(draw, ready - min(f.last_at, ready)))


def _unmet_criteria(
    draw: st.DrawFn, event: ev.Event, f: Facts, policy: Policy
) -> ev.Event | None:
    if not isinstance(event, ev.Referred):
        return None
    months = draw(st.one_of(st.none(), st.integers(0, 6)))
    return attrs.evolve(event, pain_months=months,
                        conservative_care_failed=draw(st.one_of(st.none(), st.booleans())))


_MUTATIONS: tuple[Mutation, ...] = (
    _earlier, _other_visit, _no_escort, _in_the_past, _stray_target, _bad_lesion,
    _outside_window, _too_early, _unmet_criteria,
)


@st.composite
def _near_miss(draw: st.DrawFn, pw: Pathway) -> ev.Event:
    f, policy = pw.facts, pw.policy_in_force
    if f.state == START:
        event: ev.Event = referral(Drawn(draw), policy, None)
    else:
        kinds = kinds_for(pw) or list(MAKERS)
        event = MAKERS[draw(st.sampled_from(kinds))](Drawn(draw), f, policy)
    start = draw(st.integers(0, len(_MUTATIONS) - 1))
    for mutate in _MUTATIONS[start:] + _MUTATIONS[:start]:
        try:
            changed = mutate(draw, event, f, policy)
        except (ValueError, TypeError):
            continue  # the change made an unconstructible event; try another
        if changed is not None:
            return changed
    return event


def near_misses(pathway: Pathway) -> st.SearchStrategy[ev.Event]:
    """Events aimed at ``pathway``'s stage with one detail broken.

    Earlier than the last event, another visit's id, no escort, a visit
    booked in the past, a target that was not booked or blocked, a lesion out
    of range, a diary entry outside the relief window, a discharge or an
    assessment too early, a referral that misses the entry criteria. Some
    are still accepted (a change can be harmless); the rules decide.
    """
    return _near_miss(pathway)
