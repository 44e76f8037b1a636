"""Coverage values: a path and what it claims, what replaying it gave, the report.

A `Path` is built by the witnesses and the breadth-first search alike; the
report counts only what replaying the paths measured.
"""

from __future__ import annotations

from collections.abc import Iterator

import attrs

from facetcare import events as ev
from facetcare.anatomy import Region
from facetcare.errors import Reason
from facetcare.machine import START, Stage
from facetcare.pathway import Pathway
from facetcare.policy import Policy

__all__ = ["CoverageReport", "Metric", "Outcome", "Path", "PathSuite", "transition_key"]


def transition_key(kind: str, source: str, dest: str) -> str:
    return f"{kind}: {source} → {dest}"


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


@attrs.frozen
class Outcome:
    """What replaying a path gave for its last event."""

    event: ev.Event
    #: The stage the last event was offered in (None: before referral).
    source: Stage | None
    #: The stage after it; the same as ``source`` when it was refused.
    stage: Stage | None
    reasons: tuple[Reason, ...] = ()

    @property
    def accepted(self) -> bool:
        return not self.reasons

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(reason.code for reason in self.reasons)

    @property
    def transition(self) -> str | None:
        """The transition-table row the last event took, if accepted."""
        if not self.accepted or self.stage is None:
            return None
        source = START if self.source is None else str(self.source)
        return transition_key(self.event.kind, source, str(self.stage))


@attrs.frozen
class Path:
    """A concrete event sequence and what its last event must do.

    Accepted paths end in ``stage``; refused paths end with the last event
    refused for (at least) the reason code ``refused``, the pathway staying
    in ``stage`` (None before referral). ``covers`` names the guard outcomes
    or branch edges the path stands for.
    """

    name: str
    events: tuple[ev.Event, ...]
    stage: Stage | None
    refused: str | None
    policy: Policy
    covers: tuple[str, ...] = ()

    @property
    def accepted(self) -> bool:
        return self.refused is None

    def run(self) -> Outcome:
        """Replay all but the last event, then check the last one (and apply it if allowed).

        Raises `Rejected` if an earlier event is refused: the path is broken.
        """
        *before, last = self.events
        if before:
            pathway = Pathway.replay(before, policy=self.policy)
            source: Stage | None = pathway.stage
        else:
            pathway, source = Pathway(policy=self.policy), None
        verdict = pathway.check(last)
        stage = pathway.apply(last) if verdict.allowed else source
        return Outcome(last, source, stage, verdict.reasons)

    def holds(self, outcome: Outcome | None = None) -> bool:
        """Whether the path does what it claims (replaying it unless given the outcome)."""
        got = self.run() if outcome is None else outcome
        if got.stage != self.stage:
            return False
        return got.accepted if self.refused is None else self.refused in got.codes


@attrs.frozen
class PathSuite:
    """The paths for one policy and region, and the coverage their replay measured."""

    policy: Policy
    region: Region
    paths: tuple[Path, ...]
    report: CoverageReport

    def __iter__(self) -> Iterator[Path]:
        return iter(self.paths)

    def __len__(self) -> int:
        return len(self.paths)
