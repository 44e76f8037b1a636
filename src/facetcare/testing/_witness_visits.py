"""Witnesses for visits, lesions, the relief window, and computed-branch edges.

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
from facetcare.testing._makers import BASELINE, DAY, HOUR, MINUTE
from facetcare.testing._report import Path
from facetcare.testing._script import (
    SECOND,
    Build,
    assessing,
    booked,
    ends_in,
    passed,
    refused,
    start,
    treating,
)

Pair = tuple[Path, Path]


def escort_in(p: Policy, r: Region) -> Pair:
    s = booked(p, r)
    return (refused(s, s.check_in(escort_present=False), "no escort"),
            passed(s, s.check_in(), "with an escort"))


def escort_out(p: Policy, r: Region) -> Pair:
    s = start(p, r).visit_for_block()
    return (refused(s, s.discharge(escort_present=False), "no escort"),
            passed(s, s.discharge(), "with an escort"))


def unknown(step: str) -> Build:
    def build(p: Policy, r: Region) -> Pair:
        if step == "perform_neurotomy":
            s = treating(p, r)
        else:
            s = booked(p, r)
            if step in ("perform_block", "discharge"):
                s.do(s.check_in())
            if step == "discharge":
                s.do(s.perform_block())
        make = getattr(s, step)
        back = Stage.REFERRED if step in ("cancel", "miss") else None
        return (refused(s, make(visit_id="v-unknown"), "a visit id that is not open"),
                passed(s, make(), "the open visit", back))

    return build


def target_mismatch(p: Policy, r: Region) -> Pair:
    s = start(p, r)
    s.do(s.book_block(targets=(s.target(Side.LEFT), s.target(Side.RIGHT)))).do(s.check_in())
    return (refused(s, s.perform_block(targets=(s.target(), s.other())), "a joint not booked"),
            passed(s, s.perform_block(targets=(s.target(),)), "fewer targets than booked"))


def region_block(p: Policy, r: Region) -> Pair:
    s = start(p, r)
    return (refused(s, s.book_block(targets=(s.foreign(),)), "a joint of another region"),
            passed(s, s.book_block(), "a joint of the pathway's region"))


def region_neurotomy(p: Policy, r: Region) -> Pair:
    s = start(p, r).positive()
    return (refused(s, s.book_neurotomy(targets=(s.foreign(),)), "a joint of another region"),
            passed(s, s.book_neurotomy(), "the blocked joint"))


def lesion(low: bool, field: str) -> Build:
    def build(p: Policy, r: Region) -> Pair:
        s = treating(p, r)
        target = s.target()
        if field == "seconds":
            edge = float((p.lesion_min_seconds if low else p.lesion_max_seconds) or 0)
            bad, good = (edge - 1, edge) if low else (edge + 1, edge)
            unit = "s"
        else:
            edge = float((p.lesion_min_temperature_c if low else p.lesion_max_temperature_c) or 0)
            strict = low and p.lesion_temperature_strict
            bad, good = ((edge, edge + 0.5) if strict else (edge - 0.5, edge)) if low else (
                edge + 0.5, edge)
            unit = "°C"
        burn = {"seconds": "seconds", "temperature": "temperature_c"}[field]
        return (refused(s, s.perform_neurotomy(lesions=(s.lesion(target, **{burn: bad}),)),
                        f"a lesion of {bad:g} {unit}"),
                passed(s, s.perform_neurotomy(lesions=(s.lesion(target, **{burn: good}),)),
                       f"a lesion of {good:g} {unit}"))

    return build


def no_temperature(p: Policy, r: Region) -> Pair:
    s = treating(p, r)
    return (refused(s, s.perform_neurotomy(lesions=(s.lesion(s.target(), temperature_c=None),)),
                    "a lesion without a temperature"),
            passed(s, s.perform_neurotomy(), "a lesion at a recorded temperature"))


def observation(after_neurotomy: bool) -> Build:
    def build(p: Policy, r: Region) -> Pair:
        if after_neurotomy:
            s = treating(p, r)
            s.do(s.perform_neurotomy())
        else:
            s = start(p, r).visit_for_block()
        given, ready = s.last, timing.discharge_ready_at(s.facts, p)
        assert ready is not None
        return (refused(s, s.discharge(at=ready - MINUTE), f"after {span(ready - MINUTE - given)}"),
                passed(s, s.discharge(at=ready), f"after {span(ready - given)}"))

    return build


def window(before: bool) -> Build:
    def build(p: Policy, r: Region) -> Pair:
        s = assessing(p, r)
        window = timing.relief_window(s.facts, p)
        assert window is not None
        block, end = window
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


def window_open(p: Policy, r: Region) -> Pair:
    s = assessing(p, r)
    opens, block = timing.assessment_opens_at(s.facts, p), s.facts.last_block_at
    assert opens is not None and block is not None
    return (refused(s, s.assess(at=opens - MINUTE),
                    f"assessed {span(opens - MINUTE - block)} after"),
            passed(s, s.assess(at=opens), f"assessed {span(opens - block)} after, no diary",
                   Stage.BLOCK_NEGATIVE))


# -- computed branch edges -----------------------------------------------------------------


def edge_score(threshold: Fraction) -> int:
    """The highest score that still gives ``threshold`` relief on a baseline of 10."""
    return math.floor(BASELINE * (1 - threshold))


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


def follow_up_edge(p: Policy, r: Region) -> Pair:
    score = edge_score(p.neurotomy_success_threshold)
    s = start(p, r).positive().neurotomy()
    relieved = s.copy().do(s.follow_up(score, at=s.last + DAY))
    settling = s.copy().do(s.follow_up(score + 1, at=s.last + DAY))
    return (ends_in(relieved, f"score {score}/{BASELINE} a day later", Stage.SUSTAINED_RELIEF),
            ends_in(settling, f"score {score + 1}/{BASELINE} a day later", Stage.FOLLOW_UP))


def settling_edge(p: Policy, r: Region) -> Pair:
    s = start(p, r).positive().neurotomy()
    ends = timing.settling_ends_at(s.facts, p)
    assert ends is not None and s.facts.neurotomy is not None
    done = s.facts.neurotomy.at
    inside = s.copy().do(s.follow_up(BASELINE, at=max(s.last, ends)))
    after = s.copy().do(s.follow_up(BASELINE, at=ends + SECOND))
    return (ends_in(inside, f"no relief {span(ends - done)} after", Stage.FOLLOW_UP),
            ends_in(after, f"no relief {span(ends + SECOND - done)} after", Stage.NO_RELIEF))
