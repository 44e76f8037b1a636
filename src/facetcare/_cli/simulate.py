"""``facetcare simulate``: a cohort through the real rules, with a summary, CSV and plot.

Journeys are simulated by `facetcare.simulation` on real pathways, so every
simulated journey is one the library accepts. ``--compare`` runs a second
policy on the same seed and parameters, so the two columns differ only by
the policy. ``--replications R`` runs R independent cohorts of N per policy:
the table merges them, and the headline figures get a 95% interval.
Results do not depend on ``--workers`` (the simulation is deterministic per
seed), only the time it takes. Output paths are checked before the run.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import math
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from facetcare._cli.common import (
    POLICY,
    PROFILES,
    REPLICATIONS,
    console,
    policy_named,
    use_workers,
)
from facetcare._cli.outputs import Outputs
from facetcare._extras import INSTALL
from facetcare.machine import Stage

if TYPE_CHECKING:
    from types import ModuleType

    from facetcare.policy import Policy
    from facetcare.simulation import Cohort, CohortParams, Summary
    from facetcare.simulation.replicate import Replicated


def _label(name: str) -> str:
    """A policy as file names show it: the profile's name, or a policy file's stem."""
    stem = name if name in PROFILES else Path(name).stem
    return re.sub(r"[^A-Za-z0-9._-]", "_", stem).strip(".") or "policy"


def _with_policy(path: Path, label: str, comparing: bool) -> Path:
    """One file per policy when comparing: cohort.csv → cohort-seed.csv, cohort-….csv."""
    return path.with_name(f"{path.stem}-{label}{path.suffix}") if comparing else path


def _labels(policy_name: str, compare_name: str | None) -> list[str]:
    """Each policy's label; two that would share their files are refused."""
    if compare_name is None:
        return [_label(policy_name)]
    if compare_name == policy_name:
        raise click.BadParameter(f"{compare_name} is the --policy already: compare it with "
                                 "another policy", param_hint="--compare")
    labels = [_label(policy_name), _label(compare_name)]
    if labels[0] == labels[1]:
        raise click.BadParameter(f"{compare_name} and --policy {policy_name} would share the "
                                 f"label {labels[0]!r} (and its files): rename the policy "
                                 "file", param_hint="--compare")
    return labels


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
    from facetcare.simulation._pool import process_pool

    with process_pool(workers) as pool:
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
    name = label.removeprefix("final stage: ").split(" (of ", 1)[0]  # its denominator
    if not label.startswith("final stage: ") or name not in Stage.__members__.values():
        return False
    return not any(summary.by_stage.get(Stage(name), 0) for _, summary in results)


def summary_table(results: list[tuple[str, Summary]], replications: int = 1) -> Table:
    """One column per policy, one row per figure, in the order `Summary.rows` gives.

    With replications the columns merge them: the title says how many patients that is.
    """
    total = results[0][1].n
    title = (f"{total:,} patients per policy" if replications == 1 else
             f"{total // replications:,} patients per policy × {replications} replications "
             f"({total:,} in all)")
    table = Table(title=title, title_justify="left")
    table.add_column("", min_width=20)  # labels wrap first; figures and headers stay whole
    for name, _ in results:
        table.add_column(escape(name), justify="right", no_wrap=True, min_width=len(name))
    values = [dict(summary.rows()) for _, summary in results]
    for label in _merged_labels(results):
        if not _empty_stage(label, results):
            table.add_row(escape(label), *(escape(column.get(label, "")) for column in values))
    return table


@click.command(short_help="Simulate a cohort: summary table, CSV, events, plot, report.")
@click.option("-n", "n", type=click.IntRange(min=1), default=1000, show_default=True,
              help="Patients per policy (per replication).")
@click.option("--seed", type=int, default=1, show_default=True,
              help="Random seed; the same seed gives the same cohort on any machine.")
@click.option("--region", type=click.Choice(["lumbar", "cervical"]), default="lumbar",
              show_default=True, help="Cohort parameters (facet prevalence, relief, …).")
@click.option("--policy", "policy_name", type=POLICY, default="seed",
              show_default=True, help="The policy profile the cohort runs under.")
@click.option("--compare", "compare_name", type=POLICY, default=None,
              help="A second policy, run on the same seed, side by side in one table.")
@click.option("--replications", type=REPLICATIONS, default=1, show_default=True,
              help="Independent cohorts of N per policy; figures get 95% intervals.")
@click.option("--psa", is_flag=True, help="Draw the parameters per replication (PSA).")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Processes (a ProcessPoolExecutor); 1 runs in this process.")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path),
              help="One row per journey (with --compare, one file per policy: NAME-POLICY.csv; "
                   "with --replications, the first replication's journeys).")
@click.option("--events", "events_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Every accepted event as JSON Lines (one file per policy with --compare, the "
                   "first replication's with --replications); `facetcare check` reads it.")
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False, path_type=Path),
              help="PNG: what differs between the policies, with intervals.")
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path),
              help="A self-contained HTML report: tables, plots, the pathway diagram.")
def simulate(*, n: int, seed: int, region: str, policy_name: str, compare_name: str | None,
             replications: int, psa: bool, workers: int, csv_path: Path | None,
             events_path: Path | None, plot_path: Path | None,
             report_path: Path | None) -> None:
    """Simulate N patients on the pathway and summarise where they ended up.

    Every journey is applied to a real Pathway under the chosen policy, with
    fitted, literature-based cohort parameters (facetcare.simulation.CohortParams).

    \b
    Examples:
      facetcare simulate -n 2000 --seed 7
      facetcare simulate -n 2000 --replications 10 --compare medicare-l38803 \\
          --workers 2 --plot cohort.png --report report.html
      facetcare simulate -n 500 --region cervical --events journeys.jsonl
    """
    from facetcare.simulation import CohortParams

    names = [policy_name] + ([compare_name] if compare_name else [])
    labels = dict(zip(names, _labels(policy_name, compare_name), strict=True))
    comparing = len(names) > 1
    workers = use_workers(workers)
    plots = plots_module() if plot_path is not None or report_path is not None else None
    base = CohortParams.cervical() if region == "cervical" else CohortParams.lumbar()
    for option, name in (("--policy", policy_name), ("--compare", compare_name)):
        chosen = policy_named(name) if name is not None else None
        if chosen is not None and not chosen.covers(base.region):
            shown = ", ".join(map(str, chosen.regions or ()))
            raise click.BadParameter(f"{name} covers the {shown} region only, not {region} "
                                     "(docs/rules.md#region-not-covered)", param_hint=option)
    per_policy = {name: [(option, _with_policy(path, labels[name], comparing))
                         for option, path in (("--csv", csv_path), ("--events", events_path))
                         if path is not None] for name in names}
    named = [pair for pairs in per_policy.values() for pair in pairs]
    reading = [(option, Path(name)) for option, name in (("--policy", policy_name),
                                                         ("--compare", compare_name))
               if name is not None and name not in PROFILES]
    with Outputs([*named, ("--plot", plot_path), ("--report", report_path)],
                 reading) as outputs:
        results, spread, cohorts = _run_policies(
            names, n=n, seed=seed, region=region, base=base, replications=replications,
            psa=psa, workers=workers, keep=bool(named))
        out = console()
        out.print(summary_table(results, replications))
        if replications > 1:
            out.print(interval_table(spread))
        for name, cohort in cohorts:
            for option, path in per_policy[name]:
                with outputs.writing(path) as staged:
                    (cohort.to_csv if option == "--csv" else cohort.to_jsonl)(staged)
        title = (f"{region}, n = {n:,} per policy" + (f" × {replications} replications"
                                                      if replications > 1 else "")
                 + f", seed {seed}")
        if plot_path is not None and plots is not None:
            with outputs.writing(plot_path) as staged:
                plots.cohort_plot(staged, results, title=title, replicated=spread)
        if report_path is not None and plots is not None:
            from facetcare._cli.cohort_report import cohort_report

            with outputs.writing(report_path) as staged:
                cohort_report(staged, plots, results, spread, title=title)
        for path in outputs.commit():
            out.print(f"wrote {escape(str(path))}")


def _run_policies(names: list[str], *, n: int, seed: int, region: str, base: CohortParams,
                  replications: int, psa: bool, workers: int, keep: bool,
                  ) -> tuple[list[tuple[str, Summary]], dict[str, Replicated | None],
                             list[tuple[str, Cohort]]]:
    """Each policy's replications on one pool, with a progress bar per policy.

    Without per-journey output (``keep``) only the summary is needed: journeys
    then stay in the workers (no pickling back), and memory stays flat however
    large n is.
    """
    from facetcare.simulation.replicate import Replicated

    results: list[tuple[str, Summary]] = []
    spread: dict[str, Replicated | None] = {}
    cohorts: list[tuple[str, Cohort]] = []
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with _executor(workers) as pool, \
            Progress(*columns, console=console(), transient=False) as bar:
        tasks = {name: bar.add_task(f"{region} · {escape(name)}", total=n * replications,
                                    start=False)
                 for name in names}
        for name in names:
            bar.start_task(tasks[name])  # each clock starts with its own run
            policy, chunk = policy_named(name), _chunk_size(n, workers)
            advance = _advancer(bar, tasks[name])
            # One pool serves every policy; without one, --workers 1 means this process.
            alone = 1 if pool is None else None
            summaries, cohort = _replications(
                n, seed, replications, base, policy, psa=psa, keep=keep,
                pool=pool, workers=alone, chunk=chunk, progress=advance)
            if cohort is not None:
                cohorts.append((name, cohort))
            results.append((name, _combined(summaries)))
            spread[name] = Replicated(tuple(summaries)) if replications > 1 else None
            bar.update(tasks[name], completed=n * replications)
    return results, spread, cohorts


def _replications(n: int, seed: int, replications: int, base: CohortParams, policy: Policy,
                  *, psa: bool, keep: bool, pool: cf.Executor | None, workers: int | None,
                  chunk: int | None, progress: Callable[[int], None],
                  ) -> tuple[list[Summary], Cohort | None]:
    """One policy's replications; with ``keep``, the first one's journeys too."""
    from facetcare.simulation import simulate as run
    from facetcare.simulation import summarize
    from facetcare.simulation.psa import sample
    from facetcare.simulation.replicate import replication_seed

    summaries: list[Summary] = []
    cohort = None
    for r in range(replications):
        stream = seed if replications == 1 else replication_seed(seed, r)
        params = sample(base, seed, r) if psa else base
        if keep and r == 0:
            cohort = run(n, stream, params=params, policy=policy, executor=pool,
                         workers=workers, chunk_size=chunk, progress=progress)
            summaries.append(cohort.summary())
        else:
            summaries.append(summarize(n, stream, params=params, policy=policy,
                                       executor=pool, workers=workers, chunk_size=chunk,
                                       progress=progress))
    return summaries, cohort


def _combined(summaries: list[Summary]) -> Summary:
    from facetcare.simulation import Summary

    return Summary.combine(summaries)


def interval_table(spread: dict[str, Replicated | None]) -> Table:
    """Headline figures: mean and 2.5–97.5% over replications, one denominator per row."""
    table = Table(title="headline figures over replications: mean (2.5–97.5%)",
                  title_justify="left")
    table.add_column("figure")
    table.add_column("denominator")
    columns = {name: dict(((f, d), v) for f, d, v in found.rows())
               for name, found in spread.items() if found is not None}
    for name in columns:
        table.add_column(escape(name), justify="right", no_wrap=True)
    first = next(iter(columns.values()))
    for label, denominator in first:
        table.add_row(escape(label), escape(denominator),
                      *(escape(column[label, denominator]) for column in columns.values()))
    return table


def plots_module() -> ModuleType:
    """The plots, loaded before the run so a missing matplotlib fails fast."""
    import importlib

    try:
        plots = importlib.import_module("facetcare._cli.plots")
    except ModuleNotFoundError as missing:
        if (missing.name or "").partition(".")[0] != "matplotlib":
            raise
        raise click.ClickException(f"--plot needs matplotlib: {INSTALL}") from None
    return plots


def _advancer(bar: Progress, task: object) -> Callable[[int], None]:
    def advance(finished: int) -> None:
        bar.advance(task, finished)  # type: ignore[arg-type]

    return advance
