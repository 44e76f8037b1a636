"""The plots: policy comparison with intervals, the validation chart, the pathway diagram.

Drawn on an explicit Agg canvas, without pyplot: no display, no global
backend switch, safe in a headless job or a worker process. The pathway
diagram is drawn from `facetcare.machine.PATHWAY` with matplotlib, so no
Graphviz is needed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from facetcare.machine import PATHWAY, START, Stage

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from facetcare.simulation import Summary
    from facetcare.simulation.replicate import Replicated
    from facetcare.simulation.validation import Validation

COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd")
#: The figures the comparison plot shows: what differs between policies.
COMPARED = ("treated", "first_block_to_neurotomy", "referral_to_neurotomy",
            "success_per_patient", "success_per_treated", "cost_per_success", "room_hours")

Output = Path | IO[bytes]


def _survival(ax: Axes, results: Sequence[tuple[str, Summary]]) -> None:
    drawn = False
    for (name, summary), colour in zip(results, COLOURS, strict=False):
        curve = summary.survival()
        if len(curve) > 1:
            ax.step([d for d, _ in curve], [s for _, s in curve], where="post", label=name,
                    color=colour)
            drawn = True
    if not drawn:
        ax.text(0.5, 0.5, "no neurotomy in the cohort", ha="center", va="center",
                transform=ax.transAxes)
    ax.axhline(0.5, color="grey", linewidth=0.8, linestyle=":")
    ax.set_title("Relief after the first neurotomy (Kaplan–Meier)", fontsize=9)
    ax.set_xlabel("days after neurotomy")
    ax.set_ylim(0, 1.02)
    ax.set_xlim(left=0)
    ax.grid(alpha=0.3)
    if drawn:
        ax.legend(fontsize=7)


def _compared(ax: Axes, key: str, results: Sequence[tuple[str, Summary]],
              replicated: Mapping[str, Replicated | None]) -> None:
    from facetcare.simulation.figures import FIGURES

    figure = next(f for f in FIGURES if f.key == key)
    scale = 100.0 if figure.unit == "share" else 1.0
    for i, ((name, summary), colour) in enumerate(zip(results, COLOURS, strict=False)):
        value = figure.value(summary)
        found = replicated.get(name)
        spread = found.intervals().get(key) if found is not None else None
        if value is None:
            continue
        ax.bar(i, value * scale, color=colour, width=0.6, label=name)
        if spread is not None:
            ax.errorbar(i, value * scale, yerr=[[max(0.0, (value - spread.low) * scale)],
                                                [max(0.0, (spread.high - value) * scale)]],
                        color="black", capsize=4)
        ax.text(i, value * scale, f" {value * scale:,.0f}" if scale == 1 and value > 20
                else f" {value * scale:.1f}", ha="center", va="bottom", fontsize=7)
    unit = {"share": "%", "usd": "US$", "days": "days", "hours": "hours"}.get(figure.unit, "")
    ax.set_title(f"{figure.label}\n({figure.denominator}, {unit})", fontsize=8)
    ax.set_xticks(range(len(results)), [name for name, _ in results], fontsize=7)
    ax.grid(axis="y", alpha=0.3)


def cohort_plot(path: Output, results: Sequence[tuple[str, Summary]], *, title: str,
                replicated: Mapping[str, Replicated | None] | None = None) -> None:
    """What differs between policies, each with its interval over replications."""
    figure = Figure(figsize=(14, 6.5), layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.subplots(2, 4).flatten()
    for ax, key in zip(axes, COMPARED, strict=False):
        _compared(ax, key, results, replicated or {})
    _survival(axes[-1], results)
    figure.suptitle(title + ("; bars: 2.5–97.5% over replications" if replicated else ""))
    figure.savefig(path, dpi=100, format="png")


def validation_plot(path: Output, validations: Sequence[Validation]) -> None:
    """Each figure as simulated ÷ published, with both intervals (log scale)."""
    rows = [(v.region, row) for v in validations for row in v.rows]
    figure = Figure(figsize=(11, 0.28 * len(rows) + 1.5), layout="constrained")
    FigureCanvasAgg(figure)
    ax = figure.subplots()
    for y, (region, row) in enumerate(reversed(rows)):
        p, s = row.published, row.simulated
        ax.plot([p.low / p.value, p.high / p.value], [y, y], color="#999999", linewidth=6,
                solid_capstyle="butt")
        if s is not None and s.mean > 0:
            colour = "#2ca02c" if row.inside else "#d62728"
            ax.errorbar(s.mean / p.value, y, xerr=[[max(0.0, (s.mean - s.low) / p.value)],
                                                   [max(0.0, (s.high - s.mean) / p.value)]],
                        fmt="o" if p.kind == "calibration" else "s", color=colour, capsize=3,
                        markersize=4)
        ax.text(0.0, y, f"{region} · {p.kind[:3]} · {p.figure} ",
                transform=ax.get_yaxis_transform(), ha="right", va="center", fontsize=7)
    ax.axvline(1.0, color="black", linewidth=0.8)
    ax.set_xscale("log")
    ax.set_yticks([])
    ax.set_xlabel("simulated ÷ published (grey: published interval; green inside, red outside; "
                  "circles calibration, squares validation)", fontsize=8)
    figure.savefig(path, dpi=100, format="png")


#: Where each stage is drawn: (column, row).
_PLACES: dict[str, tuple[float, float]] = {
    START: (0, 0), Stage.REFERRED: (1, 0), Stage.BLOCK_SCHEDULED: (2, 0),
    Stage.BLOCK_VISIT: (3, 0), Stage.BLOCK_OBSERVATION: (4, 0),
    Stage.RELIEF_ASSESSMENT: (5, 0), Stage.BLOCK_POSITIVE: (6, 0.6),
    Stage.BLOCK_NEGATIVE: (6, -0.6), Stage.NEUROTOMY_SCHEDULED: (6, -2),
    Stage.NEUROTOMY_VISIT: (5, -2), Stage.NEUROTOMY_RECOVERY: (4, -2),
    Stage.FOLLOW_UP: (3, -2), Stage.SUSTAINED_RELIEF: (2, -1.4), Stage.NO_RELIEF: (2, -2.6),
    Stage.RECURRENCE: (1, -1.4), Stage.CLOSED: (0.5, -3.4), Stage.WITHDRAWN: (2.5, -3.4),
}


def pathway_plot(path: Output) -> None:
    """The stages and the events between them, from `PATHWAY` (closing and withdrawal,
    possible from many stages, are noted instead of drawn from each)."""
    figure = Figure(figsize=(13, 6), layout="constrained")
    FigureCanvasAgg(figure)
    ax = figure.subplots()
    for stage, (x, y) in _PLACES.items():
        final = stage in (Stage.CLOSED, Stage.WITHDRAWN)
        ax.text(x, y, str(stage).replace("_", "\n"), ha="center", va="center", fontsize=8,
                bbox={"boxstyle": "round", "facecolor": "#eeeeee" if final else "#dbe9f6",
                      "edgecolor": "#555555"})
    seen: set[tuple[str, str]] = set()
    for step in PATHWAY:
        name = step.event.__name__
        if step.dest is None or name in ("VisitCancelled", "VisitMissed", "Closed", "Withdrawn"):
            continue
        for source in step.sources:
            if (source, step.dest) in seen or source not in _PLACES:
                continue
            seen.add((source, step.dest))
            (x0, y0), (x1, y1) = _PLACES[source], _PLACES[step.dest]
            ax.annotate("", xy=(x1, y1), xytext=(x0, y0),
                        arrowprops={"arrowstyle": "->", "color": "#1f77b4", "shrinkA": 22,
                                    "shrinkB": 22, "connectionstyle": "arc3,rad=0.12"})
            label = name + (f" [{step.branch}]" if step.branch else "")
            ax.text((x0 + x1) / 2, (y0 + y1) / 2 + 0.12, label, fontsize=6, ha="center",
                    color="#333333")
    ax.text(0, -4.1, "Closed: from any open stage · Withdrawn: from any ongoing stage · "
            "VisitCancelled / VisitMissed: back to the stage the visit was booked from",
            fontsize=8)
    ax.set_xlim(-0.6, 6.8)
    ax.set_ylim(-4.4, 1.2)
    ax.set_axis_off()
    ax.set_title("The facet-joint pain pathway (facetcare.machine.PATHWAY)")
    figure.savefig(path, dpi=100, format="png")

