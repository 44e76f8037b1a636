"""`CoverageReport`: what a set of paths covers, measured by replaying them."""

from __future__ import annotations

import attrs

__all__ = ["CoverageReport", "Metric"]


@attrs.frozen
class Metric:
    """One coverage measure: the items covered and the items still missing."""

    name: str
    covered: tuple[str, ...]
    missing: tuple[str, ...]

    @property
    def total(self) -> int:
        return len(self.covered) + len(self.missing)


@attrs.frozen
class CoverageReport:
    """Stages, transitions, guard outcomes and branch edges covered under one policy.

    Items the policy cannot exercise at all (no gap between blocks, no
    repeat rules) are not counted in the totals; they are listed in
    ``not_coverable`` with the reason. ``failures`` lists paths that did not
    behave as they claim, or could not be built; a complete report has none.
    """

    policy: str
    region: str
    paths: int
    stages: Metric
    transitions: Metric
    guards: Metric
    branches: Metric
    not_coverable: tuple[tuple[str, str], ...] = ()
    failures: tuple[tuple[str, str], ...] = ()

    @property
    def metrics(self) -> tuple[Metric, ...]:
        return (self.stages, self.transitions, self.guards, self.branches)

    @property
    def complete(self) -> bool:
        """Everything coverable is covered and every path behaved as claimed."""
        return not self.failures and not any(metric.missing for metric in self.metrics)

    def rows(self) -> list[tuple[str, int, int]]:
        """``(metric, covered, total)`` per metric, for a table."""
        return [(metric.name, len(metric.covered), metric.total) for metric in self.metrics]

    def __str__(self) -> str:
        width = max(len(name) for name, _, _ in self.rows())
        lines = [
            f"Path coverage under policy {self.policy} ({self.region}): {self.paths} paths",
            f"{'metric':<{width}}  covered  total",
        ]
        lines += [f"{name:<{width}}  {covered:>7}  {total:>5}"
                  for name, covered, total in self.rows()]
        missing = [(metric.name, item) for metric in self.metrics for item in metric.missing]
        if missing:
            lines.append("Not covered:")
            lines += [f"  {name}: {item}" for name, item in missing]
        if self.failures:
            lines.append("Paths that did not behave as claimed:")
            lines += [f"  {name}: {what}" for name, what in self.failures]
        if self.not_coverable:
            lines.append(f"Not coverable under {self.policy}:")
            lines += [f"  {name}: {why}" for name, why in self.not_coverable]
        return "\n".join(lines)
