"""Concurrency and faults, on SQLite (a WAL file) and PostgreSQL, with real processes.

Eight worker processes, each with its own `Store`, append at once to two
shared pathways (optimistic: read the version, append, retry on `Conflict`)
and walk a pathway of their own through a simulated journey. Afterwards no
event is lost or duplicated, the counts add up, and every pathway replays
to its stored stage and tasks. A writer killed with SIGKILL in the middle
of an append leaves nothing of its batch.
"""

from __future__ import annotations

import multiprocessing
from collections import Counter
from concurrent.futures import ProcessPoolExecutor

import pytest

pytest.importorskip("sqlalchemy")

import facetcare as fc
from facetcare import events as ev
from facetcare.serialization import dump_event
from facetcare.simulation import simulate
from facetcare.store import Store
from journey import DAY, MEDICARE, Journey, reach
from store_workers import clerk, killed_mid_append

WORKERS = 8
ROUNDS = 12
SHARED = ("pw-shared-a", "pw-shared-b")


def _sustained(pathway_id: str) -> Journey:
    j = Journey(pathway_id=pathway_id, patient_id=f"pt-{pathway_id}")
    return j.positive_blocks().neurotomy().follow_up(2)


def _put(store: Store, journey_events: tuple[ev.Event, ...], policy: fc.Policy) -> None:
    first, *rest = journey_events
    assert isinstance(first, ev.Referred)
    store.create(first, policy=policy)
    if rest:
        store.append(first.pathway_id, rest, expected_version=1)


def test_eight_processes_lose_nothing_and_duplicate_nothing(
    store: Store, store_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    shared = {pid: _sustained(pid) for pid in SHARED}
    for journey in shared.values():
        _put(store, journey.pw.events, journey.policy)
    at = max(j.now for j in shared.values()) + DAY
    cohort = simulate(WORKERS, seed=11, policy=MEDICARE)
    own = {}
    for worker, journey in enumerate(cohort.journeys):
        referral, *rest = journey.events
        assert isinstance(referral, ev.Referred)
        own[worker] = (referral.pathway_id, [dump_event(e) for e in rest], journey)
        store.create(referral, policy=MEDICARE)

    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(WORKERS, mp_context=context) as pool:
        futures = [pool.submit(clerk, store_url, w, list(SHARED), at.isoformat(),
                               own_id=own[w][0], own_events=own[w][1], rounds=ROUNDS)
                   for w in range(WORKERS)]
        reports = [f.result(timeout=300) for f in futures]

    conflicts = sum(r["conflicts"] for r in reports)
    writes = sum(r["writes"] for r in reports)
    for pathway_id, journey in shared.items():
        loaded, version = store.load(pathway_id)
        scores = Counter(e.pain_score for e in loaded.events[len(journey.pw.events):]
                         if isinstance(e, ev.FollowUpRecorded))
        wanted = {r["worker"]: r["appended"][pathway_id] for r in reports}
        assert dict(scores) == {w: n for w, n in wanted.items() if n}
        assert version == len(journey.pw.events) + sum(wanted.values())
    for pathway_id, _, journey in own.values():
        loaded, version = store.load(pathway_id)
        assert loaded.events == journey.events and version == len(journey.events)
        assert loaded.stage == journey.stage
    for listed in store.pathways():
        loaded, version = store.load(listed.pathway_id)
        assert (listed.stage, listed.version) == (loaded.stage, version)
        assert store.tasks(listed.pathway_id) == loaded.due(loaded.events[-1].at)
    expected_shared = sum(sum(r["appended"].values()) for r in reports)
    assert expected_shared == WORKERS * sum(2 if s % 3 == 2 else 1 for s in range(ROUNDS))
    with capsys.disabled():
        print(f"\n[{store.engine.dialect.name}] {WORKERS} processes, {writes} appends "
              f"({expected_shared} shared events, {sum(len(o[1]) for o in own.values())} own), "
              f"{conflicts} conflicts retried, lost 0, duplicated 0")
    assert conflicts > 0, "the shared pathways should have been contended"


@pytest.mark.parametrize("statement", ["INSERT INTO FACETCARE_EVENTS",
                                       "DELETE FROM FACETCARE_TASKS",
                                       "INSERT INTO FACETCARE_TASKS"])
def test_a_writer_killed_mid_append_leaves_no_partial_batch(
    store: Store, store_url: str, statement: str
) -> None:
    j = reach(fc.Stage.BLOCK_SCHEDULED)
    _put(store, j.pw.events, j.policy)
    version = store.version("pw-1")
    before = (store.load("pw-1"), store.tasks("pw-1"), store.pathways())
    check_in = ev.CheckedIn(at=j.visit_at, visit_id=j.visit_id, escort_present=True)
    performed = ev.BlockPerformed(at=j.visit_at + DAY / 24, visit_id=j.visit_id,
                                  targets=j.booked, baseline_pain=8)
    bodies = [dump_event(check_in), dump_event(performed)]
    child = multiprocessing.get_context("spawn").Process(
        target=killed_mid_append, args=(store_url, "pw-1", bodies, version, statement))
    child.start()
    child.join(120)
    assert child.exitcode == -9  # SIGKILL, inside the transaction
    after = Store(store_url)
    try:
        assert (after.load("pw-1"), after.tasks("pw-1"), after.pathways()) == before
        # The lock died with the writer: the same batch goes in whole, once.
        assert after.append("pw-1", [check_in, performed], expected_version=version) == version + 2
        assert after.load("pw-1")[0].stage == fc.Stage.BLOCK_OBSERVATION
    finally:
        after.close()
