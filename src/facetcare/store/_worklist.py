"""The worklist: every open task across the store, from one indexed query.

Tasks are rows written with each append (see `facetcare.store._schema`),
so drawing up a day's list never replays a pathway: it is one range scan of
``ix_facetcare_tasks_not_before`` (``not_before <= end``), already in order.
A task that opened before the window and is still open (overdue, or simply
not done yet) is on the list; one that opens after ``end`` is not.
"""

from __future__ import annotations

import datetime as dt

import attrs
import sqlalchemy as sa

from facetcare import _validate
from facetcare.anatomy import Region
from facetcare.machine import Stage
from facetcare.scheduling import Task
from facetcare.store import _schema as s
from facetcare.store._rows import task_of

__all__ = ["StoredPathway", "WorkItem", "query", "window"]


@attrs.frozen
class WorkItem:
    """One task of one pathway on the worklist."""

    pathway_id: str
    patient_id: str
    task: Task

    def overdue(self, now: dt.datetime) -> bool:
        """Whether the task's ``due_by`` has passed at ``now`` (see `Task.overdue`)."""
        return self.task.overdue(now)


@attrs.frozen
class StoredPathway:
    """What `Store.pathways` lists: a pathway's row, without replaying its events."""

    pathway_id: str
    patient_id: str
    region: Region
    stage: Stage
    version: int


def window(start: dt.datetime, end: dt.datetime) -> None:
    """Both ends aware, and in order."""
    _validate.require_aware("start", start)
    _validate.require_aware("end", end)
    if end < start:
        raise ValueError(f"end {end.isoformat()} is before start {start.isoformat()}")


_COLUMNS = (s.tasks.c.pathway_id, s.tasks.c.patient_id, s.tasks.c.kind, s.tasks.c.not_before,
            s.tasks.c.due_by, s.tasks.c.visit_id, s.tasks.c.detail, s.tasks.c.options,
            s.tasks.c.policy)


def query(end: dt.datetime) -> sa.Select[tuple[object, ...]]:
    """The one statement: open tasks opening by ``end``, in index order."""
    return (
        sa.select(*_COLUMNS)
        .where(s.tasks.c.not_before <= end)
        .order_by(s.tasks.c.not_before, s.tasks.c.pathway_id, s.tasks.c.position)
    )


def item_of(row: sa.Row[tuple[object, ...]]) -> WorkItem:
    return WorkItem(row.pathway_id, row.patient_id, task_of(row))
