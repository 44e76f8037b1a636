"""The store's statements, built once with bound parameters.

Building a SQLAlchemy statement costs more than running a small one, and
an append or a load runs a few: building them here once keeps the store
close to a hand-written transaction (see ``benchmarks/store.py``).
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from facetcare.store import _schema as s

__all__ = [
    "AUDIT",
    "BUMP",
    "DOCUMENT",
    "DOCUMENT_ROW",
    "EVENTS_INSERT",
    "LOG",
    "LOG_ROWS",
    "TASKS",
    "TASKS_DELETE",
    "TASKS_INSERT",
    "VERSION",
    "VERSION_ROW",
    "Precompiled",
    "json_value",
]

_p, _e, _t = s.pathways.c, s.events.c, s.tasks.c
_ID = sa.bindparam("pathway_id", type_=sa.String)

#: A pathway's version.
VERSION = sa.select(_p.version).where(_p.pathway_id == _ID)

#: A pathway's document, version and tasks digest: one row, by the primary key
#: (`Store.load`, and an append that has not kept the pathway).
DOCUMENT = sa.select(_p.document, _p.version, _p.tasks_digest).where(_p.pathway_id == _ID)

#: A pathway's whole log in one statement, so one snapshot on every database:
#: first a row (seq -1) with the policy and the version, then the events
#: below that version (later rows, if any are being written, are not read).
LOG = sa.union_all(
    sa.select(sa.literal_column("-1", sa.Integer).label("seq"), _p.policy.label("body"),
              _p.version.label("version")).where(_p.pathway_id == _ID),
    sa.select(_e.seq, _e.body, sa.null().label("version")).where(
        _e.pathway_id == _ID, _e.seq < VERSION.scalar_subquery()),
).order_by(sa.literal_column("seq"))



class Precompiled:
    """A statement compiled once per dialect and run as driver SQL.

    For the hottest reads (`DOCUMENT`, `LOG`): executing a prebuilt statement still costs
    SQLAlchemy a cache-key walk and result processing per call, about as much
    as SQLite takes to run it. Rows come back as the driver gives them
    (JSON as text on SQLite, parsed on PostgreSQL; see `json_value`).
    """

    def __init__(self, statement: sa.Select[Any] | sa.CompoundSelect[Any]) -> None:
        self.statement = statement
        self._by_dialect: dict[str, tuple[str, tuple[str, ...] | None]] = {}

    def driver_sql(self, dialect: sa.Dialect, params: dict[str, object]) -> tuple[str, Any]:
        """The statement's text for ``dialect`` and ``params`` in the driver's form."""
        found = self._by_dialect.get(dialect.name)
        if found is None:
            compiled = self.statement.compile(dialect=dialect)
            order = tuple(compiled.positiontup) if compiled.positional and \
                compiled.positiontup is not None else None
            found = self._by_dialect[dialect.name] = (str(compiled), order)
        text, order = found
        return text, (tuple(params[key] for key in order) if order is not None else params)

    def run(self, conn: sa.Connection, **params: object) -> list[tuple[Any, ...]]:
        text, values = self.driver_sql(conn.dialect, params)
        return [tuple(row) for row in conn.exec_driver_sql(text, values)]


def json_value(value: object) -> object:
    """A JSON column as the driver returned it: text (SQLite) is parsed, values are kept."""
    return json.loads(value) if isinstance(value, str | bytes) else value


#: What `Store.verify` compares, in one statement (one snapshot): the pathway's
#: row with each of its event rows below its version, in order.
AUDIT = (
    sa.select(_p.policy, _p.version, _p.document, _e.seq, _e.body, _e.digest)
    .select_from(s.pathways.outerjoin(
        s.events, sa.and_(_e.pathway_id == _p.pathway_id, _e.seq < _p.version)))
    .where(_p.pathway_id == _ID)
    .order_by(_e.seq)
)

LOG_ROWS = Precompiled(LOG)
VERSION_ROW = Precompiled(VERSION)
DOCUMENT_ROW = Precompiled(DOCUMENT)

#: The optimistic check: no row changes unless the version is still the expected one.
BUMP = (
    s.pathways.update()
    .where(_p.pathway_id == sa.bindparam("id"), _p.version == sa.bindparam("expected"))
    .values(version=sa.bindparam("version"), stage=sa.bindparam("stage"),
            last_event_at=sa.bindparam("last_event_at"), document=sa.bindparam("document"),
            tasks_digest=sa.bindparam("tasks_digest"))
)

EVENTS_INSERT = s.events.insert()
TASKS_DELETE = s.tasks.delete().where(_t.pathway_id == _ID)
TASKS_INSERT = s.tasks.insert()
TASKS = (sa.select(_t.kind, _t.not_before, _t.due_by, _t.visit_id, _t.detail, _t.options,
                   _t.policy)
         .where(_t.pathway_id == _ID).order_by(_t.position))
