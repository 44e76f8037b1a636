"""Bookings, cancellations and no-shows → Appointment.

One Appointment per visit: ``booked`` when scheduled, ``arrived`` after
check-in, ``fulfilled`` after discharge, ``cancelled`` or ``noshow``. It is
``basedOn`` the referral's ServiceRequest; ``minutesDuration`` is the upper
end of `facetcare.estimate_slot` for the procedure (room plus recovery), and
``end`` is ``start`` plus that. The booked targets and whether a driver was
confirmed have no FHIR field: facetcare extensions carry them.
"""

from __future__ import annotations

import datetime as dt
import math

from facetcare import events as ev
from facetcare.errors import SerializationError
from facetcare.fhir import _codes as c
from facetcare.fhir._codes import Release
from facetcare.fhir._common import (
    Context,
    EventRef,
    Json,
    Node,
    concept,
    event_ext,
    ext,
    read_target,
    ref,
    resource_id,
    target_concept,
    when,
)
from facetcare.fhir._visits import Visit
from facetcare.policy import Policy
from facetcare.scheduling import estimate_slot


def appointment_id(pathway_id: str, visit: Visit) -> str:
    return resource_id(pathway_id, visit.seq, "Appointment")


def slot_minutes(booking: ev.BlockScheduled | ev.NeurotomyScheduled, policy: Policy) -> int:
    """The longest the visit is expected to take: procedure plus recovery, in whole minutes."""
    if isinstance(booking, ev.BlockScheduled):
        slot = estimate_slot("block", policy=policy)
    else:
        nerves = {nerve for target in booking.targets for nerve in target.nerves}
        slot = estimate_slot("neurotomy", nerves=len(nerves), policy=policy)
    return math.ceil(slot.total[1] / dt.timedelta(minutes=1))


def _status(visit: Visit) -> str:
    if visit.cancelled is not None:
        return "cancelled"
    if visit.missed is not None:
        return "noshow"
    if visit.discharge is not None:
        return "fulfilled"
    if visit.check_in is not None:
        return "arrived"
    return "booked"


def procedure_kind(booking: ev.Event) -> str:
    return ("medial-branch-block" if isinstance(booking, ev.BlockScheduled | ev.BlockPerformed)
            else "radiofrequency-neurotomy")


def appointment(ctx: Context, visit: Visit, policy: Policy) -> Json:
    """The visit's Appointment; ``policy`` is the one in force at booking (for the slot)."""
    release = ctx.release
    booking = visit.booking
    minutes = slot_minutes(booking, policy)
    extensions: list[Json] = [event_ext(visit.seq, booking)]
    if visit.cancelled is not None:
        seq, cancel = visit.cancelled
        extensions.append(event_ext(seq, cancel, cancel.at if release == "R4B" else None))
    if visit.missed is not None:
        seq, missed = visit.missed
        extensions.append(event_ext(seq, missed, missed.at))
    extensions += [ext(c.EXT_TARGET, valueCodeableConcept=target_concept(t, release))
                   for t in booking.targets]
    extensions.append(ext(c.EXT_ESCORT_CONFIRMED, valueBoolean=booking.escort_confirmed))
    kind = procedure_kind(booking)
    service = concept(c.PROCEDURE, kind, c.PROCEDURE_CODES[kind])
    out: Json = {
        "resourceType": "Appointment",
        "id": appointment_id(ctx.pathway_id, visit),
        "extension": extensions,
        "identifier": [{"system": c.SID_VISIT, "value": visit.visit_id}],
        "status": _status(visit),
    }
    if visit.cancelled is not None:
        reason = {"text": visit.cancelled[1].reason}
        if release == "R4B":
            out["cancelationReason"] = reason
        else:
            out["cancellationReason"] = reason
            out["cancellationDate"] = when(visit.cancelled[1].at)
    out.update({
        "serviceType": [service if release == "R4B" else {"concept": service}],
        "start": when(booking.visit_at),
        "end": when(booking.visit_at + dt.timedelta(minutes=minutes)),
        "minutesDuration": minutes,
        "created": when(booking.at),
        "basedOn": [ref("ServiceRequest", ctx.request_id)],
        "participant": [{"actor": ctx.subject, "status": "accepted"}],
    })
    return out


# -- reading --------------------------------------------------------------------------


def visit_id_of(node: Node) -> str:
    for item in node.nodes("identifier"):
        if item.data.get("system") == c.SID_VISIT:
            return item.text("value")
    raise SerializationError(f"{node.where}.identifier: no facetcare visit id")


def read(node: Node, event: EventRef, release: Release) -> ev.Event:
    """The booking, cancellation or no-show that ``event`` names on this Appointment."""
    visit_id = visit_id_of(node)
    if event.kind in {"BlockScheduled", "NeurotomyScheduled"}:
        kind = ev.BlockScheduled if event.kind == "BlockScheduled" else ev.NeurotomyScheduled
        escort = node.extension(c.EXT_ESCORT_CONFIRMED)
        assert escort is not None
        return kind(
            at=node.time("created"),
            visit_id=visit_id,
            visit_at=node.time("start"),
            targets=tuple(read_target(item.node("valueCodeableConcept"), release)
                          for item in node.extensions(c.EXT_TARGET)),
            escort_confirmed=escort.typed("valueBoolean", bool),
        )
    if event.kind == "VisitCancelled":
        field = "cancelationReason" if release == "R4B" else "cancellationReason"
        at = event.time() if release == "R4B" else node.time("cancellationDate")
        return ev.VisitCancelled(at=at, visit_id=visit_id, reason=node.node(field).text("text"))
    if event.kind == "VisitMissed":
        return ev.VisitMissed(at=event.time(), visit_id=visit_id)
    raise SerializationError(f"{event.node.where}: an Appointment does not record {event.kind}")
