"""Probabilistic sensitivity analysis: a distribution per parameter, and draws from them.

Each `Uncertain` parameter gets a distribution around its value in the
given `CohortParams`: Beta for probabilities (mean = the value, with an
effective sample size ``n``), Gamma for durations (mean = the value, with a
coefficient of variation), log-normal for shapes (median = the value). The
spreads come from the sources' sizes where they have one; the fitted
parameters carry the size of the studies that identify them. Parameters
are drawn independently (assumption: the fit's correlations are not
carried). Draws use their own stream per (seed, replication), so a PSA run
is reproducible and its replications independent.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import attrs

from facetcare.simulation.draws import Draws
from facetcare.simulation.params import CohortParams

__all__ = ["STUDY_SIZES", "UNCERTAIN", "Uncertain", "sample", "sample_study_prevalences"]


@attrs.frozen
class Uncertain:
    """One parameter's distribution: kind "beta" (``spread`` = n), "gamma" (cv), "lognormal"
    (sigma). A lognormal with a ``floor`` spreads the excess over it, so that a bound the
    model assumes (a Weibull shape above 1) holds in every draw."""

    name: str
    kind: str
    spread: float
    source: str
    floor: float = 0.0


UNCERTAIN: tuple[Uncertain, ...] = (
    Uncertain("facet_prevalence", "beta", 100, "~ Manchikanti's sample sizes [4.1] (assumption)"),
    Uncertain("block_reach", "beta", 100, "fitted; size of the block studies (assumption)"),
    Uncertain("placebo_mean", "beta", 176, "fitted; Schwarzer 1994 n = 176 [4.2]"),
    Uncertain("placebo_repeat", "beta", 176, "fitted; Schwarzer 1994 n = 176 [4.2]"),
    Uncertain("block_relief_shape", "lognormal", 0.2, "fitted (assumption: ±20%)"),
    Uncertain("placebo_concentration", "lognormal", 0.3, "fitted (assumption: ±30%)"),
    Uncertain("placebo_relief_shape", "lognormal", 0.2, "fitted (assumption: ±20%)"),
    Uncertain("neurotomy_success_if_facet", "beta", 106, "fitted; MacVicar 2013 n = 106 [4.3]"),
    Uncertain("sham_relief_median_days", "gamma", 0.29, "Lord 1996 sham arm, n = 12 [4.3]"),
    Uncertain("sham_relief_shape", "lognormal", 0.3,
              "Lord 1996 sham arm: one share of 12 (assumption: ±30%) [4.3]"),
    Uncertain("complete_relief", "beta", 106, "fitted; MacVicar 2013 n = 106 [4.3]"),
    Uncertain("repeat_success_if_facet", "beta", 20, "Smuck 2012 ranges; ~20 per study [4.4]"),
    Uncertain("relief_median_days", "gamma", 0.13, "MacVicar 2013, ~59 successes [4.3]"),
    Uncertain("repeat_relief_median_days", "gamma", 0.18, "MacVicar 2013, ~30 repeats [4.3]"),
    Uncertain("relief_shape", "lognormal", 0.5,
              "assumption (no K-M tables [4.4]): the excess over 1, as the hazard rises", 1.0),
)

#: Sizes of the studies whose populations have a prevalence of their own (fitted to their
#: figures), for drawing it: Schwarzer 1994 n = 176 [4.2], Cohen 2010 n = 151 [4.3].
STUDY_SIZES: dict[str, int] = {"schwarzer": 176, "cohen": 151}


def _draw(draw: Draws, kind: str, value: float, spread: float, floor: float = 0.0) -> float:
    if kind == "beta":
        if value <= 0 or value >= 1:
            return value
        return draw.beta(value * spread, (1 - value) * spread)
    if kind == "gamma":
        shape = 1 / (spread * spread)
        return value * draw.gamma(shape) / shape
    if value <= floor:
        return value
    return floor + (value - floor) * math.exp(spread * draw.normal(0.0, 1.0))


def sample(params: CohortParams, seed: int, replication: int,
           uncertain: tuple[Uncertain, ...] = UNCERTAIN) -> CohortParams:
    """``params`` with every uncertain parameter drawn for this replication."""
    draw = Draws(seed, replication, "psa")
    changes: dict[str, Any] = {
        u.name: _draw(draw, u.kind, float(getattr(params, u.name)), u.spread, u.floor)
        for u in uncertain}
    return attrs.evolve(params, **changes)


def sample_study_prevalences(prevalences: Mapping[str, float], seed: int,
                             replication: int) -> dict[str, float]:
    """The study populations' prevalences drawn for this replication (Beta, `STUDY_SIZES`).

    Their own stream, so adding a study population never changes the
    parameters `sample` draws.
    """
    draw = Draws(seed, replication, "psa-studies")
    return {name: _draw(draw, "beta", value, STUDY_SIZES.get(name, 100))
            for name, value in sorted(prevalences.items())}
