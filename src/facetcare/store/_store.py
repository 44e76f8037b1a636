"""`Store`: pathways in a database, with no lost update.

Every write is one transaction: the events are judged under every rule
inside it, on the pathway at the expected version (a refusal raises
`Rejected` and rolls back), then the pathway's version is bumped with
``UPDATE … WHERE version = :expected`` (no row changed: someone else wrote
first, `Conflict`, rolled back), the events are inserted and the pathway's
task rows rewritten if they changed. The same UPDATE rewrites the
pathway's document (`facetcare.store._document`) and the digest of its
task rows, so `load` and a writer that did not write last read one row,
not the whole log nor the tasks. All or none.

The log up to a version never changes, so the pathway at the expected
version may be read before the transaction begins (one row, as `load`
reads it), and a store keeps, per pathway it last wrote, the `Pathway`
(and its document and tasks digest) at the version it wrote: an append
that expects that version reads nothing. Either way the version check in
the UPDATE decides.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from typing import Any, NamedTuple

import sqlalchemy as sa

from facetcare import events as ev
from facetcare.anatomy import Region
from facetcare.codes import INVALID_TRANSITION
from facetcare.errors import Reason, Rejected
from facetcare.machine import Stage
from facetcare.pathway import Pathway
from facetcare.policy import Policy
from facetcare.scheduling import Task
from facetcare.store import _schema as s
from facetcare.store import _statements as sql
from facetcare.store._document import Written, audited, extended, read, written
from facetcare.store._engine import WRITE, HeldReads, engine_for, fetch, is_memory, reader
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
    tasks_digest,
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
    document: str
    tasks_digest: str | None  # of its task rows (`_rows.tasks_digest`)


def _stale(pathway_id: str, expected: int, current: int) -> Conflict:
    return Conflict(pathway_id, f"expected version {expected}, the store has {current}: "
                                "load it again and retry")


def _identifier(value: object, name: str = "pathway_id") -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {type(value).__name__}")
    return value


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
        # Loads and versions read on one held connection (an in-memory store has one anyway).
        self._fetch: Callable[[str, Any], list[tuple[Any, ...]]] = (
            functools.partial(fetch, self._reader) if is_memory(self.engine.url)
            else HeldReads(self._reader))
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
        if isinstance(self._fetch, HeldReads):
            self._fetch.close()
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
        referral: a document is stored as written. A pathway with no events
        (``Pathway()``) has no id to store it under: `Rejected`
        (``invalid_transition``), as `Pathway.replay` of no events is.
        """
        if not isinstance(pathway, Pathway):
            raise TypeError(f"expected a facetcare.Pathway, got {type(pathway).__name__}")
        if not log_of(pathway):
            raise Rejected((Reason(INVALID_TRANSITION, "a pathway starts with Referred; this "
                                                       "one has no events to store"),))
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
        against the new state and retried, up to ``attempts`` times (at least once).
        """
        pathway_id = _identifier(pathway_id)
        if isinstance(attempts, bool) or not isinstance(attempts, int) or attempts < 1:
            raise ValueError(f"attempts must be a positive int, got {attempts!r}")
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
        if kept is None or kept.version != expected:
            kept = self._stored(pathway_id, expected)
        pathway = kept.pathway
        with self._writing() as conn:
            try:
                # All or none, corrections judged together (`Pathway.apply_all`).
                pathway.apply_all(events)
            except Rejected:
                # Judged at ``expected``: a refusal stands only if that is still current.
                self._current(conn, pathway_id, expected)
                raise
            log = log_of(pathway)
            version = len(log)
            new = extended(kept.document, pathway, log[expected:])
            tasks = pathway.due(when_due(pathway))
            digest = tasks_digest(tasks)
            self._bump(conn, pathway_id, expected,
                       pathway_values(pathway, version, new.document, digest))
            if version > expected:
                conn.execute(sql.EVENTS_INSERT, [
                    event_row(pathway_id, seq, log[seq], new.bodies[seq - expected],
                              new.digests[seq - expected])
                    for seq in range(expected, version)
                ])
            if digest != kept.tasks_digest:
                conn.execute(sql.TASKS_DELETE, {"pathway_id": pathway_id})
                if tasks:
                    conn.execute(sql.TASKS_INSERT, task_rows(pathway, tasks))
        self._keep(pathway_id, _Kept(version, pathway, new.document, digest))
        return version, pathway.stage

    def _keep(self, pathway_id: str, kept: _Kept) -> None:
        with self._lock:
            self._kept[pathway_id] = kept
            if len(self._kept) > _KEPT:
                self._kept.popitem(last=False)

    def _stored(self, pathway_id: str, expected: int) -> _Kept:
        """The stored pathway at ``expected``; `NotFound`, or `Conflict` if it is at another.

        Read outside the write transaction, as `load` reads: the log up to a
        version never changes, and the write's ``UPDATE … WHERE version =
        :expected`` refuses if another writer moved on meanwhile.
        """
        document, version, digest = self._row(sql.DOCUMENT_ROW, pathway_id)
        if version != expected:
            raise _stale(pathway_id, expected, version)
        return _Kept(expected, read(pathway_id, document, version), document, digest)

    def _bump(self, conn: sa.Connection, pathway_id: str, expected: int,
              values: dict[str, Any]) -> None:
        changed = conn.execute(sql.BUMP, {"id": pathway_id, "expected": expected,
                                          **values}).rowcount
        if changed != 1:
            self._current(conn, pathway_id, expected)
            raise AssertionError("unreachable: the version matched but no row changed")

    def _current(self, conn: sa.Connection, pathway_id: str, expected: int) -> None:
        """`NotFound` or `Conflict` unless the stored pathway is at ``expected``."""
        current = conn.execute(sql.VERSION, {"pathway_id": pathway_id}).scalar_one_or_none()
        if current is None:
            raise NotFound(pathway_id)
        if current != expected:
            raise _stale(pathway_id, expected, current)

    def _absent(self, conn: sa.Connection, pathway_id: str) -> None:
        found = conn.execute(
            sa.select(s.pathways.c.version).where(s.pathways.c.pathway_id == pathway_id)
        ).first()
        if found is not None:
            raise Conflict(pathway_id, "a pathway with this id is already stored")

    def _insert(self, conn: sa.Connection, pathway: Pathway) -> None:
        pathway_id = pathway.pathway_id
        with self._lock:  # a pathway kept under this id was deleted behind the store's back
            self._kept.pop(pathway_id, None)
        log = log_of(pathway)
        whole: Written = written(pathway)
        tasks = pathway.due(when_due(pathway))
        try:
            conn.execute(s.pathways.insert().values(
                pathway_id=pathway_id, patient_id=pathway.patient_id,
                region=str(pathway.region), policy=policy_value(pathway),
                **pathway_values(pathway, len(log), whole.document, tasks_digest(tasks)),
            ))
        except sa.exc.IntegrityError:
            raise Conflict(pathway_id, "a pathway with this id is already stored") from None
        conn.execute(s.events.insert(), [
            event_row(pathway_id, seq, event, whole.bodies[seq], whole.digests[seq])
            for seq, event in enumerate(log)
        ])
        if tasks:
            conn.execute(s.tasks.insert(), task_rows(pathway, tasks))

    # -- reading ----------------------------------------------------------------

    def load(self, pathway_id: str) -> tuple[Pathway, int]:
        """The pathway, replayed under every rule, and its version (its log's length).

        One indexed read of the pathway's row, then what ``Pathway.from_json``
        does with its stored document (chain checked, every event replayed).
        """
        pathway_id = _identifier(pathway_id)
        document, version, _ = self._row(sql.DOCUMENT_ROW, pathway_id)
        return read(pathway_id, document, version), int(version)

    def verify(self, pathway_id: str) -> tuple[Pathway, int]:
        """`load` from the event rows instead, checked against the stored document.

        Replays the rows under every rule and refuses (`SerializationError`
        naming the pathway, and the first ``seq`` whose digest differs) unless
        the rows, their digests and the document all say the same: an audit
        of one pathway, where `load` trusts the rows to match the document.
        """
        pathway_id = _identifier(pathway_id)
        with self._reading() as conn:
            rows = conn.execute(sql.AUDIT, {"pathway_id": pathway_id}).all()
        if not rows:
            raise NotFound(pathway_id)
        policy, version, document = rows[0].policy, rows[0].version, rows[0].document
        events = [row for row in rows if row.seq is not None]
        pathway = replayed(pathway_id, policy, ((row.seq, row.body) for row in events))
        audited(pathway_id, pathway, version, [row.digest for row in events], document)
        return pathway, int(version)

    def version(self, pathway_id: str) -> int:
        """The pathway's current version, without loading it; `NotFound` if not stored."""
        return int(self._row(sql.VERSION_ROW, _identifier(pathway_id))[0])

    def _row(self, statement: sql.Precompiled, pathway_id: str) -> tuple[Any, ...]:
        """The pathway's one row of ``statement`` (on the held reader); `NotFound` if none."""
        text, values = statement.driver_sql(self.engine.dialect, {"pathway_id": pathway_id})
        with self._serial:
            rows = self._fetch(text, values)
        if not rows:
            raise NotFound(pathway_id)
        return rows[0]

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
            statement = statement.where(p.patient_id == _identifier(patient_id, "patient_id"))
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
        """The pathway's stored tasks (what `Pathway.due` gave at its last write); `NotFound`."""
        with self._reading() as conn:
            rows = conn.execute(sql.TASKS, {"pathway_id": _identifier(pathway_id)}).all()
        if not rows:
            self.version(pathway_id)  # none, or no such pathway
        return tuple(task_of(row) for row in rows)
