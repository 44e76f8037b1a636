"""Calibrated, reproducible Monte-Carlo cohorts on the real pathway rules.

``simulate(n, seed)`` draws ``n`` patients from `CohortParams` (a latent
truth and a placebo propensity per patient, `patient`; parameters fitted
to published calibration targets, `calibration` and `fitting`, the rest
cited or marked as assumptions) and walks each through a real
`facetcare.Pathway`, so every simulated journey replays. `replicate` gives
independent replications (with PSA, `psa`) and intervals; `validation`
compares every published figure with its simulated value; `fees` prices
the CPT lines. Same inputs,
same output, byte for byte, whatever the executor, workers or chunking.
``summarize`` gives the same `Summary` while streaming, for millions, and
``write_cohort`` the same files; both run a large cohort on a process pool
of their own (``workers=1`` keeps it in the calling process).

    from facetcare.simulation import CohortParams, simulate
    cohort = simulate(2000, seed=7, params=CohortParams.lumbar())
    for label, value in cohort.summary().rows():
        print(f"{label:45} {value}")
"""

from facetcare.simulation.cohort import Cohort
from facetcare.simulation.counts import Histogram, ReliefCurve, RoomTime, VisitCounts
from facetcare.simulation.export import read_jsonl
from facetcare.simulation.journey import Journey
from facetcare.simulation.params import CohortParams
from facetcare.simulation.runner import simulate, summarize, write_cohort
from facetcare.simulation.summary import Summary

__all__ = [
    "Cohort",
    "CohortParams",
    "Histogram",
    "Journey",
    "ReliefCurve",
    "RoomTime",
    "Summary",
    "VisitCounts",
    "read_jsonl",
    "simulate",
    "summarize",
    "write_cohort",
]
