"""Every check, one row each: where the step is offered and what makes it refused or pass.

Each pair stands on its boundary (one second, one minute or one unit
either side); every time boundary is the one `facetcare.timing` computes
for the rules, every documentation rule is passed on the rule itself (the
deepest sedation allowed, a covered code) (docs/payer-rules.md).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from fractions import Fraction
from functools import partial
from typing import Any, TypeVar

from facetcare import events as ev
from facetcare import timing as tm
from facetcare.anatomy import Region, Side
from facetcare.machine import Stage
from facetcare.policy import Policy
from facetcare.rules import span
from facetcare.testing._checks import Case, Check, Setup, WhyNot, case, needs, off, unless
from facetcare.testing._makers import BASELINE, DAY, HOUR, MINUTE, joints_of
from facetcare.testing._script import Script, known
from facetcare.vocabulary import Guidance, Modality, Sedation

__all__ = ["CHECKS"]

E = ev
T = TypeVar("T")
SECOND = dt.timedelta(seconds=1)
Pair = tuple[Case, Case]


# -- where a step is offered --------------------------------------------------------------

def start(p: Policy, r: Region) -> Script:
    return Script(p, r).then(ev.Referred)


def booked(p: Policy, r: Region) -> Script:
    return start(p, r).then(ev.BlockScheduled)


def block_visit(p: Policy, r: Region) -> Script:
    return booked(p, r).then(ev.CheckedIn)


def observing(p: Policy, r: Region) -> Script:
    return start(p, r).visit_for_block()


def assessing(p: Policy, r: Region) -> Script:
    return observing(p, r).then(ev.Discharged)


def confirmed(p: Policy, r: Region) -> Script:
    return start(p, r).positive()


def treating(p: Policy, r: Region) -> Script:
    return confirmed(p, r).then(ev.NeurotomyScheduled).then(ev.CheckedIn)


def treated(p: Policy, r: Region) -> Script:
    return confirmed(p, r).neurotomy()


def recurred(p: Policy, r: Region) -> Script:
    return Script(p, r).recurrence()


def at_cap(p: Policy, r: Region) -> Script:
    """As many negative blocks as the yearly cap allows."""
    s = start(p, r)
    for _ in range(p.max_blocks_per_year or 0):
        s.block(False)
    return s


def _confirm(s: Script, targets: tuple[ev.Target, ...]) -> Script:
    """Positive blocks confirming ``targets``, in sessions the block level cap allows."""
    per = s.in_force.max_block_levels or len(targets)
    joints = list(dict.fromkeys(t.joint for t in targets))
    for i in range(0, len(joints), per):
        for _ in range(s.in_force.blocks_required):
            s.block(True, targets=tuple(t for t in targets if t.joint in joints[i:i + per]))
    return s


def _right_after_no_relief(s: Script) -> Script:
    """No relief from the last neurotomy, then positive blocks on the right side."""
    return s.not_relieved().positive(targets=(s.target(side=Side.RIGHT),))


def _positive_at(hour: int) -> Setup:
    """Positive blocks, each a week on at ``hour`` o'clock in the clinic's time zone."""
    def setup(p: Policy, r: Region) -> Script:
        s = start(p, r)
        while len(s.facts.series) < p.blocks_required:
            slot = max(s.last + 6 * DAY, tm.earliest_block_visit(s.facts, p))
            s.visit_for_block(visit_at=tm.next_clinic_day(slot, p) + hour * HOUR)
            s.then(ev.Discharged).do(s.diary(0)).then(ev.ReliefAssessed)
        return s

    return setup


# -- how the two cases differ ---------------------------------------------------------------

def _both(make: Callable[[T], Case], bad: T, good: T) -> Pair:
    """The refused case and the passing one, made alike from their values."""
    return make(bad), make(good)


def _edge(bad: dt.datetime, good: dt.datetime, since: dt.datetime, what: str,
          field: str = "visit_at", **fixed: Any) -> Pair:
    """``field`` at the refused time and at the passing one; ``{}`` in ``what`` the time since."""
    return _both(lambda at: Case(what.format(span(at - since)), {field: at, **fixed}), bad, good)


def _bound(bound: dt.datetime, since: dt.datetime, what: str, **fixed: Any) -> Pair:
    return _edge(bound - SECOND, bound, since, what, **fixed)


def _relieved(p: Policy, r: Region) -> Script:
    """A neurotomy, and relief at a follow-up a minute later."""
    s = treated(p, r)
    return s.then(ev.FollowUpRecorded, pain_score=0, at=s.last + MINUTE)


def _same_day(s: Script) -> Pair:
    midnight = tm.next_clinic_day(known(s.facts.last_block_at), s.policy)
    return (case("23:59:59 on the block's day", visit_at=midnight - SECOND),
            case("00:00 the next day", visit_at=midnight))


def _noon_after(s: Script, early: dt.timedelta) -> dict[str, Any]:
    """Booked at noon the clinic day after the last event, for ``early`` before that."""
    at = tm.next_clinic_day(s.last, s.policy) + 12 * HOUR
    return {"at": at, "visit_at": at - early}


def _levels(s: Script, cap: int) -> Pair:
    joints = joints_of(s.region)
    return (case(f"{cap + 1} joints, left side",
                 targets=tuple(ev.Target(j, Side.LEFT) for j in joints[:cap + 1])),
            case(f"{cap} joints, both sides",
                 targets=tuple(ev.Target(j, side) for j in joints[:cap] for side in Side)))


def _cap(times: tuple[dt.datetime, ...], cap: int | None, what: str, **fixed: Any) -> Pair:
    """Booked 365 d − 1 s and 365 d after the oldest of the last ``cap`` (``{}`` in ``what``)."""
    bound = known(tm.earliest_under_cap(times, cap))
    return (Case(what.format("365 d − 1 s"), {"visit_at": bound - SECOND, **fixed}),
            Case(what.format("365 d"), {"visit_at": bound, **fixed}))


def _relief_lasted(s: Script) -> Pair:
    done, lasts = known(s.facts.neurotomy).at, known(tm.repeat_relief_met_at(s.facts, s.policy))
    return _both(lambda at: Case(f"relief lasted {span(at - done)}", script=s.copy().then(
        ev.PainReturned, at=at)), lasts - SECOND, lasts)


def _left(r: Region, joints: int) -> tuple[ev.Target, ...]:
    """The first ``joints`` joints of the region, on the left."""
    return tuple(ev.Target(j, Side.LEFT) for j in joints_of(r)[:joints])


def _both_sides(s: Script) -> tuple[ev.Target, ev.Target]:
    return s.target(), s.target(side=Side.RIGHT)


def _uncovered(p: Policy) -> Region:
    return next(x for x in Region if p.regions is not None and x not in p.regions)


def _bad_modality(p: Policy) -> Modality:
    return next(m for m in Modality if m not in (p.lesion_modalities or ()))


def _ready(s: Script) -> Pair:
    ready = known(tm.discharge_ready_at(s.facts, s.policy))
    return _edge(ready - MINUTE, ready, s.last, "after {}", "at")


def _contiguous(s: Script) -> Pair:
    three, cap = _left(s.region, 3), s.policy.max_neurotomy_levels
    adjacent = three[:2] if cap is None or cap >= 2 else three[:1]  # one level: no gap
    return (case("a gap between levels", targets=(three[0], three[2])),
            case("adjacent levels", targets=adjacent))


def _lesion_target(p: Policy, r: Region) -> Script:
    s = start(p, r)
    _confirm(s, (s.target(), s.target(side=Side.RIGHT)))
    return s.then(ev.NeurotomyScheduled, targets=(s.target(),)).then(ev.CheckedIn)


def _deeper(deepest: Sedation | None) -> Pair:
    levels = list(Sedation)
    deepest = deepest or Sedation.GENERAL
    deeper = levels[deepest.depth + 1] if deepest.depth + 1 < len(levels) else None
    return case("deeper sedation", sedation=deeper), case(f"{deepest} sedation", sedation=deepest)


def _guidance(allowed: tuple[Guidance, ...] | None) -> Pair:
    bad = next((g for g in Guidance if allowed and g not in allowed), None)
    return case(f"guidance {bad}", guidance=bad), case("covered guidance")


def _lesion(s: Script, low: bool, field: str) -> Pair:
    bound = float(getattr(s.policy, f"lesion_{'min' if low else 'max'}_{field}") or 0)
    if field == "seconds":
        bad, good, unit = (bound - 1 if low else bound + 1), bound, "s"
    elif low and s.policy.lesion_temperature_strict:
        bad, good, unit = bound, bound + 0.5, "°C"
    else:
        bad, good, unit = (bound - 0.5 if low else bound + 0.5), bound, "°C"
    return (case(f"a lesion of {bad:g} {unit}", lesions=(s.lesion(s.target(), **{field: bad}),)),
            case(f"a lesion of {good:g} {unit}", lesions=(s.lesion(s.target(), **{field: good}),)))


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
            Case(f"assessed {span(opens - block)} after, no diary", {"at": opens},
                 stage=Stage.BLOCK_NEGATIVE))


def edge_score(threshold: Fraction) -> int:
    """The highest score that still gives ``threshold`` relief on a baseline of 10."""
    return math.floor(BASELINE * (1 - threshold))


def _threshold_edge(field: str) -> WhyNot:
    return unless(lambda p: edge_score(getattr(p, field)) + 1 > BASELINE,
                  f"{field} is 0: every score counts as relief")


def _block_edge(s: Script) -> Pair:
    score = edge_score(s.policy.relief_threshold)
    return _both(lambda low: Case(
        f"lowest score {low}/{BASELINE}: {(BASELINE - low) / BASELINE:.0%} relief",
        script=s.copy().do(s.diary(low))), score, score + 1)


def _follow_up_edge(s: Script) -> Pair:
    score = edge_score(s.policy.neurotomy_success_threshold)
    return _both(lambda n: case(f"score {n}/{BASELINE} a day later", pain_score=n,
                                at=s.last + DAY), score, score + 1)


def _settling_edge(s: Script) -> Pair:
    ends = known(tm.settling_ends_at(s.facts, s.policy))
    return _edge(max(s.last, ends), ends + SECOND, known(s.facts.neurotomy).at,
                 "no relief {} after", "at", pain_score=BASELINE)


_ESCORT = unless(lambda p: not p.escort_required, "no escort is required")


def _unknown_visit(s: Script, back: Stage | None) -> Pair:
    return (case("a visit id that is not open", visit_id="v-unknown"),
            Case("the open visit", stage=back))


def _under_a_minute(field: str, why: str = "") -> WhyNot:
    return unless(lambda p: getattr(p, field) < MINUTE, f"{field} is under a minute{why}")


def _burn(s: Script, **changes: Any) -> tuple[ev.Lesion, ...]:
    return (s.lesion(s.target(), **changes),)


#: Every check, in the order the report lists them.
CHECKS: tuple[Check, ...] = (
    # -- the referral and the common rules
    Check("invalid_transition", E.CheckedIn, start, lambda s: (
        case("checked in with no visit booked"),
        Case("checked in for the booked visit", script=booked)), "not valid in the stage"),
    Check("invalid_transition", E.BlockScheduled, lambda p, r: start(p, r).then(ev.Closed),
          lambda s: (case("a block booked after the pathway closed"),
                     Case("the same booking before closing", script=start)),
          "after a final stage"),
    Check("out_of_order", E.BlockScheduled, start, lambda s: (
        case("booked 1 s before the referral", at=s.last - SECOND),
        case("booked at the referral's own time", at=s.last))),
    Check("entry_criteria", E.Referred, Script, lambda s: _both(
        lambda n: case(f"pain for {n} months", pain_months=n),
        (s.policy.entry_min_pain_months or 0) - 1, s.policy.entry_min_pain_months),
          "pain duration", needs("entry_min_pain_months", "no minimum pain duration")),
    Check("entry_criteria", E.Referred, Script, lambda s: (
        case("conservative care unknown", conservative_care_failed=None),
        case("conservative care failed", conservative_care_failed=True)), "conservative care",
          unless(lambda p: not p.entry_requires_failed_conservative_care,
                 "failed conservative care is not required")),
    # -- bookings
    Check("visit_in_past", E.BlockScheduled, start, lambda s: (
        case("visit 1 s before the booking", visit_at=s.last - SECOND),
        case("visit at the booking's own time", visit_at=s.last))),
    Check("visit_in_past", E.NeurotomyScheduled, confirmed, lambda s: (
        Case("visit 1 s before the booking", _noon_after(s, SECOND)),
        Case("visit at the booking's own time", _noon_after(s, 0 * SECOND)))),
    Check("block_interval", E.BlockScheduled, lambda p, r: start(p, r).block(False), lambda s: (
        _bound(tm.earliest_block_visit(s.facts, s.policy), known(s.facts.last_block_at),
               "{} after the last block")),
          why_not=needs("min_block_gap", "no minimum gap between blocks")),
    Check("annual_limit", E.BlockScheduled, at_cap, lambda s: _cap(
        s.facts.block_times, s.policy.max_blocks_per_year,
        f"block {len(s.facts.block_times) + 1} booked {{}} after the oldest of "
        f"{len(s.facts.block_times)}"),
          why_not=needs("max_blocks_per_year", "no cap on blocks per 12 months")),
    # A first neurotomy, its repeat, no relief, then blocks on the other side.
    Check("annual_limit", E.NeurotomyScheduled,
          lambda p, r: _right_after_no_relief(recurred(p, r).neurotomy()), lambda s: _cap(
              s.facts.neurotomy_times, s.policy.max_neurotomies_per_year,
              "a third neurotomy {} after the first", targets=(s.target(side=Side.RIGHT),)),
          why_not=needs("max_neurotomies_per_year", "no cap on neurotomies per 12 months")),
    Check("too_many_levels", E.BlockScheduled, start,
          lambda s: _levels(s, s.policy.max_block_levels or 0),
          why_not=needs("max_block_levels", "no cap on joints per block session")),
    # Confirmed in sessions the block level cap allows (Medicare: 2 joints a session).
    Check("too_many_levels", E.NeurotomyScheduled,
          lambda p, r: _confirm(start(p, r), _left(r, (p.max_neurotomy_levels or 0) + 1)),
          lambda s: _both(lambda n: case(f"{n} joints", targets=_left(s.region, n)),
                          (s.policy.max_neurotomy_levels or 0) + 1,
                          s.policy.max_neurotomy_levels or 0),
          why_not=needs("max_neurotomy_levels", "no cap on joints per neurotomy session")),
    Check("no_positive_block", E.NeurotomyScheduled, lambda p, r: start(p, r).block(True),
          lambda s: (case("after 1 positive block"), Case(
              f"after {s.policy.blocks_required} positive blocks", script=confirmed)),
          why_not=unless(lambda p: p.blocks_required <= 1, "one positive block is required, "
                         "and block_positive is only reached with one")),
    Check("untested_target", E.NeurotomyScheduled, confirmed, lambda s: (
        case("a joint that was not blocked", targets=(s.target("other"),)),
        case("the blocked joint")), "unblocked nerves"),
    Check("untested_target", E.NeurotomyScheduled, recurred, lambda s: (
        case("a repeat on other nerves", targets=(s.target("other"),)),
        case("a repeat on the treated nerves")), "repeat on other nerves"),
    Check("untested_target", E.NeurotomyPerformed, treating, lambda s: (
        case("a lesion on an unblocked joint", lesions=(s.lesion(s.target("other")),)),
        case("lesions on the blocked joint"))),
    Check("same_visit", E.NeurotomyScheduled, confirmed, lambda s: (
        case("booked under the block's visit", visit_id=[
            v.visit_id for v in s.facts.visits.values() if v.kind == "block"][-1]),
        case("a visit of its own")), "the block's visit id"),
    # A morning block, so its assessment concludes on the block's own day.
    Check("same_visit", E.NeurotomyScheduled, _positive_at(9), _same_day, "same calendar day"),
    # An evening block is assessed after midnight: a later day, yet too early.
    Check("same_visit", E.NeurotomyScheduled, _positive_at(21), lambda s: (
        case("1 min before the assessment concluded", visit_at=s.last - MINUTE),
        case("at the moment of the assessment", visit_at=s.last)), "before the assessment"),
    # No relief, then blocks on the other side: sooner than waiting for a recurrence.
    Check("repeat_too_soon", E.NeurotomyScheduled,
          lambda p, r: _right_after_no_relief(treated(p, r)), lambda s: _bound(
              tm.earliest_neurotomy_visit(s.facts, s.policy), known(s.facts.neurotomy).at,
              "{} after the last neurotomy", targets=(s.target(side=Side.RIGHT),)),
          why_not=needs("min_neurotomy_interval", "no minimum interval between neurotomies")),
    Check("insufficient_prior_relief", E.NeurotomyScheduled, _relieved, _relief_lasted,
          "relief too short", needs("repeat_min_relief_duration", "no prior-relief duration rule")),
    Check("insufficient_prior_relief", E.NeurotomyScheduled,
          lambda p, r: (s := treated(p, r).not_relieved()).positive(targets=_both_sides(s)),
          lambda s: (case("the nerves that gave no relief", targets=_both_sides(s)[:1]),
                     case("the other side, blocked anew", targets=_both_sides(s)[1:])),
          "same nerves, no relief",
          unless(lambda p: p.repeat_min_relief is None and p.repeat_min_relief_duration is None,
                 "no prior-relief rule (repeat_min_relief and its duration are None)")),
    # "Two years or more" [1.3 Palmetto]: the deadline itself needs new blocks.
    Check("reblock_required", E.NeurotomyScheduled, recurred, lambda s: _edge(
        deadline := known(tm.reblock_deadline(s.facts, s.policy)), deadline - SECOND,
        known(s.facts.neurotomy).at, "{} after the last neurotomy"),
          why_not=needs("reblock_after", "repeats never need new blocks")),
    # -- the payer's documentation rules (docs/payer-rules.md)
    Check("region_not_covered", E.Referred, Script, lambda s: (
        case(f"a {_uncovered(s.policy)} referral", region=_uncovered(s.policy)),
        case(f"a {s.region} referral")), why_not=needs("regions", "every region covered")),
    Check("not_axial", E.Referred, Script, lambda s: (
        case("axial pain not documented", axial_pain=None),
        case("predominantly axial pain", axial_pain=True)),
          why_not=off("entry_requires_axial_pain", "no axial rule")),
    Check("no_baseline_function", E.Referred, Script, lambda s: (
        case("no baseline score", baseline_function_scale=None, baseline_function_score=None),
        case("a baseline score")), why_not=off("entry_requires_baseline_function",
                                               "no baseline rule")),
    Check("radicular_pain", E.Referred, Script, lambda s: (
        case("untreated radiculopathy", untreated_radicular_pain=True),
        case("none", untreated_radicular_pain=False)),
          why_not=off("entry_excludes_radicular_pain", "no rule")),
    Check("non_facet_cause", E.Referred, Script, lambda s: (
        case("not excluded", non_facet_cause_excluded=None),
        case("excluded", non_facet_cause_excluded=True)),
          why_not=off("entry_requires_non_facet_cause_excluded", "no non-facet rule")),
    Check("diagnosis_not_covered", E.Referred, Script, lambda s: (
        case("a radiculopathy code", diagnosis="M54.16"), case("a covered spondylosis code")),
          why_not=needs("covered_diagnoses", "no diagnosis rule")),
    Check("levels_not_contiguous", E.NeurotomyScheduled,
          lambda p, r: _confirm(start(p, r), _left(r, 3)), _contiguous,
          why_not=off("neurotomy_levels_contiguous", "no contiguity rule")),
    Check("target_mismatch", E.NeurotomyPerformed, _lesion_target, lambda s: (
        case("a lesion on a side not booked", lesions=(
            s.lesion(s.target()), s.lesion(s.target(side=Side.RIGHT)))),
        case("the booked side", lesions=(s.lesion(s.target()),)))),
    Check("imaging_guidance", E.BlockPerformed, block_visit,
          lambda s: _guidance(s.policy.block_guidance),
          why_not=needs("block_guidance", "no guidance rule")),
    Check("imaging_guidance", E.NeurotomyPerformed, treating,
          lambda s: _guidance(s.policy.neurotomy_guidance),
          why_not=needs("neurotomy_guidance", "no guidance rule")),
    Check("sedation", E.BlockPerformed, block_visit,
          lambda s: _deeper(s.policy.block_max_sedation),
          why_not=unless(lambda p: p.block_max_sedation in (None, Sedation.GENERAL),
                         "no block sedation rule")),
    Check("sedation", E.NeurotomyPerformed, treating,
          lambda s: _deeper(s.policy.neurotomy_max_sedation),
          why_not=unless(lambda p: p.neurotomy_max_sedation in (None, Sedation.GENERAL),
                         "no neurotomy sedation rule")),
    Check("anaesthetic_agent", E.BlockPerformed, block_visit, lambda s: (
        case("no agent recorded", agent=None), case("lidocaine")),
          why_not=off("block_agent_required", "no agent rule")),
    Check("lesion_modality", E.NeurotomyPerformed, treating, lambda s: (
        case(f"a {_bad_modality(s.policy)} lesion", lesions=_burn(
            s, modality=_bad_modality(s.policy))), case("a covered lesion")),
          why_not=needs("lesion_modalities", "no modality rule")),
    # -- visits and visit ids
    Check("no_escort", E.CheckedIn, booked, lambda s: (
        case("no escort", escort_present=False), case("with an escort")), why_not=_ESCORT),
    Check("no_escort", E.Discharged, observing, lambda s: (
        case("no escort", escort_present=False), case("with an escort")), why_not=_ESCORT),
    *(Check("unknown_visit", kind, setup, partial(_unknown_visit, back=back))
      for kind, setup, back in ((E.CheckedIn, booked, None), (E.BlockPerformed, block_visit, None),
                                (E.NeurotomyPerformed, treating, None),
                                (E.Discharged, observing, None),
                                (E.VisitCancelled, booked, Stage.REFERRED),
                                (E.VisitMissed, booked, Stage.REFERRED))),
    Check("duplicate_visit", E.BlockScheduled, lambda p, r: start(p, r).block(False), lambda s: (
        case("the first block's visit id again", visit_id="v1"), case("a new visit id"))),
    Check("duplicate_visit", E.NeurotomyScheduled, recurred, lambda s: (
        case("the last neurotomy's visit id again", visit_id=next(
            v.visit_id for v in s.facts.visits.values() if v.kind == "neurotomy")),
        case("a new visit id"))),
    Check("target_mismatch", E.BlockPerformed, lambda p, r: (s := start(p, r)).then(
        ev.BlockScheduled, targets=(s.target(), s.target(side=Side.RIGHT))).then(ev.CheckedIn),
          lambda s: (case("a joint not booked", targets=(s.target(), s.target("other"))),
                     case("fewer targets than booked", targets=(s.target(),)))),
    Check("region_mismatch", E.BlockScheduled, start, lambda s: (
        case("a joint of another region", targets=(s.target("foreign"),)),
        case("a joint of the pathway's region"))),
    Check("region_mismatch", E.NeurotomyScheduled, confirmed, lambda s: (
        case("a joint of another region", targets=(s.target("foreign"),)),
        case("the blocked joint"))),
    # -- lesions, observation, the relief window
    *(Check(code, E.NeurotomyPerformed, treating, partial(_lesion, low=low, field=field),
            "minimum" if low else "maximum", needs(
            f"lesion_{'min' if low else 'max'}_{field}",
            f"no {'minimum' if low else 'maximum'} {what}"))
      for code, field, what in (("lesion_duration", "seconds", "lesion duration"),
                                ("lesion_temperature", "temperature_c", "temperature"))
      for low in (True, False)),
    Check("lesion_temperature", E.NeurotomyPerformed, treating, lambda s: (
        case("a lesion without a temperature", lesions=_burn(s, temperature_c=None)),
        case("a lesion at a recorded temperature")), "not recorded",
          unless(lambda p: p.lesion_min_temperature_c is None
                 and p.lesion_max_temperature_c is None, "no temperature rule")),
    Check("observation_incomplete", E.Discharged, observing, _ready, "after the block",
          _under_a_minute("block_observation", ": nothing to refuse")),
    Check("observation_incomplete", E.Discharged,
          lambda p, r: treating(p, r).then(ev.NeurotomyPerformed), _ready,
          "after the neurotomy", _under_a_minute("neurotomy_recovery", ": nothing to refuse")),
    Check("outside_relief_window", E.ReliefDiaryRecorded, assessing,
          lambda s: _window(s, before=False), "after the window"),
    Check("outside_relief_window", E.ReliefDiaryRecorded, assessing,
          lambda s: _window(s, before=True), "before the block"),
    Check("relief_window_open", E.ReliefAssessed, assessing, _window_open,
          why_not=_under_a_minute("relief_window_min")),
    # -- computed branch edges
    Check("relief_threshold", E.ReliefAssessed, assessing, _block_edge,
          why_not=_threshold_edge("relief_threshold"),
          outcomes=("block_positive", "block_negative")),
    Check("neurotomy_success_threshold", E.FollowUpRecorded, treated, _follow_up_edge,
          why_not=_threshold_edge("neurotomy_success_threshold"),
          outcomes=("sustained_relief", "follow_up")),
    Check("follow_up_settling", E.FollowUpRecorded, treated, _settling_edge,
          outcomes=("follow_up", "no_relief")),
)
