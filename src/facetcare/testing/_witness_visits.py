"""Checks of the payer's documentation rules, the visits, the lesions and the relief window.

Documentation rules (docs/payer-rules.md) are refused just past the rule
and passed on it (the deepest sedation allowed, a covered code). Time
boundaries are the ones `facetcare.timing` computes for the rules:
discharge one minute before and at readiness, diary entries one minute
outside and at the window's edges, the assessment a minute before and
when it opens, follow-ups at the end of settling and one second after it.
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import partial

from facetcare import events as ev
from facetcare import timing as tm
from facetcare.anatomy import Region, Side
from facetcare.machine import Stage
from facetcare.rules import span
from facetcare.testing._checks import (
    SECOND,
    Check,
    Pair,
    WhyNot,
    both,
    case,
    edge,
    needs,
    off,
    unless,
)
from facetcare.testing._makers import BASELINE, DAY, HOUR, MINUTE
from facetcare.testing._script import Script, known
from facetcare.testing._witness_rules import confirm, left
from facetcare.vocabulary import Guidance, Modality, Sedation

__all__ = ["VISITS"]

E = ev
_ESCORT = unless(lambda p: not p.escort_required, "no escort is required")


def _guidance(allowed: tuple[Guidance, ...] | None) -> Pair:
    bad = next((g for g in Guidance if allowed and g not in allowed), None)
    return case(f"guidance {bad}", guidance=bad), case("covered guidance")


def _sedation(deepest: Sedation | None) -> Pair:
    deepest, levels = deepest or Sedation.GENERAL, list(Sedation)
    deeper = levels[deepest.depth + 1] if deepest.depth + 1 < len(levels) else None
    return case("deeper sedation", sedation=deeper), case(f"{deepest} sedation", sedation=deepest)


def _sedation_rule(field: str, what: str) -> WhyNot:
    return unless(lambda p: getattr(p, field) in (None, Sedation.GENERAL), f"no {what} rule")


def _modality(s: Script) -> Pair:
    bad = next(m for m in Modality if m not in (s.policy.lesion_modalities or ()))
    return (case(f"a {bad} lesion", lesions=(s.lesion(s.target(), modality=bad),)),
            case("a covered lesion"))


def _unknown_visit(s: Script, back: Stage | None) -> Pair:
    return (case("a visit id that is not open", visit_id="v-unknown"),
            case("the open visit", stage=back))


def _lesion(s: Script, low: bool, field: str) -> Pair:
    at = float(getattr(s.policy, f"lesion_{'min' if low else 'max'}_{field}") or 0)
    if field == "seconds":
        bad, good, unit = (at - 1 if low else at + 1), at, "s"
    elif low and s.policy.lesion_temperature_strict:
        bad, good, unit = at, at + 0.5, "°C"
    else:
        bad, good, unit = (at - 0.5 if low else at + 0.5), at, "°C"
    return both(lambda value: case(f"a lesion of {value:g} {unit}", lesions=(
        s.lesion(s.target(), **{field: value}),)), bad, good)


def _under_a_minute(field: str, why: str = "") -> WhyNot:
    return unless(lambda p: getattr(p, field) < MINUTE, f"{field} is under a minute{why}")


def _ready(s: Script) -> Pair:
    ready = known(tm.discharge_ready_at(s.facts, s.policy))
    return edge(ready - MINUTE, ready, s.last, "after {}", "at")


def _window(s: Script, before: bool) -> Pair:
    block, end = known(tm.relief_window(s.facts, s.policy))
    bad, good = (block - MINUTE, block) if before else (end + MINUTE, end)
    notes = (("an entry 1 min before the block", "an entry at the block") if before else
             (f"an entry {span(bad - block)} after the block",
              f"an entry {span(good - block)} after the block, recorded the next morning"))
    morning = max(s.last, bad, good) + 12 * HOUR
    return (case(notes[0], entries=(ev.PainEntry(bad, 2),), at=morning),
            case(notes[1], entries=(ev.PainEntry(good, 2),), at=morning))


def _window_open(s: Script) -> Pair:
    opens, block = known(tm.assessment_opens_at(s.facts, s.policy)), known(s.facts.last_block_at)
    return (case(f"assessed {span(opens - MINUTE - block)} after", at=opens - MINUTE),
            case(f"assessed {span(opens - block)} after, no diary", at=opens,
                 stage=Stage.BLOCK_NEGATIVE))


def _scores(threshold: Fraction) -> tuple[int, int]:
    """The highest score that still gives ``threshold`` relief on a baseline of 10, and one more."""
    score = math.floor(BASELINE * (1 - threshold))
    return score, score + 1


def _threshold_edge(field: str) -> WhyNot:
    return unless(lambda p: _scores(getattr(p, field))[1] > BASELINE,
                  f"{field} is 0: every score counts as relief")


def _block_edge(s: Script) -> Pair:
    return both(lambda low: case(
        f"lowest score {low}/{BASELINE}: {(BASELINE - low) / BASELINE:.0%} relief",
        script=s.copy().do(s.diary(low))), *_scores(s.policy.relief_threshold))

#: Rows in the order the report lists them.
VISITS: tuple[Check, ...] = (
    # -- the payer's documentation rules
    Check("region_not_covered", E.Referred, Script.as_is, lambda s: both(
        lambda where: case(f"a {where} referral", region=where),
        next(x for x in Region if x not in (s.policy.regions or ())), s.region),
          why_not=needs("regions", "every region covered")),
    Check("not_axial", E.Referred, Script.as_is, lambda s: (
        case("axial pain not documented", axial_pain=None),
        case("predominantly axial pain", axial_pain=True)),
          why_not=off("entry_requires_axial_pain", "no axial rule")),
    Check("no_baseline_function", E.Referred, Script.as_is, lambda s: (
        case("no baseline score", baseline_function_scale=None, baseline_function_score=None),
        case("a baseline score")),
          why_not=off("entry_requires_baseline_function", "no baseline rule")),
    Check("radicular_pain", E.Referred, Script.as_is, lambda s: (
        case("untreated radiculopathy", untreated_radicular_pain=True),
        case("none", untreated_radicular_pain=False)),
          why_not=off("entry_excludes_radicular_pain", "no rule")),
    Check("non_facet_cause", E.Referred, Script.as_is, lambda s: (
        case("not excluded", non_facet_cause_excluded=None),
        case("excluded", non_facet_cause_excluded=True)),
          why_not=off("entry_requires_non_facet_cause_excluded", "no non-facet rule")),
    Check("diagnosis_not_covered", E.Referred, Script.as_is, lambda s: (
        case("a radiculopathy code", diagnosis="M54.16"), case("a covered spondylosis code")),
          why_not=needs("covered_diagnoses", "no diagnosis rule")),
    Check("levels_not_contiguous", E.NeurotomyScheduled,
          lambda s: confirm(s.referred(), left(s, 3)), lambda s: (
              case("a gap between levels", targets=left(s, 3)[::2]),  # under a one-level cap:
              case("adjacent levels", targets=left(s, min(2, s.policy.max_neurotomy_levels or 2)))),
          why_not=off("neurotomy_levels_contiguous", "no contiguity rule")),
    Check("target_mismatch", E.NeurotomyPerformed, lambda s: confirm(
        s.referred(), (s.target(), s.target(side=Side.RIGHT))).then(
            ev.NeurotomyScheduled, targets=(s.target(),)).then(ev.CheckedIn), lambda s: (
        case("a lesion on a side not booked", lesions=(
            s.lesion(s.target()), s.lesion(s.target(side=Side.RIGHT)))),
        case("the booked side", lesions=(s.lesion(s.target()),)))),
    Check("imaging_guidance", E.BlockPerformed, Script.checked_in,
          lambda s: _guidance(s.policy.block_guidance),
          why_not=needs("block_guidance", "no guidance rule")),
    Check("imaging_guidance", E.NeurotomyPerformed, Script.treating,
          lambda s: _guidance(s.policy.neurotomy_guidance),
          why_not=needs("neurotomy_guidance", "no guidance rule")),
    Check("sedation", E.BlockPerformed, Script.checked_in,
          lambda s: _sedation(s.policy.block_max_sedation),
          why_not=_sedation_rule("block_max_sedation", "block sedation")),
    Check("sedation", E.NeurotomyPerformed, Script.treating,
          lambda s: _sedation(s.policy.neurotomy_max_sedation),
          why_not=_sedation_rule("neurotomy_max_sedation", "neurotomy sedation")),
    Check("anaesthetic_agent", E.BlockPerformed, Script.checked_in, lambda s: (
        case("no agent recorded", agent=None), case("lidocaine")),
          why_not=off("block_agent_required", "no agent rule")),
    Check("lesion_modality", E.NeurotomyPerformed, Script.treating, _modality,
          why_not=needs("lesion_modalities", "no modality rule")),
    # -- visits and visit ids
    Check("no_escort", E.CheckedIn, Script.booked, lambda s: (
        case("no escort", escort_present=False), case("with an escort")), why_not=_ESCORT),
    Check("no_escort", E.Discharged, Script.visit_for_block, lambda s: (
        case("no escort", escort_present=False), case("with an escort")), why_not=_ESCORT),
    *(Check("unknown_visit", kind, setup, partial(_unknown_visit, back=back))
      for kind, setup, back in (
          (E.CheckedIn, Script.booked, None), (E.BlockPerformed, Script.checked_in, None),
          (E.NeurotomyPerformed, Script.treating, None),
          (E.Discharged, Script.visit_for_block, None),
          (E.VisitCancelled, Script.booked, Stage.REFERRED),
          (E.VisitMissed, Script.booked, Stage.REFERRED))),
    Check("duplicate_visit", E.BlockScheduled, lambda s: s.block(False), lambda s: (
        case("the first block's visit id again", visit_id="v1"), case("a new visit id"))),
    Check("duplicate_visit", E.NeurotomyScheduled, Script.recurrence, lambda s: (
        case("the last neurotomy's visit id again", visit_id=next(
            v.visit_id for v in s.facts.visits.values() if v.kind == "neurotomy")),
        case("a new visit id"))),
    Check("target_mismatch", E.BlockPerformed, lambda s: s.then(
        ev.BlockScheduled, targets=(s.target(), s.target(side=Side.RIGHT))).then(ev.CheckedIn),
          lambda s: (case("a joint not booked", targets=(s.target(), s.target("other"))),
                     case("fewer targets than booked", targets=(s.target(),)))),
    Check("region_mismatch", E.BlockScheduled, Script.referred, lambda s: (
        case("a joint of another region", targets=(s.target("foreign"),)),
        case("a joint of the pathway's region"))),
    Check("region_mismatch", E.NeurotomyScheduled, Script.positive, lambda s: (
        case("a joint of another region", targets=(s.target("foreign"),)),
        case("the blocked joint"))),
    # -- lesions, observation, the relief window
    *(Check(code, E.NeurotomyPerformed, Script.treating, partial(_lesion, low=low, field=field),
            "minimum" if low else "maximum", needs(
                f"lesion_{'min' if low else 'max'}_{field}",
                f"no {'minimum' if low else 'maximum'} {what}"))
      for code, field, what in (("lesion_duration", "seconds", "lesion duration"),
                                ("lesion_temperature", "temperature_c", "temperature"))
      for low in (True, False)),
    Check("lesion_temperature", E.NeurotomyPerformed, Script.treating, lambda s: (
        case("a lesion without a temperature",
             lesions=(s.lesion(s.target(), temperature_c=None),)),
        case("a lesion at a recorded temperature")), "not recorded",
          unless(lambda p: p.lesion_min_temperature_c is None
                 and p.lesion_max_temperature_c is None, "no temperature rule")),
    Check("observation_incomplete", E.Discharged, Script.visit_for_block, _ready,
          "after the block", _under_a_minute("block_observation", ": nothing to refuse")),
    Check("observation_incomplete", E.Discharged,
          lambda s: s.treating().then(ev.NeurotomyPerformed), _ready,
          "after the neurotomy", _under_a_minute("neurotomy_recovery", ": nothing to refuse")),
    Check("outside_relief_window", E.ReliefDiaryRecorded, Script.assessing,
          partial(_window, before=False), "after the window"),
    Check("outside_relief_window", E.ReliefDiaryRecorded, Script.assessing,
          partial(_window, before=True), "before the block"),
    Check("relief_window_open", E.ReliefAssessed, Script.assessing, _window_open,
          why_not=_under_a_minute("relief_window_min")),
    # -- computed branch edges
    Check("relief_threshold", E.ReliefAssessed, Script.assessing, _block_edge,
          why_not=_threshold_edge("relief_threshold"),
          outcomes=("block_positive", "block_negative")),
    Check("neurotomy_success_threshold", E.FollowUpRecorded, Script.treated, lambda s: both(
        lambda n: case(f"score {n}/{BASELINE} a day later", pain_score=n, at=s.last + DAY),
        *_scores(s.policy.neurotomy_success_threshold)),
          why_not=_threshold_edge("neurotomy_success_threshold"),
          outcomes=("sustained_relief", "follow_up")),
    Check("follow_up_settling", E.FollowUpRecorded, Script.treated, lambda s: edge(
        max(s.last, ends := known(tm.settling_ends_at(s.facts, s.policy))), ends + SECOND,
        known(s.facts.neurotomy).at, "no relief {} after", "at", pain_score=BASELINE),
          outcomes=("follow_up", "no_relief")),
)
