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

from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.pool import StaticPool

__all__ = ["BUSY_TIMEOUT_MS", "READ", "WRITE", "engine_for", "is_memory", "reader"]

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
    pooled connection's isolation level at every checkout costs more).
    """
    if engine.dialect.name == "sqlite":
        return engine.execution_options(**{READ: True})
    return sa.create_engine(engine.url, isolation_level="AUTOCOMMIT", **options)


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
