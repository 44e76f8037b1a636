"""The validation report: every published figure beside the simulated one, with intervals.

For each figure of `facetcare.simulation.calibration.PUBLISHED` in a
region, every replication simulates the figure's study protocol
(`facetcare.simulation.studies`) on its own stream (`replication_seed`,
per study), optionally with drawn parameters (PSA). A row is *inside* when
the mean over replications lies within the published interval;
calibration rows were fitted to, validation rows never were, and both are
reported as they come out.
"""

from __future__ import annotations

import csv
import os
from typing import IO

import attrs

from facetcare.simulation import fitted
from facetcare.simulation.arguments import check_count
from facetcare.simulation.calibration import PUBLISHED, STUDIES, Published
from facetcare.simulation.params import CohortParams
from facetcare.simulation.psa import sample, sample_study_prevalences
from facetcare.simulation.replicate import (
    Interval,
    check_replications,
    interval,
    map_tasks,
    replication_seed,
)
from facetcare.simulation.studies import Measures, measure_study

__all__ = ["CSV_COLUMNS", "Row", "Validation", "validate"]

CSV_COLUMNS = ("region", "kind", "figure", "study", "unit", "published", "low", "high",
               "interval", "simulated", "sim_low", "sim_high", "inside", "source")


@attrs.frozen
class Row:
    published: Published
    simulated: Interval | None

    @property
    def inside(self) -> bool:
        sim = self.simulated
        return sim is not None and self.published.low <= sim.mean <= self.published.high


@attrs.frozen
class Validation:
    region: str
    n: int
    replications: int
    psa: bool
    rows: tuple[Row, ...]

    @property
    def calibration_inside(self) -> bool:
        return all(r.inside for r in self.rows if r.published.kind == "calibration")

    def write_csv(self, target: str | os.PathLike[str] | IO[str]) -> None:
        handle = (open(target, "w", encoding="utf-8", newline="")  # noqa: SIM115
                  if isinstance(target, str | os.PathLike) else target)
        try:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(CSV_COLUMNS)
            for row in self.rows:
                p, s = row.published, row.simulated
                writer.writerow([self.region, p.kind, p.figure, p.study, p.unit, p.value, p.low,
                                 p.high, p.interval, "" if s is None else s.mean,
                                 "" if s is None else s.low, "" if s is None else s.high,
                                 row.inside, p.source])
        finally:
            if handle is not target:
                handle.close()


@attrs.frozen
class _Task:
    study: str
    n: int
    seed: int
    replication: int
    params: CohortParams
    psa: bool


def _run(task: _Task) -> Measures:
    params, prevalences = task.params, fitted.STUDY_PREVALENCE
    if task.psa:
        params = sample(params, task.seed, task.replication)
        prevalences = sample_study_prevalences(prevalences, task.seed, task.replication)
    seed = replication_seed(task.seed, task.replication, task.study)
    return measure_study(STUDIES[task.study], task.n, seed, params, prevalences=prevalences)


def validate(region: str = "lumbar", *, n: int = 2000, replications: int = 20, seed: int = 1,
             psa: bool = True, workers: int = 1,
             params: CohortParams | None = None) -> Validation:
    """Simulate every study of ``region`` ``replications`` times; the table of rows."""
    if region not in ("lumbar", "cervical"):
        raise ValueError(f"region must be lumbar or cervical, got {region!r}")
    check_replications(replications)
    check_count("n", n, positive=False)
    params = params or CohortParams.for_region(region)
    figures = [p for p in PUBLISHED if p.region == region]
    studies = sorted({p.study for p in figures})
    tasks = [_Task(study, n, seed, r, params, psa)
             for r in range(replications) for study in studies]
    results = map_tasks(_run, tasks, workers)
    by_study: dict[str, list[Measures]] = {study: [] for study in studies}
    for task, measures in zip(tasks, results, strict=True):
        by_study[task.study].append(measures)
    rows = tuple(Row(p, interval(m[p.measure] for m in by_study[p.study])) for p in figures)
    return Validation(region, n, replications, psa, rows)
