"""Rules at the visit: check-in, the procedure, discharge (docs/rules.md#visits)."""

from __future__ import annotations

from typing import Any

from facetcare import events as ev
from facetcare import timing
from facetcare.codes import (
    ANAESTHETIC_AGENT,
    IMAGING_GUIDANCE,
    LESION_DURATION,
    LESION_MODALITY,
    LESION_TEMPERATURE,
    NO_ESCORT,
    OBSERVATION_INCOMPLETE,
    SEDATION,
    TARGET_MISMATCH,
    UNKNOWN_VISIT,
    UNTESTED_TARGET,
)
from facetcare.errors import Reason
from facetcare.facts import Facts, nerves_of
from facetcare.machine import Stage
from facetcare.policy import Policy
from facetcare.rules._declare import gives, span, when
from facetcare.rules.booking import untested
from facetcare.vocabulary import Guidance, Sedation

__all__ = [
    "anaesthetic_agent",
    "block_guidance",
    "block_sedation",
    "lesion_duration",
    "lesion_modality",
    "lesion_target_mismatch",
    "lesion_temperature",
    "neurotomy_guidance",
    "neurotomy_sedation",
    "no_escort",
    "observation_incomplete",
    "target_mismatch",
    "unknown_visit",
    "untested_lesion",
]


@gives(NO_ESCORT)
def no_escort(facts: Facts, event: ev.CheckedIn | ev.Discharged,
              policy: Policy) -> Reason | None:
    if policy.escort_required and not event.escort_present:
        moment = "check-in" if isinstance(event, ev.CheckedIn) else "discharge"
        return Reason(
            NO_ESCORT,
            f"no driver or escort at {moment}; {policy.name} requires one to take the "
            "patient home",
        )
    return None


@gives(UNKNOWN_VISIT)
def unknown_visit(facts: Facts, event: Any, policy: Policy) -> Reason | None:
    visit = facts.open_visit
    if visit is None or event.visit_id != visit.visit_id:
        expected = f"the open visit is {visit.visit_id}" if visit else "no visit is open"
        return Reason(UNKNOWN_VISIT, f"visit {event.visit_id} is not open here; {expected}")
    return None


@gives(TARGET_MISMATCH)
def target_mismatch(facts: Facts, event: ev.BlockPerformed, policy: Policy) -> Reason | None:
    booked = facts.open_visit.targets if facts.open_visit else ()
    extra = [t for t in event.targets if t not in booked]
    if extra:
        return Reason(
            TARGET_MISMATCH,
            "not booked for this visit: " + ", ".join(f"{t.side} {t.joint}" for t in extra),
        )
    return None


@gives(TARGET_MISMATCH)
def lesion_target_mismatch(facts: Facts, event: ev.NeurotomyPerformed,
                           policy: Policy) -> Reason | None:
    """Lesions only on the targets the neurotomy visit was booked for (fewer is fine)."""
    booked = facts.open_visit.targets if facts.open_visit else ()
    extra = list(dict.fromkeys(lesion.target for lesion in event.lesions
                               if lesion.target not in booked))
    if extra:
        return Reason(
            TARGET_MISMATCH,
            "lesions on targets not booked for this visit: "
            + ", ".join(f"{t.side} {t.joint}" for t in extra),
        )
    return None


def _guidance(allowed: tuple[Guidance, ...] | None, used: Guidance | None, what: str,
              policy: Policy) -> Reason | None:
    if allowed is None or used in allowed:
        return None
    names = " or ".join(str(g) for g in allowed)
    found = "not recorded" if used is None else str(used)
    return Reason(IMAGING_GUIDANCE,
                  f"{policy.name} covers a {what} under {names} guidance only ({what}: {found})")


@gives(IMAGING_GUIDANCE)
def block_guidance(facts: Facts, event: ev.BlockPerformed, policy: Policy) -> Reason | None:
    return _guidance(policy.block_guidance, event.guidance, "block", policy)


@gives(IMAGING_GUIDANCE)
def neurotomy_guidance(facts: Facts, event: ev.NeurotomyPerformed,
                       policy: Policy) -> Reason | None:
    return _guidance(policy.neurotomy_guidance, event.guidance, "neurotomy", policy)


def _sedation(deepest: Sedation | None, used: Sedation | None, why: str,
              policy: Policy) -> Reason | None:
    if deepest is None or (used is not None and used.depth <= deepest.depth):
        return None
    found = "not recorded" if used is None else f"{used} sedation"
    return Reason(SEDATION, f"{found}; {policy.name} allows at most {deepest} {why}")


@gives(SEDATION)
def block_sedation(facts: Facts, event: ev.BlockPerformed, policy: Policy) -> Reason | None:
    """Deeper than the policy allows, a block does not count as diagnostic."""
    return _sedation(policy.block_max_sedation, event.sedation,
                     "for a block to count as diagnostic (the patient must report the relief)",
                     policy)


@gives(SEDATION)
def neurotomy_sedation(facts: Facts, event: ev.NeurotomyPerformed,
                       policy: Policy) -> Reason | None:
    return _sedation(policy.neurotomy_max_sedation, event.sedation, "for a neurotomy", policy)


@gives(ANAESTHETIC_AGENT)
def anaesthetic_agent(facts: Facts, event: ev.BlockPerformed, policy: Policy) -> Reason | None:
    if not policy.block_agent_required or event.agent is not None:
        return None
    return Reason(ANAESTHETIC_AGENT,
                  f"{policy.name} judges relief for the agent used: record the block's local "
                  "anaesthetic (lidocaine, bupivacaine, ropivacaine)")


@gives(LESION_MODALITY)
def lesion_modality(facts: Facts, event: ev.NeurotomyPerformed,
                    policy: Policy) -> Reason | None:
    covered = policy.lesion_modalities
    if covered is None:
        return None
    bad = [lesion.modality for lesion in event.lesions if lesion.modality not in covered]
    if not bad:
        return None
    found = sorted({"not recorded" if m is None else str(m) for m in bad})
    names = ", ".join(str(m) for m in covered)
    return Reason(LESION_MODALITY,
                  f"{len(bad)} lesion(s) {', '.join(found)}; {policy.name} covers {names} only")


@gives(LESION_DURATION)
def lesion_duration(facts: Facts, event: ev.NeurotomyPerformed,
                    policy: Policy) -> Reason | None:
    low, high = policy.lesion_min_seconds, policy.lesion_max_seconds
    bad = [
        lesion.seconds for lesion in event.lesions
        if (low is not None and lesion.seconds < low)
        or (high is not None and lesion.seconds > high)
    ]
    if bad:
        allowed = f"{low or 0}–{high} s" if high is not None else f"at least {low} s"
        return Reason(
            LESION_DURATION,
            f"lesion(s) of {', '.join(f'{s:g} s' for s in bad)}; {policy.name} allows {allowed}",
        )
    return None


@gives(LESION_TEMPERATURE)
def lesion_temperature(
    facts: Facts, event: ev.NeurotomyPerformed, policy: Policy
) -> Reason | None:
    low, high = policy.lesion_min_temperature_c, policy.lesion_max_temperature_c
    if low is None and high is None:
        return None
    strict = policy.lesion_temperature_strict
    missing = sum(1 for lesion in event.lesions if lesion.temperature_c is None)
    bad = [
        t for lesion in event.lesions if (t := lesion.temperature_c) is not None
        and ((low is not None and (t <= low if strict else t < low))
             or (high is not None and t > high))
    ]
    if not missing and not bad:
        return None
    lower = "" if low is None else f"{'above' if strict else 'at least'} {low:g} °C"
    upper = "" if high is None else f"at most {high:g} °C"
    rule = " and ".join(p for p in (lower, upper) if p)
    found = ([f"{missing} lesion(s) without a temperature"] if missing else []) + (
        [f"lesion(s) at {', '.join(f'{t:g} °C' for t in bad)}"] if bad else [])
    return Reason(LESION_TEMPERATURE, f"{'; '.join(found)}; {policy.name} requires {rule}")


@gives(UNTESTED_TARGET)
def untested_lesion(facts: Facts, event: ev.NeurotomyPerformed,
                    policy: Policy) -> Reason | None:
    origin = facts.open_visit.origin if facts.open_visit else facts.state
    nerves = nerves_of(tuple([lesion.target for lesion in event.lesions]))
    return untested(facts, nerves, origin, policy, "lesions on")


@gives(OBSERVATION_INCOMPLETE)
def observation_incomplete(facts: Facts, event: ev.Discharged,
                           policy: Policy) -> Reason | None:
    ready = timing.discharge_ready_at(facts, policy)
    if ready is None or event.at >= ready:
        return None
    if facts.state == Stage.BLOCK_OBSERVATION:
        needed, what = policy.block_observation, "block observation"
    else:
        needed, what = policy.neurotomy_recovery, "neurotomy recovery"
    given = ready - needed
    return Reason(
        OBSERVATION_INCOMPLETE,
        f"discharge {span(event.at - given)} after the procedure; {what} takes "
        f"{span(needed)} (not before {when(ready)})",
    )
