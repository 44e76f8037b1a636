"""The cohort plot: relief after neurotomy (Kaplan–Meier style) and final stages.

Drawn on an explicit Agg canvas, without pyplot: no display, no global
backend switch, safe in a headless job or a worker process.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from facetcare.machine import Stage

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from facetcare.simulation import Summary

COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd")


def _median(curve: Sequence[tuple[float, float]]) -> str:
    for day, still in curve:
        if still <= 0.5:
            return f"median {day:.0f} d"
    return "median not reached"


def _survival(ax: Axes, results: Sequence[tuple[str, Summary]]) -> None:
    drawn = False
    for (name, summary), colour in zip(results, COLOURS, strict=False):
        curve = summary.survival()
        if not curve:
            continue
        days = [0.0] + [float(d) for d, _ in curve]
        still = [1.0] + [float(s) for _, s in curve]
        ax.step(days, still, where="post", label=f"{name} ({_median(curve)})", color=colour)
        drawn = True
    if not drawn:
        ax.text(0.5, 0.5, "no neurotomy in the cohort", ha="center", va="center",
                transform=ax.transAxes)
    ax.axhline(0.5, color="grey", linewidth=0.8, linestyle=":")
    ax.set_title("Time to recurrence after the first neurotomy (Kaplan–Meier)")
    ax.set_xlabel("days after neurotomy")
    ax.set_ylabel("fraction still relieved")
    ax.set_ylim(0, 1.02)
    ax.set_xlim(left=0)
    ax.grid(alpha=0.3)
    if drawn:
        ax.legend(loc="upper right")


def _stages(ax: Axes, results: Sequence[tuple[str, Summary]]) -> None:
    stages = [s for s in Stage if any(summary.by_stage.get(s, 0) for _, summary in results)]
    width = 0.8 / max(len(results), 1)
    positions = range(len(stages))
    for i, ((name, summary), colour) in enumerate(zip(results, COLOURS, strict=False)):
        total = max(summary.n, 1)
        shares = [100 * summary.by_stage.get(stage, 0) / total for stage in stages]
        offset = (i - (len(results) - 1) / 2) * width
        bars = ax.bar([p + offset for p in positions], shares, width, label=name,
                      color=colour)
        ax.bar_label(bars, fmt="%.1f%%", fontsize=7, padding=1)
    ax.set_xticks(list(positions), [s.value.replace("_", " ") for s in stages],
                  rotation=35, ha="right")
    ax.set_title("Final stage at the end of the simulated horizon")
    ax.set_ylabel("% of patients")
    ax.set_ylim(0, 108)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(loc="upper left")


def cohort_plot(path: Path, results: Sequence[tuple[str, Summary]], *, title: str) -> None:
    """Write the two panels as a PNG (or any format matplotlib infers from ``path``)."""
    figure = Figure(figsize=(12, 5), layout="constrained")
    FigureCanvasAgg(figure)
    left, right = figure.subplots(1, 2)
    _survival(left, results)
    _stages(right, results)
    figure.suptitle(title)
    figure.savefig(path, dpi=110)
