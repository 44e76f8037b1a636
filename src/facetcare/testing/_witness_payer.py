"""Witnesses for the payer's documentation rules (docs/payer-rules.md).

Region coverage, the referral's findings and diagnosis code, contiguous
levels, lesions on booked targets only, and how a procedure was done
(imaging, sedation, agent, lesion modality): each refused just past the
rule and passed on it (the deepest sedation allowed, a covered code).
"""

from __future__ import annotations

from typing import Any

from facetcare import events as ev
from facetcare.anatomy import Region, Side
from facetcare.policy import Policy
from facetcare.testing._checks import check, needs, unless
from facetcare.testing._makers import joints_of
from facetcare.testing._report import Path
from facetcare.testing._script import Script, passed, refused, start, treating
from facetcare.vocabulary import Guidance, Modality, Sedation

E = ev
Pair = tuple[Path, Path]


def _off(field: str, why: str) -> Any:
    return unless(lambda p: not getattr(p, field), f"{why} ({field} is off)")


def _confirm(s: Script, targets: tuple[ev.Target, ...]) -> Script:
    """Positive blocks confirming ``targets``, in sessions the block level cap allows."""
    per = s.pathway.policy_in_force.max_block_levels or len(targets)
    joints = list(dict.fromkeys(t.joint for t in targets))
    for i in range(0, len(joints), per):
        chunk = tuple(t for t in targets if t.joint in joints[i:i + per])
        for _ in range(s.pathway.policy_in_force.blocks_required):
            s.block(True, targets=chunk)
    return s


@check("region_not_covered", E.Referred, "", needs("regions", "every region covered"))
def region(p: Policy, r: Region) -> Pair:
    other = next(x for x in Region if p.regions is not None and x not in p.regions)
    s = Script(p, r)
    return (refused(s, s.referral(region=other), f"a {other} referral"),
            passed(s, s.referral(), f"a {r} referral"))


@check("not_axial", E.Referred, "", _off("entry_requires_axial_pain", "no axial rule"))
def axial(p: Policy, r: Region) -> Pair:
    s = Script(p, r)
    return (refused(s, s.referral(axial_pain=None), "axial pain not documented"),
            passed(s, s.referral(axial_pain=True), "predominantly axial pain"))


@check("no_baseline_function", E.Referred, "",
       _off("entry_requires_baseline_function", "no baseline rule"))
def baseline(p: Policy, r: Region) -> Pair:
    s = Script(p, r)
    return (refused(s, s.referral(baseline_function_scale=None, baseline_function_score=None),
                    "no baseline score"),
            passed(s, s.referral(), "a baseline score"))


@check("radicular_pain", E.Referred, "", _off("entry_excludes_radicular_pain", "no rule"))
def radicular(p: Policy, r: Region) -> Pair:
    s = Script(p, r)
    return (refused(s, s.referral(untreated_radicular_pain=True), "untreated radiculopathy"),
            passed(s, s.referral(untreated_radicular_pain=False), "none"))


@check("non_facet_cause", E.Referred, "",
       _off("entry_requires_non_facet_cause_excluded", "no non-facet rule"))
def non_facet(p: Policy, r: Region) -> Pair:
    s = Script(p, r)
    return (refused(s, s.referral(non_facet_cause_excluded=None), "not excluded"),
            passed(s, s.referral(non_facet_cause_excluded=True), "excluded"))


@check("diagnosis_not_covered", E.Referred, "", needs("covered_diagnoses", "no diagnosis rule"))
def diagnosis(p: Policy, r: Region) -> Pair:
    s = Script(p, r)
    return (refused(s, s.referral(diagnosis="M54.16"), "a radiculopathy code"),
            passed(s, s.referral(), "a covered spondylosis code"))


@check("levels_not_contiguous", E.NeurotomyScheduled, "",
       _off("neurotomy_levels_contiguous", "no contiguity rule"))
def contiguous(p: Policy, r: Region) -> Pair:
    three = tuple(ev.Target(j, Side.LEFT) for j in joints_of(r)[:3])
    s = _confirm(start(p, r), three)
    cap = p.max_neurotomy_levels
    adjacent = three[:2] if cap is None or cap >= 2 else three[:1]  # one level: no gap
    return (refused(s, s.book_neurotomy(targets=(three[0], three[2])), "a gap between levels"),
            passed(s, s.book_neurotomy(targets=adjacent), "adjacent levels"))


@check("target_mismatch", E.NeurotomyPerformed)
def lesion_target(p: Policy, r: Region) -> Pair:
    s = start(p, r)
    left, right = s.target(), s.target(Side.RIGHT)
    _confirm(s, (left, right))
    s.do(s.book_neurotomy(targets=(left,))).do(s.check_in())
    return (refused(s, s.perform_neurotomy(lesions=(s.lesion(left), s.lesion(right))),
                    "a lesion on a side not booked"),
            passed(s, s.perform_neurotomy(lesions=(s.lesion(left),)), "the booked side"))


def _block_visit(p: Policy, r: Region) -> Script:
    s = start(p, r)
    return s.do(s.book_block()).do(s.check_in())


@check("imaging_guidance", E.BlockPerformed, "", needs("block_guidance", "no guidance rule"))
def block_guidance(p: Policy, r: Region) -> Pair:
    bad = next((g for g in Guidance if p.block_guidance and g not in p.block_guidance), None)
    s = _block_visit(p, r)
    return (refused(s, s.perform_block(guidance=bad), f"guidance {bad}"),
            passed(s, s.perform_block(), "covered guidance"))


@check("imaging_guidance", E.NeurotomyPerformed, "",
       needs("neurotomy_guidance", "no guidance rule"))
def neurotomy_guidance(p: Policy, r: Region) -> Pair:
    allowed = p.neurotomy_guidance or ()
    bad = next((g for g in Guidance if g not in allowed), None)
    s = treating(p, r)
    return (refused(s, s.perform_neurotomy(guidance=bad), f"guidance {bad}"),
            passed(s, s.perform_neurotomy(), "covered guidance"))


def _deeper(deepest: Sedation) -> Sedation | None:
    levels = list(Sedation)
    return levels[deepest.depth + 1] if deepest.depth + 1 < len(levels) else None


@check("sedation", E.BlockPerformed, "", unless(
    lambda p: p.block_max_sedation is None or p.block_max_sedation == Sedation.GENERAL,
    "no block sedation rule"))
def block_sedation(p: Policy, r: Region) -> Pair:
    deepest = p.block_max_sedation or Sedation.GENERAL
    s = _block_visit(p, r)
    return (refused(s, s.perform_block(sedation=_deeper(deepest)), "deeper sedation"),
            passed(s, s.perform_block(sedation=deepest), f"{deepest} sedation"))


@check("sedation", E.NeurotomyPerformed, "", unless(
    lambda p: p.neurotomy_max_sedation is None or p.neurotomy_max_sedation == Sedation.GENERAL,
    "no neurotomy sedation rule"))
def neurotomy_sedation(p: Policy, r: Region) -> Pair:
    deepest = p.neurotomy_max_sedation or Sedation.GENERAL
    s = treating(p, r)
    return (refused(s, s.perform_neurotomy(sedation=_deeper(deepest)), "deeper sedation"),
            passed(s, s.perform_neurotomy(sedation=deepest), f"{deepest} sedation"))


@check("anaesthetic_agent", E.BlockPerformed, "", _off("block_agent_required", "no agent rule"))
def agent(p: Policy, r: Region) -> Pair:
    s = _block_visit(p, r)
    return (refused(s, s.perform_block(agent=None), "no agent recorded"),
            passed(s, s.perform_block(), "lidocaine"))


@check("lesion_modality", E.NeurotomyPerformed, "",
       needs("lesion_modalities", "no modality rule"))
def modality(p: Policy, r: Region) -> Pair:
    bad = next(m for m in Modality if m not in (p.lesion_modalities or ()))
    s = treating(p, r)
    burn = s.lesion(s.target(), modality=bad)
    return (refused(s, s.perform_neurotomy(lesions=(burn,)), f"a {bad} lesion"),
            passed(s, s.perform_neurotomy(), "a covered lesion"))
