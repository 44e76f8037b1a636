"""The facts the rules read, derived from the accepted events.

A pathway *is* its events (DESIGN principle 2). Replaying them through
`Record.note` gives the facts every rule needs (the open visit, the block
being assessed, the positive-block series, the last neurotomy and the relief
it gave) without scanning the history on every event.

`Record` is also the object the shared `transitions` machine moves: it has
the ``state`` attribute and nothing else transitions touches. It is only
changed by `note`, after every rule has passed, so a refused event leaves
it exactly as it was.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from fractions import Fraction
from functools import lru_cache
from typing import Any

from facetcare import events as ev
from facetcare.anatomy import Region, Side
from facetcare.machine import START, Stage

Nerve = tuple[str, Side]


@lru_cache(maxsize=4096)
def nerves_of(targets: tuple[ev.Target, ...]) -> frozenset[Nerve]:
    """The (nerve, side) pairs a set of targets reaches; sides never mix.

    Targets are frozen values, so the answer for a tuple of them never changes.
    """
    return frozenset((nerve, t.side) for t in targets for nerve in t.nerves)


def describe(nerves: frozenset[Nerve] | set[Nerve]) -> str:
    return ", ".join(f"{side} {nerve}" for nerve, side in sorted(nerves))


class Visit:
    """A booked visit: which procedure, when, for which targets, booked from where."""

    __slots__ = ("escort_confirmed", "kind", "origin", "targets", "visit_at", "visit_id")

    def __init__(self, booking: ev.BlockScheduled | ev.NeurotomyScheduled, origin: str) -> None:
        self.kind = "block" if isinstance(booking, ev.BlockScheduled) else "neurotomy"
        self.visit_id = booking.visit_id
        self.visit_at = booking.visit_at
        self.targets = booking.targets
        self.escort_confirmed = booking.escort_confirmed
        #: The stage the visit was booked from; a cancelled visit returns there.
        self.origin = origin


class PositiveBlock:
    __slots__ = ("at", "baseline", "nerves")

    def __init__(self, at: dt.datetime, nerves: frozenset[Nerve], baseline: int) -> None:
        self.at = at
        self.nerves = nerves
        self.baseline = baseline


class Neurotomy:
    __slots__ = ("at", "baseline", "nerves")

    def __init__(self, at: dt.datetime, nerves: frozenset[Nerve], baseline: int) -> None:
        self.at = at
        self.nerves = nerves
        #: The pain baseline follow-up relief is measured against.
        self.baseline = baseline


class Record:
    """Derived facts of one pathway; see the module docstring."""

    __slots__ = (
        "best_score",
        "block_at",
        "block_baseline",
        "block_targets",
        "block_times",
        "discharged_at",
        "last_assessed_at",
        "last_at",
        "lowest_in_window",
        "neurotomy",
        "neurotomy_times",
        "open_visit",
        "pathway_id",
        "patient_id",
        "region",
        "relief_ended_at",
        "series",
        "state",
        "visits",
    )

    def __init__(self) -> None:
        self.state: str = START
        self.pathway_id = ""
        self.patient_id = ""
        self.region = Region.LUMBAR
        self.last_at: dt.datetime | None = None
        self.visits: dict[str, Visit] = {}
        self.open_visit: Visit | None = None
        # The block being observed and assessed (the last block performed).
        self.block_at: dt.datetime | None = None
        self.block_targets: tuple[ev.Target, ...] = ()
        self.block_baseline = 0
        self.lowest_in_window: int | None = None
        self.last_assessed_at: dt.datetime | None = None
        self.block_times: list[dt.datetime] = []
        # Positive blocks since the last negative result or neurotomy.
        self.series: list[PositiveBlock] = []
        self.neurotomy: Neurotomy | None = None
        self.neurotomy_times: list[dt.datetime] = []
        self.discharged_at: dt.datetime | None = None
        # Relief after the last neurotomy: the lowest follow-up score (its best
        # relief, the baseline being fixed per neurotomy), and when relief ended.
        self.best_score: int | None = None
        self.relief_ended_at: dt.datetime | None = None

    # -- questions the rules and the scheduler ask -----------------------------

    def confirmed_nerves(self, required: int) -> frozenset[Nerve]:
        """Nerves confirmed by at least ``required`` positive blocks of the series."""
        if len(self.series) < required:
            return frozenset()
        counts: dict[Nerve, int] = {}
        for block in self.series:
            for nerve in block.nerves:
                counts[nerve] = counts.get(nerve, 0) + 1
        return frozenset(n for n, c in counts.items() if c >= required)

    def treatable_nerves(self, origin: str, required: int) -> frozenset[Nerve]:
        """Nerves a neurotomy booked from ``origin`` may treat.

        From recurrence: the nerves of the last neurotomy (repeat rules apply);
        otherwise those the positive-block series confirmed.
        """
        if origin == Stage.RECURRENCE:
            return self.neurotomy.nerves if self.neurotomy else frozenset()
        return self.confirmed_nerves(required)

    def relief_of(self, score: int) -> Fraction:
        """Follow-up relief against the baseline the last neurotomy used."""
        baseline = self.neurotomy.baseline if self.neurotomy else 0
        if baseline <= 0:
            return Fraction(0)
        return Fraction(baseline - score, baseline)

    def relief_at_least(self, score: int, threshold: Fraction) -> bool:
        """``relief_of(score) >= threshold``, decided exactly on integers."""
        baseline = self.neurotomy.baseline if self.neurotomy else 0
        if baseline <= 0:
            return threshold <= 0
        return _at_least(baseline, score, threshold)

    @property
    def best_relief(self) -> Fraction | None:
        """Best follow-up relief since the last neurotomy (None before any follow-up)."""
        return None if self.best_score is None else self.relief_of(self.best_score)

    def block_relief(self) -> Fraction | None:
        """Relief of the block under assessment; None when no diary entry counts."""
        if self.lowest_in_window is None or self.block_baseline <= 0:
            return None
        return Fraction(self.block_baseline - self.lowest_in_window, self.block_baseline)

    def block_relief_at_least(self, threshold: Fraction) -> bool:
        """``block_relief() >= threshold`` (False when it is None), decided exactly."""
        if self.lowest_in_window is None or self.block_baseline <= 0:
            return False
        return _at_least(self.block_baseline, self.lowest_in_window, threshold)

    # -- the one place facts change --------------------------------------------

    def note(self, event: ev.Event, origin: str, branch: str | None) -> None:
        """Record an accepted event; ``origin`` is the stage it was accepted in."""
        self.last_at = event.at
        noting = _NOTES.get(type(event))
        if noting is not None:
            noting(self, event, origin, branch)


def _at_least(baseline: int, score: int, threshold: Fraction) -> bool:
    """(baseline − score) / baseline ≥ threshold for baseline > 0, without a Fraction."""
    return (baseline - score) * threshold.denominator >= threshold.numerator * baseline


def _referred(rec: Record, event: ev.Referred, origin: str, branch: str | None) -> None:
    rec.pathway_id = event.pathway_id
    rec.patient_id = event.patient_id
    rec.region = event.region


def _booked(
    rec: Record, event: ev.BlockScheduled | ev.NeurotomyScheduled, origin: str, branch: str | None
) -> None:
    visit = Visit(event, origin)
    rec.visits[visit.visit_id] = visit
    rec.open_visit = visit


def _block(rec: Record, event: ev.BlockPerformed, origin: str, branch: str | None) -> None:
    rec.block_at = event.at
    rec.block_targets = event.targets
    rec.block_baseline = event.baseline_pain
    rec.lowest_in_window = None
    rec.block_times.append(event.at)


def _diary(rec: Record, event: ev.ReliefDiaryRecorded, origin: str, branch: str | None) -> None:
    lowest = min(entry.score for entry in event.entries)
    if rec.lowest_in_window is None or lowest < rec.lowest_in_window:
        rec.lowest_in_window = lowest


def _assessed(rec: Record, event: ev.ReliefAssessed, origin: str, branch: str | None) -> None:
    rec.last_assessed_at = event.at
    if branch == "positive" and rec.block_at is not None:
        rec.series.append(
            PositiveBlock(rec.block_at, nerves_of(rec.block_targets), rec.block_baseline)
        )
    else:
        # A negative result resets the positive-block series.
        rec.series.clear()


def _neurotomy(rec: Record, event: ev.NeurotomyPerformed, origin: str, branch: str | None) -> None:
    booked_from = rec.open_visit.origin if rec.open_visit else origin
    if booked_from == Stage.RECURRENCE and rec.neurotomy is not None:
        # A repeat measures relief against the baseline the previous one used.
        baseline = rec.neurotomy.baseline
    else:
        baseline = rec.series[-1].baseline if rec.series else 0
    treated = nerves_of(tuple(lesion.target for lesion in event.lesions))
    rec.neurotomy = Neurotomy(event.at, treated, baseline)
    rec.neurotomy_times.append(event.at)
    rec.series.clear()
    rec.best_score = None
    rec.relief_ended_at = None


def _discharged(rec: Record, event: ev.Discharged, origin: str, branch: str | None) -> None:
    rec.open_visit = None
    rec.discharged_at = event.at


def _follow_up(rec: Record, event: ev.FollowUpRecorded, origin: str, branch: str | None) -> None:
    if rec.best_score is None or event.pain_score < rec.best_score:
        rec.best_score = event.pain_score


def _pain_returned(rec: Record, event: ev.PainReturned, origin: str, branch: str | None) -> None:
    rec.relief_ended_at = event.at


def _visit_ended(
    rec: Record, event: ev.VisitCancelled | ev.VisitMissed, origin: str, branch: str | None
) -> None:
    rec.open_visit = None


_NOTES: dict[type[ev.Event], Callable[[Record, Any, str, str | None], None]] = {
    ev.Referred: _referred,
    ev.BlockScheduled: _booked,
    ev.NeurotomyScheduled: _booked,
    ev.BlockPerformed: _block,
    ev.ReliefDiaryRecorded: _diary,
    ev.ReliefAssessed: _assessed,
    ev.NeurotomyPerformed: _neurotomy,
    ev.Discharged: _discharged,
    ev.FollowUpRecorded: _follow_up,
    ev.PainReturned: _pain_returned,
    ev.VisitCancelled: _visit_ended,
    ev.VisitMissed: _visit_ended,
}
