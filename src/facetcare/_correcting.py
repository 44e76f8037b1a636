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
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, Self, TypeGuard, TypeVar

from facetcare import corrections
from facetcare import events as ev
from facetcare.codes import CORRECTION_CONFLICT, DUPLICATE_EVENT_ID
from facetcare.errors import Reason, Rejected
from facetcare.facts import Facts
from facetcare.machine import START, Stage
from facetcare.policy import Policy
from facetcare.scheduling import Task

__all__ = ["Correcting", "ids_of", "is_correction", "locked"]

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


_CORRECTION_TYPES = frozenset((ev.EnteredInError, ev.Amended, ev.LateEntry))


def is_correction(event: object) -> TypeGuard[ev.Correction]:
    """One of the correction types itself: a subclass is refused like any unknown event.

    Ordinary events are matched to the table by their exact type; corrections
    are too, so a caller's subclass (whose fields the documents cannot write)
    never reaches the log.
    """
    return type(event) in _CORRECTION_TYPES


def _inner(event: ev.Event) -> ev.Event | None:
    """The clinical event a `LateEntry` or an `Amended` carries, else None."""
    if isinstance(event, ev.LateEntry):
        return event.event
    return event.replacement if isinstance(event, ev.Amended) else None


def ids_of(event: ev.Event) -> tuple[str, ...]:
    """The event ids an accepted log entry carries: its own, and its corrected event's."""
    inner = _inner(event)
    found = (event.event_id, inner.event_id if inner is not None else None)
    return tuple(i for i in found if i is not None)


def id_clash(correction: ev.Correction, ids: dict[str, int],
             log: list[ev.Event]) -> Reason | None:
    """``duplicate_event_id`` if the event a correction carries reuses an accepted id.

    Ids are unique within a pathway, whoever carries them: an ordinary event,
    a correction, or the event inside a `LateEntry` or an `Amended`. The one
    id an amendment's replacement may repeat is that of the event it
    replaces (the same record, corrected).
    """
    inner = _inner(correction)
    if inner is None or inner.event_id is None:
        return None
    carried = inner.event_id
    if carried == correction.event_id:
        return Reason(DUPLICATE_EVENT_ID,
                      f"{correction.kind} and the {inner.kind} it carries both have the "
                      f"event id {carried}")
    seq = ids.get(carried)
    if seq is None:
        return None
    if isinstance(correction, ev.Amended) and _names(log, seq, correction.seq):
        return None
    return Reason(DUPLICATE_EVENT_ID,
                  f"the {inner.kind} in this {correction.kind} has the event id {carried}, "
                  f"accepted at seq {seq} as a {log[seq].kind}")


def _names(log: list[ev.Event], seq: int, target: int) -> bool:
    """Whether the id at ``seq`` is the one of the event logged at ``target`` (or its amendment)."""
    if seq == target:
        return True
    entry = log[seq]
    return isinstance(entry, ev.Amended) and entry.seq == target


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
        for index, event in enumerate(batch):
            if not isinstance(event, ev.Event):
                raise TypeError(f"event {index}: expected a facetcare event, "
                                f"got {type(event).__name__}")
        if not any(is_correction(event) for event in batch):
            saved = self._saved()
            for index, event in enumerate(batch):
                try:
                    self.apply(event)
                except Rejected as refused:
                    self._restore(saved)
                    raise Rejected(refused.reasons, event=refused.event, index=index) from None
                except BaseException:
                    self._restore(saved)
                    raise
            return self.stage
        log = list(self._log)
        ids = dict(self._ids)
        history = list(zip(self._origins, self._events, strict=True))
        position_of: dict[int, int] = {}  # log seq -> position in the batch
        for index, event in enumerate(batch):
            if event.event_id is not None and event.event_id in ids:
                if log[ids[event.event_id]] == event:
                    continue
                raise Rejected((self._duplicate(event, log, ids),), event=event, index=index)
            seq = len(log)
            if is_correction(event):
                problem = id_clash(event, ids, log)
                if problem is None:
                    history, problem = corrections.corrected(log, history, event, seq)
                if problem is not None:
                    raise Rejected((problem,), event=event, index=index)
            else:
                history.append((seq, event))
            log.append(event)
            position_of[seq] = index
            for carried in ids_of(event):
                ids[carried] = seq
        rebuilt, failed = self._replayed([event for _, event in history])
        if failed is not None:
            position, first = failed
            origin = history[position][0] if history else 0
            if history and origin >= len(self._log) and not is_correction(log[origin]):
                raise Rejected(first.reasons, event=first.event, index=position_of[origin])
            raise Rejected((self._conflict(history, position, first),), event=batch[-1])
        assert rebuilt is not None
        self._take(rebuilt, history)
        self._log, self._ids = log, ids
        return self.stage

    @locked
    def preview(self, correction: ev.Correction) -> corrections.Impact:
        """What ``correction`` would do (stage, tasks, events refused), changing nothing."""
        if not is_correction(correction):
            raise TypeError(f"preview takes a correction (EnteredInError, Amended, LateEntry), "
                            f"got {type(correction).__name__}")
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
        if event.event_id is None and not is_correction(event):
            return False
        for carried in ids_of(event):  # a correction may carry its id on its event only
            seq = self._ids.get(carried)
            if seq is not None and self._log[seq] == event:
                return True
        return False

    def _duplicate(self, event: ev.Event, log: list[ev.Event] | None = None,
                   ids: dict[str, int] | None = None) -> Reason:
        log = self._log if log is None else log
        seq = (self._ids if ids is None else ids)[event.event_id or ""]
        return Reason(DUPLICATE_EVENT_ID,
                      f"event id {event.event_id} was accepted at seq {seq} as a "
                      f"{log[seq].kind} with other content")

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
        clash = id_clash(correction, self._ids, self._log)
        if clash is not None:
            return None, (clash,), []
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

