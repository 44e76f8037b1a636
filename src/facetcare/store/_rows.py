"""Rows to values and back: events, tasks and pathways as the tables hold them.

Event bodies are the document codec's per-event JSON, so a stored event and
an event in an exported document are the same text, and reading one runs
the same strict reader (a body that does not read is a `SerializationError`
naming the pathway and the ``seq``). `replayed` rebuilds a pathway from its
rows under every rule (`Store.verify`, upgrades); `Store.load` reads the
pathway's document instead (`facetcare.store._document`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Sequence
from typing import Any

from facetcare import events as ev
from facetcare.errors import Reason, SerializationError
from facetcare.pathway import Pathway
from facetcare.scheduling import Option, Task
from facetcare.serialization import dump_policy, load_event, load_policy
from facetcare.store._columns import to_micros

__all__ = [
    "event_row",
    "log_of",
    "pathway_values",
    "policy_value",
    "replayed",
    "task_of",
    "task_rows",
    "tasks_digest",
    "when_due",
]


def log_of(pathway: Pathway) -> tuple[ev.Event, ...]:
    """Every entry the pathway accepted, corrections included: what the events table holds.

    ``seq`` is an entry's index here and never changes; `Pathway.events` (the
    effective history) is what replaying the log gives.
    """
    return pathway.log


def event_row(pathway_id: str, seq: int, event: ev.Event, body: dict[str, Any],
              digest: str) -> dict[str, Any]:
    """The row of log entry ``seq``: ``body`` is ``dump_event(event)``, ``digest`` its chain's."""
    return {
        "pathway_id": pathway_id,
        "seq": seq,
        "type": event.kind,
        "at": event.at,
        "event_id": event.event_id,
        "recorded_at": event.recorded_at,
        "recorded_by": event.recorded_by,
        "body": body,
        "digest": digest,
    }


def when_due(pathway: Pathway) -> dt.datetime:
    """A valid ``now`` for `Pathway.due`, which reads it only to validate it."""
    return log_of(pathway)[-1].at


def task_rows(pathway: Pathway, tasks: Sequence[Task]) -> list[dict[str, Any]]:
    return [
        {
            "pathway_id": pathway.pathway_id,
            "position": position,
            "patient_id": pathway.patient_id,
            "kind": task.kind,
            "not_before": task.not_before,
            "due_by": task.due_by,
            "visit_id": task.visit_id,
            "detail": task.detail,
            "options": [_option_value(option) for option in task.options],
            "policy": task.policy,
        }
        for position, task in enumerate(tasks)
    ]


def _instant(moment: dt.datetime | None) -> int | None:
    return None if moment is None else to_micros(moment)


def tasks_digest(tasks: Sequence[Task]) -> str:
    """SHA-256 (hex) of tasks as `Task` equality sees them: times as instants, whatever the offset.

    Equal tasks give equal digests in any process or release. Stored beside
    the pathway's version, so an append whose tasks come out equal to the
    stored ones (a diary entry, a follow-up that keeps the schedule) leaves
    the task rows alone, without reading them first.
    """
    values = [[task.kind, _instant(task.not_before), _instant(task.due_by), task.visit_id,
               task.detail, task.policy,
               [[option.kind, _instant(option.not_before),
                 [[reason.code, reason.message] for reason in option.blocked_by]]
                for option in task.options]]
              for task in tasks]
    return hashlib.sha256(json.dumps(values, separators=(",", ":")).encode()).hexdigest()


def _option_value(option: Option) -> dict[str, Any]:
    return {"kind": option.kind, "not_before": option.not_before.isoformat(),
            "blocked_by": [[reason.code, reason.message] for reason in option.blocked_by]}


def _option_of(value: Any) -> Option:
    return Option(value["kind"], dt.datetime.fromisoformat(value["not_before"]),
                  tuple(Reason(code, message) for code, message in value["blocked_by"]))


def task_of(row: Any) -> Task:
    """A task from its row; rows are written by `task_rows` only, so they are trusted."""
    return Task(row.kind, row.not_before, row.due_by, row.visit_id, row.detail,
                tuple(_option_of(value) for value in row.options), row.policy)


def pathway_values(pathway: Pathway, version: int, document: str,
                   tasks: str) -> dict[str, Any]:
    """The ``facetcare_pathways`` columns that change with every append (``tasks``: the digest)."""
    return {
        "version": version,
        "document": document,
        "stage": str(pathway.stage),
        "last_event_at": when_due(pathway),
        "tasks_digest": tasks,
    }


def replayed(pathway_id: str, policy: object, bodies: Iterable[tuple[int, object]]) -> Pathway:
    """The pathway stored as ``policy`` and ``(seq, body)`` rows, replayed under every rule."""
    where = f"store pathway {pathway_id!r}"
    read_policy = load_policy(policy, f"{where} policy")
    loaded = []
    for expected, (seq, body) in enumerate(bodies):
        if seq != expected:
            raise SerializationError(f"{where}: event seq {expected} is missing (found {seq})")
        loaded.append(load_event(body, f"{where} event {seq}"))
    if not loaded:
        raise SerializationError(f"{where}: no events (a pathway has at least its Referred)")
    return Pathway.replay(loaded, policy=read_policy)


def policy_value(pathway: Pathway) -> dict[str, Any]:
    return dump_policy(pathway.policy)
