"""The store's tables, as SQLAlchemy Core metadata (no ORM).

A pathway is its events, so ``facetcare_events`` is the truth: one row per
entry of the pathway's log, ``seq`` its 0-based position, ``body`` the
event exactly as the document codec writes it, ``digest`` the document hash
chain's digest after it. ``facetcare_pathways`` holds what a query needs
without replaying (patient, region, policy, stage), ``version``, the length
of the log, which every append checks and bumps (optimistic concurrency),
and ``document``: the pathway's canonical document (``Pathway.to_json()``)
at that version, rewritten by the same statement that bumps the version, so
`Store.load` reads one row (see `facetcare.store._document`).
``facetcare_tasks`` is ``Pathway.due`` computed at write time: `due` does
not depend on ``now`` beyond validation, so the rows are exact until the
next append, which rewrites them in the same transaction when they changed
(``facetcare_pathways.tasks_digest`` is the digest of the rows written, so
a writer that did not write last knows without reading them).
``facetcare_schema`` holds the one number `upgrade` reads.

Names carry a ``facetcare_`` prefix so the store can live in a clinic's
existing database beside its own tables.
"""

from __future__ import annotations

import sqlalchemy as sa

from facetcare.store._columns import Document, Instant

__all__ = ["VERSION", "events", "metadata", "pathways", "schema", "tasks"]

#: The schema this facetcare writes. Version 1 had no tasks table and no
#: event identity columns, version 2 no documents nor digests, version 3 no
#: tasks digest; `facetcare.store._upgrade` brings any of them up to date.
VERSION = 4

metadata = sa.MetaData()

schema = sa.Table(
    "facetcare_schema",
    metadata,
    sa.Column("version", sa.Integer, nullable=False),
)

pathways = sa.Table(
    "facetcare_pathways",
    metadata,
    sa.Column("pathway_id", sa.String, primary_key=True),
    sa.Column("patient_id", sa.String, nullable=False),
    sa.Column("region", sa.String(16), nullable=False),
    sa.Column("policy", Document, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("stage", sa.String(32), nullable=False),
    sa.Column("last_event_at", Instant, nullable=False),
    # The canonical document of the whole log at ``version`` (what
    # ``Pathway.to_json()`` gives), as text: read back as it was written.
    sa.Column("document", sa.Text, nullable=False),
    # SHA-256 (hex) of the pathway's task rows as last written (`_rows.tasks_digest`);
    # NULL when unknown (a store upgraded from version 3): the next append rewrites them.
    sa.Column("tasks_digest", sa.String(64), nullable=True),
    sa.Index("ix_facetcare_pathways_patient", "patient_id", "region"),
)

events = sa.Table(
    "facetcare_events",
    metadata,
    sa.Column("pathway_id", sa.String, sa.ForeignKey("facetcare_pathways.pathway_id"),
              primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("type", sa.String(40), nullable=False),
    sa.Column("at", Instant, nullable=False),
    # The caller's id of the event: unique within a pathway, so a re-sent
    # event can never be stored twice. NULL for events without one (several
    # NULLs never collide, on both databases). With who recorded the event
    # and when, for audit queries; the body holds them too.
    sa.Column("event_id", sa.String, nullable=True),
    sa.Column("recorded_at", Instant, nullable=True),
    sa.Column("recorded_by", sa.String, nullable=True),
    sa.Column("body", Document, nullable=False),
    # The hash chain's digest after this event, hex (`facetcare.documents.event_digests`):
    # the last row's is the document's ``chain``; an edited row shows where.
    sa.Column("digest", sa.String(64), nullable=False),
    sa.Index("ux_facetcare_events_event_id", "pathway_id", "event_id", unique=True),
)

tasks = sa.Table(
    "facetcare_tasks",
    metadata,
    sa.Column("pathway_id", sa.String, sa.ForeignKey("facetcare_pathways.pathway_id"),
              primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("patient_id", sa.String, nullable=False),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("not_before", Instant, nullable=False),
    sa.Column("due_by", Instant, nullable=True),
    sa.Column("visit_id", sa.String, nullable=True),
    sa.Column("detail", sa.Text, nullable=False),
    # `Task.options` (the ways on from a decision) and the policy in force.
    sa.Column("options", Document, nullable=False),
    sa.Column("policy", sa.String, nullable=False),
    # The worklist reads this index in order: one range scan, no sort.
    sa.Index("ix_facetcare_tasks_not_before", "not_before", "pathway_id", "position"),
)
