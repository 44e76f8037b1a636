"""Worker processes for the store's concurrency and fault tests (top-level, so they pickle).

Each worker opens its own `Store` on the shared database, as a separate
clerk or interface would, and reports what it did.
"""

from __future__ import annotations

import os
import signal
from typing import Any

from facetcare import events as ev
from facetcare.serialization import load_event


def clerk(url: str, worker: int, shared: list[str], shared_at: str, *, own_id: str,
          own_events: list[dict[str, Any]], rounds: int) -> dict[str, Any]:
    """Alternately append to the shared pathways (optimistic, retried) and walk its own.

    Shared appends are follow-ups in ``sustained_relief`` (the stage stays),
    scored with this worker's number so the parent can count them; every
    third is a batch of two, which must land whole or not at all. Between
    reading the version and appending, the clerk "thinks" for a moment, as
    a person at a desk does: that is when someone else writes first.
    """
    import datetime as dt
    import time

    from facetcare.store import Conflict, Store

    at = dt.datetime.fromisoformat(shared_at)
    store = Store(url)
    mine = [load_event(body) for body in own_events]
    appended: dict[str, int] = dict.fromkeys(shared, 0)
    conflicts = 0
    writes = 0
    try:
        for step in range(max(rounds, len(mine))):
            if step < rounds:
                target = shared[(worker + step) % len(shared)]
                size = 2 if step % 3 == 2 else 1
                batch = [ev.FollowUpRecorded(at=at, pain_score=worker) for _ in range(size)]
                while True:
                    version = store.version(target)
                    time.sleep(0.002)
                    try:
                        store.append(target, batch, expected_version=version)
                        break
                    except Conflict:
                        conflicts += 1
                appended[target] += size
                writes += 1
            if step < len(mine):
                store.apply(own_id, mine[step])
                writes += 1
    finally:
        store.close()
    return {"worker": worker, "appended": appended, "conflicts": conflicts, "writes": writes}


def killed_mid_append(url: str, pathway_id: str, bodies: list[dict[str, Any]],
                      version: int, statement: str) -> None:
    """Append ``bodies``; SIGKILL this process once ``statement`` ran in the transaction."""
    import sqlalchemy as sa

    from facetcare.store import Store

    store = Store(url)

    @sa.event.listens_for(store.engine, "after_cursor_execute")
    def die(_conn: Any, _cursor: Any, text: str, *_: Any) -> None:
        if text.lstrip().upper().startswith(statement):
            os.kill(os.getpid(), signal.SIGKILL)

    store.append(pathway_id, [load_event(body) for body in bodies], expected_version=version)
    raise AssertionError(f"the append finished: no {statement!r} statement ran")
