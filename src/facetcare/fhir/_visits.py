"""One visit's events gathered from the log, so each resource is written in one piece.

A visit is booked once (its visit id is unique in a pathway) and then checked
in, performed, discharged, cancelled or missed; the Appointment and the
Encounter of the visit each need several of those events at once.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from facetcare import events as ev

Booking = ev.BlockScheduled | ev.NeurotomyScheduled


@attrs.define
class Visit:
    """The events of one visit with their positions (``seq``) in the pathway."""

    seq: int
    booking: Booking
    check_in: tuple[int, ev.CheckedIn] | None = None
    performed: tuple[int, ev.BlockPerformed | ev.NeurotomyPerformed] | None = None
    discharge: tuple[int, ev.Discharged] | None = None
    cancelled: tuple[int, ev.VisitCancelled] | None = None
    missed: tuple[int, ev.VisitMissed] | None = None

    @property
    def visit_id(self) -> str:
        return self.booking.visit_id

    @property
    def is_block(self) -> bool:
        return isinstance(self.booking, ev.BlockScheduled)


def visits(history: Iterable[tuple[int, ev.Event]]) -> dict[str, Visit]:
    """Every visit by visit id, in booking order, from (seq, event) pairs."""
    found: dict[str, Visit] = {}
    for seq, event in history:
        if isinstance(event, ev.BlockScheduled | ev.NeurotomyScheduled):
            found[event.visit_id] = Visit(seq, event)
            continue
        visit_id = getattr(event, "visit_id", None)
        visit = found.get(visit_id) if isinstance(visit_id, str) else None
        if visit is None:
            continue
        if isinstance(event, ev.CheckedIn):
            visit.check_in = (seq, event)
        elif isinstance(event, ev.BlockPerformed | ev.NeurotomyPerformed):
            visit.performed = (seq, event)
        elif isinstance(event, ev.Discharged):
            visit.discharge = (seq, event)
        elif isinstance(event, ev.VisitCancelled):
            visit.cancelled = (seq, event)
        elif isinstance(event, ev.VisitMissed):
            visit.missed = (seq, event)
    return found
