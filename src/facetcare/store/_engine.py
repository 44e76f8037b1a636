"""Engines set up for the store: SQLite as a real embedded database, PostgreSQL as is.

SQLite (see SQLAlchemy's "Transactions with SQLite and the sqlite3 driver"):
Python's sqlite3 driver by default issues no BEGIN before a SELECT, so a
read-then-write transaction would not be isolated. The store switches the
driver's own transaction handling off and emits BEGIN itself: ``BEGIN
IMMEDIATE`` for writers, which takes the write lock at the start, so two
writers queue (up to ``busy_timeout``) instead of failing at commit, and
plain ``BEGIN`` for readers. A file database runs in WAL mode, so readers
never block the writer nor the writer the readers. ``synchronous`` stays
SQLite's default (FULL): a committed append survives a power cut.

An in-memory store (``Store()``) is one connection shared by every thread
of this process (`StaticPool`), which the store lends to one thread at a
time: handy for tests and demos, not for concurrent writers.
"""

from __future__ import annotations

import os
import threading
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.pool import StaticPool

__all__ = ["BUSY_TIMEOUT_MS", "READ", "WRITE", "HeldReads", "engine_for", "fetch", "is_memory",
           "reader"]

#: How long a SQLite writer waits for another's lock before giving up.
BUSY_TIMEOUT_MS = 30_000
#: Execution option that marks a writer's connection (``BEGIN IMMEDIATE`` on SQLite).
WRITE = "facetcare_write"
#: Execution option of a reader that runs single statements (no BEGIN on SQLite).
READ = "facetcare_read"


def reader(engine: sa.Engine, **options: Any) -> sa.Engine:
    """An engine for reads of one statement each, which need no transaction around them.

    Each statement reads one snapshot by itself; leaving out BEGIN and
    ROLLBACK saves round trips on every read. SQLite: the same pool, no
    BEGIN emitted. PostgreSQL: a pool of its own in AUTOCOMMIT (switching a
    pooled connection's isolation level at every checkout costs more), whose
    connections are not rolled back when returned: in AUTOCOMMIT there is
    never a transaction to end.
    """
    if engine.dialect.name == "sqlite":
        return engine.execution_options(**{READ: True})
    options.setdefault("pool_reset_on_return", None)
    return sa.create_engine(engine.url, isolation_level="AUTOCOMMIT", **options)


def fetch(engine: sa.Engine, text: str, values: Any) -> list[tuple[Any, ...]]:
    """Run one read of driver SQL on a pooled driver connection; its rows.

    For `Store.load`, the hottest read: a `sqlalchemy.Connection` around one
    statement costs several times what SQLite takes to run it (measured
    ~170 µs against ~20 µs here). The pool still lends and takes back the
    connection; driver errors are raised as SQLAlchemy's `DBAPIError`, and a
    dropped connection is invalidated, as `Connection` would do.
    """
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        try:
            cursor.execute(text, values)
            return list(cursor.fetchall())
        finally:
            cursor.close()
    except engine.dialect.loaded_dbapi.Error as error:
        raise _failed(engine, raw, text, values, error) from error
    finally:
        raw.close()


def _failed(engine: sa.Engine, raw: Any, text: str, values: Any,
            error: Exception) -> sa.exc.StatementError:
    """A driver error as SQLAlchemy's `DBAPIError`, ``raw`` invalidated if it was dropped."""
    dialect = engine.dialect
    if dialect.is_disconnect(error, raw.dbapi_connection, None):  # type: ignore[arg-type]
        raw.invalidate(error)
    return sa.exc.DBAPIError.instance(text, values, error, dialect.loaded_dbapi.Error,
                                      dialect=dialect)


class HeldReads:
    """`fetch`, on one driver connection and cursor held between reads, when it is free.

    Lending a connection from the pool and opening a cursor costs about a
    third of a one-row read on PostgreSQL over a Unix socket (measured ~65 µs
    of ~175 µs). Held reads are single autocommit statements (``reads`` is
    the store's reader engine), so holding the connection keeps no
    transaction open. One thread at a time uses it; a thread that finds it
    busy, or a process forked from the one that opened it (which must not
    touch its socket), reads through the pool as `fetch` does.
    """

    def __init__(self, reads: sa.Engine) -> None:
        self._reads = reads
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self._held: Any = None
        self._cursor: Any = None

    def __call__(self, text: str, values: Any) -> list[tuple[Any, ...]]:
        if os.getpid() != self._pid or not self._lock.acquire(blocking=False):
            return fetch(self._reads, text, values)
        try:
            if self._held is None:
                self._held = self._reads.raw_connection()
                self._cursor = self._held.cursor()
            try:
                self._cursor.execute(text, values)
                return list(self._cursor.fetchall())
            except self._reads.dialect.loaded_dbapi.Error as error:
                held, self._held, self._cursor = self._held, None, None
                failed = _failed(self._reads, held, text, values, error)
                held.close()  # back to the pool, or dropped if invalidated
                raise failed from error
        finally:
            self._lock.release()

    def close(self) -> None:
        """Give the held connection back to the pool (in the process that opened it)."""
        with self._lock:
            held, cursor, self._held, self._cursor = self._held, self._cursor, None, None
            if held is not None and os.getpid() == self._pid:
                cursor.close()
                held.close()


def is_memory(url: sa.URL) -> bool:
    """An in-memory SQLite database (one connection, shared by this process)."""
    if url.get_backend_name() != "sqlite":
        return False
    return url.database in (None, "", ":memory:") or "mode=memory" in str(url)


def engine_for(url: str | sa.URL, **options: Any) -> sa.Engine:
    """An engine for ``url`` with the store's SQLite settings where it is SQLite."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return sa.create_engine(parsed, **options)
    memory = is_memory(parsed)
    if memory:
        options.setdefault("poolclass", StaticPool)
        options.setdefault("connect_args", {"check_same_thread": False})
    engine = sa.create_engine(parsed, **options)

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (see above)
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if not memory:
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: sa.Connection) -> None:
        options = connection.get_execution_options()
        if options.get(WRITE, False):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        elif not options.get(READ, False):
            connection.exec_driver_sql("BEGIN")

    return engine
