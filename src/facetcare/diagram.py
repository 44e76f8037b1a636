"""The pathway drawn from its one table: Mermaid and Graphviz dot text.

Both are derived from `facetcare.machine.PATHWAY` and `facetcare.rules.RULES`,
so a diagram cannot disagree with the machine that runs: a new stage, event,
branch or rule shows up the next time it is drawn. Mermaid is the default
because it renders on GitHub and in most editors without any native library;
dot text is there for Graphviz users. Neither needs click or rich.

Edge labels read ``Event [reason codes that can refuse it]``. Where the
destination is computed (positive/negative block, the stage a cancelled visit
returns to), the event leads into a choice point whose exits are labelled
with the branch. Codes every event can get (`COMMON` and ``invalid_transition``)
are stated once, in a note.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from typing import Any

import attrs

from facetcare import events as ev
from facetcare.machine import FINAL, PATHWAY, START, Stage
from facetcare.rules import CODE_OF, COMMON, RULES

__all__ = ["Edge", "common_codes", "dot", "edges", "event_codes", "mermaid", "rule_code"]

#: The machine's start state is drawn as the diagram's initial pseudo-state.
INITIAL = "[*]"


def rule_code(rule: Callable[..., Any]) -> str:
    """The reason code a rule function gives when it refuses (declared with `rules.gives`).

    `LookupError` for a rule that declares none, so a new rule cannot be
    drawn without its code.
    """
    code = CODE_OF.get(rule)
    if code is None:
        raise LookupError(
            f"rule {getattr(rule, '__name__', rule)!r} declares no reason code: "
            "decorate it with facetcare.rules.gives(code)"
        )
    return code


def _unique(items: Iterator[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def event_codes(event: type[ev.Event]) -> tuple[str, ...]:
    """The codes an event's own rules can give, in rule order, without the common ones."""
    return _unique(rule_code(rule) for rule in RULES[event])


def common_codes() -> tuple[str, ...]:
    """Codes any event can get: ``invalid_transition`` and the `COMMON` rules."""
    return _unique(iter(("invalid_transition", *(rule_code(rule) for rule in COMMON))))


@attrs.frozen
class Edge:
    """One arrow: from ``source`` to ``dest`` (machine states or choice points)."""

    source: str
    dest: str
    label: str


def _choice_id(source: str, events: tuple[str, ...]) -> str:
    return f"{source}_{'_'.join(events)}"


def _branch_label(branch: str, dest: str) -> str:
    # A cancelled or missed visit's branch is the stage it was booked from.
    return f"booked from {branch}" if branch == dest else branch


def _event_label(events: tuple[str, ...], codes: tuple[str, ...]) -> str:
    label = ", ".join(events)
    return f"{label} [{', '.join(codes)}]" if codes else label


def edges() -> tuple[tuple[Edge, ...], tuple[str, ...]]:
    """Every arrow of the diagram, in `PATHWAY` order, and the choice points.

    Branching rows of one event from one stage share a choice point; two
    events with the same branches and codes from the same stage (a visit
    cancelled or missed) share it too, so the diagram names both.
    """
    plain: list[Edge] = []
    # (source, event) → the (dest, branch) rows of a computed destination.
    branched: dict[tuple[str, type[ev.Event]], list[tuple[str, str]]] = {}
    for step in PATHWAY:
        for source in step.sources:
            dest = step.dest if step.dest is not None else source
            if step.branch is None:
                label = _event_label((step.event.kind,), event_codes(step.event))
                plain.append(Edge(_node(source), dest, label))
            else:
                branched.setdefault((source, step.event), []).append((dest, step.branch))
    # Merge events whose branch rows and codes from one stage are identical.
    groups: dict[tuple[str, tuple[tuple[str, str], ...], tuple[str, ...]], list[str]] = {}
    for (source, event), rows in branched.items():
        groups.setdefault((source, tuple(rows), event_codes(event)), []).append(event.kind)
    choice_edges: list[Edge] = []
    choices: list[str] = []
    for (source, exits, codes), kinds in groups.items():
        choice = _choice_id(source, tuple(kinds))
        choices.append(choice)
        choice_edges.append(Edge(_node(source), choice, _event_label(tuple(kinds), codes)))
        choice_edges.extend(Edge(choice, dest, _branch_label(branch, dest))
                            for dest, branch in exits)
    finals = [Edge(stage.value, INITIAL, "") for stage in Stage if stage in FINAL]
    return (*plain, *choice_edges, *finals), tuple(choices)


def _node(state: str) -> str:
    return INITIAL if state == START else state


def _note() -> list[str]:
    return [
        "Labels: Event [reason codes its rules can give].",
        f"Any event can also be refused with {' or '.join(common_codes())}",
        "(duplicate_event_id for an event id reused with other content).",
        "Corrections (EnteredInError, Amended, LateEntry) stand outside the table:",
        "correction_conflict, unknown_event, amend_type_mismatch.",
    ]


def mermaid() -> str:
    """The pathway as a Mermaid ``stateDiagram-v2`` (renders on GitHub as is)."""
    arrows, choices = edges()
    lines = ["stateDiagram-v2"]
    lines += [f"    state {choice} <<choice>>" for choice in choices]
    for edge in arrows:
        label = f" : {edge.label}" if edge.label else ""
        lines.append(f"    {edge.source} --> {edge.dest}{label}")
    lines.append(f"    note right of {Stage.REFERRED.value}")
    lines += [f"        {line}" for line in _note()]
    lines.append("    end note")
    return "\n".join(lines) + "\n"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _wrapped(label: str) -> str:
    """A dot label broken into lines (dot, unlike Mermaid, draws line breaks)."""
    return "\\n".join(_quote(line)[1:-1] for line in textwrap.wrap(label, 40))


def dot() -> str:
    """The pathway as Graphviz dot text; ``dot -Tpng`` renders it."""
    arrows, choices = edges()
    lines = [
        "digraph facetcare {",
        "    rankdir=TB;",
        '    node [shape=box, style=rounded, fontname="Helvetica"];',
        '    edge [fontname="Helvetica", fontsize=10];',
        f'    {_quote("__start__")} [shape=point, width=0.2, label=""];',
        f'    {_quote("__end__")} [shape=doublecircle, width=0.15, label=""];',
    ]
    for stage in Stage:
        extra = ", peripheries=2" if stage in FINAL else ""
        lines.append(f"    {_quote(stage.value)} [label={_quote(stage.value)}{extra}];")
    lines += [
        f'    {_quote(choice)} [shape=diamond, width=0.25, height=0.25, label=""];'
        for choice in choices
    ]
    ids = {INITIAL: "__start__"}
    for edge in arrows:
        source = ids.get(edge.source, edge.source)
        dest = "__end__" if edge.dest == INITIAL else edge.dest
        label = f' [label="{_wrapped(edge.label)}"]' if edge.label else ""
        lines.append(f"    {_quote(source)} -> {_quote(dest)}{label};")
    note = "\\l".join(line.replace('"', '\\"') for line in _note()) + "\\l"
    lines.append(f'    "__note__" [shape=note, label="{note}"];')
    lines.append("}")
    return "\n".join(lines) + "\n"
