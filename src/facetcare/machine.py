"""The pathway as a table, and the one `transitions` machine built from it.

Read `PATHWAY` top to bottom: it is the care pathway. Each `Step` says which
event moves a patient from which stages to which stage. Where the
destination is computed (a block is positive or negative; a cancelled visit
returns to where it was booked from), the rows carry a ``branch`` and the
pathway names the branch when it fires the event; the machine's conditions
only compare that name, never re-run the clinical rules.

One machine serves every pathway: pathways are plain objects with a
``state`` attribute. No pathway gets its own ``Machine`` and none is
registered with ``add_model`` (docs/index.md#one-machine: ~90 µs and ~10 KB
per model, quadratic, leaking without ``remove_model``). `fire` moves a
model along one row: the rules have already named the row (the stage, the
event, the branch), so it runs that row's `transitions.Transition` (its
callbacks, conditions and state change) without the event's search over
the rows; ``MACHINE.events[kind].trigger(model, branch)`` reaches the same
stage, which a test checks for every row.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any

import attrs
from transitions import Machine
from transitions.core import EventData, State

from facetcare import events as ev

__all__ = ["MACHINE", "PATHWAY", "START", "Branch", "Stage", "Step", "fire"]


class Stage(enum.StrEnum):
    """Where a patient stands on the pathway (docs/pathway.md#stages)."""

    REFERRED = "referred"
    BLOCK_SCHEDULED = "block_scheduled"
    BLOCK_VISIT = "block_visit"
    BLOCK_OBSERVATION = "block_observation"
    RELIEF_ASSESSMENT = "relief_assessment"
    BLOCK_POSITIVE = "block_positive"
    BLOCK_NEGATIVE = "block_negative"
    NEUROTOMY_SCHEDULED = "neurotomy_scheduled"
    NEUROTOMY_VISIT = "neurotomy_visit"
    NEUROTOMY_RECOVERY = "neurotomy_recovery"
    FOLLOW_UP = "follow_up"
    SUSTAINED_RELIEF = "sustained_relief"
    NO_RELIEF = "no_relief"
    RECURRENCE = "recurrence"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"

    @property
    def is_final(self) -> bool:
        return self in FINAL


class Branch(enum.StrEnum):
    """The computed outcomes the rules decide (`facetcare.rules.outcomes`) and rows name.

    A cancelled or missed visit's branch is the stage it returns to.
    """

    POSITIVE = "positive"
    NEGATIVE = "negative"
    RELIEVED = "relieved"
    SETTLING = "settling"
    NOT_RELIEVED = "not_relieved"


#: The machine's state before `Referred`; not a `Stage`.
START = "start"
FINAL = frozenset({Stage.CLOSED, Stage.WITHDRAWN})

S = Stage
#: Stages a block may be booked from (another block, other nerves, a retry).
BLOCK_BOOKABLE = (S.REFERRED, S.BLOCK_POSITIVE, S.BLOCK_NEGATIVE, S.RECURRENCE, S.NO_RELIEF)
#: Stages a neurotomy may be booked from: after a positive block; after a
#: negative one, for nerves other blocks still confirm; after a neurotomy, for
#: confirmed nerves it did not treat (staged care, e.g. the other side); and
#: on recurrence, a repeat.
NEUROTOMY_BOOKABLE = (S.BLOCK_POSITIVE, S.BLOCK_NEGATIVE, S.FOLLOW_UP, S.SUSTAINED_RELIEF,
                      S.RECURRENCE)
CLOSABLE = (S.REFERRED, S.BLOCK_POSITIVE, S.BLOCK_NEGATIVE, S.SUSTAINED_RELIEF, S.NO_RELIEF,
            S.RECURRENCE)
SCHEDULED = (S.BLOCK_SCHEDULED, S.NEUROTOMY_SCHEDULED)
IN_VISIT = (S.BLOCK_VISIT, S.NEUROTOMY_VISIT)
ONGOING = tuple(s for s in Stage if s not in FINAL)


@attrs.frozen
class Step:
    """One row of the pathway: ``event`` moves ``sources`` to ``dest``.

    ``dest=None`` keeps the stage (the event is recorded, the stage stays).
    ``branch`` names the computed outcome this row stands for.
    """

    event: type[ev.Event]
    sources: tuple[str, ...]
    dest: str | None
    branch: str | None = None


def _rows(event: type[ev.Event], sources: tuple[str, ...] | str, dest: str | None,
          branch: str | None = None) -> Step:
    # Plain strings: transitions looks enum states up by ``.name``, which
    # breaks StrEnum values, so `Stage` is applied at the Pathway boundary.
    listed = (sources,) if isinstance(sources, str) else sources
    return Step(
        event,
        tuple(str(s) for s in listed),
        None if dest is None else str(dest),
        None if branch is None else str(branch),
    )


def _returns(event: type[ev.Event], sources: tuple[Stage, ...]) -> list[Step]:
    """A cancelled or missed visit goes back to the stage it was booked from."""
    return [
        _rows(event, visit_stage, origin, branch=origin)
        for visit_stage in sources
        for origin in (BLOCK_BOOKABLE if visit_stage.startswith("block") else NEUROTOMY_BOOKABLE)
    ]


PATHWAY: tuple[Step, ...] = (
    _rows(ev.Referred, START, S.REFERRED),
    _rows(ev.BlockScheduled, BLOCK_BOOKABLE, S.BLOCK_SCHEDULED),
    _rows(ev.NeurotomyScheduled, NEUROTOMY_BOOKABLE, S.NEUROTOMY_SCHEDULED),
    _rows(ev.CheckedIn, S.BLOCK_SCHEDULED, S.BLOCK_VISIT),
    _rows(ev.CheckedIn, S.NEUROTOMY_SCHEDULED, S.NEUROTOMY_VISIT),
    _rows(ev.BlockPerformed, S.BLOCK_VISIT, S.BLOCK_OBSERVATION),
    _rows(ev.NeurotomyPerformed, S.NEUROTOMY_VISIT, S.NEUROTOMY_RECOVERY),
    _rows(ev.Discharged, S.BLOCK_OBSERVATION, S.RELIEF_ASSESSMENT),
    _rows(ev.Discharged, S.NEUROTOMY_RECOVERY, S.FOLLOW_UP),
    _rows(ev.ReliefDiaryRecorded, (S.BLOCK_OBSERVATION, S.RELIEF_ASSESSMENT), None),
    _rows(ev.ReliefAssessed, S.RELIEF_ASSESSMENT, S.BLOCK_POSITIVE, branch=Branch.POSITIVE),
    _rows(ev.ReliefAssessed, S.RELIEF_ASSESSMENT, S.BLOCK_NEGATIVE, branch=Branch.NEGATIVE),
    _rows(ev.FollowUpRecorded, S.FOLLOW_UP, S.SUSTAINED_RELIEF, branch=Branch.RELIEVED),
    _rows(ev.FollowUpRecorded, S.FOLLOW_UP, S.NO_RELIEF, branch=Branch.NOT_RELIEVED),
    _rows(ev.FollowUpRecorded, S.FOLLOW_UP, None, branch=Branch.SETTLING),
    _rows(ev.FollowUpRecorded, S.SUSTAINED_RELIEF, None),
    _rows(ev.PainReturned, S.SUSTAINED_RELIEF, S.RECURRENCE),
    *_returns(ev.VisitCancelled, SCHEDULED + IN_VISIT),
    *_returns(ev.VisitMissed, SCHEDULED),
    _rows(ev.Closed, CLOSABLE, S.CLOSED),
    _rows(ev.Withdrawn, ONGOING, S.WITHDRAWN),
    _rows(ev.PolicyChanged, ONGOING, None),
)

#: stage → the event types valid there; precomputed from `PATHWAY`, never by firing.
VALID: dict[str, frozenset[type[ev.Event]]] = {
    state: frozenset(step.event for step in PATHWAY if state in step.sources)
    for state in (START, *Stage)
}
#: (stage, event kind) → the branches that event may take there.
BRANCHES: dict[tuple[str, str], tuple[str, ...]] = {}
for _step in PATHWAY:
    if _step.branch is not None:
        for _source in _step.sources:
            BRANCHES.setdefault((_source, _step.event.kind), ())
            BRANCHES[(_source, _step.event.kind)] += (_step.branch,)


def _is(branch: str) -> Callable[..., bool]:
    def condition(taken: str | None = None, *_: Any) -> bool:
        return taken == branch

    condition.__name__ = f"branch_is_{branch}"
    condition.branch = branch  # type: ignore[attr-defined]  # read by `_compile`
    return condition


class _State(State):
    """A `transitions.State` that skips entering and leaving when nothing listens.

    facetcare's stages have no enter or exit callbacks, so the base class
    would only log two lines and loop over an empty list on each side of
    every transition (about a tenth of an event's cost). A callback added to
    a stage runs as transitions runs it, logging included.
    """

    def enter(self, event_data: EventData) -> None:
        if self.on_enter:
            super().enter(event_data)

    def exit(self, event_data: EventData) -> None:
        if self.on_exit:
            super().exit(event_data)


class _Machine(Machine):
    state_cls = _State


def _build() -> Machine:
    # transitions logs ~10 debug lines per event. facetcare leaves its logger
    # alone (the host application owns logging configuration); an application
    # that sets the "transitions" logger to DEBUG pays about 7x per event.
    transitions: list[dict[str, Any]] = []
    for step in PATHWAY:
        row: dict[str, Any] = {
            "trigger": step.event.kind,
            "source": list(step.sources),
            "dest": step.dest,
        }
        if step.branch is not None:
            row["conditions"] = [_is(step.branch)]
        transitions.append(row)
    states: list[Any] = [START, *[{"name": s.value, "final": s in FINAL} for s in Stage]]
    return _Machine(
        model=None,
        states=states,
        transitions=transitions,
        initial=START,
        auto_transitions=False,
        send_event=False,
    )


#: The one machine every pathway is dispatched through.
MACHINE: Machine = _build()
STAGE_OF: dict[str, Stage] = {s.value: s for s in Stage}


def _compile() -> dict[tuple[str, str, str | None], tuple[Any, Any, Any]]:
    """(stage, event kind, branch) → (source state, event, transition) of the machine's row."""
    rows: dict[tuple[str, str, str | None], tuple[Any, Any, Any]] = {}
    for step in PATHWAY:
        event = MACHINE.events[step.event.kind]
        for source in step.sources:
            for transition in event.transitions[source]:
                named = [getattr(c.func, "branch", None) for c in transition.conditions]
                if named == ([] if step.branch is None else [step.branch]) and \
                        transition.dest == step.dest:
                    rows[(source, step.event.kind, step.branch)] = (
                        MACHINE.get_state(source), event, transition)
    return rows


_ROWS = _compile()


def fire(model: Any, kind: str, branch: str | None = None) -> bool:
    """Move ``model`` along the row for its stage, ``kind`` and ``branch``; False if none.

    The row's `transitions.Transition` runs as the machine's own event would
    run it (its conditions see ``branch``), so the table stays the one
    definition of where an event goes.
    """
    row = _ROWS.get((model.state, kind, branch))
    if row is None:
        return False
    state, event, transition = row
    return bool(transition.execute(EventData(state, event, MACHINE, model, (branch,), {})))
