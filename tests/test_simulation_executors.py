"""Process pools and dask give byte-identical cohorts and equal summaries."""

from __future__ import annotations

import io
import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import cache
from typing import Any, ClassVar

import pytest

import facetcare as fc
from facetcare.simulation import Cohort, CohortParams, Summary, simulate, summarize, write_cohort

N = 300
MEDICARE = fc.Policy.medicare_l38803()
CERVICAL = CohortParams.cervical()


def jsonl(c: Cohort) -> str:
    buffer = io.StringIO()
    c.to_jsonl(buffer)
    return buffer.getvalue()


@cache
def serial() -> tuple[str, Summary]:
    c = simulate(N, 2026, params=CERVICAL, policy=MEDICARE)
    return jsonl(c), c.summary()


def check(executor: Any) -> None:
    text, summary = serial()
    for size in (40, 113):
        c = simulate(N, 2026, params=CERVICAL, policy=MEDICARE, executor=executor,
                     chunk_size=size)
        assert jsonl(c) == text
        assert summarize(N, 2026, params=CERVICAL, policy=MEDICARE, executor=executor,
                         chunk_size=size) == summary
    lines = io.StringIO()
    assert write_cohort(N, 2026, jsonl=lines, params=CERVICAL, policy=MEDICARE,
                        executor=executor, chunk_size=64) == summary
    assert lines.getvalue() == text


def test_a_process_pool_gives_the_serial_result() -> None:
    # spawn: workers start clean, as on macOS and Windows, and never inherit other threads.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(2, mp_context=context) as pool:
        check(pool)


@pytest.fixture(scope="module")
def dask_client() -> Iterator[Any]:
    distributed = pytest.importorskip("dask.distributed")
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                 dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


def test_a_dask_cluster_gives_the_serial_result(dask_client: Any) -> None:
    check(dask_client)


# -- workers: the run's own process pool ---------------------------------------------

SMALL = 48
SMALL_CHUNK = 8  # 6 chunks: every worker gets some


@cache
def small() -> tuple[str, str, Summary]:
    c = simulate(SMALL, 7, params=CERVICAL, policy=MEDICARE, workers=1)
    rows = io.StringIO()
    c.to_csv(rows)
    return jsonl(c), rows.getvalue(), c.summary()


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_workers_do_not_change_results(workers: int) -> None:
    text, rows, summary = small()
    args: dict[str, Any] = {"params": CERVICAL, "policy": MEDICARE, "workers": workers,
                            "chunk_size": SMALL_CHUNK}
    assert jsonl(simulate(SMALL, 7, **args)) == text
    assert summarize(SMALL, 7, **args) == summary
    lines, table = io.StringIO(), io.StringIO()
    assert write_cohort(SMALL, 7, jsonl=lines, csv=table, **args) == summary
    assert lines.getvalue() == text
    assert table.getvalue() == rows


class RecordingPool(ProcessPoolExecutor):
    """A process pool that notes how it was made and whether it was shut down."""

    made: ClassVar[list[RecordingPool]] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.workers = kwargs["max_workers"]
        self.method = kwargs["mp_context"].get_start_method()
        self.closed = False
        RecordingPool.made.append(self)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.closed = True
        super().shutdown(wait, cancel_futures=cancel_futures)


@pytest.fixture
def pools(monkeypatch: pytest.MonkeyPatch) -> list[RecordingPool]:
    """Pools the runner starts, with a small cohort counting as large, on two cores."""
    from facetcare.simulation import runner

    monkeypatch.setattr(runner, "ProcessPoolExecutor", RecordingPool)
    monkeypatch.setattr(runner, "AUTOMATIC_MIN_PATIENTS", 4 * SMALL_CHUNK)
    monkeypatch.setattr(runner, "_cores", lambda: 2)
    RecordingPool.made = []
    return RecordingPool.made


def test_a_large_run_summarizes_and_writes_on_its_own_pool(pools: list[RecordingPool]) -> None:
    text, rows, summary = small()
    args: dict[str, Any] = {"params": CERVICAL, "policy": MEDICARE, "chunk_size": SMALL_CHUNK}
    assert summarize(SMALL, 7, **args) == summary
    lines, table = io.StringIO(), io.StringIO()
    assert write_cohort(SMALL, 7, jsonl=lines, csv=table, **args) == summary
    assert (lines.getvalue(), table.getvalue()) == (text, rows)
    expected = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    assert [(p.workers, p.method, p.closed) for p in pools] == [(2, expected, True)] * 2


def test_simulate_small_runs_and_workers_1_stay_in_this_process(
    pools: list[RecordingPool],
) -> None:
    text, _, summary = small()
    args: dict[str, Any] = {"params": CERVICAL, "policy": MEDICARE, "chunk_size": SMALL_CHUNK}
    assert jsonl(simulate(SMALL, 7, **args)) == text  # simulate: in process unless asked
    assert summarize(SMALL, 7, workers=1, **args) == summary
    assert summarize(3 * SMALL_CHUNK, 7, **args) == summarize(3 * SMALL_CHUNK, 7, workers=1,
                                                              **args)
    assert pools == []


def test_the_pool_is_shut_down_when_the_run_fails(pools: list[RecordingPool]) -> None:
    def fail(_: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        summarize(SMALL, 7, chunk_size=SMALL_CHUNK, progress=fail)
    assert len(pools) == 1 and pools[0].closed


def test_how_many_processes_a_run_gets() -> None:
    from facetcare.simulation.runner import AUTOMATIC_MIN_PATIENTS as LARGE
    from facetcare.simulation.runner import processes

    assert processes(None, LARGE, 8, cores=4) == 4
    assert processes(None, LARGE, 3, cores=4) == 3  # no process without a chunk
    assert processes(None, LARGE - 1, 8, cores=4) == 1  # small: not worth a pool
    assert processes(None, LARGE, 8, cores=1) == 1
    assert processes(None, LARGE, 8, cores=4, automatic=False) == 1  # simulate
    assert processes(1, LARGE, 8, cores=4) == 1
    assert processes(3, 10, 2, cores=1) == 2
    assert processes(5, 0, 0) == 1


@pytest.mark.parametrize(("workers", "error"), [(0, ValueError), (-1, ValueError),
                                               (True, TypeError), (1.5, TypeError),
                                               ("2", TypeError)])
def test_bad_workers_are_refused(workers: object, error: type[Exception]) -> None:
    with pytest.raises(error, match="workers"):
        summarize(10, 1, workers=workers)  # type: ignore[arg-type]


def test_an_executor_and_workers_together_are_refused() -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool, pytest.raises(ValueError, match="not both"):
        simulate(10, 1, executor=pool, workers=2)


def test_a_dead_worker_is_explained() -> None:
    from facetcare.simulation import runner

    chunks, _, _ = runner._chunks(4, 1, params=None, policy=None, chunk_size=2,
                                  horizon=runner.DEFAULT_HORIZON, start=runner.DEFAULT_START)
    with (pytest.raises(BrokenProcessPool, match="__main__"),
          runner._executor(None, 2, chunks, automatic=False) as pool):
        assert pool is not None
        pool.submit(os._exit, 1).result()
