"""Both outcomes of every guard, as data: a `Check` and the pair of paths it stands for.

A `Check` names one guard (a reason code at one event, sometimes with a
detail such as "minimum" or "after the neurotomy") or one computed branch
edge, and says whether a policy can exercise it at all. If it can, its
``setup`` builds the pathway the step is offered to, and its ``cases``
say how the canonical next event is changed to be refused right at the
boundary and to pass at it (4 h versus 3 h 59 min; 60 min versus 59 min;
one second either side of a cap's 365 days). A case may stand on a
pathway of its own (a booking before and after closing). The rows are in
`facetcare.testing._witness_rules` and `facetcare.testing._witness_visits`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import attrs

from facetcare import events as ev
from facetcare.anatomy import Region
from facetcare.machine import PATHWAY, START, Stage
from facetcare.policy import Policy
from facetcare.rules import span
from facetcare.testing._report import Path
from facetcare.testing._script import Script

__all__ = ["SECOND", "Check", "Pair", "Setup", "WhyNot", "both", "bound", "case", "edge",
           "needs", "off", "unless"]

#: Why a policy cannot exercise a check, or None when it can.
WhyNot = Callable[[Policy], str | None]
#: Builds the pathway a check's step is offered to, from an unreferred script.
Setup = Callable[[Script], Script]
REFUSAL = ("refused", "passed")
SECOND = dt.timedelta(seconds=1)
T = TypeVar("T")


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
    cases: Callable[[Script], Pair]
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
        for one, key, outcome in zip(self.cases(s), self.keys(), self.outcomes, strict=True):
            at = (s if one.script is None else one.script if isinstance(one.script, Script)
                  else one.script(Script(policy, region)))
            events = (*at.events, at.make(self.event, **one.changes))
            stage = (at.stage if outcome == "refused" else Stage(outcome) if self.branch
                     else one.stage or _dest(self.event, at.stage))
            made.append(Path(f"{key} ({one.note})", events, stage,
                             self.code if outcome == "refused" else None, policy, (key,)))
        return made
