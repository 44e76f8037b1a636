"""The demo's report: the policy comparison, its intervals, the plots and the pathway.

A clinic manager reads it top to bottom: what differs between the policies
(one denominator per row), how sure the figures are (intervals over
replications), what the pathway is, and where every model number comes from.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from facetcare._cli.report import image, table, write_report

if TYPE_CHECKING:
    from facetcare.simulation import Summary
    from facetcare.simulation.replicate import Replicated


def cohort_report(path: Path, plots: ModuleType, results: Sequence[tuple[str, Summary]],
                  spread: Mapping[str, Replicated | None], *, title: str) -> None:
    from facetcare.simulation import CohortParams

    names = [name for name, _ in results]
    values = [dict(summary.rows()) for _, summary in results]
    labels = [label for label, _ in results[0][1].rows()]
    sections = [("Comparison", table(["figure", *names],
                                     [[label, *(v.get(label, "") for v in values)]
                                      for label in labels]))]
    found = {name: s for name, s in spread.items() if s is not None}
    if found:
        columns = {name: {(f, d): v for f, d, v in s.rows()} for name, s in found.items()}
        keys = list(next(iter(columns.values())))
        sections.append(("Headline figures over replications: mean (2.5–97.5%)", table(
            ["figure", "denominator", *columns],
            [[f, d, *(c[f, d] for c in columns.values())] for f, d in keys])))
    sections.append(("What differs between the policies", image(
        lambda out: plots.cohort_plot(out, results, title=title, replicated=spread),
        "policy comparison")))
    sections.append(("The pathway", image(plots.pathway_plot, "pathway diagram")))
    sources = CohortParams.sources()
    sections.append(("Where the model's numbers come from", table(
        ["parameter", "source"], [[name, text] for name, text in sources.items()])))
    write_report(path, f"facetcare: {title}", sections,
                 note="Simulated with facetcare; see docs/simulation.md for the model, "
                      "its fitting and its validation.")
