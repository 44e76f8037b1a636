"""`Store`: pathways in a database, with no lost update.

Every write is one transaction: the events are judged under every rule
inside it (a refusal raises `Rejected` and rolls back), then the pathway's
version is bumped with ``UPDATE … WHERE version = :expected`` (no row
changed: someone else wrote first, `Conflict`, rolled back), the events
are inserted and the pathway's task rows rewritten. All or none.

A store keeps, per pathway it last wrote, the `Pathway` at the version it
wrote. The log up to a version never changes, so when an append expects
that version the events are judged on the kept pathway instead of a replay
from the database; the version check in the UPDATE still decides.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

import sqlalchemy as sa

from facetcare import events as ev
from facetcare.anatomy import Region
from facetcare.errors import Rejected
from facetcare.machine import Stage
from facetcare.pathway import Pathway
from facetcare.policy import Policy
from facetcare.scheduling import Task
from facetcare.store import _schema as s
from facetcare.store import _statements as sql
from facetcare.store._engine import WRITE, engine_for, is_memory, reader
from facetcare.store._errors import Conflict, NotFound
from facetcare.store._priors import filled
from facetcare.store._rows import (
    event_row,
    log_of,
    pathway_values,
    policy_value,
    replayed,
    task_of,
    task_rows,
    when_due,
)
from facetcare.store._upgrade import prepare
from facetcare.store._worklist import StoredPathway, WorkItem, item_of, query, window

__all__ = ["Store"]

#: Pathways kept between appends (see the module docstring), per store.
_KEPT = 512
#: How often `Store.apply` tries again after a `Conflict` before giving up.
ATTEMPTS = 32


class _Kept(NamedTuple):
    version: int
    pathway: Pathway
    tasks: tuple[Task, ...]


def _identifier(pathway_id: object) -> str:
    if not isinstance(pathway_id, str):
        raise TypeError(f"pathway_id must be a str, got {type(pathway_id).__name__}")
    return pathway_id


class Store:
    """Pathways on SQLite (embedded, the default) or PostgreSQL, through SQLAlchemy Core.

    ``Store()`` is an in-memory SQLite database (this process only);
    ``Store("sqlite:///clinic.db")`` a file; ``Store("postgresql+psycopg://…")``
    a server. Opening creates the tables, or upgrades an older store's
    (``upgrade=False`` refuses instead, with `SchemaMismatch`).
    ``engine_options`` go to `sqlalchemy.create_engine`.
    """

    def __init__(self, url: str | sa.URL = "sqlite://", *, upgrade: bool = True,
                 engine_options: dict[str, Any] | None = None) -> None:
        self.engine: sa.Engine = engine_for(url, **(engine_options or {}))
        self._writer = self.engine.execution_options(**{WRITE: True})
        self._reader = reader(self.engine, **(engine_options or {}))
        self._kept: OrderedDict[str, _Kept] = OrderedDict()
        self._lock = threading.Lock()
        # One shared connection (in-memory SQLite) is used by one thread at a time.
        self._serial: contextlib.AbstractContextManager[object] = (
            threading.RLock() if is_memory(self.engine.url) else contextlib.nullcontext())
        with self._writing() as conn:
            self.schema_version: int = prepare(conn, upgrade=upgrade)

    @contextlib.contextmanager
    def _writing(self) -> Iterator[sa.Connection]:
        """A write transaction (``BEGIN IMMEDIATE`` on SQLite), committed on success."""
        with self._serial, self._writer.begin() as conn:
            yield conn

    @contextlib.contextmanager
    def _reading(self) -> Iterator[sa.Connection]:
        """A connection for reads that need no transaction: each is one statement."""
        with self._serial, self._reader.connect() as conn:
            yield conn

    def upgrade(self) -> int:
        """Bring the tables up to this facetcare's schema (a no-op when they are); the version."""
        with self._writing() as conn:
            self.schema_version = prepare(conn, upgrade=True)
        return self.schema_version

    def close(self) -> None:
        """Close the engines' pooled connections."""
        self.engine.dispose()
        if self._reader.engine is not self.engine:
            self._reader.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Store {self.engine.url.render_as_string(hide_password=True)}>"

    # -- writing ----------------------------------------------------------------

    def create(self, referral: ev.Referred, *, policy: Policy | None = None) -> Pathway:
        """Open and store a pathway; `Rejected` as `Pathway.start`, `Conflict` if the id exists.

        The referral is given the procedures performed on the patient's other
        pathways in the same region (see `facetcare.store._priors`), so yearly
        caps and intervals count them.
        """
        if not isinstance(referral, ev.Referred):
            raise TypeError(
                f"a pathway starts with a Referred event, got {type(referral).__name__}"
            )
        with self._writing() as conn:
            self._absent(conn, referral.pathway_id)
            pathway = Pathway.start(filled(conn, referral), policy=policy)
            self._insert(conn, pathway)
        return pathway

    def add(self, pathway: Pathway) -> int:
        """Store a pathway built elsewhere (a document, a replay) as it is; its version.

        `Conflict` if the id exists. Unlike `create`, nothing is added to its
        referral: a document is stored as written.
        """
        if not isinstance(pathway, Pathway):
            raise TypeError(f"expected a facetcare.Pathway, got {type(pathway).__name__}")
        with self._writing() as conn:
            self._absent(conn, pathway.pathway_id)
            self._insert(conn, pathway)
        return len(log_of(pathway))

    def append(self, pathway_id: str, events: Iterable[ev.Event], *,
               expected_version: int) -> int:
        """Append ``events`` atomically if the pathway is at ``expected_version``; the new version.

        Every event is judged under every rule first: `Rejected` (with
        ``.index`` in ``events``) and nothing is written. `Conflict` if the
        pathway is at another version, `NotFound` if it is not stored.
        """
        return self._append(_identifier(pathway_id), tuple(events), expected_version)[0]

    def apply(self, pathway_id: str, event: ev.Event, *, attempts: int = ATTEMPTS) -> Stage:
        """Append one event at whatever version is current; the new stage.

        On `Conflict` (someone wrote in between) the event is judged again
        against the new state and retried, up to ``attempts`` times.
        """
        pathway_id = _identifier(pathway_id)
        for _ in range(attempts - 1):
            try:
                return self._append(pathway_id, (event,), self.version(pathway_id))[1]
            except Conflict:
                continue
        return self._append(pathway_id, (event,), self.version(pathway_id))[1]

    def _append(self, pathway_id: str, events: tuple[ev.Event, ...],
                expected: int) -> tuple[int, Stage]:
        if not events:
            raise ValueError("append needs at least one event")
        if isinstance(expected, bool) or not isinstance(expected, int) or expected < 1:
            raise ValueError(f"expected_version must be a positive int, got {expected!r}")
        with self._lock:
            kept = self._kept.pop(pathway_id, None)
        with self._writing() as conn:
            if kept is not None and kept.version == expected:
                pathway, before = kept.pathway, kept.tasks
            else:
                pathway, before = self._read_for_write(conn, pathway_id, expected), None
            try:
                # All or none, corrections judged together (`Pathway.apply_all`).
                pathway.apply_all(events)
            except Rejected:
                if kept is not None:  # judged on the kept pathway: is it still current?
                    self._current(conn, pathway_id, expected)
                raise
            log = log_of(pathway)
            version = len(log)
            self._bump(conn, pathway, pathway_id, expected, version)
            if version > expected:
                conn.execute(sql.EVENTS_INSERT, [
                    event_row(pathway_id, seq, log[seq]) for seq in range(expected, version)
                ])
            tasks = pathway.due(when_due(pathway))
            if tasks != before:
                conn.execute(sql.TASKS_DELETE, {"pathway_id": pathway_id})
                if tasks:
                    conn.execute(sql.TASKS_INSERT, task_rows(pathway, tasks))
        with self._lock:
            self._kept[pathway_id] = _Kept(version, pathway, tasks)
            if len(self._kept) > _KEPT:
                self._kept.popitem(last=False)
        return version, pathway.stage

    def _read_for_write(self, conn: sa.Connection, pathway_id: str, expected: int) -> Pathway:
        pathway, version = self._log(conn, pathway_id)
        if version != expected:
            self._current(conn, pathway_id, expected)
        return pathway

    def _bump(self, conn: sa.Connection, pathway: Pathway, pathway_id: str, expected: int,
              version: int) -> None:
        changed = conn.execute(sql.BUMP, {"id": pathway_id, "expected": expected,
                                          **pathway_values(pathway, version)}).rowcount
        if changed != 1:
            self._current(conn, pathway_id, expected)
            raise AssertionError("unreachable: the version matched but no row changed")

    def _current(self, conn: sa.Connection, pathway_id: str, expected: int) -> None:
        """`NotFound` or `Conflict` unless the stored pathway is at ``expected``."""
        current = conn.execute(sql.VERSION, {"pathway_id": pathway_id}).scalar_one_or_none()
        if current is None:
            raise NotFound(pathway_id)
        if current != expected:
            raise Conflict(pathway_id, f"expected version {expected}, the store has "
                                       f"{current}: load it again and retry")

    def _absent(self, conn: sa.Connection, pathway_id: str) -> None:
        found = conn.execute(
            sa.select(s.pathways.c.version).where(s.pathways.c.pathway_id == pathway_id)
        ).first()
        if found is not None:
            raise Conflict(pathway_id, "a pathway with this id is already stored")

    def _insert(self, conn: sa.Connection, pathway: Pathway) -> None:
        pathway_id = pathway.pathway_id
        log = log_of(pathway)
        try:
            conn.execute(s.pathways.insert().values(
                pathway_id=pathway_id, patient_id=pathway.patient_id,
                region=str(pathway.region), policy=policy_value(pathway),
                **pathway_values(pathway, len(log)),
            ))
        except sa.exc.IntegrityError:
            raise Conflict(pathway_id, "a pathway with this id is already stored") from None
        conn.execute(s.events.insert(),
                     [event_row(pathway_id, seq, event) for seq, event in enumerate(log)])
        tasks = pathway.due(when_due(pathway))
        if tasks:
            conn.execute(s.tasks.insert(), task_rows(pathway, tasks))

    # -- reading ----------------------------------------------------------------

    def load(self, pathway_id: str) -> tuple[Pathway, int]:
        """The pathway, replayed under every rule, and its version (its log's length)."""
        pathway_id = _identifier(pathway_id)
        with self._reading() as conn:
            return self._log(conn, pathway_id)

    def _log(self, conn: sa.Connection, pathway_id: str) -> tuple[Pathway, int]:
        rows = sql.LOG_ROWS.run(conn, pathway_id=pathway_id)
        if not rows:
            raise NotFound(pathway_id)
        _, policy, version = rows[0]
        bodies = ((seq, sql.json_value(body)) for seq, body, _ in rows[1:])
        return replayed(pathway_id, sql.json_value(policy), bodies), int(version)

    def version(self, pathway_id: str) -> int:
        """The pathway's current version, without loading it; `NotFound` if not stored."""
        pathway_id = _identifier(pathway_id)
        with self._reading() as conn:
            found = conn.execute(sql.VERSION, {"pathway_id": pathway_id}).scalar_one_or_none()
        if found is None:
            raise NotFound(pathway_id)
        return int(found)

    def worklist(self, start: dt.datetime, end: dt.datetime) -> tuple[WorkItem, ...]:
        """Every open task opening by ``end``, overdue ones included, by ``not_before``.

        One indexed query, no replay (see `facetcare.store._worklist`).
        ``start`` is when the list is drawn up: validated, and what
        `WorkItem.overdue` is usually asked at.
        """
        window(start, end)
        with self._reading() as conn:
            return tuple(item_of(row) for row in conn.execute(query(end)))

    def pathways(self, *, patient_id: str | None = None,
                 region: Region | str | None = None) -> tuple[StoredPathway, ...]:
        """The stored pathways (of one patient, in one region, if given), by id."""
        p = s.pathways.c
        statement = sa.select(p.pathway_id, p.patient_id, p.region, p.stage, p.version)
        if patient_id is not None:
            statement = statement.where(p.patient_id == _identifier(patient_id))
        if region is not None:
            statement = statement.where(p.region == str(Region(region)))
        with self._reading() as conn:
            rows = conn.execute(statement.order_by(p.pathway_id)).all()
        return tuple(
            StoredPathway(row.pathway_id, row.patient_id, Region(row.region), Stage(row.stage),
                          row.version)
            for row in rows
        )

    def tasks(self, pathway_id: str) -> tuple[Task, ...]:
        """The pathway's stored tasks (what `Pathway.due` gave at its last write)."""
        with self._reading() as conn:
            rows = conn.execute(sql.TASKS, {"pathway_id": _identifier(pathway_id)}).all()
        return tuple(task_of(row) for row in rows)
