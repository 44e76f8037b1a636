"""``facetcare simulate``: a cohort through the real rules, with a summary, CSV and plot.

Journeys are simulated by `facetcare.simulation` on real pathways, so every
simulated journey is one the library accepts. ``--compare`` runs a second
policy on the same seed and parameters, so the two columns differ only by
the policy. Results do not depend on ``--workers`` (the simulation is
deterministic per seed), only the time it takes.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from facetcare._cli.common import PROFILES, console, policy_named

if TYPE_CHECKING:
    from facetcare.simulation import Cohort, Summary


def _with_policy(path: Path, policy: str, comparing: bool) -> Path:
    """One file per policy when comparing: cohort.csv → cohort-seed.csv, cohort-….csv."""
    return path.with_name(f"{path.stem}-{policy}{path.suffix}") if comparing else path


@contextlib.contextmanager
def _executor(workers: int) -> Iterator[cf.Executor | None]:
    if workers <= 1:
        yield None
        return
    with cf.ProcessPoolExecutor(max_workers=workers) as pool:
        yield pool


def summary_table(results: list[tuple[str, Summary]]) -> Table:
    """One column per policy, one row per figure, in the order `Summary.rows` gives."""
    table = Table(title=f"{results[0][1].n:,} patients per policy", title_justify="left")
    table.add_column("")
    for name, _ in results:
        table.add_column(name, justify="right")
    values = [dict(summary.rows()) for _, summary in results]
    labels = list(dict.fromkeys(label for _, s in results for label, _ in s.rows()))
    for label in labels:
        table.add_row(label, *(column.get(label, "") for column in values))
    return table


@click.command()
@click.option("-n", "n", type=click.IntRange(min=1), default=1000, show_default=True,
              help="Patients per policy.")
@click.option("--seed", type=int, default=1, show_default=True,
              help="Random seed; the same seed gives the same cohort on any machine.")
@click.option("--region", type=click.Choice(["lumbar", "cervical"]), default="lumbar",
              show_default=True, help="Cohort parameters (facet prevalence, relief, …).")
@click.option("--policy", "policy_name", type=click.Choice(PROFILES), default="seed",
              show_default=True)
@click.option("--compare", "compare_name", type=click.Choice(PROFILES), default=None,
              help="A second policy, run on the same seed, side by side in one table.")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Processes (a ProcessPoolExecutor); 1 runs in this process.")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path),
              help="One row per journey (with --compare, one file per policy: NAME-POLICY.csv).")
@click.option("--events", "events_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Every accepted event as JSON Lines (with --compare, one file per policy).")
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False, path_type=Path),
              help="PNG: time to recurrence after neurotomy, and final stages.")
def simulate(*, n: int, seed: int, region: str, policy_name: str, compare_name: str | None,
             workers: int, csv_path: Path | None, events_path: Path | None,
             plot_path: Path | None) -> None:
    """Simulate N patients on the pathway and summarise where they ended up.

    Every journey is applied to a real Pathway under the chosen policy, with
    literature-based cohort parameters (facetcare.simulation.CohortParams).

    \b
    Examples:
      facetcare simulate -n 2000 --seed 7
      facetcare simulate -n 20000 --seed 1 --compare medicare-l38803 --workers 2 \\
          --csv cohort.csv --plot cohort.png
      facetcare simulate -n 500 --region cervical --events journeys.jsonl
    """
    from facetcare.simulation import CohortParams
    from facetcare.simulation import simulate as run

    params = CohortParams.cervical() if region == "cervical" else CohortParams.lumbar()
    names = [policy_name] + ([compare_name] if compare_name else [])
    comparing = len(names) > 1
    out = console()
    cohorts: list[tuple[str, Cohort]] = []
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with _executor(workers) as pool, Progress(*columns, console=out, transient=False) as bar:
        tasks = {name: bar.add_task(f"{region} · {name}", total=n) for name in names}
        for name in names:
            advance: Callable[[int], None] = _advancer(bar, tasks[name])
            cohort = run(n, seed, params=params, policy=policy_named(name), executor=pool,
                         progress=advance)
            bar.update(tasks[name], completed=n)
            cohorts.append((name, cohort))
    results = [(name, cohort.summary()) for name, cohort in cohorts]
    out.print(summary_table(results))
    written: list[Path] = []
    for name, cohort in cohorts:
        if csv_path is not None:
            written.append(_with_policy(csv_path, name, comparing))
            cohort.to_csv(written[-1])
        if events_path is not None:
            written.append(_with_policy(events_path, name, comparing))
            cohort.to_jsonl(written[-1])
    if plot_path is not None:
        from facetcare._cli.plots import cohort_plot

        cohort_plot(plot_path, results, title=f"{region}, n = {n:,} per policy, seed {seed}")
        written.append(plot_path)
    for path in written:
        out.print(f"wrote {path}")


def _advancer(bar: Progress, task: object) -> Callable[[int], None]:
    def advance(finished: int) -> None:
        bar.advance(task, finished)  # type: ignore[arg-type]

    return advance
