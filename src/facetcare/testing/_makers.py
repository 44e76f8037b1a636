"""The next event of a pathway, one maker per event type, shared by every builder.

A maker reads the facts (`Pathway.facts`) and the policy in force and
aims one event at them: the open visit, the last block, the nerves that
may be treated, dated by `facetcare.timing` (the functions the rules judge
by, so an aimed date is one the rules accept). Every free choice goes
through a `Choices`: `PLAIN` takes the canonical value (the scripted
coverage paths: short, readable, exact about time), `Drawn` draws it with
Hypothesis (journeys, `PathwayMachine`). Scripted paths and generated
journeys therefore make events the same way: a new rule is one change in
its maker, a new event field one entry in `FIELDS`. Makers read only
``(facts, policy)``, never a live pathway, so they can aim at any earlier
point of a history (what a late entry or an amendment needs).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

import attrs
from hypothesis import strategies as st

from facetcare import events as ev
from facetcare import timing
from facetcare.anatomy import JOINTS, Region, Side
from facetcare.facts import Facts, nerves_of
from facetcare.machine import Stage
from facetcare.policy import Policy
from facetcare.records import block_record, lesion_record, neurotomy_record, referral_record
from facetcare.scheduling import confirmed_targets
from facetcare.testing._strategies import (
    aware_datetimes,
    lesion_limits,
    lesion_values,
    reasons,
    time_zones,
)

__all__ = ["BASELINE", "FIELDS", "MAKERS", "PLAIN", "T0", "Choices", "Drawn", "Maker",
           "covered", "joints_of", "lesion", "referral", "target"]

T = TypeVar("T")
E = TypeVar("E", bound=ev.Event)
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
BASELINE = 10
ZERO, MINUTE, HOUR, DAY = (dt.timedelta(0), dt.timedelta(minutes=1), dt.timedelta(hours=1),
                           dt.timedelta(days=1))


class Choices(Protocol):
    """One free choice: ``plain`` for a scripted path, or a value of ``options``."""

    def __call__(self, options: st.SearchStrategy[T], plain: T) -> T: ...


def _plain(options: st.SearchStrategy[T], plain: T) -> T:
    return plain


#: The canonical value of every choice: scripted paths.
PLAIN: Choices = _plain


@attrs.frozen
class Drawn:
    """Choices drawn with Hypothesis; each shrinks towards its strategy's simplest value."""

    draw: st.DrawFn

    def __call__(self, options: st.SearchStrategy[T], plain: T) -> T:
        return self.draw(options)


#: (choices, facts, policy in force) → the event.
Maker = Callable[[Choices, Facts, Policy], ev.Event]

#: A pause before the next thing happens; shrinks towards "at once".
LATER = st.one_of(st.just(ZERO), st.integers(1, 59).map(lambda n: n * MINUTE),
                  st.integers(1, 23).map(lambda n: n * HOUR),
                  st.integers(1, 120).map(lambda n: n * DAY))
#: A short pause inside a visit.
SOON = st.one_of(st.just(ZERO), st.integers(1, 90).map(lambda n: n * MINUTE))
#: How far ahead of the booking a visit is (never before the earliest allowed time).
AHEAD = st.one_of(st.integers(0, 45).map(lambda n: n * DAY),
                  st.integers(1, 23).map(lambda n: n * HOUR))
_BOOL = st.booleans()
_ZONE = st.one_of(st.none(), time_zones())
_REASONS = reasons()
_REFERRAL_TIMES = aware_datetimes(dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
                                  dt.datetime(2035, 1, 1, tzinfo=dt.UTC))
#: Mostly the high pain that brings a referral; sometimes anything, even 0.
_BASELINES = st.one_of(st.integers(0, 3), st.integers(0, 10)).map(lambda n: BASELINE - n)
#: Pain after a treatment: often clearly relieved, otherwise anything.
_SCORES = st.one_of(st.integers(0, 2), st.integers(0, 10))
#: Pain at follow-up: clearly relieved, clearly not, or anything.
_FOLLOW_UP_SCORES = st.one_of(st.integers(0, 2), st.integers(7, 10), st.integers(0, 10))
_SIDES = st.sampled_from(((Side.LEFT,), (Side.RIGHT,), (Side.LEFT, Side.RIGHT)))

#: Per region: the joint every canonical block and neurotomy treats ("primary"),
#: one whose nerves do not overlap it ("other"), and one of another region ("foreign").
JOINT = {"primary": {Region.LUMBAR: "L4-L5", Region.CERVICAL: "C5-C6", Region.THORACIC: "T5-T6"},
         "other": {Region.LUMBAR: "L2-L3", Region.CERVICAL: "C3-C4", Region.THORACIC: "T9-T10"},
         "foreign": {Region.LUMBAR: "C5-C6", Region.CERVICAL: "L4-L5", Region.THORACIC: "L4-L5"}}


def target(region: Region, which: str = "primary", side: Side = Side.LEFT) -> ev.Target:
    return ev.Target(JOINT[which][region], side)


def joints_of(region: Region) -> list[str]:
    return [joint for joint, where in JOINTS.items() if where == region]


@functools.cache
def _fresh_targets(region: Region, cap: int | None) -> st.SearchStrategy[tuple[ev.Target, ...]]:
    """Up to three joints (never more than ``cap``), on one side or both."""
    joints = st.lists(st.sampled_from(joints_of(region)), min_size=1,
                      max_size=min(cap or 3, 3), unique=True)
    return st.tuples(joints, _SIDES).map(
        lambda js: tuple(ev.Target(joint, side) for joint in js[0] for side in js[1]))


def _subsets(items: tuple[ev.Target, ...]) -> st.SearchStrategy[tuple[ev.Target, ...]]:
    """Non-empty subsets, shrinking towards all of them."""
    drops = st.lists(_BOOL, min_size=len(items), max_size=len(items))
    return drops.map(lambda d: tuple(i for i, x in zip(items, d, strict=True) if not x)
                     or items[:1])


def _shown(c: Choices, moment: dt.datetime) -> dt.datetime:
    """The same instant, sometimes as another system would write it (another zone)."""
    zone = c(_ZONE, None)
    return moment if zone is None else moment.astimezone(zone)


def _last(f: Facts) -> dt.datetime:
    return f.last_at or T0


def _at(c: Choices, base: dt.datetime, pause: st.SearchStrategy[dt.timedelta],
        plain: dt.timedelta = ZERO) -> dt.datetime:
    return _shown(c, base + c(pause, plain))


def _fresh_id(f: Facts) -> str:
    number = len(f.visits) + 1
    while f"v{number}" in f.visits:
        number += 1
    return f"v{number}"


def _booked(f: Facts) -> tuple[ev.Target, ...]:
    """The open visit's targets (the primary joint when none is open)."""
    return f.open_visit.targets if f.open_visit is not None else (target(f.region),)


def _treatable(f: Facts, origin: str, p: Policy,
               pool: tuple[ev.Target, ...]) -> tuple[ev.Target, ...]:
    """The targets of ``pool`` a neurotomy booked from ``origin`` may treat (else all)."""
    allowed = f.treatable_nerves(origin, p.blocks_required)
    return tuple(t for t in pool if nerves_of((t,)) <= allowed) or pool


def lesion(target: ev.Target, p: Policy) -> ev.Lesion:
    """A lesion the policy accepts: 90 s at 85 °C, moved inside its limits."""
    seconds, heat = lesion_limits(p)
    return ev.Lesion(target, min(max(90.0, seconds[0]), seconds[1]),
                     None if heat is None else min(max(85.0, heat[0]), heat[1]),
                     **lesion_record(p))


@functools.cache
def _criteria(needed: int | None, care: bool) -> tuple[st.SearchStrategy[int | None],
                                                       st.SearchStrategy[bool | None]]:
    months = (st.one_of(st.none(), st.integers(0, 240)) if needed is None
              else st.integers(needed, 240))
    return months, st.just(True) if care else st.one_of(st.none(), _BOOL)


def covered(p: Policy, region: Region | str) -> Region:
    """``region`` as a `Region`; a `ValueError` if ``p`` covers only other regions.

    No referral there could ever be accepted, so no journey or path could start.
    """
    where = Region(region)
    if not p.covers(where):
        raise ValueError(f"{p.name} covers {', '.join(map(str, p.regions or ()))} only, "
                         f"not the {where} region")
    return where


def referral(c: Choices, p: Policy, region: Region | None) -> ev.Referred:
    """A referral that meets ``p``'s entry criteria, for ``region`` (any when None)."""
    months, care = _criteria(p.entry_min_pain_months, p.entry_requires_failed_conservative_care)
    covered = list(p.regions or Region)
    where = region if region is not None else c(st.sampled_from(covered), covered[0])
    # What the payer asks the referral to record (docs/payer-rules.md#entry).
    record = referral_record(p, where)
    record.update(pain_months=c(months, max(p.entry_min_pain_months or 0, 6)),
                  conservative_care_failed=c(care, True))
    return ev.Referred(
        at=c(_REFERRAL_TIMES, T0),
        pathway_id=c(st.sampled_from(("pw-1", "pw-2", "pw-x")), "path"),
        patient_id=c(st.sampled_from(("pt-1", "pt-2")), "patient"),
        region=where,
        **record,
    )


_PLAIN_REASON = {ev.Closed: "care completed", ev.PolicyChanged: "payer confirmed"}
#: Fields several event types carry, by name: how a maker fills each one it does
#: not set itself. A field an event type gains is drawn once it is listed here.
FIELDS: dict[str, Callable[[Choices, Facts, Policy, type[ev.Event]], Any]] = {
    # The open visit (a stray "v1" when none is open); bookings set a fresh one.
    "visit_id": lambda c, f, p, kind: f.open_visit.visit_id if f.open_visit else "v1",
    "escort_confirmed": lambda c, f, p, kind: c(_BOOL, True),
    "escort_present": lambda c, f, p, kind: True if p.escort_required else c(_BOOL, True),
    "reason": lambda c, f, p, kind: c(_REASONS, _PLAIN_REASON.get(kind, "patient request")),
    # How a procedure was done: what the policy accepts (facetcare.records).
    "guidance": lambda c, f, p, kind: _record(kind, p)["guidance"],
    "sedation": lambda c, f, p, kind: _record(kind, p)["sedation"],
    "agent": lambda c, f, p, kind: _record(kind, p)["agent"],
}


def _record(kind: type[ev.Event], p: Policy) -> dict[str, Any]:
    return block_record(p) if kind is ev.BlockPerformed else neurotomy_record(p)


def _event(kind: type[E], c: Choices, f: Facts, p: Policy, **given: Any) -> E:
    """``kind`` with ``given`` fields, the rest of `FIELDS` filled in (defaults otherwise)."""
    names = attrs.fields_dict(kind)
    for name, fill in FIELDS.items():  # in a fixed order: draws must replay
        if name in names and name not in given:
            given[name] = fill(c, f, p, kind)
    return kind(**given)


def _simply(kind: type[ev.Event], pause: st.SearchStrategy[dt.timedelta]) -> Maker:
    """A maker for an event that only needs a time (cancel, miss, close, withdraw)."""
    return lambda c, f, p: _event(kind, c, f, p, at=_at(c, _last(f), pause))


def _book_block(c: Choices, f: Facts, p: Policy) -> ev.Event:
    at = _at(c, _last(f), LATER)
    fresh = _fresh_targets(f.region, p.max_block_levels)
    # A confirmatory block repeats the targets; otherwise other nerves may be tried.
    again = st.one_of(st.just(f.block.targets), fresh) if f.block is not None else fresh
    visit_at = max(at + c(AHEAD, 7 * DAY), timing.earliest_block_visit(f, p))
    return _event(ev.BlockScheduled, c, f, p, at=at, visit_id=_fresh_id(f),
                  visit_at=_shown(c, visit_at), targets=c(again, (target(f.region),)))


def _book_neurotomy(c: Choices, f: Facts, p: Policy) -> ev.Event:
    at = _at(c, _last(f), LATER)
    repeat = f.state == Stage.RECURRENCE and f.neurotomy is not None
    pool = (f.neurotomy.targets if repeat and f.neurotomy is not None
            else f.block.targets if f.block is not None else ())
    # The last block's targets; after a negative block elsewhere, or for the other side
    # (staged care), the targets still confirmed (docs/payer-rules.md#results-per-target).
    allowed = f.treatable_nerves(f.state, p.blocks_required)
    if not any(nerves_of((t,)) <= allowed for t in pool):
        pool = confirmed_targets(f, p) or pool
    pool = _treatable(f, f.state, p, pool)
    earliest = timing.earliest_neurotomy_visit(f, p)
    visit_at = max(at + c(AHEAD, 7 * DAY), earliest)
    deadline = timing.reblock_deadline(f, p)
    if repeat and deadline is not None:
        visit_at = max(earliest, min(visit_at, deadline))
    targets = (c(_subsets(pool), pool) if pool
               else c(_fresh_targets(f.region, None), (target(f.region),)))
    return _event(ev.NeurotomyScheduled, c, f, p, at=at, visit_id=_fresh_id(f),
                  visit_at=_shown(c, visit_at), targets=targets)


def _check_in(c: Choices, f: Facts, p: Policy) -> ev.Event:
    visit_at = f.open_visit.visit_at if f.open_visit is not None else None
    on_time = visit_at is not None and c(_BOOL, True)
    base = max(_last(f), visit_at) if on_time and visit_at is not None else _last(f)
    return _event(ev.CheckedIn, c, f, p, at=_at(c, base, SOON))


def _perform_block(c: Choices, f: Facts, p: Policy) -> ev.Event:
    booked = _booked(f)
    return _event(ev.BlockPerformed, c, f, p, at=_at(c, _last(f), SOON, 20 * MINUTE),
                  targets=c(_subsets(booked), booked), baseline_pain=c(_BASELINES, BASELINE))


def _perform_neurotomy(c: Choices, f: Facts, p: Policy) -> ev.Event:
    origin = f.open_visit.origin if f.open_visit is not None else f.state
    treated = _treatable(f, origin, p, _booked(f))
    seconds, heat = lesion_values(p)
    burns = [burn for t in c(_subsets(treated), treated)
             for burn in c(st.lists(st.builds(ev.Lesion, st.just(t), seconds, heat,
                                              st.just(lesion_record(p)["modality"])),
                                    min_size=1, max_size=3), [lesion(t, p)])]
    return _event(ev.NeurotomyPerformed, c, f, p, at=_at(c, _last(f), SOON, 20 * MINUTE),
                  lesions=tuple(burns))


def _discharge(c: Choices, f: Facts, p: Policy) -> ev.Event:
    ready = max(_last(f), timing.discharge_ready_at(f, p) or _last(f))
    return _event(ev.Discharged, c, f, p, at=_at(c, ready, SOON))


def _diary(c: Choices, f: Facts, p: Policy) -> ev.Event:
    last = _last(f)
    start, end = timing.relief_window(f, p) or (last, last)
    minutes = int((end - start) / MINUTE)
    # By default one reading at 30 min and one when the assessment may conclude, so a
    # sustained relief measure can be met (docs/payer-rules.md#relief); drawn, either
    # such a kept diary or a few entries anywhere in the window.
    lasting = min(int(p.relief_window_min / MINUTE), minutes)
    kept = st.builds(lambda score: [(min(30, lasting), score), (lasting, score)],
                     st.integers(0, 2))
    marks = c(st.one_of(kept, st.lists(st.tuples(st.integers(0, minutes), _SCORES),
                                       min_size=1, max_size=4)),
              [(min(30, lasting), 0), (lasting, 0)])
    entries = tuple(ev.PainEntry(start + n * MINUTE, score) for n, score in marks)
    # Entries are judged by their own times; the diary may come in much later.
    at = max(_at(c, last, LATER), *(entry.at for entry in entries))
    return _event(ev.ReliefDiaryRecorded, c, f, p, at=at, entries=entries)


def _assess(c: Choices, f: Facts, p: Policy) -> ev.Event:
    opens = max(_last(f), timing.assessment_opens_at(f, p) or _last(f))
    return _event(ev.ReliefAssessed, c, f, p, at=_at(c, opens, SOON))


def _follow_up(c: Choices, f: Facts, p: Policy) -> ev.Event:
    base = _last(f)
    settled = timing.settling_ends_at(f, p)
    # Often once the settling period is over, when "no relief" becomes possible.
    if f.state == Stage.FOLLOW_UP and settled is not None and c(_BOOL, False):
        base = max(base, settled)
    return _event(ev.FollowUpRecorded, c, f, p, at=_at(c, base, LATER, 14 * DAY),
                  pain_score=c(_FOLLOW_UP_SCORES, 0))


def _pain_returned(c: Choices, f: Facts, p: Policy) -> ev.Event:
    base = _last(f)
    lasted = timing.repeat_relief_met_at(f, p)
    # Often just long enough for the policy's repeat rule, so repeats are reachable.
    if lasted is not None and c(_BOOL, True):
        base = max(base, lasted)
    return _event(ev.PainReturned, c, f, p, at=_at(c, base, LATER),
                  pain_score=c(st.integers(0, 10), 8))


_PROFILES = st.sampled_from(list(Policy.profiles().values()))


def _change_policy(c: Choices, f: Facts, p: Policy) -> ev.Event:
    """Plain: the policy restated; drawn: sometimes a payer change to a shipped profile."""
    return _event(ev.PolicyChanged, c, f, p, at=_at(c, _last(f), SOON),
                  policy=c(st.one_of(st.just(p), _PROFILES), p))


#: Per event type (the referral aside), how to aim one at a pathway.
MAKERS: dict[type[ev.Event], Maker] = {
    ev.BlockScheduled: _book_block,
    ev.NeurotomyScheduled: _book_neurotomy,
    ev.CheckedIn: _check_in,
    ev.BlockPerformed: _perform_block,
    ev.NeurotomyPerformed: _perform_neurotomy,
    ev.Discharged: _discharge,
    ev.ReliefDiaryRecorded: _diary,
    ev.ReliefAssessed: _assess,
    ev.FollowUpRecorded: _follow_up,
    ev.PainReturned: _pain_returned,
    ev.VisitCancelled: _simply(ev.VisitCancelled, SOON),
    ev.VisitMissed: _simply(ev.VisitMissed, SOON),
    ev.Closed: _simply(ev.Closed, LATER),
    ev.Withdrawn: _simply(ev.Withdrawn, LATER),
    ev.PolicyChanged: _change_policy,
}
