"""The store on SQLite (a WAL file) and PostgreSQL: create, load, append, apply, listings.

Each test runs on both databases through the ``store`` / ``store_url``
fixtures of `store_support`.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

pytest.importorskip("sqlalchemy")

import sqlalchemy as sa

import facetcare as fc
from facetcare import events as ev
from facetcare.store import Conflict, NotFound, SchemaMismatch, Store, StoredPathway, WorkItem
from facetcare.store import _schema as schema
from journey import DAY, HOUR, MEDICARE, SEED, T0, Journey, reach, referral

S = fc.Stage


def stored(store: Store, journey: Journey) -> fc.Pathway:
    """``journey``'s events written into ``store`` one append at a time."""
    first, *rest = journey.pw.events
    assert isinstance(first, ev.Referred)
    store.create(first, policy=journey.policy)
    version = 1
    for event in rest:
        version = store.append(first.pathway_id, [event], expected_version=version)
    return journey.pw


def rows(store: Store, table: sa.Table) -> list[tuple[object, ...]]:
    with store.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.select(table).order_by(*table.primary_key))]


def everything(store: Store) -> tuple[object, ...]:
    return tuple(tuple(rows(store, t)) for t in (schema.pathways, schema.events, schema.tasks))


def test_create_then_load_gives_the_same_pathway_at_version_one(store: Store) -> None:
    pw = store.create(referral(), policy=MEDICARE)
    loaded, version = store.load("pw-1")
    assert (loaded, version) == (pw, 1)
    assert loaded.stage == S.REFERRED and loaded.policy == MEDICARE
    assert store.pathways() == (StoredPathway("pw-1", "pt-1", fc.Region.LUMBAR, S.REFERRED, 1),)


def test_a_whole_journey_appended_step_by_step_keeps_stage_tasks_and_version(
    store: Store,
) -> None:
    j = reach(S.RECURRENCE, MEDICARE)
    stored(store, j)
    loaded, version = store.load("pw-1")
    assert loaded == j.pw and version == len(j.pw.events)
    assert store.pathways()[0].stage == S.RECURRENCE
    assert store.tasks("pw-1") == j.pw.due(j.now)
    assert store.version("pw-1") == version


def test_create_is_refused_like_pathway_start_and_writes_nothing(store: Store) -> None:
    with pytest.raises(fc.Rejected) as refused:
        store.create(referral(pain_months=None), policy=MEDICARE)
    assert refused.value.codes == ("entry_criteria",)
    assert store.pathways() == ()
    with pytest.raises(NotFound):
        store.load("pw-1")


def test_a_pathway_with_no_events_is_refused_like_an_empty_replay(store: Store) -> None:
    before = everything(store)
    with pytest.raises(fc.Rejected) as refused:
        store.add(fc.Pathway())
    with pytest.raises(fc.Rejected) as replayed:
        fc.Pathway.replay([])
    assert refused.value.codes == replayed.value.codes == ("invalid_transition",)
    assert "starts with Referred" in str(refused.value)
    assert everything(store) == before


def test_create_with_an_existing_id_is_a_conflict(store: Store) -> None:
    store.create(referral())
    before = everything(store)
    with pytest.raises(Conflict, match="already stored"):
        store.create(referral(at=T0 + DAY, patient_id="pt-2"))
    with pytest.raises(Conflict):
        store.add(fc.Pathway.start(referral()))
    assert everything(store) == before
    assert issubclass(Conflict, fc.PathwayError) and issubclass(NotFound, fc.PathwayError)


def test_unknown_ids_are_not_found(store: Store) -> None:
    with pytest.raises(NotFound, match="pw-404"):
        store.load("pw-404")
    with pytest.raises(NotFound):
        store.append("pw-404", [ev.Closed(at=T0, reason="x")], expected_version=1)
    with pytest.raises(NotFound):
        store.apply("pw-404", ev.Closed(at=T0, reason="x"))
    with pytest.raises(NotFound):
        store.version("pw-404")


def test_a_batch_with_a_refused_event_writes_nothing(store: Store) -> None:
    j = reach(S.BLOCK_SCHEDULED)
    stored(store, j)
    before = everything(store)
    check_in = ev.CheckedIn(at=j.visit_at, visit_id=j.visit_id, escort_present=True)
    wrong = ev.BlockPerformed(at=j.visit_at + HOUR, visit_id="someone-else",
                              targets=j.booked, baseline_pain=8)
    with pytest.raises(fc.Rejected) as refused:
        store.append("pw-1", [check_in, wrong], expected_version=2)
    assert refused.value.codes == ("unknown_visit",) and refused.value.index == 1
    assert everything(store) == before
    # The kept pathway was not left half-applied: the good event alone is accepted.
    assert store.append("pw-1", [check_in], expected_version=2) == 3
    assert store.load("pw-1")[0].stage == S.BLOCK_VISIT


def test_a_stale_expected_version_is_a_conflict_and_writes_nothing(store: Store) -> None:
    j = reach(S.REFERRED)
    stored(store, j)
    booking = j.booking(ev.BlockScheduled)
    assert store.append("pw-1", [booking], expected_version=1) == 2
    before = everything(store)
    closing = ev.Closed(at=T0 + DAY, reason="declined")
    with pytest.raises(Conflict, match="expected version 1, the store has 2"):
        store.append("pw-1", [closing], expected_version=1)
    with pytest.raises(Conflict):
        store.append("pw-1", [closing], expected_version=7)
    assert everything(store) == before


def test_two_stores_on_one_database_never_lose_an_update(store_url: str) -> None:
    first, second = Store(store_url), Store(store_url)
    try:
        first.create(referral())
        # Both read version 1; the second writes first; the first must not overwrite it.
        assert second.append("pw-1", [ev.Closed(at=T0 + DAY, reason="declined")],
                             expected_version=1) == 2
        with pytest.raises(Conflict):
            first.append("pw-1", [ev.Withdrawn(at=T0 + DAY, reason="moved")],
                         expected_version=1)
        # A store that wrote version 2 itself and then saw another write must also notice.
        second.create(referral(pathway_id="pw-2"))
        assert second.append("pw-2", [Journey().booking(ev.BlockScheduled)],
                             expected_version=1) == 2
        assert first.append("pw-2", [ev.Withdrawn(at=T0 + DAY, reason="moved")],
                            expected_version=2) == 3
        with pytest.raises(Conflict):
            second.append("pw-2", [ev.Closed(at=T0 + DAY, reason="x")], expected_version=2)
        assert first.load("pw-2")[0].stage == S.WITHDRAWN
    finally:
        first.close()
        second.close()


def test_apply_judges_again_after_someone_else_wrote(store_url: str) -> None:
    clerk, other = Store(store_url), Store(store_url)
    try:
        j = reach(S.BLOCK_SCHEDULED)
        stored(clerk, j)
        assert clerk.version("pw-1") == 2
        other.append("pw-1", [ev.VisitCancelled(at=j.now, visit_id=j.visit_id, reason="ill")],
                     expected_version=2)
        # The clerk's check-in is judged against the cancelled visit, not the stale one.
        with pytest.raises(fc.Rejected) as refused:
            clerk.apply("pw-1", ev.CheckedIn(at=j.visit_at, visit_id=j.visit_id,
                                             escort_present=True))
        assert "invalid_transition" in refused.value.codes
        assert clerk.apply("pw-1", ev.Closed(at=j.visit_at, reason="declined")) == S.CLOSED
    finally:
        clerk.close()
        other.close()


def test_documents_and_the_store_agree(store: Store) -> None:
    j = reach(S.SUSTAINED_RELIEF, MEDICARE)
    document = j.pw.to_json()
    assert store.add(fc.Pathway.from_json(document)) == len(j.pw.events)
    loaded, _ = store.load("pw-1")
    assert loaded == fc.Pathway.from_json(document)
    assert loaded.to_json() == document  # byte for byte: the same event bodies
    with store.engine.connect() as conn:
        bodies = conn.execute(sa.select(schema.events.c.body).order_by(schema.events.c.seq))
        assert [b for (b,) in bodies] == json.loads(document)["events"]


def test_times_in_any_offset_are_stored_as_instants(store: Store) -> None:
    sydney = dt.timezone(dt.timedelta(hours=11))
    j = Journey(at=T0.astimezone(sydney))
    j.book_block(visit_at=(T0 + 3 * DAY).astimezone(sydney), escort_confirmed=False)
    stored(store, j)
    (item,) = store.worklist(T0, T0 + DAY)
    assert item.task == j.pw.due(j.now)[0]
    assert item.task.due_by == T0 + 3 * DAY and item.task.due_by.utcoffset() == dt.timedelta(0)


def test_worklist_includes_overdue_and_excludes_later_tasks_in_order(store: Store) -> None:
    booked = reach(S.BLOCK_SCHEDULED)  # escort confirmed: only the visit's outcome to record
    stored(store, booked)
    unconfirmed = Journey(at=T0 + HOUR, pathway_id="pw-2", patient_id="pt-2")
    unconfirmed.book_block(escort_confirmed=False)
    stored(store, unconfirmed)
    later = Journey(at=T0 + 10 * DAY, pathway_id="pw-3", patient_id="pt-3")
    stored(store, later)
    day = T0 + 14 * DAY + 2 * HOUR  # the visits are at T0 + 14 d, 09:00 and 10:00
    items = store.worklist(day, day)
    assert [(i.pathway_id, i.task.kind) for i in items] == [
        ("pw-2", "confirm_escort"),  # opened on T0, overdue since 10:00
        ("pw-3", "schedule_block"),  # opened on T0 + 10 d, still open
        ("pw-1", "record_visit_outcome"),
        ("pw-2", "record_visit_outcome"),
    ]
    assert [i.overdue(day) for i in items] == [True, False, False, False]
    # Opening after the end of the window: left out; the order is by opening time.
    assert [i.task.kind for i in store.worklist(T0, T0 + 2 * HOUR)] == ["confirm_escort"]
    assert items[0] == WorkItem("pw-2", "pt-2", unconfirmed.pw.due(T0)[0])


def test_worklist_and_listings_refuse_bad_input(store: Store) -> None:
    with pytest.raises(ValueError, match="naive"):
        store.worklist(dt.datetime(2026, 3, 2), T0)  # naive: the point of the test
    with pytest.raises(ValueError, match="before start"):
        store.worklist(T0, T0 - DAY)
    with pytest.raises(TypeError):
        store.load(42)  # type: ignore[arg-type]
    store.create(referral())
    with pytest.raises(ValueError, match="expected_version"):
        store.append("pw-1", [ev.Closed(at=T0, reason="x")], expected_version=0)
    with pytest.raises(ValueError, match="at least one"):
        store.append("pw-1", [], expected_version=1)
    with pytest.raises(TypeError, match="patient_id must be a str"):
        store.pathways(patient_id=42)  # type: ignore[arg-type]
    for attempts in (0, -1, True, 2.5):
        with pytest.raises(ValueError, match="attempts"):
            store.apply("pw-1", ev.Closed(at=T0, reason="x"), attempts=attempts)  # type: ignore[arg-type]
    assert store.load("pw-1")[1] == 1  # nothing was written


def test_an_unknown_id_is_not_found_everywhere_and_said_briefly(store: Store) -> None:
    store.create(referral())
    long_id = "x" * 100_000
    for read in (store.load, store.version, store.tasks):
        with pytest.raises(NotFound) as missing:
            read(long_id)
        assert missing.value.pathway_id == long_id
        assert len(str(missing.value)) < 200
    with pytest.raises(Conflict) as stale:
        store.append("pw-1", [ev.Closed(at=T0, reason="x")], expected_version=2)
    assert "'pw-1'" in str(stale.value)


def test_pathways_lists_a_patients_pathways(store: Store) -> None:
    store.create(referral())
    store.create(referral(pathway_id="pw-2", region=fc.Region.CERVICAL))
    store.create(referral(pathway_id="pw-3", patient_id="pt-9"))
    assert [p.pathway_id for p in store.pathways(patient_id="pt-1")] == ["pw-1", "pw-2"]
    assert [p.pathway_id for p in store.pathways(patient_id="pt-1", region="lumbar")] == ["pw-1"]
    assert len(store.pathways()) == 3


def test_an_event_resent_with_its_event_id_is_stored_once(store: Store) -> None:
    store.create(referral())
    closing = ev.Closed(at=T0 + DAY, reason="declined", event_id="desk-1",
                        recorded_at=T0 + DAY, recorded_by="clerk-7")
    assert store.append("pw-1", [closing], expected_version=1) == 2
    assert store.apply("pw-1", closing) == S.CLOSED  # re-sent: a no-op
    assert store.append("pw-1", [closing], expected_version=2) == 2
    assert store.version("pw-1") == 2 and len(rows(store, schema.events)) == 2
    with store.engine.connect() as conn:
        stored_row = conn.execute(sa.select(schema.events).where(schema.events.c.seq == 1)).one()
    assert (stored_row.event_id, stored_row.recorded_at, stored_row.recorded_by) == (
        "desk-1", T0 + DAY, "clerk-7")
    before = everything(store)
    other = ev.Withdrawn(at=T0 + DAY, reason="moved", event_id="desk-1")
    with pytest.raises(fc.Rejected) as refused:
        store.apply("pw-1", other)
    assert refused.value.codes == ("duplicate_event_id",)
    assert everything(store) == before


def test_corrections_go_through_the_store_and_keep_the_log(store: Store) -> None:
    j = reach(S.BLOCK_SCHEDULED)
    stored(store, j)
    missed = ev.VisitMissed(at=j.visit_at + HOUR, visit_id=j.visit_id)
    assert store.apply("pw-1", missed) == S.REFERRED
    # The clerk clicked the wrong row: the visit was not missed.
    wrong = ev.EnteredInError(at=j.visit_at + 2 * HOUR, seq=2, reason="wrong row")
    check_in = ev.CheckedIn(at=j.visit_at + 2 * HOUR, visit_id=j.visit_id, escort_present=True)
    assert store.append("pw-1", [wrong, check_in], expected_version=3) == 5
    loaded, version = store.load("pw-1")
    assert version == len(loaded.log) == 5 and loaded.stage == S.BLOCK_VISIT
    assert missed in loaded.log and missed not in loaded.events
    assert store.tasks("pw-1") == loaded.due(loaded.log[-1].at)
    # A correction that the rules refuse writes nothing (the check-in stands on it).
    before = everything(store)
    with pytest.raises(fc.Rejected):
        store.append("pw-1", [ev.EnteredInError(at=j.visit_at + 3 * HOUR, seq=1,
                                                reason="no booking")], expected_version=5)
    assert everything(store) == before


def test_seed_policy_is_the_default_and_policies_are_kept_per_pathway(store: Store) -> None:
    store.create(referral())
    store.create(referral(pathway_id="pw-2"), policy=MEDICARE)
    assert store.load("pw-1")[0].policy == SEED
    assert store.load("pw-2")[0].policy == MEDICARE


def test_a_newer_schema_is_refused(store_url: str) -> None:
    Store(store_url).close()
    engine = sa.create_engine(store_url)
    with engine.begin() as conn:
        conn.execute(schema.schema.update().values(version=schema.VERSION + 1))
    engine.dispose()
    with pytest.raises(SchemaMismatch, match="newer"):
        Store(store_url)


def test_sqlite_files_run_in_wal_mode(tmp_path: object) -> None:
    store = Store(f"sqlite:///{tmp_path}/wal.db")
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
    store.close()


def test_the_in_memory_store_works_across_threads() -> None:
    from concurrent.futures import ThreadPoolExecutor

    store = Store()
    store.create(referral())
    with ThreadPoolExecutor(2) as pool:
        assert list(pool.map(lambda _: store.load("pw-1")[1], range(4))) == [1, 1, 1, 1]


def test_a_missing_postgresql_skips_here_and_fails_under_ci(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from store_support import unavailable

    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="PostgreSQL: no initdb"):
        unavailable("PostgreSQL: no initdb")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        unavailable("PostgreSQL: no initdb")
