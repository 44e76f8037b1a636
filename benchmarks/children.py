"""Measurements that need a fresh process: creation at scale, memory, simulation.

`spawn(name, **params)` runs ``benchmarks/run.py --child name JSON`` and
returns the JSON the child prints on its last line. Each child function
takes keyword parameters and returns a JSON-ready dict.
"""

from __future__ import annotations

import gc
import json
import os
import statistics
import subprocess
import sys
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from time import perf_counter
from typing import Any

from benchmarks.journeys import referral, seed_journey
from facetcare import Pathway

RUN = Path(__file__).with_name("run.py")


def spawn(name: str, timeout: float = 3600, **params: Any) -> dict[str, Any]:
    """Run one child measurement in a fresh interpreter; its result as a dict."""
    done = subprocess.run(
        [sys.executable, str(RUN), "--child", name, json.dumps(params)],
        capture_output=True, text=True, timeout=timeout, check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"child {name} failed:\n{done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _rss() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


# -- creation cost with N live pathways -------------------------------------------


def _batch(size: int, rounds: int, offset: int) -> list[float]:
    """Seconds per `Pathway.start` over ``rounds`` batches, each kept until the next."""
    referrals = [referral(offset + i) for i in range(size)]
    out = []
    for _ in range(rounds):
        start = Pathway.start
        t0 = perf_counter()
        batch = [start(r) for r in referrals]
        out.append((perf_counter() - t0) / size)
        del batch
    return out


def create(small: int, large: int, batch: int, rounds: int) -> dict[str, Any]:
    """Cost of `Pathway.start` (default policy) with ``small``, then ``large`` pathways live.

    Marginal (the target): median over ``rounds`` of creating ``batch`` more
    (kept while timed, then dropped) with ``small`` and then ``large`` live.
    Build: creating the first ``small``, then the rest up to ``large``, per
    pathway, with every collection of the cyclic GC that growth triggers.
    The referrals are made untimed (the caller owns its events).
    """
    _batch(batch, 2, 0)  # warm-up
    referrals = [referral(i) for i in range(large)]
    gc.collect()
    start = Pathway.start
    t0 = perf_counter()
    live = [start(r) for r in referrals[:small]]
    build_small = (perf_counter() - t0) / small
    at_small = _batch(batch, rounds, large)
    t0 = perf_counter()
    live.extend(start(r) for r in referrals[small:])
    build_large = (perf_counter() - t0) / (large - small)
    at_large = _batch(batch, rounds, large)
    assert len(live) == large
    return {"small": small, "large": large, "batch": batch, "rounds": rounds,
            "at_small_s": at_small, "at_large_s": at_large,
            "build_small_per_s": build_small, "build_large_per_s": build_large,
            "ratio": statistics.median(at_large) / statistics.median(at_small)}


# -- memory per live pathway ----------------------------------------------------------


def memory(n: int, journey_n: int) -> dict[str, Any]:
    """Bytes retained per pathway (tracemalloc), excluding and including its events.

    ``started``: `Pathway.start` on distinct referrals made before tracing.
    ``with_referral``: the same, the referral made while tracing (its cost
    included). ``seed_journey``: pathways that applied the whole seed
    journey (13 events, shared and made before tracing).
    """
    Pathway.start(referral(-1))
    referrals = [referral(i) for i in range(n)]
    journey = seed_journey()
    Pathway.replay(journey)
    out: dict[str, Any] = {"n": n}

    gc.collect()
    tracemalloc.start()
    base, rss = tracemalloc.get_traced_memory()[0], _rss()
    kept = [Pathway.start(r) for r in referrals]
    gc.collect()
    out["started"] = (tracemalloc.get_traced_memory()[0] - base) / n
    out["started_rss"] = (_rss() - rss) / n
    del kept
    gc.collect()

    base = tracemalloc.get_traced_memory()[0]
    kept = [Pathway.start(referral(n + i)) for i in range(n)]
    gc.collect()
    out["with_referral"] = (tracemalloc.get_traced_memory()[0] - base) / n
    del kept
    gc.collect()

    base = tracemalloc.get_traced_memory()[0]
    kept = [Pathway.replay(journey) for _ in range(journey_n)]
    gc.collect()
    out["seed_journey"] = (tracemalloc.get_traced_memory()[0] - base) / journey_n
    out["seed_journey_events"] = len(journey)
    assert len(kept) == journey_n
    tracemalloc.stop()
    return out


def _sim_memory(n: int, workers: int, chunk: int | None) -> dict[str, Any]:
    from benchmarks.simulation import sim_memory

    return sim_memory(n, workers, chunk)


def _sim_speedup(chunk: int, worker_seconds: float, pilot: int, rounds: int) -> dict[str, Any]:
    from benchmarks.simulation import sim_speedup

    return sim_speedup(chunk, worker_seconds, pilot, rounds)


CHILDREN: dict[str, Callable[..., dict[str, Any]]] = {
    "create": create,
    "memory": memory,
    "sim_memory": _sim_memory,
    "sim_speedup": _sim_speedup,
}
