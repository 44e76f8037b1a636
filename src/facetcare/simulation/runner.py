"""Running a cohort: chunks of patient indices, on any executor, streamed in order.

A chunk is a range of patient indices plus everything needed to simulate
it (seed, params, policy, start, horizon): frozen attrs values that pickle
across processes, so the work functions here are plain top-level functions
any ``concurrent.futures.Executor`` (threads, processes) or a
``dask.distributed.Client`` (its ``submit`` is the same shape) can run.
Pickle is only the executor's transport, never a file format.

Because every patient draws from its own streams (`facetcare.simulation.draws`),
a journey does not depend on its chunk, and results are collected in chunk
order: outputs are identical for every executor, worker count and chunk
size.

What comes back from a worker decides how well a run scales. `summarize`
gets a small `Summary` per chunk and `write_cohort` gets text, so both scale
near-linearly with processes (1.9x on 2 workers, measured). `simulate` must
rebuild every event object in the calling process (unpickling costs about
half of what generating a journey does), so with processes it gains little
on a small machine; use it when the objects themselves are wanted.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any, Protocol, TypeVar

import attrs

from facetcare.policy import Policy
from facetcare.simulation.cohort import Cohort
from facetcare.simulation.export import (
    Target,
    csv_header,
    csv_text,
    jsonl_text,
    opened_for_writing,
)
from facetcare.simulation.facts import SlotCache, facts_of
from facetcare.simulation.journey import Journey, simulate_patient
from facetcare.simulation.params import CohortParams
from facetcare.simulation.plan import Plan
from facetcare.simulation.summary import Summary, Tally

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "DEFAULT_HORIZON",
    "DEFAULT_START",
    "Chunk",
    "Submitter",
    "simulate",
    "summarize",
    "write_cohort",
]

#: A fixed Monday morning: simulations never read the clock (DESIGN principle 1).
DEFAULT_START = dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.UTC)
DEFAULT_HORIZON = dt.timedelta(days=3 * 365)
#: Patients per chunk: about 1 s of work on one core (~2,900 journeys/s measured), enough
#: for a process pool to scale near-linearly (perf-baseline.md §3) while a 20,000-patient
#: run still makes 8 chunks to balance across workers.
DEFAULT_CHUNK_SIZE = 2500
#: Chunks submitted ahead of the one being collected; bounds memory for huge cohorts.
IN_FLIGHT = 16

T = TypeVar("T")


class Submitter(Protocol):
    """What `simulate` needs of an executor: ``submit(fn, arg)`` returning a future.

    ``concurrent.futures.Executor`` and ``dask.distributed.Client`` both fit.
    """

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any: ...


@attrs.frozen
class Chunk:
    """Patients ``start_index`` to ``stop_index - 1`` of one run; shipped to workers."""

    seed: int
    start_index: int
    stop_index: int
    params: CohortParams
    policy: Policy
    start: dt.datetime
    horizon: dt.timedelta

    @property
    def size(self) -> int:
        return self.stop_index - self.start_index

    def journeys(self) -> Iterator[Journey]:
        plan = Plan(self.params, self.policy)
        for index in range(self.start_index, self.stop_index):
            yield simulate_patient(index, seed=self.seed, params=self.params, policy=self.policy,
                                   start=self.start, horizon=self.horizon, plan=plan)


def simulate_chunk(chunk: Chunk) -> tuple[Journey, ...]:
    """Worker function: the chunk's journeys."""
    return tuple(chunk.journeys())


def summarize_chunk(chunk: Chunk) -> Summary:
    """Worker function: the chunk's summary; its journeys never leave the worker."""
    tally = Tally()
    slots = SlotCache(chunk.policy)
    end = chunk.start + chunk.horizon
    for journey in chunk.journeys():
        tally.add(facts_of(journey, chunk.policy, end, slots))
    return tally.summary()


def export_chunk(chunk: Chunk, *, jsonl: bool, csv: bool) -> tuple[str, str, Summary]:
    """Worker function: the chunk's JSON Lines and CSV rows as text, and its summary."""
    tally = Tally()
    slots = SlotCache(chunk.policy)
    end = chunk.start + chunk.horizon
    journeys = tuple(chunk.journeys())
    facts = [facts_of(journey, chunk.policy, end, slots) for journey in journeys]
    for item in facts:
        tally.add(item)
    return (jsonl_text(journeys) if jsonl else "", csv_text(facts) if csv else "",
            tally.summary())


def _chunks(
    n: int,
    seed: int,
    *,
    params: CohortParams | None,
    policy: Policy | None,
    chunk_size: int | None,
    horizon: dt.timedelta,
    start: dt.datetime,
) -> list[Chunk]:
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"n must be a non-negative int, got {n!r}")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int, got {seed!r}")
    params = CohortParams.lumbar() if params is None else params
    if not isinstance(params, CohortParams):
        raise TypeError(f"params must be CohortParams, got {type(params).__name__}")
    policy = Policy.seed() if policy is None else policy
    if not isinstance(policy, Policy):
        raise TypeError(f"policy must be a facetcare.Policy, got {type(policy).__name__}")
    size = DEFAULT_CHUNK_SIZE if chunk_size is None else chunk_size
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise ValueError(f"chunk_size must be a positive int, got {chunk_size!r}")
    if not isinstance(horizon, dt.timedelta) or horizon < dt.timedelta(0):
        raise ValueError(f"horizon must be a non-negative timedelta, got {horizon!r}")
    if not isinstance(start, dt.datetime) or start.utcoffset() is None:
        raise ValueError(f"start must be a timezone-aware datetime, got {start!r}")
    return [
        Chunk(seed, lo, min(lo + size, n), params, policy, start, horizon)
        for lo in range(0, n, size)
    ]


def _run(
    work: Callable[[Chunk], T],
    chunks: list[Chunk],
    executor: Submitter | None,
    progress: Callable[[int], None] | None,
) -> Iterator[T]:
    """Each chunk's result, in chunk order; ``progress(size)`` as each is collected."""
    if executor is None:
        for chunk in chunks:
            done = work(chunk)
            if progress is not None:
                progress(chunk.size)
            yield done
        return
    if not callable(getattr(executor, "submit", None)):
        raise TypeError("executor must have a submit(fn, *args) method returning a future "
                        "(concurrent.futures.Executor, dask.distributed.Client)")
    pending: deque[tuple[Chunk, Any]] = deque()
    waiting = iter(chunks)
    for chunk in waiting:
        pending.append((chunk, executor.submit(work, chunk)))
        if len(pending) >= IN_FLIGHT:
            break
    while pending:
        chunk, future = pending.popleft()
        result: T = future.result()
        following = next(waiting, None)
        if following is not None:
            pending.append((following, executor.submit(work, following)))
        if progress is not None:
            progress(chunk.size)
        yield result


def simulate(
    n: int,
    seed: int,
    *,
    params: CohortParams | None = None,
    policy: Policy | None = None,
    executor: Submitter | None = None,
    chunk_size: int | None = None,
    horizon: dt.timedelta = DEFAULT_HORIZON,
    start: dt.datetime = DEFAULT_START,
    progress: Callable[[int], None] | None = None,
) -> Cohort:
    """Simulate ``n`` patients referred at ``start`` and followed for ``horizon``.

    ``params`` defaults to `CohortParams.lumbar`, ``policy`` to `Policy.seed`.
    ``executor=None`` runs in this process; any executor with ``submit``
    runs chunks of ``chunk_size`` patients in parallel. ``progress`` is
    called in this process with the number of journeys in each finished
    chunk. The same arguments give the same cohort, whatever the executor.
    """
    chunks = _chunks(n, seed, params=params, policy=policy, chunk_size=chunk_size,
                     horizon=horizon, start=start)
    journeys: list[Journey] = []
    for part in _run(simulate_chunk, chunks, executor, progress):
        journeys.extend(part)
    return Cohort(
        tuple(journeys),
        seed,
        CohortParams.lumbar() if params is None else params,
        Policy.seed() if policy is None else policy,
        start,
        horizon,
    )


def summarize(
    n: int,
    seed: int,
    *,
    params: CohortParams | None = None,
    policy: Policy | None = None,
    executor: Submitter | None = None,
    chunk_size: int | None = None,
    horizon: dt.timedelta = DEFAULT_HORIZON,
    start: dt.datetime = DEFAULT_START,
    progress: Callable[[int], None] | None = None,
) -> Summary:
    """``simulate(...).summary()`` without holding the journeys: for millions of patients.

    Workers return chunk summaries, merged here in chunk order; the result
    equals the cohort's summary exactly.
    """
    chunks = _chunks(n, seed, params=params, policy=policy, chunk_size=chunk_size,
                     horizon=horizon, start=start)
    total = Summary()
    for part in _run(summarize_chunk, chunks, executor, progress):
        total = total.merge(part)
    return total


def write_cohort(
    n: int,
    seed: int,
    *,
    jsonl: Target | None = None,
    csv: Target | None = None,
    params: CohortParams | None = None,
    policy: Policy | None = None,
    executor: Submitter | None = None,
    chunk_size: int | None = None,
    horizon: dt.timedelta = DEFAULT_HORIZON,
    start: dt.datetime = DEFAULT_START,
    progress: Callable[[int], None] | None = None,
) -> Summary:
    """Simulate and write the files without holding the journeys; returns the summary.

    The files are byte-identical to ``simulate(...).to_jsonl()`` /
    ``.to_csv()``. Workers send back text rather than event objects, so
    this is the path that scales with workers when the events are wanted
    on disk (`simulate` must rebuild every event object in this process).
    """
    chunks = _chunks(n, seed, params=params, policy=policy, chunk_size=chunk_size,
                     horizon=horizon, start=start)
    work = functools.partial(export_chunk, jsonl=jsonl is not None, csv=csv is not None)
    total = Summary()
    with ExitStack() as stack:
        jsonl_file = stack.enter_context(opened_for_writing(jsonl))
        csv_file = stack.enter_context(opened_for_writing(csv))
        if csv_file is not None:
            csv_file.write(csv_header())
        for lines, rows, summary in _run(work, chunks, executor, progress):
            if jsonl_file is not None:
                jsonl_file.write(lines)
            if csv_file is not None:
                csv_file.write(rows)
            total = total.merge(summary)
    return total
