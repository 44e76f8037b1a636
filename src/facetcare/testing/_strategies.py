"""Hypothesis strategies for facetcare's values and for arbitrary events.

Arbitrary events are what an integration will actually send: right or wrong
for the stage, with visit ids that may not exist, times out of order and in
whatever time zone the sending system uses. Only construction-time validity
is guaranteed (aware times, scores 0–10, known joints), because a value the
event types refuse never reaches a pathway.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import zoneinfo
from collections.abc import Sequence
from typing import Any

import attrs
from hypothesis import strategies as st

from facetcare import _validate
from facetcare import events as ev
from facetcare._validate import nothing_visible, refused_char
from facetcare.anatomy import JOINTS, Region, Side
from facetcare.policy import Policy

__all__ = ["EARLIEST", "LATEST", "any_referrals", "aware_datetimes", "events", "lesion_limits",
           "lesions",
           "pain_entries", "reasons", "target_sets", "targets", "time_zones"]

#: Default bounds of generated times: wide enough for decades of care, far
#: enough from `datetime.min`/`max` that policy durations never overflow.
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)

# Offsets a clinic system may really send: whole hours, half and quarter
# hours, and the extremes of the range in use.
_OFFSET_MINUTES = (0, 60, -300, 330, 345, -570, 840, -720, 525)
# Zones with daylight-saving jumps (including a 30-minute one) and a date-line move.
_ZONE_NAMES = ("Europe/London", "America/New_York", "Australia/Lord_Howe", "Pacific/Apia",
               "Asia/Kathmandu")


def _available_zones() -> list[dt.tzinfo]:
    found: list[dt.tzinfo] = [dt.UTC]
    found += [dt.timezone(dt.timedelta(minutes=m)) for m in _OFFSET_MINUTES if m]
    for name in _ZONE_NAMES:
        try:
            found.append(zoneinfo.ZoneInfo(name))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            continue  # no time-zone database here: fixed offsets still vary
    return found


_ZONES = _available_zones()


def time_zones() -> st.SearchStrategy[dt.tzinfo]:
    """UTC, unusual fixed offsets (+05:45, −09:30, +14:00) and zones that change offset."""
    return st.sampled_from(_ZONES)


def aware_datetimes(
    min_value: dt.datetime | None = None,
    max_value: dt.datetime | None = None,
    *,
    timezones: st.SearchStrategy[dt.tzinfo] | None = None,
) -> st.SearchStrategy[dt.datetime]:
    """Timezone-aware datetimes between two aware bounds (inclusive).

    Local times near daylight-saving changes, including ones a clock skips or
    repeats, are drawn on purpose: they are where wall-clock arithmetic and
    elapsed-time arithmetic disagree.
    """
    low = EARLIEST if min_value is None else min_value
    high = LATEST if max_value is None else max_value
    for name, bound in (("min_value", low), ("max_value", high)):
        if bound.tzinfo is None or bound.utcoffset() is None:
            raise ValueError(f"{name} must be timezone-aware")
    if low > high:
        raise ValueError("min_value must not be later than max_value")
    # Local wall times are drawn around the UTC range, then kept inside it.
    margin = dt.timedelta(days=1)
    naive_low = max(low.astimezone(dt.UTC).replace(tzinfo=None) - margin, dt.datetime.min)
    naive_high = min(high.astimezone(dt.UTC).replace(tzinfo=None) + margin, dt.datetime.max)
    zones = time_zones() if timezones is None else timezones
    drawn = st.datetimes(naive_low, naive_high, timezones=zones, allow_imaginary=True)
    return drawn.filter(lambda moment: low <= moment <= high)


def _event_times(low: dt.datetime | None,
                 high: dt.datetime | None) -> st.SearchStrategy[dt.datetime]:
    """`aware_datetimes` for the times of events: bounds inside the calendar events accept.

    Said when the strategy is made, not as a `ValueError` from the first event drawn.
    """
    for name, bound in (("min_value", low), ("max_value", high)):
        if bound is not None and bound.utcoffset() is not None and not (
                _validate.EARLIEST <= bound <= _validate.LATEST):
            raise ValueError(f"{name} {bound.isoformat()} is outside the calendar events accept "
                             f"({_validate.EARLIEST.date()} to {_validate.LATEST.date()})")
    return aware_datetimes(low, high)


def targets(region: Region | str | None = None) -> st.SearchStrategy[ev.Target]:
    """Facet joints on one side, of ``region`` (any region when None)."""
    joints = sorted(j for j, where in JOINTS.items() if region is None or where == Region(region))
    return st.builds(ev.Target, st.sampled_from(joints), st.sampled_from(list(Side)))


def target_sets(
    region: Region | str | None = None, *, max_size: int = 4
) -> st.SearchStrategy[tuple[ev.Target, ...]]:
    """Non-empty tuples of distinct targets, as bookings and blocks carry them."""
    return st.lists(targets(region), min_size=1, max_size=max_size, unique=True).map(tuple)


def pain_entries(
    min_value: dt.datetime | None = None,
    max_value: dt.datetime | None = None,
    *,
    scores: st.SearchStrategy[int] | None = None,
) -> st.SearchStrategy[ev.PainEntry]:
    """Diary lines (NRS 0–10) at times between the bounds."""
    return st.builds(ev.PainEntry, _event_times(min_value, max_value),
                     st.integers(0, 10) if scores is None else scores)


def lesion_limits(policy: Policy) -> tuple[tuple[float, float], tuple[float, float] | None]:
    """The lesion durations and temperatures ``policy`` accepts, as closed ranges.

    A strict minimum temperature ("more than") starts half a degree above it;
    None: no temperature rule (any, or none recorded).
    """
    low, high = policy.lesion_min_seconds, policy.lesion_max_seconds
    lowest = 30.0 if low is None else float(low)
    seconds = (lowest, max(lowest, 150.0 if high is None else float(high)))
    cold, hot = policy.lesion_min_temperature_c, policy.lesion_max_temperature_c
    if cold is None and hot is None:
        return seconds, None
    coolest = (60.0 if cold is None else float(cold)) + (
        0.5 if cold is not None and policy.lesion_temperature_strict else 0)
    return seconds, (coolest, max(coolest, 95.0 if hot is None else float(hot)))


def lesions(
    targets_from: Sequence[ev.Target] | st.SearchStrategy[ev.Target] | None = None,
    *,
    policy: Policy | None = None,
) -> st.SearchStrategy[ev.Lesion]:
    """Radiofrequency lesions; with a ``policy``, ones its duration and temperature rules accept.

    Without a policy, durations from 1 s to 200 s and temperatures from
    20 °C to 110 °C or unrecorded, so every lesion rule can refuse.
    """
    if targets_from is None:
        where: st.SearchStrategy[ev.Target] = targets()
    elif isinstance(targets_from, st.SearchStrategy):
        where = targets_from
    else:
        where = st.sampled_from(list(targets_from))
    seconds, heat = lesion_values(policy)
    return st.builds(ev.Lesion, where, seconds, heat)


@functools.cache
def lesion_values(
    policy: Policy | None,
) -> tuple[st.SearchStrategy[float], st.SearchStrategy[float | None]]:
    """Durations and temperatures: within ``policy``'s rules, or anything when None."""
    if policy is None:
        return (st.integers(2, 400).map(lambda h: h / 2),
                st.one_of(st.none(), st.integers(200, 1100).map(lambda t: t / 10)))
    (shortest, longest), heat = lesion_limits(policy)
    seconds = st.integers(math.ceil(shortest * 2), math.floor(longest * 2)).map(lambda h: h / 2)
    if heat is None:
        return seconds, st.one_of(st.none(), st.integers(60, 95).map(float))
    tenths = st.integers(math.ceil(heat[0] * 10), math.floor(heat[1] * 10))
    return seconds, tenths.map(lambda t: t / 10)


def _shown(text: str) -> str:
    """``text`` with every character an identifier may not hold made ``"x"``.

    By the core's own rule (`facetcare._validate.refused_char`), and with an
    ``"x"`` added when a screen would show nothing of it. A map, not a
    filter, so the strategy draws the same examples it always did.
    """
    kept = "".join("x" if refused_char(char) else char for char in text)
    return kept + "x" if nothing_visible(kept) else kept


def _text(max_size: int) -> st.SearchStrategy[str]:
    """Any non-blank text an identifier or a reason may hold."""
    text = st.text(st.characters(codec="utf-8"), min_size=1, max_size=max_size)
    return text.filter(lambda s: bool(s.strip())).map(_shown)


def reasons() -> st.SearchStrategy[str]:
    """Free-text reasons (cancellation, closure): usual phrases and any non-blank text."""
    usual = st.sampled_from(["patient request", "unwell", "transport", "care completed"])
    return st.one_of(usual, _text(20))


def _ids(prefix: str) -> st.SearchStrategy[str]:
    return st.one_of(st.integers(1, 3).map(lambda n: f"{prefix}{n}"), _text(8))


@st.composite
def _diary(draw: st.DrawFn, times: st.SearchStrategy[dt.datetime]) -> ev.ReliefDiaryRecorded:
    at = draw(times)
    # Entries may not be later than the diary itself; anything earlier is fair game.
    earliest = max(at - dt.timedelta(days=2), EARLIEST)
    entries = draw(st.lists(pain_entries(earliest, at), min_size=1, max_size=4))
    return ev.ReliefDiaryRecorded(at=at, entries=entries)


def any_referrals(
    region: Region | str | None = None, *, times: st.SearchStrategy[dt.datetime] | None = None
) -> st.SearchStrategy[ev.Referred]:
    """Referrals with any (or unknown) pain duration and conservative-care history."""
    regions = st.sampled_from(list(Region)) if region is None else st.just(Region(region))
    return st.builds(ev.Referred, at=aware_datetimes() if times is None else times,
                     pathway_id=_ids("pw-"), patient_id=_ids("pt-"), region=regions,
                     pain_months=st.one_of(st.none(), st.integers(0, 240)),
                     conservative_care_failed=st.one_of(st.none(), st.booleans()))


def events(
    region: Region | str | None = None,
    *,
    visit_ids: Sequence[str] | None = None,
    min_value: dt.datetime | None = None,
    max_value: dt.datetime | None = None,
) -> st.SearchStrategy[ev.Event]:
    """Arbitrary events of every type, valid for a pathway or not.

    Visit ids are mostly drawn from ``visit_ids`` (default ``v1``–``v3``, the
    ids `journeys` books), so some match an open visit and some do not;
    targets may lie outside ``region``.
    """
    at = _event_times(min_value, max_value)
    for visit_id in visit_ids or ():  # refused now, not by the first event drawn
        _validate.identifier_named("visit_ids", visit_id)
    places = target_sets(None) if region is None else st.one_of(target_sets(region),
                                                                target_sets(None))
    flag, score, why = st.booleans(), st.integers(0, 10), reasons()
    # Every field, by name: a field an event type gains is drawn where its name is listed.
    fields: dict[str, st.SearchStrategy[Any]] = {
        "at": at, "visit_at": at, "targets": places, "escort_confirmed": flag,
        "escort_present": flag, "baseline_pain": score, "pain_score": score, "reason": why,
        "visit_id": st.sampled_from(list(visit_ids)) if visit_ids else _ids("v"),
        "lesions": st.lists(lesions(targets(region)), min_size=1, max_size=4),
        "policy": st.sampled_from(list(Policy.profiles().values())),
    }
    special = {ev.Referred: any_referrals(region, times=at), ev.ReliefDiaryRecorded: _diary(at)}
    return st.one_of([special[kind] if kind in special else st.builds(kind, **{
        f.name: fields[f.name] for f in attrs.fields(kind) if f.name in fields})
        for kind in ev.EVENT_TYPES])
