"""Pathways in a database: SQLite embedded, PostgreSQL in production (``facetcare[store]``).

    from facetcare.store import Store, Conflict, NotFound
    store = Store("sqlite:///clinic.db")
    pw = store.create(referral, policy=policy)
    pw, version = store.load("pw-1")
    version = store.append("pw-1", events, expected_version=version)
    stage = store.apply("pw-1", event)        # retried on Conflict
    items = store.worklist(start, end)        # one indexed query

Built on SQLAlchemy 2 Core (no ORM) and psycopg 3, which this package
imports itself: ``import facetcare`` never needs them. See ``docs/store.md``.
"""

from __future__ import annotations

import sqlalchemy as sa

from facetcare.store._errors import Conflict, NotFound, SchemaMismatch
from facetcare.store._schema import VERSION as SCHEMA_VERSION
from facetcare.store._store import Store
from facetcare.store._worklist import StoredPathway, WorkItem

__all__ = [
    "SCHEMA_VERSION",
    "Conflict",
    "NotFound",
    "SchemaMismatch",
    "Store",
    "StoredPathway",
    "WorkItem",
    "upgrade",
]


def upgrade(url: str | sa.URL) -> int:
    """Bring the store at ``url`` up to `SCHEMA_VERSION` (one transaction); the version."""
    store = Store(url, upgrade=True)
    store.close()
    return store.schema_version
