#!/usr/bin/env python3
"""A seeded fuzz campaign over documents, event logs, policies and event streams.

    .venv/bin/python benchmarks/fuzz.py                      # make fuzz: 100,000+ examples
    .venv/bin/python benchmarks/fuzz.py --examples 2000      # a short run

Each target is a Hypothesis property run for its share of ``--examples``
(`TARGETS`) with a fixed seed (so a run is repeatable), no example database and
no deadline. The contract checked everywhere: a reader raises nothing but
`PathwayError`; what it accepts round-trips to the same value and bytes; an
event the rules refuse changes nothing. The run prints, per target, the
examples run, the failures (with the falsifying example) and the time.
Exit code 1 if anything failed.
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import contextlib

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

import facetcare as fc
import facetcare.testing as fct
from facetcare import documents
from facetcare.documents.signing import chain

POLICIES = (fc.Policy.seed(), fc.Policy.medicare_l38803(), fc.Policy.consensus_2020())


def _base_documents() -> list[str]:
    """Real documents at many stages: every journey the kit's scripted paths reach."""
    found = []
    for policy in POLICIES:
        for path in fct.paths(policy).paths[:12]:
            pathway = fc.Pathway(policy=policy)
            for event in path.events:
                try:
                    pathway.apply(event)
                except fc.Rejected:
                    break
            if pathway.events:
                found.append(pathway.to_json())
    return found


BASES = _base_documents()

#: Replacement values: every JSON type, near misses, and the catalogue's hostile ones.
SWAPS: list[object] = [
    "8", 8, 0, -1, 11, 10**30, 8.0, 90.5, 0.0, -0.0, True, False, None, "", " ", "x",
    "left", "lumbar", "L4-L5", "L6-S1", "4/5", "1/0", "1e-99999999", "\u202e", "\u200b",
    "pw\x00", "2026-03-09T10:00:00+00:00", "9999-12-31T23:59:59+00:00", "2026-03-09T10:00:00",
    "Referred", "BlockScheduled", [], {}, [{}], {"joint": "L4-L5", "side": "left"},
    3600000000, 10**18, "facetcare/pathway@1", "facetcare/pathway@01", 1,
]
KEYS: list[str] = ["room", "type", "at", "joint", "side", "version", "chain", "signature",
                   "name", "schema", "events", "policy", ""]


def _nodes(node: object, path: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    found = [path]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _nodes(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _nodes(value, (*path, index))
    return found


def _mutate(data: st.DataObject, original: object) -> object:
    node = copy.deepcopy(original)
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(_nodes(node)))
        parent: Any = node
        for key in path[:-1]:
            parent = parent[key]
        action = data.draw(st.sampled_from(["drop", "add", "swap", "duplicate"]))
        value = copy.deepcopy(data.draw(st.sampled_from(SWAPS)))
        target = parent[path[-1]] if path else node
        if action == "add" and isinstance(target, dict):
            target[data.draw(st.sampled_from(KEYS))] = value
        elif action == "duplicate" and isinstance(target, list) and target:
            target.append(copy.deepcopy(target[data.draw(st.integers(0, len(target) - 1))]))
        elif action == "drop" and path:
            del parent[path[-1]]
        elif path:
            parent[path[-1]] = value
        else:
            node = value
    return node


def _forge(document: object) -> object:
    """Recompute the chain, so a mutation reaches the rules (a forger without a key)."""
    if isinstance(document, dict) and "policy" in document and "events" in document:
        with contextlib.suppress(TypeError, ValueError, KeyError, AttributeError):
            document["chain"] = chain(documents.canonical(document["policy"]),
                                      map(documents.canonical, document["events"]))
    return document


def _accepted_round_trips(pathway: fc.Pathway) -> None:
    text = pathway.to_json()
    again = fc.Pathway.from_json(text)
    assert again == pathway and again.to_json() == text, "accepted but not stable"


# -- targets ----------------------------------------------------------------------------


def documents_target(data: st.DataObject) -> None:
    """Structural mutations of real documents, chain forged half the time."""
    original = json.loads(data.draw(st.sampled_from(BASES)))
    document = _mutate(data, original)
    if data.draw(st.booleans()):
        document = _forge(document)
    text = json.dumps(document, ensure_ascii=data.draw(st.booleans()))
    try:
        pathway = fc.Pathway.from_json(text)
    except fc.PathwayError:
        return
    _accepted_round_trips(pathway)


def bytes_target(data: st.DataObject) -> None:
    """Byte flips, insertions and deletions in real documents: refused unless harmless."""
    original = data.draw(st.sampled_from(BASES)).encode()
    raw = bytearray(original)
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, max(len(raw) - 1, 0)))
        action = data.draw(st.sampled_from(["flip", "insert", "delete"]))
        byte = data.draw(st.integers(0, 255))
        if action == "flip" and raw:
            raw[at] = byte
        elif action == "insert":
            raw.insert(at, byte)
        elif raw:
            del raw[at]
    try:
        pathway = fc.Pathway.from_json(bytes(raw))
    except fc.PathwayError:
        return
    assert pathway == fc.Pathway.from_json(original), "an edit was accepted as another value"


def jsonl_target(data: st.DataObject) -> None:
    """Mutated event logs as JSON Lines."""
    events = json.loads(data.draw(st.sampled_from(BASES)))["events"]
    mutated = _mutate(data, events)
    lines = mutated if isinstance(mutated, list) else [mutated]
    separator = data.draw(st.sampled_from(["\n", "\r\n", "\n\n", "\u2028", "\x85"]))
    text = separator.join(json.dumps(line, ensure_ascii=False) for line in lines)
    try:
        read = documents.load_events_jsonl(text)
    except fc.PathwayError:
        return
    assert documents.load_events_jsonl(documents.dump_events_jsonl(read)) == read


def policies_target(data: st.DataObject) -> None:
    """Mutated policy objects through `load_policy`."""
    policy = json.loads(data.draw(st.sampled_from(BASES)))["policy"]
    mutated = _mutate(data, policy)
    try:
        read = documents.load_policy(mutated)
    except fc.PathwayError:
        return
    assert documents.load_policy(documents.dump_policy(read)) == read


def streams_target(data: st.DataObject) -> None:
    """Arbitrary event streams: a refusal changes nothing; the end state round-trips."""
    policy = data.draw(st.sampled_from(POLICIES))
    pathway = fc.Pathway(policy=policy)
    for event in data.draw(st.lists(fct.events(), max_size=8)):
        before = (pathway.events, pathway.to_json() if pathway.events else "")
        verdict = pathway.check(event)
        try:
            pathway.apply(event)
        except fc.Rejected:
            assert not verdict.allowed
            assert (pathway.events, pathway.to_json() if pathway.events else "") == before
            continue
        assert verdict.allowed
    if pathway.events:
        _accepted_round_trips(pathway)


def journeys_target(data: st.DataObject) -> None:
    """Valid journeys: accepted, and their documents survive byte-identical."""
    policy = data.draw(st.sampled_from(POLICIES))
    events = data.draw(fct.journeys(policy))
    _accepted_round_trips(fc.Pathway.replay(events, policy=policy))


#: Each target and its share of the examples: readers are cheap and get most;
#: streams and journeys build pathways event by event and get fewer.
TARGETS: dict[str, tuple[Callable[[st.DataObject], None], float]] = {
    "documents": (documents_target, 0.35),
    "bytes": (bytes_target, 0.30),
    "jsonl": (jsonl_target, 0.15),
    "policies": (policies_target, 0.15),
    "streams": (streams_target, 0.04),
    "journeys": (journeys_target, 0.01),
}


def run_target(name: str, examples: int, campaign_seed: int) -> tuple[int, list[str], float]:
    """Run one target; (examples run, failures, seconds)."""
    ran = [0]
    target = TARGETS[name][0]

    def body(data: st.DataObject) -> None:
        ran[0] += 1
        target(data)

    test = seed(campaign_seed)(settings(
        max_examples=examples, database=None, deadline=None,
        phases=[Phase.generate, Phase.shrink], print_blob=False,
        suppress_health_check=list(HealthCheck),
    )(given(data=st.data())(body)))
    failures: list[str] = []
    start = time.perf_counter()
    try:
        test()
    except Exception as error:  # the falsifying example, already shrunk
        failures.append(f"{type(error).__name__}: {str(error)[:2000]}")
    return ran[0], failures, time.perf_counter() - start


def campaign(examples: int, campaign_seed: int = 20260301,
             targets: tuple[str, ...] = tuple(TARGETS),
             out: Callable[[str], None] = print) -> tuple[int, int]:
    """Run every target; returns (examples run, failures)."""
    shares = sum(TARGETS[name][1] for name in targets)
    total_run, total_failed = 0, 0
    started = time.perf_counter()
    out(f"fuzz campaign: seed {campaign_seed}, {examples:,} examples asked, "
        f"{len(BASES)} base documents")
    for name in targets:
        each = max(1, round(examples * TARGETS[name][1] / shares))
        ran, failures, seconds = run_target(name, each, campaign_seed)
        total_run += ran
        total_failed += len(failures)
        out(f"  {name:<10} {ran:>8,} examples  {len(failures)} failure(s)  {seconds:7.1f} s")
        for failure in failures:
            out("    " + failure.replace("\n", "\n    "))
    out(f"total: {total_run:,} examples, {total_failed} failure(s), "
        f"{time.perf_counter() - started:.1f} s")
    return total_run, total_failed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=int, default=100_000,
                        help="examples in all (split between the targets by their shares)")
    parser.add_argument("--seed", type=int, default=20260301)
    parser.add_argument("--targets", default=",".join(TARGETS),
                        help="comma-separated subset of: " + ", ".join(TARGETS))
    args = parser.parse_args(argv)
    random.seed(args.seed)
    _, failed = campaign(args.examples, args.seed, tuple(args.targets.split(",")))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
