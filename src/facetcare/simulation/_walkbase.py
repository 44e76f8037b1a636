"""The state of one simulated patient's walk through a real `Pathway`, and how events go in.

`facetcare.simulation.walk` assembles the walk from this base and the
visit, work-up and treatment parts (`visits`, `workup`, `treatment`),
one idea per module. Randomness comes from the patient's own streams
(`facetcare.simulation.draws`); times are whole minutes or days.
"""

from __future__ import annotations

import datetime as dt

from facetcare import events as ev
from facetcare.errors import Rejected
from facetcare.machine import Stage
from facetcare.pathway import Pathway
from facetcare.simulation.draws import Draws
from facetcare.simulation.journey import patient_ids
from facetcare.simulation.patient import Patient
from facetcare.simulation.plan import Plan

__all__ = ["DAY", "HOUR", "MINUTE", "Horizon", "WalkBase"]

MINUTE = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


class Horizon(Exception):
    """The next event would fall after the horizon: the journey stops where it stands."""


class WalkBase:
    """The walk's state, `emit` / `attempt` (events through `Pathway.apply`) and `close`."""

    def __init__(
        self, plan: Plan, seed: int, index: int, start: dt.datetime, end: dt.datetime
    ) -> None:
        self.plan = plan
        self.params = plan.params
        self.policy = plan.policy
        self.seed = seed
        self.index = index
        self.draw = Draws(seed, index)
        self.start = start
        self.end = end
        self.zone = start.tzinfo
        #: A fixed-offset zone has no rules to follow: its slots need no per-day offset.
        self.fixed = (dt.timezone(start.utcoffset() or dt.timedelta(0))
                      if isinstance(self.zone, dt.timezone) else None)
        self.patient_id, self.pathway_id = patient_ids(index)
        self.pw = Pathway(policy=plan.policy)
        # The walk's pathway is its own until the journey is returned: no lock to take.
        self.apply = self.pw._apply
        self.stages: list[Stage] = []
        self.record = self.stages.append
        self.now = start
        self.screened = 0
        self.complications = 0
        self.visits = 0
        self.visit_id = ""
        self.visit_at = start
        self.escort = True
        self.baseline = 0  # of the last positive block: what follow-up relief is measured on
        self.patient = Patient(False, 0.0)  # drawn in `course`

    def emit(self, event: ev.Event) -> Stage:
        """Apply an event the course expects the rules to accept."""
        at = event.at
        if at > self.end:
            raise Horizon
        try:
            stage = self.apply(event)
        except Rejected as refused:
            raise RuntimeError(
                f"{self.patient_id}: the simulation produced an event the rules refuse: "
                f"{refused}"
            ) from refused
        self.record(stage)
        self.now = at
        return stage

    def attempt(self, event: ev.Event) -> Stage:
        """Apply an event the rules may refuse: `Rejected` leaves the pathway unchanged.

        One ``apply`` runs the rules once; a ``check`` first would run them
        twice for every accepted event, so ``check`` is kept for the events
        that are usually refused.
        """
        at = event.at
        if at > self.end:
            raise Horizon
        stage = self.apply(event)
        self.record(stage)
        self.now = at
        return stage

    def close(self, reason: str) -> None:
        self.emit(ev.Closed(at=self.now, reason=reason))
