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
import math
import multiprocessing
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from facetcare._cli.common import POLICY, console, policy_named
from facetcare._extras import INSTALL
from facetcare.machine import Stage

if TYPE_CHECKING:
    from facetcare.simulation import Cohort, Summary


def _with_policy(path: Path, policy: str, comparing: bool) -> Path:
    """One file per policy when comparing: cohort.csv → cohort-seed.csv, cohort-….csv."""
    return path.with_name(f"{path.stem}-{policy}{path.suffix}") if comparing else path


def _chunk_size(n: int, workers: int) -> int | None:
    """About eight chunks per worker: the bar moves and workers share the load.

    Results do not depend on the chunk size; large cohorts keep the runner's default.
    """
    from facetcare.simulation.runner import DEFAULT_CHUNK_SIZE

    size = math.ceil(n / (8 * workers))
    return size if size < DEFAULT_CHUNK_SIZE else None


@contextlib.contextmanager
def _executor(workers: int) -> Iterator[cf.Executor | None]:
    """Worker processes that do not fork this one: the progress bar runs a thread,
    and forking a threaded process can deadlock the child."""
    if workers <= 1:
        yield None
        return
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    with cf.ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        yield pool


def _merged_labels(results: list[tuple[str, Summary]]) -> list[str]:
    """Every row label, each in its place: one a later summary adds follows its neighbour."""
    merged: list[str] = []
    for _, summary in results:
        previous = -1
        for label, _ in summary.rows():
            if label in merged:
                previous = merged.index(label)
            else:
                previous += 1
                merged.insert(previous, label)
    return merged


def _empty_stage(label: str, results: list[tuple[str, Summary]]) -> bool:
    """A final stage no patient of any column ended in: left out to keep the table short."""
    name = label.removeprefix("final stage: ")
    if name == label or name not in Stage.__members__.values():
        return False
    return not any(summary.by_stage.get(Stage(name), 0) for _, summary in results)


def summary_table(results: list[tuple[str, Summary]]) -> Table:
    """One column per policy, one row per figure, in the order `Summary.rows` gives."""
    table = Table(title=f"{results[0][1].n:,} patients per policy", title_justify="left")
    table.add_column("", min_width=20)  # labels wrap first; figures and headers stay whole
    for name, _ in results:
        table.add_column(name, justify="right", no_wrap=True, min_width=len(name))
    values = [dict(summary.rows()) for _, summary in results]
    for label in _merged_labels(results):
        if not _empty_stage(label, results):
            table.add_row(escape(label), *(escape(column.get(label, "")) for column in values))
    return table


@click.command(short_help="Simulate a cohort: summary table, CSV, events, plot.")
@click.option("-n", "n", type=click.IntRange(min=1), default=1000, show_default=True,
              help="Patients per policy.")
@click.option("--seed", type=int, default=1, show_default=True,
              help="Random seed; the same seed gives the same cohort on any machine.")
@click.option("--region", type=click.Choice(["lumbar", "cervical"]), default="lumbar",
              show_default=True, help="Cohort parameters (facet prevalence, relief, …).")
@click.option("--policy", "policy_name", type=POLICY, default="seed",
              show_default=True, help="The policy profile the cohort runs under.")
@click.option("--compare", "compare_name", type=POLICY, default=None,
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
    from facetcare.simulation import CohortParams, summarize
    from facetcare.simulation import simulate as run

    cohort_plot = _plotter() if plot_path is not None else None

    params = CohortParams.cervical() if region == "cervical" else CohortParams.lumbar()
    names = [policy_name] + ([compare_name] if compare_name else [])
    comparing = len(names) > 1
    # Without per-journey output only the summary is needed: journeys then stay in
    # the workers (no pickling back), and memory stays flat however large n is.
    keep_journeys = csv_path is not None or events_path is not None
    out = console()
    results: list[tuple[str, Summary]] = []
    cohorts: list[tuple[str, Cohort]] = []
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with _executor(workers) as pool, Progress(*columns, console=out, transient=False) as bar:
        tasks = {name: bar.add_task(f"{region} · {name}", total=n, start=False)
                 for name in names}
        for name in names:
            bar.start_task(tasks[name])  # each clock starts with its own run
            policy, chunk = policy_named(name), _chunk_size(n, workers)
            advance = _advancer(bar, tasks[name])
            # One pool serves every policy; without one, --workers 1 means this process.
            alone = 1 if pool is None else None
            if keep_journeys:
                cohort = run(n, seed, params=params, policy=policy, executor=pool,
                             workers=alone, chunk_size=chunk, progress=advance)
                cohorts.append((name, cohort))
                results.append((name, cohort.summary()))
            else:
                results.append((name, summarize(n, seed, params=params, policy=policy,
                                                executor=pool, workers=alone,
                                                chunk_size=chunk, progress=advance)))
            bar.update(tasks[name], completed=n)
    out.print(summary_table(results))
    written: list[Path] = []
    for name, cohort in cohorts:
        if csv_path is not None:
            written.append(_with_policy(csv_path, name, comparing))
            cohort.to_csv(written[-1])
        if events_path is not None:
            written.append(_with_policy(events_path, name, comparing))
            cohort.to_jsonl(written[-1])
    if plot_path is not None and cohort_plot is not None:
        cohort_plot(plot_path, results, title=f"{region}, n = {n:,} per policy, seed {seed}")
        written.append(plot_path)
    for path in written:
        out.print(f"wrote {escape(str(path))}")


def _plotter() -> Callable[..., None]:
    """The plot function, loaded before the run so a missing matplotlib fails fast."""
    try:
        from facetcare._cli.plots import cohort_plot
    except ModuleNotFoundError as missing:
        if (missing.name or "").partition(".")[0] != "matplotlib":
            raise
        raise click.ClickException(f"--plot needs matplotlib: {INSTALL}") from None
    return cohort_plot


def _advancer(bar: Progress, task: object) -> Callable[[int], None]:
    def advance(finished: int) -> None:
        bar.advance(task, finished)  # type: ignore[arg-type]

    return advance
