"""What a (params, policy) pair fixes for every patient, worked out once per chunk.

The simulator chooses values the policy accepts (lesion seconds and
temperatures inside its rules, diary and follow-up scores on the right side
of its thresholds), so the pathway reaches the outcome drawn from the
params without any rule being bent. Thresholds are compared exactly, as
the rules compare them.
"""

from __future__ import annotations

import datetime as dt
import math
from fractions import Fraction

from facetcare.anatomy import Side
from facetcare.events import Target
from facetcare.policy import Policy
from facetcare.scheduling import estimate_slot
from facetcare.simulation.params import CohortParams

__all__ = ["Plan"]

MINUTE = dt.timedelta(minutes=1)
#: Diary entries: every 15 min for the first hour, then hourly [3.4 UW Health].
DIARY_MINUTES = (15, 30, 45, 60, 120, 180, 240, 300, 360)
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
        #: Follow-up reports after a neurotomy, as offsets from it.
        self.follow_ups = tuple(dt.timedelta(days=days) for days in params.follow_up_days)
        #: The diary's entry times inside the relief window, as offsets from the block.
        self.diary_minutes = tuple(m for m in DIARY_MINUTES if m <= self.window_minutes)
        self._diaries: dict[tuple[int, int], tuple[tuple[dt.timedelta, int], ...]] = {}
        self._targets: dict[tuple[int, int, tuple[Side, ...]], tuple[Target, ...]] = {}
        self._neurotomy: dict[tuple[Target, ...], tuple[tuple[int, int], tuple[int, int]]] = {}

    def targets(self, first: int, levels: int, sides: tuple[Side, ...]) -> tuple[Target, ...]:
        """``levels`` contiguous joints of ``params.joints`` from ``first``, on ``sides``.

        Targets are frozen values, so one tuple serves every patient who draws it.
        """
        key = (first, levels, sides)
        found = self._targets.get(key)
        if found is None:
            joints = self.params.joints[first:first + levels]
            found = self._targets[key] = tuple(Target(j, s) for j in joints for s in sides)
        return found

    def diary(self, baseline: int, lowest: int) -> tuple[tuple[dt.timedelta, int], ...]:
        """(offset from the block, score) of each diary entry for a block reaching ``lowest``."""
        key = (baseline, lowest)
        found = self._diaries.get(key)
        if found is None:
            middle = (lowest + baseline + 1) // 2
            found = self._diaries[key] = tuple(
                (m * MINUTE,
                 middle if m in (15, 300) else baseline if m >= 360 else lowest)
                for m in self.diary_minutes
            )
        return found

    def neurotomy_minutes(
        self, targets: tuple[Target, ...]
    ) -> tuple[tuple[int, int], tuple[int, int]]:
        """(procedure, recovery) whole-minute ranges from `estimate_slot` for ``targets``."""
        found = self._neurotomy.get(targets)
        if found is None:
            nerves = len({(nerve, t.side) for t in targets for nerve in t.nerves})
            slot = estimate_slot("neurotomy", nerves=nerves, policy=self.policy)
            found = self._neurotomy[targets] = (minutes(slot.procedure), minutes(slot.recovery))
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
    """Scores 0..baseline whose relief reaches ``threshold``, and those that fall short.

    Relief ``(baseline - s) / baseline >= p / q`` is compared as
    ``(baseline - s) * q >= p * baseline``: exact, like the rules' fractions,
    without building one per score (``baseline`` is at least 1).
    """
    p, q = threshold.numerator, threshold.denominator
    reached: list[int] = []
    short: list[int] = []
    for s in range(baseline + 1):
        (reached if (baseline - s) * q >= p * baseline else short).append(s)
    return tuple(reached), tuple(short)


def minutes(span: tuple[dt.timedelta, dt.timedelta]) -> tuple[int, int]:
    """A (min, max) timedelta range as whole minutes inside it."""
    low = math.ceil(span[0] / MINUTE)
    return low, max(low, math.floor(span[1] / MINUTE))
