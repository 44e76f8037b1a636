"""Corrections in the bundle: retracted resources, amended Observations, Provenance, and back.

The reproductions of the corrections issue, each written to both releases
and read back to the same pathway (the same log, corrections included).
"""

from __future__ import annotations

import json
from typing import Any

import attrs
import pytest

import facetcare as fc
from facetcare import events as ev
from facetcare.fhir import _codes as c
from facetcare.fhir import from_bundle, to_bundle
from journey import DAY, HOUR, MINUTE, SEED, Journey, S, reach

RELEASES = ("R4B", "R5")


def resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def round_trip(pw: fc.Pathway, release: str) -> dict[str, Any]:
    bundle = to_bundle(pw, release=release)  # type: ignore[arg-type]
    again = from_bundle(json.loads(json.dumps(bundle)), policy=pw.policy)
    assert again == pw
    assert again.log == pw.log and again.events == pw.events
    assert json.dumps(to_bundle(again, release=release)) == json.dumps(bundle)  # type: ignore[arg-type]
    return bundle


@pytest.mark.parametrize("release", RELEASES)
def test_a_wrong_no_show_entered_in_error(release: str) -> None:
    j = reach(S.BLOCK_SCHEDULED)
    missed_seq = len(j.pw.log)
    j.go(ev.VisitMissed(at=j.visit_at, visit_id=j.visit_id))
    j.go(ev.EnteredInError(at=j.now + MINUTE, seq=missed_seq, reason="clicked the wrong row",
                           recorded_by="desk-2"))
    j.check_in()
    bundle = round_trip(j.pw, release)
    (appointment,) = resources(bundle, "Appointment")
    assert appointment["status"] == "arrived"
    (provenance,) = resources(bundle, "Provenance")
    assert provenance["target"] == [{"reference": f"Appointment/{appointment['id']}"}]
    assert provenance["recorded"] == j.pw.log[missed_seq + 1].at.isoformat()
    assert provenance["agent"][0]["who"]["display"] == "desk-2"


@pytest.mark.parametrize("release", RELEASES)
def test_an_amended_baseline_is_an_amended_observation(release: str) -> None:
    j = reach(S.BLOCK_OBSERVATION)
    seq = len(j.pw.log) - 1
    performed = j.pw.log[seq]
    assert isinstance(performed, ev.BlockPerformed)
    j.go(ev.Amended(at=j.now + MINUTE, seq=seq, reason="typed 3 for 8",
                    replacement=attrs.evolve(performed, baseline_pain=9)))
    bundle = round_trip(j.pw, release)
    baseline = [o for o in resources(bundle, "Observation")
                if o["category"][0]["coding"][0]["code"] == "baseline"]
    assert [(o["status"], o["valueInteger"]) for o in baseline] == [("amended", 9)]
    (procedure,) = resources(bundle, "Procedure")
    (provenance,) = resources(bundle, "Provenance")
    assert {"reference": f"Procedure/{procedure['id']}"} in provenance["target"]
    entries = [json.loads(next(p["valueString"] for p in e["extension"] if p["url"] == "event"))
               for e in provenance["extension"] if e["url"] == c.EXT_LOG_ENTRY]
    assert [e["type"] for e in entries] == ["Amended", "BlockPerformed"]
    assert entries[1]["baseline_pain"] == performed.baseline_pain


@pytest.mark.parametrize("release", RELEASES)
def test_a_retracted_follow_up_stays_visible_as_entered_in_error(release: str) -> None:
    j = reach(S.FOLLOW_UP).follow_up(6)
    seq = len(j.pw.log) - 1
    j.go(ev.EnteredInError(at=j.now + HOUR, seq=seq, reason="wrong patient"))
    bundle = round_trip(j.pw, release)
    follow_ups = [o for o in resources(bundle, "Observation")
                  if o["category"][0]["coding"][0]["code"] == "follow-up"]
    assert [(o["status"], o["valueInteger"]) for o in follow_ups] == [("entered-in-error", 6)]
    assert "extension" not in follow_ups[0]  # no longer an event of the history
    (provenance,) = resources(bundle, "Provenance")
    assert provenance["target"] == [{"reference": f"Observation/{follow_ups[0]['id']}"}]


@pytest.mark.parametrize("release", RELEASES)
def test_a_late_diary_turns_a_negative_block_positive(release: str) -> None:
    j = Journey(SEED).block(positive=False)
    assert j.stage == S.BLOCK_NEGATIVE
    assert j.block_at is not None
    late = ev.ReliefDiaryRecorded(at=j.block_at + 2 * HOUR,
                                  entries=[fc.PainEntry(j.block_at + HOUR, 1)])
    j.go(ev.LateEntry(at=j.now + DAY, event=late, reason="diary came by post"))
    assert j.stage == S.BLOCK_POSITIVE
    bundle = round_trip(j.pw, release)
    (provenance,) = resources(bundle, "Provenance")
    lines = [o for o in resources(bundle, "Observation")
             if o["category"][0]["coding"][0]["code"] == "relief-diary"]
    late_line = [o for o in lines if o["valueInteger"] == 1 and o["issued"] == late.at.isoformat()]
    assert {"reference": f"Observation/{late_line[0]['id']}"} in provenance["target"]


@pytest.mark.parametrize("release", RELEASES)
def test_a_retracted_booking_and_check_in_are_entered_in_error(release: str) -> None:
    j = reach(S.BLOCK_VISIT)
    log = j.pw.log
    booking, check_in = len(log) - 2, len(log) - 1
    j.pw.apply_all([ev.EnteredInError(at=j.now + MINUTE, seq=check_in, reason="wrong visit"),
                    ev.EnteredInError(at=j.now + MINUTE, seq=booking, reason="wrong visit")])
    assert j.stage == S.REFERRED
    bundle = round_trip(j.pw, release)
    assert [a["status"] for a in resources(bundle, "Appointment")] == ["entered-in-error"]
    assert [e["status"] for e in resources(bundle, "Encounter")] == ["entered-in-error"]
    assert len(resources(bundle, "Provenance")) == 2


@pytest.mark.parametrize("release", RELEASES)
def test_event_identity_travels(release: str) -> None:
    j = reach(S.BLOCK_OBSERVATION)
    entry = fc.PainEntry(j.now + HOUR, 2)
    diary = ev.ReliefDiaryRecorded(at=j.now + HOUR, entries=[entry], event_id="d-1",
                                   recorded_at=j.now + 3 * HOUR, recorded_by="nurse-a")
    j.go(diary)
    j.go(ev.Discharged(at=j.now + HOUR, visit_id=j.visit_id, escort_present=True,
                       event_id="x-7", recorded_by="desk"))
    round_trip(j.pw, release)


def test_identity_is_in_the_event_extension() -> None:
    j = reach(S.BLOCK_OBSERVATION)
    j.go(ev.Discharged(at=j.now + HOUR, visit_id=j.visit_id, escort_present=True,
                       event_id="x-7", recorded_at=j.now + 2 * HOUR, recorded_by="desk"))
    (encounter,) = resources(to_bundle(j.pw), "Encounter")
    marks = [{p["url"]: p for p in e["extension"]} for e in encounter["extension"]
             if e["url"] == c.EXT_EVENT]
    discharge = next(m for m in marks if m["type"]["valueCode"] == "Discharged")
    assert discharge["event-id"]["valueString"] == "x-7"
    assert discharge["recorded-by"]["valueString"] == "desk"
    assert discharge["recorded-at"]["valueDateTime"] == (j.now + HOUR).isoformat()
