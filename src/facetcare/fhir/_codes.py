"""Every code and URL the FHIR mapping emits, each with where it was verified.

A standard code is written only when a source confirms it; the source is
named beside it (and in docs/fhir.md). Where no standard code was confirmed
(SNOMED CT for these procedures, percent relief, the stage of a pathway),
facetcare's own code system is used, under `BASE`, and says so.

Package files named below are from the HL7 FHIR npm packages
``hl7.fhir.r4b.core`` 4.3.0, ``hl7.fhir.r5.core`` 5.0.0 and
``hl7.terminology.r4`` 7.0.1; ``tests/test_fhir_spec.py`` re-reads those
files and fails if a code here is not in them.
"""

from __future__ import annotations

from typing import Final, Literal

Release = Literal["R4B", "R5"]
RELEASES: Final[tuple[Release, ...]] = ("R4B", "R5")

#: facetcare's published base URL for its own code systems, extensions and ids.
BASE: Final = "https://facetcare.org/fhir/"


def extension_url(name: str) -> str:
    """``https://facetcare.org/fhir/StructureDefinition/<name>``."""
    return f"{BASE}StructureDefinition/{name}"


def code_system(name: str) -> str:
    """``https://facetcare.org/fhir/CodeSystem/<name>``."""
    return f"{BASE}CodeSystem/{name}"


def identifier_system(name: str) -> str:
    """``https://facetcare.org/fhir/sid/<name>``: the namespace of a facetcare identifier."""
    return f"{BASE}sid/{name}"


# -- standard code systems (URIs) -------------------------------------------------

#: LOINC. hl7.terminology.r4 NamingSystem-v3-loinc.json (uniqueId uri).
LOINC: Final = "http://loinc.org"
#: SNOMED CT. hl7.terminology.r4 NamingSystem-v3-snomed-CT.json.
SNOMED: Final = "http://snomed.info/sct"
#: CPT. hl7.terminology.r4 NamingSystem-CPT.json (preferred uri); the R4B core
#: package's ValueSet-cpt-all.json includes it.
CPT: Final = "http://www.ama-assn.org/go/cpt"
#: HCPCS Level II (procedure and modifier codes, RT/LT among them).
#: hl7.terminology.r4 NamingSystem-hcpcs-Level-II.json (preferred uri).
HCPCS: Final = "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"
#: ICD-10-CM. hl7.terminology.r4 NamingSystem-icd10CM.json (preferred uri).
ICD10CM: Final = "http://hl7.org/fhir/sid/icd-10-cm"
#: HL7 v3 ActCode. hl7.terminology.r4 CodeSystem-v3-ActCode.json.
V3_ACT_CODE: Final = "http://terminology.hl7.org/CodeSystem/v3-ActCode"

# -- standard codes -------------------------------------------------------------------

#: Pain severity on the 0–10 numeric rating scale. LOINC long common name
#: "Pain severity - 0-10 verbal numeric rating [Score] - Reported"; member of
#: the VSAC eCQM value set "Standardized Pain Assessment Tool"
#: (OID 2.16.840.1.113883.3.526.3.1028, CMS157). The code is the one the
#: issue names; its meaning matches facetcare's NRS 0–10 pain scores.
PAIN_NRS: Final = ("72514-3", "Pain severity - 0-10 verbal numeric rating [Score] - Reported")

#: Encounter class "ambulatory": CodeSystem-v3-ActCode.json (code AMB), a member
#: of ValueSet-v3-ActEncounterCode.json (R4B binding) and
#: ValueSet-encounter-class.json (R5 binding), hl7.terminology.r4 7.0.1.
ENCOUNTER_AMBULATORY: Final = ("AMB", "ambulatory")

#: Laterality, per release, from that release's own value set:
#: R4B ValueSet-bodysite-laterality.json (4.3.0);
#: R5 ValueSet-bodystructure-relative-location.json (5.0.0).
LATERALITY: Final[dict[Release, dict[str, tuple[str, str]]]] = {
    "R4B": {"left": ("419161000", "Unilateral left"),
            "right": ("419465000", "Unilateral right")},
    "R5": {"left": ("7771000", "Left (qualifier value)"),
           "right": ("24028007", "Right (qualifier value)")},
}

#: CPT modifier 50 (bilateral procedure) is a CPT modifier; RT and LT are HCPCS
#: Level II modifiers (docs/sources.md: [AAPC-bilateral], [A57826]).
MODIFIER_SYSTEM: Final = {"50": CPT, "RT": HCPCS, "LT": HCPCS}

# -- facetcare's own code systems -------------------------------------------------------
# No standard code was confirmed for these (docs/sources.md#codes-note: no SNOMED CT
# concept for medial branch block or facet RF denervation could be confirmed).

#: What a ServiceRequest orders and what a Procedure or Appointment is.
PROCEDURE: Final = code_system("procedure")
PROCEDURE_CODES: Final = {
    "facet-pain-evaluation": "Facet joint pain evaluation and treatment pathway",
    "medial-branch-block": "Diagnostic medial branch block",
    "radiofrequency-neurotomy": "Radiofrequency neurotomy of the facet joint nerves",
}
#: A facet joint, e.g. "L4-L5" (facetcare.anatomy.JOINTS).
JOINT: Final = code_system("facet-joint")
#: A spinal region: cervical, thoracic, lumbar.
REGION: Final = code_system("spinal-region")
#: Which pathway step an Observation records.
OBSERVATION_ROLE: Final = code_system("observation-role")
OBSERVATION_ROLES: Final = {
    "baseline": "Index pain just before a diagnostic block",
    "relief-diary": "A pain diary entry after a diagnostic block",
    "relief-assessment": "The concluded relief assessment of a diagnostic block",
    "follow-up": "A pain report after a neurotomy",
    "pain-returned": "The pain came back after relief",
}
#: The computed result of a relief assessment.
RELIEF_RESULT: Final = code_system("relief-result")
RELIEF_RESULTS: Final = {"positive": "Block positive", "negative": "Block negative"}
#: The kinds of `facetcare.Task`.
TASK_KIND: Final = code_system("task-kind")
#: facetcare's stable reason codes (`facetcare.Reason.code`).
REASON: Final = code_system("reason")
#: The FHIR release a bundle was written for (a Bundle.meta tag).
RELEASE_TAG: Final = code_system("fhir-release")
#: What a payer asks a clinic to record (docs/payer-rules.md), with the codes of
#: `facetcare.vocabulary`: no standard code for imaging guidance, sedation depth,
#: the anaesthetic agent, the lesion modality or the instrument was verified.
GUIDANCE: Final = code_system("imaging-guidance")
SEDATION: Final = code_system("sedation")
AGENT: Final = code_system("anaesthetic-agent")
MODALITY: Final = code_system("lesion-modality")
FUNCTIONAL_SCALE: Final = code_system("functional-scale")

# -- facetcare's own extensions (definitions in docs/fhir.md) --------------------------

EXT_EVENT: Final = extension_url("event")
EXT_TARGET: Final = extension_url("target")
EXT_LATERALITY: Final = extension_url("laterality")
EXT_ESCORT_CONFIRMED: Final = extension_url("escort-confirmed")
EXT_ESCORT_AT_CHECK_IN: Final = extension_url("escort-at-check-in")
EXT_ESCORT_AT_DISCHARGE: Final = extension_url("escort-at-discharge")
EXT_LESION: Final = extension_url("lesion")
EXT_CPT_LINE: Final = extension_url("cpt-line")
EXT_PAIN_MONTHS: Final = extension_url("pain-months")
EXT_CONSERVATIVE_CARE_FAILED: Final = extension_url("conservative-care-failed")
EXT_STATUS_REASON: Final = extension_url("status-reason")
EXT_POLICY: Final = extension_url("policy")
EXT_POLICY_CHANGE: Final = extension_url("policy-change")
EXT_PRIOR_PROCEDURE: Final = extension_url("prior-procedure")
EXT_CONSERVATIVE_CARE_WEEKS: Final = extension_url("conservative-care-weeks")
EXT_AXIAL_PAIN: Final = extension_url("axial-pain")
EXT_BASELINE_FUNCTION: Final = extension_url("baseline-function")
EXT_UNTREATED_RADICULAR_PAIN: Final = extension_url("untreated-radicular-pain")
EXT_NON_FACET_CAUSE_EXCLUDED: Final = extension_url("non-facet-cause-excluded")
EXT_GUIDANCE: Final = extension_url("imaging-guidance")
EXT_SEDATION: Final = extension_url("sedation")
EXT_AGENT: Final = extension_url("anaesthetic-agent")
EXT_LOG_ENTRY: Final = extension_url("log-entry")

SID_PATHWAY: Final = identifier_system("pathway-id")
SID_PATIENT: Final = identifier_system("patient-id")
SID_VISIT: Final = identifier_system("visit-id")
