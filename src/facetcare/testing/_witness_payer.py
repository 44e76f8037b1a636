"""Witnesses for the payer's documentation rules (docs/payer-rules.md).

Region coverage, the referral's findings and diagnosis code, the imaging,
sedation and agent of a procedure, the lesion modality, lesions on booked
targets only, and contiguous levels: each refused just past the rule and
passed on it (the deepest sedation allowed, the covered code).
"""

from __future__ import annotations

from facetcare import events as ev
from facetcare.anatomy import JOINTS, Region, Side
from facetcare.policy import Policy
from facetcare.testing._cases import Build, Case, passed, refused, start
from facetcare.testing._script import Script
from facetcare.vocabulary import Guidance, Modality, Sedation

__all__ = [
    "agent",
    "confirm",
    "diagnosis",
    "guidance",
    "lesion_target",
    "modality",
    "non_contiguous",
    "referral_finding",
    "region",
    "sedation",
]


def confirm(s: Script, targets: tuple[ev.Target, ...]) -> Script:
    """Positive blocks confirming ``targets``, in sessions the block level cap allows."""
    cap = s.policy.max_block_levels or len(targets)
    joints = list(dict.fromkeys(t.joint for t in targets))
    for i in range(0, len(joints), cap):
        chunk = tuple(t for t in targets if t.joint in joints[i:i + cap])
        for _ in range(s.policy.blocks_required):
            s.block(True, targets=chunk)
    return s


def region(p: Policy, r: Region) -> tuple[Case, Case]:
    other = next(x for x in Region if p.regions is None or x not in p.regions)
    s = Script(p, r)
    return (refused(s, s.referral(region=other), f"a {other} referral"),
            passed(s, s.referral(), f"a {r} referral"))


def referral_finding(field: str, bad: object, good: object) -> Build:
    def build(p: Policy, r: Region) -> tuple[Case, Case]:
        s = Script(p, r)
        return (refused(s, s.referral(**{field: bad}), f"{field} {bad}"),
                passed(s, s.referral(**{field: good}), f"{field} {good}"))

    return build


def no_baseline(p: Policy, r: Region) -> tuple[Case, Case]:
    s = Script(p, r)
    return (refused(s, s.referral(baseline_function_scale=None, baseline_function_score=None),
                    "no baseline score"),
            passed(s, s.referral(), "a baseline score"))


def diagnosis(p: Policy, r: Region) -> tuple[Case, Case]:
    s = Script(p, r)
    return (refused(s, s.referral(diagnosis="M54.16"), "a radiculopathy code"),
            passed(s, s.referral(), "a covered spondylosis code"))


def _visit(p: Policy, r: Region, kind: type[ev.Event]) -> Script:
    if kind is ev.BlockPerformed:
        s = start(p, r)
        return s.do(s.book_block()).do(s.check_in())
    s = start(p, r).positive()
    return s.do(s.book_neurotomy()).do(s.check_in())


def _perform(s: Script, kind: type[ev.Event], **record: object) -> ev.Event:
    return s.perform_block(**record) if kind is ev.BlockPerformed else s.perform_neurotomy(
        **record)


def guidance(kind: type[ev.Event]) -> Build:
    def build(p: Policy, r: Region) -> tuple[Case, Case]:
        allowed = p.block_guidance if kind is ev.BlockPerformed else p.neurotomy_guidance
        bad = next((g for g in Guidance if allowed is not None and g not in allowed), None)
        s = _visit(p, r, kind)
        return (refused(s, _perform(s, kind, guidance=bad), f"guidance {bad}"),
                passed(s, _perform(s, kind), "covered guidance"))

    return build


def sedation(kind: type[ev.Event]) -> Build:
    def build(p: Policy, r: Region) -> tuple[Case, Case]:
        deepest = p.block_max_sedation if kind is ev.BlockPerformed else (
            p.neurotomy_max_sedation)
        assert deepest is not None
        levels = list(Sedation)
        deeper = levels[deepest.depth + 1] if deepest.depth + 1 < len(levels) else None
        s = _visit(p, r, kind)
        return (refused(s, _perform(s, kind, sedation=deeper), f"{deeper} sedation"),
                passed(s, _perform(s, kind, sedation=deepest), f"{deepest} sedation"))

    return build


def agent(p: Policy, r: Region) -> tuple[Case, Case]:
    s = _visit(p, r, ev.BlockPerformed)
    return (refused(s, s.perform_block(agent=None), "no agent recorded"),
            passed(s, s.perform_block(), "lidocaine"))


def modality(p: Policy, r: Region) -> tuple[Case, Case]:
    covered = p.lesion_modalities or ()
    bad = next(m for m in Modality if m not in covered)
    s = _visit(p, r, ev.NeurotomyPerformed)
    lesion = s.lesion(s.target(), modality=bad)
    return (refused(s, s.perform_neurotomy(lesions=(lesion,)), f"a {bad} lesion"),
            passed(s, s.perform_neurotomy(), "a covered lesion"))


def lesion_target(p: Policy, r: Region) -> tuple[Case, Case]:
    s = Script(p, r).refer()
    left, right = s.target(), s.target(Side.RIGHT)
    confirm(s, (left, right))
    s.do(s.book_neurotomy(targets=(left,))).do(s.check_in())
    return (refused(s, s.perform_neurotomy(lesions=(s.lesion(left), s.lesion(right))),
                    "a lesion on a side not booked"),
            passed(s, s.perform_neurotomy(), "lesions on the booked side"))


def non_contiguous(p: Policy, r: Region) -> tuple[Case, Case]:
    joints = [j for j, where in JOINTS.items() if where == r][:3]
    three = tuple(ev.Target(j, Side.LEFT) for j in joints)
    s = confirm(Script(p, r).refer(), three)
    cap = p.max_neurotomy_levels
    adjacent = three[:2] if cap is None or cap >= 2 else three[:1]  # one level: no gap
    return (refused(s, s.book_neurotomy(targets=(three[0], three[2])), "a gap between levels"),
            passed(s, s.book_neurotomy(targets=adjacent), "adjacent levels"))
