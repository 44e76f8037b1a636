"""What corrections add to a bundle: statuses, retracted resources and their Provenance.

- An Observation whose event was amended has status ``amended`` (its fields
  are the replacement's: it is written from the effective history).
- A retracted event that had a resource of its own (a booking, a check-in,
  a procedure and its baseline, a diary line, an assessment, a pain report)
  has that resource written again, from the event as recorded, with status
  ``entered-in-error`` and no `event` extension: it is no longer part of
  the history, and a server that holds it learns of the retraction.
- Each correction is a Provenance (`facetcare.fhir._provenance`).
"""

from __future__ import annotations

from collections.abc import Sequence

from facetcare import corrections
from facetcare import events as ev
from facetcare.coding import BilateralStyle
from facetcare.fhir import _appointment, _encounter, _observation, _procedure
from facetcare.fhir import _codes as c
from facetcare.fhir._common import Context, Json
from facetcare.fhir._provenance import provenance
from facetcare.fhir._visits import Visit


def _seqs(resource: Json) -> list[int]:
    out = []
    for item in resource.get("extension", ()):
        if item["url"] == c.EXT_EVENT:
            out += [part["valueInteger"] for part in item["extension"] if part["url"] == "seq"]
    return out


def _booking(log: Sequence[ev.Event], visit_id: str) -> tuple[int, ev.Event] | None:
    for seq, entry in enumerate(log):
        if isinstance(entry, ev.BlockScheduled | ev.NeurotomyScheduled) and \
                entry.visit_id == visit_id:
            return seq, entry
    return None


def _written(ctx: Context, seq: int, event: ev.Event, log: Sequence[ev.Event]) -> list[Json]:
    """The resources ``event`` would own had it stayed in the history."""
    if isinstance(event, ev.BlockScheduled | ev.NeurotomyScheduled):
        return [_appointment.appointment(ctx, Visit(seq, event), ctx.policy)]
    if isinstance(event, ev.CheckedIn):
        found = _booking(log, event.visit_id)
        if found is None or not isinstance(found[1], ev.BlockScheduled | ev.NeurotomyScheduled):
            return []
        visit = Visit(found[0], found[1], check_in=(seq, event))
        encounter = _encounter.encounter(ctx, visit,
                                         _appointment.appointment_id(ctx.pathway_id, visit))
        return [encounter] if encounter is not None else []
    if isinstance(event, ev.BlockPerformed | ev.NeurotomyPerformed):
        out = [_procedure.procedure(ctx, seq, event, None, style=BilateralStyle.MODIFIER_50)]
        if isinstance(event, ev.BlockPerformed):
            out.append(_observation.baseline(ctx, seq, event, out[0]["id"]))
        return out
    if isinstance(event, ev.ReliefDiaryRecorded):
        return _observation.diary(ctx, seq, event, None)
    if isinstance(event, ev.ReliefAssessed):
        found_assessment = _observation.assessment(ctx, seq, event, None, positive=False)
        del found_assessment["valueCodeableConcept"]  # its result is not known any more
        return [found_assessment]
    if isinstance(event, ev.FollowUpRecorded | ev.PainReturned):
        return [_observation.pain_report(ctx, seq, event, None)]
    return []


def _of_visit(written: list[Json], event: ev.Event) -> list[Json]:
    """The Appointment and Encounter of the visit an event without a resource of its own
    (a cancellation, a no-show, a discharge) changed."""
    visit_id = getattr(event, "visit_id", None)
    if not isinstance(visit_id, str):
        return []
    mine = {"system": c.SID_VISIT, "value": visit_id}
    kinds = {"VisitMissed": {"Appointment"}, "Discharged": {"Encounter"}}.get(
        event.kind, {"Appointment", "Encounter"})
    return [r for r in written
            if r["resourceType"] in kinds and mine in r.get("identifier", ())]


def _retracted(resource: Json) -> Json:
    resource["status"] = "entered-in-error"
    kept = [e for e in resource.get("extension", ()) if e["url"] != c.EXT_EVENT]
    if kept:
        resource["extension"] = kept
    else:
        resource.pop("extension", None)
    return resource


def correction_resources(ctx: Context, log: Sequence[ev.Event],
                         history: Sequence[corrections.Entry],
                         written: list[Json]) -> list[Json]:
    """Mark amended Observations in ``written``; the retracted resources and Provenances."""
    retracted = {e.seq for e in log if isinstance(e, ev.EnteredInError)}
    amended = {e.seq for e in log if isinstance(e, ev.Amended)} - retracted
    by_seq: dict[int, list[Json]] = {}
    procedures: dict[str, int] = {}
    for resource in written:
        for seq in _seqs(resource):
            by_seq.setdefault(seq, []).append(resource)
            if resource["resourceType"] == "Procedure":
                procedures[f"Procedure/{resource['id']}"] = seq
    for resource in written:  # a block's baseline belongs to its Procedure's event
        if resource["resourceType"] == "Observation" and not _seqs(resource):
            seq = procedures[resource["partOf"][0]["reference"]]
            by_seq[seq].append(resource)
    for seq in amended:
        for resource in by_seq.get(seq, ()):
            if resource["resourceType"] == "Observation":
                resource["status"] = "amended"
    out: list[Json] = []
    for seq in sorted(retracted):
        if not isinstance(log[seq], ev.Correction):
            found = [_retracted(r) for r in _written(ctx, seq, log[seq], log)]
            by_seq.setdefault(seq, []).extend(found)
            out += found
    for seq, entry in enumerate(log):
        if isinstance(entry, ev.EnteredInError | ev.Amended):
            acted = entry.seq
        elif isinstance(entry, ev.LateEntry):
            acted = seq
        else:
            continue
        found = by_seq.get(acted) or _of_visit(written, log[entry.seq] if isinstance(
            entry, ev.EnteredInError | ev.Amended) else entry.event)
        targets = dict.fromkeys(f"{r['resourceType']}/{r['id']}" for r in found)
        out.append(provenance(ctx, seq, entry, log, [{"reference": t} for t in targets]))
    return out
