"""A pathway's task rows are rewritten when, and only when, an append changes them.

`facetcare_pathways.tasks_digest` is the digest of the task rows last
written, so an append by a store that did not write last (it read the
pathway's row, not its tasks) still knows whether the tasks changed.
Statements are seen as the database driver runs them. Also here: the
store's reads on one held connection (`facetcare.store._engine.HeldReads`)
from many threads, across a fork, and after the server dropped it.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import threading
import zoneinfo
from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("sqlalchemy")

import attrs
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import facetcare as fc
from facetcare import events as ev
from facetcare.store import Store
from facetcare.store import _schema as schema
from facetcare.store._rows import tasks_digest
from facetcare.testing import journeys
from journey import MEDICARE, SEED, S, reach
from store_support import assert_rows_agree, fresh_postgres_database
from test_store_worklist import renamed, wipe


class Statements:
    """The SQL the store's engine sends, as the driver receives it."""

    def __init__(self, engine: sa.Engine) -> None:
        self.seen: list[str] = []
        sa.event.listen(engine, "before_cursor_execute", self._record)
        self.engine = engine

    def _record(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        self.seen.append(" ".join(statement.split()).upper())

    def writes_to(self, table: str) -> list[str]:
        return [s for s in self.seen
                if s.startswith(("INSERT INTO", "DELETE FROM", "UPDATE")) and table.upper() in s]

    def close(self) -> None:
        sa.event.remove(self.engine, "before_cursor_execute", self._record)


@pytest.fixture
def statements(store: Store) -> Iterator[Statements]:
    seen = Statements(store.engine)
    yield seen
    seen.close()


def _rows(pathway: fc.Pathway) -> tuple[fc.Task, ...]:
    return pathway.due(pathway.log[-1].at)


def test_task_rows_are_rewritten_exactly_when_they_change(store_url: str) -> None:
    @settings(max_examples=15, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(data=st.data(), policy=st.sampled_from([SEED, MEDICARE]))
    def check(data: st.DataObject, policy: fc.Policy) -> None:
        store = Store(store_url)
        wipe(store)
        seen = Statements(store.engine)
        try:
            events = renamed(data.draw(journeys(policy, max_steps=12), label="journey"), 1, 1)
            pathway = fc.Pathway.replay(events[:1], policy=policy)
            store.add(fc.Pathway.replay(events[:1], policy=policy))
            for event in events[1:]:
                if data.draw(st.booleans(), label="cold"):
                    store._kept.clear()  # as for a store that did not write last
                before = _rows(pathway)
                pathway.apply(event)
                seen.seen.clear()
                store.append("pw-1", [event], expected_version=len(pathway.log) - 1)
                rewritten = bool(seen.writes_to(schema.tasks.name))
                assert rewritten == (_rows(pathway) != before), event
                assert_rows_agree(store, "pw-1")
        finally:
            seen.close()
            store.close()

    check()


def test_a_follow_up_that_keeps_the_schedule_writes_no_task_rows(
        store: Store, statements: Statements) -> None:
    j = reach(S.SUSTAINED_RELIEF)
    store.add(j.pw)
    store._kept.clear()
    statements.seen.clear()
    again = ev.FollowUpRecorded(at=j.pw.log[-1].at, pain_score=2)
    j.pw.apply(again)
    store.append(j.pw.pathway_id, [again], expected_version=len(j.pw.log) - 1)
    assert statements.writes_to(schema.tasks.name) == []
    # The digest stored is the rows', and the rows are what due() gives.
    with store.engine.connect() as conn:
        digest = conn.execute(sa.select(schema.pathways.c.tasks_digest)).scalar_one()
    assert digest == tasks_digest(_rows(j.pw))
    assert_rows_agree(store, j.pw.pathway_id)


def test_an_unknown_digest_rewrites_the_tasks(store: Store, statements: Statements) -> None:
    j = reach(S.SUSTAINED_RELIEF)
    store.add(j.pw)
    with store.engine.begin() as conn:  # as after an upgrade from version 3
        conn.execute(schema.pathways.update().values(tasks_digest=None))
        conn.execute(schema.tasks.update().values(detail="written by an older release"))
    store._kept.clear()
    statements.seen.clear()
    again = ev.FollowUpRecorded(at=j.pw.log[-1].at, pain_score=2)
    store.append(j.pw.pathway_id, [again], expected_version=len(j.pw.log))
    assert statements.writes_to(schema.tasks.name)
    j.pw.apply(again)
    assert store.tasks(j.pw.pathway_id) == j.pw.due(again.at)
    assert_rows_agree(store, j.pw.pathway_id)


def test_the_digest_is_of_instants_and_content() -> None:
    j = reach(S.BLOCK_NEGATIVE)
    tasks = j.pw.due(j.now)
    assert tasks and tasks[0].options, "a decision has options"
    brisbane = zoneinfo.ZoneInfo("Australia/Brisbane")
    first = tasks[0]
    shifted = attrs.evolve(first, not_before=first.not_before.astimezone(brisbane), options=tuple(
        attrs.evolve(o, not_before=o.not_before.astimezone(brisbane)) for o in first.options))
    assert shifted == first and tasks_digest((shifted, *tasks[1:])) == tasks_digest(tasks)
    for changed in (attrs.evolve(first, detail=first.detail + "!"),
                    attrs.evolve(first, not_before=first.not_before + dt.timedelta(seconds=1)),
                    attrs.evolve(first, options=first.options[1:])):
        assert tasks_digest((changed, *tasks[1:])) != tasks_digest(tasks)


# -- reads on a held connection ------------------------------------------------------


def test_loads_from_many_threads_at_once_all_succeed(store: Store) -> None:
    pathways = [reach(stage).pw for stage in (S.REFERRED, S.BLOCK_SCHEDULED, S.SUSTAINED_RELIEF)]
    for number, pw in enumerate(pathways):
        store.add(fc.Pathway.replay(renamed(pw.log, number, number)))
    ids = [p.pathway_id for p in store.pathways()]
    wanted = {i: store.load(i) for i in ids}
    failures: list[BaseException] = []

    def reader() -> None:
        try:
            for _ in range(30):
                for i in ids:
                    assert store.load(i) == wanted[i]
                    assert store.version(i) == wanted[i][1]
        except BaseException as error:  # reported below
            failures.append(error)

    threads = [threading.Thread(target=reader) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


def _load_in_child(store: Store, pathway_id: str, out: Any) -> None:
    out.put(store.load(pathway_id)[1])


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="no fork")
def test_a_forked_child_reads_without_touching_the_parents_connection(store: Store) -> None:
    j = reach(S.BLOCK_SCHEDULED)
    store.add(j.pw)
    version = store.load(j.pw.pathway_id)[1]  # the parent now holds a connection
    context = multiprocessing.get_context("fork")
    out = context.Queue()
    child = context.Process(target=_load_in_child, args=(store, j.pw.pathway_id, out))
    child.start()
    child.join(60)
    assert child.exitcode == 0
    assert out.get(timeout=5) == version
    # The parent's held connection still works.
    assert store.load(j.pw.pathway_id) == (j.pw, version)


def test_a_dropped_held_connection_fails_one_read_and_the_next_reconnects(
        postgres_server: str) -> None:
    url, drop = fresh_postgres_database(postgres_server)
    store = Store(url)
    try:
        j = reach(S.REFERRED)
        store.add(j.pw)
        store.load(j.pw.pathway_id)  # the store now holds a connection for reads
        with store.engine.connect() as conn:  # …in autocommit: no transaction stays open
            states = conn.execute(sa.text(
                "SELECT state FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()")).scalars().all()
        assert states and "idle in transaction" not in states, states
        with store.engine.connect() as conn:  # the server ends every other session
            conn.execute(sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
        with pytest.raises(sa.exc.DBAPIError):
            store.load(j.pw.pathway_id)
        assert store.load(j.pw.pathway_id) == (j.pw, 1)
        assert store.version(j.pw.pathway_id) == 1
    finally:
        store.close()
        drop()


def test_the_held_sqlite_reader_keeps_no_snapshot_open(tmp_path: Any) -> None:
    """Between reads the held connection holds no read transaction, so the WAL can be reset."""
    import sqlite3

    path = tmp_path / "clinic.db"
    store = Store(f"sqlite:///{path}")
    try:
        j = reach(S.SUSTAINED_RELIEF)
        store.add(j.pw)
        for _ in range(3):
            store._kept.clear()  # every append reads through the held connection
            loaded, version = store.load(j.pw.pathway_id)
            follow_up = ev.FollowUpRecorded(at=loaded.log[-1].at, pain_score=2)
            store.append(j.pw.pathway_id, [follow_up], expected_version=version)
        assert store.version(j.pw.pathway_id) == len(j.pw.log) + 3
        other = sqlite3.connect(path)
        try:
            busy, _log_pages, _moved = other.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        finally:
            other.close()
        assert busy == 0
        assert (tmp_path / "clinic.db-wal").stat().st_size == 0
    finally:
        store.close()
