"""Both outcomes of every guard, as pairs of minimal concrete paths.

A `Check` names one guard (a reason code at one event, sometimes with a
detail such as "minimum" or "after the neurotomy") or one computed branch
edge, says whether the policy can exercise it at all and, if so, builds a
pair of cases: the step refused right at the boundary, and the same step
passing (4 h versus 3 h 59 min; 60 min versus 59 min; one second either
side of a cap's 365 days). Time boundaries are read from the policy, so a
clinic's own profile gets its own edges.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from fractions import Fraction

import attrs

from facetcare import events as ev
from facetcare.anatomy import JOINTS, Region, Side
from facetcare.machine import PATHWAY, Stage
from facetcare.policy import Policy
from facetcare.rules import span
from facetcare.testing._script import BASELINE, DAY, MINUTE, YEAR, Script

__all__ = ["CHECKS", "Case", "Check"]

SECOND = dt.timedelta(seconds=1)


@attrs.frozen
class Case:
    """One concrete path: the last event is refused with ``refused``, or accepted into ``stage``."""

    note: str
    events: tuple[ev.Event, ...]
    stage: Stage | None
    refused: str | None = None


def _dest(kind: type[ev.Event], source: Stage | None) -> Stage:
    """Where the transition table sends ``kind`` from ``source`` (one row only)."""
    state = "start" if source is None else str(source)
    rows = [step for step in PATHWAY if step.event is kind and state in step.sources]
    if len(rows) != 1:
        raise ValueError(f"{kind.__name__} from {state} branches; name the expected stage")
    return Stage(rows[0].dest or state)


def refused(s: Script, event: ev.Event, note: str) -> Case:
    return Case(note, (*s.events, event), s.stage, refused="?")


def passed(s: Script, event: ev.Event, note: str, stage: Stage | None = None) -> Case:
    expected = stage if stage is not None else _dest(type(event), s.stage)
    return Case(note, (*s.events, event), expected)


def _ends_in(s: Script, note: str, stage: Stage) -> Case:
    """A case whose events the script has already applied."""
    return Case(note, s.events, stage)


Build = Callable[[Policy, Region], tuple[Case, Case]]
WhyNot = Callable[[Policy], str | None]


@attrs.frozen
class Check:
    """One guard (``code`` at ``event``) or, with ``branch``, one computed-branch edge."""

    code: str
    event: type[ev.Event]
    detail: str
    why_not: WhyNot
    build: Build
    #: The two outcomes shown: a refusal and a pass, or two stages of a computed branch.
    outcomes: tuple[str, str] = ("refused", "passed")

    @property
    def name(self) -> str:
        label = f"{self.code}@{self.event.__name__}"
        return f"{label} ({self.detail})" if self.detail else label

    @property
    def branch(self) -> bool:
        return self.outcomes != ("refused", "passed")

    def cases(self, policy: Policy, region: Region) -> tuple[Case, Case]:
        first, second = self.build(policy, region)
        if self.branch:
            return first, second
        return attrs.evolve(first, refused=self.code), second

    def keys(self) -> tuple[str, str]:
        """The two outcomes as coverage keys."""
        return (f"{self.name}: {self.outcomes[0]}", f"{self.name}: {self.outcomes[1]}")


def _always(policy: Policy) -> str | None:
    return None


def _needs(field: str, why: str) -> WhyNot:
    def why_not(policy: Policy) -> str | None:
        return None if getattr(policy, field) is not None else f"{why} ({field} is None)"

    return why_not


def _start(policy: Policy, region: Region) -> Script:
    return Script(policy, region).refer()


# -- common and referral --------------------------------------------------------------


def _not_in_stage(p: Policy, r: Region) -> tuple[Case, Case]:
    s = _start(p, r)
    arrive = ev.CheckedIn(at=s.last, visit_id="v1", escort_present=True)
    booked = _booked(p, r)
    return (refused(s, arrive, "checked in with no visit booked"),
            passed(booked, booked.check_in(), "checked in for the booked visit"))


def _after_final(p: Policy, r: Region) -> tuple[Case, Case]:
    s = _start(p, r)
    closed = s.copy().do(s.close())
    return (refused(closed, closed.book_block(), "a block booked after the pathway closed"),
            passed(s, s.book_block(), "the same booking before closing"))


def _out_of_order(p: Policy, r: Region) -> tuple[Case, Case]:
    s = _start(p, r)
    return (refused(s, s.book_block(at=s.last - SECOND), "booked 1 s before the referral"),
            passed(s, s.book_block(at=s.last), "booked at the referral's own time"))


def _pain_months(p: Policy, r: Region) -> tuple[Case, Case]:
    needed = p.entry_min_pain_months or 0
    s = Script(p, r)
    return (refused(s, s.referral(pain_months=needed - 1), f"pain for {needed - 1} months"),
            passed(s, s.referral(pain_months=needed), f"pain for {needed} months"))


def _care(p: Policy, r: Region) -> tuple[Case, Case]:
    s = Script(p, r)
    return (refused(s, s.referral(conservative_care_failed=None), "conservative care unknown"),
            passed(s, s.referral(conservative_care_failed=True), "conservative care failed"))


# -- bookings ---------------------------------------------------------------------------


def _block_in_past(p: Policy, r: Region) -> tuple[Case, Case]:
    s = _start(p, r)
    return (refused(s, s.book_block(visit_at=s.last - SECOND), "visit 1 s before the booking"),
            passed(s, s.book_block(visit_at=s.last), "visit at the booking's own time"))


def _next_noon(moment: dt.datetime) -> dt.datetime:
    return dt.datetime.combine(moment.date() + DAY, dt.time(12), tzinfo=moment.tzinfo)


def _neurotomy_in_past(p: Policy, r: Region) -> tuple[Case, Case]:
    s = _start(p, r).positive()
    at = _next_noon(s.last)
    return (refused(s, s.book_neurotomy(at=at, visit_at=at - SECOND),
                    "visit 1 s before the booking"),
            passed(s, s.book_neurotomy(at=at, visit_at=at), "visit at the booking's own time"))


def _block_interval(p: Policy, r: Region) -> tuple[Case, Case]:
    gap = p.min_block_gap or dt.timedelta(0)
    s = _start(p, r).block(False)
    last = s.facts.block_times[-1]
    return (refused(s, s.book_block(visit_at=last + gap - SECOND),
                    f"{span(gap - SECOND)} after the last block"),
            passed(s, s.book_block(visit_at=last + gap), f"{span(gap)} after the last block"))


def _block_cap(p: Policy, r: Region) -> tuple[Case, Case]:
    cap = p.max_blocks_per_year or 0
    s = _start(p, r)
    for _ in range(cap):
        s.block(False)
    oldest = sorted(s.facts.block_times)[-cap]
    return (refused(s, s.book_block(visit_at=oldest + YEAR - SECOND),
                    f"block {cap + 1} booked 365 d − 1 s after the oldest of {cap}"),
            passed(s, s.book_block(visit_at=oldest + YEAR),
                   f"block {cap + 1} booked 365 d after the oldest of {cap}"))


def _neurotomy_cap(p: Policy, r: Region) -> tuple[Case, Case]:
    # A first neurotomy, its repeat, no relief, then blocks on the other side.
    s = Script(p, r).recurrence()
    first = s.facts.neurotomy_at
    assert first is not None
    s.neurotomy().not_relieved()
    right = (s.target(Side.RIGHT),)
    s.positive(targets=right)
    return (refused(s, s.book_neurotomy(targets=right, visit_at=first + YEAR - SECOND),
                    "a third neurotomy 365 d − 1 s after the first"),
            passed(s, s.book_neurotomy(targets=right, visit_at=first + YEAR),
                   "a third neurotomy 365 d after the first"))


def _region_joints(r: Region) -> list[str]:
    return [joint for joint, where in JOINTS.items() if where == r]


def _block_levels(p: Policy, r: Region) -> tuple[Case, Case]:
    cap = p.max_block_levels or 0
    joints = _region_joints(r)
    s = _start(p, r)
    over = tuple(ev.Target(j, Side.LEFT) for j in joints[:cap + 1])
    both = tuple(ev.Target(j, side) for j in joints[:cap] for side in Side)
    return (refused(s, s.book_block(targets=over), f"{cap + 1} joints, left side"),
            passed(s, s.book_block(targets=both), f"{cap} joints, both sides"))


def _neurotomy_levels(p: Policy, r: Region) -> tuple[Case, Case]:
    cap = p.max_neurotomy_levels or 0
    over = tuple(ev.Target(j, Side.LEFT) for j in _region_joints(r)[:cap + 1])
    s = _start(p, r).positive(targets=over)
    return (refused(s, s.book_neurotomy(targets=over), f"{cap + 1} joints"),
            passed(s, s.book_neurotomy(targets=over[:cap]), f"{cap} joints"))


def _no_positive(p: Policy, r: Region) -> tuple[Case, Case]:
    s = _start(p, r).block(True)
    more = s.copy().positive()
    return (refused(s, s.book_neurotomy(), "after 1 positive block"),
            passed(more, more.book_neurotomy(),
                   f"after {p.blocks_required} positive blocks"))


def _untested_booking(p: Policy, r: Region) -> tuple[Case, Case]:
    s = _start(p, r).positive()
    return (refused(s, s.book_neurotomy(targets=(s.other(),)), "a joint that was not blocked"),
            passed(s, s.book_neurotomy(), "the blocked joint"))


def _untested_repeat(p: Policy, r: Region) -> tuple[Case, Case]:
    s = Script(p, r).recurrence()
    return (refused(s, s.book_neurotomy(targets=(s.other(),)), "a repeat on other nerves"),
            passed(s, s.book_neurotomy(), "a repeat on the treated nerves"))


def _untested_lesion(p: Policy, r: Region) -> tuple[Case, Case]:
    s = _start(p, r).positive()
    s.do(s.book_neurotomy()).do(s.check_in())
    stray = (s.lesion(s.other()),)
    return (refused(s, s.perform_neurotomy(lesions=stray), "a lesion on an unblocked joint"),
            passed(s, s.perform_neurotomy(), "lesions on the blocked joint"))


def _block_visit_id(p: Policy, r: Region) -> tuple[Case, Case]:
    s = _start(p, r).positive()
    block_visit = sorted(s.facts.visit_ids)[-1]
    return (refused(s, s.book_neurotomy(visit_id=block_visit), "booked under the block's visit"),
            passed(s, s.book_neurotomy(), "a visit of its own"))


def _same_day(p: Policy, r: Region) -> tuple[Case, Case]:
    s = _start(p, r).positive()
    block = s.facts.block_times[-1]
    midnight = dt.datetime.combine(block.date() + DAY, dt.time(0), tzinfo=block.tzinfo)
    return (refused(s, s.book_neurotomy(visit_at=midnight - SECOND), "23:59:59 on the block's day"),
            passed(s, s.book_neurotomy(visit_at=midnight), "00:00 the next day"))


def _before_assessed(p: Policy, r: Region) -> tuple[Case, Case]:
    # An evening block is assessed after midnight: a later day, yet too early.
    s = _start(p, r)
    evening = dt.datetime.combine(s.last.date() + 7 * DAY, dt.time(21), tzinfo=s.last.tzinfo)
    s.visit_for_block(visit_at=evening).do(s.discharge()).do(s.diary(0)).do(s.assess())
    while s.facts.positive_blocks < p.blocks_required:
        s.visit_for_block(visit_at=s.block_slot().replace(hour=21)).do(s.discharge())
        s.do(s.diary(0)).do(s.assess())
    assessed = s.last
    return (refused(s, s.book_neurotomy(visit_at=assessed), "at the moment of the assessment"),
            passed(s, s.book_neurotomy(visit_at=assessed + MINUTE), "1 min after it"))


def _duplicate_block(p: Policy, r: Region) -> tuple[Case, Case]:
    s = _start(p, r).block(False)
    return (refused(s, s.book_block(visit_id="v1"), "the first block's visit id again"),
            passed(s, s.book_block(), "a new visit id"))


def _duplicate_neurotomy(p: Policy, r: Region) -> tuple[Case, Case]:
    s = Script(p, r).recurrence()
    used = next(e.visit_id for e in s.events if isinstance(e, ev.NeurotomyScheduled))
    return (refused(s, s.book_neurotomy(visit_id=used), "the last neurotomy's visit id again"),
            passed(s, s.book_neurotomy(), "a new visit id"))


def _repeat_soon(p: Policy, r: Region) -> tuple[Case, Case]:
    # No relief, then blocks on the other side: sooner than waiting for a recurrence.
    interval = p.min_neurotomy_interval or dt.timedelta(0)
    s = _start(p, r).positive().neurotomy()
    done = s.facts.neurotomy_at
    assert done is not None
    right = (s.target(Side.RIGHT),)
    s.not_relieved().positive(targets=right)
    return (refused(s, s.book_neurotomy(targets=right, visit_at=done + interval - SECOND),
                    f"{span(interval - SECOND)} after the last neurotomy"),
            passed(s, s.book_neurotomy(targets=right, visit_at=done + interval),
                   f"{span(interval)} after the last neurotomy"))


def _relief_too_short(p: Policy, r: Region) -> tuple[Case, Case]:
    lasting = p.repeat_min_relief_duration or dt.timedelta(0)
    s = _start(p, r).positive().neurotomy()
    s.do(s.follow_up(0, at=s.last + MINUTE))
    done = s.facts.neurotomy_at
    assert done is not None
    short = s.copy().do(s.pain_returned(at=done + lasting - SECOND))
    enough = s.copy().do(s.pain_returned(at=done + lasting))
    return (refused(short, short.book_neurotomy(),
                    f"relief lasted {span(lasting - SECOND)}"),
            passed(enough, enough.book_neurotomy(), f"relief lasted {span(lasting)}"))


def _relief_not_shown(p: Policy, r: Region) -> tuple[Case, Case]:
    s = _start(p, r).positive().neurotomy().not_relieved()
    both = (s.target(Side.LEFT), s.target(Side.RIGHT))
    s.positive(targets=both)
    return (refused(s, s.book_neurotomy(targets=both[:1]), "the nerves that gave no relief"),
            passed(s, s.book_neurotomy(targets=both[1:]), "the other side, blocked anew"))


def _reblock(p: Policy, r: Region) -> tuple[Case, Case]:
    limit = p.reblock_after or dt.timedelta(0)
    s = Script(p, r).recurrence()
    done = s.facts.neurotomy_at
    assert done is not None
    return (refused(s, s.book_neurotomy(visit_at=done + limit + SECOND),
                    f"{span(limit + SECOND)} after the last neurotomy"),
            passed(s, s.book_neurotomy(visit_at=done + limit),
                   f"{span(limit)} after the last neurotomy"))


# -- visits -------------------------------------------------------------------------------


def _booked(p: Policy, r: Region) -> Script:
    s = _start(p, r)
    return s.do(s.book_block())


def _escort_in(p: Policy, r: Region) -> tuple[Case, Case]:
    s = _booked(p, r)
    return (refused(s, s.check_in(escort_present=False), "no escort"),
            passed(s, s.check_in(), "with an escort"))


def _escort_out(p: Policy, r: Region) -> tuple[Case, Case]:
    s = _start(p, r).visit_for_block()
    return (refused(s, s.discharge(escort_present=False), "no escort"),
            passed(s, s.discharge(), "with an escort"))


def _unknown(step: str) -> Build:
    def build(p: Policy, r: Region) -> tuple[Case, Case]:
        if step == "perform_neurotomy":
            s = _treating(p, r)
        else:
            s = _booked(p, r)
            if step in ("perform_block", "discharge"):
                s.do(s.check_in())
            if step == "discharge":
                s.do(s.perform_block())
        make = getattr(s, step)
        back = Stage.REFERRED if step in ("cancel", "miss") else None
        return (refused(s, make(visit_id="v-unknown"), "a visit id that is not open"),
                passed(s, make(), "the open visit", back))

    return build


def _target_mismatch(p: Policy, r: Region) -> tuple[Case, Case]:
    s = _start(p, r)
    s.do(s.book_block(targets=(s.target(Side.LEFT), s.target(Side.RIGHT)))).do(s.check_in())
    return (refused(s, s.perform_block(targets=(s.target(), s.other())), "a joint not booked"),
            passed(s, s.perform_block(targets=(s.target(),)), "fewer targets than booked"))


def _region_block(p: Policy, r: Region) -> tuple[Case, Case]:
    s = _start(p, r)
    return (refused(s, s.book_block(targets=(s.foreign(),)), "a joint of another region"),
            passed(s, s.book_block(), "a joint of the pathway's region"))


def _region_neurotomy(p: Policy, r: Region) -> tuple[Case, Case]:
    s = _start(p, r).positive()
    return (refused(s, s.book_neurotomy(targets=(s.foreign(),)), "a joint of another region"),
            passed(s, s.book_neurotomy(), "the blocked joint"))


def _treating(p: Policy, r: Region) -> Script:
    s = _start(p, r).positive()
    return s.do(s.book_neurotomy()).do(s.check_in())


def _lesion(low: bool, field: str) -> Build:
    def build(p: Policy, r: Region) -> tuple[Case, Case]:
        s = _treating(p, r)
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


def _no_temperature(p: Policy, r: Region) -> tuple[Case, Case]:
    s = _treating(p, r)
    return (refused(s, s.perform_neurotomy(lesions=(s.lesion(s.target(), temperature_c=None),)),
                    "a lesion without a temperature"),
            passed(s, s.perform_neurotomy(), "a lesion at a recorded temperature"))


def _observation(after_neurotomy: bool) -> Build:
    def build(p: Policy, r: Region) -> tuple[Case, Case]:
        if after_neurotomy:
            s = _treating(p, r)
            s.do(s.perform_neurotomy())
            given, wait = s.facts.neurotomy_at, p.neurotomy_recovery
        else:
            s = _start(p, r).visit_for_block()
            given, wait = s.facts.block_at, p.block_observation
        assert given is not None
        return (refused(s, s.discharge(at=given + wait - MINUTE), f"after {span(wait - MINUTE)}"),
                passed(s, s.discharge(at=given + wait), f"after {span(wait)}"))

    return build


def _observing(p: Policy) -> str | None:
    if p.block_observation < MINUTE:
        return "block_observation is under a minute: nothing to refuse"
    return None


def _recovering(p: Policy) -> str | None:
    if p.neurotomy_recovery < MINUTE:
        return "neurotomy_recovery is under a minute: nothing to refuse"
    return None


def _assessing(p: Policy, r: Region) -> Script:
    s = _start(p, r).visit_for_block()
    return s.do(s.discharge())


def _window(before: bool) -> Build:
    def build(p: Policy, r: Region) -> tuple[Case, Case]:
        s = _assessing(p, r)
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


def _window_open(p: Policy, r: Region) -> tuple[Case, Case]:
    s = _assessing(p, r)
    block, wait = s.facts.block_at, p.relief_window_min
    assert block is not None
    return (refused(s, s.assess(at=block + wait - MINUTE), f"assessed {span(wait - MINUTE)} after"),
            passed(s, s.assess(at=block + wait), f"assessed {span(wait)} after, no diary",
                   Stage.BLOCK_NEGATIVE))


def _window_min(p: Policy) -> str | None:
    return "relief_window_min is under a minute" if p.relief_window_min < MINUTE else None


# -- computed branch edges -----------------------------------------------------------------


def _edge_score(threshold: Fraction) -> int:
    """The highest score that still gives ``threshold`` relief on a baseline of 10."""
    return math.floor(BASELINE * (1 - threshold))


def _block_edge(p: Policy, r: Region) -> tuple[Case, Case]:
    score = _edge_score(p.relief_threshold)
    cases = []
    for lowest, stage in ((score, Stage.BLOCK_POSITIVE), (score + 1, Stage.BLOCK_NEGATIVE)):
        s = _assessing(p, r)
        s.do(s.diary(lowest)).do(s.assess())
        relief = Fraction(BASELINE - lowest, BASELINE)
        cases.append(_ends_in(s, f"lowest score {lowest}/{BASELINE}: {float(relief):.0%} relief",
                              stage))
    return cases[0], cases[1]


def _threshold_edge(field: str) -> WhyNot:
    def why_not(p: Policy) -> str | None:
        if _edge_score(getattr(p, field)) + 1 > BASELINE:
            return f"{field} is 0: every score counts as relief"
        return None

    return why_not


def _follow_up_edge(p: Policy, r: Region) -> tuple[Case, Case]:
    score = _edge_score(p.neurotomy_success_threshold)
    s = _start(p, r).positive().neurotomy()
    relieved = s.copy().do(s.follow_up(score, at=s.last + DAY))
    settling = s.copy().do(s.follow_up(score + 1, at=s.last + DAY))
    return (_ends_in(relieved, f"score {score}/{BASELINE} a day later", Stage.SUSTAINED_RELIEF),
            _ends_in(settling, f"score {score + 1}/{BASELINE} a day later", Stage.FOLLOW_UP))


def _settling_edge(p: Policy, r: Region) -> tuple[Case, Case]:
    s = _start(p, r).positive().neurotomy()
    done, settling = s.facts.neurotomy_at, p.follow_up_settling
    assert done is not None
    inside = s.copy().do(s.follow_up(BASELINE, at=max(s.last, done + settling)))
    after = s.copy().do(s.follow_up(BASELINE, at=done + settling + SECOND))
    return (_ends_in(inside, f"no relief {span(settling)} after", Stage.FOLLOW_UP),
            _ends_in(after, f"no relief {span(settling + SECOND)} after", Stage.NO_RELIEF))


E = ev
CHECKS: tuple[Check, ...] = (
    Check("invalid_transition", E.CheckedIn, "not valid in the stage", _always, _not_in_stage),
    Check("invalid_transition", E.BlockScheduled, "after a final stage", _always, _after_final),
    Check("out_of_order", E.BlockScheduled, "", _always, _out_of_order),
    Check("entry_criteria", E.Referred, "pain duration",
          _needs("entry_min_pain_months", "no minimum pain duration"), _pain_months),
    Check("entry_criteria", E.Referred, "conservative care",
          lambda p: None if p.entry_requires_failed_conservative_care
          else "failed conservative care is not required", _care),
    Check("visit_in_past", E.BlockScheduled, "", _always, _block_in_past),
    Check("visit_in_past", E.NeurotomyScheduled, "", _always, _neurotomy_in_past),
    Check("block_interval", E.BlockScheduled, "",
          _needs("min_block_gap", "no minimum gap between blocks"), _block_interval),
    Check("annual_limit", E.BlockScheduled, "",
          _needs("max_blocks_per_year", "no cap on blocks per 12 months"), _block_cap),
    Check("annual_limit", E.NeurotomyScheduled, "",
          _needs("max_neurotomies_per_year", "no cap on neurotomies per 12 months"),
          _neurotomy_cap),
    Check("too_many_levels", E.BlockScheduled, "",
          _needs("max_block_levels", "no cap on joints per block session"), _block_levels),
    Check("too_many_levels", E.NeurotomyScheduled, "",
          _needs("max_neurotomy_levels", "no cap on joints per neurotomy session"),
          _neurotomy_levels),
    Check("no_positive_block", E.NeurotomyScheduled, "",
          lambda p: None if p.blocks_required > 1 else "one positive block is required, and "
          "block_positive is only reached with one", _no_positive),
    Check("untested_target", E.NeurotomyScheduled, "unblocked nerves", _always,
          _untested_booking),
    Check("untested_target", E.NeurotomyScheduled, "repeat on other nerves", _always,
          _untested_repeat),
    Check("untested_target", E.NeurotomyPerformed, "", _always, _untested_lesion),
    Check("same_visit", E.NeurotomyScheduled, "the block's visit id", _always, _block_visit_id),
    Check("same_visit", E.NeurotomyScheduled, "same calendar day", _always, _same_day),
    Check("same_visit", E.NeurotomyScheduled, "before the assessment", _always,
          _before_assessed),
    Check("repeat_too_soon", E.NeurotomyScheduled, "",
          _needs("min_neurotomy_interval", "no minimum interval between neurotomies"),
          _repeat_soon),
    Check("insufficient_prior_relief", E.NeurotomyScheduled, "relief too short",
          _needs("repeat_min_relief_duration", "no prior-relief duration rule"),
          _relief_too_short),
    Check("insufficient_prior_relief", E.NeurotomyScheduled, "same nerves, no relief",
          lambda p: None if p.repeat_min_relief is not None
          or p.repeat_min_relief_duration is not None
          else "no prior-relief rule (repeat_min_relief and its duration are None)",
          _relief_not_shown),
    Check("reblock_required", E.NeurotomyScheduled, "",
          _needs("reblock_after", "repeats never need new blocks"), _reblock),
    Check("no_escort", E.CheckedIn, "",
          lambda p: None if p.escort_required else "no escort is required", _escort_in),
    Check("no_escort", E.Discharged, "",
          lambda p: None if p.escort_required else "no escort is required", _escort_out),
    Check("unknown_visit", E.CheckedIn, "", _always, _unknown("check_in")),
    Check("unknown_visit", E.BlockPerformed, "", _always, _unknown("perform_block")),
    Check("unknown_visit", E.NeurotomyPerformed, "", _always, _unknown("perform_neurotomy")),
    Check("unknown_visit", E.Discharged, "", _always, _unknown("discharge")),
    Check("unknown_visit", E.VisitCancelled, "", _always, _unknown("cancel")),
    Check("unknown_visit", E.VisitMissed, "", _always, _unknown("miss")),
    Check("duplicate_visit", E.BlockScheduled, "", _always, _duplicate_block),
    Check("duplicate_visit", E.NeurotomyScheduled, "", _always, _duplicate_neurotomy),
    Check("target_mismatch", E.BlockPerformed, "", _always, _target_mismatch),
    Check("region_mismatch", E.BlockScheduled, "", _always, _region_block),
    Check("region_mismatch", E.NeurotomyScheduled, "", _always, _region_neurotomy),
    Check("lesion_duration", E.NeurotomyPerformed, "minimum",
          _needs("lesion_min_seconds", "no minimum lesion duration"), _lesion(True, "seconds")),
    Check("lesion_duration", E.NeurotomyPerformed, "maximum",
          _needs("lesion_max_seconds", "no maximum lesion duration"), _lesion(False, "seconds")),
    Check("lesion_temperature", E.NeurotomyPerformed, "minimum",
          _needs("lesion_min_temperature_c", "no minimum temperature"),
          _lesion(True, "temperature")),
    Check("lesion_temperature", E.NeurotomyPerformed, "maximum",
          _needs("lesion_max_temperature_c", "no maximum temperature"),
          _lesion(False, "temperature")),
    Check("lesion_temperature", E.NeurotomyPerformed, "not recorded",
          lambda p: None if p.lesion_min_temperature_c is not None
          or p.lesion_max_temperature_c is not None else "no temperature rule",
          _no_temperature),
    Check("observation_incomplete", E.Discharged, "after the block", _observing,
          _observation(False)),
    Check("observation_incomplete", E.Discharged, "after the neurotomy", _recovering,
          _observation(True)),
    Check("outside_relief_window", E.ReliefDiaryRecorded, "after the window", _always,
          _window(False)),
    Check("outside_relief_window", E.ReliefDiaryRecorded, "before the block", _always,
          _window(True)),
    Check("relief_window_open", E.ReliefAssessed, "", _window_min, _window_open),
    Check("relief_threshold", E.ReliefAssessed, "", _threshold_edge("relief_threshold"),
          _block_edge, ("block_positive", "block_negative")),
    Check("neurotomy_success_threshold", E.FollowUpRecorded, "",
          _threshold_edge("neurotomy_success_threshold"), _follow_up_edge,
          ("sustained_relief", "follow_up")),
    Check("follow_up_settling", E.FollowUpRecorded, "", _always, _settling_edge,
          ("follow_up", "no_relief")),
)
