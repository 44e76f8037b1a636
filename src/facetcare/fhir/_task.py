"""`Pathway.due()` → Task: what the scheduler must do next, with its window.

Each task is ``requested``, an ``order``, coded with its kind in facetcare's
task-kind code system; ``restriction.period`` runs from ``not_before`` to
``due_by`` (open-ended without one). Tasks are computed from the events, so
reading a bundle ignores them and `due()` gives them again.

The time they are listed at is the last event's: `due()` lists every open
task of the stage whatever ``now`` is, and facetcare never reads the clock.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from facetcare.fhir import _codes as c
from facetcare.fhir._common import Context, Json, concept, ref, when
from facetcare.scheduling import Task


def tasks(ctx: Context, last_seq: int, last_at: dt.datetime, listed: tuple[Task, ...],
          appointments: dict[str, str]) -> list[Json]:
    """The open tasks as Task resources; ``appointments`` maps visit ids to Appointment ids."""
    out = []
    for index, task in enumerate(listed):
        period: dict[str, Any] = {"start": when(task.not_before)}
        if task.due_by is not None:
            period["end"] = when(task.due_by)
        item: Json = {
            "resourceType": "Task",
            "id": ctx.id(last_seq, "Task", str(index)),
            "basedOn": [ref("CarePlan", ctx.plan_id)],
            "status": "requested",
            "intent": "order",
            "code": concept(c.TASK_KIND, task.kind),
        }
        if task.detail:
            item["description"] = task.detail
        if task.visit_id is not None and task.visit_id in appointments:
            item["focus"] = ref("Appointment", appointments[task.visit_id])
        item.update({
            "for": ctx.subject,
            "authoredOn": when(last_at),
            "restriction": {"period": period},
        })
        out.append(item)
    return out
