"""The mergeable counts a `Summary` is made of.

Each type here is a value with an exact, associative ``merge``: integer
counts, histograms by whole day, and sums of `timedelta` (integer
microseconds). Nothing is a float until it is displayed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import attrs

__all__ = ["Histogram", "ReliefCurve", "RoomTime", "VisitCounts"]

_ZERO = dt.timedelta(0)
_MINUTE = dt.timedelta(minutes=1)


def _sorted_counts(value: Any) -> tuple[tuple[int, int], ...]:
    items = value.items() if isinstance(value, Mapping) else value
    merged: dict[int, int] = {}
    for day, count in items:
        merged[day] = merged.get(day, 0) + count
    return tuple((day, count) for day, count in sorted(merged.items()) if count)


@attrs.frozen
class Histogram:
    """Counts by whole day, as sorted ``(day, count)`` pairs."""

    counts: tuple[tuple[int, int], ...] = attrs.field(default=(), converter=_sorted_counts)

    @property
    def total(self) -> int:
        return sum(count for _, count in self.counts)

    def percentile(self, percent: int) -> int | None:
        """Nearest-rank percentile: the smallest day with ``percent``% of counts at or below."""
        total = self.total
        if not total:
            return None
        seen = 0
        for day, count in self.counts:
            seen += count
            if seen * 100 >= percent * total:
                return day
        return self.counts[-1][0]

    @property
    def median(self) -> int | None:
        return self.percentile(50)

    @property
    def p90(self) -> int | None:
        return self.percentile(90)

    @property
    def mean(self) -> float | None:
        total = self.total
        return sum(day * count for day, count in self.counts) / total if total else None

    def merge(self, other: Histogram) -> Histogram:
        return Histogram(self.counts + other.counts)

    def to_dict(self) -> dict[str, Any]:
        return {"median": self.median, "p90": self.p90, "n": self.total,
                "counts": [list(pair) for pair in self.counts]}


@attrs.frozen
class VisitCounts:
    """Procedure visits: every booking ends attended, cancelled, missed, or still open."""

    booked: int = 0
    attended: int = 0
    cancelled: int = 0
    missed: int = 0
    open: int = 0

    def merge(self, other: VisitCounts) -> VisitCounts:
        return VisitCounts(*(a + b for a, b in zip(attrs.astuple(self), attrs.astuple(other),
                                                   strict=True)))


@attrs.frozen
class RoomTime:
    """Procedures performed and their `estimate_slot` sums: (min, max) room and recovery."""

    procedures: int = 0
    room_min: dt.timedelta = _ZERO
    room_max: dt.timedelta = _ZERO
    recovery_min: dt.timedelta = _ZERO
    recovery_max: dt.timedelta = _ZERO

    def merge(self, other: RoomTime) -> RoomTime:
        return RoomTime(
            self.procedures + other.procedures,
            self.room_min + other.room_min,
            self.room_max + other.room_max,
            self.recovery_min + other.recovery_min,
            self.recovery_max + other.recovery_max,
        )

    @property
    def room_minutes(self) -> tuple[float, float]:
        return (self.room_min / _MINUTE, self.room_max / _MINUTE)

    @property
    def recovery_minutes(self) -> tuple[float, float]:
        return (self.recovery_min / _MINUTE,
                self.recovery_max / _MINUTE)


@attrs.frozen
class ReliefCurve:
    """Relief durations after a neurotomy: ended episodes and those censored at the horizon."""

    ended: Histogram = attrs.field(factory=Histogram)
    censored: Histogram = attrs.field(factory=Histogram)

    def merge(self, other: ReliefCurve) -> ReliefCurve:
        return ReliefCurve(self.ended.merge(other.ended), self.censored.merge(other.censored))

    @property
    def episodes(self) -> int:
        return self.ended.total + self.censored.total

    def survival(self) -> list[tuple[float, float]]:
        """Kaplan–Meier: (days after the neurotomy, fraction still relieved), from (0, 1).

        Episodes censored on a day count as at risk on that day (the usual
        convention), so the curve only steps down at days with a return of pain.
        """
        at_risk = self.episodes
        ended = dict(self.ended.counts)
        censored = dict(self.censored.counts)
        points = [(0.0, 1.0)]
        still = 1.0
        for day in sorted(set(ended) | set(censored)):
            returned = ended.get(day, 0)
            if returned and at_risk:
                still *= 1 - returned / at_risk
                points.append((float(day), still))
            at_risk -= returned + censored.get(day, 0)
        return points

    @property
    def median(self) -> int | None:
        """Kaplan–Meier median: the first day half the episodes have ended (None if never)."""
        for day, still in self.survival():
            if still <= 0.5:
                return int(day)
        return None

    def to_dict(self) -> dict[str, Any]:
        return {"episodes": self.episodes, "median_km": self.median,
                "ended": self.ended.to_dict(), "censored": self.censored.to_dict()}
