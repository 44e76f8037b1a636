"""Scripted journeys: a real pathway driven with the makers' plain choices.

Coverage paths must be short, readable and exact about time, so they use
one default for everything (a Monday 09:00 UTC referral, visits a week
ahead or as soon as the policy allows, baseline pain 10, the primary joint
of the region on the left) and override only the detail a path is about.
Every event goes through the real rules; a refusal while building raises
`ScriptError` instead of producing a wrong path. The helpers at the end
turn a script and its last event into a `Path`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar, cast

import attrs

from facetcare import events as ev
from facetcare import timing
from facetcare.anatomy import Region, Side
from facetcare.errors import Rejected
from facetcare.facts import Facts
from facetcare.machine import PATHWAY, START, Stage
from facetcare.pathway import Pathway
from facetcare.policy import Policy
from facetcare.rules import span
from facetcare.testing import _makers as mk
from facetcare.testing._report import Path

__all__ = ["SECOND", "Build", "Script", "ScriptError", "assessing", "booked", "edge", "ends_in",
           "known", "passed", "refused", "start", "treating"]

E = TypeVar("E", bound=ev.Event)
T = TypeVar("T")
SECOND = dt.timedelta(seconds=1)
#: Builds the two paths of a check (refused and passed, or two branch edges).
Build = Callable[[Policy, Region], tuple[Path, Path]]


class ScriptError(Exception):
    """A canonical step was refused: the policy does not allow this path as written."""


def _step(kind: type[E]) -> Callable[..., E]:
    """A `Script` method making the canonical next ``kind`` event, with changes."""
    def make(self: Script, **changes: Any) -> E:
        return self.make(kind, **changes)

    return make


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
            event = mk.MAKERS[kind](mk.PLAIN, self.facts, self.pathway.policy_in_force)
        return cast(E, attrs.evolve(event, **changes))

    # -- targets and lesions -----------------------------------------------------

    def target(self, side: Side = Side.LEFT) -> ev.Target:
        return mk.target(self.region, "primary", side)

    def other(self) -> ev.Target:
        return mk.target(self.region, "other")

    def foreign(self) -> ev.Target:
        return mk.target(self.region, "foreign")

    def lesion(self, target: ev.Target, **changes: Any) -> ev.Lesion:
        return attrs.evolve(mk.lesion(target, self.pathway.policy_in_force), **changes)

    # -- events (not applied) --------------------------------------------------------

    referral = _step(ev.Referred)
    book_block = _step(ev.BlockScheduled)
    book_neurotomy = _step(ev.NeurotomyScheduled)
    check_in = _step(ev.CheckedIn)
    perform_block = _step(ev.BlockPerformed)
    perform_neurotomy = _step(ev.NeurotomyPerformed)
    discharge = _step(ev.Discharged)
    assess = _step(ev.ReliefAssessed)
    pain_returned = _step(ev.PainReturned)
    close = _step(ev.Closed)

    def diary(self, score: int = 0, **changes: Any) -> ev.ReliefDiaryRecorded:
        made = self.make(ev.ReliefDiaryRecorded)
        entries = tuple(attrs.evolve(entry, score=score) for entry in made.entries)
        return attrs.evolve(made, **{"entries": entries, **changes})

    def follow_up(self, score: int = 0, **changes: Any) -> ev.FollowUpRecorded:
        return self.make(ev.FollowUpRecorded, pain_score=score, **changes)

    # -- moves (applied) -------------------------------------------------------------

    def refer(self, **changes: Any) -> Script:
        return self.do(self.referral(**changes))

    def visit_for_block(self, **booking: Any) -> Script:
        """Book, check in and give a block: the pathway is then in observation."""
        self.do(self.book_block(**booking))
        self.do(self.check_in())
        return self.do(self.perform_block())

    def block(self, positive: bool = True, **booking: Any) -> Script:
        """A whole block visit and its assessment (a diary only when positive)."""
        self.visit_for_block(**booking)
        self.do(self.discharge())
        if positive:
            self.do(self.diary(0))
        return self.do(self.assess())

    def positive(self, **booking: Any) -> Script:
        """As many positive blocks as the policy requires before a neurotomy."""
        self.block(True, **booking)
        while len(self.facts.series) < self.pathway.policy_in_force.blocks_required:
            self.block(True, **booking)
        return self

    def neurotomy(self, **booking: Any) -> Script:
        """Book, check in, treat and discharge: the pathway is then in follow-up."""
        self.do(self.book_neurotomy(**booking))
        self.do(self.check_in())
        self.do(self.perform_neurotomy())
        return self.do(self.discharge())

    def not_relieved(self) -> Script:
        """A follow-up without relief, a day after the settling period: no relief."""
        settled = timing.settling_ends_at(self.facts, self.pathway.policy_in_force)
        at = max(self.last, (settled or self.last) + mk.DAY)
        return self.do(self.follow_up(mk.BASELINE, at=at))

    def recurrence(self) -> Script:
        """Referral to recurrence: positive blocks, neurotomy, relief, pain back."""
        if self.facts.state == START:
            self.refer()
        self.positive().neurotomy()
        self.do(self.follow_up(0))
        return self.do(self.pain_returned())


# -- scripts into paths ---------------------------------------------------------------


def _dest(kind: type[ev.Event], source: Stage | None) -> Stage:
    """Where the transition table sends ``kind`` from ``source`` (one row only)."""
    state = START if source is None else str(source)
    rows = [step for step in PATHWAY if step.event is kind and state in step.sources]
    if len(rows) != 1:
        raise ValueError(f"{kind.__name__} from {state} branches; name the expected stage")
    return Stage(rows[0].dest or state)


def refused(s: Script, event: ev.Event, note: str) -> Path:
    """A path whose last event must be refused; its check fills in the reason code."""
    return Path(note, (*s.events, event), s.stage, "", s.policy)


def passed(s: Script, event: ev.Event, note: str, stage: Stage | None = None) -> Path:
    expected = stage if stage is not None else _dest(type(event), s.stage)
    return Path(note, (*s.events, event), expected, None, s.policy)


def ends_in(s: Script, note: str, stage: Stage) -> Path:
    """A path of the events the script has already applied."""
    return Path(note, s.events, stage, None, s.policy)


def edge(s: Script, make: Callable[..., ev.Event], times: tuple[dt.datetime, dt.datetime],
         since: dt.datetime, what: str, *, field: str = "visit_at",
         **fixed: Any) -> tuple[Path, Path]:
    """``make`` with ``field`` at the refused time and at the passing one of ``times``.

    ``what`` says where each stands, with ``{}`` for the time since ``since``.
    """
    bad, good = times
    return (refused(s, make(**{field: bad}, **fixed), what.format(span(bad - since))),
            passed(s, make(**{field: good}, **fixed), what.format(span(good - since))))


def known(value: T | None) -> T:
    """A fact the script has established (a block given, a neurotomy done)."""
    assert value is not None
    return value


def start(policy: Policy, region: Region) -> Script:
    return Script(policy, region).refer()


def booked(p: Policy, r: Region) -> Script:
    s = start(p, r)
    return s.do(s.book_block())


def treating(p: Policy, r: Region) -> Script:
    s = start(p, r).positive()
    return s.do(s.book_neurotomy()).do(s.check_in())


def assessing(p: Policy, r: Region) -> Script:
    s = start(p, r).visit_for_block()
    return s.do(s.discharge())
