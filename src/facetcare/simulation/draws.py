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

import math
import random
from hashlib import sha256 as _sha256
from statistics import NormalDist

__all__ = ["Draws"]

_STANDARD = NormalDist()


class Draws:
    """The draws of one patient's stream."""

    __slots__ = ("_random",)

    def __init__(self, seed: int, index: int, purpose: str = "") -> None:
        label = f"{seed}:{index}:{purpose}" if purpose else f"{seed}:{index}"
        digest = _sha256(label.encode()).digest()
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

    def weibull(self, median: float, shape: float) -> float:
        """Weibull with this median and shape (shape 1 is the exponential)."""
        return median * float((-math.log(self.unit()) / math.log(2)) ** (1 / shape))

    def kumaraswamy(self, a: float, b: float) -> float:
        """Kumaraswamy(a, b) on (0, 1): a Beta-like share with a closed-form inverse CDF."""
        return float((1 - self.unit() ** (1 / b)) ** (1 / a))

    def gamma(self, shape: float) -> float:
        """Gamma(shape, 1) by Marsaglia–Tsang (shape < 1 boosted by U^(1/shape))."""
        if shape < 1:
            return self.gamma(shape + 1) * float(self.unit() ** (1 / shape))
        d = shape - 1 / 3
        c = 1 / math.sqrt(9 * d)
        unit, inv_cdf, log = self.unit, _STANDARD.inv_cdf, math.log  # looked up once
        while True:
            x = inv_cdf(unit())
            v = (1 + c * x) ** 3
            if v > 0 and log(unit()) < x * x / 2 + d - d * v + d * log(v):
                return d * v

    def beta(self, a: float, b: float) -> float:
        """Beta(a, b) from two gamma draws."""
        x = self.gamma(a)
        return x / (x + self.gamma(b))
