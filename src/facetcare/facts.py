"""The facts the rules read: one frozen value, derived from the accepted events.

A pathway *is* its events (docs/pathway.md). Folding them, one at a time,
through `advance` gives a `Facts` value: the open visit, the block under
assessment, the positive blocks, the last neurotomy and the relief it gave,
the procedure times the yearly caps count. Rules, `due()`, the simulator
and the testing kit all read this one value (`Pathway.facts`); nothing else
derives facts, and `advance` is the only place a new `Facts` is made.

`Facts` is frozen and its collections are read-only sequences and mappings,
so a caller holding one never sees it change: each accepted event gives a
new value and leaves the old one as it was. The collections that grow with
the log (visits, procedure times, the positive-block series, a block's
diary) share what they held with the values before them
(`facetcare._persistent`, `facetcare._series`), so an event costs the same
however long the log before it is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

import attrs

from facetcare import events as ev
from facetcare._persistent import Appended, Registry
from facetcare._series import EMPTY_SERIES, Nerve, PositiveBlock, Series
from facetcare.anatomy import Region
from facetcare.machine import START, Branch

__all__ = [
    "Block",
    "Facts",
    "Nerve",
    "Neurotomy",
    "PositiveBlock",
    "Visit",
    "advance",
    "describe",
    "nerves_of",
]

_NO_VISITS: Registry[str, Visit] = Registry()
_NO_TIMES: Appended[dt.datetime] = Appended()
_NO_ENTRIES: Appended[ev.PainEntry] = Appended()


@lru_cache(maxsize=4096)
def nerves_of(targets: tuple[ev.Target, ...]) -> frozenset[Nerve]:
    """The (nerve, side) pairs a set of targets reaches; sides never mix."""
    return frozenset((nerve, t.side) for t in targets for nerve in t.nerves)


def describe(nerves: frozenset[Nerve] | set[Nerve]) -> str:
    return ", ".join(f"{side} {nerve}" for nerve, side in sorted(nerves))


@attrs.frozen
class Visit:
    """A booked visit: which procedure, when, for which targets, booked from where."""

    kind: str  # "block" or "neurotomy"
    visit_id: str
    visit_at: dt.datetime
    targets: tuple[ev.Target, ...]
    escort_confirmed: bool
    #: The stage the visit was booked from; a cancelled visit returns there.
    origin: str


def _by_time(entries: Sequence[ev.PainEntry]) -> tuple[ev.PainEntry, ...]:
    return tuple(sorted(entries, key=_entry_time))


def _entry_time(entry: ev.PainEntry) -> dt.datetime:
    return entry.at


@attrs.frozen
class Block:
    """The block under observation and assessment (the last block performed)."""

    at: dt.datetime
    targets: tuple[ev.Target, ...]
    baseline: int
    #: The lowest pain score recorded inside the relief window; None: no entry yet.
    lowest_in_window: int | None = None
    #: Every diary entry recorded for this block, in the order recorded (all
    #: inside the window: the rules refuse any other). Compared by time.
    diary: Appended[ev.PainEntry] = attrs.field(default=_NO_ENTRIES, eq=_by_time)

    @property
    def entries(self) -> tuple[ev.PainEntry, ...]:
        """The diary by time (entries at one time in the order recorded).

        Sorted when asked (`ReliefMeasure.SUSTAINED` reads them all at the
        assessment), not with every diary: a block may have thousands.
        """
        return _by_time(self.diary)


@attrs.frozen
class Neurotomy:
    at: dt.datetime
    targets: tuple[ev.Target, ...]
    nerves: frozenset[Nerve]
    #: The pain baseline follow-up relief is measured against.
    baseline: int


@attrs.frozen(slots=False)
class Facts:
    """What the rules and the scheduler know about one pathway; see the module docstring."""

    #: The machine state: a `Stage` value, or "start" before the referral.
    state: str = START
    pathway_id: str = ""
    patient_id: str = ""
    region: Region = Region.LUMBAR
    #: Time of the last accepted event; events may not be earlier.
    last_at: dt.datetime | None = None
    #: Every visit booked, by id, in booking order (cancelled ones too: an id names one visit).
    visits: Registry[str, Visit] = _NO_VISITS
    open_visit: Visit | None = None
    block: Block | None = None
    #: Every block performed in this region for this patient, oldest first:
    #: the referral's prior procedures, then this pathway's.
    block_times: Appended[dt.datetime] = _NO_TIMES
    #: Positive blocks, each with the nerves it still confirms: a negative
    #: result takes away the nerves it tested, a neurotomy the nerves it
    #: treated (docs/payer-rules.md#results-per-target); a block left with none drops out.
    series: Series = EMPTY_SERIES
    #: When the last relief assessment concluded.
    assessed_at: dt.datetime | None = None
    neurotomy: Neurotomy | None = None
    #: Every neurotomy performed in this region for this patient, oldest first.
    neurotomy_times: Appended[dt.datetime] = _NO_TIMES
    #: The lowest follow-up score since the last neurotomy (its best relief).
    best_score: int | None = None
    #: When the last follow-up since the last neurotomy was recorded.
    last_follow_up_at: dt.datetime | None = None
    #: When relief after the last neurotomy ended (`PainReturned`).
    relief_ended_at: dt.datetime | None = None

    @property
    def last_block_at(self) -> dt.datetime | None:
        return self.block_times[-1] if self.block_times else None

    def confirmed_nerves(self, required: int) -> frozenset[Nerve]:
        """Nerves confirmed by at least ``required`` positive blocks of the series."""
        return self.series.confirmed(required)

    def treatable_nerves(self, origin: str, required: int) -> frozenset[Nerve]:
        """Nerves a neurotomy booked from ``origin`` may treat.

        Those the positive-block series confirms (not yet treated: a
        neurotomy takes its nerves out of the series); from recurrence also
        the nerves of the last neurotomy (a repeat; repeat rules apply).
        """
        confirmed = self.confirmed_nerves(required)
        if origin == "recurrence" and self.neurotomy is not None:
            return confirmed | self.neurotomy.nerves
        return confirmed


def advance(facts: Facts, event: ev.Event, dest: str, branch: str | None) -> Facts:
    """The facts after ``event`` was accepted and the machine moved to ``dest``."""
    # Facts keeps its fields in a __dict__ (not slots) so that the one writer
    # can copy it in one step: `attrs.evolve` re-runs every field and costs
    # more than the rest of `apply()` together. Nothing else writes it.
    fields = facts.__dict__.copy()
    fields["state"] = dest
    fields["last_at"] = event.at
    folding = _FOLDS.get(type(event))
    if folding is not None:
        folding(facts, event, branch, fields)
    new = object.__new__(Facts)
    _set(new, "__dict__", fields)
    return new


_set = object.__setattr__  # the frozen class refuses its own __setattr__


Fields = dict[str, Any]
# Each fold writes the fields an accepted event changes into the new value's
# fields (already a copy of the old ones, with ``state`` and ``last_at`` set).


def _referred(facts: Facts, event: ev.Referred, branch: str | None, new: Fields) -> None:
    prior = event.prior_procedures
    new["pathway_id"] = event.pathway_id
    new["patient_id"] = event.patient_id
    new["region"] = event.region
    if prior:
        new["block_times"] = Appended(sorted(p.at for p in prior if p.procedure == "block"))
        new["neurotomy_times"] = Appended(sorted(p.at for p in prior
                                                 if p.procedure == "neurotomy"))


def _booked(facts: Facts, event: ev.BlockScheduled | ev.NeurotomyScheduled,
            branch: str | None, new: Fields) -> None:
    kind = "block" if isinstance(event, ev.BlockScheduled) else "neurotomy"
    visit = Visit(kind, event.visit_id, event.visit_at, event.targets, event.escort_confirmed,
                  facts.state)
    new["visits"] = facts.visits.added(visit.visit_id, visit)
    new["open_visit"] = visit


def _block(facts: Facts, event: ev.BlockPerformed, branch: str | None, new: Fields) -> None:
    new["block"] = Block(event.at, event.targets, event.baseline_pain)
    new["block_times"] = facts.block_times.appended(event.at)


def _diary(facts: Facts, event: ev.ReliefDiaryRecorded, branch: str | None,
           new: Fields) -> None:
    block = facts.block
    if block is None:
        return
    lowest = min(entry.score for entry in event.entries)
    if block.lowest_in_window is not None and block.lowest_in_window <= lowest:
        lowest = block.lowest_in_window
    new["block"] = Block(block.at, block.targets, block.baseline, lowest,
                         block.diary.appended(*event.entries))


def _assessed(facts: Facts, event: ev.ReliefAssessed, branch: str | None, new: Fields) -> None:
    block = facts.block
    new["assessed_at"] = event.at
    if branch == Branch.POSITIVE and block is not None:
        positive = PositiveBlock(block.at, nerves_of(block.targets), block.baseline)
        new["series"] = facts.series.with_block(positive)
    elif block is not None:
        # A negative result resets the nerves it tested, and only those.
        new["series"] = facts.series.without(nerves_of(block.targets))


def _neurotomy(facts: Facts, event: ev.NeurotomyPerformed, branch: str | None,
               new: Fields) -> None:
    targets = tuple(dict.fromkeys(lesion.target for lesion in event.lesions))
    treated = nerves_of(targets)
    # Relief is measured against the latest positive block that confirmed
    # these nerves; a repeat (nothing confirmed them since) against the
    # baseline the previous neurotomy used.
    baseline = facts.series.latest_baseline(treated)
    if baseline is None:
        baseline = facts.neurotomy.baseline if facts.neurotomy is not None else 0
    new["neurotomy"] = Neurotomy(event.at, targets, treated, baseline)
    new["neurotomy_times"] = facts.neurotomy_times.appended(event.at)
    new["series"] = facts.series.without(treated)
    new["best_score"] = None
    new["last_follow_up_at"] = None
    new["relief_ended_at"] = None


def _visit_closed(facts: Facts, event: ev.Event, branch: str | None, new: Fields) -> None:
    """Discharged, cancelled or missed: no visit is open any more."""
    new["open_visit"] = None


def _follow_up(facts: Facts, event: ev.FollowUpRecorded, branch: str | None,
               new: Fields) -> None:
    new["last_follow_up_at"] = event.at
    if facts.best_score is None or event.pain_score < facts.best_score:
        new["best_score"] = event.pain_score


def _pain_returned(facts: Facts, event: ev.PainReturned, branch: str | None,
                   new: Fields) -> None:
    new["relief_ended_at"] = event.at


_FOLDS: dict[type[ev.Event], Callable[[Facts, Any, str | None, Fields], None]] = {
    ev.Referred: _referred,
    ev.BlockScheduled: _booked,
    ev.NeurotomyScheduled: _booked,
    ev.BlockPerformed: _block,
    ev.ReliefDiaryRecorded: _diary,
    ev.ReliefAssessed: _assessed,
    ev.NeurotomyPerformed: _neurotomy,
    ev.Discharged: _visit_closed,
    ev.FollowUpRecorded: _follow_up,
    ev.PainReturned: _pain_returned,
    ev.VisitCancelled: _visit_closed,
    ev.VisitMissed: _visit_closed,
}
