"""Corrections without rewriting history: the log, the effective history, and the audit.

The log is every accepted event, corrections included, append-only; an
entry's ``seq`` is its index and never changes. The *effective history* is
the log with its corrections applied (docs/corrections.md):

- an ordinary event is appended at the end;
- `LateEntry` puts its event after the last effective event at or before
  that event's clinical time;
- `Amended` puts its replacement where the amended event stood;
- `EnteredInError` takes the event out.

A correction is accepted only if the whole effective history it leads to
passes every rule again (the pathway replays it); otherwise it is refused
with ``correction_conflict``, naming the first event that would be refused.
This module computes the effective history and the audit trail; the
`Pathway` judges it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import attrs

from facetcare import events as ev
from facetcare.codes import AMEND_TYPE_MISMATCH, CORRECTION_CONFLICT, UNKNOWN_EVENT
from facetcare.errors import Reason
from facetcare.scheduling import Task

__all__ = ["AuditEntry", "Entry", "Impact", "Refusal", "audit", "conflict", "corrected"]

#: One effective event and the ``seq`` of the log entry it comes from.
Entry = tuple[int, ev.Event]


def _current(history: Sequence[Entry], seq: int) -> int | None:
    """Where in the effective history the event logged at ``seq`` now stands."""
    for index, (origin, _) in enumerate(history):
        if origin == seq:
            return index
    return None


def _unknown(correction: ev.EnteredInError | ev.Amended, log: Sequence[ev.Event],
             why: str) -> Reason:
    return Reason(UNKNOWN_EVENT, f"{correction.kind}: seq {correction.seq} {why} "
                                 f"(the log has {len(log)} entries, 0 to {len(log) - 1})")


def corrected(log: Sequence[ev.Event], history: Sequence[Entry], correction: ev.Correction,
              seq: int) -> tuple[list[Entry], Reason | None]:
    """The effective history after ``correction`` (to be logged at ``seq``), or why not.

    Only the correction's own shape is judged here (does its ``seq`` name an
    effective clinical event, is the replacement of the same type); whether
    the resulting history passes the rules is for the pathway to replay.
    """
    after = list(history)
    if isinstance(correction, ev.LateEntry):
        event = correction.event
        place = len(after)
        while place > 0 and after[place - 1][1].at > event.at:
            place -= 1
        after.insert(place, (seq, event))
        return after, None
    assert isinstance(correction, ev.EnteredInError | ev.Amended)
    target = correction.seq
    if target >= len(log):
        return after, _unknown(correction, log, "is not in the log")
    if isinstance(log[target], ev.EnteredInError | ev.Amended):
        return after, _unknown(correction, log, f"is a correction ({log[target].kind}), "
                                                "not a clinical event")
    index = _current(after, target)
    if index is None:
        return after, _unknown(correction, log, "was already entered in error")
    if isinstance(correction, ev.EnteredInError):
        del after[index]
        return after, None
    standing = after[index][1]
    if type(correction.replacement) is not type(standing):
        return after, Reason(
            AMEND_TYPE_MISMATCH,
            f"Amended: seq {target} is a {standing.kind}; its replacement is a "
            f"{correction.replacement.kind}",
        )
    moved = _identity_changes(standing, correction.replacement)
    if moved:
        return after, Reason(
            AMEND_TYPE_MISMATCH,
            f"Amended: the replacement Referred changes the pathway's {moved}; a pathway "
            "keeps its identity (withdraw it and refer the patient on a new pathway)",
        )
    after[index] = (target, correction.replacement)
    return after, None


#: What identifies a pathway: its referral's ids and region, which stores and exports key on.
IDENTITY = ("pathway_id", "patient_id", "region")


def _identity_changes(standing: ev.Event, replacement: ev.Event) -> str:
    """The identity fields an amended `Referred` would change, as text ("" if none)."""
    if not isinstance(standing, ev.Referred) or not isinstance(replacement, ev.Referred):
        return ""
    return ", ".join(f"{name} ({getattr(standing, name)!s} → {getattr(replacement, name)!s})"
                     for name in IDENTITY
                     if getattr(standing, name) != getattr(replacement, name))


def conflict(event: ev.Event, position: int, reasons: Sequence[Reason]) -> Reason:
    """``correction_conflict``, naming the first event the corrected history refuses."""
    codes = ", ".join(r.code for r in reasons)
    details = "; ".join(r.message for r in reasons)
    return Reason(
        CORRECTION_CONFLICT,
        f"after this correction, {event.kind} at {event.at.isoformat(timespec='minutes')} "
        f"(effective event {position}) would be refused [{codes}]: {details}",
    )


@attrs.frozen
class Refusal:
    """A later event a correction would make the rules refuse, and why."""

    event: ev.Event
    reasons: tuple[Reason, ...]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(r.code for r in self.reasons)


@attrs.frozen
class Impact:
    """What a correction would do, shown before the clerk confirms it.

    ``stage_after`` and the tasks are those of the corrected history with
    the refused events left out; the correction itself is accepted only if
    ``refused`` is empty (and ``reasons``, the correction's own, too).
    """

    stage_before: str
    stage_after: str | None
    tasks_added: tuple[Task, ...]
    tasks_removed: tuple[Task, ...]
    refused: tuple[Refusal, ...]
    reasons: tuple[Reason, ...] = ()

    @property
    def allowed(self) -> bool:
        return not self.refused and not self.reasons


@attrs.frozen
class AuditEntry:
    """One log entry, as an audit trail shows it.

    ``status`` is ``"effective"``, ``"amended"`` (replaced by a later
    amendment), ``"retracted"`` (entered in error; it stays in the log) or
    ``"correction"`` (an amendment or a retraction). A `LateEntry` is a
    clinical event that came late: its status is that of its event.
    ``corrects`` is the ``seq`` a correction acts on;
    ``corrected_by`` the seqs of the corrections that acted on this entry.
    """

    seq: int
    event: ev.Event
    status: str
    recorded_at: dt.datetime | None
    recorded_by: str | None
    corrects: int | None = None
    corrected_by: tuple[int, ...] = ()
    reason: str | None = None


def audit(log: Sequence[ev.Event]) -> tuple[AuditEntry, ...]:
    """Every log entry with who recorded it and when, what it corrected and why."""
    acted_on: dict[int, list[int]] = {}
    status: dict[int, str] = {}
    for seq, entry in enumerate(log):
        if isinstance(entry, ev.EnteredInError | ev.Amended):
            acted_on.setdefault(entry.seq, []).append(seq)
            if isinstance(entry, ev.EnteredInError):
                status[entry.seq] = "retracted"
            elif status.get(entry.seq) != "retracted":
                status[entry.seq] = "amended"
    rows = []
    for seq, entry in enumerate(log):
        by = tuple(acted_on.get(seq, ()))
        if isinstance(entry, ev.EnteredInError | ev.Amended):
            rows.append(AuditEntry(seq, entry, "correction", entry.recorded_at, entry.recorded_by,
                                   entry.seq, by, entry.reason))
        else:
            reason = entry.reason if isinstance(entry, ev.LateEntry) else None
            rows.append(AuditEntry(seq, entry, status.get(seq, "effective"), entry.recorded_at,
                                   entry.recorded_by, None, by, reason))
    return tuple(rows)
