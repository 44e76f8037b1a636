"""Model-based path coverage: a concrete path for every transition and guard outcome.

Graph tools walk states and events and stop at guards and timers; here
the time windows are the point. Transition paths come from a breadth-first
search over canonical journeys: each node is a real pathway, each edge
one canonical step for one row of the transition table, kept only if the
rules accept it and it takes that row. Guard paths come from small
witness builders (`facetcare.testing._checks`) that stand right at each
boundary. The report is then measured by replaying every path, not
assumed from how it was built.
"""

from __future__ import annotations

import collections
import functools
from collections.abc import Callable, Iterator

import attrs

from facetcare import events as ev
from facetcare.anatomy import Region, Side
from facetcare.errors import Reason, Rejected
from facetcare.machine import PATHWAY, START, Stage
from facetcare.pathway import Pathway
from facetcare.policy import Policy
from facetcare.testing._checks import CHECKS
from facetcare.testing._report import CoverageReport, Metric
from facetcare.testing._script import BASELINE, DAY, Script, ScriptError

__all__ = ["Outcome", "Path", "PathSuite", "paths"]

#: Every row of the transition table: (event type, source state, destination state).
ROWS: tuple[tuple[type[ev.Event], str, str], ...] = tuple(
    (step.event, source, step.dest or source) for step in PATHWAY for source in step.sources
)


def transition_key(kind: str, source: str, dest: str) -> str:
    return f"{kind}: {source} → {dest}"


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


# -- transitions: breadth-first over canonical steps -----------------------------------------

_MAKERS: dict[type[ev.Event], Callable[[Script], ev.Event]] = {
    ev.Referred: Script.referral,
    ev.BlockScheduled: Script.book_block,
    ev.NeurotomyScheduled: Script.book_neurotomy,
    ev.CheckedIn: Script.check_in,
    ev.BlockPerformed: Script.perform_block,
    ev.NeurotomyPerformed: Script.perform_neurotomy,
    ev.Discharged: Script.discharge,
    ev.ReliefDiaryRecorded: Script.diary,
    ev.ReliefAssessed: Script.assess,
    ev.FollowUpRecorded: Script.follow_up,
    ev.PainReturned: Script.pain_returned,
    ev.VisitCancelled: Script.cancel,
    ev.VisitMissed: Script.miss,
    ev.Closed: Script.close,
    ev.Withdrawn: Script.withdraw,
    ev.PolicyChanged: Script.change_policy,
}


def _take(s: Script, kind: type[ev.Event], dest: str) -> None:
    """One canonical step meant to take the row ``kind`` → ``dest``."""
    if kind is ev.ReliefAssessed and dest == Stage.BLOCK_POSITIVE:
        s.do(s.diary(0))
    if kind is ev.FollowUpRecorded and s.stage == Stage.FOLLOW_UP:
        if dest == Stage.NO_RELIEF:
            s.not_relieved()
        elif dest == Stage.FOLLOW_UP:
            s.do(s.follow_up(BASELINE, at=s.last + DAY))
        else:
            s.do(s.follow_up(0))
        return
    s.do(_MAKERS[kind](s))


def _signature(s: Script) -> tuple[object, ...]:
    """What distinguishes pathways in one stage for the steps that follow."""
    f = s.facts
    return (f.state, f.open_visit.origin if f.open_visit else None,
            min(f.positive_blocks, s.policy.blocks_required), min(len(f.neurotomy_times), 1))


def _results_per_target(policy: Policy, region: Region) -> list[Script]:
    """Starts the canonical steps cannot reach: a negative block elsewhere after the
    primary joint was confirmed (block_negative, still confirmed), and both sides
    confirmed with the left treated (follow_up, the right side still to treat)."""
    starts = []
    try:
        negative = Script(policy, region).refer().positive()
        starts.append(negative.block(False, targets=(negative.other(),)))
    except ScriptError:
        pass
    try:
        both = Script(policy, region).refer()
        both.positive(targets=(both.target(), both.target(Side.RIGHT)))
        starts.append(both.neurotomy(targets=(both.target(),)))
    except ScriptError:
        pass
    return starts


def _transition_paths(policy: Policy, region: Region) -> list[Path]:
    found: dict[tuple[type[ev.Event], str, str], tuple[ev.Event, ...]] = {}
    start = Script(policy, region)
    queue = collections.deque([start, *_results_per_target(policy, region)])
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
    return [
        Path(f"transition {transition_key(kind.__name__, source, dest)}", found[row],
             Stage(dest), None, policy)
        for row in ROWS if row in found
        for kind, source, dest in [row]
    ]


# -- the suite ------------------------------------------------------------------------------------


def _check_paths(
    policy: Policy, region: Region
) -> tuple[list[Path], list[tuple[str, str]], list[tuple[str, str]], list[str], list[str]]:
    built: list[Path] = []
    uncoverable: list[tuple[str, str]] = []
    broken: list[tuple[str, str]] = []
    guard_keys: list[str] = []
    branch_keys: list[str] = []
    for check in CHECKS:
        why = check.why_not(policy)
        if why is not None:
            uncoverable.append((check.name, why))
            continue
        (branch_keys if check.branch else guard_keys).extend(check.keys())
        try:
            cases = check.cases(policy, region)
        except ScriptError as error:
            broken.append((check.name, f"could not build: {error}"))
            continue
        for case, key in zip(cases, check.keys(), strict=True):
            built.append(Path(f"{key} ({case.note})", case.events, case.stage, case.refused,
                              policy, (key,)))
    return built, uncoverable, broken, guard_keys, branch_keys


def _describe(outcome: Outcome) -> str:
    if outcome.accepted:
        return f"accepted into {outcome.stage}"
    return f"refused: {', '.join(outcome.codes)}"


def _measure(
    policy: Policy, region: Region, all_paths: list[Path], *,
    uncoverable: list[tuple[str, str]], broken: list[tuple[str, str]],
    guard_keys: list[str], branch_keys: list[str],
) -> CoverageReport:
    stages: set[str] = set()
    rows: set[str] = set()
    keys: set[str] = set()
    failures = list(broken)
    for path in all_paths:
        try:
            outcome = path.run()
        except Rejected as refused:
            failures.append((path.name, f"event {refused.index} refused: {refused}"))
            continue
        if not path.holds(outcome):
            failures.append((path.name, f"expected {path.refused or path.stage}, "
                                        f"got {_describe(outcome)}"))
            continue
        if outcome.transition is not None and outcome.stage is not None:
            stages.add(str(outcome.stage))
            rows.add(outcome.transition)
        keys.update(path.covers)

    def metric(name: str, items: list[str], done: set[str]) -> Metric:
        return Metric(name, tuple(i for i in items if i in done),
                      tuple(i for i in items if i not in done))

    all_rows = [transition_key(kind.__name__, source, dest) for kind, source, dest in ROWS]
    return CoverageReport(
        policy=policy.name,
        region=str(region),
        paths=len(all_paths),
        stages=metric("stages", [str(s) for s in Stage], stages),
        transitions=metric("transitions", all_rows, rows),
        guards=metric("guard outcomes", guard_keys, keys),
        branches=metric("branch edges", branch_keys, keys),
        not_coverable=tuple(uncoverable),
        failures=tuple(failures),
    )


@functools.lru_cache(maxsize=16)
def _suite(policy: Policy, region: Region) -> PathSuite:
    transitions = _transition_paths(policy, region)
    checked, uncoverable, broken, guard_keys, branch_keys = _check_paths(policy, region)
    everything = transitions + checked
    report = _measure(policy, region, everything, uncoverable=uncoverable, broken=broken,
                      guard_keys=guard_keys, branch_keys=branch_keys)
    return PathSuite(policy, region, tuple(everything), report)


def paths(policy: Policy | None = None, region: Region | str = Region.LUMBAR) -> PathSuite:
    """Minimal concrete paths covering ``policy``'s pathway, and the coverage report.

    One path per row of the transition table (every event, source stage and
    computed branch), shortest first; two per guard that can apply under the
    policy (refused at the boundary, passing at it: relief assessed at
    3 h 59 min and 4 h, diary entries at 6 h 1 min and 6 h, discharge at
    59 and 60 min, recovery at 29 and 30 min, caps and intervals one second
    either side); two per computed-branch edge (relief exactly at the
    threshold and one point below; follow-up at 21 d and 21 d + 1 s).
    """
    return _suite(policy or Policy.seed(), Region(region))
