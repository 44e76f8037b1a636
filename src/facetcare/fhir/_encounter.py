"""Check-in and discharge → an Encounter (and the Appointment's arrival).

The statuses differ by release, as each defines them: R4B ``arrived`` →
``finished``, R5 ``in-progress`` → ``completed``; a visit aborted after
check-in is ``cancelled`` in both. The period (R4B ``period``, R5
``actualPeriod``) runs from check-in to discharge or cancellation. Whether
a driver was there at check-in and at discharge are facetcare extensions.
"""

from __future__ import annotations

from typing import Any

from facetcare import events as ev
from facetcare.errors import SerializationError
from facetcare.fhir import _codes as c
from facetcare.fhir._codes import Release
from facetcare.fhir._common import (
    Context,
    EventRef,
    Json,
    Node,
    coding,
    event_ext,
    ext,
    ref,
    resource_id,
    when,
)
from facetcare.fhir._visits import Visit

_STATUS: dict[Release, dict[str, str]] = {
    "R4B": {"open": "arrived", "done": "finished", "cancelled": "cancelled"},
    "R5": {"open": "in-progress", "done": "completed", "cancelled": "cancelled"},
}


def encounter_id(pathway_id: str, visit: Visit) -> str | None:
    if visit.check_in is None:
        return None
    return resource_id(pathway_id, visit.check_in[0], "Encounter")


def period_field(release: Release) -> str:
    return "period" if release == "R4B" else "actualPeriod"


def encounter(ctx: Context, visit: Visit, appointment_id: str) -> Json | None:
    """The Encounter of a visit the patient checked in to; None before check-in."""
    release = ctx.release
    ident = encounter_id(ctx.pathway_id, visit)
    if visit.check_in is None or ident is None:
        return None
    seq, check_in = visit.check_in
    extensions = [event_ext(seq, check_in),
                  ext(c.EXT_ESCORT_AT_CHECK_IN, valueBoolean=check_in.escort_present)]
    period: dict[str, Any] = {"start": when(check_in.at)}
    state = "open"
    if visit.discharge is not None:
        seq, discharge = visit.discharge
        extensions += [event_ext(seq, discharge),
                       ext(c.EXT_ESCORT_AT_DISCHARGE, valueBoolean=discharge.escort_present)]
        period["end"] = when(discharge.at)
        state = "done"
    elif visit.cancelled is not None:
        period["end"] = when(visit.cancelled[1].at)  # the cancellation is on the Appointment
        state = "cancelled"
    amb = coding(c.V3_ACT_CODE, *c.ENCOUNTER_AMBULATORY)
    return {
        "resourceType": "Encounter",
        "id": ident,
        "extension": extensions,
        "identifier": [{"system": c.SID_VISIT, "value": visit.visit_id}],
        "status": _STATUS[release][state],
        "class": amb if release == "R4B" else [{"coding": [amb]}],
        "subject": ctx.subject,
        "basedOn": [ref("ServiceRequest", ctx.request_id)],
        "appointment": [ref("Appointment", appointment_id)],
        period_field(release): period,
    }


# -- reading --------------------------------------------------------------------------


def read(node: Node, event: EventRef, release: Release, visit_id: str) -> ev.Event:
    period = node.node(period_field(release))
    if event.kind == "CheckedIn":
        escort = node.extension(c.EXT_ESCORT_AT_CHECK_IN)
        assert escort is not None
        return ev.CheckedIn(at=period.time("start"), visit_id=visit_id,
                            escort_present=escort.typed("valueBoolean", bool))
    if event.kind == "Discharged":
        escort = node.extension(c.EXT_ESCORT_AT_DISCHARGE)
        assert escort is not None
        return ev.Discharged(at=period.time("end"), visit_id=visit_id,
                             escort_present=escort.typed("valueBoolean", bool))
    raise SerializationError(f"{event.node.where}: an Encounter does not record {event.kind}")
