"""facetcare.fhir: the mapping, field by field, and the ways a bundle is refused.

Every bundle here is written with validation on, so each also parses with
fhir.resources for its release and passes the value-set tables.
"""

from __future__ import annotations

import copy
import json
import random
import subprocess
import sys
import uuid
from typing import Any

import attrs
import pytest

import facetcare as fc
from facetcare import events as ev
from facetcare.coding import BilateralStyle
from facetcare.fhir import _codes as c
from facetcare.fhir import from_bundle, operation_outcome, to_bundle
from facetcare.fhir._mapping import FIELDS
from facetcare.fhir._validate import check_resource
from journey import DAY, HOUR, MINUTE, SEED, T0, Journey, S, reach

RELEASES = ("R4B", "R5")
BOTH = (fc.Target("L4-L5", "left"), fc.Target("L4-L5", "right"))
L = fc.Side.LEFT


def resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def one(bundle: dict[str, Any], kind: str) -> dict[str, Any]:
    found = resources(bundle, kind)
    assert len(found) == 1, [r["id"] for r in found]
    return found[0]


def ext_values(resource: dict[str, Any], url: str) -> list[dict[str, Any]]:
    return [e for e in resource.get("extension", []) if e["url"] == url]


def full_journey() -> Journey:
    """Bilateral L4-L5: positive block, neurotomy, relief, pain back, closed."""
    j = Journey(SEED, pain_months=6, conservative_care_failed=True)
    j.book_block(BOTH).check_in().perform_block(baseline=8).discharge()
    j.diary((2 * HOUR, 1), (3 * HOUR, 2)).assess()
    lesions = (fc.Lesion(BOTH[0], 90, 80.0, fc.Modality.CONVENTIONAL_THERMAL),
               fc.Lesion(BOTH[1], 90.0), fc.Lesion(BOTH[0], 60))
    j.book_neurotomy(BOTH).check_in().perform_neurotomy(lesions).discharge()
    j.follow_up(2).pain_returned()
    return j.go(ev.Closed(at=j.now + DAY, reason="discharged to primary care"))


@pytest.fixture(scope="module")
def journey() -> Journey:
    return full_journey()


# -- round trip, determinism, ids ---------------------------------------------------------


@pytest.mark.parametrize("release", RELEASES)
def test_full_pathway_round_trips_exactly(journey: Journey, release: str) -> None:
    bundle = to_bundle(journey.pw, release=release)  # type: ignore[arg-type]
    again = from_bundle(json.loads(json.dumps(bundle)), policy=journey.pw.policy)
    assert again == journey.pw
    assert again.stage == S.CLOSED


@pytest.mark.parametrize("release", RELEASES)
def test_same_pathway_gives_a_byte_identical_bundle(journey: Journey, release: str) -> None:
    first = json.dumps(to_bundle(journey.pw, release=release))  # type: ignore[arg-type]
    rebuilt = fc.Pathway.from_json(journey.pw.to_json())
    assert json.dumps(to_bundle(rebuilt, release=release)) == first  # type: ignore[arg-type]


def test_entries_are_puts_with_uuid5_ids_from_pathway_and_position(journey: Journey) -> None:
    bundle = to_bundle(journey.pw)
    assert bundle["type"] == "transaction"
    ids = set()
    for entry in bundle["entry"]:
        resource = entry["resource"]
        assert entry["request"] == {"method": "PUT",
                                    "url": f"{resource['resourceType']}/{resource['id']}"}
        assert entry["fullUrl"] == f"urn:uuid:{resource['id']}"
        assert uuid.UUID(resource["id"]).version == 5
        ids.add(resource["id"])
    assert len(ids) == len(bundle["entry"])
    namespace = uuid.uuid5(uuid.NAMESPACE_URL, "https://facetcare.org/fhir/")
    request = one(bundle, "ServiceRequest")
    assert request["id"] == str(uuid.uuid5(namespace, "pw-1/0/ServiceRequest"))
    # Another pathway id gives other ids for the same events.
    other = fc.Pathway.replay(
        [attrs.evolve(journey.pw.events[0], pathway_id="pw-2"), *journey.pw.events[1:]])
    other_ids = {e["resource"]["id"] for e in to_bundle(other)["entry"]}
    assert not ids & other_ids


@pytest.mark.parametrize("release", RELEASES)
def test_entry_order_does_not_matter(journey: Journey, release: str) -> None:
    bundle = to_bundle(journey.pw, release=release)  # type: ignore[arg-type]
    shuffled = copy.deepcopy(bundle)
    random.Random(7).shuffle(shuffled["entry"])
    assert from_bundle(shuffled, policy=SEED) == journey.pw


# -- the mapping, resource by resource ------------------------------------------------------


def test_every_event_field_is_mapped() -> None:
    from facetcare.events import CORRECTION_TYPES, EVENT_TYPES

    for kind in (*EVENT_TYPES, *CORRECTION_TYPES):
        names = {field.name for field in attrs.fields(kind)}
        assert set(FIELDS[kind.__name__]) == names, kind.__name__


@pytest.mark.parametrize("release", RELEASES)
def test_referral_is_a_service_request_order_and_a_care_plan(journey: Journey,
                                                             release: str) -> None:
    bundle = to_bundle(journey.pw, release=release)  # type: ignore[arg-type]
    request, plan = one(bundle, "ServiceRequest"), one(bundle, "CarePlan")
    assert request["intent"] == "order"
    assert request["basedOn"] == [{"reference": f"CarePlan/{plan['id']}"}]
    assert request["subject"]["identifier"] == {"system": c.SID_PATIENT, "value": "pt-1"}
    assert ext_values(request, c.EXT_PAIN_MONTHS) == [
        {"url": c.EXT_PAIN_MONTHS, "valueInteger": 6}]
    # The referral's ICD-10-CM diagnosis is the request's reason; the findings a payer
    # asks for are facetcare extensions, the instrument in facetcare's own code system.
    diagnosis = {"coding": [{"system": c.ICD10CM, "code": "M47.816"}]}
    if release == "R4B":
        assert request["reasonCode"] == [diagnosis]
    else:
        assert request["reason"] == [{"concept": diagnosis}]
    assert ext_values(request, c.EXT_AXIAL_PAIN) == [
        {"url": c.EXT_AXIAL_PAIN, "valueBoolean": True}]
    assert ext_values(request, c.EXT_UNTREATED_RADICULAR_PAIN)[0]["valueBoolean"] is False
    assert ext_values(request, c.EXT_NON_FACET_CAUSE_EXCLUDED)[0]["valueBoolean"] is True
    assert ext_values(request, c.EXT_CONSERVATIVE_CARE_WEEKS)[0]["valueInteger"] == 8
    assert ext_values(request, c.EXT_BASELINE_FUNCTION) == [{
        "url": c.EXT_BASELINE_FUNCTION, "extension": [
            {"url": "scale", "valueCoding": {"system": c.FUNCTIONAL_SCALE, "code": "odi"}},
            {"url": "score", "valueInteger": 40}]}]
    # The pathway was closed: the plan is completed, the order too.
    assert (plan["status"], request["status"]) == ("completed", "completed")
    assert ext_values(plan, c.EXT_STATUS_REASON)[0]["valueString"] == "discharged to primary care"
    assert plan["period"]["end"] == journey.pw.events[-1].at.isoformat()


def test_withdrawn_pathway_is_a_revoked_plan() -> None:
    pw = reach(S.WITHDRAWN).pw
    bundle = to_bundle(pw)
    assert one(bundle, "CarePlan")["status"] == "revoked"
    assert from_bundle(bundle) == pw


@pytest.mark.parametrize("release", RELEASES)
def test_appointments_follow_the_visit(release: str) -> None:
    j = Journey(SEED)
    j.book_block(BOTH)
    j.go(ev.VisitCancelled(at=j.now + HOUR, visit_id=j.visit_id, reason="patient ill"))
    j.book_block(BOTH)
    j.go(ev.VisitMissed(at=j.visit_at, visit_id=j.visit_id))
    j.book_block(BOTH).check_in()
    bundle = to_bundle(j.pw, release=release)  # type: ignore[arg-type]
    cancelled, missed, arrived = resources(bundle, "Appointment")
    assert [a["status"] for a in (cancelled, missed, arrived)] == ["cancelled", "noshow",
                                                                  "arrived"]
    request = one(bundle, "ServiceRequest")
    for appointment in (cancelled, missed, arrived):
        assert appointment["basedOn"] == [{"reference": f"ServiceRequest/{request['id']}"}]
        slot = fc.estimate_slot("block", policy=SEED).total[1]
        assert appointment["minutesDuration"] == slot // MINUTE == 90
    field = "cancelationReason" if release == "R4B" else "cancellationReason"
    assert cancelled[field] == {"text": "patient ill"}
    encounter = one(bundle, "Encounter")
    assert encounter["status"] == {"R4B": "arrived", "R5": "in-progress"}[release]
    assert encounter["appointment"] == [{"reference": f"Appointment/{arrived['id']}"}]
    assert from_bundle(bundle) == j.pw


def test_neurotomy_slot_grows_with_the_nerves() -> None:
    j = reach(S.BLOCK_POSITIVE)
    bundle = to_bundle(j.pw)
    before = len(resources(bundle, "Appointment"))
    j.book_neurotomy()
    appointment = resources(to_bundle(j.pw), "Appointment")[before]
    slot = fc.estimate_slot("neurotomy", nerves=2, policy=SEED).total[1]
    assert appointment["minutesDuration"] == slot // MINUTE


@pytest.mark.parametrize(("release", "open_", "done"),
                         [("R4B", "arrived", "finished"), ("R5", "in-progress", "completed")])
def test_encounter_statuses_per_release(release: str, open_: str, done: str) -> None:
    j = reach(S.BLOCK_OBSERVATION)
    assert one(to_bundle(j.pw, release=release), "Encounter")["status"] == open_  # type: ignore[arg-type]
    j.discharge()
    bundle = to_bundle(j.pw, release=release)  # type: ignore[arg-type]
    assert one(bundle, "Encounter")["status"] == done
    assert resources(bundle, "Appointment")[-1]["status"] == "fulfilled"


def test_a_visit_aborted_after_check_in_is_a_cancelled_encounter() -> None:
    j = reach(S.BLOCK_VISIT)
    j.go(ev.VisitCancelled(at=j.now + 5 * MINUTE, visit_id=j.visit_id, reason="hypertension"))
    for release in RELEASES:
        bundle = to_bundle(j.pw, release=release)  # type: ignore[arg-type]
        assert one(bundle, "Encounter")["status"] == "cancelled"
        assert from_bundle(bundle) == j.pw


def test_fhir_resources_alone_accepts_a_wrong_release_code_facetcare_does_not() -> None:
    from fhir.resources.encounter import Encounter

    wrong = {"resourceType": "Encounter", "status": "finished"}  # an R4 code in R5
    assert Encounter.model_validate(wrong).status == "finished"
    with pytest.raises(fc.SerializationError, match=r"Encounter\.status.*'finished'.*R5"):
        check_resource(wrong, "R5")


@pytest.mark.parametrize("release", RELEASES)
def test_procedures_carry_cpt_lines_body_sites_and_lesions(journey: Journey,
                                                            release: str) -> None:
    bundle = to_bundle(journey.pw, release=release)  # type: ignore[arg-type]
    block, neurotomy = resources(bundle, "Procedure")

    def lines(procedure: dict[str, Any]) -> list[tuple[str, tuple[str, ...]]]:
        out = []
        for line in ext_values(procedure, c.EXT_CPT_LINE):
            parts = line["extension"]
            code = next(p["valueCoding"] for p in parts if p["url"] == "code")
            assert code["system"] == c.CPT
            mods = tuple(p["valueCoding"]["code"] for p in parts if p["url"] == "modifier")
            out.append((code["code"], mods))
        return out

    assert lines(block) == [("64493", ("50",))]
    assert lines(neurotomy) == [("64635", ("50",))]
    left, right = c.LATERALITY[release]["left"][0], c.LATERALITY[release]["right"][0]
    sides = [site["extension"][0]["valueCodeableConcept"]["coding"][0]["code"]
             for site in block["bodySite"]]
    assert sides == [left, right]
    assert [s["coding"][0] for s in block["bodySite"]] == [
        {"system": c.JOINT, "code": "L4-L5"}] * 2
    lesions = ext_values(neurotomy, c.EXT_LESION)
    assert len(lesions) == 3
    assert {"url": "temperature-celsius", "valueDecimal": 80.0} in lesions[0]["extension"]
    encounter_ids = [e["id"] for e in resources(bundle, "Encounter")]
    assert block["encounter"]["reference"] == f"Encounter/{encounter_ids[0]}"
    time_field = "performedDateTime" if release == "R4B" else "occurrenceDateTime"
    assert block[time_field] == journey.pw.events[3].at.isoformat()


@pytest.mark.parametrize("release", RELEASES)
def test_how_a_procedure_was_done_is_written_and_read_back(journey: Journey,
                                                           release: str) -> None:
    bundle = to_bundle(journey.pw, release=release)  # type: ignore[arg-type]
    procedures = resources(bundle, "Procedure")
    block = next(p for p in procedures if p["code"]["coding"][0]["code"] == "medial-branch-block")
    neurotomy = next(p for p in procedures if p is not block
                     and p["code"]["coding"][0]["code"] == "radiofrequency-neurotomy")
    assert ext_values(block, c.EXT_GUIDANCE)[0]["valueCoding"] == {
        "system": c.GUIDANCE, "code": "fluoroscopy"}
    assert ext_values(block, c.EXT_SEDATION)[0]["valueCoding"]["code"] == "none"
    assert ext_values(block, c.EXT_AGENT)[0]["valueCoding"] == {
        "system": c.AGENT, "code": "lidocaine"}
    assert ext_values(neurotomy, c.EXT_SEDATION)[0]["valueCoding"]["code"] == "minimal"
    assert not ext_values(neurotomy, c.EXT_AGENT)
    parts = ext_values(neurotomy, c.EXT_LESION)[0]["extension"]
    assert {"url": "modality", "valueCoding": {"system": c.MODALITY,
                                                "code": "conventional_thermal"}} in parts
    second = ext_values(neurotomy, c.EXT_LESION)[1]["extension"]
    assert all(part["url"] != "modality" for part in second)  # not recorded: not written
    again = from_bundle(json.loads(json.dumps(bundle)), policy=journey.pw.policy)
    performed = [e for e in again.events if isinstance(e, ev.BlockPerformed)]
    assert performed and all(e.agent == fc.Agent.LIDOCAINE for e in performed)
    # A code outside facetcare's vocabulary is refused, naming where it was.
    ext_values(block, c.EXT_SEDATION)[0]["valueCoding"]["code"] = "twilight"
    with pytest.raises(fc.SerializationError, match="'twilight' is not a code of"):
        from_bundle(bundle, policy=journey.pw.policy)


def test_rt_lt_lines_on_request(journey: Journey) -> None:
    bundle = to_bundle(journey.pw, bilateral=BilateralStyle.RT_LT)
    block = resources(bundle, "Procedure")[0]
    modifiers = []
    for line in ext_values(block, c.EXT_CPT_LINE):
        for part in line["extension"]:
            if part["url"] == "modifier":
                modifiers.append((part["valueCoding"]["system"], part["valueCoding"]["code"]))
    assert modifiers == [(c.HCPCS, "RT"), (c.HCPCS, "LT")]
    assert from_bundle(bundle) == journey.pw  # billing lines are output only


def test_two_level_block_has_an_add_on_line() -> None:
    treated = (fc.Target("L3-L4", L), fc.Target("L4-L5", L))
    j = Journey(SEED).block(treated)
    block = one(to_bundle(j.pw), "Procedure")
    codes = [next(p["valueCoding"]["code"] for p in line["extension"] if p["url"] == "code")
             for line in ext_values(block, c.EXT_CPT_LINE)]
    assert codes == ["64493", "64494"]


@pytest.mark.parametrize("release", RELEASES)
def test_pain_scores_are_loinc_observations_part_of_their_procedure(journey: Journey,
                                                                     release: str) -> None:
    bundle = to_bundle(journey.pw, release=release)  # type: ignore[arg-type]
    block, neurotomy = (p["id"] for p in resources(bundle, "Procedure"))
    by_role: dict[str, list[dict[str, Any]]] = {}
    for obs in resources(bundle, "Observation"):
        by_role.setdefault(obs["category"][0]["coding"][0]["code"], []).append(obs)
    assert sorted(by_role) == ["baseline", "follow-up", "pain-returned", "relief-assessment",
                               "relief-diary"]
    for role, part in [("baseline", block), ("relief-diary", block), ("follow-up", neurotomy),
                       ("pain-returned", neurotomy), ("relief-assessment", block)]:
        for obs in by_role[role]:
            assert obs["partOf"] == [{"reference": f"Procedure/{part}"}]
            assert obs["status"] == "final"
            if role != "relief-assessment":
                assert obs["code"]["coding"][0]["system"] == c.LOINC
                assert obs["code"]["coding"][0]["code"] == "72514-3"
    assert [o["valueInteger"] for o in by_role["baseline"]] == [8]
    diary = journey.pw.events[5]
    assert [o["valueInteger"] for o in by_role["relief-diary"]] == [1, 2]
    assert {o["issued"] for o in by_role["relief-diary"]} == {diary.at.isoformat()}
    result = by_role["relief-assessment"][0]["valueCodeableConcept"]["coding"][0]
    assert result == {"system": c.RELIEF_RESULT, "code": "positive", "display": "Block positive"}


def test_negative_assessment_is_recorded_as_negative() -> None:
    bundle = to_bundle(reach(S.BLOCK_NEGATIVE).pw)
    result = [o for o in resources(bundle, "Observation")
              if o["category"][0]["coding"][0]["code"] == "relief-assessment"]
    # The L4-L5 block was positive (seed: one block), then the L2-L3 block negative.
    codes = [o["valueCodeableConcept"]["coding"][0]["code"] for o in result]
    assert codes == ["positive", "negative"]


@pytest.mark.parametrize("release", RELEASES)
def test_due_tasks_become_requested_tasks_with_their_window(release: str) -> None:
    j = Journey(SEED).book_block(BOTH, escort_confirmed=False)
    due = j.pw.due(j.now)
    (index, task), = [(i, t) for i, t in enumerate(due) if t.kind == "confirm_escort"]
    bundle = to_bundle(j.pw, release=release)  # type: ignore[arg-type]
    tasks = resources(bundle, "Task")
    assert [t["code"]["coding"][0]["code"] for t in tasks] == [t.kind for t in due]
    resource = tasks[index]
    assert (resource["status"], resource["intent"]) == ("requested", "order")
    assert resource["code"]["coding"] == [{"system": c.TASK_KIND, "code": "confirm_escort"}]
    assert resource["restriction"]["period"] == {"start": task.not_before.isoformat(),
                                                 "end": task.due_by.isoformat()}
    appointment = one(bundle, "Appointment")
    assert resource["focus"] == {"reference": f"Appointment/{appointment['id']}"}
    assert from_bundle(bundle) == j.pw  # tasks are recomputed, not read


def test_diagnosis_is_written_as_icd10cm_where_the_referral_has_one() -> None:
    from facetcare.fhir._request import service_request

    @attrs.frozen(kw_only=True)
    class WithDiagnosis(ev.Referred):
        diagnosis: str | None = None

    referral = WithDiagnosis(at=T0, pathway_id="pw-1", patient_id="pt-1", region="lumbar",
                             diagnosis="M47.816")
    r4b = service_request(referral, None, "R4B")
    assert r4b["reasonCode"] == [{"coding": [{"system": c.ICD10CM, "code": "M47.816"}]}]
    r5 = service_request(referral, None, "R5")
    assert r5["reason"] == [{"concept": {"coding": [{"system": c.ICD10CM, "code": "M47.816"}]}}]
    check_resource(r4b, "R4B")
    check_resource(r5, "R5")


# -- OperationOutcome ---------------------------------------------------------------------


@pytest.mark.parametrize("release", RELEASES)
def test_operation_outcome_has_one_business_rule_issue_per_reason(release: str) -> None:
    j = reach(S.BLOCK_SCHEDULED)
    event = ev.CheckedIn(at=T0 - DAY, visit_id="nope", escort_present=False)
    with pytest.raises(fc.Rejected) as refused:
        j.pw.apply(event)
    outcome = operation_outcome(refused.value, release=release)  # type: ignore[arg-type]
    assert len(refused.value.reasons) >= 2
    assert [i["details"]["coding"][0]["code"] for i in outcome["issue"]] == list(
        refused.value.codes)
    for issue, reason in zip(outcome["issue"], refused.value.reasons, strict=True):
        assert (issue["severity"], issue["code"]) == ("error", "business-rule")
        assert issue["details"]["coding"][0]["system"] == c.REASON
        assert issue["details"]["text"] == reason.message
        assert issue["diagnostics"].startswith("CheckedIn at ")


def _fhir_model(release: str) -> Any:
    if release == "R4B":
        from fhir.resources.R4B.operationoutcome import OperationOutcome
    else:
        from fhir.resources.operationoutcome import OperationOutcome
    return OperationOutcome


@pytest.mark.parametrize("release", RELEASES)
def test_a_rejected_without_reasons_gives_one_generic_issue(release: str) -> None:
    booking = ev.BlockScheduled(at=T0, visit_id="v1", visit_at=T0 + DAY,
                                targets=(fc.Target("L4-L5", fc.Side.LEFT),))
    for rejected in (fc.Rejected(()), fc.Rejected((), event=booking, index=3)):
        outcome = operation_outcome(rejected, release=release)  # type: ignore[arg-type]
        [issue] = outcome["issue"]
        assert (issue["severity"], issue["code"]) == ("error", "business-rule")
        assert "coding" not in issue["details"] and "no reason" in issue["details"]["text"]
        assert _fhir_model(release).model_validate(outcome).issue[0].code == "business-rule"
        check_resource(outcome, release)  # type: ignore[arg-type]
    assert issue["diagnostics"].startswith("event 3 (BlockScheduled at ")


@pytest.mark.parametrize("release", RELEASES)
def test_empty_arrays_and_objects_are_refused_though_fhir_resources_takes_them(
        release: str) -> None:
    empty = {"resourceType": "OperationOutcome", "issue": []}
    _fhir_model(release).model_validate(empty)  # the model does not count issues
    with pytest.raises(fc.SerializationError, match=r"OperationOutcome\.issue: an empty array"):
        check_resource(empty, release)  # type: ignore[arg-type]
    hollow = {"resourceType": "OperationOutcome",
              "issue": [{"severity": "error", "code": "business-rule", "details": {}}]}
    with pytest.raises(fc.SerializationError, match=r"issue\[0\]\.details: an empty object"):
        check_resource(hollow, release)  # type: ignore[arg-type]


def test_operation_outcome_needs_a_rejected() -> None:
    with pytest.raises(TypeError):
        operation_outcome(ValueError("x"))  # type: ignore[arg-type]


# -- refusals -------------------------------------------------------------------------------


def _bundle() -> dict[str, Any]:
    return to_bundle(reach(S.RELIEF_ASSESSMENT).pw)


def _first(bundle: dict[str, Any], kind: str) -> dict[str, Any]:
    return resources(bundle, kind)[0]


def test_an_unmapped_resource_type_is_refused_by_name() -> None:
    bundle = _bundle()
    bundle["entry"].append({"resource": {"resourceType": "Patient", "id": "p1"},
                            "request": {"method": "PUT", "url": "Patient/p1"}})
    with pytest.raises(fc.SerializationError, match="does not read Patient"):
        from_bundle(bundle)


def test_a_missing_field_is_refused_naming_resource_and_field() -> None:
    bundle = _bundle()
    appointment = _first(bundle, "Appointment")
    del appointment["created"]
    with pytest.raises(fc.SerializationError, match=rf"Appointment/{appointment['id']}\.created"):
        from_bundle(bundle)


def test_an_empty_array_or_object_in_a_bundle_is_refused_naming_where() -> None:
    bundle = _bundle()
    index = next(i for i, e in enumerate(bundle["entry"])
                 if e["resource"]["resourceType"] == "Appointment")
    bundle["entry"][index]["resource"]["participant"] = []
    with pytest.raises(fc.SerializationError,
                       match=rf"Bundle\.entry\[{index}\]\.resource\.participant: an empty array"):
        from_bundle(bundle)
    bundle = _bundle()
    bundle["entry"][0]["extension"] = []
    with pytest.raises(fc.SerializationError, match=r"Bundle\.entry\[0\]\.extension: an empty"):
        from_bundle(bundle)
    assert from_bundle(_bundle()) == reach(S.RELIEF_ASSESSMENT).pw


def test_a_missing_event_is_refused() -> None:
    bundle = _bundle()
    bundle["entry"] = [e for e in bundle["entry"]
                       if e["resource"]["resourceType"] != "Encounter"]
    with pytest.raises(fc.SerializationError):
        from_bundle(bundle)


def test_an_event_on_the_wrong_resource_is_refused() -> None:
    bundle = _bundle()
    appointment = _first(bundle, "Appointment")
    appointment["extension"][0]["extension"][1]["valueCode"] = "FollowUpRecorded"
    with pytest.raises(fc.SerializationError, match="Appointment does not record FollowUpRecorded"):
        from_bundle(bundle)


def test_an_event_recorded_twice_is_refused() -> None:
    bundle = _bundle()
    appointment = _first(bundle, "Appointment")
    encounter = _first(bundle, "Encounter")
    encounter["extension"][0]["extension"][0]["valueInteger"] = \
        appointment["extension"][0]["extension"][0]["valueInteger"]
    with pytest.raises(fc.SerializationError, match="recorded twice"):
        from_bundle(bundle)


def test_a_status_outside_the_value_set_is_refused() -> None:
    bundle = _bundle()
    _first(bundle, "Appointment")["status"] = "finished"
    with pytest.raises(fc.SerializationError, match=r"Appointment\.status"):
        from_bundle(bundle)


def test_structure_fhir_resources_refuses_is_refused() -> None:
    bundle = _bundle()
    _first(bundle, "Appointment")["minutesDuration"] = "ninety"
    with pytest.raises(fc.SerializationError, match="minutesDuration"):
        from_bundle(bundle)


def test_an_edited_time_that_breaks_a_rule_is_rejected_on_replay() -> None:
    bundle = _bundle()
    _first(bundle, "Encounter")["period"]["start"] = (T0 - DAY).isoformat()
    with pytest.raises(fc.Rejected):
        from_bundle(bundle)


def test_a_bundle_without_release_tag_needs_a_release() -> None:
    bundle = to_bundle(reach(S.REFERRED).pw, release="R5")
    del bundle["meta"]
    with pytest.raises(fc.SerializationError, match="release"):
        from_bundle(bundle)
    assert from_bundle(bundle, release="R5") == reach(S.REFERRED).pw


@pytest.mark.parametrize("thing", [None, [], "Bundle", {"resourceType": "Patient"},
                                   {"resourceType": "Bundle"}, {"resourceType": "Bundle",
                                                                "entry": "x"}])
def test_not_a_bundle_is_a_serialization_error(thing: object) -> None:
    with pytest.raises(fc.SerializationError):
        from_bundle(thing)


def test_times_are_written_in_utc_whatever_their_offset() -> None:
    import datetime as dt

    odd = dt.timezone(dt.timedelta(minutes=5, seconds=30))
    plain = fc.Pathway.start(ev.Referred(at=T0, pathway_id="p", patient_id="q",
                                         region="lumbar"))
    shifted = fc.Pathway.start(ev.Referred(at=T0.astimezone(odd), pathway_id="p",
                                           patient_id="q", region="lumbar"))
    assert to_bundle(shifted) == to_bundle(plain)
    assert T0.astimezone(dt.UTC).isoformat() in json.dumps(to_bundle(plain))


def test_release_must_be_known() -> None:
    with pytest.raises(ValueError, match="release"):
        to_bundle(reach(S.REFERRED).pw, release="R4")  # type: ignore[arg-type]


# -- the core install --------------------------------------------------------------------


def test_facetcare_imports_without_pydantic() -> None:
    script = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in {'pydantic', 'pydantic_core', 'fhir', 'fhir_core'}:\n"
        "            raise ImportError('blocked: ' + name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "import facetcare, facetcare.events, facetcare.coding\n"
        "assert not any(m.split('.')[0] in {'pydantic', 'fhir'} for m in sys.modules)\n"
        "try:\n"
        "    import facetcare.fhir\n"
        "except ModuleNotFoundError as e:\n"
        "    print('hint:', e)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=False, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "pip install 'facetcare[fhir]'" in done.stdout


@pytest.mark.parametrize("release", RELEASES)
def test_policy_change_and_prior_procedures_round_trip(release: str) -> None:
    prior = ev.PriorProcedure("neurotomy", T0 - 300 * DAY, "pw-0")
    j = Journey(SEED, prior_procedures=(prior,))
    stricter = attrs.evolve(fc.Policy.consensus_2020(), time_zone=SEED.time_zone)
    j.go(ev.PolicyChanged(at=j.now + HOUR, policy=stricter, reason="payer changed"))
    j.book_block(BOTH)
    bundle = to_bundle(j.pw, release=release)  # type: ignore[arg-type]
    plan, request = one(bundle, "CarePlan"), one(bundle, "ServiceRequest")
    (change,) = ext_values(plan, c.EXT_POLICY_CHANGE)
    parts = {p["url"]: p for p in change["extension"]}
    assert parts["reason"]["valueString"] == "payer changed"
    assert json.loads(parts["policy"]["valueString"])["name"] == stricter.name
    (carried,) = ext_values(request, c.EXT_PRIOR_PROCEDURE)
    assert {p["url"]: next(v for k, v in p.items() if k != "url")
            for p in carried["extension"]} == {"procedure": "neurotomy",
                                               "at": prior.at.isoformat(),
                                               "pathway-id": "pw-0"}
    again = from_bundle(bundle, policy=SEED)
    assert again == j.pw
    assert again.policy_in_force == stricter


def test_readme_fhir_section_runs(capsys: pytest.CaptureFixture[str]) -> None:
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    start = text.index("## FHIR\n")
    code = re.search(r"```python\n(.*?)```", text[start:], re.S)
    assert code is not None
    exec(compile(code.group(1), "README.md FHIR", "exec"), {})
    printed = capsys.readouterr().out.splitlines()
    assert printed == ["PUT ServiceRequest active", "PUT CarePlan active",
                       "PUT Appointment booked", "PUT Task requested", "PUT Task requested",
                       "2026-03-16T09:00:00+00:00 90"]
