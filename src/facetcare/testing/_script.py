"""Scripted journeys: a real pathway driven with the makers' plain choices.

Coverage paths must be short, readable and exact about time, so they use
one default for everything (a Monday 09:00 UTC referral, visits a week
ahead or as soon as the policy allows, baseline pain 10, the primary joint
of the region on the left) and override only the detail a path is about.
Every event goes through the real rules; a refusal while building raises
`ScriptError` instead of producing a wrong path.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar, cast

import attrs

from facetcare import events as ev
from facetcare import timing
from facetcare.anatomy import Region, Side
from facetcare.errors import Rejected
from facetcare.facts import Facts
from facetcare.machine import START, Stage
from facetcare.pathway import Pathway
from facetcare.policy import Policy
from facetcare.testing import _makers as mk

__all__ = ["Script", "ScriptError", "known"]

E = TypeVar("E", bound=ev.Event)
T = TypeVar("T")


class ScriptError(Exception):
    """A canonical step was refused: the policy does not allow this path as written."""


def known(value: T | None) -> T:
    """A fact the script has established (a block given, a neurotomy done)."""
    assert value is not None
    return value


class Script:
    """A real pathway plus its next canonical events (made, not applied)."""

    def __init__(self, policy: Policy, region: Region, events: tuple[ev.Event, ...] = ()) -> None:
        self.policy = policy
        self.region = region
        self.pathway = Pathway(policy=policy)
        #: (state before, event type, state after) of every applied event.
        self.trail: list[tuple[str, type[ev.Event], str]] = []
        self.do(*events)

    def copy(self) -> Script:
        return Script(self.policy, self.region, self.events)

    @property
    def events(self) -> tuple[ev.Event, ...]:
        return self.pathway.events

    @property
    def facts(self) -> Facts:
        return self.pathway.facts

    @property
    def in_force(self) -> Policy:
        return self.pathway.policy_in_force

    @property
    def stage(self) -> Stage | None:
        return self.pathway.stage if self.events else None

    @property
    def last(self) -> dt.datetime:
        return self.pathway.last_event_at or mk.T0

    def do(self, *events: ev.Event) -> Script:
        for event in events:
            before = self.facts.state
            try:
                self.pathway.apply(event)
            except Rejected as refused:
                raise ScriptError(f"{event.kind} refused: {', '.join(refused.codes)}") from None
            self.trail.append((before, type(event), self.facts.state))
        return self

    def make(self, kind: type[E], **changes: Any) -> E:
        """The canonical next ``kind`` event, with ``changes``."""
        if kind is ev.Referred:
            event: ev.Event = mk.referral(mk.PLAIN, self.policy, self.region)
        else:
            event = mk.MAKERS[kind](mk.PLAIN, self.facts, self.in_force)
        return cast(E, attrs.evolve(event, **changes))

    def then(self, kind: type[ev.Event], **changes: Any) -> Script:
        """Apply the canonical next ``kind`` event, with ``changes`` (referred first if need be)."""
        if kind is not ev.Referred and self.facts.state == START:
            self.then(ev.Referred)
        return self.do(self.make(kind, **changes))

    def target(self, which: str = "primary", side: Side = Side.LEFT) -> ev.Target:
        return mk.target(self.region, which, side)

    def lesion(self, target: ev.Target, **changes: Any) -> ev.Lesion:
        return attrs.evolve(mk.lesion(target, self.in_force), **changes)

    def diary(self, score: int = 0, **changes: Any) -> ev.ReliefDiaryRecorded:
        made = self.make(ev.ReliefDiaryRecorded)
        entries = tuple(attrs.evolve(entry, score=score) for entry in made.entries)
        return attrs.evolve(made, **{"entries": entries, **changes})

    # -- moves (applied) -------------------------------------------------------------

    def visit_for_block(self, **booking: Any) -> Script:
        """Book, check in and give a block: the pathway is then in observation."""
        return self.then(ev.BlockScheduled, **booking).then(ev.CheckedIn).then(ev.BlockPerformed)

    def block(self, positive: bool = True, **booking: Any) -> Script:
        """A whole block visit and its assessment (a diary only when positive)."""
        self.visit_for_block(**booking).then(ev.Discharged)
        if positive:
            self.do(self.diary(0))
        return self.then(ev.ReliefAssessed)

    def positive(self, **booking: Any) -> Script:
        """As many positive blocks as the policy requires before a neurotomy."""
        self.block(True, **booking)
        while len(self.facts.series) < self.in_force.blocks_required:
            self.block(True, **booking)
        return self

    def neurotomy(self, **booking: Any) -> Script:
        """Book, check in, treat and discharge: the pathway is then in follow-up."""
        self.then(ev.NeurotomyScheduled, **booking).then(ev.CheckedIn)
        return self.then(ev.NeurotomyPerformed).then(ev.Discharged)

    def not_relieved(self) -> Script:
        """A follow-up without relief, a day after the settling period: no relief."""
        settled = timing.settling_ends_at(self.facts, self.in_force)
        at = max(self.last, (settled or self.last) + mk.DAY)
        return self.then(ev.FollowUpRecorded, pain_score=mk.BASELINE, at=at)

    def recurrence(self) -> Script:
        """Referral to recurrence: positive blocks, neurotomy, relief, pain back."""
        self.positive().neurotomy().then(ev.FollowUpRecorded, pain_score=0)
        return self.then(ev.PainReturned)

    # -- where checks offer their step (from an unreferred script) ------------------------

    def as_is(self) -> Script:
        return self

    def referred(self) -> Script:
        return self.then(ev.Referred)

    def booked(self) -> Script:
        return self.then(ev.BlockScheduled)

    def checked_in(self) -> Script:
        return self.booked().then(ev.CheckedIn)

    def assessing(self) -> Script:
        return self.visit_for_block().then(ev.Discharged)

    def treating(self) -> Script:
        return self.positive().then(ev.NeurotomyScheduled).then(ev.CheckedIn)

    def treated(self) -> Script:
        return self.positive().neurotomy()
