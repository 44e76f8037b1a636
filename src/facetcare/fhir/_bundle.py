"""`to_bundle`: a pathway as a FHIR transaction Bundle (R4B or R5).

Every entry is a ``PUT`` of a resource whose id is derived from the pathway
id and the event's position in the log, so the same pathway gives a
byte-identical bundle and posting it twice changes nothing on a server.
Entries follow the effective history: the referral (ServiceRequest,
CarePlan), then per event the resource it opens (Appointment, Encounter,
Procedure and its baseline, Observations), then the resources of
retracted events and the Provenance of each correction, then the open Tasks.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from facetcare import corrections
from facetcare import events as ev
from facetcare.coding import BilateralStyle
from facetcare.errors import SerializationError
from facetcare.fhir import (
    _appointment,
    _corrections,
    _encounter,
    _observation,
    _procedure,
    _request,
    _task,
)
from facetcare.fhir import _codes as c
from facetcare.fhir._codes import RELEASES, Release
from facetcare.fhir._common import Context, Json, coding
from facetcare.fhir._provenance import effective
from facetcare.fhir._validate import check_bundle
from facetcare.fhir._visits import visits
from facetcare.machine import Stage
from facetcare.pathway import Pathway
from facetcare.policy import Policy


def _entry(resource: Json) -> Json:
    kind, ident = resource["resourceType"], resource["id"]
    return {"fullUrl": f"urn:uuid:{ident}", "resource": resource,
            "request": {"method": "PUT", "url": f"{kind}/{ident}"}}


def _stages(history: Sequence[corrections.Entry], policy: Policy) -> dict[int, Stage]:
    """The stage after each effective event (a relief assessment's result is where it leads)."""
    again = Pathway(policy=policy)
    return {seq: again.apply(event) for seq, event in history}


def _event_resources(history: Sequence[corrections.Entry], ctx: Context,
                     bilateral: BilateralStyle) -> list[Json]:
    """Per effective event, in order, the resources it opens; each shows its visit's later
    events too."""
    pathway_id = ctx.pathway_id
    stages = _stages(history, ctx.policy)
    resources: list[Json] = []
    by_visit = visits(history)
    appointment_ids = {v.visit_id: _appointment.appointment_id(pathway_id, v)
                       for v in by_visit.values()}
    in_force = ctx.policy
    last_block: str | None = None
    last_neurotomy: str | None = None
    for seq, event in history:
        if isinstance(event, ev.BlockScheduled | ev.NeurotomyScheduled):
            visit = by_visit[event.visit_id]
            resources.append(_appointment.appointment(ctx, visit, in_force))
        elif isinstance(event, ev.CheckedIn):
            visit = by_visit[event.visit_id]
            encounter = _encounter.encounter(ctx, visit, appointment_ids[visit.visit_id])
            if encounter is not None:
                resources.append(encounter)
        elif isinstance(event, ev.BlockPerformed | ev.NeurotomyPerformed):
            visit = by_visit[event.visit_id]
            proc_id = _procedure.procedure_id(pathway_id, seq)
            resources.append(_procedure.procedure(
                ctx, seq, event, _encounter.encounter_id(pathway_id, visit), style=bilateral))
            if isinstance(event, ev.BlockPerformed):
                last_block = proc_id
                resources.append(_observation.baseline(ctx, seq, event, proc_id))
            else:
                last_neurotomy = proc_id
        elif isinstance(event, ev.ReliefDiaryRecorded):
            resources += _observation.diary(ctx, seq, event, last_block)
        elif isinstance(event, ev.ReliefAssessed):
            resources.append(_observation.assessment(
                ctx, seq, event, last_block, positive=stages[seq] is Stage.BLOCK_POSITIVE))
        elif isinstance(event, ev.FollowUpRecorded | ev.PainReturned):
            resources.append(_observation.pain_report(ctx, seq, event, last_neurotomy))
        elif isinstance(event, ev.PolicyChanged):
            in_force = event.policy  # the slot lengths of later bookings use it
        # Discharged, VisitCancelled, VisitMissed, Closed and Withdrawn change a
        # resource already written (Encounter, Appointment, CarePlan).
    return resources


def to_bundle(pw: Pathway, *, release: Release = "R4B",
              bilateral: BilateralStyle = BilateralStyle.MODIFIER_50,
              validate: bool = True) -> dict[str, Any]:
    """``pw`` as a JSON-ready transaction Bundle for ``release`` ("R4B" or "R5").

    ``bilateral`` chooses how both sides of a level are billed (one line
    with modifier 50, or RT and LT lines). With ``validate`` (the default)
    every resource is parsed by fhir.resources for the release and its
    status and required-binding codes are checked; a failure is a
    `SerializationError` naming the resource and field.
    """
    if not isinstance(pw, Pathway):
        raise TypeError(f"expected a facetcare.Pathway, got {type(pw).__name__}")
    if release not in RELEASES:
        raise ValueError(f"release must be one of {RELEASES}, got {release!r}")
    log = pw.log
    if not log:
        raise SerializationError("an empty pathway has no FHIR form: apply Referred first")
    history = effective(log)
    referral = history[0][1]
    assert isinstance(referral, ev.Referred)
    pathway_id, patient_id = referral.pathway_id, referral.patient_id
    closing_seq, closing = next(((seq, e) for seq, e in history
                                 if isinstance(e, ev.Closed | ev.Withdrawn)), (None, None))
    assert closing is None or isinstance(closing, ev.Closed | ev.Withdrawn)
    changes = [(seq, e) for seq, e in history if isinstance(e, ev.PolicyChanged)]
    request_id, plan_id = _request.ids(pathway_id)
    ctx = Context(pathway_id, patient_id, release, pw.policy, request_id, plan_id)
    resources: list[Json] = [
        _request.service_request(referral, closing, release),
        _request.care_plan(referral, closing, closing_seq, pw.policy.name, changes),
    ]
    resources += _event_resources(history, ctx, bilateral)
    resources += _corrections.correction_resources(ctx, log, history, resources)
    last = log[-1]
    appointment_ids = {v.visit_id: _appointment.appointment_id(pathway_id, v)
                       for v in visits(history).values()}
    resources += _task.tasks(ctx, len(log) - 1, last.at, pw.due(last.at), appointment_ids)
    bundle: dict[str, Any] = {
        "resourceType": "Bundle",
        "meta": {"tag": [coding(c.RELEASE_TAG, release)]},
        "type": "transaction",
        "entry": [_entry(resource) for resource in resources],
    }
    if validate:
        check_bundle(bundle, release)
    return bundle
