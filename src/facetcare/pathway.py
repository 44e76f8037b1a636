"""`Pathway`: one patient's care for one spinal region, as its accepted events.

``apply`` runs every rule of the event once; if any refuses, it raises
`Rejected` and nothing has changed. Otherwise it fires the shared machine
(which only picks the computed branch), records the derived facts and keeps
the event. ``check`` runs the same rules and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable
from fractions import Fraction
from functools import cache
from typing import Any

from facetcare import corrections, documents
from facetcare import events as ev
from facetcare._correcting import Correcting, is_correction, locked
from facetcare.errors import Reason, Rejected, Verdict
from facetcare.facts import Facts, advance
from facetcare.machine import STAGE_OF, START, VALID, Stage, fire
from facetcare.policy import Policy
from facetcare.rules import COMMON, RULES, Rule, invalid_transition, out_of_order
from facetcare.rules.outcomes import DECISIONS, best_relief
from facetcare.scheduling import Task, due

__all__ = ["Pathway"]

#: The event types of the table: `apply`'s fast path.
_ORDINARY = frozenset(ev.EVENT_TYPES)
#: Per event type, every rule in `check()` order: the common ones, then the event's own.
_CHECKS: dict[type[ev.Event], tuple[Rule, ...]] = {
    kind: COMMON + rules for kind, rules in RULES.items()
}
#: (stage, event type) valid there → (its rules, the function deciding its branch or None):
#: `apply` looks an event up once.
_PLAN: dict[tuple[str, type[ev.Event]], tuple[tuple[Rule, ...], Any]] = {
    (stage, kind): (_CHECKS[kind], DECISIONS.get((stage, kind)))
    for stage, kinds in VALID.items()
    for kind in kinds
}


@cache
def _seed_policy() -> Policy:
    """The default policy. A `Policy` is frozen, so every pathway shares one."""
    return Policy.seed()


class _Cursor:
    """What the shared `transitions` machine moves: a ``state`` and nothing else."""

    __slots__ = ("state",)

    def __init__(self, state: str) -> None:
        self.state = state


class Pathway(Correcting):
    """A policy plus the ordered accepted events; the stage is what they give.

    Build one with `Pathway.start`, `Pathway.replay` or `Pathway.from_json`.
    Two pathways are equal when their policies and events are equal.
    ``policy`` is the policy the pathway started under, and it cannot be
    reassigned: a payer change is a `PolicyChanged` event, after which
    ``policy_in_force`` is the new one (docs/rules.md#policy-change).

    Safe to share between threads: `apply`, `apply_all`, `check`, `preview`,
    `due` and the document methods hold a per-pathway lock, so two threads
    booking at once never both succeed (the second is judged after the
    first). `copy.copy` and `copy.deepcopy` give independent pathways.
    """

    __slots__ = ("_cursor", "_events", "_facts", "_ids", "_in_force", "_lock", "_log",
                 "_origins", "_policy")

    def __init__(self, *, policy: Policy | None = None) -> None:
        """An empty pathway before referral; prefer `start` or `replay`."""
        if policy is not None and not isinstance(policy, Policy):
            raise TypeError(f"policy must be a facetcare.Policy, got {type(policy).__name__}")
        self._policy: Policy = policy if policy is not None else _seed_policy()
        self._in_force: Policy = self._policy
        self._facts = Facts()
        self._cursor = _Cursor(START)
        #: Every accepted event, corrections included; an entry's index is its ``seq``.
        self._log: list[ev.Event] = []
        #: The effective history, and for each of its events the seq it was logged at.
        self._events: list[ev.Event] = []
        self._origins: list[int] = []
        #: event_id → the seq of the log entry that carries it.
        self._ids: dict[str, int] = {}
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
        apply = pathway._apply  # no other thread sees the pathway before it is returned
        index = -1
        for index, event in enumerate(events):
            try:
                apply(event)
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
    def policy(self) -> Policy:
        """The policy the pathway started under (read-only; see `PolicyChanged`)."""
        return self._policy

    @property
    def policy_in_force(self) -> Policy:
        """The policy later events are judged under: the last `PolicyChanged`, or ``policy``."""
        return self._in_force

    @property
    def facts(self) -> Facts:
        """The derived facts the rules read: a frozen value that never changes under you."""
        return self._facts

    @property
    def stage(self) -> Stage:
        state = self._facts.state
        if state == START:
            raise ValueError("this pathway has no events yet: apply a Referred event first")
        return STAGE_OF[state]

    @property
    def events(self) -> tuple[ev.Event, ...]:
        """The effective history: the log with its corrections applied, in clinical order."""
        return tuple(self._events)

    @property
    def log(self) -> tuple[ev.Event, ...]:
        """Every accepted event, corrections included, append-only; ``seq`` is the index."""
        return tuple(self._log)

    def history(self) -> tuple[corrections.AuditEntry, ...]:
        """The audit trail: each log entry, who recorded it when, what it corrected and why."""
        return corrections.audit(self._log)

    @property
    def pathway_id(self) -> str:
        return self._facts.pathway_id

    @property
    def patient_id(self) -> str:
        return self._facts.patient_id

    @property
    def region(self) -> ev.Region:
        return self._facts.region

    @property
    def last_event_at(self) -> dt.datetime | None:
        return self._facts.last_at

    @property
    def best_relief(self) -> Fraction | None:
        """Best follow-up relief since the last neurotomy (None before any follow-up)."""
        return best_relief(self._facts)

    def allowed_events(self) -> frozenset[type[ev.Event]]:
        """Event types valid in the current stage (the rules may still refuse one)."""
        return VALID[self._facts.state]

    @locked
    def check(self, event: ev.Event) -> Verdict:
        """Every reason ``event`` would be refused for; changes nothing."""
        if self._resent(event):
            return Verdict()
        if is_correction(event):
            _, reasons, _ = self._judge_correction(event)
            return Verdict(reasons)
        return Verdict(tuple(self._reasons(event)))

    def apply(self, event: ev.Event) -> Stage:
        """Accept ``event`` and return the new stage, or raise `Rejected` and change nothing.

        An event re-sent with an ``event_id`` already accepted and the same
        content changes nothing and returns the stage. One reader or writer
        holds the pathway's lock at a time.
        """
        with self._lock:  # not `locked`: apply is the hot path
            return self._apply(event)

    def _apply(self, event: ev.Event) -> Stage:
        """`apply` with the lock held (or on a pathway no other thread can see yet)."""
        kind = type(event)
        facts = self._facts
        state = facts.state
        plan = _PLAN.get((state, kind))
        event_id = event.event_id if plan is not None else None
        if plan is None or (event_id is not None and event_id in self._ids):
            return self._apply_other(event)  # a correction, a re-send, a wrong stage
        rules, decide = plan
        policy = self._in_force
        for rule in rules:
            if rule(facts, event, policy) is not None:
                # Refused: `_reasons` runs every rule again to give all the reasons,
                # so an accepted event (the usual case) keeps no list of them.
                raise Rejected(tuple(self._reasons(event)), event=event)
        branch = None if decide is None else decide(facts, event, policy)
        cursor = self._cursor
        if not fire(cursor, event.kind, branch):
            # The rules passed but no row of the table matched the branch: a
            # defect in facetcare, not in the caller's event. Nothing was kept.
            cursor.state = state
            raise RuntimeError(f"no transition for {event.kind} from {state} ({branch})")
        self._facts = advance(facts, event, cursor.state, branch)
        if kind is ev.PolicyChanged:
            self._in_force = event.policy  # type: ignore[attr-defined]
        seq = len(self._log)
        self._log.append(event)
        self._events.append(event)
        self._origins.append(seq)
        if event_id is not None:
            self._ids[event_id] = seq
        return STAGE_OF[cursor.state]

    def _apply_other(self, event: ev.Event) -> Stage:
        """`apply` for a correction, a re-sent or duplicate id, or an event its stage refuses."""
        if self._resent(event):
            return self.stage
        if is_correction(event):
            rebuilt, why, after = self._judge_correction(event)
            if rebuilt is None:
                raise Rejected(why, event=event)
            self._take(rebuilt, after)
            self._logged(event)
            return self.stage
        raise Rejected(tuple(self._reasons(event)), event=event)

    @locked
    def due(self, now: dt.datetime) -> tuple[Task, ...]:
        """Open tasks of the current stage, future ones included, by ``not_before``."""
        return due(self._facts, self._in_force, now)

    def _reasons(self, event: ev.Event) -> list[Reason]:
        if not isinstance(event, ev.Event):
            raise TypeError(f"expected a facetcare event, got {type(event).__name__}")
        facts = self._facts
        policy = self._in_force
        if event.event_id is not None and event.event_id in self._ids:
            return [self._duplicate(event)]
        if type(event) not in VALID[facts.state]:
            reasons = [invalid_transition(facts, event)]
            late = out_of_order(facts, event, policy)
            if late is not None:
                reasons.append(late)
            return reasons
        reasons = []
        for rule in _CHECKS[type(event)]:
            found = rule(facts, event, policy)
            if found is not None:
                reasons.append(found)
        return reasons

    def _state(self) -> str:
        return self._cursor.state

    def _set_state(self, state: str) -> None:
        self._cursor.state = state

    # -- documents ----------------------------------------------------------------
    #
    # `facetcare.documents` reads and writes (policy, log); a pathway is always
    # rebuilt by replaying the log (corrections included) under every rule.

    def to_dict(self, *, key: bytes | None = None) -> dict[str, Any]:
        with self._lock:
            return documents.to_document(self._policy, self._log, key=key)

    def to_json(self, *, key: bytes | None = None) -> str:
        """The canonical document; with ``key`` (bytes), signed with HMAC-SHA256."""
        with self._lock:
            return documents.encode(self._policy, self._log, key=key)

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
        """An independent pathway with the same policy and log (values are frozen)."""
        with self._lock:
            log, policy = list(self._log), self._policy
        if not log:
            return type(self)(policy=policy)
        return type(self).replay(log, policy=policy)

    def __deepcopy__(self, memo: dict[int, Any]) -> Pathway:
        return self.__copy__()

    # -- values -------------------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Pathway):
            return NotImplemented
        return self._policy == other._policy and self._log == other._log

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        facts = self._facts
        return (
            f"<Pathway {facts.pathway_id or '?'} ({facts.region}) {facts.state}, "
            f"{len(self._log)} events, policy {self._in_force.name}>"
        )
