"""`Pathway`: one patient's care for one spinal region, as its accepted events.

``apply`` runs every rule of the event once; if any refuses, it raises
`Rejected` and nothing has changed. Otherwise it fires the shared machine
(which only picks the computed branch), records the derived facts and keeps
the event. ``check`` runs the same rules and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
from collections.abc import Callable, Iterable
from fractions import Fraction
from functools import cache
from typing import Any, Concatenate, ParamSpec, TypeVar

from facetcare import corrections, documents
from facetcare import events as ev
from facetcare.codes import CORRECTION_CONFLICT, DUPLICATE_EVENT_ID
from facetcare.errors import Reason, Rejected, Verdict
from facetcare.facts import Facts, advance
from facetcare.machine import BRANCHES, STAGE_OF, START, TRIGGERS, VALID, Stage
from facetcare.policy import Policy
from facetcare.rules import BRANCH_OF, COMMON, RULES, Rule, invalid_transition, out_of_order
from facetcare.rules.outcomes import best_relief
from facetcare.scheduling import Task, due

__all__ = ["Pathway"]

#: Per event type, every rule in `check()` order: the common ones, then the event's own.
_CHECKS: dict[type[ev.Event], tuple[Rule, ...]] = {
    kind: COMMON + rules for kind, rules in RULES.items()
}


@cache
def _seed_policy() -> Policy:
    """The default policy. A `Policy` is frozen, so every pathway shares one."""
    return Policy.seed()


def _ids_of(event: ev.Event) -> tuple[str, ...]:
    """The event ids an accepted log entry carries: its own, and its corrected event's."""
    inner = (event.event if isinstance(event, ev.LateEntry)
             else event.replacement if isinstance(event, ev.Amended) else None)
    found = (event.event_id, inner.event_id if inner is not None else None)
    return tuple(i for i in found if i is not None)


class _Cursor:
    """What the shared `transitions` machine moves: a ``state`` and nothing else."""

    __slots__ = ("state",)

    def __init__(self, state: str) -> None:
        self.state = state


_P = ParamSpec("_P")
_R = TypeVar("_R")


def _locked(
    method: Callable[Concatenate[Pathway, _P], _R],
) -> Callable[Concatenate[Pathway, _P], _R]:
    """Run ``method`` holding the pathway's lock: one reader or writer at a time."""

    @functools.wraps(method)
    def locked(self: Pathway, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        with self._lock:
            return method(self, *args, **kwargs)

    return locked


class Pathway:
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

    @_locked
    def check(self, event: ev.Event) -> Verdict:
        """Every reason ``event`` would be refused for; changes nothing."""
        if self._resent(event):
            return Verdict()
        if isinstance(event, ev.Correction):
            _, reasons, _ = self._judge_correction(event)
            return Verdict(reasons)
        return Verdict(tuple(self._reasons(event)))

    @_locked
    def apply(self, event: ev.Event) -> Stage:
        """Accept ``event`` and return the new stage, or raise `Rejected` and change nothing.

        An event re-sent with an ``event_id`` already accepted and the same
        content changes nothing and returns the stage.
        """
        if self._resent(event):
            return self.stage
        if isinstance(event, ev.Correction):
            rebuilt, why, after = self._judge_correction(event)
            if rebuilt is None:
                raise Rejected(why, event=event)
            self._take(rebuilt, after)
            self._logged(event)
            return self.stage
        reasons = self._reasons(event)
        if reasons:
            raise Rejected(tuple(reasons), event=event)
        self._accept(event)
        self._logged(event)
        self._origins.append(len(self._log) - 1)
        return STAGE_OF[self._cursor.state]

    @_locked
    def apply_all(self, events: Iterable[ev.Event]) -> Stage:
        """Accept every event, in order, or raise `Rejected` and change nothing.

        Corrections that only make sense together (retract a diary and the
        booking that followed from it) are judged together: the effective
        history they lead to must pass every rule once they are all applied.
        ``Rejected.index`` is the position in ``events`` of the refused one.
        """
        batch = list(events)
        if not any(isinstance(event, ev.Correction) for event in batch):
            saved = self._saved()
            for index, event in enumerate(batch):
                try:
                    self.apply(event)
                except Rejected as refused:
                    self._restore(saved)
                    raise Rejected(refused.reasons, event=refused.event, index=index) from None
            return self.stage
        log = list(self._log)
        ids = dict(self._ids)
        history = list(zip(self._origins, self._events, strict=True))
        for index, event in enumerate(batch):
            if event.event_id is not None and event.event_id in ids:
                if log[ids[event.event_id]] == event:
                    continue
                raise Rejected((self._duplicate(event),), event=event, index=index)
            seq = len(log)
            if isinstance(event, ev.Correction):
                history, problem = corrections.corrected(log, history, event, seq)
                if problem is not None:
                    raise Rejected((problem,), event=event, index=index)
            else:
                history.append((seq, event))
            log.append(event)
            for carried in _ids_of(event):
                ids[carried] = seq
        rebuilt, failed = self._replayed([event for _, event in history])
        if failed is not None:
            position, first = failed
            origin = history[position][0] if history else 0
            if history and origin >= len(self._log) and not isinstance(log[origin],
                                                                          ev.Correction):
                raise Rejected(first.reasons, event=first.event, index=batch.index(log[origin]))
            raise Rejected((self._conflict(history, position, first),), event=batch[-1])
        assert rebuilt is not None
        self._take(rebuilt, history)
        self._log, self._ids = log, ids
        return self.stage

    @_locked
    def preview(self, correction: ev.Correction) -> corrections.Impact:
        """What ``correction`` would do (stage, tasks, events refused), changing nothing."""
        if not isinstance(correction, ev.Correction):
            raise TypeError(f"preview takes a correction, got {type(correction).__name__}")
        before = self._tasks()
        after, problem = corrections.corrected(self._log, list(zip(self._origins, self._events,
                                                                   strict=True)),
                                               correction, len(self._log))
        if problem is not None:
            return corrections.Impact(self._facts.state, None, (), (), (), (problem,))
        trial = Pathway(policy=self._policy)
        refused = []
        for _, event in after:
            verdict = trial.check(event)
            if verdict.allowed:
                trial.apply(event)
            else:
                refused.append(corrections.Refusal(event, verdict.reasons))
        tasks = trial._tasks()
        stage = trial._facts.state if trial._facts.state != START else None
        return corrections.Impact(
            self._facts.state, stage,
            tuple(t for t in tasks if t not in before), tuple(t for t in before if t not in tasks),
            tuple(refused))

    @_locked
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

    def _accept(self, event: ev.Event) -> None:
        """Move the machine and the facts for an event every rule has passed."""
        facts = self._facts
        cursor = self._cursor
        decide = BRANCH_OF.get(type(event))
        if decide is not None and (facts.state, event.kind) in BRANCHES:
            branch: str | None = decide(facts, event, self._in_force)
            fired = TRIGGERS[event.kind].trigger(cursor, branch)
        else:
            branch = None
            fired = TRIGGERS[event.kind].trigger(cursor)
        if not fired:
            # The rules passed but no row of the table matched the branch: a
            # defect in facetcare, not in the caller's event. Nothing was kept.
            cursor.state = facts.state
            raise RuntimeError(f"no transition for {event.kind} from {facts.state} ({branch})")
        self._facts = advance(facts, event, cursor.state, branch)
        if type(event) is ev.PolicyChanged:
            self._in_force = event.policy
        self._events.append(event)

    # -- corrections and identity ---------------------------------------------------

    def _resent(self, event: ev.Event) -> bool:
        """An event already accepted under its ``event_id``, re-sent with the same content."""
        if not isinstance(event, ev.Event):
            raise TypeError(f"expected a facetcare event, got {type(event).__name__}")
        seq = self._ids.get(event.event_id) if event.event_id is not None else None
        return seq is not None and self._log[seq] == event

    def _duplicate(self, event: ev.Event) -> Reason:
        seq = self._ids[event.event_id or ""]
        return Reason(DUPLICATE_EVENT_ID,
                      f"event id {event.event_id} was accepted at seq {seq} as a "
                      f"{self._log[seq].kind} with other content")

    def _logged(self, event: ev.Event) -> None:
        seq = len(self._log)
        self._log.append(event)
        for carried in _ids_of(event):
            self._ids[carried] = seq

    def _judge_correction(
        self, correction: ev.Correction
    ) -> tuple[Pathway | None, tuple[Reason, ...], list[corrections.Entry]]:
        """The pathway the correction leads to, or why it is refused; changes nothing."""
        if correction.event_id is not None and correction.event_id in self._ids:
            return None, (self._duplicate(correction),), []
        history = list(zip(self._origins, self._events, strict=True))
        after, problem = corrections.corrected(self._log, history, correction, len(self._log))
        if problem is not None:
            return None, (problem,), after
        rebuilt, failed = self._replayed([event for _, event in after])
        if failed is not None:
            position, first = failed
            return None, (self._conflict(after, position, first),), after
        return rebuilt, (), after

    @staticmethod
    def _conflict(history: list[corrections.Entry], position: int, first: Rejected) -> Reason:
        if not history:
            return Reason(CORRECTION_CONFLICT, "after this correction the pathway would have "
                                               "no events left; it starts with its Referred")
        return corrections.conflict(history[position][1], position, first.reasons)

    def _replayed(self, events: list[ev.Event]) -> tuple[Pathway | None, tuple[int, Rejected]
                                                         | None]:
        trial = Pathway(policy=self._policy)
        for position, event in enumerate(events):
            try:
                trial.apply(event)
            except Rejected as refused:
                return None, (position, refused)
        if not events:
            return None, (0, Rejected(()))
        return trial, None

    def _take(self, rebuilt: Pathway, history: list[corrections.Entry]) -> None:
        self._facts, self._in_force = rebuilt._facts, rebuilt._in_force
        self._cursor.state = rebuilt._cursor.state
        self._events = [event for _, event in history]
        self._origins = [seq for seq, _ in history]

    def _saved(self) -> tuple[Any, ...]:
        return (list(self._log), list(self._events), list(self._origins), dict(self._ids),
                self._facts, self._cursor.state, self._in_force)

    def _restore(self, saved: tuple[Any, ...]) -> None:
        (self._log, self._events, self._origins, self._ids, self._facts, self._cursor.state,
         self._in_force) = saved

    def _tasks(self) -> tuple[Task, ...]:
        if self._facts.last_at is None:
            return ()
        return self.due(self._facts.last_at)

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
