"""Witnesses for visits, visit ids, lesions, the relief window, and computed-branch edges.

Time boundaries are the ones `facetcare.timing` computes for the rules:
discharge one minute before and at readiness, diary entries one minute
outside and at the window's edges, the assessment a minute before and when
it opens, follow-ups at the end of settling and one second after it.
"""

from __future__ import annotations

import math
from fractions import Fraction

from facetcare import events as ev
from facetcare import timing
from facetcare.anatomy import Region, Side
from facetcare.machine import Stage
from facetcare.policy import Policy
from facetcare.rules import span
from facetcare.testing._checks import WhyNot, check, needs, unless
from facetcare.testing._makers import BASELINE, DAY, HOUR, MINUTE
from facetcare.testing._report import Path
from facetcare.testing._script import (
    SECOND,
    Build,
    Script,
    assessing,
    booked,
    edge,
    ends_in,
    known,
    passed,
    refused,
    start,
    treating,
)

E = ev
Pair = tuple[Path, Path]
_ESCORT = unless(lambda p: not p.escort_required, "no escort is required")


@check("no_escort", E.CheckedIn, why_not=_ESCORT)
def escort_in(p: Policy, r: Region) -> Pair:
    s = booked(p, r)
    return (refused(s, s.check_in(escort_present=False), "no escort"),
            passed(s, s.check_in(), "with an escort"))


@check("no_escort", E.Discharged, why_not=_ESCORT)
def escort_out(p: Policy, r: Region) -> Pair:
    s = start(p, r).visit_for_block()
    return (refused(s, s.discharge(escort_present=False), "no escort"),
            passed(s, s.discharge(), "with an escort"))


def _unknown(kind: type[ev.Event]) -> Build:
    def build(p: Policy, r: Region) -> Pair:
        if kind is E.NeurotomyPerformed:
            s = treating(p, r)
        else:
            s = booked(p, r)
            if kind in (E.BlockPerformed, E.Discharged):
                s.do(s.check_in())
            if kind is E.Discharged:
                s.do(s.perform_block())
        back = Stage.REFERRED if kind in (E.VisitCancelled, E.VisitMissed) else None
        return (refused(s, s.make(kind, visit_id="v-unknown"), "a visit id that is not open"),
                passed(s, s.make(kind), "the open visit", back))

    return build


for _kind in (E.CheckedIn, E.BlockPerformed, E.NeurotomyPerformed, E.Discharged,
              E.VisitCancelled, E.VisitMissed):
    check("unknown_visit", _kind)(_unknown(_kind))


@check("duplicate_visit", E.BlockScheduled)
def duplicate_block(p: Policy, r: Region) -> Pair:
    s = start(p, r).block(False)
    return (refused(s, s.book_block(visit_id="v1"), "the first block's visit id again"),
            passed(s, s.book_block(), "a new visit id"))


@check("duplicate_visit", E.NeurotomyScheduled)
def duplicate_neurotomy(p: Policy, r: Region) -> Pair:
    s = Script(p, r).recurrence()
    used = next(v.visit_id for v in s.facts.visits.values() if v.kind == "neurotomy")
    return (refused(s, s.book_neurotomy(visit_id=used), "the last neurotomy's visit id again"),
            passed(s, s.book_neurotomy(), "a new visit id"))


@check("target_mismatch", E.BlockPerformed)
def target_mismatch(p: Policy, r: Region) -> Pair:
    s = start(p, r)
    s.do(s.book_block(targets=(s.target(Side.LEFT), s.target(Side.RIGHT)))).do(s.check_in())
    return (refused(s, s.perform_block(targets=(s.target(), s.other())), "a joint not booked"),
            passed(s, s.perform_block(targets=(s.target(),)), "fewer targets than booked"))


@check("region_mismatch", E.BlockScheduled)
def region_block(p: Policy, r: Region) -> Pair:
    s = start(p, r)
    return (refused(s, s.book_block(targets=(s.foreign(),)), "a joint of another region"),
            passed(s, s.book_block(), "a joint of the pathway's region"))


@check("region_mismatch", E.NeurotomyScheduled)
def region_neurotomy(p: Policy, r: Region) -> Pair:
    s = start(p, r).positive()
    return (refused(s, s.book_neurotomy(targets=(s.foreign(),)), "a joint of another region"),
            passed(s, s.book_neurotomy(), "the blocked joint"))


def _lesion(low: bool, field: str) -> Build:
    def build(p: Policy, r: Region) -> Pair:
        s = treating(p, r)
        edge = float(getattr(p, f"lesion_{'min' if low else 'max'}_{field}") or 0)
        if field == "seconds":
            bad, good, unit = (edge - 1 if low else edge + 1), edge, "s"
        elif low and p.lesion_temperature_strict:
            bad, good, unit = edge, edge + 0.5, "°C"
        else:
            bad, good, unit = (edge - 0.5 if low else edge + 0.5), edge, "°C"
        burns = [(s.lesion(s.target(), **{field: value}),) for value in (bad, good)]
        return (refused(s, s.perform_neurotomy(lesions=burns[0]), f"a lesion of {bad:g} {unit}"),
                passed(s, s.perform_neurotomy(lesions=burns[1]), f"a lesion of {good:g} {unit}"))

    return build


_LESION_RULES: tuple[tuple[str, bool, str, WhyNot], ...] = (
    ("lesion_duration", True, "seconds",
     needs("lesion_min_seconds", "no minimum lesion duration")),
    ("lesion_duration", False, "seconds",
     needs("lesion_max_seconds", "no maximum lesion duration")),
    ("lesion_temperature", True, "temperature_c",
     needs("lesion_min_temperature_c", "no minimum temperature")),
    ("lesion_temperature", False, "temperature_c",
     needs("lesion_max_temperature_c", "no maximum temperature")),
)
for _code, _low, _field, _why in _LESION_RULES:
    check(_code, E.NeurotomyPerformed, "minimum" if _low else "maximum", _why)(
        _lesion(_low, _field))


@check("lesion_temperature", E.NeurotomyPerformed, "not recorded",
       unless(lambda p: p.lesion_min_temperature_c is None and p.lesion_max_temperature_c is None,
              "no temperature rule"))
def no_temperature(p: Policy, r: Region) -> Pair:
    s = treating(p, r)
    return (refused(s, s.perform_neurotomy(lesions=(s.lesion(s.target(), temperature_c=None),)),
                    "a lesion without a temperature"),
            passed(s, s.perform_neurotomy(), "a lesion at a recorded temperature"))


def _under_a_minute(field: str, why: str = "") -> WhyNot:
    return unless(lambda p: getattr(p, field) < MINUTE, f"{field} is under a minute{why}")


def _observation(after_neurotomy: bool) -> Build:
    def build(p: Policy, r: Region) -> Pair:
        if after_neurotomy:
            s = treating(p, r)
            s.do(s.perform_neurotomy())
        else:
            s = start(p, r).visit_for_block()
        ready = known(timing.discharge_ready_at(s.facts, p))
        return edge(s, s.discharge, (ready - MINUTE, ready), s.last, "after {}", field="at")

    return build


check("observation_incomplete", E.Discharged, "after the block",
      _under_a_minute("block_observation", ": nothing to refuse"))(_observation(False))
check("observation_incomplete", E.Discharged, "after the neurotomy",
      _under_a_minute("neurotomy_recovery", ": nothing to refuse"))(_observation(True))


def _window(before: bool) -> Build:
    def build(p: Policy, r: Region) -> Pair:
        s = assessing(p, r)
        block, end = known(timing.relief_window(s.facts, p))
        if before:
            bad, good = block - MINUTE, block
            notes = ("an entry 1 min before the block", "an entry at the block")
        else:
            bad, good = end + MINUTE, end
            notes = (f"an entry {span(bad - block)} after the block",
                     f"an entry {span(good - block)} after the block, recorded the next morning")
        morning = max(s.last, bad, good) + 12 * HOUR
        return (refused(s, s.diary(entries=(ev.PainEntry(bad, 2),), at=morning), notes[0]),
                passed(s, s.diary(entries=(ev.PainEntry(good, 2),), at=morning), notes[1]))

    return build


check("outside_relief_window", E.ReliefDiaryRecorded, "after the window")(_window(False))
check("outside_relief_window", E.ReliefDiaryRecorded, "before the block")(_window(True))


@check("relief_window_open", E.ReliefAssessed, why_not=_under_a_minute("relief_window_min"))
def window_open(p: Policy, r: Region) -> Pair:
    s = assessing(p, r)
    opens, block = known(timing.assessment_opens_at(s.facts, p)), known(s.facts.last_block_at)
    return (refused(s, s.assess(at=opens - MINUTE),
                    f"assessed {span(opens - MINUTE - block)} after"),
            passed(s, s.assess(at=opens), f"assessed {span(opens - block)} after, no diary",
                   Stage.BLOCK_NEGATIVE))


# -- computed branch edges -----------------------------------------------------------------


def edge_score(threshold: Fraction) -> int:
    """The highest score that still gives ``threshold`` relief on a baseline of 10."""
    return math.floor(BASELINE * (1 - threshold))


def _threshold_edge(field: str) -> WhyNot:
    return unless(lambda p: edge_score(getattr(p, field)) + 1 > BASELINE,
                  f"{field} is 0: every score counts as relief")


@check("relief_threshold", E.ReliefAssessed, why_not=_threshold_edge("relief_threshold"),
       outcomes=("block_positive", "block_negative"))
def block_edge(p: Policy, r: Region) -> Pair:
    score = edge_score(p.relief_threshold)
    cases = []
    for lowest, stage in ((score, Stage.BLOCK_POSITIVE), (score + 1, Stage.BLOCK_NEGATIVE)):
        s = assessing(p, r)
        s.do(s.diary(lowest)).do(s.assess())
        relief = Fraction(BASELINE - lowest, BASELINE)
        cases.append(ends_in(s, f"lowest score {lowest}/{BASELINE}: {float(relief):.0%} relief",
                              stage))
    return cases[0], cases[1]


@check("neurotomy_success_threshold", E.FollowUpRecorded,
       why_not=_threshold_edge("neurotomy_success_threshold"),
       outcomes=("sustained_relief", "follow_up"))
def follow_up_edge(p: Policy, r: Region) -> Pair:
    score = edge_score(p.neurotomy_success_threshold)
    s = start(p, r).positive().neurotomy()
    relieved = s.copy().do(s.follow_up(score, at=s.last + DAY))
    settling = s.copy().do(s.follow_up(score + 1, at=s.last + DAY))
    return (ends_in(relieved, f"score {score}/{BASELINE} a day later", Stage.SUSTAINED_RELIEF),
            ends_in(settling, f"score {score + 1}/{BASELINE} a day later", Stage.FOLLOW_UP))


@check("follow_up_settling", E.FollowUpRecorded, outcomes=("follow_up", "no_relief"))
def settling_edge(p: Policy, r: Region) -> Pair:
    s = start(p, r).positive().neurotomy()
    ends, done = known(timing.settling_ends_at(s.facts, p)), known(s.facts.neurotomy).at
    inside = s.copy().do(s.follow_up(BASELINE, at=max(s.last, ends)))
    after = s.copy().do(s.follow_up(BASELINE, at=ends + SECOND))
    return (ends_in(inside, f"no relief {span(ends - done)} after", Stage.FOLLOW_UP),
            ends_in(after, f"no relief {span(ends + SECOND - done)} after", Stage.NO_RELIEF))
