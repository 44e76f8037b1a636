"""Why something was refused, and the exceptions that carry it.

A `Reason` is a stable ``code`` (API: scheduling systems switch on it) and a
``message`` written for the clerk at the desk. The codes are listed in
`CODES`; new ones are added, existing ones never change meaning.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    from facetcare.events import Event

__all__ = ["CODES", "PathwayError", "Reason", "Rejected", "SerializationError", "Verdict"]

#: Every reason code facetcare can give, with what it means.
CODES: dict[str, str] = {
    "invalid_transition": "the event is not allowed in the pathway's current stage",
    "out_of_order": "the event is earlier than the last accepted event",
    "entry_criteria": "the referral does not meet the policy's entry criteria",
    "visit_in_past": "the visit is booked for a time before the booking",
    "block_interval": "too soon after the last block for the policy's minimum gap",
    "annual_limit": "the policy's cap per rolling 12 months would be exceeded",
    "too_many_levels": "more facet joints (levels) than the policy allows in one session",
    "no_positive_block": "fewer positive blocks than the policy requires before a neurotomy",
    "untested_target": "a nerve that no qualifying positive block confirmed",
    "same_visit": "the neurotomy must be a separate, later visit than the block",
    "repeat_too_soon": "too soon after the last neurotomy for the policy's minimum interval",
    "insufficient_prior_relief": "the last neurotomy did not give enough relief for long enough",
    "reblock_required": "the last neurotomy is too long ago: new diagnostic blocks are needed",
    "no_escort": "no driver or escort to take the patient home",
    "unknown_visit": "the visit id is not the pathway's open visit",
    "duplicate_visit": "the visit id was already used in this pathway",
    "target_mismatch": "a target was treated that the visit was not booked for",
    "region_mismatch": "a target outside the pathway's spinal region",
    "lesion_duration": "a lesion shorter or longer than the policy allows",
    "lesion_temperature": "a lesion temperature outside the policy's range, or not recorded",
    "observation_incomplete": "discharge before the policy's observation or recovery time",
    "outside_relief_window": "a diary entry outside the relief window",
    "relief_window_open": "the relief assessment cannot conclude this early",
}


@attrs.frozen
class Reason:
    """One refusal: a stable ``code`` and a human ``message``."""

    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


@attrs.frozen
class Verdict:
    """What `Pathway.check` says about an event: allowed, or the reasons why not."""

    reasons: tuple[Reason, ...] = ()

    @property
    def allowed(self) -> bool:
        return not self.reasons

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(r.code for r in self.reasons)

    def __bool__(self) -> bool:
        return self.allowed


class PathwayError(Exception):
    """Base of every error facetcare raises about a pathway or a document."""


class Rejected(PathwayError):
    """An event was refused; the pathway is exactly as it was before.

    ``reasons`` says why; ``event`` is the refused event; from
    `Pathway.replay`, ``index`` is its position in the replayed sequence.
    """

    def __init__(
        self,
        reasons: tuple[Reason, ...],
        event: Event | None = None,
        index: int | None = None,
    ) -> None:
        self.reasons = tuple(reasons)
        self.event = event
        self.index = index
        where = f"event {index} " if index is not None else ""
        kind = f"{type(event).__name__} " if event is not None else ""
        super().__init__(f"{where}{kind}refused: " + "; ".join(map(str, self.reasons)))

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(r.code for r in self.reasons)


class SerializationError(PathwayError, ValueError):
    """A document could not be read: malformed, truncated, unknown or too new."""
