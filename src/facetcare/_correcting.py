"""Corrections and event identity, as `Pathway` methods (docs/corrections.md).

`Pathway` keeps the hot path (`check`, `apply` of an ordinary event); this
base class holds what corrections add: re-sent events recognised by their
``event_id``, a correction judged by replaying the effective history it
leads to, atomic batches, previews. The effective history itself is computed
by `facetcare.corrections`.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, Self, TypeVar

from facetcare import corrections
from facetcare import events as ev
from facetcare.codes import CORRECTION_CONFLICT, DUPLICATE_EVENT_ID
from facetcare.errors import Reason, Rejected
from facetcare.facts import Facts
from facetcare.machine import START, Stage
from facetcare.policy import Policy
from facetcare.scheduling import Task

__all__ = ["Correcting", "ids_of", "locked"]

_P = ParamSpec("_P")
_R = TypeVar("_R")
_S = TypeVar("_S", bound="Correcting")


def locked(method: Callable[Concatenate[_S, _P], _R]) -> Callable[Concatenate[_S, _P], _R]:
    """Run ``method`` holding the pathway's lock: one reader or writer at a time."""

    @functools.wraps(method)
    def run(self: _S, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        with self._lock:
            return method(self, *args, **kwargs)

    return run


def ids_of(event: ev.Event) -> tuple[str, ...]:
    """The event ids an accepted log entry carries: its own, and its corrected event's."""
    inner = (event.event if isinstance(event, ev.LateEntry)
             else event.replacement if isinstance(event, ev.Amended) else None)
    found = (event.event_id, inner.event_id if inner is not None else None)
    return tuple(i for i in found if i is not None)


class Correcting:
    """The correction half of `Pathway`; see the module docstring."""

    if not TYPE_CHECKING:  # slots at run time (Pathway is slotted); mypy sees the fields
        __slots__ = ()
    else:
        _policy: Policy
        _in_force: Policy
        _facts: Facts
        _log: list[ev.Event]
        _events: list[ev.Event]
        _origins: list[int]
        _ids: dict[str, int]
        _lock: threading.RLock

        # What `Pathway` defines, as mypy sees it (nothing of it exists here at run time).
        def __init__(self, *, policy: Policy | None = None) -> None: ...
        def apply(self, event: ev.Event) -> Stage: raise NotImplementedError
        def _apply(self, event: ev.Event) -> Stage: raise NotImplementedError
        def check(self, event: ev.Event) -> Any: raise NotImplementedError
        def due(self, now: Any) -> tuple[Task, ...]: raise NotImplementedError
        def _set_state(self, state: str) -> None: ...
        def _state(self) -> str: raise NotImplementedError
        @property
        def stage(self) -> Stage: raise NotImplementedError

    @locked
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
            for carried in ids_of(event):
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

    @locked
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
        trial = type(self)(policy=self._policy)
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
        for carried in ids_of(event):
            self._ids[carried] = seq

    def _judge_correction(
        self, correction: ev.Correction
    ) -> tuple[Self | None, tuple[Reason, ...], list[corrections.Entry]]:
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

    def _replayed(self, events: list[ev.Event]) -> tuple[Self | None, tuple[int, Rejected]
                                                         | None]:
        trial = type(self)(policy=self._policy)
        for position, event in enumerate(events):
            try:
                trial._apply(event)  # a private trial: no lock to take
            except Rejected as refused:
                return None, (position, refused)
        if not events:
            return None, (0, Rejected(()))
        return trial, None

    def _take(self, rebuilt: Self, history: list[corrections.Entry]) -> None:
        self._facts, self._in_force = rebuilt._facts, rebuilt._in_force
        self._set_state(rebuilt._state())
        self._events = [event for _, event in history]
        self._origins = [seq for seq, _ in history]

    def _saved(self) -> tuple[Any, ...]:
        return (list(self._log), list(self._events), list(self._origins), dict(self._ids),
                self._facts, self._state(), self._in_force)

    def _restore(self, saved: tuple[Any, ...]) -> None:
        (self._log, self._events, self._origins, self._ids, self._facts, state,
         self._in_force) = saved
        self._set_state(state)

    def _tasks(self) -> tuple[Task, ...]:
        if self._facts.last_at is None:
            return ()
        return self.due(self._facts.last_at)

