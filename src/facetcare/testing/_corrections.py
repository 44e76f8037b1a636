"""Corrections aimed at a pathway's log, valid and not (docs/corrections.md).

`corrections(pathway)` draws what a desk sends: a retraction, an amendment
that changes one detail, a late entry of an event that happened earlier;
and, often enough to test a system's refusals, one that names a ``seq``
that is not there, a replacement of the wrong type, or a late event the
history cannot hold. Whether a drawn correction is accepted is for the
pathway to say.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
from hypothesis import strategies as st

from facetcare import events as ev
from facetcare.pathway import Pathway

__all__ = ["corrections"]

_REASONS = st.sampled_from(["entered on the wrong row", "typing error", "arrived late",
                            "wrong patient", "clinician's correction"])
#: Integer details an amendment may change, by field name, with their range.
_DETAILS = {"baseline_pain": (0, 10), "pain_score": (0, 10)}


def _clinical(pathway: Pathway) -> list[int]:
    return [seq for seq, entry in enumerate(pathway.log)
            if not isinstance(entry, ev.EnteredInError | ev.Amended)]


def _tweaked(draw: st.DrawFn, event: ev.Event) -> ev.Event:
    """The same event with one detail changed (a score, a time, a flag)."""
    changes: dict[str, Any] = {}
    for name, (low, high) in _DETAILS.items():
        if hasattr(event, name):
            changes[name] = draw(st.integers(low, high), label=name)
    if not changes and hasattr(event, "escort_present"):
        changes["escort_present"] = not event.escort_present
    if not changes and hasattr(event, "visit_at"):
        changes["visit_at"] = event.visit_at + dt.timedelta(hours=draw(st.integers(-24, 72)))
    if not changes:
        changes["at"] = event.at + dt.timedelta(minutes=draw(st.integers(0, 90)))
    try:
        return attrs.evolve(event, **changes)
    except (TypeError, ValueError):
        return event


def corrections(pathway: Pathway, *, at: dt.datetime | None = None) -> st.SearchStrategy[ev.Event]:
    """Corrections of ``pathway``'s log, made at ``at`` (default: a day after its last event).

    Needs a pathway with at least its referral.
    """
    if not pathway.log:
        raise ValueError("corrections need a pathway with at least its Referred event")
    last = max(entry.at for entry in pathway.log)
    made = at if at is not None else last + dt.timedelta(days=1)
    clinical = _clinical(pathway)
    size = len(pathway.log)
    seqs = st.one_of(st.sampled_from(clinical), st.integers(0, size + 2))

    @st.composite
    def amended(draw: st.DrawFn) -> ev.Event:
        seq = draw(seqs, label="seq")
        # The replacement is made from a clinical entry, even when ``seq`` names a correction.
        target = pathway.log[seq if seq in clinical else clinical[-1]]
        if isinstance(target, ev.LateEntry):
            target = target.event
        if draw(st.booleans(), label="change one detail"):
            replacement = _tweaked(draw, target)
        else:  # another event of the log: often of another type
            other = pathway.log[draw(st.sampled_from(clinical), label="replacement from")]
            replacement = other.event if isinstance(other, ev.LateEntry) else other
        return ev.Amended(at=made, seq=seq, replacement=replacement, reason=draw(_REASONS))

    @st.composite
    def late(draw: st.DrawFn) -> ev.Event:
        source = pathway.log[draw(st.sampled_from(clinical), label="late copy of")]
        event = source.event if isinstance(source, ev.LateEntry) else source
        earlier = dt.timedelta(minutes=draw(st.integers(0, 600), label="minutes earlier"))
        try:
            moved = attrs.evolve(event, at=event.at - earlier, event_id=None)
        except (TypeError, ValueError):
            moved = event
        return ev.LateEntry(at=made, event=moved, reason=draw(_REASONS))

    retracted = st.builds(ev.EnteredInError, at=st.just(made), seq=seqs, reason=_REASONS)
    return st.one_of(retracted, amended(), late())
