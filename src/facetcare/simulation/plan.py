"""What a (params, policy) pair fixes for every patient, worked out once per chunk.

The simulator chooses lesion seconds and temperatures the policy's
technique rules accept (a clinic follows its policy), and records what the
policy's documentation rules ask (`facetcare.records`: the referral's
findings and diagnosis, imaging, sedation, agent, lesion modality). Diary and follow-up
scores are *not* chosen here: they come from the patient's relief
(`facetcare.simulation.patient`), and the policy's thresholds judge them.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from facetcare import records
from facetcare.anatomy import Side
from facetcare.events import Lesion, Target
from facetcare.policy import Policy
from facetcare.scheduling import estimate_slot
from facetcare.simulation.params import CohortParams
from facetcare.simulation.patient import DIARY_MINUTES

__all__ = ["Multiples", "Plan"]

MINUTE = dt.timedelta(minutes=1)
DAY = dt.timedelta(days=1)


class Multiples(dict[int, dt.timedelta]):
    """``k`` → ``k * unit``, each product made once and then looked up.

    Multiplying a `timedelta` by an int costs several times a dict lookup,
    and the walk turns every drawn count of minutes or days into one; the
    counts drawn repeat (a few ranges), so a plan's cache stays small.
    """

    __slots__ = ("unit",)

    def __init__(self, unit: dt.timedelta) -> None:
        super().__init__()
        self.unit = unit

    def __missing__(self, k: int) -> dt.timedelta:
        found = self[k] = k * self.unit
        return found


class Plan:
    """Derived constants shared by every patient of a run."""

    def __init__(self, params: CohortParams, policy: Policy) -> None:
        self.params = params
        self.policy = policy
        #: What the clinic records on each event for the policy's documentation rules.
        self.referral_record: dict[str, Any] = records.referral_record(policy, params.region)
        self.block_record: dict[str, Any] = records.block_record(policy)
        self.neurotomy_record: dict[str, Any] = records.neurotomy_record(policy)
        self.lesion_record: dict[str, Any] = records.lesion_record(policy)
        self.lesion_seconds = narrow(
            params.lesion_seconds, policy.lesion_min_seconds, False, policy.lesion_max_seconds,
            "lesion duration",
        )
        self.lesion_temperature = narrow(
            params.lesion_temperature_c, policy.lesion_min_temperature_c,
            policy.lesion_temperature_strict, policy.lesion_max_temperature_c,
            "lesion temperature",
        )
        self.block_minutes = minutes(estimate_slot("block", policy=policy).procedure)
        observe = math.ceil(policy.block_observation / MINUTE)
        #: Discharge after the observation, up to 30 min more (assumption).
        self.discharge_minutes = (observe, observe + 30)
        self.window_minutes = int(policy.relief_window_end / MINUTE)
        #: Drawn counts of minutes and days as timedeltas (`Multiples`).
        self.minutes = Multiples(MINUTE)
        self.days = Multiples(DAY)
        #: Follow-up reports after a neurotomy, as offsets from it.
        self.follow_ups = tuple(dt.timedelta(days=days) for days in params.follow_up_days)
        #: The diary's entry times inside the relief window, as offsets from the block.
        self.diary_minutes = tuple(m for m in DIARY_MINUTES if m <= self.window_minutes)
        #: The same as timedeltas, made once rather than at every diary line.
        self.diary_offsets = tuple(m * MINUTE for m in self.diary_minutes)
        self._targets: dict[tuple[int, int, tuple[Side, ...]], tuple[Target, ...]] = {}
        self._neurotomy: dict[tuple[Target, ...], tuple[tuple[int, int], tuple[int, int]]] = {}
        #: When the clinic reviews a diary after the block: the next day (assumption), and
        #: not before the policy's relief window allows the assessment.
        self.review_after = max(DAY, policy.relief_window_min)
        #: (target, seconds, °C) → the `Lesion`: frozen, so patients share them.
        self.lesions: dict[tuple[Target, int, int], Lesion] = {}

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


def minutes(span: tuple[dt.timedelta, dt.timedelta]) -> tuple[int, int]:
    """A (min, max) timedelta range as whole minutes inside it."""
    low = math.ceil(span[0] / MINUTE)
    return low, max(low, math.floor(span[1] / MINUTE))
