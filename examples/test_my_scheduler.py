"""Testing a clinic scheduler's facetcare adapter with `PathwayMachine`.

The scheduler keeps its own book of visits beside each pathway. Whatever
facetcare accepts, the adapter mirrors into that book; the invariant says
the two never disagree: a visit is open in the book exactly while the
pathway has it open, so nothing stays booked after a cancellation, a
no-show, a discharge, or the end of the pathway.

Hypothesis drives a real pathway with valid steps, near misses and
arbitrary events, checks facetcare's own guarantees, calls the hooks below,
and checks this invariant after every step. Run it with::

    pytest examples/test_my_scheduler.py
"""

from __future__ import annotations

import datetime as dt

from hypothesis import settings
from hypothesis.stateful import invariant

import facetcare as fc
from facetcare import events as ev
from facetcare.testing import PathwayMachine

#: Stages in which a booked visit is still open (booked, arrived, in recovery).
VISIT_OPEN = frozenset({
    fc.Stage.BLOCK_SCHEDULED, fc.Stage.BLOCK_VISIT, fc.Stage.BLOCK_OBSERVATION,
    fc.Stage.NEUROTOMY_SCHEDULED, fc.Stage.NEUROTOMY_VISIT, fc.Stage.NEUROTOMY_RECOVERY,
})


class ClinicScheduler:
    """A toy scheduler: its book of visits, keyed by visit id."""

    def __init__(self) -> None:
        self.book: dict[str, tuple[str, dt.datetime, str]] = {}

    def handle(self, event: ev.Event) -> None:
        """Mirror an event facetcare accepted."""
        if isinstance(event, ev.BlockScheduled):
            self.book[event.visit_id] = ("block", event.visit_at, "booked")
        elif isinstance(event, ev.NeurotomyScheduled):
            self.book[event.visit_id] = ("neurotomy", event.visit_at, "booked")
        elif isinstance(event, ev.CheckedIn):
            kind, when, _ = self.book[event.visit_id]
            self.book[event.visit_id] = (kind, when, "arrived")
        elif isinstance(event, ev.VisitCancelled | ev.VisitMissed | ev.Discharged):
            del self.book[event.visit_id]
        elif isinstance(event, ev.Closed | ev.Withdrawn):
            self.book.clear()  # the pathway ended: release every slot


class ClinicSchedulerMachine(PathwayMachine):
    """Drives the scheduler with everything the pathway sees."""

    policy = fc.Policy.medicare_l38803()
    region = fc.Region.LUMBAR

    def __init__(self) -> None:
        super().__init__()
        self.scheduler = ClinicScheduler()

    def on_accepted(self, event: ev.Event, stage: fc.Stage) -> None:
        self.scheduler.handle(event)

    def on_corrected(self, correction: ev.Correction, stage: fc.Stage) -> None:
        # A correction rewrites the effective history: mirror it again from the start.
        self.scheduler = ClinicScheduler()
        for event in self.pathway.events:
            self.scheduler.handle(event)

    def on_refused(self, event: ev.Event, reasons: tuple[fc.Reason, ...]) -> None:
        # A refused event never reaches the scheduler; the invariant checks the book.
        assert reasons

    @invariant()
    def the_book_holds_exactly_the_open_visit(self) -> None:
        pathway = self.pathway
        open_visits: set[str] = set()
        if pathway.events and pathway.stage in VISIT_OPEN:
            bookings = [e for e in pathway.events
                        if isinstance(e, ev.BlockScheduled | ev.NeurotomyScheduled)]
            open_visits = {bookings[-1].visit_id}
        assert set(self.scheduler.book) == open_visits, (
            f"the book holds {sorted(self.scheduler.book)}, the pathway "
            f"({pathway.stage if pathway.events else 'not referred'}) {sorted(open_visits)}"
        )


TestClinicScheduler = ClinicSchedulerMachine.TestCase
TestClinicScheduler.settings = settings(max_examples=15, stateful_step_count=30, deadline=None)
