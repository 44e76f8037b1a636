"""How long a procedure-room and recovery-bay booking to make (docs/scheduling.md#slots)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

import attrs

from facetcare.policy import Policy

__all__ = ["SlotEstimate", "estimate_slot"]

MINUTE = dt.timedelta(minutes=1)


@attrs.frozen
class SlotEstimate:
    """Procedure and recovery time ranges as (min, max) timedeltas."""

    procedure: tuple[dt.timedelta, dt.timedelta]
    recovery: tuple[dt.timedelta, dt.timedelta]

    @property
    def total(self) -> tuple[dt.timedelta, dt.timedelta]:
        return (self.procedure[0] + self.recovery[0], self.procedure[1] + self.recovery[1])


def estimate_slot(
    procedure: Literal["block", "neurotomy"],
    *,
    nerves: int = 2,
    policy: Policy | None = None,
) -> SlotEstimate:
    """How long to book the room and the recovery bay.

    Block: 20–30 min procedure (an assumption: docs/scheduling.md#slots) +
    the policy's observation (60 min in every profile). Neurotomy: 45 min
    for up to 2 nerves, rising linearly to 90 min at 8 or more, at most
    90 min ("about 1 hour, more with more levels": docs/pathway.md#step-5-neurotomy;
    the linear rise is an assumption); recovery from the policy's minimum
    (30 min) to 60 min (docs/scheduling.md#slots).
    """
    policy = policy if policy is not None else Policy.seed()
    if isinstance(nerves, bool) or not isinstance(nerves, int):
        raise TypeError(f"nerves must be an int, got {nerves!r}")
    if nerves < 1:
        raise ValueError(f"nerves must be at least 1, got {nerves}")
    if procedure == "block":
        observe = policy.block_observation
        return SlotEstimate((20 * MINUTE, 30 * MINUTE), (observe, observe))
    if procedure == "neurotomy":
        steps = min(max(nerves - 2, 0), 6)
        low = 45 * MINUTE + 45 * MINUTE * steps / 6
        recover = policy.neurotomy_recovery
        return SlotEstimate((low, 90 * MINUTE), (recover, max(recover, 60 * MINUTE)))
    raise ValueError(f"procedure must be 'block' or 'neurotomy', got {procedure!r}")
