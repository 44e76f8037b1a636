"""A store written by an older schema (version 1, 2 or 3) is upgraded by one call, or on opening.

The fixtures write each version exactly as it was: version 1 pathways and
events, no ``event_id`` column, no tasks table (the worklist replayed every
pathway); version 2 with event identity and the tasks table, but no
``document`` per pathway and no ``digest`` per event (the log was loaded
row by row); version 3 with both, but no ``tasks_digest`` per pathway.
"""

from __future__ import annotations

import pytest

pytest.importorskip("sqlalchemy")

import attrs
import sqlalchemy as sa

import facetcare as fc
from facetcare.serialization import dump_event, dump_policy
from facetcare.store import SchemaMismatch, Store, upgrade
from facetcare.store import _schema as schema
from facetcare.store._columns import Instant
from journey import DAY, HOUR, MEDICARE, T0, Journey, reach
from store_support import assert_rows_agree

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


V2 = sa.MetaData()
V2_SCHEMA = V1_SCHEMA.to_metadata(V2)
V2_PATHWAYS = V1_PATHWAYS.to_metadata(V2)
V2_EVENTS = sa.Table(
    "facetcare_events", V2,
    sa.Column("pathway_id", sa.String, primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("type", sa.String(40), nullable=False),
    sa.Column("at", Instant, nullable=False),
    sa.Column("body", sa.JSON, nullable=False),
    sa.Column("event_id", sa.String, nullable=True),
    sa.Column("recorded_at", Instant, nullable=True),
    sa.Column("recorded_by", sa.String, nullable=True),
    sa.ForeignKeyConstraint(["pathway_id"], ["facetcare_pathways.pathway_id"]),
    sa.Index("ux_facetcare_events_event_id", "pathway_id", "event_id", unique=True),
)
V2_TASKS = schema.tasks.to_metadata(V2)  # unchanged since version 2


def _columns(table: sa.Table) -> list[sa.Column[object]]:
    """Fresh columns like ``table``'s (name, type, key, nullability), for another table."""
    return [sa.Column(c.name, c.type, primary_key=c.primary_key, nullable=c.nullable,
                      autoincrement=False if c.primary_key else "auto")
            for c in table.columns]


V3 = sa.MetaData()
V3_SCHEMA = V1_SCHEMA.to_metadata(V3)
V3_PATHWAYS = sa.Table(
    "facetcare_pathways", V3,
    *_columns(V1_PATHWAYS),
    sa.Column("document", sa.Text, nullable=False),
    sa.Index("ix_facetcare_pathways_patient", "patient_id", "region"),
)
V3_EVENTS = sa.Table(
    "facetcare_events", V3,
    *_columns(V2_EVENTS),
    sa.Column("digest", sa.String(64), nullable=False),
    sa.ForeignKeyConstraint(["pathway_id"], ["facetcare_pathways.pathway_id"]),
    sa.Index("ux_facetcare_events_event_id", "pathway_id", "event_id", unique=True),
)
V3_TASKS = schema.tasks.to_metadata(V3)


def write_v3(url: str, pathways: list[fc.Pathway], stale: bool = False) -> None:
    """The version-3 store as facetcare wrote it then; ``stale``: tasks an older release wrote."""
    from facetcare.store._document import written
    from facetcare.store._rows import task_rows

    engine = sa.create_engine(url)
    with engine.begin() as conn:
        V3.create_all(conn)
        conn.execute(V3_SCHEMA.insert().values(version=3))
        for pw in pathways:
            whole = written(pw)
            conn.execute(V3_PATHWAYS.insert().values(
                pathway_id=pw.pathway_id, patient_id=pw.patient_id, region=str(pw.region),
                policy=dump_policy(pw.policy), version=len(pw.log), stage=str(pw.stage),
                last_event_at=pw.log[-1].at, document=whole.document))
            conn.execute(V3_EVENTS.insert(), [
                {"pathway_id": pw.pathway_id, "seq": seq, "type": e.kind, "at": e.at,
                 "event_id": e.event_id, "recorded_at": e.recorded_at,
                 "recorded_by": e.recorded_by, "body": whole.bodies[seq],
                 "digest": whole.digests[seq]}
                for seq, e in enumerate(pw.log)])
            tasks = task_rows(pw, pw.due(pw.log[-1].at))
            if stale:
                tasks = [{**row, "detail": "as an older release wrote it"} for row in tasks]
            if tasks:
                conn.execute(V3_TASKS.insert(), tasks)
    engine.dispose()


def write_v2(url: str, pathways: list[fc.Pathway]) -> None:
    """The version-2 store as facetcare wrote it then: the log's rows, tasks, no documents."""
    from facetcare.store._rows import task_rows

    engine = sa.create_engine(url)
    with engine.begin() as conn:
        V2.create_all(conn)
        conn.execute(V2_SCHEMA.insert().values(version=2))
        for pw in pathways:
            conn.execute(V2_PATHWAYS.insert().values(
                pathway_id=pw.pathway_id, patient_id=pw.patient_id, region=str(pw.region),
                policy=dump_policy(pw.policy), version=len(pw.log), stage=str(pw.stage),
                last_event_at=pw.log[-1].at))
            conn.execute(V2_EVENTS.insert(), [
                {"pathway_id": pw.pathway_id, "seq": seq, "type": e.kind, "at": e.at,
                 "event_id": e.event_id, "recorded_at": e.recorded_at,
                 "recorded_by": e.recorded_by, "body": dump_event(e)}
                for seq, e in enumerate(pw.log)])
            tasks = task_rows(pw, pw.due(pw.log[-1].at))
            if tasks:
                conn.execute(V2_TASKS.insert(), tasks)
    engine.dispose()


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
        assert store.schema_version == schema.VERSION == 4
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
        assert store.upgrade() == 4  # already current: a no-op
    finally:
        store.close()


def test_the_documented_upgrade_call(store_url: str) -> None:
    write_v1(store_url, old_clinic()[:1])
    assert upgrade(store_url) == 4
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
        assert store.schema_version == 4
        names = set(sa.inspect(store.engine).get_table_names())
        assert {t.name for t in schema.metadata.sorted_tables} <= names



def corrected_clinic() -> list[fc.Pathway]:
    """`old_clinic` plus a pathway whose log holds a correction and event identities."""
    j = reach(fc.Stage.BLOCK_SCHEDULED)
    assert j.visit_id is not None and j.visit_at is not None
    missed = fc.events.VisitMissed(at=j.visit_at + HOUR, visit_id=j.visit_id,
                                   event_id="desk-1", recorded_by="clerk-2")
    wrong = fc.events.EnteredInError(at=j.visit_at + 2 * HOUR, seq=len(j.pw.log),
                                     reason="wrong row")
    events = [*j.pw.log, missed, wrong]
    first = events[0]
    assert isinstance(first, fc.events.Referred)
    renamed = [attrs.evolve(first, pathway_id="pw-4", patient_id="pt-4"), *events[1:]]
    corrected = fc.Pathway.replay(renamed)
    assert corrected.log != corrected.events
    return [*old_clinic(), corrected]


def test_opening_a_version_2_store_adds_the_documents_and_digests(store_url: str) -> None:
    pathways = corrected_clinic()
    write_v2(store_url, pathways)
    with pytest.raises(SchemaMismatch, match="version 2"):
        Store(store_url, upgrade=False)
    with Store(store_url) as store:
        assert store.schema_version == 4
        for pw in pathways:
            assert store.load(pw.pathway_id) == (pw, len(pw.log))
            assert_rows_agree(store, pw.pathway_id)
        # Appends after the upgrade extend the filled-in document.
        stage = store.apply("pw-4", fc.events.Withdrawn(at=T0 + 60 * DAY, reason="moved"))
        assert stage == fc.Stage.WITHDRAWN
        assert_rows_agree(store, "pw-4")
        # Both new columns are NOT NULL, as in a store created at version 3.
        inspector = sa.inspect(store.engine)
        for table, name in (("facetcare_pathways", "document"), ("facetcare_events", "digest")):
            column = next(c for c in inspector.get_columns(table) if c["name"] == name)
            assert column["nullable"] is False


def test_opening_a_version_3_store_adds_the_tasks_digest(store_url: str) -> None:
    pathways = corrected_clinic()
    write_v3(store_url, pathways, stale=True)
    with pytest.raises(SchemaMismatch, match="version 3"):
        Store(store_url, upgrade=False)
    with Store(store_url) as store:
        assert store.schema_version == 4
        with store.engine.connect() as conn:
            digests = conn.execute(sa.select(schema.pathways.c.tasks_digest)).scalars().all()
        assert digests == [None] * len(pathways)  # unknown until the next append
        for pw in pathways:
            assert store.load(pw.pathway_id) == (pw, len(pw.log))
        # An append rewrites the tasks an older release wrote, even when they come out
        # equal to what this release computed before the append.
        recurring = pathways[0]
        assert store.tasks(recurring.pathway_id) != recurring.due(recurring.log[-1].at)
        store.apply(recurring.pathway_id,
                    fc.events.Closed(at=recurring.log[-1].at + DAY, reason="care completed"))
        assert_rows_agree(store, recurring.pathway_id)
        assert store.tasks(recurring.pathway_id) == ()
        booked = pathways[1]
        store.apply(booked.pathway_id, fc.events.Withdrawn(at=booked.log[-1].at + HOUR,
                                                           reason="moved away"))
        assert_rows_agree(store, booked.pathway_id)
        with store.engine.connect() as conn:
            digest = conn.execute(sa.select(schema.pathways.c.tasks_digest).where(
                schema.pathways.c.pathway_id == booked.pathway_id)).scalar_one()
        assert digest is not None


def test_a_version_1_store_is_upgraded_through_version_2(store_url: str) -> None:
    pathways = old_clinic()
    write_v1(store_url, pathways)
    with Store(store_url) as store:
        for pw in pathways:
            assert_rows_agree(store, pw.pathway_id)
