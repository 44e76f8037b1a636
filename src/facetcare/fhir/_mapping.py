"""Where each event field lives in the bundle: the table docs/fhir.md shows.

``tests/test_fhir.py`` checks that every field of every event type is here,
so a field added to an event (a diagnosis, an imaging guidance) cannot
silently drop out of the round trip: it fails that test until it is mapped.
"""

from __future__ import annotations

from typing import Final

#: event type → field → where it is written (R4B name / R5 name where they differ).
FIELDS: Final[dict[str, dict[str, str]]] = {
    "Referred": {
        "at": "ServiceRequest.authoredOn",
        "pathway_id": "ServiceRequest.identifier (sid/pathway-id)",
        "patient_id": "ServiceRequest.subject.identifier (sid/patient-id)",
        "region": "ServiceRequest.bodySite (CodeSystem/spinal-region)",
        "pain_months": "ServiceRequest extension pain-months",
        "conservative_care_failed": "ServiceRequest extension conservative-care-failed",
        "prior_procedures": "ServiceRequest extension prior-procedure (procedure, at, "
                            "pathway-id), one per procedure, in order",
        "conservative_care_weeks": "ServiceRequest extension conservative-care-weeks",
        "axial_pain": "ServiceRequest extension axial-pain",
        "baseline_function_scale": "ServiceRequest extension baseline-function part scale "
                                   "(CodeSystem/functional-scale)",
        "baseline_function_score": "ServiceRequest extension baseline-function part score",
        "untreated_radicular_pain": "ServiceRequest extension untreated-radicular-pain",
        "non_facet_cause_excluded": "ServiceRequest extension non-facet-cause-excluded",
        "diagnosis": "ServiceRequest.reasonCode / ServiceRequest.reason.concept (ICD-10-CM "
                     "http://hl7.org/fhir/sid/icd-10-cm)",
    },
    "BlockScheduled": {
        "at": "Appointment.created",
        "visit_id": "Appointment.identifier (sid/visit-id)",
        "visit_at": "Appointment.start",
        "targets": "Appointment extension target (one per target, in order)",
        "escort_confirmed": "Appointment extension escort-confirmed",
    },
    "CheckedIn": {
        "at": "Encounter.period.start / Encounter.actualPeriod.start",
        "visit_id": "Encounter.identifier (sid/visit-id)",
        "escort_present": "Encounter extension escort-at-check-in",
    },
    "BlockPerformed": {
        "at": "Procedure.performedDateTime / Procedure.occurrenceDateTime",
        "visit_id": "Procedure.encounter → Encounter.identifier",
        "targets": "Procedure.bodySite (one per target, in order)",
        "baseline_pain": "Observation (baseline, LOINC 72514-3).valueInteger, partOf the Procedure",
        "guidance": "Procedure extension imaging-guidance (CodeSystem/imaging-guidance)",
        "sedation": "Procedure extension sedation (CodeSystem/sedation)",
        "agent": "Procedure extension anaesthetic-agent (CodeSystem/anaesthetic-agent)",
    },
    "NeurotomyPerformed": {
        "at": "Procedure.performedDateTime / Procedure.occurrenceDateTime",
        "visit_id": "Procedure.encounter → Encounter.identifier",
        "lesions": "Procedure extension lesion (target, seconds, temperature-celsius, "
                   "modality from CodeSystem/lesion-modality), in order",
        "guidance": "Procedure extension imaging-guidance (CodeSystem/imaging-guidance)",
        "sedation": "Procedure extension sedation (CodeSystem/sedation)",
    },
    "Discharged": {
        "at": "Encounter.period.end / Encounter.actualPeriod.end",
        "visit_id": "Encounter.identifier (sid/visit-id)",
        "escort_present": "Encounter extension escort-at-discharge",
    },
    "ReliefDiaryRecorded": {
        "at": "Observation.issued (each diary line)",
        "entries": "Observation per line: effectiveDateTime, valueInteger (LOINC 72514-3); "
                   "event extension part entry = its index",
    },
    "ReliefAssessed": {"at": "Observation (relief-assessment).effectiveDateTime"},
    "FollowUpRecorded": {
        "at": "Observation.effectiveDateTime",
        "pain_score": "Observation.valueInteger (LOINC 72514-3)",
    },
    "PainReturned": {
        "at": "Observation.effectiveDateTime",
        "pain_score": "Observation.valueInteger (LOINC 72514-3)",
    },
    "VisitCancelled": {
        "at": "Appointment event extension part at (R4B) / Appointment.cancellationDate (R5)",
        "visit_id": "Appointment.identifier (sid/visit-id)",
        "reason": "Appointment.cancelationReason.text / Appointment.cancellationReason.text",
    },
    "VisitMissed": {
        "at": "Appointment event extension part at",
        "visit_id": "Appointment.identifier (sid/visit-id)",
    },
    "Closed": {
        "at": "CarePlan.period.end",
        "reason": "CarePlan extension status-reason",
    },
    "Withdrawn": {
        "at": "CarePlan.period.end",
        "reason": "CarePlan extension status-reason",
    },
}
FIELDS["PolicyChanged"] = {
    "at": "CarePlan event extension part at",
    "policy": "CarePlan extension policy-change part policy (facetcare's policy document, JSON)",
    "reason": "CarePlan extension policy-change part reason",
}
FIELDS["NeurotomyScheduled"] = FIELDS["BlockScheduled"]

#: Every event's identity (docs/corrections.md), where the caller gave one.
IDENTITY: Final = {
    "event_id": "event extension part event-id",
    "recorded_at": "event extension part recorded-at",
    "recorded_by": "event extension part recorded-by",
}
for _fields in FIELDS.values():
    _fields.update(IDENTITY)

#: Corrections: a Provenance each, carrying the exact log entry (and, for a
#: retraction or an amendment, the event as first recorded).
_CORRECTION: Final = {
    "at": "Provenance.recorded (and the log-entry JSON)",
    "recorded_by": "Provenance.agent.who.display (and the log-entry JSON)",
    "event_id": "Provenance extension log-entry (facetcare event JSON)",
    "recorded_at": "Provenance extension log-entry (facetcare event JSON)",
    "reason": "Provenance extension log-entry (facetcare event JSON)",
}
FIELDS["EnteredInError"] = {**_CORRECTION, "seq": "Provenance.target (the retracted resources) "
                            "and log-entry"}
FIELDS["Amended"] = {**_CORRECTION, "seq": "Provenance.target and log-entry",
                     "replacement": "the amended resource's fields (Observation status amended) "
                                    "and log-entry"}
FIELDS["LateEntry"] = {**_CORRECTION, "event": "its resource, under the LateEntry's seq, and "
                                               "log-entry"}
