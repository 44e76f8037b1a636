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
near-linearly with processes (1.9x on 2 workers, measured). `simulate` gets
journeys packed as plain values (`facetcare.simulation.transport`: packing
costs a worker about a tenth of simulating, against a third to pickle the
event objects), and the calling process rebuilds a journey's events only
when they are first read; a process pool gives it about 1.7x on 2 workers
(measured). On threads, or in this process, journeys are kept as built.

Hence the defaults. Given no executor, `summarize` and `write_cohort` run a
large cohort (`AUTOMATIC_MIN_PATIENTS` or more, on a machine with more than
one core) on a process pool of their own, one process per core, and a
small one in this process, where starting processes would cost more than
it saves; ``workers=1`` keeps any run in this process and ``workers=K``
asks for K processes. `simulate` stays in this process unless ``workers``
says otherwise. The pool's processes are started by "forkserver" where the
platform has it, else "spawn", never "fork": a fork copies the caller's
threads' locks mid-use (a progress bar, a web server), and neither start
method runs the caller's code in a worker beyond importing its main module,
so a script that simulates at import time needs the usual ``if __name__ ==
"__main__":`` guard, or ``workers=1``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import ExitStack
from typing import Any, Protocol, TypeVar

from facetcare.policy import Policy
from facetcare.simulation._pool import context, leave_interrupts_to_the_parent
from facetcare.simulation.arguments import (
    check_count,
    check_progress,
    check_times,
)
from facetcare.simulation.chunks import (
    Chunk,
    Chunks,
    export_chunk,
    pack_chunk,
    simulate_chunk,
    summarize_chunk,
)
from facetcare.simulation.cohort import Cohort
from facetcare.simulation.export import Target, csv_header, staged
from facetcare.simulation.journey import Journey
from facetcare.simulation.params import CohortParams
from facetcare.simulation.summary import Summary
from facetcare.simulation.transport import unpacked

__all__ = [
    "AUTOMATIC_MIN_PATIENTS",
    "DEFAULT_CHUNK_SIZE",
    "DEFAULT_HORIZON",
    "DEFAULT_START",
    "Chunk",
    "Submitter",
    "processes",
    "simulate",
    "summarize",
    "write_cohort",
]

#: A fixed Monday morning: simulations never read the clock (docs/index.md#time-is-data).
DEFAULT_START = dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.UTC)
DEFAULT_HORIZON = dt.timedelta(days=3 * 365)
#: Patients per chunk: about 1 s of work on one core (~2,900 journeys/s measured), enough
#: for a process pool to scale near-linearly (docs/simulation.md#speed) while a 20,000-patient
#: run still makes 8 chunks to balance across workers.
DEFAULT_CHUNK_SIZE = 2500
#: Chunks submitted ahead of the one being collected; bounds memory for huge cohorts.
IN_FLIGHT = 16
#: Fewest patients for which `summarize` and `write_cohort` start a process pool of
#: their own: 4 default chunks, a few seconds of work on one core, far more than the
#: pool's start-up, and enough chunks to keep 2 workers evenly busy.
AUTOMATIC_MIN_PATIENTS = 4 * DEFAULT_CHUNK_SIZE

T = TypeVar("T")


class Submitter(Protocol):
    """What `simulate` needs of an executor: ``submit(fn, arg)`` returning a future.

    ``concurrent.futures.Executor`` and ``dask.distributed.Client`` both fit.
    """

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any: ...


def _chunks(
    n: int,
    seed: int,
    *,
    params: CohortParams | None,
    policy: Policy | None,
    chunk_size: int | None,
    horizon: dt.timedelta,
    start: dt.datetime,
    executor: Submitter | None = None,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> tuple[Chunks, CohortParams, Policy]:
    """The run's chunks, and its params and policy with the defaults filled in.

    Every argument is checked here (`facetcare.simulation.arguments`), before any work.
    """
    check_count("n", n, positive=False)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int, got {seed!r}")
    params = CohortParams.lumbar() if params is None else params
    if not isinstance(params, CohortParams):
        raise TypeError(f"params must be CohortParams, got {type(params).__name__}")
    policy = Policy.seed() if policy is None else policy
    if not isinstance(policy, Policy):
        raise TypeError(f"policy must be a facetcare.Policy, got {type(policy).__name__}")
    _covers(policy, params)
    check_count("chunk_size", chunk_size, positive=True, optional=True)
    size = DEFAULT_CHUNK_SIZE if chunk_size is None else chunk_size
    check_times(start, horizon)
    check_count("workers", workers, positive=True, optional=True)
    if workers is not None and executor is not None:
        raise ValueError("pass an executor or workers, not both: the executor "
                         "already decides where the chunks run")
    check_progress(progress)
    return Chunks(seed, n, size, params, policy, start, horizon), params, policy


def _covers(policy: Policy, params: CohortParams) -> None:
    """A policy for one region judges no other region's cohort (rules.md#region-not-covered)."""
    if policy.covers(params.region):
        return
    others = [p.name for p in Policy.profiles().values()
              if p.regions is not None and p.covers(params.region)]
    hint = f"; for a {params.region} cohort use {' or '.join(others)}" if others else ""
    raise ValueError(f"{policy.name} covers the {', '.join(map(str, policy.regions or ()))} region "
                     f"only, not a {params.region} cohort{hint}")


def _cores() -> int:
    """Cores this process may run on (its CPU affinity where the platform tells it)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def processes(workers: int | None, n: int, chunks: int, *, automatic: bool = True,
              cores: int | None = None) -> int:
    """How many processes run ``n`` patients in ``chunks`` chunks; 1 means this process.

    ``workers`` is what the caller asked for: ``K`` gives K processes (no
    more than there are chunks: a process with no chunk would only cost its
    start-up); ``None`` leaves it to the run: with ``automatic``, one
    process per core when ``n`` is at least `AUTOMATIC_MIN_PATIENTS` and
    there is more than one core, else 1. A daemonic process (a
    ``multiprocessing.Pool`` or dask worker) may not start processes, so
    there the automatic choice is 1 too. ``cores`` defaults to the cores
    this process may run on.
    """
    if workers is None:
        if not automatic or n < AUTOMATIC_MIN_PATIENTS:
            return 1
        if multiprocessing.current_process().daemon:
            return 1
        workers = _cores() if cores is None else cores
    return max(1, min(workers, chunks))


@contextlib.contextmanager
def _executor(
    executor: Submitter | None, workers: int | None, chunks: Sequence[Chunk], *, automatic: bool
) -> Iterator[Submitter | None]:
    """The caller's executor, or a process pool of the run's own, or None (this process).

    The pool lives for one run and is shut down however the run ends; chunks
    not yet started are cancelled rather than waited for. A worker that dies
    is reported with the two usual causes, as the pool's own message names
    neither.
    """
    if executor is not None:
        yield executor
        return
    n = chunks[-1].stop_index if chunks else 0
    count = processes(workers, n, len(chunks), automatic=automatic)
    if count <= 1:
        yield None
        return
    pool = ProcessPoolExecutor(max_workers=count, mp_context=context(),
                               initializer=leave_interrupts_to_the_parent)
    try:
        yield pool
    except BrokenProcessPool as broken:
        raise BrokenProcessPool(
            f"a worker process of this run's pool ({count} processes) died: in a script, "
            'simulate under `if __name__ == "__main__":` (each worker imports the main '
            "module, which must not start the run again); out of memory, use fewer "
            "workers or a smaller chunk_size; workers=1 runs in this process"
        ) from broken
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _run(
    work: Callable[[Chunk], T],
    chunks: Sequence[Chunk],
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
    workers: int | None = None,
    chunk_size: int | None = None,
    horizon: dt.timedelta = DEFAULT_HORIZON,
    start: dt.datetime = DEFAULT_START,
    progress: Callable[[int], None] | None = None,
) -> Cohort:
    """Simulate ``n`` patients referred at ``start`` and followed for ``horizon``.

    ``params`` defaults to `CohortParams.lumbar`, ``policy`` to `Policy.seed`.
    Chunks of ``chunk_size`` patients run on ``executor`` (anything with
    ``submit``) if one is given, else in this process, or on a process
    pool of ``workers`` processes if that is more than 1 (see `processes`).
    Unlike `summarize` and `write_cohort`, a large run does not start a pool
    by itself: reading the events of journeys simulated on processes
    rebuilds them in this process, which costs about a quarter of what
    simulating them does; use `write_cohort` or `summarize` to scale when
    only files or figures are wanted. ``progress`` is called in
    this process with the number of journeys in each finished chunk. The
    same arguments give the same cohort, whatever the executor or workers.
    """
    chunks, params, policy = _chunks(n, seed, params=params, policy=policy,
                                     chunk_size=chunk_size, horizon=horizon, start=start,
                                     executor=executor, workers=workers, progress=progress)
    journeys: list[Journey] = []
    with _executor(executor, workers, chunks, automatic=False) as runner:
        if runner is None or isinstance(runner, ThreadPoolExecutor):
            for part in _run(simulate_chunk, chunks, runner, progress):
                journeys.extend(part)
        else:
            for packed in _run(pack_chunk, chunks, runner, progress):
                journeys.extend(map(unpacked, packed))
    return Cohort(tuple(journeys), seed, params, policy, start, horizon)


def summarize(
    n: int,
    seed: int,
    *,
    params: CohortParams | None = None,
    policy: Policy | None = None,
    executor: Submitter | None = None,
    workers: int | None = None,
    chunk_size: int | None = None,
    horizon: dt.timedelta = DEFAULT_HORIZON,
    start: dt.datetime = DEFAULT_START,
    progress: Callable[[int], None] | None = None,
) -> Summary:
    """``simulate(...).summary()`` without holding the journeys: for millions of patients.

    Workers return chunk summaries, merged here in chunk order; the result
    equals the cohort's summary exactly, whatever the executor or workers.
    Without an ``executor``, a run of `AUTOMATIC_MIN_PATIENTS` or more uses
    a process pool of its own, one process per core (only summaries cross
    between processes, so it scales near-linearly); ``workers=1`` keeps it
    in this process, ``workers=K`` asks for K processes (see `processes`).
    A script that calls it needs the ``if __name__ == "__main__":`` guard.
    """
    chunks, _, _ = _chunks(n, seed, params=params, policy=policy, chunk_size=chunk_size,
                           horizon=horizon, start=start, executor=executor, workers=workers,
                           progress=progress)
    total = Summary()
    with _executor(executor, workers, chunks, automatic=True) as runner:
        for part in _run(summarize_chunk, chunks, runner, progress):
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
    workers: int | None = None,
    chunk_size: int | None = None,
    horizon: dt.timedelta = DEFAULT_HORIZON,
    start: dt.datetime = DEFAULT_START,
    progress: Callable[[int], None] | None = None,
) -> Summary:
    """Simulate and write the files without holding the journeys; returns the summary.

    The files are byte-identical to ``simulate(...).to_jsonl()`` /
    ``.to_csv()``, whatever the executor or workers. Workers send back text
    rather than event objects, so this is the path that scales with workers
    when the events are wanted on disk (`simulate` must rebuild every event
    object in this process). Without an ``executor``, a run of
    `AUTOMATIC_MIN_PATIENTS` or more uses a process pool of its own, one
    process per core; ``workers=1`` keeps it in this process, ``workers=K``
    asks for K processes (see `processes`). A script that calls it needs
    the ``if __name__ == "__main__":`` guard.

    Both targets are checked and opened before any patient is simulated,
    and a path receives its file only when the whole run has succeeded
    (`facetcare.simulation.export.staged`): a run that fails or is
    interrupted leaves no partial file, and a file already there unchanged.
    ``jsonl`` and ``csv`` may not be one file.
    """
    chunks, _, _ = _chunks(n, seed, params=params, policy=policy, chunk_size=chunk_size,
                           horizon=horizon, start=start, executor=executor, workers=workers,
                           progress=progress)
    work = functools.partial(export_chunk, jsonl=jsonl is not None, csv=csv is not None)
    total = Summary()
    with ExitStack() as stack:
        jsonl_file, csv_file = stack.enter_context(staged([("jsonl", jsonl), ("csv", csv)]))
        if csv_file is not None:
            csv_file.write(csv_header())
        runner = stack.enter_context(_executor(executor, workers, chunks, automatic=True))
        for lines, rows, summary in _run(work, chunks, runner, progress):
            if jsonl_file is not None:
                jsonl_file.write(lines)
            if csv_file is not None:
                csv_file.write(rows)
            total = total.merge(summary)
    return total
