"""The next event of a real pathway, drawn: the makers' choices, kept if accepted.

Each step is made by the makers (`facetcare.testing._makers`) with drawn
choices, aimed at the pathway as it stands and at its policy in force;
then `Pathway.check` decides, and the first accepted candidate is the
step. A journey is therefore valid because the real rules accepted every
step, not because the generator re-implements them.
"""

from __future__ import annotations

from hypothesis import strategies as st

from facetcare import events as ev
from facetcare.anatomy import Region
from facetcare.facts import Facts
from facetcare.machine import START, Stage
from facetcare.pathway import Pathway
from facetcare.policy import Policy
from facetcare.testing._makers import MAKERS, Drawn, referral

__all__ = ["kinds_for", "next_events", "next_step", "referrals"]

_ENDINGS = frozenset({ev.Closed, ev.Withdrawn})
_DETOURS = frozenset({ev.VisitCancelled, ev.VisitMissed, ev.PolicyChanged})
_PROGRESS = frozenset(MAKERS) - _ENDINGS - _DETOURS


@st.composite
def _referral(draw: st.DrawFn, policy: Policy, region: Region | None) -> ev.Referred:
    return referral(Drawn(draw), policy, region)


def referrals(
    policy: Policy | None = None, region: Region | str | None = None
) -> st.SearchStrategy[ev.Referred]:
    """Referrals that meet ``policy``'s entry criteria, for ``region`` (any when None)."""
    return _referral(policy or Policy.seed(), None if region is None else Region(region))


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
    if kind is ev.FollowUpRecorded and f.state == Stage.SUSTAINED_RELIEF:
        return 1
    return 3


def kinds_for(pw: Pathway) -> list[type[ev.Event]]:
    """Event types valid in the pathway's stage, in the events table's order."""
    allowed = pw.allowed_events()
    return [kind for kind in MAKERS if kind in allowed]


@st.composite
def next_step(draw: st.DrawFn, pw: Pathway) -> ev.Event:
    f, policy = pw.facts, pw.policy_in_force
    if f.state == START:
        return referral(Drawn(draw), policy, None)
    kinds = kinds_for(pw)
    if not kinds:
        return draw(st.nothing())
    # Mostly progress, sometimes a detour (a cancelled or missed visit, a payer
    # change), rarely the end. (Hypothesis favours the ends of a range, so the
    # rare outcomes sit inside it.)
    roll = draw(st.integers(0, 39))
    wanted = _ENDINGS if roll == 13 else _DETOURS if roll in (5, 11, 27, 33) else _PROGRESS
    menu = [kind for kind in kinds if kind in wanted for _ in range(_weight(kind, f))]
    if not menu:
        menu = [k for k in kinds if k in _PROGRESS for _ in range(_weight(k, f))] or kinds
    first = menu[draw(st.integers(0, len(menu) - 1))]
    others = sorted((k for k in kinds if k is not first), key=lambda k: k in _ENDINGS)
    choices = Drawn(draw)
    for kind in [first, first, *others]:
        event = MAKERS[kind](choices, f, policy)
        if pw.check(event).allowed:
            return event
    # Withdrawal has no rules: at the last event's time it is always accepted.
    assert f.last_at is not None
    return ev.Withdrawn(at=f.last_at, reason="no other step was accepted")


def next_events(pathway: Pathway) -> st.SearchStrategy[ev.Event]:
    """Events ``pathway`` accepts next, judged on its state when drawn.

    Before referral, a referral its policy accepts. In a final stage no
    event is accepted, and drawing marks the example invalid (like
    `hypothesis.strategies.nothing`).
    """
    return next_step(pathway)
