"""Every check, one row each: where its step is offered, and what makes it refused or pass.

Each pair stands on its boundary (one second, one minute or one unit
either side). Time boundaries are the ones `facetcare.timing` computes
for the rules: caps and intervals one second either side, discharge one
minute before and at readiness, diary entries one minute outside and at
the window's edges, the assessment a minute before and when it opens,
follow-ups at the end of settling and one second after it. The payer's
documentation rules (docs/payer-rules.md) are refused just past the rule
and passed on it (the deepest sedation allowed, a covered code).
"""

from __future__ import annotations

import datetime as dt
import math
from functools import partial
from typing import Any

from facetcare import events as ev
from facetcare import timing as tm
from facetcare.anatomy import Region, Side
from facetcare.machine import Stage
from facetcare.policy import Policy
from facetcare.rules import span
from facetcare.testing._makers import BASELINE, DAY, HOUR, MINUTE, joints_of
from facetcare.testing._script import (
    SECOND,
    Check,
    Pair,
    Script,
    Setup,
    WhyNot,
    both,
    bound,
    cap,
    case,
    edge,
    known,
    needs,
    off,
    unless,
)
from facetcare.vocabulary import Guidance, Modality, Sedation

__all__ = ["CHECKS"]


def _right_after_no_relief(s: Script) -> Script:
    """No relief from the last neurotomy, then positive blocks on the right side."""
    return s.not_relieved().positive(targets=s.sides()[1:])


def _at_cap(s: Script) -> Script:
    """As many negative blocks as the yearly cap allows."""
    for _ in range(s.policy.max_blocks_per_year or 0):
        s.block(False)
    return s


def _levels(s: Script) -> Pair:
    cap, joints = s.policy.max_block_levels or 0, joints_of(s.region)
    return (case(f"{cap + 1} joints, left side", targets=s.left(cap + 1)),
            case(f"{cap} joints, both sides",
                 targets=tuple(ev.Target(j, side) for j in joints[:cap] for side in Side)))


def _noon_after(s: Script, early: dt.timedelta) -> dict[str, Any]:
    """Booked at noon the clinic day after the last event, for ``early`` before that."""
    at = tm.next_clinic_day(s.last, s.policy) + 12 * HOUR
    return {"at": at, "visit_at": at - early}


def _positive_at(hour: int) -> Setup:
    """Positive blocks, each a week on at ``hour`` o'clock in the clinic's time zone."""
    def setup(s: Script) -> Script:
        p = s.referred().policy
        while len(s.facts.series) < p.blocks_required:
            slot = max(s.last + 6 * DAY, tm.earliest_block_visit(s.facts, p))
            s.visit_for_block(visit_at=tm.next_clinic_day(slot, p) + hour * HOUR)
            s.then(ev.Discharged).do(s.diary(0)).then(ev.ReliefAssessed)
        return s

    return setup


def _same_day(s: Script) -> Pair:
    midnight = tm.next_clinic_day(known(s.facts.last_block_at), s.policy)
    return (case("23:59:59 on the block's day", visit_at=midnight - SECOND),
            case("00:00 the next day", visit_at=midnight))


def _relief_lasted(s: Script) -> Pair:
    """Pain back a second before the repeat rule's relief and on it (two scripts)."""
    s.then(ev.FollowUpRecorded, pain_score=0, at=s.last + MINUTE)
    done, lasts = known(s.facts.neurotomy).at, known(tm.repeat_relief_met_at(s.facts, s.policy))
    return both(lambda at: case(f"relief lasted {span(at - done)}", script=s.copy().then(
        ev.PainReturned, at=at)), lasts - SECOND, lasts)


_ESCORT = unless(lambda p: not p.escort_required, "no escort is required")
_ESCORTED = (case("no escort", escort_present=False), case("with an escort"))


def _guidance(allowed: tuple[Guidance, ...] | None) -> Pair:
    bad = next((g for g in Guidance if allowed and g not in allowed), None)
    return case(f"guidance {bad}", guidance=bad), case("covered guidance")


def _sedation(deepest: Sedation | None) -> Pair:
    deepest, levels = deepest or Sedation.GENERAL, list(Sedation)
    deeper = levels[deepest.depth + 1] if deepest.depth + 1 < len(levels) else None
    return case("deeper sedation", sedation=deeper), case(f"{deepest} sedation", sedation=deepest)


def _modality(s: Script) -> Pair:
    bad = next(m for m in Modality if m not in (s.policy.lesion_modalities or ()))
    return (case(f"a {bad} lesion", lesions=(s.lesion(s.target(), modality=bad),)),
            case("a covered lesion"))


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


def _scores(p: Policy, field: str) -> tuple[int, int]:
    """The highest score that still gives the ``field`` threshold's relief on a baseline of 10
    (more than it, when the policy's ``{field}_strict`` says so), and one more."""
    edge = BASELINE * (1 - getattr(p, field))
    score = math.ceil(edge) - 1 if getattr(p, f"{field}_strict", False) else math.floor(edge)
    return score, score + 1


def _threshold_edge(field: str) -> WhyNot:
    return unless(lambda p: _scores(p, field)[1] > BASELINE,
                  f"{field} is 0: every score counts as relief")


def _block_edge(s: Script) -> Pair:
    return both(lambda low: case(
        f"lowest score {low}/{BASELINE}: {(BASELINE - low) / BASELINE:.0%} relief",
        script=s.copy().do(s.diary(low))), *_scores(s.policy, "relief_threshold"))


#: Every check, in the order the report lists them.
CHECKS: tuple[Check, ...] = (
    # -- the referral and the common rules
    Check("invalid_transition", ev.CheckedIn, Script.referred, (
        case("checked in with no visit booked"),
        case("checked in for the booked visit", script=Script.booked)), "not valid in the stage"),
    Check("invalid_transition", ev.BlockScheduled, lambda s: s.then(ev.Closed), (
        case("a block booked after the pathway closed"),
        case("the same booking before closing", script=Script.referred)), "after a final stage"),
    Check("out_of_order", ev.BlockScheduled, Script.referred, lambda s: (
        case("booked 1 s before the referral", at=s.last - SECOND),
        case("booked at the referral's own time", at=s.last))),
    Check("entry_criteria", ev.Referred, Script.as_is, lambda s: both(
        lambda n: case(f"pain for {n} months", pain_months=n),
        (s.policy.entry_min_pain_months or 0) - 1, s.policy.entry_min_pain_months),
          "pain duration", needs("entry_min_pain_months", "no minimum pain duration")),
    Check("entry_criteria", ev.Referred, Script.as_is, (
        case("conservative care unknown", conservative_care_failed=None),
        case("conservative care failed", conservative_care_failed=True)), "conservative care",
          unless(lambda p: not p.entry_requires_failed_conservative_care,
                 "failed conservative care is not required")),
    # -- bookings
    Check("visit_in_past", ev.BlockScheduled, Script.referred, lambda s: (
        case("visit 1 s before the booking", visit_at=s.last - SECOND),
        case("visit at the booking's own time", visit_at=s.last))),
    Check("visit_in_past", ev.NeurotomyScheduled, Script.positive, lambda s: (
        case("visit 1 s before the booking", **_noon_after(s, SECOND)),
        case("visit at the booking's own time", **_noon_after(s, 0 * SECOND)))),
    Check("block_interval", ev.BlockScheduled, lambda s: s.block(False), lambda s: bound(
        tm.earliest_block_visit(s.facts, s.policy), known(s.facts.last_block_at),
        "{} after the last block"),
          why_not=needs("min_block_gap", "no minimum gap between blocks")),
    Check("annual_limit", ev.BlockScheduled, _at_cap, lambda s: cap(
        s.facts.block_times, s.policy.max_blocks_per_year,
        "block {n1} booked {} after the oldest of {n}"),
          why_not=needs("max_blocks_per_year", "no cap on blocks per 12 months")),
    # A first neurotomy, its repeat, no relief, then blocks on the other side.
    Check("annual_limit", ev.NeurotomyScheduled,
          lambda s: _right_after_no_relief(s.recurrence().neurotomy()), lambda s: cap(
              s.facts.neurotomy_times, s.policy.max_neurotomies_per_year,
              "a third neurotomy {} after the first",
              tm.earliest_neurotomy_visit(s.facts, s.policy), targets=s.sides()[1:]),
          why_not=needs("max_neurotomies_per_year", "no cap on neurotomies per 12 months")),
    Check("too_many_levels", ev.BlockScheduled, Script.referred, _levels,
          why_not=needs("max_block_levels", "no cap on joints per block session")),
    # Confirmed in sessions the block level cap allows (Medicare: 2 joints a session).
    Check("too_many_levels", ev.NeurotomyScheduled,
          lambda s: s.referred().confirm(s.left((s.policy.max_neurotomy_levels or 0) + 1)),
          lambda s: both(lambda n: case(f"{n} joints", targets=s.left(n)),
                         (s.policy.max_neurotomy_levels or 0) + 1,
                         s.policy.max_neurotomy_levels or 0),
          why_not=needs("max_neurotomy_levels", "no cap on joints per neurotomy session")),
    Check("no_positive_block", ev.NeurotomyScheduled, lambda s: s.block(True), lambda s: (
        case("after 1 positive block"),
        case(f"after {s.policy.blocks_required} positive blocks", script=Script.positive)),
          why_not=unless(lambda p: p.blocks_required <= 1, "one positive block is required, "
                         "and block_positive is only reached with one")),
    Check("untested_target", ev.NeurotomyScheduled, Script.positive, lambda s: (
        case("a joint that was not blocked", targets=(s.target("other"),)),
        case("the blocked joint")), "unblocked nerves"),
    Check("untested_target", ev.NeurotomyScheduled, Script.recurrence, lambda s: (
        case("a repeat on other nerves", targets=(s.target("other"),)),
        case("a repeat on the treated nerves")), "repeat on other nerves"),
    Check("untested_target", ev.NeurotomyPerformed, Script.treating, lambda s: (
        case("a lesion on an unblocked joint", lesions=(s.lesion(s.target("other")),)),
        case("lesions on the blocked joint"))),
    Check("same_visit", ev.NeurotomyScheduled, Script.positive, lambda s: (
        case("booked under the block's visit", visit_id=[
            v.visit_id for v in s.facts.visits.values() if v.kind == "block"][-1]),
        case("a visit of its own")), "the block's visit id"),
    # A morning block, so its assessment concludes on the block's own day.
    Check("same_visit", ev.NeurotomyScheduled, _positive_at(9), _same_day, "same calendar day"),
    # An evening block is assessed after midnight: a later day, yet too early.
    Check("same_visit", ev.NeurotomyScheduled, _positive_at(21), lambda s: (
        case("1 min before the assessment concluded", visit_at=s.last - MINUTE),
        case("at the moment of the assessment", visit_at=s.last)), "before the assessment"),
    # No relief, then blocks on the other side: sooner than waiting for a recurrence.
    Check("repeat_too_soon", ev.NeurotomyScheduled,
          lambda s: _right_after_no_relief(s.treated()), lambda s: bound(
              tm.earliest_neurotomy_visit(s.facts, s.policy), known(s.facts.neurotomy).at,
              "{} after the last neurotomy", targets=s.sides()[1:]),
          why_not=needs("min_neurotomy_interval", "no minimum interval between neurotomies")),
    Check("insufficient_prior_relief", ev.NeurotomyScheduled, Script.treated, _relief_lasted,
          "relief too short", needs("repeat_min_relief_duration", "no prior-relief duration rule")),
    Check("insufficient_prior_relief", ev.NeurotomyScheduled,
          lambda s: s.treated().not_relieved().positive(targets=s.sides()), lambda s: (
              case("the nerves that gave no relief", targets=s.sides()[:1]),
              case("the other side, blocked anew", targets=s.sides()[1:])),
          "same nerves, no relief",
          unless(lambda p: p.repeat_min_relief is None and p.repeat_min_relief_duration is None,
                 "no prior-relief rule (repeat_min_relief and its duration are None)")),
    # "Two years or more" [1.3 Palmetto]: the deadline itself needs new blocks.
    Check("reblock_required", ev.NeurotomyScheduled, Script.recurrence, lambda s: edge(
        at := known(tm.reblock_deadline(s.facts, s.policy)), at - SECOND,
        known(s.facts.neurotomy).at, "{} after the last neurotomy"),
          why_not=needs("reblock_after", "repeats never need new blocks")),
    # -- the payer's documentation rules
    Check("region_not_covered", ev.Referred, Script.as_is, lambda s: both(
        lambda where: case(f"a {where} referral", region=where),
        next(x for x in Region if x not in (s.policy.regions or ())), s.region),
          why_not=needs("regions", "every region covered")),
    Check("not_axial", ev.Referred, Script.as_is, (
        case("axial pain not documented", axial_pain=None),
        case("predominantly axial pain", axial_pain=True)),
          why_not=off("entry_requires_axial_pain", "no axial rule")),
    Check("no_baseline_function", ev.Referred, Script.as_is, (
        case("no baseline score", baseline_function_scale=None, baseline_function_score=None),
        case("a baseline score")),
          why_not=off("entry_requires_baseline_function", "no baseline rule")),
    Check("radicular_pain", ev.Referred, Script.as_is, (
        case("untreated radiculopathy", untreated_radicular_pain=True),
        case("none", untreated_radicular_pain=False)),
          why_not=off("entry_excludes_radicular_pain", "no rule")),
    Check("non_facet_cause", ev.Referred, Script.as_is, (
        case("not excluded", non_facet_cause_excluded=None),
        case("excluded", non_facet_cause_excluded=True)),
          why_not=off("entry_requires_non_facet_cause_excluded", "no non-facet rule")),
    Check("diagnosis_not_covered", ev.Referred, Script.as_is, (
        case("a radiculopathy code", diagnosis="M54.16"), case("a covered spondylosis code")),
          why_not=needs("covered_diagnoses", "no diagnosis rule")),
    Check("levels_not_contiguous", ev.NeurotomyScheduled,
          lambda s: s.referred().confirm(s.left(3)), lambda s: (
              case("a gap between levels", targets=s.left(3)[::2]),
              # Two adjacent levels, or one under a one-level cap: no gap either way.
              case("adjacent levels", targets=s.left(min(2, s.policy.max_neurotomy_levels or 2)))),
          why_not=off("neurotomy_levels_contiguous", "no contiguity rule")),
    Check("target_mismatch", ev.NeurotomyPerformed, lambda s: s.referred().confirm(s.sides())
          .then(ev.NeurotomyScheduled, targets=(s.target(),)).then(ev.CheckedIn), lambda s: (
              case("a lesion on a side not booked", lesions=tuple(map(s.lesion, s.sides()))),
              case("the booked side", lesions=(s.lesion(s.target()),)))),
    Check("imaging_guidance", ev.BlockPerformed, Script.checked_in,
          lambda s: _guidance(s.policy.block_guidance),
          why_not=needs("block_guidance", "no guidance rule")),
    Check("imaging_guidance", ev.NeurotomyPerformed, Script.treating,
          lambda s: _guidance(s.policy.neurotomy_guidance),
          why_not=needs("neurotomy_guidance", "no guidance rule")),
    Check("sedation", ev.BlockPerformed, Script.checked_in,
          lambda s: _sedation(s.policy.block_max_sedation),
          why_not=unless(lambda p: p.block_max_sedation in (None, Sedation.GENERAL),
                         "no block sedation rule")),
    Check("sedation", ev.NeurotomyPerformed, Script.treating,
          lambda s: _sedation(s.policy.neurotomy_max_sedation),
          why_not=unless(lambda p: p.neurotomy_max_sedation in (None, Sedation.GENERAL),
                         "no neurotomy sedation rule")),
    Check("anaesthetic_agent", ev.BlockPerformed, Script.checked_in, (
        case("no agent recorded", agent=None), case("lidocaine")),
          why_not=off("block_agent_required", "no agent rule")),
    Check("lesion_modality", ev.NeurotomyPerformed, Script.treating, _modality,
          why_not=needs("lesion_modalities", "no modality rule")),
    # -- visits and visit ids
    Check("no_escort", ev.CheckedIn, Script.booked, _ESCORTED, why_not=_ESCORT),
    Check("no_escort", ev.Discharged, Script.visit_for_block, _ESCORTED, why_not=_ESCORT),
    *(Check("unknown_visit", kind, setup, (
        case("a visit id that is not open", visit_id="v-unknown"),
        case("the open visit", stage=back))) for kind, setup, back in (
          (ev.CheckedIn, Script.booked, None), (ev.BlockPerformed, Script.checked_in, None),
          (ev.NeurotomyPerformed, Script.treating, None),
          (ev.Discharged, Script.visit_for_block, None),
          (ev.VisitCancelled, Script.booked, Stage.REFERRED),
          (ev.VisitMissed, Script.booked, Stage.REFERRED))),
    Check("duplicate_visit", ev.BlockScheduled, lambda s: s.block(False), lambda s: (
        case("the first block's visit id again", visit_id="v1"), case("a new visit id"))),
    Check("duplicate_visit", ev.NeurotomyScheduled, Script.recurrence, lambda s: (
        case("the last neurotomy's visit id again", visit_id=next(
            v.visit_id for v in s.facts.visits.values() if v.kind == "neurotomy")),
        case("a new visit id"))),
    Check("target_mismatch", ev.BlockPerformed, lambda s: s.then(
        ev.BlockScheduled, targets=s.sides()).then(ev.CheckedIn),
          lambda s: (case("a joint not booked", targets=(s.target(), s.target("other"))),
                     case("fewer targets than booked", targets=(s.target(),)))),
    Check("region_mismatch", ev.BlockScheduled, Script.referred, lambda s: (
        case("a joint of another region", targets=(s.target("foreign"),)),
        case("a joint of the pathway's region"))),
    Check("region_mismatch", ev.NeurotomyScheduled, Script.positive, lambda s: (
        case("a joint of another region", targets=(s.target("foreign"),)),
        case("the blocked joint"))),
    # -- lesions, observation, the relief window
    *(Check(code, ev.NeurotomyPerformed, Script.treating, partial(_lesion, low=low, field=field),
            "minimum" if low else "maximum", needs(
                f"lesion_{'min' if low else 'max'}_{field}",
                f"no {'minimum' if low else 'maximum'} {what}"))
      for code, field, what in (("lesion_duration", "seconds", "lesion duration"),
                                ("lesion_temperature", "temperature_c", "temperature"))
      for low in (True, False)),
    Check("lesion_temperature", ev.NeurotomyPerformed, Script.treating, lambda s: (
        case("a lesion without a temperature",
             lesions=(s.lesion(s.target(), temperature_c=None),)),
        case("a lesion at a recorded temperature")), "not recorded",
          unless(lambda p: p.lesion_min_temperature_c is None
                 and p.lesion_max_temperature_c is None, "no temperature rule")),
    Check("observation_incomplete", ev.Discharged, Script.visit_for_block, _ready,
          "after the block", _under_a_minute("block_observation", ": nothing to refuse")),
    Check("observation_incomplete", ev.Discharged,
          lambda s: s.treating().then(ev.NeurotomyPerformed), _ready,
          "after the neurotomy", _under_a_minute("neurotomy_recovery", ": nothing to refuse")),
    Check("outside_relief_window", ev.ReliefDiaryRecorded, Script.assessing,
          partial(_window, before=False), "after the window"),
    Check("outside_relief_window", ev.ReliefDiaryRecorded, Script.assessing,
          partial(_window, before=True), "before the block"),
    Check("relief_window_open", ev.ReliefAssessed, Script.assessing, _window_open,
          why_not=_under_a_minute("relief_window_min")),
    # -- computed branch edges
    Check("relief_threshold", ev.ReliefAssessed, Script.assessing, _block_edge,
          why_not=_threshold_edge("relief_threshold"),
          outcomes=("block_positive", "block_negative")),
    Check("neurotomy_success_threshold", ev.FollowUpRecorded, Script.treated, lambda s: both(
        lambda n: case(f"score {n}/{BASELINE} a day later", pain_score=n, at=s.last + DAY),
        *_scores(s.policy, "neurotomy_success_threshold")),
          why_not=_threshold_edge("neurotomy_success_threshold"),
          outcomes=("sustained_relief", "follow_up")),
    Check("follow_up_settling", ev.FollowUpRecorded, Script.treated, lambda s: edge(
        max(s.last, ends := known(tm.settling_ends_at(s.facts, s.policy))), ends + SECOND,
        known(s.facts.neurotomy).at, "no relief {} after", "at", pain_score=BASELINE),
          outcomes=("follow_up", "no_relief")),
)
