"""Reference engines built from `facetcare.machine.PATHWAY`, without guards.

Each reference holds the same stages and rows as facetcare's machine. A row
with a computed destination (``branch``) becomes a guard-free row under its
own trigger, ``<kind>_<branch>`` (see `benchmarks.journeys.trigger_name`), so
a reference follows exactly the path facetcare chose without deciding
anything itself. Rows with ``dest=None`` keep the stage (internal).

- R1 `DictFSM`: ``table[(state, trigger)] -> dest``; the practical speed limit.
- R2 `BareTransitions`: one shared `transitions.Machine`, plain model objects
  dispatched with ``machine.events[name].trigger(model)``; no ``add_model``.
- R3 `StateMachineRef`: a python-statemachine 3.x `StateMachine` class, one
  instance per pathway (that library's way of holding per-object state).

Every reference offers ``new() -> handle``, ``fire(handle, trigger)``,
``state(handle) -> str`` and ``run(handles, triggers)`` (the timed loop).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from benchmarks.journeys import trigger_name
from facetcare.machine import FINAL, PATHWAY, START, Stage

#: (trigger, source, dest-or-None) for every source of every PATHWAY row.
ROWS: tuple[tuple[str, str, str | None], ...] = tuple(
    (trigger_name(step.event.kind, step.branch), source, step.dest)
    for step in PATHWAY
    for source in step.sources
)
STATES: tuple[str, ...] = (START, *(s.value for s in Stage))
FINAL_STATES = frozenset(s.value for s in FINAL)


class InvalidTrigger(Exception):
    """The trigger is not allowed in the handle's state."""


class Model:
    """The plain object the references move: a ``state`` attribute and nothing else."""

    __slots__ = ("state",)

    def __init__(self, state: str = START) -> None:
        self.state = state


class DictFSM:
    """R1: a dict of (state, trigger) → destination."""

    key = "R1"
    label = "R1 dict FSM"

    def __init__(self) -> None:
        table: dict[tuple[str, str], str] = {}
        for trigger, source, dest in ROWS:
            if (source, trigger) in table:
                raise ValueError(f"two rows for {trigger} from {source}")
            table[(source, trigger)] = dest if dest is not None else source
        self.table = table

    def new(self) -> Model:
        return Model()

    def fire(self, model: Model, trigger: str) -> None:
        try:
            model.state = self.table[(model.state, trigger)]
        except KeyError:
            raise InvalidTrigger(f"{trigger} is not allowed in {model.state}") from None

    def state(self, model: Model) -> str:
        return model.state

    def run(self, models: Iterable[Model], triggers: Sequence[str]) -> None:
        table = self.table
        for model in models:
            for trigger in triggers:
                model.state = table[(model.state, trigger)]


class BareTransitions:
    """R2: one shared `transitions` machine, no guards, direct dispatch, no add_model."""

    key = "R2"
    label = "R2 bare transitions, direct dispatch"

    def __init__(self) -> None:
        from transitions import Machine

        rows: dict[str, dict[str, Any]] = {}
        transitions: list[dict[str, Any]] = []
        for trigger, source, dest in ROWS:
            key = f"{trigger}\0{dest}"
            if key not in rows:
                rows[key] = {"trigger": trigger, "source": [], "dest": dest}
                transitions.append(rows[key])
            rows[key]["source"].append(source)
        states: list[Any] = [
            {"name": name, "final": name in FINAL_STATES} for name in STATES
        ]
        self.machine = Machine(
            model=None, states=states, transitions=transitions, initial=START,
            auto_transitions=False,
        )
        self.events = self.machine.events

    def new(self) -> Model:
        return Model()

    def fire(self, model: Model, trigger: str) -> None:
        from transitions import MachineError

        try:
            self.events[trigger].trigger(model)
        except (MachineError, KeyError) as refused:
            raise InvalidTrigger(str(refused)) from None

    def state(self, model: Model) -> str:
        return model.state

    def run(self, models: Iterable[Model], triggers: Sequence[str]) -> None:
        events = self.events
        for model in models:
            for trigger in triggers:
                events[trigger].trigger(model)


def _chart_class() -> type:
    """A python-statemachine class with the PATHWAY's states and guard-free rows."""
    from statemachine import State, StateMachine

    states = {
        name: State(name=name, value=name, initial=name == START, final=name in FINAL_STATES)
        for name in STATES
    }
    namespace: dict[str, Any] = dict(states)
    for trigger, source, dest in ROWS:
        origin = states[source]
        row = (origin.to.itself(internal=True) if dest is None else origin.to(states[dest]))
        namespace[trigger] = namespace[trigger] | row if trigger in namespace else row
    return type("PathwayChart", (StateMachine,), namespace)


class StateMachineRef:
    """R3: python-statemachine 3.x, one `StateMachine` instance per pathway."""

    key = "R3"
    label = "R3 python-statemachine"

    def __init__(self) -> None:
        import statemachine

        self.version = statemachine.__version__
        self.chart = _chart_class()

    def new(self) -> Any:
        return self.chart(model=Model(None))  # type: ignore[arg-type]

    def fire(self, chart: Any, trigger: str) -> None:
        from statemachine.exceptions import TransitionNotAllowed

        try:
            chart.send(trigger)
        except TransitionNotAllowed as refused:
            raise InvalidTrigger(str(refused)) from None

    def state(self, chart: Any) -> str:
        return str(chart.model.state)

    def run(self, charts: Iterable[Any], triggers: Sequence[str]) -> None:
        for chart in charts:
            for trigger in triggers:
                getattr(chart, trigger)()


REFERENCES = {"R1": DictFSM, "R2": BareTransitions, "R3": StateMachineRef}
