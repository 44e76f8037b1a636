"""Measurement method (shared/reference/perf_baseline.py): interleave, medians, per-round ratios.

Every variant of a group is measured in the same process, in a shuffled
order each round, with the cyclic GC on and ``gc.collect()`` before each
timed block. A figure is the median over rounds with its p25–p75 spread; a
ratio between two variants is the median of their per-round ratios, which
tolerates drift on shared, noisy cores.
"""

from __future__ import annotations

import gc
import random
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from time import perf_counter
from typing import Any

#: prepare() -> (timed() -> number of operations, check() -> None)
Prepared = tuple[Callable[[], int], Callable[[], None]]
Case = Callable[[], Prepared]


def interleave(cases: dict[str, Case], rounds: int, seed: int = 12345,
               warmup: int = 1) -> dict[str, list[float]]:
    """Seconds per operation of each case, one sample per round.

    ``warmup`` untimed rounds run first (imports, caches, code objects).
    ``check()`` runs after each timed block, outside the timing, so a case
    that silently did the wrong thing fails the run instead of looking fast.
    """
    names = list(cases)
    samples: dict[str, list[float]] = {name: [] for name in names}
    rng = random.Random(seed)
    for index in range(warmup + rounds):
        rng.shuffle(names)
        for name in names:
            timed, check = cases[name]()
            gc.collect()
            start = perf_counter()
            count = timed()
            elapsed = perf_counter() - start
            check()
            if index >= warmup:
                samples[name].append(elapsed / count)
    return samples


@dataclass
class Figure:
    """A timing over rounds: median and p25–p75, in the unit given."""

    median: float
    p25: float
    p75: float
    rounds: int
    unit: str = "µs"

    @classmethod
    def of(cls, seconds: list[float], scale: float = 1e6, unit: str = "µs") -> Figure:
        values = sorted(v * scale for v in seconds)
        if len(values) >= 2:
            q1, _, q3 = statistics.quantiles(values, n=4)
        else:
            q1 = q3 = values[0]
        return cls(statistics.median(values), q1, q3, len(values), unit)

    def __str__(self) -> str:
        return (f"{self.median:.3f} {self.unit} (p25–p75 {self.p25:.3f}–{self.p75:.3f}, "
                f"{self.rounds} rounds)")

    def as_dict(self) -> dict[str, Any]:
        return {"median": self.median, "p25": self.p25, "p75": self.p75,
                "rounds": self.rounds, "unit": self.unit}


def ratio(samples: dict[str, list[float]], numerator: str, denominator: str) -> float:
    """Median of the per-round ratios numerator / denominator."""
    pairs = zip(samples[numerator], samples[denominator], strict=True)
    return statistics.median(a / b for a, b in pairs)


def spread(samples: dict[str, list[float]], numerator: str,
           denominator: str) -> tuple[float, float]:
    """p25 and p75 of the per-round ratios."""
    values = sorted(a / b for a, b in zip(samples[numerator], samples[denominator], strict=True))
    if len(values) < 2:
        return values[0], values[0]
    q1, _, q3 = statistics.quantiles(values, n=4)
    return q1, q3


@dataclass
class Target:
    """One goal: ``measured`` compared with ``limit`` (``at_most`` or at least)."""

    name: str
    measured: float
    limit: float
    at_most: bool = True
    unit: str = "×"
    note: str = ""
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return self.measured <= self.limit if self.at_most else self.measured >= self.limit

    def line(self) -> str:
        sign = "≤" if self.at_most else "≥"
        verdict = "PASS" if self.passed else "FAIL"
        text = (f"{self.name:<56} {self.measured:9.2f}{self.unit} / {sign} "
                f"{self.limit:.2f}{self.unit} / {verdict}")
        return text + (f"   ({self.note})" if self.note else "")

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "measured": self.measured, "limit": self.limit,
                "at_most": self.at_most, "unit": self.unit, "passed": self.passed,
                "note": self.note, **self.detail}
