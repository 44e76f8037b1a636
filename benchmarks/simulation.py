"""Benchmarks of `facetcare.simulation`, once it exports `simulate` and `summarize`.

- cost per simulated event, in the main interleaved group (ratio to `apply`);
- speed-up of `simulate` on ``ProcessPoolExecutor(2)`` over one process, with
  enough journeys that each worker has a few seconds of work; the results
  must be identical;
- peak memory of a streaming `summarize` at two sizes, each in a fresh
  process (peak RSS from ``ru_maxrss``; the growth over the RSS before the
  call is shown too).
"""

from __future__ import annotations

import gc
import importlib
import math
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
            cohort = sim.simulate(journeys, SEED)
            counted.append(_events(cohort))
            return counted[-1]

        def check() -> None:
            assert counted and counted[-1] > 0
        return timed, check
    return prepare


def _fingerprint(cohort: Any) -> list[tuple[Any, ...]]:
    return [tuple(journey.events) for journey in cohort.journeys]


def speedup(config: Config, report: Report) -> None:
    sim = module()
    assert sim is not None
    pilot = max(20, config.sim_journeys)
    start = perf_counter()
    sim.simulate(pilot, SEED)
    per_journey = (perf_counter() - start) / pilot
    n = max(4, math.ceil(2 * config.sim_worker_seconds / per_journey))
    report.say(f"\n## 5a. simulate({n:,}) on ProcessPoolExecutor(2) vs one process "
               f"(~{config.sim_worker_seconds:g} s of work per worker; pool start included; "
               f"{config.sim_speedup_rounds} round(s), order alternating)")
    one: list[float] = []
    two: list[float] = []
    for index in range(config.sim_speedup_rounds):
        for variant in ((0, 1) if index % 2 == 0 else (1, 0)):
            gc.collect()
            start = perf_counter()
            if variant == 0:
                alone = sim.simulate(n, SEED)
                one.append(perf_counter() - start)
            else:
                with ProcessPoolExecutor(2) as pool:
                    shared = sim.simulate(n, SEED, executor=pool)
                two.append(perf_counter() - start)
        if _fingerprint(alone) != _fingerprint(shared):
            raise AssertionError("simulate gave different journeys on 2 workers")
    ratios = [a / b for a, b in zip(one, two, strict=True)]
    report.figure("one process, s", Figure.of(one, 1, "s"))
    report.figure("ProcessPoolExecutor(2), s", Figure.of(two, 1, "s"))
    report.say("  journeys identical with 1 and 2 processes: yes")
    report.info("sim_speedup", {"journeys": n, "one_s": one, "two_s": two})
    label = "" if config.label == "full" else f" [{config.label}]"
    report.target(Target(f"simulate speed-up on 2 worker processes{label}",
                         statistics.median(ratios), 1.8, at_most=False,
                         note=f"{n:,} journeys"))


def memory(config: Config, report: Report) -> None:
    from benchmarks.children import spawn

    small, large = config.sim_memory_small, config.sim_memory_large
    report.say(f"\n## 5b. streaming summarize: peak memory, {small:,} vs {large:,} journeys "
               "(fresh process each, one process, ru_maxrss)")
    got = {n: spawn("sim_memory", n=n) for n in (small, large)}
    report.info("sim_memory", got)
    for n, result in got.items():
        report.say(f"  summarize({n:,}): peak RSS {result['peak'] / 2**20:8.1f} MiB, "
                   f"growth over start {result['growth'] / 2**20:7.1f} MiB, "
                   f"{result['seconds']:.1f} s, {result['per_journey'] * 1e6:.0f} µs/journey")
    growth = got[large]["growth"] / max(got[small]["growth"], 1)
    report.say(f"  growth ratio {large:,} / {small:,}: {growth:.2f}×")
    label = "" if config.label == "full" else f" [{config.label}]"
    report.target(Target(f"summarize peak memory, {large:,} / {small:,} journeys{label}",
                         got[large]["peak"] / got[small]["peak"], 1.2))


def section(config: Config, report: Report, samples: dict[str, list[float]]) -> None:
    if not available():
        report.say("\n## 5. simulation: facetcare.simulation does not export simulate and "
                   "summarize yet; not measured")
        report.info("simulation", "not available")
        return
    speedup(config, report)
    memory(config, report)


def sim_memory(n: int) -> dict[str, Any]:
    """Child: peak RSS of ``summarize(n, SEED)`` in this fresh process."""
    from benchmarks.children import _peak_rss, _rss

    sim = module()
    assert sim is not None
    sim.summarize(2, SEED)  # imports and lazy set-up before the baseline
    gc.collect()
    before = _rss()
    start = perf_counter()
    summary = sim.summarize(n, SEED)
    seconds = perf_counter() - start
    peak = _peak_rss()
    assert getattr(summary, "n", n) == n
    return {"n": n, "peak": peak, "before": before, "growth": peak - before,
            "seconds": seconds, "per_journey": seconds / n}
