"""`Pathway`: one patient's care for one spinal region, as its accepted events.

``apply`` runs every rule of the event once; if any refuses, it raises
`Rejected` and nothing has changed. Otherwise it fires the shared machine
(which only picks the computed branch), records the derived facts and keeps
the event. ``check`` runs the same rules and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterable
from fractions import Fraction
from functools import cache
from typing import TYPE_CHECKING, Any

from facetcare import documents
from facetcare import events as ev
from facetcare.errors import Reason, Rejected, Verdict
from facetcare.machine import BRANCHES, STAGE_OF, START, TRIGGERS, VALID, Stage
from facetcare.policy import Policy
from facetcare.record import Record
from facetcare.rules import COMMON, RULES, Rule, invalid_transition, out_of_order

if TYPE_CHECKING:
    from facetcare.scheduling import Task

__all__ = ["Pathway"]


def _relief_branch(rec: Record, event: ev.ReliefAssessed, policy: Policy) -> str:
    """Positive when relief ≥ threshold; no in-window entry or baseline 0 → negative."""
    return "positive" if rec.block_relief_at_least(policy.relief_threshold) else "negative"


def _follow_up_branch(rec: Record, event: ev.FollowUpRecorded, policy: Policy) -> str:
    if rec.relief_at_least(event.pain_score, policy.neurotomy_success_threshold):
        return "relieved"
    performed = rec.neurotomy.at if rec.neurotomy else event.at
    # Soreness settles and the full effect can take ~3 weeks [3.3]: inclusive.
    if event.at <= performed + policy.follow_up_settling:
        return "settling"
    return "not_relieved"


def _return_branch(rec: Record, event: Any, policy: Policy) -> str:
    """A cancelled or missed visit returns to the stage it was booked from."""
    return rec.open_visit.origin if rec.open_visit else rec.state


_BRANCH_OF: dict[type[ev.Event], Callable[[Record, Any, Policy], str]] = {
    ev.ReliefAssessed: _relief_branch,
    ev.FollowUpRecorded: _follow_up_branch,
    ev.VisitCancelled: _return_branch,
    ev.VisitMissed: _return_branch,
}

#: Per event type, every rule in `check()` order: the common ones, then the event's own.
_CHECKS: dict[type[ev.Event], tuple[Rule, ...]] = {
    kind: COMMON + rules for kind, rules in RULES.items()
}


@cache
def _seed_policy() -> Policy:
    """The default policy. A `Policy` is frozen, so every pathway shares one."""
    return Policy.seed()


class Pathway:
    """A policy plus the ordered accepted events; the stage is what they give.

    Build one with `Pathway.start`, `Pathway.replay` or `Pathway.from_json`.
    Two pathways are equal when their policies and events are equal.

    Safe to share between threads: `apply`, `check`, `due` and the document
    methods hold a per-pathway lock, so two threads booking at once never
    both succeed (the second is judged after the first). `copy.copy` and
    `copy.deepcopy` give independent pathways.
    """

    __slots__ = ("_events", "_lock", "_record", "policy")

    def __init__(self, *, policy: Policy | None = None) -> None:
        """An empty pathway before referral; prefer `start` or `replay`."""
        if policy is not None and not isinstance(policy, Policy):
            raise TypeError(f"policy must be a facetcare.Policy, got {type(policy).__name__}")
        self.policy: Policy = policy if policy is not None else _seed_policy()
        self._record = Record()
        self._events: list[ev.Event] = []
        self._lock = threading.RLock()

    # -- building ---------------------------------------------------------------

    @classmethod
    def start(cls, referral: ev.Referred, *, policy: Policy | None = None) -> Pathway:
        """Open a pathway; raises `Rejected` (``entry_criteria``) if the policy's criteria fail."""
        if not isinstance(referral, ev.Referred):
            raise TypeError(
                f"a pathway starts with a Referred event, got {type(referral).__name__}"
            )
        pathway = cls(policy=policy)
        pathway.apply(referral)
        return pathway

    @classmethod
    def replay(cls, events: Iterable[ev.Event], *, policy: Policy | None = None) -> Pathway:
        """Rebuild a pathway by re-applying every event under every rule.

        Raises `Rejected` with ``.index`` at the first refused event, so a
        tampered log is never silently accepted.
        """
        pathway = cls(policy=policy)
        index = -1
        for index, event in enumerate(events):
            try:
                pathway.apply(event)
            except Rejected as refused:
                raise Rejected(refused.reasons, event=refused.event, index=index) from None
            except TypeError as bad:
                raise TypeError(f"event {index}: {bad}") from None
        if index < 0:
            raise Rejected(
                (Reason("invalid_transition", "a pathway starts with Referred; no events given"),),
                index=0,
            )
        return pathway

    # -- the questions a scheduling system asks ----------------------------------

    @property
    def stage(self) -> Stage:
        state = self._record.state
        if state == START:
            raise ValueError("this pathway has no events yet: apply a Referred event first")
        return STAGE_OF[state]

    @property
    def events(self) -> tuple[ev.Event, ...]:
        return tuple(self._events)

    @property
    def pathway_id(self) -> str:
        return self._record.pathway_id

    @property
    def patient_id(self) -> str:
        return self._record.patient_id

    @property
    def region(self) -> ev.Region:
        return self._record.region

    @property
    def last_event_at(self) -> dt.datetime | None:
        return self._record.last_at

    @property
    def best_relief(self) -> Fraction | None:
        """Best follow-up relief since the last neurotomy (None before any follow-up)."""
        return self._record.best_relief

    def allowed_events(self) -> frozenset[type[ev.Event]]:
        """Event types valid in the current stage (the rules may still refuse one)."""
        return VALID[self._record.state]

    def check(self, event: ev.Event) -> Verdict:
        """Every reason ``event`` would be refused for; changes nothing."""
        with self._lock:
            return Verdict(tuple(self._reasons(event)))

    def apply(self, event: ev.Event) -> Stage:
        """Accept ``event`` and return the new stage, or raise `Rejected` and change nothing."""
        with self._lock:
            return self._apply(event)

    def _apply(self, event: ev.Event) -> Stage:
        reasons = self._reasons(event)
        if reasons:
            raise Rejected(tuple(reasons), event=event)
        rec = self._record
        origin = rec.state
        kind = type(event)
        branching = _BRANCH_OF.get(kind)
        if branching is not None and (origin, event.kind) in BRANCHES:
            branch: str | None = branching(rec, event, self.policy)
            fired = TRIGGERS[event.kind].trigger(rec, branch)
        else:
            branch = None
            fired = TRIGGERS[event.kind].trigger(rec)
        if not fired:
            # The rules passed but no row of the table matched the branch: a
            # defect in facetcare, not in the caller's event. Nothing was noted.
            raise RuntimeError(f"no transition for {event.kind} from {origin} ({branch})")
        rec.note(event, origin, branch)
        self._events.append(event)
        return STAGE_OF[rec.state]

    def due(self, now: dt.datetime) -> tuple[Task, ...]:
        """Open tasks of the current stage, future ones included, by ``not_before``."""
        from facetcare.scheduling import due

        with self._lock:
            return due(self, now)

    def _reasons(self, event: ev.Event) -> list[Reason]:
        if not isinstance(event, ev.Event):
            raise TypeError(f"expected a facetcare event, got {type(event).__name__}")
        rec = self._record
        policy = self.policy
        if type(event) not in VALID[rec.state]:
            reasons = [invalid_transition(rec, event)]
            late = out_of_order(rec, event, policy)
            if late is not None:
                reasons.append(late)
            return reasons
        reasons = []
        for rule in _CHECKS[type(event)]:
            found = rule(rec, event, policy)
            if found is not None:
                reasons.append(found)
        return reasons

    # -- documents ----------------------------------------------------------------
    #
    # `facetcare.documents` reads and writes (policy, events); a pathway is
    # always rebuilt by replaying them under every rule.

    def to_dict(self, *, key: bytes | None = None) -> dict[str, Any]:
        with self._lock:
            return documents.to_document(self.policy, self._events, key=key)

    def to_json(self, *, key: bytes | None = None) -> str:
        """The canonical document; with ``key`` (bytes), signed with HMAC-SHA256."""
        with self._lock:
            return documents.encode(self.policy, self._events, key=key)

    @classmethod
    def from_dict(cls, document: object, *, key: bytes | None = None,
                  limits: documents.Limits = documents.DEFAULT_LIMITS) -> Pathway:
        policy, events = documents.decode(document, key=key, limits=limits)
        return cls.replay(events, policy=policy)

    @classmethod
    def from_json(cls, text: str | bytes, *, key: bytes | None = None,
                  limits: documents.Limits = documents.DEFAULT_LIMITS) -> Pathway:
        """Read a document and replay it; with ``key``, refuse it unless signed with it.

        Raises `SerializationError` (unreadable, over a limit, edited after
        writing, badly signed) or `Rejected` (an event the rules refuse).
        """
        policy, events = documents.decode(text, key=key, limits=limits)
        return cls.replay(events, policy=policy)

    # -- copies -------------------------------------------------------------------

    def __copy__(self) -> Pathway:
        """An independent pathway with the same policy and events (values are frozen)."""
        with self._lock:
            events, policy = list(self._events), self.policy
        if not events:
            return type(self)(policy=policy)
        return type(self).replay(events, policy=policy)

    def __deepcopy__(self, memo: dict[int, Any]) -> Pathway:
        return self.__copy__()

    # -- values -------------------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Pathway):
            return NotImplemented
        return self.policy == other.policy and self._events == other._events

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        state = self._record.state
        return (
            f"<Pathway {self._record.pathway_id or '?'} ({self._record.region}) {state}, "
            f"{len(self._events)} events, policy {self.policy.name}>"
        )
