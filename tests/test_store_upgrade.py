"""A store written by an older schema (version 1) is upgraded by one call, or on opening.

The fixture writes version 1 exactly as it was: pathways and events, no
``event_id`` column, no tasks table (the worklist replayed every pathway).
"""

from __future__ import annotations

import pytest

pytest.importorskip("sqlalchemy")

import sqlalchemy as sa

import facetcare as fc
from facetcare.serialization import dump_event, dump_policy
from facetcare.store import SchemaMismatch, Store, upgrade
from facetcare.store import _schema as schema
from facetcare.store._columns import Instant
from journey import DAY, MEDICARE, T0, Journey, reach

V1 = sa.MetaData()
V1_SCHEMA = sa.Table("facetcare_schema", V1, sa.Column("version", sa.Integer, nullable=False))
V1_PATHWAYS = sa.Table(
    "facetcare_pathways", V1,
    sa.Column("pathway_id", sa.String, primary_key=True),
    sa.Column("patient_id", sa.String, nullable=False),
    sa.Column("region", sa.String(16), nullable=False),
    sa.Column("policy", sa.JSON, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("stage", sa.String(32), nullable=False),
    sa.Column("last_event_at", Instant, nullable=False),
    sa.Index("ix_facetcare_pathways_patient", "patient_id", "region"),
)
V1_EVENTS = sa.Table(
    "facetcare_events", V1,
    sa.Column("pathway_id", sa.String, sa.ForeignKey("facetcare_pathways.pathway_id"),
              primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("type", sa.String(40), nullable=False),
    sa.Column("at", Instant, nullable=False),
    sa.Column("body", sa.JSON, nullable=False),
)


def write_v1(url: str, pathways: list[fc.Pathway]) -> None:
    """The version-1 store as facetcare wrote it then."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        V1.create_all(conn)
        conn.execute(V1_SCHEMA.insert().values(version=1))
        for pw in pathways:
            conn.execute(V1_PATHWAYS.insert().values(
                pathway_id=pw.pathway_id, patient_id=pw.patient_id, region=str(pw.region),
                policy=dump_policy(pw.policy), version=len(pw.events), stage=str(pw.stage),
                last_event_at=pw.events[-1].at))
            conn.execute(V1_EVENTS.insert(), [
                {"pathway_id": pw.pathway_id, "seq": seq, "type": e.kind, "at": e.at,
                 "body": dump_event(e)} for seq, e in enumerate(pw.events)])
    engine.dispose()


def old_clinic() -> list[fc.Pathway]:
    return [
        reach(fc.Stage.RECURRENCE, MEDICARE).pw,
        Journey(at=T0 + DAY, pathway_id="pw-2", patient_id="pt-2").book_block(
            escort_confirmed=False).pw,
        fc.Pathway.replay(  # a closed pathway has no tasks
            [fc.events.Referred(at=T0, pathway_id="pw-3", patient_id="pt-3", region="lumbar"),
             fc.events.Closed(at=T0 + DAY, reason="declined")]),
    ]


def test_opening_a_version_1_store_upgrades_it_and_fills_the_tasks(store_url: str) -> None:
    pathways = old_clinic()
    write_v1(store_url, pathways)
    with pytest.raises(SchemaMismatch, match="version 1"):
        Store(store_url, upgrade=False)
    store = Store(store_url)  # upgrade=True, the default
    try:
        assert store.schema_version == schema.VERSION == 2
        for pw in pathways:
            loaded, version = store.load(pw.pathway_id)
            assert (loaded, version) == (pw, len(pw.events))
            assert store.tasks(pw.pathway_id) == pw.due(pw.events[-1].at)
        end = T0 + 3650 * DAY
        assert [(i.pathway_id, i.task) for i in store.worklist(T0, end)] == sorted(
            ((pw.pathway_id, t) for pw in pathways for t in pw.due(T0)),
            key=lambda item: (item[1].not_before, item[0]))
        # The upgraded store takes event ids and new appends as a fresh one does.
        columns = {c["name"] for c in sa.inspect(store.engine).get_columns("facetcare_events")}
        assert "event_id" in columns
        stage = store.apply("pw-2", fc.events.Withdrawn(at=T0 + 2 * DAY, reason="moved"))
        assert stage == fc.Stage.WITHDRAWN and store.tasks("pw-2") == ()
        assert store.upgrade() == 2  # already current: a no-op
    finally:
        store.close()


def test_the_documented_upgrade_call(store_url: str) -> None:
    write_v1(store_url, old_clinic()[:1])
    assert upgrade(store_url) == 2
    with Store(store_url, upgrade=False) as store:
        assert store.load("pw-1")[1] == len(old_clinic()[0].events)


def test_a_failed_upgrade_changes_nothing(store_url: str) -> None:
    good = old_clinic()[0]
    write_v1(store_url, [good])
    engine = sa.create_engine(store_url)
    with engine.begin() as conn:  # a tampered row: replaying it during the upgrade fails
        conn.execute(V1_EVENTS.update().where(V1_EVENTS.c.seq == 1).values(
            body={**dump_event(good.events[1]), "visit_at": "2020-01-01T00:00:00+00:00"}))
    with pytest.raises(fc.Rejected):
        Store(store_url)
    with engine.connect() as conn:
        assert conn.execute(sa.select(V1_SCHEMA.c.version)).scalar_one() == 1
        assert not sa.inspect(conn).has_table("facetcare_tasks")
    engine.dispose()


def test_an_empty_database_gets_the_current_schema(store_url: str) -> None:
    with Store(store_url) as store:
        assert store.schema_version == 2
        names = set(sa.inspect(store.engine).get_table_names())
        assert {t.name for t in schema.metadata.sorted_tables} <= names

