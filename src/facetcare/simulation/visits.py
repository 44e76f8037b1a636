"""Booking a visit: the earliest allowed date, a clinic slot, no-shows and missing drivers.

Every booked visit may be missed (``VisitMissed``) or, with the driver
missing at check-in, refused: the refused `CheckedIn` is not an accepted
event, so what the journey records is what happened next, a
``VisitCancelled(reason="no_escort")``; both are rebooked under a new visit
id. Caps and intervals are waited out: the booking goes to the first date
the policy allows.
"""

from __future__ import annotations

import datetime as dt

from facetcare import events as ev
from facetcare import timing
from facetcare.errors import Reason, Rejected
from facetcare.simulation._walkbase import DAY, HOUR, Horizon, WalkBase

__all__ = ["ARRIVAL", "SLOT_TIMES", "Visits"]

#: Patients arrive a quarter of an hour before their slot.
ARRIVAL = dt.timedelta(minutes=15)
#: Clinic slots: 08:00 to 15:30 every 30 minutes, Monday to Friday (assumption).
SLOT_TIMES = tuple(dt.time(8 + k // 2, 30 * (k % 2)) for k in range(16))


class Visits(WalkBase):
    """Booking, attending and rebooking procedure visits."""

    def earliest(self, kind: str) -> dt.datetime:
        """The first visit time the rules allow a ``kind`` visit to be booked for now.

        The same `facetcare.timing` functions the booking rules and `due()` use.
        """
        facts, policy = self.pw.facts, self.pw.policy_in_force
        if kind == "block":
            return timing.earliest_block_visit(facts, policy)
        return timing.earliest_neurotomy_visit(facts, policy)

    def slot(self, not_before: dt.datetime) -> dt.datetime:
        """A clinic slot on a weekday in the start's time zone, no earlier than ``not_before``.

        The slot keeps its UTC offset but not the zone's rules, so every
        later step (minutes, hours, days) is elapsed time, as the rules
        measure it, even across a daylight-saving change.
        """
        day = not_before.astimezone(self.zone).date()
        time = SLOT_TIMES[self.draw.integer(0, len(SLOT_TIMES) - 1)]
        fixed = self.fixed
        combine = dt.datetime.combine
        while True:
            if day.weekday() < 5:
                if fixed is not None:
                    moment = combine(day, time, fixed)  # tzinfo by position: half the cost
                else:
                    local = combine(day, time, self.zone)
                    offset = local.utcoffset() or dt.timedelta(0)
                    moment = local.replace(tzinfo=dt.timezone(offset))
                if moment >= not_before:
                    return moment
            day += DAY

    def attend(
        self, kind: str, targets: tuple[ev.Target, ...], delay: tuple[int, int]
    ) -> tuple[Reason, ...]:
        """Book until the patient is checked in; the booking's refusal reasons, if any.

        A missed visit or a check-in refused for want of a driver is rebooked
        under a new visit id (``booking_days`` later).
        """
        booking_type = ev.BlockScheduled if kind == "block" else ev.NeurotomyScheduled
        days = self.plan.days
        while True:
            wanted = self.now + days[self.draw.integer_in(delay)]
            self.visits += 1
            visit_id = f"{self.pathway_id}-v{self.visits:02d}"
            visit_at = self.slot(max(wanted, self.earliest(kind)))
            booking = booking_type(at=self.now, visit_id=visit_id, visit_at=visit_at,
                                   targets=targets)
            try:
                self.attempt(booking)
            except Rejected as refused:  # a repeat neurotomy the policy does not allow
                return refused.reasons
            self.visit_id, self.visit_at = visit_id, visit_at
            delay = self.params.booking_days
            if self.draw.chance(self.params.no_show):
                self.emit(ev.VisitMissed(at=visit_at + HOUR, visit_id=visit_id))
                continue
            arrived = visit_at - ARRIVAL
            escort = not self.draw.chance(self.params.escort_missing)
            check_in = ev.CheckedIn(at=arrived, visit_id=visit_id, escort_present=escort)
            if not escort:
                if arrived > self.end:
                    raise Horizon
                # Refused wherever the policy requires a driver: ask first, as that is usual.
                verdict = self.pw.check(check_in)
                if not verdict.allowed:
                    if verdict.codes != ("no_escort",):
                        raise RuntimeError(f"check-in refused for {verdict.codes}")
                    self.emit(ev.VisitCancelled(at=arrived, visit_id=visit_id,
                                                reason="no_escort"))
                    continue
            self.emit(check_in)
            self.escort = escort
            return ()
