"""The in-process cases of the main interleaved group.

Each case builds its inputs untimed, times one operation kind over the seed
journey and checks afterwards that it did what it should (the stage reached,
the refusal raised), so no variant can look fast by doing less.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable

from benchmarks.journeys import JOURNEYS, T0, seed_journey, seed_refusals, trace, trigger_name
from benchmarks.references import REFERENCES
from benchmarks.timing import Case, Prepared
from facetcare import Pathway, Policy, Rejected
from facetcare import events as ev

#: ``now`` for `Pathway.due`: after every journey's last event.
NOW = T0 + dt.timedelta(days=800)


class Workload:
    """Sizes and shared inputs of one run (the seed journey and its derived data)."""

    def __init__(self, pathways: int, due_pathways: int, policy: Policy | None = None) -> None:
        self.pathways = pathways
        self.due_pathways = due_pathways
        self.policy = policy if policy is not None else Policy.seed()
        self.events = seed_journey()
        steps, self.end = trace(self.events, self.policy)
        self.triggers = [trigger_name(kind, branch) for kind, branch in steps]
        self.document = Pathway.replay(self.events, policy=self.policy).to_json()
        self.refusals = seed_refusals()


def _prefix(events: list[ev.Event], policy: Policy) -> Pathway:
    pathway = Pathway(policy=policy)
    for event in events:
        pathway.apply(event)
    return pathway


def apply_case(w: Workload) -> Case:
    """`Pathway.apply` of every seed event on fresh pathways (created untimed)."""
    def prepare() -> Prepared:
        pathways = [Pathway(policy=w.policy) for _ in range(w.pathways)]
        events = w.events

        def timed() -> int:
            for pathway in pathways:
                apply = pathway.apply
                for event in events:
                    apply(event)
            return len(pathways) * len(events)

        def check() -> None:
            assert all(str(p.stage) == w.end for p in pathways)
        return timed, check
    return prepare


def check_case(w: Workload) -> Case:
    """`Pathway.check` of each seed event in the stage it is applied in."""
    def prepare() -> Prepared:
        pairs = [(_prefix(w.events[:i], w.policy), e) for i, e in enumerate(w.events)]
        verdicts: list[bool] = []

        def timed() -> int:
            for _ in range(w.pathways):
                for pathway, event in pairs:
                    pathway.check(event)
            return w.pathways * len(pairs)

        def check() -> None:
            verdicts[:] = [bool(p.check(e)) for p, e in pairs]
            assert all(verdicts)
        return timed, check
    return prepare


def refusal_case(w: Workload) -> Case:
    """`apply` of a refused event (`Rejected` raised and caught), at every seed stage."""
    def prepare() -> Prepared:
        pairs = [(_prefix(w.events[:n], w.policy), e) for n, e, _ in w.refusals]
        lengths = [len(p.events) for p, _ in pairs]

        def timed() -> int:
            for _ in range(w.pathways):
                for pathway, event in pairs:
                    try:
                        pathway.apply(event)
                    except Rejected:  # the refusal is what is timed
                        continue
            return w.pathways * len(pairs)

        def check() -> None:
            assert [len(p.events) for p, _ in pairs] == lengths
        return timed, check
    return prepare


def correction_case(w: Workload) -> Case:
    """`apply` of an `EnteredInError` retracting the seed journey's last event.

    A correction is judged by replaying the effective history it leads to,
    so it costs about one replay of the pathway; reported, not a target.
    """
    last = w.events[-1]
    retract = ev.EnteredInError(at=last.at + dt.timedelta(minutes=5), seq=len(w.events) - 1,
                                reason="recorded on the wrong patient")

    def prepare() -> Prepared:
        pathways = [Pathway.replay(w.events, policy=w.policy) for _ in range(w.pathways)]

        def timed() -> int:
            for pathway in pathways:
                pathway.apply(retract)
            return len(pathways)

        def check() -> None:
            assert all(len(p.log) == len(w.events) + 1 and len(p.events) == len(w.events) - 1
                       for p in pathways)
        return timed, check
    return prepare


def from_json_case(w: Workload) -> Case:
    """`Pathway.from_json` of the seed pathway's document (parse, structure, replay)."""
    def prepare() -> Prepared:
        documents = [w.document] * w.pathways
        out: list[Pathway] = []

        def timed() -> int:
            load = Pathway.from_json
            for document in documents:
                out.append(load(document))
            return len(documents) * len(w.events)

        def check() -> None:
            assert all(str(p.stage) == w.end for p in out)
        return timed, check
    return prepare


def replay_case(w: Workload) -> Case:
    """`Pathway.replay` of the seed events (no JSON)."""
    def prepare() -> Prepared:
        out: list[Pathway] = []

        def timed() -> int:
            for _ in range(w.pathways):
                out.append(Pathway.replay(w.events, policy=w.policy))
            return w.pathways * len(w.events)

        def check() -> None:
            assert all(str(p.stage) == w.end for p in out)
        return timed, check
    return prepare


def start_case(w: Workload) -> Case:
    """`Pathway.start` with the default policy, distinct referrals made untimed."""
    def prepare() -> Prepared:
        referrals = [ev.Referred(at=T0, pathway_id=f"pw-{i}", patient_id=f"pt-{i}",
                                 region="lumbar") for i in range(w.pathways)]
        out: list[Pathway] = []

        def timed() -> int:
            start = Pathway.start
            for referral in referrals:
                out.append(start(referral))
            return len(referrals)

        def check() -> None:
            assert len(out) == len(referrals) and str(out[-1].stage) == "referred"
        return timed, check
    return prepare


def population(n: int, policy: Policy) -> list[Pathway]:
    """``n`` pathways spread over every stage: prefixes of all the benchmark journeys."""
    prefixes = [events[:k] for make in JOURNEYS.values()
                for events in [make()] for k in range(1, len(events) + 1)]
    built = []
    for events in itertools.islice(itertools.cycle(prefixes), n):
        pathway = Pathway(policy=policy)
        for event in events:
            pathway.apply(event)
        built.append(pathway)
    return built


def due_case(w: Workload, pathways: list[Pathway]) -> Case:
    """One pass of `Pathway.due(NOW)` over the whole population."""
    def prepare() -> Prepared:
        counts: list[int] = []

        def timed() -> int:
            counts.clear()
            for pathway in pathways:
                counts.append(len(pathway.due(NOW)))
            return len(pathways)

        def check() -> None:
            assert len(counts) == len(pathways) and sum(counts) > 0
        return timed, check
    return prepare


def reference_case(key: str, w: Workload) -> Case:
    """A reference engine running the seed journey's triggers on fresh models."""
    engine = REFERENCES[key]()

    def prepare() -> Prepared:
        handles = [engine.new() for _ in range(w.pathways)]
        triggers = w.triggers

        def timed() -> int:
            engine.run(handles, triggers)
            return len(handles) * len(triggers)

        def check() -> None:
            assert all(engine.state(h) == w.end for h in handles)
        return timed, check
    return prepare


CASES: dict[str, Callable[[Workload], Case]] = {
    "apply": apply_case,
    "check": check_case,
    "refusal": refusal_case,
    "correction": correction_case,
    "from_json": from_json_case,
    "replay": replay_case,
    "start": start_case,
}
