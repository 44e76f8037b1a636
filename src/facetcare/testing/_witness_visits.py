"""Witnesses for visits, lesions, the relief window, and computed-branch edges.

Time boundaries come from the policy: discharge one minute before and at
the observation time, diary entries one minute outside and at the window's
edges, follow-ups at the settling period and one second after it.
"""

from __future__ import annotations

import datetime as dt
import math
from fractions import Fraction

from facetcare import events as ev
from facetcare.anatomy import Region, Side
from facetcare.machine import Stage
from facetcare.policy import Policy
from facetcare.rules import span
from facetcare.testing._cases import (
    SECOND,
    Build,
    Case,
    assessing,
    booked,
    ends_in,
    passed,
    refused,
    start,
    treating,
)
from facetcare.testing._script import BASELINE, DAY, MINUTE


def escort_in(p: Policy, r: Region) -> tuple[Case, Case]:
    s = booked(p, r)
    return (refused(s, s.check_in(escort_present=False), "no escort"),
            passed(s, s.check_in(), "with an escort"))


def escort_out(p: Policy, r: Region) -> tuple[Case, Case]:
    s = start(p, r).visit_for_block()
    return (refused(s, s.discharge(escort_present=False), "no escort"),
            passed(s, s.discharge(), "with an escort"))


def unknown(step: str) -> Build:
    def build(p: Policy, r: Region) -> tuple[Case, Case]:
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


def target_mismatch(p: Policy, r: Region) -> tuple[Case, Case]:
    s = start(p, r)
    s.do(s.book_block(targets=(s.target(Side.LEFT), s.target(Side.RIGHT)))).do(s.check_in())
    return (refused(s, s.perform_block(targets=(s.target(), s.other())), "a joint not booked"),
            passed(s, s.perform_block(targets=(s.target(),)), "fewer targets than booked"))


def region_block(p: Policy, r: Region) -> tuple[Case, Case]:
    s = start(p, r)
    return (refused(s, s.book_block(targets=(s.foreign(),)), "a joint of another region"),
            passed(s, s.book_block(), "a joint of the pathway's region"))


def region_neurotomy(p: Policy, r: Region) -> tuple[Case, Case]:
    s = start(p, r).positive()
    return (refused(s, s.book_neurotomy(targets=(s.foreign(),)), "a joint of another region"),
            passed(s, s.book_neurotomy(), "the blocked joint"))


def lesion(low: bool, field: str) -> Build:
    def build(p: Policy, r: Region) -> tuple[Case, Case]:
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


def no_temperature(p: Policy, r: Region) -> tuple[Case, Case]:
    s = treating(p, r)
    return (refused(s, s.perform_neurotomy(lesions=(s.lesion(s.target(), temperature_c=None),)),
                    "a lesion without a temperature"),
            passed(s, s.perform_neurotomy(), "a lesion at a recorded temperature"))


def observation(after_neurotomy: bool) -> Build:
    def build(p: Policy, r: Region) -> tuple[Case, Case]:
        if after_neurotomy:
            s = treating(p, r)
            s.do(s.perform_neurotomy())
            given, wait = s.facts.neurotomy_at, p.neurotomy_recovery
        else:
            s = start(p, r).visit_for_block()
            given, wait = s.facts.block_at, p.block_observation
        assert given is not None
        return (refused(s, s.discharge(at=given + wait - MINUTE), f"after {span(wait - MINUTE)}"),
                passed(s, s.discharge(at=given + wait), f"after {span(wait)}"))

    return build


def window(before: bool) -> Build:
    def build(p: Policy, r: Region) -> tuple[Case, Case]:
        s = assessing(p, r)
        block = s.facts.block_at
        assert block is not None
        if before:
            bad, good = block - MINUTE, block
            notes = ("an entry 1 min before the block", "an entry at the block")
        else:
            end = p.relief_window_end
            bad, good = block + end + MINUTE, block + end
            notes = (f"an entry {span(end + MINUTE)} after the block",
                     f"an entry {span(end)} after the block, recorded the next morning")
        morning = max(s.last, bad, good) + 12 * dt.timedelta(hours=1)
        return (refused(s, s.diary(entries=(ev.PainEntry(bad, 2),), at=morning), notes[0]),
                passed(s, s.diary(entries=(ev.PainEntry(good, 2),), at=morning), notes[1]))

    return build


def window_open(p: Policy, r: Region) -> tuple[Case, Case]:
    s = assessing(p, r)
    block, wait = s.facts.block_at, p.relief_window_min
    assert block is not None
    return (refused(s, s.assess(at=block + wait - MINUTE), f"assessed {span(wait - MINUTE)} after"),
            passed(s, s.assess(at=block + wait), f"assessed {span(wait)} after, no diary",
                   Stage.BLOCK_NEGATIVE))


# -- computed branch edges -----------------------------------------------------------------


def edge_score(threshold: Fraction) -> int:
    """The highest score that still gives ``threshold`` relief on a baseline of 10."""
    return math.floor(BASELINE * (1 - threshold))


def block_edge(p: Policy, r: Region) -> tuple[Case, Case]:
    score = edge_score(p.relief_threshold)
    cases = []
    for lowest, stage in ((score, Stage.BLOCK_POSITIVE), (score + 1, Stage.BLOCK_NEGATIVE)):
        s = assessing(p, r)
        s.do(s.diary(lowest)).do(s.assess())
        relief = Fraction(BASELINE - lowest, BASELINE)
        cases.append(ends_in(s, f"lowest score {lowest}/{BASELINE}: {float(relief):.0%} relief",
                              stage))
    return cases[0], cases[1]


def follow_up_edge(p: Policy, r: Region) -> tuple[Case, Case]:
    score = edge_score(p.neurotomy_success_threshold)
    s = start(p, r).positive().neurotomy()
    relieved = s.copy().do(s.follow_up(score, at=s.last + DAY))
    settling = s.copy().do(s.follow_up(score + 1, at=s.last + DAY))
    return (ends_in(relieved, f"score {score}/{BASELINE} a day later", Stage.SUSTAINED_RELIEF),
            ends_in(settling, f"score {score + 1}/{BASELINE} a day later", Stage.FOLLOW_UP))


def settling_edge(p: Policy, r: Region) -> tuple[Case, Case]:
    s = start(p, r).positive().neurotomy()
    done, settling = s.facts.neurotomy_at, p.follow_up_settling
    assert done is not None
    inside = s.copy().do(s.follow_up(BASELINE, at=max(s.last, done + settling)))
    after = s.copy().do(s.follow_up(BASELINE, at=done + settling + SECOND))
    return (ends_in(inside, f"no relief {span(settling)} after", Stage.FOLLOW_UP),
            ends_in(after, f"no relief {span(settling + SECOND)} after", Stage.NO_RELIEF))
