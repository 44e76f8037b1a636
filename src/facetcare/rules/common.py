"""Rules every event is judged by, whatever its stage."""

from __future__ import annotations

from facetcare import events as ev
from facetcare.codes import INVALID_TRANSITION, OUT_OF_ORDER
from facetcare.errors import Reason
from facetcare.facts import Facts
from facetcare.machine import START
from facetcare.policy import Policy
from facetcare.rules._declare import gives, when

__all__ = ["invalid_transition", "out_of_order"]


def invalid_transition(facts: Facts, event: ev.Event) -> Reason:
    """The event is not valid in this stage (the table says so, no rule needed)."""
    stage = "before referral" if facts.state == START else f"in stage {facts.state}"
    return Reason(INVALID_TRANSITION, f"{event.kind} is not allowed {stage}")


@gives(OUT_OF_ORDER)
def out_of_order(facts: Facts, event: ev.Event, policy: Policy) -> Reason | None:
    last = facts.last_at
    if last is not None and event.at < last:
        return Reason(
            OUT_OF_ORDER,
            f"{event.kind} at {when(event.at)} is earlier than the last accepted event "
            f"({when(last)})",
        )
    return None
