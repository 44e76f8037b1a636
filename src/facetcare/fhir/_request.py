"""The referral and the pathway: `Referred` → ServiceRequest, the pathway → CarePlan.

The ServiceRequest is the order every visit is ``basedOn``; the CarePlan is
the pathway itself: the policy it started under, each `PolicyChanged` (the
new policy as facetcare's policy document, in the ``policy-change``
extension: FHIR has no field for a payer's rule set) and how it ended
(`Closed` → completed, `Withdrawn` → revoked). The ICD-10-CM diagnosis is the
ServiceRequest's reason when the referral records one. The other entry
findings a payer asks for (docs/payer-rules.md#entry: weeks of conservative
care, axial pain, the baseline score and its instrument, untreated
radicular pain, a non-facet cause excluded) are facetcare extensions, each
written only when known, the instrument in facetcare's own code system.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from facetcare import events as ev
from facetcare.anatomy import Region
from facetcare.documents import read_json
from facetcare.errors import SerializationError
from facetcare.fhir import _codes as c
from facetcare.fhir._codes import Release
from facetcare.fhir._common import (
    EventRef,
    Json,
    Node,
    coded_ext,
    concept,
    event_ext,
    ext,
    member_of,
    patient,
    ref,
    resource_id,
    when,
)
from facetcare.serialization import dump_policy, load_policy
from facetcare.vocabulary import FunctionalScale

_ENDED = {"Closed": "completed", "Withdrawn": "revoked"}


def ids(pathway_id: str) -> tuple[str, str]:
    """(ServiceRequest id, CarePlan id): both belong to the referral, event 0."""
    return (resource_id(pathway_id, 0, "ServiceRequest"), resource_id(pathway_id, 0, "CarePlan"))


def _status(closing: ev.Closed | ev.Withdrawn | None) -> str:
    return "active" if closing is None else _ENDED[closing.kind]


def _diagnosis(referral: ev.Referred) -> str | None:
    """The referral's ICD-10-CM code, if the event type carries one and it is known."""
    code = getattr(referral, "diagnosis", None)
    return code if isinstance(code, str) and code else None


#: Referral findings written as a facetcare extension each: field → (url, FHIR value key).
_FINDINGS: dict[str, tuple[str, str]] = {
    "conservative_care_weeks": (c.EXT_CONSERVATIVE_CARE_WEEKS, "valueInteger"),
    "axial_pain": (c.EXT_AXIAL_PAIN, "valueBoolean"),
    "untreated_radicular_pain": (c.EXT_UNTREATED_RADICULAR_PAIN, "valueBoolean"),
    "non_facet_cause_excluded": (c.EXT_NON_FACET_CAUSE_EXCLUDED, "valueBoolean"),
}
_KINDS = {"valueInteger": int, "valueBoolean": bool}


def _findings(referral: ev.Referred) -> list[Json]:
    out = [ext(url, **{key: getattr(referral, name)})
           for name, (url, key) in _FINDINGS.items() if getattr(referral, name) is not None]
    scale = referral.baseline_function_scale
    if scale is not None:
        out.append(ext(c.EXT_BASELINE_FUNCTION, extension=[
            coded_ext("scale", c.FUNCTIONAL_SCALE, scale),
            ext("score", valueInteger=referral.baseline_function_score)]))
    return out


def _read_findings(node: Node) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for name, (url, key) in _FINDINGS.items():
        found = node.extension(url, required=False)
        if found is not None:
            fields[name] = found.typed(key, _KINDS[key])
    baseline = node.extension(c.EXT_BASELINE_FUNCTION, required=False)
    if baseline is not None:
        parts = {part.text("url"): part for part in baseline.nodes("extension")}
        if set(parts) != {"scale", "score"}:
            raise SerializationError(f"{baseline.where}: a baseline function needs its scale "
                                     "and score")
        fields["baseline_function_scale"] = member_of(parts["scale"], c.FUNCTIONAL_SCALE,
                                                      FunctionalScale)
        fields["baseline_function_score"] = parts["score"].typed("valueInteger", int)
    return fields


def service_request(referral: ev.Referred, closing: ev.Closed | ev.Withdrawn | None,
                    release: Release) -> Json:
    request_id, plan_id = ids(referral.pathway_id)
    extensions = [event_ext(0, referral)]
    if referral.pain_months is not None:
        extensions.append(ext(c.EXT_PAIN_MONTHS, valueInteger=referral.pain_months))
    if referral.conservative_care_failed is not None:
        extensions.append(ext(c.EXT_CONSERVATIVE_CARE_FAILED,
                              valueBoolean=referral.conservative_care_failed))
    # Procedures of the patient's earlier pathways: they live in those pathways'
    # bundles, so they travel here by value, in order.
    extensions += [ext(c.EXT_PRIOR_PROCEDURE, extension=[
        ext("procedure", valueCode=prior.procedure), ext("at", valueDateTime=when(prior.at)),
        ext("pathway-id", valueString=prior.pathway_id)])
        for prior in getattr(referral, "prior_procedures", ())]
    extensions += _findings(referral)
    what = concept(c.PROCEDURE, "facet-pain-evaluation",
                   c.PROCEDURE_CODES["facet-pain-evaluation"])
    out: Json = {
        "resourceType": "ServiceRequest",
        "id": request_id,
        "extension": extensions,
        "identifier": [{"system": c.SID_PATHWAY, "value": referral.pathway_id}],
        "basedOn": [ref("CarePlan", plan_id)],
        "status": _status(closing),
        "intent": "order",
        "code": what if release == "R4B" else {"concept": what},
        "subject": patient(referral.patient_id),
        "authoredOn": when(referral.at),
        "bodySite": [concept(c.REGION, referral.region.value)],
    }
    diagnosis = _diagnosis(referral)
    if diagnosis is not None:
        reason = concept(c.ICD10CM, diagnosis)  # no display: never copied from secondary sites
        if release == "R4B":
            out["reasonCode"] = [reason]
        else:
            out["reason"] = [{"concept": reason}]
    return out


def _policy_change(seq: int, change: ev.PolicyChanged) -> Json:
    document = json.dumps(dump_policy(change.policy), separators=(",", ":"))
    return ext(c.EXT_POLICY_CHANGE, extension=[
        ext("seq", valueInteger=seq), ext("reason", valueString=change.reason),
        ext("policy", valueString=document)])


def care_plan(referral: ev.Referred, closing: ev.Closed | ev.Withdrawn | None,
              closing_seq: int | None, policy_name: str,
              changes: Sequence[tuple[int, ev.PolicyChanged]] = ()) -> Json:
    _, plan_id = ids(referral.pathway_id)
    extensions: list[Json] = [ext(c.EXT_POLICY, valueString=policy_name)]
    for seq, change in changes:
        extensions += [event_ext(seq, change, change.at), _policy_change(seq, change)]
    period: dict[str, Any] = {"start": when(referral.at)}
    if closing is not None and closing_seq is not None:
        extensions.insert(0, event_ext(closing_seq, closing))
        extensions.append(ext(c.EXT_STATUS_REASON, valueString=closing.reason))
        period["end"] = when(closing.at)
    return {
        "resourceType": "CarePlan",
        "id": plan_id,
        "extension": extensions,
        "identifier": [{"system": c.SID_PATHWAY, "value": referral.pathway_id}],
        "status": _status(closing),
        "intent": "plan",
        "title": "Facet joint pain pathway",
        "subject": patient(referral.patient_id),
        "period": period,
    }


# -- reading --------------------------------------------------------------------------


def _identifier(node: Node, system: str) -> str:
    for item in node.nodes("identifier"):
        if item.data.get("system") == system:
            return item.text("value")
    raise SerializationError(f"{node.where}.identifier: none from {system}")


def read_referral(node: Node, event: EventRef, release: Release) -> ev.Referred:
    fields: dict[str, Any] = {
        "at": node.time("authoredOn"),
        "pathway_id": _identifier(node, c.SID_PATHWAY),
        "patient_id": node.node("subject").node("identifier").text("value"),
    }
    sites = node.nodes("bodySite")
    if len(sites) != 1:
        raise SerializationError(f"{node.where}.bodySite: expected the one spinal region")
    region = sites[0].code_in(c.REGION)
    try:
        fields["region"] = Region(region)
    except ValueError:
        raise SerializationError(f"{sites[0].where}: {region!r} is not a region") from None
    months = node.extension(c.EXT_PAIN_MONTHS, required=False)
    if months is not None:
        fields["pain_months"] = months.typed("valueInteger", int)
    failed = node.extension(c.EXT_CONSERVATIVE_CARE_FAILED, required=False)
    if failed is not None:
        fields["conservative_care_failed"] = failed.typed("valueBoolean", bool)
    fields.update(_read_findings(node))
    priors = [_prior(item) for item in node.extensions(c.EXT_PRIOR_PROCEDURE)]
    if priors:
        fields["prior_procedures"] = tuple(priors)
    reasons = (node.nodes("reasonCode", required=False) if release == "R4B"
               else [item.node("concept") for item in node.nodes("reason", required=False)])
    if reasons:
        if len(reasons) != 1 or not _has_field(ev.Referred, "diagnosis"):
            raise SerializationError(f"{node.where}: facetcare reads one ICD-10-CM reason only "
                                     "where Referred has a diagnosis field")
        fields["diagnosis"] = reasons[0].code_in(c.ICD10CM)
    return ev.Referred(**fields)


def _prior(node: Node) -> ev.PriorProcedure:
    parts = {part.text("url"): part for part in node.nodes("extension")}
    if set(parts) != {"procedure", "at", "pathway-id"}:
        raise SerializationError(f"{node.where}: a prior procedure needs procedure, at and "
                                 "pathway-id")
    return ev.PriorProcedure(parts["procedure"].text("valueCode"),
                             parts["at"].time("valueDateTime"),
                             parts["pathway-id"].text("valueString"))


def _has_field(kind: type, name: str) -> bool:
    import attrs

    return any(field.name == name for field in attrs.fields(kind))


def read_policy_change(node: Node, event: EventRef) -> ev.PolicyChanged:
    for item in node.extensions(c.EXT_POLICY_CHANGE):
        parts = {part.text("url"): part for part in item.nodes("extension")}
        if "seq" in parts and parts["seq"].typed("valueInteger", int) == event.seq:
            if "reason" not in parts or "policy" not in parts:
                raise SerializationError(f"{item.where}: a policy change needs reason and policy")
            text = parts["policy"].text("valueString")
            try:
                data = read_json(text)
            except SerializationError as error:
                raise SerializationError(
                    f"{item.where}: the policy is not readable JSON: {error}") from None
            return ev.PolicyChanged(at=event.time(), reason=parts["reason"].text("valueString"),
                                    policy=load_policy(data, f"{item.where}.policy"))
    raise SerializationError(f"{node.where}: no policy-change extension for event {event.seq}")


def read_closing(node: Node, event: EventRef) -> ev.Event:
    kinds: dict[str, type[ev.Closed] | type[ev.Withdrawn]] = {
        "Closed": ev.Closed, "Withdrawn": ev.Withdrawn}
    reason = node.extension(c.EXT_STATUS_REASON)
    assert reason is not None
    return kinds[event.kind](at=node.node("period").time("end"),
                             reason=reason.text("valueString"))
