"""Per-patient random streams, and every draw the simulator makes from them.

Each patient has its own `random.Random`, seeded from a SHA-256 of
``f"{seed}:{index}"`` (plus a purpose, e.g. ``":referral"``), so a journey
depends on nothing but (seed, index, params, policy): not on the chunking,
the worker, hash randomisation or the platform. Only ``Random.random()`` is
called, the one method whose sequence Python promises to keep across
versions; integers, normal and exponential draws are built from it here.
``log`` and ``exp`` come from the platform's C library, but their results
are rounded to whole days and counts, so a last-bit difference between
platforms could only matter for a value exactly on a rounding boundary.
"""

from __future__ import annotations

import hashlib
import math
import random
from statistics import NormalDist

__all__ = ["Draws"]

_STANDARD = NormalDist()


class Draws:
    """The draws of one patient's stream."""

    __slots__ = ("_random",)

    def __init__(self, seed: int, index: int, purpose: str = "") -> None:
        label = f"{seed}:{index}" + (f":{purpose}" if purpose else "")
        digest = hashlib.sha256(label.encode("utf-8")).digest()
        self._random = random.Random(int.from_bytes(digest, "big")).random

    def chance(self, p: float) -> bool:
        """True with probability ``p``."""
        return self._random() < p

    def integer(self, low: int, high: int) -> int:
        """Uniform on ``low..high`` inclusive."""
        last = high - low
        k = int(self._random() * (last + 1))
        return low + (k if k < last else last)  # a product rounded up to last + 1 is last

    def integer_in(self, bounds: tuple[int, int]) -> int:
        """`integer` on ``bounds[0]..bounds[1]``."""
        low, high = bounds
        last = high - low
        k = int(self._random() * (last + 1))
        return low + (k if k < last else last)

    def pick(self, options: tuple[int, ...]) -> int:
        """One of ``options``, each as likely: `integer` on their indices."""
        last = len(options) - 1
        k = int(self._random() * (last + 1))
        return options[k if k < last else last]

    def unit(self) -> float:
        """Uniform on (0, 1), never exactly 0 or 1 (safe for inverse CDFs)."""
        return (int(self._random() * 2**53) + 0.5) / 2**53

    def normal(self, mean: float, sd: float) -> float:
        return mean + sd * _STANDARD.inv_cdf(self.unit()) if sd > 0 else mean

    def exponential(self, median: float) -> float:
        return -median / math.log(2) * math.log(self.unit())

    def lognormal(self, median: float, sigma: float) -> float:
        return median * math.exp(sigma * _STANDARD.inv_cdf(self.unit()))
