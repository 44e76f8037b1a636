"""Process pools and dask give byte-identical cohorts and equal summaries."""

from __future__ import annotations

import io
import multiprocessing
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from functools import cache
from typing import Any

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
