"""Test kit for systems built on facetcare: strategies, a state machine, path coverage.

Everything here runs the real rules: generated journeys are sequences the
library accepted step by step, the state machine drives a real `Pathway`,
and every coverage path is replayed before it is counted.

- Strategies (Hypothesis): values (`targets`, `pain_entries`, `lesions`,
  `aware_datetimes`), `events` (anything, valid or not), `referrals`,
  `next_events` (what a given pathway accepts next), `near_misses` (one
  detail away from valid) and `journeys` (whole valid event sequences).
- `PathwayMachine`: a `RuleBasedStateMachine` to subclass, with hooks to
  mirror events into the system under test.
- `paths`: a concrete, minimal event sequence for every transition and
  for both outcomes of every guard, with a `CoverageReport`.

Needs the ``testing`` extra (Hypothesis).
"""

try:
    import hypothesis  # noqa: F401
except ImportError as missing:  # pragma: no cover - depends on the environment
    raise ModuleNotFoundError(
        "facetcare.testing needs Hypothesis: pip install 'facetcare[testing]'",
        name="hypothesis",
    ) from missing

from facetcare.testing._corrections import corrections
from facetcare.testing._journeys import journeys, near_misses, next_events, referrals
from facetcare.testing._machine import PathwayMachine
from facetcare.testing._paths import paths
from facetcare.testing._report import CoverageReport, Metric, Outcome, Path, PathSuite
from facetcare.testing._strategies import (
    any_referrals,
    aware_datetimes,
    events,
    lesions,
    pain_entries,
    target_sets,
    targets,
    time_zones,
)

__all__ = ["CoverageReport", "Metric", "Outcome", "Path", "PathSuite", "PathwayMachine",
           "any_referrals", "aware_datetimes", "corrections", "events", "journeys", "lesions",
           "near_misses", "next_events", "pain_entries", "paths", "referrals", "target_sets",
           "targets", "time_zones"]
