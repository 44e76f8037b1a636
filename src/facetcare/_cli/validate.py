"""``facetcare validate``: every published figure beside the simulated one, with intervals.

Calibration rows are the targets the parameters were fitted to; validation
rows were never used and are shown as they come out. The exit code is 1
when a calibration target falls outside its interval (validation rows do
not change it), so the command can gate a CI job.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.markup import escape
from rich.table import Table

from facetcare._cli.common import REPLICATIONS, console, use_workers
from facetcare._cli.outputs import Outputs

if TYPE_CHECKING:
    from facetcare.simulation.validation import Row, Validation


def _number(value: float, unit: str) -> str:
    if unit == "usd":
        return f"${value:,.0f}"
    if unit == "months":
        return f"{value:.1f} mo"
    return f"{100 * value:.1f}%"


def row_cells(row: Row) -> list[str]:
    """The cells of one row, in `HEADER` order."""
    p, s = row.published, row.simulated
    published = f"{_number(p.value, p.unit)} ({_number(p.low, p.unit)}–{_number(p.high, p.unit)})"
    simulated = ("–" if s is None else
                 f"{_number(s.mean, p.unit)} ({_number(s.low, p.unit)}–{_number(s.high, p.unit)})")
    return [p.figure, p.study, p.kind, published, simulated, "yes" if row.inside else "NO"]


HEADER = ("figure", "study", "kind", "published (interval)",
          "simulated, mean (95% interval)", "inside")


def validation_table(validation: Validation) -> Table:
    count = validation.replications
    replications = ("1 replication (so no interval)" if count == 1
                    else f"{count} replications")
    table = Table(title=(f"{validation.region}: {replications} × "
                         f"{validation.n:,} patients per study"
                         + (", PSA" if validation.psa else "")), title_justify="left")
    for name in HEADER:
        table.add_column(name, justify="left" if name in ("figure", "study", "kind")
                         else "right")
    for row in validation.rows:
        cells = row_cells(row)
        style = "" if row.inside else "bold red"
        table.add_row(*(escape(c) for c in cells[:-1]), f"[{style}]{cells[-1]}[/]" if style
                      else cells[-1])
    return table


@click.command(short_help="Published figures beside simulated ones, with intervals.")
@click.option("--region", type=click.Choice(["lumbar", "cervical", "both"]), default="both",
              show_default=True, help="Whose studies: the lumbar or cervical ones, or both.")
@click.option("--replications", type=REPLICATIONS, default=20, show_default=True,
              help="Independent replications (each on its own stream).")
@click.option("-n", "n", type=click.IntRange(min=10), default=2000, show_default=True,
              help="Patients per study protocol per replication.")
@click.option("--seed", type=int, default=1, show_default=True,
              help="Random seed; each replication gets its own stream from it.")
@click.option("--psa/--no-psa", default=True, show_default=True,
              help="Draw the parameters per replication (probabilistic sensitivity analysis).")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Processes (at most one per core); the results do not depend on it.")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path),
              help="The table as CSV (both regions in one file).")
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False, path_type=Path),
              help="PNG: simulated ÷ published with both intervals.")
def validate(*, region: str, replications: int, n: int, seed: int, psa: bool, workers: int,
             csv_path: Path | None, plot_path: Path | None) -> None:
    """Simulate each study's protocol and compare with what it published.

    \b
    Examples:
      facetcare validate --region lumbar --replications 20
      facetcare validate --csv validation.csv --plot validation.png --workers 2
    """
    workers = use_workers(workers)
    plotter = None
    if plot_path is not None:
        from facetcare._cli.simulate import plots_module

        plotter = plots_module().validation_plot
    from facetcare.simulation.validation import validate as run

    regions = ["lumbar", "cervical"] if region == "both" else [region]
    out = console()
    if not out.is_terminal:  # a file or a pipe: room for the whole row on one line
        out.width = max(out.width, 150)
    with Outputs([("--csv", csv_path), ("--plot", plot_path)]) as outputs:
        results = [run(r, n=n, replications=replications, seed=seed, psa=psa, workers=workers)
                   for r in regions]
        for result in results:
            out.print(validation_table(result))
        if csv_path is not None:
            with outputs.writing(csv_path) as staged, \
                    open(staged, "w", encoding="utf-8", newline="") as handle:
                for i, result in enumerate(results):
                    text = _csv(result)
                    handle.write(text if i == 0 else text.split("\n", 1)[1])
        if plotter is not None and plot_path is not None:
            with outputs.writing(plot_path) as staged:
                plotter(staged, results)
        for path in outputs.commit():
            out.print(f"wrote {escape(str(path))}")
    outside = [f"{result.region}: {row.published.figure}" for result in results
               for row in result.rows
               if row.published.kind == "calibration" and not row.inside]
    if outside:
        out.print(f"[bold red]calibration targets outside their interval[/]: "
                  f"{escape('; '.join(outside))}")
        raise SystemExit(1)


def _csv(result: Validation) -> str:
    import io

    buffer = io.StringIO()
    result.write_csv(buffer)
    return buffer.getvalue()
