"""Model-based path coverage: a concrete path for every transition and guard outcome.

Graph tools walk states and events and stop at guards and timers; here
the time windows are the point. Transition paths come from a breadth-first
search over canonical journeys: each node is a real pathway, each edge
one canonical step for one row of the transition table, kept only if the
rules accept it and it takes that row. Guard paths come from small
checks (`facetcare.testing._witnesses`) that stand right at each
boundary. The report is then measured by replaying every path, not
assumed from how it was built.
"""

from __future__ import annotations

import collections
import contextlib
import functools

from facetcare import events as ev
from facetcare.anatomy import Region
from facetcare.errors import Rejected
from facetcare.machine import PATHWAY, Stage
from facetcare.policy import Policy
from facetcare.testing._makers import BASELINE, DAY, covered
from facetcare.testing._report import CoverageReport, Metric, Path, PathSuite, transition_key
from facetcare.testing._script import Script, ScriptError, Setup
from facetcare.testing._witnesses import CHECKS

__all__ = ["paths"]

#: Every row of the transition table: (event type, source state, destination state).
ROWS: tuple[tuple[type[ev.Event], str, str], ...] = tuple(
    (step.event, source, step.dest or source) for step in PATHWAY for source in step.sources
)


# -- transitions: breadth-first over canonical steps -----------------------------------------

def _take(s: Script, kind: type[ev.Event], dest: str) -> None:
    """One canonical step meant to take the row ``kind`` → ``dest``."""
    if kind is ev.ReliefAssessed and dest == Stage.BLOCK_POSITIVE:
        s.do(s.diary(0))
    if kind is ev.FollowUpRecorded and s.stage == Stage.FOLLOW_UP:
        if dest == Stage.NO_RELIEF:
            s.not_relieved()
        elif dest == Stage.FOLLOW_UP:
            s.then(kind, pain_score=BASELINE, at=s.last + DAY)
        else:
            s.then(kind, pain_score=0)
        return
    s.then(kind)


def _signature(s: Script) -> tuple[object, ...]:
    """What distinguishes pathways in one stage for the steps that follow."""
    f = s.facts
    return (f.state, f.open_visit.origin if f.open_visit else None,
            min(len(f.series), s.policy.blocks_required), min(len(f.neurotomy_times), 1))


#: Starts the canonical steps do not reach: a negative block elsewhere after the primary
#: joint was confirmed (block_negative, still confirmed), and both sides confirmed with
#: the left treated (follow_up, the right side still to treat).
_RESULTS_PER_TARGET: tuple[Setup, ...] = (
    lambda s: s.positive().block(False, targets=(s.target("other"),)),
    lambda s: s.positive(targets=s.sides()).neurotomy(targets=(s.target(),)),
)


def _starts(policy: Policy, region: Region) -> list[Script]:
    starts = [Script(policy, region)]
    for setup in _RESULTS_PER_TARGET:
        with contextlib.suppress(ScriptError):
            starts.append(setup(Script(policy, region)))
    return starts


def _transition_paths(policy: Policy, region: Region) -> list[Path]:
    found: dict[tuple[type[ev.Event], str, str], tuple[ev.Event, ...]] = {}
    queue = collections.deque(_starts(policy, region))
    seen = {_signature(s) for s in queue}
    while queue and len(found) < len(ROWS):
        node = queue.popleft()
        state = node.facts.state
        for row in ROWS:
            kind, source, dest = row
            if source != state:
                continue
            s = node.copy()
            try:
                _take(s, kind, dest)
            except ScriptError:
                continue
            if s.trail[-1] != (source, kind, dest):
                continue  # a computed branch went the other way
            found.setdefault(row, s.events)
            if _signature(s) not in seen:
                seen.add(_signature(s))
                queue.append(s)
    return [Path(f"transition {transition_key(kind.__name__, source, dest)}",
                 found[(kind, source, dest)], Stage(dest), None, policy)
            for kind, source, dest in ROWS if (kind, source, dest) in found]


# -- the suite ------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=16)
def _suite(policy: Policy, region: Region) -> PathSuite:
    built = _transition_paths(policy, region)
    keys: dict[bool, list[str]] = {False: [], True: []}  # guard outcomes, branch edges
    not_coverable: list[tuple[str, str]] = []
    failures: list[tuple[str, str]] = []
    for check in CHECKS:
        why = check.why_not(policy)
        if why is not None:
            not_coverable.append((check.name, why))
            continue
        keys[check.branch].extend(check.keys())
        try:
            built += check.paths(policy, region)
        except ScriptError as error:
            failures.append((check.name, f"could not build: {error}"))
    # Measured, not assumed: only what replaying a path showed counts.
    covered: set[str] = set()
    for path in built:
        try:
            got = path.run()
        except Rejected as refused:
            failures.append((path.name, f"event {refused.index} refused: {refused}"))
            continue
        if not path.holds(got):
            what = (f"accepted into {got.stage}" if got.accepted
                    else f"refused: {', '.join(got.codes)}")
            failures.append((path.name, f"expected {path.refused or path.stage}, got {what}"))
            continue
        if got.transition is not None:
            covered |= {str(got.stage), got.transition}
        covered.update(path.covers)

    def metric(name: str, items: list[str]) -> Metric:
        return Metric(name, tuple(i for i in items if i in covered),
                      tuple(i for i in items if i not in covered))

    rows = [transition_key(kind.__name__, source, dest) for kind, source, dest in ROWS]
    report = CoverageReport(
        policy.name, str(region), len(built), metric("stages", [str(s) for s in Stage]),
        metric("transitions", rows), metric("guard outcomes", keys[False]),
        metric("branch edges", keys[True]), tuple(not_coverable), tuple(failures))
    return PathSuite(policy, region, tuple(built), report)


def paths(policy: Policy | None = None, region: Region | str | None = None) -> PathSuite:
    """Minimal concrete paths covering ``policy``'s pathway, and the coverage report.

    ``region`` defaults to lumbar, or to the first region the policy covers
    when it does not cover lumbar; a region it does not cover is a
    `ValueError` (no referral there could ever be accepted).

    One path per row of the transition table (every event, source stage and
    computed branch), shortest first; two per guard that can apply under the
    policy (refused at the boundary, passing at it: relief assessed at
    3 h 59 min and 4 h, diary entries at 6 h 1 min and 6 h, discharge at
    59 and 60 min, recovery at 29 and 30 min, caps and intervals one second
    either side); two per computed-branch edge (relief exactly at the
    threshold and one point below; follow-up at 21 d and 21 d + 1 s).
    """
    policy = policy or Policy.seed()
    regions = policy.regions
    if region is None:
        region = Region.LUMBAR if regions is None or Region.LUMBAR in regions else regions[0]
    return _suite(policy, covered(policy, region))
