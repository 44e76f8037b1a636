"""The worklist is one indexed query, and it says exactly what `due()` says.

Property: for any set of stored pathways and any window, `Store.worklist`
equals the tasks `Pathway.due` gives over every loaded pathway, opening by
the window's end, in ``not_before`` order. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt

import pytest

pytest.importorskip("sqlalchemy")

import attrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import facetcare as fc
from facetcare import events as ev
from facetcare.store import Store, WorkItem
from facetcare.store import _schema as schema
from facetcare.testing import journeys
from journey import MEDICARE, SEED

POLICIES = (SEED, MEDICARE)
US = dt.timedelta(microseconds=1)


def wipe(store: Store) -> None:
    with store.engine.begin() as conn:
        for table in (schema.tasks, schema.events, schema.pathways):
            conn.execute(table.delete())


def renamed(events: tuple[ev.Event, ...], number: int, patient: int) -> list[ev.Event]:
    first, *rest = events
    assert isinstance(first, ev.Referred)
    return [attrs.evolve(first, pathway_id=f"pw-{number}", patient_id=f"pt-{patient}"), *rest]


@st.composite
def clinics(draw: st.DrawFn) -> list[tuple[fc.Policy, list[ev.Event]]]:
    """A few pathways, each a valid journey under its policy."""
    count = draw(st.integers(0, 5))
    found = []
    for number in range(count):
        policy = draw(st.sampled_from(POLICIES))
        events = draw(journeys(policy, max_steps=25))
        # One patient per pathway: shared patients' caps are test_store_caps' business.
        found.append((policy, renamed(events, number, number)))
    return found


def expected(pathways: list[fc.Pathway], start: dt.datetime,
             end: dt.datetime) -> list[WorkItem]:
    items = []
    for pw in pathways:
        for position, task in enumerate(pw.due(start)):
            if task.not_before <= end:
                items.append((task.not_before, pw.pathway_id, position,
                              WorkItem(pw.pathway_id, pw.patient_id, task)))
    return [item for *_, item in sorted(items, key=lambda i: i[:3])]


@pytest.mark.parametrize("appending", ["one-by-one", "in-one-batch"])
def test_worklist_equals_due_over_every_stored_pathway(store: Store, appending: str) -> None:
    @settings(max_examples=25, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture,
                                     HealthCheck.too_slow])
    @given(clinic=clinics(), data=st.data())
    def check(clinic: list[tuple[fc.Policy, list[ev.Event]]], data: st.DataObject) -> None:
        wipe(store)
        for policy, (referral, *rest) in clinic:
            assert isinstance(referral, ev.Referred)
            store.create(referral, policy=policy)
            if appending == "in-one-batch" and rest:
                store.append(referral.pathway_id, rest, expected_version=1)
            else:
                for event in rest:
                    store.apply(referral.pathway_id, event)
        loaded = [store.load(p.pathway_id)[0] for p in store.pathways()]
        assert loaded == [fc.Pathway.replay(events, policy=policy)
                          for policy, events in sorted(clinic, key=lambda c: c[1][0].pathway_id)]
        opening = sorted(t.not_before for pw in loaded for t in pw.due(pw.events[-1].at))
        end = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        if opening:  # near a task's opening time, both sides of the boundary
            end = data.draw(st.sampled_from(opening)) + data.draw(
                st.sampled_from([-US, dt.timedelta(0), US, dt.timedelta(days=3)]))
        start = end - data.draw(st.sampled_from([dt.timedelta(0), dt.timedelta(days=1)]))
        assert list(store.worklist(start, end)) == expected(loaded, start, end)

    check()


def test_the_worklist_query_uses_the_not_before_index(store: Store) -> None:
    from facetcare.store._worklist import query

    end = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)
    with store.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            compiled = query(end).compile(conn, compile_kwargs={"render_postcompile": True})
            plan = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}",
                                        tuple(compiled.params.values())).all()
            text = " ".join(str(row[-1]) for row in plan)
            assert "ix_facetcare_tasks_not_before" in text and "TEMP B-TREE" not in text
        else:
            # An empty table: a planner may pick anything; show the index serves filter and order.
            conn.exec_driver_sql("SET enable_seqscan = off")
            conn.exec_driver_sql("SET enable_bitmapscan = off")
            compiled = query(end).compile(conn)
            plan = conn.exec_driver_sql(f"EXPLAIN {compiled}", dict(compiled.params)).all()
            text = " ".join(row[0] for row in plan)
            assert "Index Scan using ix_facetcare_tasks_not_before" in text
            assert "Sort" not in text
