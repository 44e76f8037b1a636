"""What a clinic records so a policy's documentation rules are met (docs/payer-rules.md).

A scheduling system, a test suite or a simulator that makes events for a
payer profile asks here which recorded values that payer accepts: the
referral's findings and diagnosis code, the imaging, sedation and agent of
a block, the imaging and sedation of a neurotomy, the lesion modality.
Each function returns keyword arguments for the event (or the `Lesion`),
chosen as a typical clinic would record them: fluoroscopy, no sedation,
lidocaine, conventional thermal RF, spondylosis without radiculopathy.
Under a policy without such rules the values are still plausible records.
"""

from __future__ import annotations

from typing import Any

from facetcare.anatomy import Region
from facetcare.policy import Policy
from facetcare.vocabulary import Agent, FunctionalScale, Guidance, Modality, Sedation

__all__ = ["block_record", "diagnosis_for", "lesion_record", "neurotomy_record",
           "referral_record"]

#: Spondylosis without myelopathy or radiculopathy, by region [6.2]: .812
#: cervical, .814 thoracic, .816 lumbar (code meanings HIGH, docs/sources.md#codes-note).
_SPONDYLOSIS = {Region.CERVICAL: "M47.812", Region.THORACIC: "M47.814",
                Region.LUMBAR: "M47.816"}
#: Neck pain is scored on the NDI, back pain on the ODI (an assumption of habit).
_SCALE = {Region.CERVICAL: FunctionalScale.NDI, Region.THORACIC: FunctionalScale.ODI,
          Region.LUMBAR: FunctionalScale.ODI}


def diagnosis_for(policy: Policy, region: Region) -> str:
    """The region's spondylosis code, or the policy's first covered code if it lacks it."""
    code = _SPONDYLOSIS[Region(region)]
    covered = policy.covered_diagnoses
    if covered is None or code in covered:
        return code
    return covered[0]


def referral_record(policy: Policy, region: Region) -> dict[str, Any]:
    """`Referred` fields meeting the policy's entry criteria (pain duration and care too)."""
    scale = _SCALE[Region(region)]
    weeks = policy.entry_min_conservative_care_weeks
    return {
        "pain_months": max(policy.entry_min_pain_months or 0, 6),
        "conservative_care_failed": True,
        "conservative_care_weeks": max(weeks or 0, 6),
        "axial_pain": True,
        "baseline_function_scale": scale,
        "baseline_function_score": scale.maximum * 2 // 5,  # moderate disability (40%)
        "untreated_radicular_pain": False,
        "non_facet_cause_excluded": True,
        "diagnosis": diagnosis_for(policy, region),
    }


def _guidance(allowed: tuple[Guidance, ...] | None) -> Guidance:
    if allowed is None or Guidance.FLUOROSCOPY in allowed:
        return Guidance.FLUOROSCOPY
    return allowed[0]


def _sedation(deepest: Sedation | None) -> Sedation:
    return Sedation.NONE if deepest is None else min(Sedation.MINIMAL, deepest,
                                                      key=lambda s: s.depth)


def block_record(policy: Policy) -> dict[str, Any]:
    """`BlockPerformed` fields: guidance, sedation and agent the policy accepts."""
    return {"guidance": _guidance(policy.block_guidance),
            "sedation": _sedation(policy.block_max_sedation), "agent": Agent.LIDOCAINE}


def neurotomy_record(policy: Policy) -> dict[str, Any]:
    """`NeurotomyPerformed` fields: guidance and sedation the policy accepts."""
    return {"guidance": _guidance(policy.neurotomy_guidance),
            "sedation": _sedation(policy.neurotomy_max_sedation)}


def lesion_record(policy: Policy) -> dict[str, Any]:
    """`Lesion` fields: a modality the policy covers (conventional thermal where it may)."""
    covered = policy.lesion_modalities
    if covered is None or Modality.CONVENTIONAL_THERMAL in covered:
        return {"modality": Modality.CONVENTIONAL_THERMAL}
    return {"modality": covered[0]}
