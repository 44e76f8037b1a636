"""Scripted journeys, and the checks that stand on them.

Coverage paths must be short, readable and exact about time, so they use
one default for everything (a Monday 09:00 UTC referral, visits a week
ahead or as soon as the policy allows, baseline pain 10, the primary joint
of the region on the left) and override only the detail a path is about.
Every event goes through the real rules; a refusal while building raises
`ScriptError` instead of producing a wrong path.

A `Check` names one guard (a reason code at one event, sometimes with a
detail such as "minimum" or "after the neurotomy") or one computed branch
edge, and says whether a policy can exercise it at all. If it can, its
``setup`` builds the pathway the step is offered to, and its ``cases``
say how the canonical next event is changed to be refused right at the
boundary and to pass at it (4 h versus 3 h 59 min; 60 min versus 59 min;
one second either side of a cap's 365 days). A case may stand on a
pathway of its own (a booking before and after closing). The rows are in
`facetcare.testing._witnesses`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
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

__all__ = ["SECOND", "Check", "Pair", "Script", "ScriptError", "Setup", "WhyNot", "both", "bound",
           "cap", "case", "edge", "known", "needs", "off", "unless"]

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

    def sides(self) -> tuple[ev.Target, ev.Target]:
        """The primary joint, left and right."""
        return self.target(), self.target(side=Side.RIGHT)

    def left(self, joints: int) -> tuple[ev.Target, ...]:
        """The first ``joints`` joints of the region, on the left."""
        return tuple(ev.Target(j, Side.LEFT) for j in mk.joints_of(self.region)[:joints])

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

    def confirm(self, targets: tuple[ev.Target, ...]) -> Script:
        """Positive blocks confirming ``targets``, in sessions the block level cap allows."""
        per = self.in_force.max_block_levels or len(targets)
        joints = list(dict.fromkeys(t.joint for t in targets))
        for i in range(0, len(joints), per):
            for _ in range(self.in_force.blocks_required):
                self.block(True, targets=tuple(t for t in targets if t.joint in joints[i:i + per]))
        return self

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
        """Not referred yet: the referral's own checks."""
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


# -- checks: both outcomes of every guard, as data -----------------------------------------

#: Why a policy cannot exercise a check, or None when it can.
WhyNot = Callable[[Policy], str | None]
#: Builds the pathway a check's step is offered to, from an unreferred script.
Setup = Callable[[Script], Script]
REFUSAL = ("refused", "passed")
SECOND = dt.timedelta(seconds=1)


def unless(cannot: Callable[[Policy], bool], why: str) -> WhyNot:
    """Coverable unless ``cannot(policy)``; then ``why`` says so."""
    return lambda policy: why if cannot(policy) else None


def needs(field: str, why: str) -> WhyNot:
    """Coverable when the policy sets ``field``."""
    return unless(lambda p: getattr(p, field) is None, f"{why} ({field} is None)")


def off(field: str, why: str) -> WhyNot:
    """Coverable when the policy's flag ``field`` is on."""
    return unless(lambda p: not getattr(p, field), f"{why} ({field} is off)")


@attrs.frozen
class Case:
    """One outcome: its note and the changes to the canonical next event.

    ``script``: offered to this pathway instead of the check's setup;
    ``stage``: where a passing event goes when the transition table branches.
    """

    note: str
    changes: Mapping[str, Any] = attrs.field(factory=dict)
    script: Script | Setup | None = attrs.field(default=None, eq=False)
    stage: Stage | None = None


def case(note: str, *, script: Script | Setup | None = None, stage: Stage | None = None,
         **changes: Any) -> Case:
    """A case: its note, the changes to the event, and where it stands if not on the setup."""
    return Case(note, changes, script, stage)


#: The refused case and the passing one (or two branch edges).
Pair = tuple[Case, Case]


def both(make: Callable[[T], Case], bad: T, good: T) -> Pair:
    """The refused case and the passing one, made alike from their values."""
    return make(bad), make(good)


def edge(bad: dt.datetime, good: dt.datetime, since: dt.datetime, what: str,
         field: str = "visit_at", **fixed: Any) -> Pair:
    """``field`` at the refused time and at the passing one; ``{}`` in ``what`` the time since."""
    return both(lambda at: Case(what.format(span(at - since)), {field: at, **fixed}), bad, good)


def bound(at: dt.datetime, since: dt.datetime, what: str, **fixed: Any) -> Pair:
    """An earliest allowed time: refused a second before it, passed on it."""
    return edge(at - SECOND, at, since, what, **fixed)


def cap(times: Sequence[dt.datetime], limit: int | None, what: str,
        earliest: dt.datetime | None = None, **fixed: Any) -> Pair:
    """365 d − 1 s and 365 d after the oldest of the last ``limit`` (``{}``; ``{n}`` of them);
    passed at ``earliest`` if another rule (a longer interval) allows the booking later."""
    at, n = known(timing.earliest_under_cap(times, limit)), len(times)
    passed = max(at, earliest or at)
    when = "365 d" if passed == at else span(passed - at + timing.YEAR)
    return (case(what.format("365 d − 1 s", n=n, n1=n + 1), visit_at=at - SECOND, **fixed),
            case(what.format(when, n=n, n1=n + 1), visit_at=passed, **fixed))


def _dest(kind: type[ev.Event], source: Stage | None) -> Stage:
    """Where the transition table sends ``kind`` from ``source`` (one row only)."""
    state = START if source is None else str(source)
    rows = [step for step in PATHWAY if step.event is kind and state in step.sources]
    if len(rows) != 1:
        raise ValueError(f"{kind.__name__} from {state} branches; name the expected stage")
    return Stage(rows[0].dest or state)


@attrs.frozen
class Check:
    """One guard (``code`` at ``event``), or a computed-branch edge when ``outcomes`` are stages."""

    code: str
    event: type[ev.Event]
    setup: Setup
    #: The two cases, or how to make them from the setup's script.
    cases: Pair | Callable[[Script], Pair]
    detail: str = ""
    why_not: WhyNot = lambda policy: None
    #: The two outcomes shown: a refusal and a pass, or two stages of a computed branch.
    outcomes: tuple[str, str] = REFUSAL

    @property
    def name(self) -> str:
        label = f"{self.code}@{self.event.__name__}"
        return f"{label} ({self.detail})" if self.detail else label

    @property
    def branch(self) -> bool:
        return self.outcomes != REFUSAL

    def keys(self) -> tuple[str, str]:
        """The two outcomes as coverage keys."""
        return (f"{self.name}: {self.outcomes[0]}", f"{self.name}: {self.outcomes[1]}")

    def paths(self, policy: Policy, region: Region) -> list[Path]:
        """The two paths, named by outcome and note, each covering its outcome."""
        s = self.setup(Script(policy, region))
        made = []
        cases = self.cases(s) if callable(self.cases) else self.cases
        for one, key, outcome in zip(cases, self.keys(), self.outcomes, strict=True):
            at = (s if one.script is None else one.script if isinstance(one.script, Script)
                  else one.script(Script(policy, region)))
            events = (*at.events, at.make(self.event, **one.changes))
            stage = (at.stage if outcome == "refused" else Stage(outcome) if self.branch
                     else one.stage or _dest(self.event, at.stage))
            made.append(Path(f"{key} ({one.note})", events, stage,
                             self.code if outcome == "refused" else None, policy, (key,)))
        return made
