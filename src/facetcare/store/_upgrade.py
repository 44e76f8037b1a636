"""Creating the store's tables, and bringing an older store up to `VERSION`.

Opening a `Store` calls `prepare`: an empty database gets the current
tables; a store written by an older facetcare is upgraded in place, one
step per version, inside one transaction (all steps or none), unless the
caller opened it with ``upgrade=False``; a newer store is refused. Several
processes opening the same database at once are serialized: by the write
lock on SQLite (``BEGIN IMMEDIATE``), by a transaction-scoped advisory lock
on PostgreSQL.

Version history:

1. ``facetcare_schema``, ``facetcare_pathways`` and ``facetcare_events``
   without event identity; no tasks table: the worklist replayed every pathway.
2. ``facetcare_events.event_id`` (with a unique index per pathway),
   ``recorded_at`` and ``recorded_by``; and
   ``facetcare_tasks`` with its ``not_before`` index, filled by replaying
   each stored pathway once during the upgrade.
3. ``facetcare_pathways.document`` (the pathway's canonical document, which
   `Store.load` reads instead of the event rows) and
   ``facetcare_events.digest`` (the hash chain's digest after each event),
   filled by replaying each stored pathway once during the upgrade. Both
   are NOT NULL; the columns are added with a default of ``''`` (SQLite
   cannot add a NOT NULL column without one), which PostgreSQL then drops.
4. ``facetcare_pathways.tasks_digest`` (the digest of the pathway's task
   rows as written), NULL after the upgrade: the next append to each
   pathway rewrites its tasks and fills it. Nothing is replayed.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from facetcare.errors import SerializationError
from facetcare.store import _schema as s
from facetcare.store._document import written
from facetcare.store._errors import SchemaMismatch
from facetcare.store._rows import replayed, task_rows, when_due

__all__ = ["STEPS", "prepare", "stored_version"]

#: Any fixed number: the key of the PostgreSQL advisory lock around `prepare`.
_LOCK_KEY = 0x46616365  # "Face"


def stored_version(conn: sa.Connection) -> int | None:
    """The schema version in the database, or None if it holds no store at all."""
    inspector = sa.inspect(conn)
    if not inspector.has_table(s.schema.name):
        if inspector.has_table(s.pathways.name):
            raise SchemaMismatch(
                f"{s.pathways.name} exists but {s.schema.name} does not: not a facetcare "
                "store, or one damaged by hand"
            )
        return None
    versions = conn.execute(sa.select(s.schema.c.version)).scalars().all()
    if len(versions) != 1:
        raise SchemaMismatch(f"{s.schema.name} must hold one row, found {len(versions)}")
    return int(versions[0])


def _v1_to_v2(conn: sa.Connection) -> None:
    # Version-1 events had no identity: the new columns stay NULL for them.
    for column in (s.events.c.event_id, s.events.c.recorded_at, s.events.c.recorded_by):
        kind = column.type.compile(dialect=conn.dialect)
        conn.execute(sa.text(f"ALTER TABLE facetcare_events ADD COLUMN {column.name} {kind}"))
    for index in s.events.indexes:
        index.create(conn)
    s.tasks.create(conn)
    ids = conn.execute(sa.select(s.pathways.c.pathway_id, s.pathways.c.policy)).all()
    for pathway_id, policy in ids:
        rows = conn.execute(
            sa.select(s.events.c.seq, s.events.c.body)
            .where(s.events.c.pathway_id == pathway_id)
            .order_by(s.events.c.seq)
        ).all()
        pathway = replayed(pathway_id, policy, ((seq, body) for seq, body in rows))
        found = task_rows(pathway, pathway.due(when_due(pathway)))
        if found:
            conn.execute(s.tasks.insert(), found)


def _v2_to_v3(conn: sa.Connection) -> None:
    added = ((s.pathways, s.pathways.c.document), (s.events, s.events.c.digest))
    for table, column in added:
        kind = column.type.compile(dialect=conn.dialect)
        conn.execute(sa.text(f"ALTER TABLE {table.name} ADD COLUMN {column.name} {kind} "
                             "NOT NULL DEFAULT ''"))
    p, e = s.pathways.c, s.events.c
    for pathway_id, policy, version in conn.execute(
            sa.select(p.pathway_id, p.policy, p.version).order_by(p.pathway_id)).all():
        rows = conn.execute(
            sa.select(e.seq, e.body).where(e.pathway_id == pathway_id).order_by(e.seq)
        ).all()
        pathway = replayed(pathway_id, policy, ((seq, body) for seq, body in rows))
        if len(pathway.log) != version:
            raise SerializationError(f"store pathway {pathway_id!r}: {len(pathway.log)} event "
                                     f"rows, the row says version {version}")
        whole = written(pathway)
        conn.execute(s.pathways.update().where(p.pathway_id == pathway_id)
                     .values(document=whole.document))
        conn.execute(
            s.events.update().where(e.pathway_id == sa.bindparam("p"),
                                    e.seq == sa.bindparam("s"))
            .values(digest=sa.bindparam("d")),
            [{"p": pathway_id, "s": seq, "d": digest} for seq, digest in enumerate(whole.digests)],
        )
    if conn.dialect.name == "postgresql":
        for table, column in added:
            conn.execute(sa.text(f"ALTER TABLE {table.name} ALTER COLUMN {column.name} "
                                 "DROP DEFAULT"))


def _v3_to_v4(conn: sa.Connection) -> None:
    column = s.pathways.c.tasks_digest
    kind = column.type.compile(dialect=conn.dialect)
    conn.execute(sa.text(f"ALTER TABLE {s.pathways.name} ADD COLUMN {column.name} {kind}"))


#: version N → the step that turns a version-N store into version N + 1.
STEPS: dict[int, Callable[[sa.Connection], None]] = {1: _v1_to_v2, 2: _v2_to_v3, 3: _v3_to_v4}


def _upgrade(conn: sa.Connection, version: int) -> int:
    while version < s.VERSION:
        STEPS[version](conn)
        version += 1
    conn.execute(s.schema.update().values(version=version))
    return version


def prepare(conn: sa.Connection, *, upgrade: bool) -> int:
    """Create or upgrade the tables in ``conn``'s (writing) transaction; the version now."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
    version = stored_version(conn)
    if version is None:
        s.metadata.create_all(conn)
        conn.execute(s.schema.insert().values(version=s.VERSION))
        return s.VERSION
    if version > s.VERSION:
        raise SchemaMismatch(
            f"the store has schema version {version}, newer than this facetcare writes "
            f"({s.VERSION}): upgrade facetcare"
        )
    if version < s.VERSION:
        if not upgrade:
            raise SchemaMismatch(
                f"the store has schema version {version}; this facetcare writes {s.VERSION}: "
                "open it with Store(url) (upgrade=True, the default) or call "
                "facetcare.store.upgrade(url)"
            )
        return _upgrade(conn, version)
    return version
