"""The benchmark harness itself: references agree with facetcare, the machinery runs.

No timing is asserted anywhere: these tests check that the references
accept exactly the journeys facetcare accepts and end in the same stage, and
that every section of the harness runs on a tiny configuration.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from facetcare import Pathway, Policy, Rejected, Stage
from facetcare.machine import PATHWAY, START

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import cases, harness, journeys
from benchmarks.references import REFERENCES, ROWS, InvalidTrigger

ENGINES = {key: make() for key, make in REFERENCES.items()}


def _triggers(events: list | tuple, policy: Policy | None = None) -> tuple[list[str], str]:
    steps, end = journeys.trace(events, policy)
    return [journeys.trigger_name(kind, branch) for kind, branch in steps], end


@pytest.mark.parametrize("key", sorted(ENGINES))
@pytest.mark.parametrize("name", sorted(journeys.JOURNEYS))
def test_reference_follows_facetcare(key: str, name: str) -> None:
    events = journeys.JOURNEYS[name]()
    triggers, end = _triggers(events)
    engine = ENGINES[key]
    pathway = Pathway()
    handle = engine.new()
    assert engine.state(handle) == START
    for event, trigger in zip(events, triggers, strict=True):
        engine.fire(handle, trigger)
        assert engine.state(handle) == str(pathway.apply(event)), trigger
    assert engine.state(handle) == end
    # The timed loop reaches the same stage as firing one by one.
    handles = [engine.new(), engine.new()]
    engine.run(handles, triggers)
    assert [engine.state(h) for h in handles] == [end, end]


@pytest.mark.parametrize("key", sorted(ENGINES))
def test_reference_refuses_what_the_table_does_not_allow(key: str) -> None:
    engine = ENGINES[key]
    handle = engine.new()
    with pytest.raises(InvalidTrigger):
        engine.fire(handle, "PainReturned")
    engine.fire(handle, "Referred")
    with pytest.raises(InvalidTrigger):
        engine.fire(handle, "ReliefAssessed_positive")
    assert engine.state(handle) == Stage.REFERRED


def test_references_hold_every_pathway_row() -> None:
    assert len(ROWS) == sum(len(step.sources) for step in PATHWAY)
    assert len(ENGINES["R1"].table) == len(ROWS)
    assert set(ENGINES["R2"].machine.events) == {trigger for trigger, _, _ in ROWS}


def test_journeys_cover_every_pathway_row() -> None:
    fired = set()
    for make in journeys.JOURNEYS.values():
        events = make()
        steps, _ = journeys.trace(events)
        origin = START
        pathway = Pathway()
        for event, (kind, branch) in zip(events, steps, strict=True):
            fired.add((journeys.trigger_name(kind, branch), origin))
            origin = str(pathway.apply(event))
    kinds = {trigger for trigger, _ in fired}
    # Every event kind and every branch appears; not every source of Withdrawn/Closed.
    # Nor every origin a cancelled visit returns to (staged care: follow-up, relief).
    returns = ("_block", "_neurotomy", "_no_relief", "_recurrence", "_follow_up",
               "_sustained_relief")
    assert kinds >= {trigger for trigger, _, _ in ROWS
                     if not any(origin in trigger for origin in returns)}


def test_seed_journey_is_the_full_pathway() -> None:
    events = journeys.seed_journey()
    stages = [str(s) for s in Pathway.replay(events[:1]).events and
              [Pathway.replay(events[: i + 1]).stage for i in range(len(events))]]
    assert len(events) == 13
    for stage in ("block_positive", "follow_up", "sustained_relief", "recurrence"):
        assert stage in stages
    assert stages[-1] == "recurrence"


def test_refusals_are_refused_and_change_nothing() -> None:
    seed = journeys.seed_journey()
    for n, event, codes in journeys.seed_refusals():
        pathway = Pathway.replay(seed[:n]) if n else Pathway()
        before = pathway.events
        with pytest.raises(Rejected) as refused:
            pathway.apply(event)
        assert refused.value.codes == codes
        assert pathway.events == before


def test_population_spreads_over_stages() -> None:
    pathways = cases.population(200, Policy.seed())
    assert len(pathways) == 200
    assert len({p.stage for p in pathways}) >= 12
    assert all(isinstance(p.due(cases.NOW), tuple) for p in pathways)


def _hypothesis_journeys():  # type: ignore[no-untyped-def]
    try:
        from facetcare.testing import journeys as strategy
    except Exception:  # the kit is optional here
        return None
    return strategy


@pytest.mark.skipif(_hypothesis_journeys() is None, reason="facetcare.testing not importable")
@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(data=__import__("hypothesis").strategies.data())
def test_references_follow_generated_journeys(data) -> None:  # type: ignore[no-untyped-def]
    policy = data.draw(__import__("hypothesis").strategies.sampled_from(
        list(Policy.profiles().values())))
    events = list(data.draw(_hypothesis_journeys()(policy, max_steps=25)))
    triggers, end = _triggers(events, policy)
    for engine in ENGINES.values():
        handle = engine.new()
        for trigger in triggers:
            engine.fire(handle, trigger)
        assert engine.state(handle) == end


def test_harness_runs_a_tiny_configuration(tmp_path: Path) -> None:
    out = io.StringIO()
    path = tmp_path / "bench.json"
    report = harness.run(harness.Config.tiny(), out=out, json_path=str(path))
    text = out.getvalue()
    saved = json.loads(path.read_text())
    assert "R1 R2 R3 agree" in text
    assert " / ≤ " in text and ("PASS" in text or "FAIL" in text)
    assert saved["environment"]["cores"] >= 1
    assert len(saved["targets"]) == len(report.targets) >= 8
    assert all(isinstance(t["passed"], bool) for t in saved["targets"])


def test_command_line_quick_machinery(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bench.json"
    assert harness.main(["--tiny", "--sections", "main", "--json", str(path)]) == 0
    assert "targets pass" in capsys.readouterr().out
    assert json.loads(path.read_text())["config"]["label"].startswith("tiny")


def test_the_first_release_comparison_measures_both_sides_or_says_why() -> None:
    from benchmarks import baseline

    missing = baseline.compare(1, 2, rev="0" * 40)
    assert "0000000000" in missing["skipped"]
    got = baseline.compare(2, 3)
    if "skipped" in got:  # a clone without the first release's commit
        pytest.skip(got["skipped"])
    for kind in baseline.KINDS:
        assert got[kind]["now_us"] > 0 and got[kind]["before_us"] > 0
        assert got[kind]["ratio"] > 0
