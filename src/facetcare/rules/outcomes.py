"""The relief a block or a neurotomy gave, and the outcomes it decides.

Positive or negative, relieved, settling or not relieved: each is decided
here, beside the rules that refuse a diary or an assessment, from the same
facts and policy fields (docs/rules.md#positive-block, #follow-up). The
machine only picks the row whose branch these functions name.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

from facetcare import events as ev
from facetcare import timing
from facetcare.codes import OUTSIDE_RELIEF_WINDOW, RELIEF_WINDOW_OPEN
from facetcare.errors import Reason
from facetcare.facts import Facts
from facetcare.machine import BRANCHES, Branch
from facetcare.policy import Policy, ReliefMeasure
from facetcare.rules._declare import gives, span, when

__all__ = [
    "BRANCH_OF",
    "DECISIONS",
    "best_relief",
    "block_relief",
    "follow_up_branch",
    "outside_relief_window",
    "relief_branch",
    "relief_of",
    "relief_window_open",
    "return_branch",
]


def _at_least(baseline: int, score: int, threshold: Fraction) -> bool:
    """(baseline − score) / baseline ≥ threshold for baseline > 0, decided on integers."""
    return (baseline - score) * threshold.denominator >= threshold.numerator * baseline


def block_relief(facts: Facts) -> Fraction | None:
    """Relief of the block under assessment; None when no diary entry counts."""
    block = facts.block
    if block is None or block.lowest_in_window is None or block.baseline <= 0:
        return None
    return Fraction(block.baseline - block.lowest_in_window, block.baseline)


def relief_of(facts: Facts, score: int) -> Fraction:
    """Follow-up relief against the baseline the last neurotomy used."""
    baseline = facts.neurotomy.baseline if facts.neurotomy else 0
    if baseline <= 0:
        return Fraction(0)
    return Fraction(baseline - score, baseline)


def best_relief(facts: Facts) -> Fraction | None:
    """Best follow-up relief since the last neurotomy (None before any follow-up)."""
    return None if facts.best_score is None else relief_of(facts, facts.best_score)


@gives(OUTSIDE_RELIEF_WINDOW)
def outside_relief_window(
    facts: Facts, event: ev.ReliefDiaryRecorded, policy: Policy
) -> Reason | None:
    """Entries are judged by their own times: window = [block, block + end]."""
    window = timing.relief_window(facts, policy)
    if window is None:
        return None
    start, end = window
    outside = [e for e in event.entries if not start <= e.at <= end]
    if outside:
        first = outside[0]
        return Reason(
            OUTSIDE_RELIEF_WINDOW,
            f"{len(outside)} diary entr{'y' if len(outside) == 1 else 'ies'} outside the relief "
            f"window; e.g. the entry at {when(first.at)} is {span(first.at - start)} after "
            f"the block, and the window runs from the block to {span(policy.relief_window_end)} "
            "after it",
        )
    return None


@gives(RELIEF_WINDOW_OPEN)
def relief_window_open(facts: Facts, event: ev.ReliefAssessed, policy: Policy) -> Reason | None:
    opens = timing.assessment_opens_at(facts, policy)
    if opens is None or event.at >= opens:
        return None
    assert facts.block is not None
    return Reason(
        RELIEF_WINDOW_OPEN,
        f"assessed {span(event.at - facts.block.at)} after the block; the assessment may "
        f"conclude from {span(policy.relief_window_min)} after it ({when(opens)})",
    )


def _relieved(baseline: int, score: int, policy: Policy) -> bool:
    """Relief of ``score`` against ``baseline`` reaches the block threshold (exactly)."""
    threshold = policy.relief_threshold
    gained = (baseline - score) * threshold.denominator
    needed = threshold.numerator * baseline
    return gained > needed if policy.relief_threshold_strict else gained >= needed


def relief_branch(facts: Facts, event: ev.ReliefAssessed, policy: Policy) -> str:
    """Positive or negative by the policy's relief measure (docs/payer-rules.md#relief).

    ``best``: the lowest in-window score reaches the threshold, with at
    least ``relief_min_entries`` entries. ``sustained``: every entry up to
    ``relief_window_min`` after the block reaches it, there are at least
    ``relief_min_entries`` of them, and one entry at or after that time
    still does (the relief lasted the agent's expected duration). No entry
    or a baseline of 0 → negative.
    """
    block = facts.block
    if block is None or block.lowest_in_window is None or block.baseline <= 0:
        return Branch.NEGATIVE
    diary = block.diary  # in the order recorded: neither measure needs them by time
    if policy.relief_measure == ReliefMeasure.BEST:
        enough = len(diary) >= policy.relief_min_entries
        positive = enough and _relieved(block.baseline, block.lowest_in_window, policy)
        return Branch.POSITIVE if positive else Branch.NEGATIVE
    lasts_until = block.at + policy.relief_window_min
    early = [e for e in diary if e.at <= lasts_until]
    held = (len(early) >= policy.relief_min_entries
            and all(_relieved(block.baseline, e.score, policy) for e in early)
            and any(_relieved(block.baseline, e.score, policy)
                    for e in diary if e.at >= lasts_until))
    return Branch.POSITIVE if held else Branch.NEGATIVE


def follow_up_branch(facts: Facts, event: ev.FollowUpRecorded, policy: Policy) -> str:
    """Relieved at the success threshold; otherwise settling until the settling period ends."""
    baseline = facts.neurotomy.baseline if facts.neurotomy else 0
    threshold = policy.neurotomy_success_threshold
    relieved = (threshold <= 0 if baseline <= 0
                else _at_least(baseline, event.pain_score, threshold))
    if relieved:
        return Branch.RELIEVED
    settling_ends = timing.settling_ends_at(facts, policy)
    # Soreness settles and the full effect can take ~3 weeks: inclusive.
    if settling_ends is None or event.at <= settling_ends:
        return Branch.SETTLING
    return Branch.NOT_RELIEVED


def return_branch(facts: Facts, event: ev.VisitCancelled | ev.VisitMissed,
                  policy: Policy) -> str:
    """A cancelled or missed visit returns to the stage it was booked from."""
    return facts.open_visit.origin if facts.open_visit else facts.state


#: event type → the function that decides its branch.
BRANCH_OF: dict[type[ev.Event], Callable[[Facts, Any, Policy], str]] = {
    ev.ReliefAssessed: relief_branch,
    ev.FollowUpRecorded: follow_up_branch,
    ev.VisitCancelled: return_branch,
    ev.VisitMissed: return_branch,
}

#: (stage, event type) → the function that decides the branch there; where an
#: event has one row from a stage (a follow-up in sustained relief), none.
DECISIONS: dict[tuple[str, type[ev.Event]], Callable[[Facts, Any, Policy], str]] = {
    (stage, kind): decide
    for kind, decide in BRANCH_OF.items()
    for (stage, name) in BRANCHES
    if name == kind.kind
}
