"""What every process pool of a run shares: its start method and its workers' Ctrl-C.

"forkserver" where the platform has it, else "spawn", never "fork"
(`facetcare.simulation.runner` says why). Ctrl-C reaches every process of
the terminal's group; a worker that answered it too would print a
traceback of its own mid-chunk. So workers leave it to the process that
started them, which stops the run and drops the chunks not yet started.
"""

from __future__ import annotations

import multiprocessing
import signal
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing.context import BaseContext

__all__ = ["context", "leave_interrupts_to_the_parent", "process_pool", "start_method"]


def start_method() -> str:
    """"forkserver" where there is one, else "spawn"."""
    return "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


def context() -> BaseContext:
    """The multiprocessing context of `start_method`."""
    return multiprocessing.get_context(start_method())


def leave_interrupts_to_the_parent() -> None:
    """A pool's ``initializer``: this worker ignores Ctrl-C (see the module docstring)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextmanager
def process_pool(workers: int) -> Iterator[ProcessPoolExecutor]:
    """A pool of ``workers`` such processes, shut down however the block ends.

    Work not yet started is dropped rather than waited for (after Ctrl-C or
    a failure; a block that ends normally has none left).
    """
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context(),
                               initializer=leave_interrupts_to_the_parent)
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
