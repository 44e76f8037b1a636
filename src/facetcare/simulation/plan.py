"""What a (params, policy) pair fixes for every patient, worked out once per chunk.

The simulator chooses values the policy accepts (lesion seconds and
temperatures inside its rules, diary and follow-up scores on the right side
of its thresholds), so the pathway reaches the outcome drawn from the
params without any rule being bent. Thresholds are compared as exact
fractions, as the rules compare them.
"""

from __future__ import annotations

import datetime as dt
import math
from fractions import Fraction

from facetcare.policy import Policy
from facetcare.scheduling import estimate_slot
from facetcare.simulation.params import CohortParams

__all__ = ["Plan"]

MINUTE = dt.timedelta(minutes=1)
Scores = tuple[tuple[int, ...], tuple[int, ...]]


class Plan:
    """Derived constants shared by every patient of a run."""

    def __init__(self, params: CohortParams, policy: Policy) -> None:
        self.params = params
        self.policy = policy
        self.lesion_seconds = narrow(
            params.lesion_seconds, policy.lesion_min_seconds, False, policy.lesion_max_seconds,
            "lesion duration",
        )
        self.lesion_temperature = narrow(
            params.lesion_temperature_c, policy.lesion_min_temperature_c,
            policy.lesion_temperature_strict, policy.lesion_max_temperature_c,
            "lesion temperature",
        )
        baselines = range(params.baseline_pain[0], params.baseline_pain[1] + 1)
        #: baseline → (lowest diary scores giving a positive block, a negative one).
        self.block_scores: dict[int, Scores] = {
            b: split(b, policy.relief_threshold) for b in baselines
        }
        #: baseline → (follow-up scores with relief, without).
        self.follow_scores: dict[int, Scores] = {
            b: split(b, policy.neurotomy_success_threshold) for b in baselines
        }
        self.block_minutes = minutes(estimate_slot("block", policy=policy).procedure)
        observe = math.ceil(policy.block_observation / MINUTE)
        #: Discharge after the observation, up to 30 min more (assumption).
        self.discharge_minutes = (observe, observe + 30)
        self.window_minutes = int(policy.relief_window_end / MINUTE)
        self._neurotomy: dict[int, tuple[tuple[int, int], tuple[int, int]]] = {}

    def neurotomy_minutes(self, nerves: int) -> tuple[tuple[int, int], tuple[int, int]]:
        """(procedure, recovery) whole-minute ranges from `estimate_slot`."""
        found = self._neurotomy.get(nerves)
        if found is None:
            slot = estimate_slot("neurotomy", nerves=nerves, policy=self.policy)
            found = self._neurotomy[nerves] = (minutes(slot.procedure), minutes(slot.recovery))
        return found


def narrow(
    drawn: tuple[int, int], low: float | None, strict: bool, high: float | None, what: str
) -> tuple[int, int]:
    """The params' range cut to what the policy accepts, in whole units.

    If the two do not overlap, the policy's own bounds are used: the
    simulated clinic follows the policy.
    """
    floor = None if low is None else (math.floor(low) + 1 if strict else math.ceil(low))
    ceiling = None if high is None else math.floor(high)
    lo = drawn[0] if floor is None else max(drawn[0], floor)
    hi = drawn[1] if ceiling is None else min(drawn[1], ceiling)
    if lo <= hi:
        return lo, hi
    if floor is not None:
        lo = hi = floor
    elif ceiling is not None:
        lo = hi = ceiling
    if ceiling is not None and lo > ceiling:
        raise ValueError(f"no whole value meets the policy's {what} rule")
    return lo, hi


def split(baseline: int, threshold: Fraction) -> Scores:
    """Scores 0..baseline whose relief reaches ``threshold``, and those that fall short."""
    reached = tuple(s for s in range(baseline + 1) if Fraction(baseline - s, baseline) >= threshold)
    short = tuple(s for s in range(baseline + 1) if Fraction(baseline - s, baseline) < threshold)
    return reached, short


def minutes(span: tuple[dt.timedelta, dt.timedelta]) -> tuple[int, int]:
    """A (min, max) timedelta range as whole minutes inside it."""
    low = math.ceil(span[0] / MINUTE)
    return low, max(low, math.floor(span[1] / MINUTE))
