"""Concrete cases of a check: a path and what its last event must do.

Witness builders start from a few canonical situations (referred, a block
booked, in the neurotomy room, awaiting the relief assessment) and end on
one event, refused or accepted. The expected stage of an accepted case is
read from the transition table, not from running it; the report replays.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import attrs

from facetcare import events as ev
from facetcare.anatomy import Region
from facetcare.machine import PATHWAY, Stage
from facetcare.policy import Policy
from facetcare.testing._script import Script

__all__ = ["SECOND", "Build", "Case", "assessing", "booked", "ends_in", "passed", "refused",
           "start", "treating"]

SECOND = dt.timedelta(seconds=1)


@attrs.frozen
class Case:
    """One concrete path: the last event is refused with ``refused``, or accepted into ``stage``."""

    note: str
    events: tuple[ev.Event, ...]
    stage: Stage | None
    refused: str | None = None


def _dest(kind: type[ev.Event], source: Stage | None) -> Stage:
    """Where the transition table sends ``kind`` from ``source`` (one row only)."""
    state = "start" if source is None else str(source)
    rows = [step for step in PATHWAY if step.event is kind and state in step.sources]
    if len(rows) != 1:
        raise ValueError(f"{kind.__name__} from {state} branches; name the expected stage")
    return Stage(rows[0].dest or state)


def refused(s: Script, event: ev.Event, note: str) -> Case:
    """A case whose last event must be refused; its `Check` fills in the reason code."""
    return Case(note, (*s.events, event), s.stage, refused="")


def passed(s: Script, event: ev.Event, note: str, stage: Stage | None = None) -> Case:
    expected = stage if stage is not None else _dest(type(event), s.stage)
    return Case(note, (*s.events, event), expected)


def ends_in(s: Script, note: str, stage: Stage) -> Case:
    """A case whose events the script has already applied."""
    return Case(note, s.events, stage)


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


#: Builds the two cases of a check for a policy and a region.
Build = Callable[[Policy, Region], tuple[Case, Case]]
