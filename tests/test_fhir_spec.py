"""Bundles against the official FHIR specification files, and every code against its source.

The HL7 npm packages ``hl7.fhir.r4b.core`` 4.3.0 and ``hl7.fhir.r5.core``
5.0.0 ship the JSON Schema of their release (``package/openapi/fhir.schema.json``)
and their ValueSets and CodeSystems; ``hl7.terminology.r4`` 7.0.1 ships the
HL7 terminology (v3 ActCode, the NamingSystems of CPT, HCPCS, ICD-10-CM,
LOINC and SNOMED CT). ``make test`` fetches them with npm into
``.venv/fhir-spec`` (``make fhir-spec``) and points ``FACETCARE_FHIR_SPEC``
there. Without them these tests are skipped, except under CI, where they fail.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import facetcare as fc
from facetcare.fhir import _codes as c
from facetcare.fhir import operation_outcome, to_bundle
from facetcare.fhir._valuesets import VALUE_SETS
from facetcare.testing import paths
from journey import POLICIES, POLICY_IDS, S, reach

ROOT = Path(__file__).resolve().parent.parent
SPEC = Path(os.environ.get("FACETCARE_FHIR_SPEC", ROOT / ".venv" / "fhir-spec"))
CORE = {"R4B": "hl7.fhir.r4b.core", "R5": "hl7.fhir.r5.core"}
TERMINOLOGY = "hl7.terminology.r4"

if not (SPEC / CORE["R5"] / "package" / "openapi" / "fhir.schema.json").exists():
    if os.environ.get("CI"):
        raise RuntimeError(f"the FHIR specification packages are missing in {SPEC}: "
                           "run make fhir-spec")
    pytest.skip(f"no FHIR specification packages in {SPEC} (make fhir-spec)",
                allow_module_level=True)


def package_file(package: str, name: str) -> Any:
    return json.loads((SPEC / package / "package" / name).read_text(encoding="utf-8"))


@cache
def schema(release: str) -> dict[str, Any]:
    found: dict[str, Any] = package_file(CORE[release], "openapi/fhir.schema.json")
    return found


@cache
def validator(release: str, definition: str) -> jsonschema.Draft6Validator:
    """A validator for one definition of the release's schema (with all definitions)."""
    whole = schema(release)
    return jsonschema.Draft6Validator({"$ref": f"#/definitions/{definition}",
                                       "definitions": whole["definitions"]})


def schema_errors(resource: dict[str, Any], release: str) -> list[str]:
    """Each resource against its own definition: what the schema's oneOf would pick."""
    kind = resource["resourceType"]
    assert schema(release)["discriminator"]["mapping"][kind] == f"#/definitions/{kind}"
    return [f"{kind}/{resource.get('id')}: {e.json_path}: {e.message[:200]}"
            for e in validator(release, kind).iter_errors(resource)]


_VALID: set[tuple[str, str]] = set()


def bundle_errors(bundle: dict[str, Any], release: str) -> list[str]:
    """The Bundle shell, then each resource (one already found valid is not checked again)."""
    shell = {**bundle, "entry": [{k: v for k, v in e.items() if k != "resource"}
                                 for e in bundle["entry"]]}
    errors = schema_errors(shell, release)
    for entry in bundle["entry"]:
        key = (release, json.dumps(entry["resource"], sort_keys=True))
        if key in _VALID:
            continue
        found = schema_errors(entry["resource"], release)
        if not found:
            _VALID.add(key)
        errors += found
    return errors


# -- JSON Schema ----------------------------------------------------------------------------


@pytest.mark.parametrize("release", ["R4B", "R5"])
def test_a_whole_bundle_validates_against_the_release_schema(release: str) -> None:
    """The full schema (its oneOf over every resource type) on one rich pathway."""
    pw = reach(S.RECURRENCE).pw
    bundle = to_bundle(pw, release=release)  # type: ignore[arg-type]
    whole = jsonschema.Draft6Validator(schema(release))
    errors = [e.message[:300] for e in whole.iter_errors(bundle)]
    assert errors == []


@pytest.mark.parametrize("release", ["R4B", "R5"])
def test_the_schema_refuses_a_broken_resource(release: str) -> None:
    """The check can fail: a wrong type and an unknown field are caught."""
    bundle = to_bundle(reach(S.BLOCK_SCHEDULED).pw, release=release)  # type: ignore[arg-type]
    appointment = next(e["resource"] for e in bundle["entry"]
                       if e["resource"]["resourceType"] == "Appointment")
    appointment["minutesDuration"] = "90"
    appointment["colour"] = "blue"
    errors = schema_errors(appointment, release)
    assert any("minutesDuration" in e for e in errors)
    assert any("colour" in e for e in errors)


@pytest.mark.parametrize("policy", POLICIES, ids=POLICY_IDS)
@pytest.mark.parametrize("release", ["R4B", "R5"])
def test_every_coverage_path_validates_against_the_schema(policy: fc.Policy,
                                                          release: str) -> None:
    """Every transition and guard outcome of `facetcare.testing.paths`, accepted ones."""
    seen = 0
    for path in paths(policy):
        try:
            pw = fc.Pathway.replay(path.events, policy=policy)
        except fc.Rejected:
            continue  # a path that ends in a refusal: its accepted prefix is another path
        # fhir.resources and the value sets are checked in test_fhir_properties.py.
        bundle = to_bundle(pw, release=release, validate=False)  # type: ignore[arg-type]
        assert bundle_errors(bundle, release) == [], path
        seen += 1
    assert seen > 10


@pytest.mark.parametrize("release", ["R4B", "R5"])
def test_operation_outcome_validates_against_the_schema(release: str) -> None:
    j = reach(S.BLOCK_SCHEDULED)
    with pytest.raises(fc.Rejected) as refused:
        j.pw.apply(fc.events.CheckedIn(at=j.now, visit_id="x", escort_present=False))
    outcome = operation_outcome(refused.value, release=release)  # type: ignore[arg-type]
    assert schema_errors(outcome, release) == []
    unexplained = operation_outcome(fc.Rejected(()), release=release)  # type: ignore[arg-type]
    assert schema_errors(unexplained, release) == [] and len(unexplained["issue"]) == 1


# -- value sets and codes ------------------------------------------------------------------


def _concepts(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for item in items:
        out.append(item)
        out += _concepts(item.get("concept", []))
    return out


@cache
def code_systems(package: str) -> dict[str, list[dict[str, Any]]]:
    found = {}
    for path in (SPEC / package / "package").glob("CodeSystem-*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        found[data["url"]] = _concepts(data.get("concept", []))
    return found


def value_set_codes(package: str, name: str) -> set[str]:
    data = package_file(package, f"ValueSet-{name}.json")
    codes: set[str] = set()
    for include in data["compose"]["include"]:
        if "concept" in include:
            codes |= {item["code"] for item in include["concept"]}
        else:
            codes |= {item["code"] for item in code_systems(package)[include["system"]]}
    return codes


@pytest.mark.parametrize("release", ["R4B", "R5"])
def test_value_set_tables_are_the_releases_own(release: str) -> None:
    for name, codes in VALUE_SETS[release].items():
        assert codes == value_set_codes(CORE[release], name), name


def test_the_r4_code_finished_is_not_an_r5_encounter_status() -> None:
    assert "finished" in value_set_codes(CORE["R4B"], "encounter-status")
    assert "finished" not in value_set_codes(CORE["R5"], "encounter-status")


@pytest.mark.parametrize("release", ["R4B", "R5"])
def test_laterality_codes_are_in_the_releases_value_set(release: str) -> None:
    name = {"R4B": "bodysite-laterality", "R5": "bodystructure-relative-location"}[release]
    data = package_file(CORE[release], f"ValueSet-{name}.json")
    listed = {(inc["system"], item["code"]): item.get("display")
              for inc in data["compose"]["include"] for item in inc.get("concept", [])}
    for code, display in c.LATERALITY[release].values():  # type: ignore[index]
        assert listed[(c.SNOMED, code)] == display


def test_encounter_class_ambulatory_is_in_both_bindings() -> None:
    code, display = c.ENCOUNTER_AMBULATORY
    act = {item["code"]: item for item in code_systems(TERMINOLOGY)[c.V3_ACT_CODE]}
    assert act[code]["display"] == display
    # R4B binds v3-ActEncounterCode: ActCode concepts that are-a _ActEncounterCode.
    r4b = package_file(TERMINOLOGY, "ValueSet-v3-ActEncounterCode.json")["compose"]
    assert r4b["include"][0]["filter"] == [
        {"property": "concept", "op": "is-a", "value": "_ActEncounterCode"}]
    parents = {p["valueCode"] for p in act[code]["property"] if p["code"] == "subsumedBy"}
    assert "_ActEncounterCode" in parents
    # R5 binds encounter-class, which lists it.
    r5 = package_file(TERMINOLOGY, "ValueSet-encounter-class.json")["compose"]["include"][0]
    assert r5["system"] == c.V3_ACT_CODE
    assert {"code": code, "display": display} in r5["concept"]


@pytest.mark.parametrize(("uri", "naming_system"), [
    (c.CPT, "NamingSystem-CPT.json"),
    (c.HCPCS, "NamingSystem-hcpcs-Level-II.json"),
    (c.ICD10CM, "NamingSystem-icd10CM.json"),
    (c.LOINC, "NamingSystem-v3-loinc.json"),
    (c.SNOMED, "NamingSystem-v3-snomed-CT.json"),
])
def test_code_system_uris_are_the_preferred_hl7_ones(uri: str, naming_system: str) -> None:
    data = package_file(TERMINOLOGY, naming_system)
    preferred = {u["value"] for u in data["uniqueId"]
                 if u.get("type") == "uri" and u.get("preferred")}
    assert uri in preferred


def test_cpt_is_the_system_of_the_core_cpt_value_set() -> None:
    data = package_file(CORE["R4B"], "ValueSet-cpt-all.json")
    assert data["compose"]["include"] == [{"system": c.CPT}]


@pytest.mark.parametrize("release", ["R4B", "R5"])
def test_a_bundle_with_corrections_validates_against_the_schema(release: str) -> None:
    """Provenance, entered-in-error and amended resources are valid too."""
    import attrs

    from journey import MINUTE

    j = reach(S.BLOCK_OBSERVATION)
    performed = len(j.pw.log) - 1
    block = j.pw.log[performed]
    j.go(fc.events.Amended(at=j.now + MINUTE, seq=performed, reason="typo",
                           replacement=attrs.evolve(block, baseline_pain=9)))
    j.discharge()
    j.go(fc.events.EnteredInError(at=j.now + MINUTE, seq=len(j.pw.log) - 1,
                                  reason="too early"))
    bundle = to_bundle(j.pw, release=release)  # type: ignore[arg-type]
    kinds = {e["resource"]["resourceType"] for e in bundle["entry"]}
    assert "Provenance" in kinds
    assert bundle_errors(bundle, release) == []
