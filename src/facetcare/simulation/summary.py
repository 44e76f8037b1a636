"""`Summary`: a cohort's figures, built only from mergeable counts.

Everything a `Summary` holds is a count, a histogram by whole day or a sum
of exact `timedelta` values, and `Summary.merge` adds them field by field.
Merging is therefore associative and commutative and loses nothing, which is
what lets `summarize` stream millions of patients chunk by chunk on any
executor and still equal ``simulate(...).summary()`` exactly. Medians,
percentiles and the Kaplan–Meier curve are computed from the merged counts
on demand, never stored.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from facetcare.machine import Stage
from facetcare.simulation.counts import Histogram, ReliefCurve, RoomTime, VisitCounts
from facetcare.simulation.facts import JourneyFacts

__all__ = ["Summary", "Tally"]

PROCEDURES = ("block", "neurotomy")


def _stage_counts(value: Mapping[Stage, int]) -> dict[Stage, int]:
    return {stage: value.get(stage, 0) for stage in Stage}


def _reason_counts(value: Mapping[str, int]) -> dict[str, int]:
    return {reason: value[reason] for reason in sorted(value) if value[reason]}


def _room(value: Mapping[str, RoomTime]) -> dict[str, RoomTime]:
    return {p: value.get(p, RoomTime()) for p in PROCEDURES}


@attrs.frozen(kw_only=True)
class Summary:
    """A cohort's figures; merge two with `merge` (or ``+``), exactly.

    Counts are journeys unless named otherwise (blocks, visits, episodes).
    """

    n: int = 0
    #: Referrals refused on the policy's entry criteria (not among the n journeys).
    screened_out: int = 0
    by_stage: dict[Stage, int] = attrs.field(factory=dict, converter=_stage_counts)
    reached_neurotomy: int = 0
    blocks: int = 0
    positive_blocks: int = 0
    negative_blocks: int = 0
    neurotomies: int = 0
    repeat_neurotomies: int = 0
    lesions: int = 0
    minor_complications: int = 0
    recurrences: int = 0
    #: Check-ins refused for want of a driver; each became a cancellation and a rebooking.
    refused_checkins: int = 0
    events: int = 0
    #: Journeys whose first neurotomy's relief (as the policy counts it) lasted 3 months
    #: (`facetcare.simulation.facts.SUCCESS_DAYS`).
    successes: int = 0
    #: Journeys of patients with true facet pain (latent), and of those, treated.
    facet_patients: int = 0
    facet_treated: int = 0
    #: Billed for blocks and neurotomies under the fee schedule, in cents.
    cost_cents: int = 0
    visits: VisitCounts = attrs.field(factory=VisitCounts)
    closed: dict[str, int] = attrs.field(factory=dict, converter=_reason_counts)
    room: dict[str, RoomTime] = attrs.field(factory=dict, converter=_room)
    referral_to_block: Histogram = attrs.field(factory=Histogram)
    block_to_neurotomy: Histogram = attrs.field(factory=Histogram)
    referral_to_neurotomy: Histogram = attrs.field(factory=Histogram)
    first_block_to_neurotomy: Histogram = attrs.field(factory=Histogram)
    relief: ReliefCurve = attrs.field(factory=ReliefCurve)
    repeat_relief: ReliefCurve = attrs.field(factory=ReliefCurve)

    # -- merging ------------------------------------------------------------------

    def merge(self, other: Summary) -> Summary:
        """The summary of both cohorts together (exact, associative, commutative)."""
        if not isinstance(other, Summary):
            raise TypeError(f"can only merge a Summary, got {type(other).__name__}")
        values: dict[str, Any] = {}
        for field in attrs.fields(Summary):
            mine, theirs = getattr(self, field.name), getattr(other, field.name)
            if isinstance(mine, int):
                values[field.name] = mine + theirs
            elif isinstance(mine, dict):
                keys = list(mine) + [k for k in theirs if k not in mine]
                values[field.name] = {
                    k: _add(mine.get(k), theirs.get(k)) for k in keys
                }
            else:
                values[field.name] = mine.merge(theirs)
        return Summary(**values)

    __add__ = merge

    @classmethod
    def combine(cls, summaries: Iterable[Summary]) -> Summary:
        result = cls()
        for summary in summaries:
            result = result.merge(summary)
        return result

    # -- figures ------------------------------------------------------------------

    @property
    def proportion_treated(self) -> float:
        """Share of journeys that reached at least one neurotomy."""
        return self.reached_neurotomy / self.n if self.n else 0.0

    @property
    def referral_to_block_days(self) -> tuple[int | None, int | None]:
        """(median, p90) days from referral to the first block performed."""
        return self.referral_to_block.median, self.referral_to_block.p90

    @property
    def block_to_neurotomy_days(self) -> tuple[int | None, int | None]:
        """(median, p90) days from the qualifying (last) block to the first neurotomy."""
        return self.block_to_neurotomy.median, self.block_to_neurotomy.p90

    @property
    def referral_to_neurotomy_days(self) -> tuple[int | None, int | None]:
        return self.referral_to_neurotomy.median, self.referral_to_neurotomy.p90

    @property
    def room_minutes(self) -> dict[str, tuple[float, float]]:
        """Procedure → (min, max) procedure-room minutes, from `estimate_slot` per procedure."""
        return {p: time.room_minutes for p, time in self.room.items()}

    def survival(self, repeat: bool = False) -> list[tuple[float, float]]:
        """Kaplan–Meier relief after the first neurotomy (or after repeats), censored at
        the horizon: (days after the neurotomy, fraction still relieved)."""
        return (self.repeat_relief if repeat else self.relief).survival()

    # -- output ---------------------------------------------------------------------

    def rows(self) -> list[tuple[str, str]]:
        """(label, value) pairs for a plain table (`facetcare.simulation.figures.rows`)."""
        from facetcare.simulation.figures import rows

        return rows(self)

    def figures(self) -> dict[str, float | None]:
        """The headline figures (`facetcare.simulation.figures.FIGURES`) by key."""
        from facetcare.simulation.figures import FIGURES

        return {figure.key: figure.value(self) for figure in FIGURES}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: stage and reason keys as strings, histograms as [day, count] pairs."""
        visits = self.visits
        return {
            "n": self.n,
            "screened_out": self.screened_out,
            "by_stage": {str(stage): count for stage, count in self.by_stage.items()},
            "reached_neurotomy": self.reached_neurotomy,
            "proportion_treated": self.proportion_treated,
            "blocks": self.blocks,
            "positive_blocks": self.positive_blocks,
            "negative_blocks": self.negative_blocks,
            "neurotomies": self.neurotomies,
            "repeat_neurotomies": self.repeat_neurotomies,
            "lesions": self.lesions,
            "minor_complications": self.minor_complications,
            "recurrences": self.recurrences,
            "refused_checkins": self.refused_checkins,
            "events": self.events,
            "successes": self.successes,
            "facet_patients": self.facet_patients,
            "facet_treated": self.facet_treated,
            "cost_cents": self.cost_cents,
            "visits": attrs.asdict(visits),
            "closed": dict(self.closed),
            "room_minutes": {
                p: {"procedures": t.procedures, "room": list(t.room_minutes),
                    "recovery": list(t.recovery_minutes)}
                for p, t in self.room.items()
            },
            "referral_to_block_days": self.referral_to_block.to_dict(),
            "block_to_neurotomy_days": self.block_to_neurotomy.to_dict(),
            "referral_to_neurotomy_days": self.referral_to_neurotomy.to_dict(),
            "first_block_to_neurotomy_days": self.first_block_to_neurotomy.to_dict(),
            "relief_days": self.relief.to_dict(),
            "repeat_relief_days": self.repeat_relief.to_dict(),
        }


def _add(a: Any, b: Any) -> Any:
    if a is None:
        return b
    if b is None:
        return a
    return a + b if isinstance(a, int) else a.merge(b)


class Tally:
    """The mutable accumulator behind `Summary`: add journeys' facts, then `summary()`."""

    def __init__(self) -> None:
        self.ints: dict[str, int] = dict.fromkeys(_INT_FIELDS, 0)
        self.by_stage: dict[Stage, int] = dict.fromkeys(Stage, 0)
        self.closed: dict[str, int] = {}
        self.visits = [0, 0, 0, 0, 0]
        self.room = {p: RoomTime() for p in PROCEDURES}
        self.days: dict[str, dict[int, int]] = {name: {} for name in _DAY_FIELDS}

    def add(self, facts: JourneyFacts) -> None:
        ints = self.ints
        ints["n"] += 1
        ints["screened_out"] += facts.screened_out
        ints["reached_neurotomy"] += facts.neurotomies > 0
        ints["blocks"] += facts.blocks
        ints["positive_blocks"] += facts.positive_blocks
        ints["negative_blocks"] += facts.negative_blocks
        ints["neurotomies"] += facts.neurotomies
        ints["repeat_neurotomies"] += max(0, facts.neurotomies - 1)
        ints["lesions"] += facts.lesions
        ints["minor_complications"] += facts.minor_complications
        ints["recurrences"] += facts.recurrences
        ints["refused_checkins"] += facts.refused_checkins
        ints["events"] += facts.events
        ints["successes"] += facts.first_neurotomy_succeeded
        ints["facet_patients"] += facts.facet
        ints["facet_treated"] += facts.facet and facts.neurotomies > 0
        ints["cost_cents"] += facts.cost_cents
        self.by_stage[facts.stage] += 1
        if facts.closed_reason is not None:
            self.closed[facts.closed_reason] = self.closed.get(facts.closed_reason, 0) + 1
        for i, count in enumerate((facts.booked, facts.attended, facts.cancelled, facts.missed,
                                   facts.open)):
            self.visits[i] += count
        for procedure, slot in facts.slots:
            self.room[procedure] = self.room[procedure].merge(
                RoomTime(1, *slot.procedure, *slot.recovery)
            )
        days = self.days
        _count(days["referral_to_block"], facts.referral_to_block_days)
        _count(days["block_to_neurotomy"], facts.block_to_neurotomy_days)
        _count(days["referral_to_neurotomy"], facts.referral_to_neurotomy_days)
        _count(days["first_block_to_neurotomy"], facts.first_block_to_neurotomy_days)
        for relief in facts.reliefs:
            key = ("repeat_" if relief.repeat else "") + ("ended" if relief.ended else "censored")
            _count(days[key], relief.days)

    def summary(self) -> Summary:
        days = {name: Histogram(counts) for name, counts in self.days.items()}
        return Summary(
            **self.ints,
            by_stage=self.by_stage,
            closed=self.closed,
            visits=VisitCounts(*self.visits),
            room=self.room,
            referral_to_block=days["referral_to_block"],
            block_to_neurotomy=days["block_to_neurotomy"],
            referral_to_neurotomy=days["referral_to_neurotomy"],
            first_block_to_neurotomy=days["first_block_to_neurotomy"],
            relief=ReliefCurve(days["ended"], days["censored"]),
            repeat_relief=ReliefCurve(days["repeat_ended"], days["repeat_censored"]),
        )


_INT_FIELDS = ("n", "screened_out", "reached_neurotomy", "blocks", "positive_blocks",
               "negative_blocks", "neurotomies", "repeat_neurotomies", "lesions",
               "minor_complications", "recurrences", "refused_checkins", "events",
               "successes", "facet_patients", "facet_treated", "cost_cents")
_DAY_FIELDS = ("referral_to_block", "block_to_neurotomy", "referral_to_neurotomy",
               "first_block_to_neurotomy", "ended",
               "censored", "repeat_ended", "repeat_censored")


def _count(histogram: dict[int, int], day: int | None) -> None:
    if day is not None:
        histogram[day] = histogram.get(day, 0) + 1
