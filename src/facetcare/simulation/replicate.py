"""Replications: independent, reproducible cohorts, and each figure with its interval.

Replication ``r`` of a run with seed ``s`` simulates with the seed
`replication_seed` (``s``, ``r``): a SHA-256 of both, so replications are
independent streams, any one can be rerun alone, and adding replications
never changes the earlier ones. With ``psa=True`` each replication first
draws its parameters (`facetcare.simulation.psa.sample`), so the interval
covers parameter uncertainty as well as chance. Replications run one per
task on ``workers`` processes; each replication's result does not depend
on where it ran.
"""

from __future__ import annotations

import hashlib
import math
import statistics
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

import attrs

from facetcare._validate import show
from facetcare.policy import Policy
from facetcare.simulation._pool import process_pool
from facetcare.simulation.arguments import check_count
from facetcare.simulation.figures import FIGURES
from facetcare.simulation.params import CohortParams
from facetcare.simulation.psa import sample
from facetcare.simulation.runner import summarize
from facetcare.simulation.summary import Summary

__all__ = ["MAX_REPLICATIONS", "Interval", "Replicated", "check_replications", "interval",
           "map_tasks", "replicate", "replication_seed"]

#: The most replications a run takes: each keeps its summary, and a 95% interval's
#: percentiles are steady long before (a mistyped count would otherwise fill memory).
MAX_REPLICATIONS = 100_000

T = TypeVar("T")
R = TypeVar("R")


def replication_seed(seed: int, replication: int, purpose: str = "") -> int:
    """The seed of replication ``replication`` (and ``purpose``) of a run seeded ``seed``."""
    label = f"{seed}:replication:{replication}:{purpose}".encode()
    return int.from_bytes(hashlib.sha256(label).digest()[:8], "big")


@attrs.frozen
class Interval:
    """A figure over replications: mean and the 2.5–97.5 percentile interval."""

    mean: float
    low: float
    high: float
    replications: int

    def text(self, fmt: str = "{:.3f}") -> str:
        return f"{fmt.format(self.mean)} ({fmt.format(self.low)}–{fmt.format(self.high)})"


def _percentile(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    lo, hi = math.floor(k), math.ceil(k)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def interval(values: Iterable[float | None]) -> Interval | None:
    """Mean and 95% percentile interval of the defined values (None if there are none)."""
    known = [v for v in values if v is not None]
    if not known:
        return None
    return Interval(statistics.fmean(known), _percentile(known, 0.025),
                    _percentile(known, 0.975), len(known))


def map_tasks(work: Callable[[T], R], tasks: Sequence[T], workers: int) -> list[R]:
    """``work`` on each task, in order, on ``workers`` processes (1: here)."""
    if workers <= 1 or len(tasks) <= 1:
        return [work(task) for task in tasks]
    with process_pool(min(workers, len(tasks))) as pool:
        return list(pool.map(work, tasks))


@attrs.frozen
class _Task:
    n: int
    seed: int
    replication: int
    params: CohortParams
    policy: Policy
    psa: bool


def _run(task: _Task) -> Summary:
    params = sample(task.params, task.seed, task.replication) if task.psa else task.params
    return summarize(task.n, replication_seed(task.seed, task.replication), params=params,
                     policy=task.policy, workers=1)


@attrs.frozen
class Replicated:
    """The summaries of every replication, and each headline figure with its interval."""

    summaries: tuple[Summary, ...]

    def intervals(self) -> dict[str, Interval | None]:
        figures = [s.figures() for s in self.summaries]
        return {f.key: interval(values[f.key] for values in figures) for f in FIGURES}

    def rows(self) -> list[tuple[str, str, str]]:
        """(figure, denominator, "mean (2.5–97.5%)") for each headline figure."""
        found = self.intervals()
        out = []
        for figure in FIGURES:
            value = found[figure.key]
            fmt = {"share": "{:.1%}", "usd": "${:,.0f}", "days": "{:.0f}"}.get(figure.unit,
                                                                              "{:.2f}")
            text = "–" if value is None else value.text(fmt)
            if value is not None and value.replications < len(self.summaries):
                # A replication with no denominator (nobody treated) has no value: say so,
                # as the mean of the others is not the mean of all.
                text += f" [{value.replications} of {len(self.summaries)} replications]"
            out.append((figure.label, figure.denominator, text))
        return out


def check_replications(replications: object) -> None:
    """A positive int, at most `MAX_REPLICATIONS`, checked before any cohort is run."""
    if isinstance(replications, bool) or not isinstance(replications, int) or replications < 1:
        raise ValueError(f"replications must be a positive int, got {show(replications)}")
    if replications > MAX_REPLICATIONS:
        raise ValueError(f"replications must be at most {MAX_REPLICATIONS:,}, got "
                         f"{show(replications)}")


def replicate(n: int, seed: int, replications: int, *, params: CohortParams | None = None,
              policy: Policy | None = None, psa: bool = False, workers: int = 1) -> Replicated:
    """``replications`` independent cohorts of ``n`` (see the module docstring)."""
    check_replications(replications)
    check_count("n", n, positive=False)
    tasks = [_Task(n, seed, r, params or CohortParams.lumbar(), policy or Policy.seed(), psa)
             for r in range(replications)]
    return Replicated(tuple(map_tasks(_run, tasks, workers)))
