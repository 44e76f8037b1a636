"""Benchmarks of `facetcare.simulation`, once it exports `simulate` and `summarize`.

- cost per simulated event, in the main interleaved group (ratio to `apply`);
- speed-up of `simulate` on ``ProcessPoolExecutor(2)`` over one process, with
  enough journeys that each worker has a few seconds of work; the results
  must be identical;
- peak memory of a streaming `summarize` at two sizes, each in a fresh
  process (peak RSS from ``ru_maxrss``; the growth over the RSS before the
  call is shown too).

Every "one process" figure passes ``workers=1``: left to themselves,
`summarize` and `write_cohort` start a process pool for a large run.
"""

from __future__ import annotations

import gc
import importlib
import math
import os
import pickle
import statistics
from concurrent.futures import ProcessPoolExecutor
from time import perf_counter
from types import ModuleType
from typing import TYPE_CHECKING, Any

from benchmarks.timing import Case, Figure, Prepared, Target

if TYPE_CHECKING:
    from benchmarks.harness import Config, Report

SEED = 20260302


def module() -> ModuleType | None:
    """`facetcare.simulation` if it exports what the benchmark needs, else None."""
    try:
        sim = importlib.import_module("facetcare.simulation")
    except Exception:  # absent, or not importable yet: the section says so
        return None
    if not all(hasattr(sim, name) for name in ("simulate", "summarize")):
        return None
    return sim


def available() -> bool:
    return module() is not None


def _events(cohort: Any) -> int:
    return sum(len(journey.events) for journey in cohort.journeys)


def events_case(journeys: int) -> Case:
    """`simulate(journeys, seed)` in one process; seconds per simulated event."""
    sim = module()
    assert sim is not None

    def prepare() -> Prepared:
        counted: list[int] = []

        def timed() -> int:
            cohort = sim.simulate(journeys, SEED, workers=1)
            counted.append(_events(cohort))
            return counted[-1]

        def check() -> None:
            assert counted and counted[-1] > 0
        return timed, check
    return prepare


def replay_case(journeys: int) -> Case:
    """`Pathway.replay` of the simulated journeys' own events: the `apply` share of `simulate`."""
    sim = module()
    assert sim is not None
    from facetcare import Pathway

    logs = [journey.events for journey in sim.simulate(journeys, SEED, workers=1).journeys]
    count = sum(len(events) for events in logs)

    def prepare() -> Prepared:
        stages: list[Any] = []

        def timed() -> int:
            stages[:] = [Pathway.replay(events).stage for events in logs]
            return count

        def check() -> None:
            assert len(stages) == len(logs)
        return timed, check
    return prepare


def burn(loops: int) -> int:
    """Pure-Python CPU work: the control for what 2 processes can give on this machine."""
    total = 0
    for i in range(loops):
        total += i * i
    return total


def _fingerprint(cohort: Any) -> list[tuple[Any, ...]]:
    return [tuple(journey.events) for journey in cohort.journeys]


def chunk_size(config: Config) -> int:
    """The chunk size the speed-up test uses: the library's default unless the config says."""
    if config.sim_chunk is not None:
        return config.sim_chunk
    runner = importlib.import_module("facetcare.simulation.runner")
    return int(getattr(runner, "DEFAULT_CHUNK_SIZE", 2500))


def _timed(run: Any) -> tuple[float, Any]:
    gc.collect()
    start = perf_counter()
    result = run()
    return perf_counter() - start, result


def _cpu() -> float:
    """CPU seconds of this process and of its reaped children (the pool's workers)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def speedup(config: Config, report: Report) -> None:
    """Section 5a, measured in a fresh interpreter (`sim_speedup`), reported here.

    The pool forks its workers from the measuring process. Forked from this
    harness, which by now holds every earlier section's objects, a worker's
    first writes to inherited pages (reference counts, the cyclic GC walking
    them) copy them, about a tenth more CPU per worker than the same work in
    one process (measured: 9.58 against 8.61 CPU-seconds for summarize). A
    script that simulates starts small; so does the child measuring here.
    """
    from benchmarks.children import spawn

    size = chunk_size(config)
    got = spawn("sim_speedup", chunk=size, worker_seconds=config.sim_worker_seconds,
                pilot=max(20, config.sim_journeys), rounds=config.sim_speedup_rounds)
    n, runs, cpu, control, bound = (got["journeys"], got["wall_s"], got["cpu_s"],
                                    got["control"], got["transfer"])
    report.say(f"\n## 5a. simulate({n:,}) on ProcessPoolExecutor(2) vs one process "
               f"({got['chunks']} chunks of {size:,}; ~{got['worker_seconds']:.1f} s of work per "
               f"worker; pool start included; {config.sim_speedup_rounds} round(s); measured "
               "in a fresh process)")
    report.figure("simulate, one process, s", Figure.of(runs["one"], 1, "s"))
    report.figure("simulate, ProcessPoolExecutor(2), s", Figure.of(runs["two"], 1, "s"))
    report.figure("summarize, one process, s", Figure.of(runs["sum_one"], 1, "s"))
    report.figure("summarize, ProcessPoolExecutor(2), s", Figure.of(runs["sum_two"], 1, "s"))
    report.say("  same journeys and same summary with 1 and 2 processes: yes")
    report.say("  CPU seconds, all processes (wall-clock speed-up on 2 free cores is at most "
               "2 × CPU one / CPU two): simulate "
               f"{_median(cpu['one']):.2f} / {_median(cpu['two']):.2f} → at most "
               f"{_cpu_bound(cpu, 'one', 'two'):.2f}×; summarize {_median(cpu['sum_one']):.2f} / "
               f"{_median(cpu['sum_two']):.2f} → at most "
               f"{_cpu_bound(cpu, 'sum_one', 'sum_two'):.2f}×")
    report.say(f"  control, a pure-Python loop of the same length on the same pool: {control:.2f}×"
               + ("" if control >= 1.8 else
                  "  <- the machine did not have 2 free cores; speed-ups here are not meaningful"))
    report.say(f"  moving one chunk's journeys from a worker to the parent: pack and pickle "
               f"{bound['pickle_share']:.0%} + unpickle {bound['unpickle_share']:.0%} of "
               f"simulating it; on 2 cores simulate's speed-up is at most "
               f"{bound['bound']:.2f}× (summarize ships summaries only); reading their "
               f"events later: {bound['read_share']:.0%}")
    report.info("sim_speedup", got)
    report.target(Target(f"simulate speed-up on 2 worker processes{_scale(config)}",
                         _speedup(runs, "one", "two"), 1.8, at_most=False,
                         note=f"{n:,} journeys; control {control:.2f}×"))
    report.target(Target(f"summarize speed-up on 2 worker processes{_scale(config)}",
                         _speedup(runs, "sum_one", "sum_two"), 1.8, at_most=False,
                         note=f"{n:,} journeys; control {control:.2f}×"))


def sim_speedup(chunk: int, worker_seconds: float, pilot: int, rounds: int) -> dict[str, Any]:
    """Child: wall and CPU seconds of simulate and summarize on 1 and on 2 processes.

    Whole chunks, the same number for each worker, each worker busy for
    about ``worker_seconds``; the runs alternate in order between rounds,
    and the results on 2 processes must equal the ones on 1.
    """
    sim = module()
    assert sim is not None
    size = chunk
    per_journey = _timed(lambda: sim.simulate(pilot, SEED, workers=1))[0] / pilot
    per_worker = max(1, math.ceil(worker_seconds / (size * per_journey)))
    n = 2 * per_worker * size
    runs: dict[str, list[float]] = {"one": [], "two": [], "sum_one": [], "sum_two": [],
                                    "burn_one": [], "burn_two": []}
    cpu: dict[str, list[float]] = {name: [] for name in runs}
    loops = max(1000, int(n * per_journey / 2 / _timed(lambda: burn(10**6))[0] * 10**6))

    for index in range(rounds):
        order = ["one", "two", "sum_one", "sum_two", "burn_one", "burn_two"]
        if index % 2:
            order.reverse()
        results: dict[str, Any] = {}
        for name in order:
            before = _cpu()
            if name == "one":
                took, results[name] = _timed(lambda: _one_process(sim.simulate, n, size))
            elif name == "two":
                took, results[name] = _timed(lambda: _pooled(sim.simulate, n, size))
            elif name == "sum_one":
                took, results[name] = _timed(lambda: _one_process(sim.summarize, n, size))
            elif name == "sum_two":
                took, results[name] = _timed(lambda: _pooled(sim.summarize, n, size))
            elif name == "burn_one":
                took, _ = _timed(lambda: [burn(loops), burn(loops)])
            else:
                took, _ = _timed(lambda: _burn_pool(loops))
            runs[name].append(took)
            cpu[name].append(_cpu() - before)
        if _fingerprint(results["one"]) != _fingerprint(results["two"]):
            raise AssertionError("simulate gave different journeys on 2 workers")
        if results["sum_one"] != results["sum_two"]:
            raise AssertionError("summarize gave a different summary on 2 workers")
        del results
    return {"journeys": n, "chunk_size": size, "chunks": 2 * per_worker,
            "worker_seconds": n * per_journey / 2,
            "control": _speedup(runs, "burn_one", "burn_two"),
            "transfer": _transfer_bound(sim, size), "wall_s": runs, "cpu_s": cpu}


def _one_process(function: Any, n: int, size: int) -> Any:
    """``workers=1``: left to itself, `summarize` would start a pool for a run this large."""
    return function(n, SEED, workers=1, chunk_size=size)


def _pooled(function: Any, n: int, size: int) -> Any:
    with ProcessPoolExecutor(2) as pool:
        return function(n, SEED, executor=pool, chunk_size=size)


def _transfer_bound(sim: ModuleType, size: int) -> dict[str, float]:
    """What returning journeys costs: 2 cores do W + P + U, so speed-up ≤ 2W / (W + P + U).

    P is what a worker does to send one chunk (packing its journeys, pickling
    the result), U what the caller does to receive it (unpickling, making the
    journeys); reading the events later rebuilds them (``read_s``, not in U).
    """
    from facetcare.simulation.transport import pack, unpacked

    work, cohort = _timed(lambda: sim.simulate(size, SEED, workers=1, chunk_size=size))
    journeys = tuple(cohort.journeys)
    pickled, data = _timed(
        lambda: pickle.dumps(tuple(map(pack, journeys)), pickle.HIGHEST_PROTOCOL))
    unpickled, received = _timed(lambda: [unpacked(item) for item in pickle.loads(data)])
    read, _ = _timed(lambda: [journey.events for journey in received])
    return {"simulate_s": work, "pickle_s": pickled, "unpickle_s": unpickled, "read_s": read,
            "pickle_share": pickled / work, "unpickle_share": unpickled / work,
            "read_share": read / work, "bound": 2 * work / (work + pickled + unpickled)}


def _median(values: list[float]) -> float:
    return statistics.median(values)


def _cpu_bound(cpu: dict[str, list[float]], one: str, two: str) -> float:
    return min(2.0, 2 * statistics.median(a / b for a, b in zip(cpu[one], cpu[two], strict=True)))


def _speedup(runs: dict[str, list[float]], one: str, two: str) -> float:
    return statistics.median(a / b for a, b in zip(runs[one], runs[two], strict=True))


def _burn_pool(loops: int) -> list[int]:
    with ProcessPoolExecutor(2) as pool:
        return list(pool.map(burn, [loops, loops]))


def _scale(config: Config) -> str:
    return "" if config.label == "full" else f" [{config.label}]"


def memory(config: Config, report: Report) -> None:
    from benchmarks.children import spawn

    small, large = config.sim_memory_small, config.sim_memory_large
    report.say(f"\n## 5b. streaming summarize on ProcessPoolExecutor(2): peak memory, {small:,} vs "
               f"{large:,} journeys (fresh process each; peak RSS of the parent and of each "
               "worker, high-water marks reset after warm-up)")
    got = {n: spawn("sim_memory", n=n, workers=2, chunk=config.sim_chunk)
           for n in (small, large)}
    report.info("sim_memory", got)
    for n, result in got.items():
        report.say(f"  summarize({n:,}): parent {result['parent_peak'] / 2**20:6.1f} MiB "
                   f"(+{result['parent_growth'] / 2**20:.1f}), worker peak "
                   f"{result['worker_peak'] / 2**20:6.1f} MiB, total "
                   f"{result['total_peak'] / 2**20:6.1f} MiB; {result['seconds']:.1f} s")
    report.target(Target(f"summarize peak memory (parent + 2 workers), {large:,} / "
                         f"{small:,} journeys{_scale(config)}",
                         got[large]["total_peak"] / got[small]["total_peak"], 1.2))


def section(config: Config, report: Report, parts: tuple[str, ...]) -> None:
    """The simulation sections asked for: ``speedup`` and/or ``summarize``."""
    if not available():
        report.say("\n## 5. simulation: facetcare.simulation does not export simulate and "
                   "summarize yet; not measured")
        report.info("simulation", "not available")
        return
    if "speedup" in parts:
        speedup(config, report)
    if "summarize" in parts:
        memory(config, report)


def _status(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise LookupError(field)


def _reset_peak() -> None:
    """Restart this process's RSS high-water mark (VmHWM) from its current RSS."""
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")


def sim_memory(n: int, workers: int, chunk: int | None) -> dict[str, Any]:
    """Child: peak RSS of ``summarize(n, SEED)`` on ``workers`` processes (0: in this one).

    ``ru_maxrss`` survives ``execve`` (it would report the harness's own peak),
    so the parent's peak is ``VmHWM``, reset after the warm-up. Workers are
    forked for this call; their peak is ``RUSAGE_CHILDREN``'s ``ru_maxrss``
    (the largest worker; pages shared with the parent count in both).
    """
    import resource

    sim = module()
    assert sim is not None
    sim.summarize(2, SEED, workers=1)  # imports and lazy set-up before the baseline
    gc.collect()
    _reset_peak()
    before = _status("VmRSS")
    start = perf_counter()
    if workers:
        with ProcessPoolExecutor(workers) as pool:
            summary = sim.summarize(n, SEED, executor=pool, chunk_size=chunk)
    else:
        summary = sim.summarize(n, SEED, workers=1, chunk_size=chunk)
    seconds = perf_counter() - start
    parent = _status("VmHWM")
    worker = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024 if workers else 0
    assert getattr(summary, "n", n) == n
    return {"n": n, "workers": workers, "parent_peak": parent, "parent_growth": parent - before,
            "worker_peak": worker, "total_peak": parent + workers * worker,
            "seconds": seconds, "per_journey": seconds / n}
