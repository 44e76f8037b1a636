"""facetcare against reference engines, in one run: figures, ratios and targets.

Sections:

1. verify: every reference (R1 dict FSM, R2 bare transitions, R3
   python-statemachine) accepts the benchmark journeys and ends in the same
   stage as facetcare; the run stops otherwise.
2. main group, interleaved: facetcare `apply`, `check`, refusal, `from_json`,
   `replay`, `start`, `due` (and simulation when available) against R1–R3,
   all on the seed journey.
3. creation with 1,000 vs 1,000,000 live pathways (fresh process).
4. memory per live pathway (fresh process, tracemalloc).
5. simulation (``speedup``, ``summarize``): speed-up on 2 worker processes
   with a pure-Python control; streaming memory at scale.
6. baseline: `from_json` + replay and `apply` against the first release, in
   two worker processes timed alternately (benchmarks/baseline.py).

Every target is printed as "measured / target / PASS|FAIL".
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import platform
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from typing import Any, TextIO

from benchmarks import cases, children, simulation
from benchmarks.journeys import JOURNEYS, trace, trigger_name
from benchmarks.references import REFERENCES
from benchmarks.timing import Figure, Target, interleave, ratio, spread


@dataclass(frozen=True)
class Config:
    """Sizes of one run."""

    label: str
    pathways: int  # pathways (or documents) per case per round
    rounds: int
    due_pathways: int
    create_small: int
    create_large: int
    create_batch: int
    create_rounds: int
    memory_n: int
    memory_journey_n: int
    sim_journeys: int  # per round in the main group
    sim_worker_seconds: float  # least work per worker in the speed-up test
    sim_chunk: int | None  # None: the library's default chunk size
    sim_speedup_rounds: int
    sim_memory_small: int
    sim_memory_large: int

    @classmethod
    def full(cls) -> Config:
        return cls("full", pathways=1000, rounds=15, due_pathways=100_000,
                   create_small=1000, create_large=1_000_000, create_batch=2000,
                   create_rounds=15, memory_n=100_000, memory_journey_n=20_000,
                   sim_journeys=300, sim_worker_seconds=2.0, sim_chunk=None, sim_speedup_rounds=3,
                   sim_memory_small=100_000, sim_memory_large=1_000_000)

    @classmethod
    def quick(cls) -> Config:
        return cls("quick (scaled down)", pathways=150, rounds=5, due_pathways=10_000,
                   create_small=1000, create_large=100_000, create_batch=1000,
                   create_rounds=7, memory_n=10_000, memory_journey_n=2000,
                   sim_journeys=60, sim_worker_seconds=0.5, sim_chunk=None,
                   sim_speedup_rounds=1, sim_memory_small=2500, sim_memory_large=25_000)

    @classmethod
    def tiny(cls) -> Config:
        """For the harness's own tests: every code path, no meaningful numbers."""
        return cls("tiny (harness test only)", pathways=3, rounds=1, due_pathways=40,
                   create_small=20, create_large=60, create_batch=10, create_rounds=2,
                   memory_n=50, memory_journey_n=10, sim_journeys=2,
                   sim_worker_seconds=0.01, sim_chunk=2, sim_speedup_rounds=1,
                   sim_memory_small=4, sim_memory_large=8)


def environment() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info
                       if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    versions = {}
    for name in ("facetcare", "transitions", "python-statemachine", "attrs", "cattrs"):
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return {"cpu": cpu, "cores": os.cpu_count(), "python": sys.version.split()[0],
            "implementation": platform.python_implementation(),
            "platform": platform.platform(), "libraries": versions}


class Report:
    """Collects figures, ratios and targets; prints as it goes."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.data: dict[str, Any] = {"figures": {}, "ratios": {}, "targets": [], "info": {}}
        self.targets: list[Target] = []

    def say(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    def figure(self, name: str, figure: Figure) -> None:
        self.data["figures"][name] = figure.as_dict()
        self.say(f"  {name:<62} {figure}")

    def ratio(self, name: str, value: float, low_high: tuple[float, float] | None = None) -> None:
        self.data["ratios"][name] = value
        extra = f"  (per-round p25–p75 {low_high[0]:.2f}–{low_high[1]:.2f})" if low_high else ""
        self.say(f"  {name:<30} {value:8.2f}×{extra}")

    def info(self, name: str, value: Any) -> None:
        self.data["info"][name] = value

    def target(self, target: Target) -> None:
        self.targets.append(target)
        self.data["targets"].append(target.as_dict())
        self.say("  " + target.line())


# -- sections -----------------------------------------------------------------


def verify(report: Report) -> None:
    report.say("\n## 1. references agree with facetcare (same table, same journeys)")
    engines = {key: make() for key, make in REFERENCES.items()}
    for name, make in JOURNEYS.items():
        steps, end = trace(make())
        triggers = [trigger_name(kind, branch) for kind, branch in steps]
        for key, engine in engines.items():
            handle = engine.new()
            for trigger in triggers:
                engine.fire(handle, trigger)
            if engine.state(handle) != end:
                raise AssertionError(f"{key} ends {name} in {engine.state(handle)}, not {end}")
        report.say(f"  {name:<28} {len(steps):3d} events → {end:<18} R1 R2 R3 agree")


def main_group(config: Config, report: Report) -> dict[str, list[float]]:
    report.say(f"\n## 2. per-operation cost, seed journey ({config.pathways} pathways per case "
               f"per round, {config.rounds} interleaved rounds, shuffled)")
    work = cases.Workload(config.pathways, config.due_pathways)
    group = {name: make(work) for name, make in cases.CASES.items()}
    group["due"] = cases.due_case(work, cases.population(config.due_pathways, work.policy))
    for key in REFERENCES:
        group[key] = cases.reference_case(key, work)
    sim = simulation.available()
    if sim:
        group["simulate"] = simulation.events_case(config.sim_journeys)
        group["sim_replay"] = simulation.replay_case(config.sim_journeys)
    samples = interleave(group, config.rounds)

    labels = {
        "apply": "facetcare apply(), per event",
        "check": "facetcare check(), per event",
        "refusal": "facetcare refusal (Rejected raised+caught)",
        "correction": "facetcare correction (EnteredInError of the last event)",
        "from_json": "facetcare from_json + replay, per event",
        "replay": "facetcare replay (no JSON), per event",
        "start": "facetcare Pathway.start (default policy)",
        "due": f"facetcare due(now), per pathway ({config.due_pathways:,})",
        "simulate": "facetcare.simulation, per simulated event",
        "sim_replay": "replay of the simulated journeys, per event",
    } | {key: f"{engine.label}, per event" for key, engine in REFERENCES.items()}
    for name in samples:
        report.figure(labels[name], Figure.of(samples[name]))

    report.say("\n  ratios (median of per-round ratios):")
    shown = [("apply", "R1"), ("apply", "R2"), ("R3", "apply"), ("R3", "R2"), ("R2", "R1"),
             ("check", "apply"), ("refusal", "apply"), ("correction", "apply"),
             ("correction", "replay"), ("from_json", "apply"),
             ("replay", "apply"), ("start", "apply"), ("due", "apply")]
    if sim:
        shown += [("simulate", "apply"), ("sim_replay", "apply"), ("simulate", "sim_replay")]
    for a, b in shown:
        report.ratio(f"{a} / {b}", ratio(samples, a, b), spread(samples, a, b))
    return samples


def main_targets(samples: dict[str, list[float]], report: Report) -> None:
    report.say("\n  targets:")
    report.target(Target("apply() per event / R2 bare transitions",
                          ratio(samples, "apply", "R2"), 1.5))
    report.target(Target("R3 python-statemachine / apply() (apply faster by)",
                          ratio(samples, "R3", "apply"), 6.0, at_most=False))
    report.target(Target("check() per event / apply() per event",
                          ratio(samples, "check", "apply"), 1.0))
    report.target(Target("refusal (Rejected raised and caught) / apply()",
                          ratio(samples, "refusal", "apply"), 2.0))
    report.target(Target("from_json + replay per event / apply() per event",
                          ratio(samples, "from_json", "apply"), 1.5))
    report.target(Target("due(now) per pathway (one pass) / one apply()",
                          ratio(samples, "due", "apply"), 2.0))
    if "simulate" in samples:
        report.target(Target("simulation per simulated event / apply() per event",
                              ratio(samples, "simulate", "apply"), 2.0))


def creation(config: Config, report: Report) -> None:
    report.say(f"\n## 3. Pathway.start with {config.create_small:,} vs {config.create_large:,} "
               f"live pathways (fresh process; batches of {config.create_batch:,}, "
               f"median of {config.create_rounds})")
    got = children.spawn("create", small=config.create_small, large=config.create_large,
                         batch=config.create_batch, rounds=config.create_rounds)
    report.info("create", got)
    small, large = Figure.of(got["at_small_s"]), Figure.of(got["at_large_s"])
    report.figure(f"start, {config.create_small:,} live", small)
    report.figure(f"start, {config.create_large:,} live", large)
    report.say(f"  bulk build, per pathway, cyclic-GC collections included: first "
               f"{config.create_small:,} {got['build_small_per_s'] * 1e6:.2f} µs, up to "
               f"{config.create_large:,} {got['build_large_per_s'] * 1e6:.2f} µs "
               f"({got['build_large_per_s'] / got['build_small_per_s']:.2f}×, not a target)")
    report.target(Target(f"start cost with {config.create_large:,} live / with "
                         f"{config.create_small:,} live", got["ratio"], 1.2))


def memory(config: Config, report: Report) -> None:
    report.say(f"\n## 4. memory per live pathway (fresh process, tracemalloc, "
               f"{config.memory_n:,} pathways)")
    got = children.spawn("memory", n=config.memory_n, journey_n=config.memory_journey_n)
    report.info("memory", got)
    report.say(f"  started, excluding its Referred event    {got['started']:8.0f} B "
               f"(RSS delta {got['started_rss']:.0f} B)")
    report.say(f"  started, including its Referred event    {got['with_referral']:8.0f} B")
    report.say(f"  after the {got['seed_journey_events']}-event seed journey, excluding events "
               f"{got['seed_journey']:8.0f} B ({config.memory_journey_n:,} pathways)")
    report.target(Target("retained bytes per started pathway (events excluded)",
                         got["started"], 1024, unit=" B"))


def against_first_release(config: Config, report: Report) -> None:
    from benchmarks import baseline

    rounds = max(config.rounds * 2, 3)
    report.say(f"\n## 6. against the first release ({baseline.FIRST_RELEASE}), two worker "
               f"processes, {rounds} rounds of {config.pathways:,} pathways, alternating")
    got = baseline.compare(rounds, config.pathways)
    report.info("baseline", got)
    if "skipped" in got:
        report.say(f"  skipped: {got['skipped']}")
        return
    for kind in baseline.KINDS:
        row = got[kind]
        report.say(f"  {kind:<10} now {row['now_us']:8.3f} µs, first release "
                   f"{row['before_us']:8.3f} µs per event: {row['ratio']:.3f}× "
                   f"(per-round p25–p75 {row['p25']:.3f}–{row['p75']:.3f})")
    report.target(Target("control: R2 in this process / R2 in the other (≈ 1)",
                         got["R2"]["ratio"], 1.10))
    report.target(Target("from_json + replay per event / first release",
                         got["from_json"]["ratio"], 1.05))
    report.target(Target("apply() per event / first release", got["apply"]["ratio"], 1.05))


SECTIONS: dict[str, Callable[[Config, Report], Any]] = {
    "creation": creation,
    "memory": memory,
    "baseline": against_first_release,
}


ALL_SECTIONS = ("main", "creation", "memory", "speedup", "summarize", "baseline")


def run(config: Config, out: TextIO | None = None, json_path: str | None = None,
        sections: tuple[str, ...] = ALL_SECTIONS) -> Report:
    report = Report(out if out is not None else sys.stdout)
    env = environment()
    report.data["environment"] = env
    report.data["config"] = asdict(config)
    report.say(f"# facetcare benchmarks: {config.label}")
    report.say(f"# CPU {env['cpu']}, {env['cores']} cores; {env['implementation']} "
               f"{env['python']} on {env['platform']}")
    report.say("# " + ", ".join(f"{k} {v}" for k, v in env["libraries"].items()))
    verify(report)
    if "main" in sections:
        main_targets(main_group(config, report), report)
    for name, section in SECTIONS.items():
        if name in sections:
            section(config, report)
    if "speedup" in sections or "summarize" in sections:
        simulation.section(config, report, sections)
    report.say("\n## targets")
    for target in report.targets:
        report.say("  " + target.line())
    failed = [t for t in report.targets if not t.passed]
    report.say(f"\n{len(report.targets) - len(failed)} of {len(report.targets)} targets pass"
               + (f"; failing: {', '.join(t.name for t in failed)}" if failed else ""))
    if json_path:
        with open(json_path, "w") as f:
            json.dump(report.data, f, indent=1, default=str)
    return report


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        result = children.CHILDREN[argv[1]](**json.loads(argv[2]))
        print(json.dumps(result))
        return 0
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="a 1–2 minute smoke run with scaled-down sizes (labelled)")
    parser.add_argument("--tiny", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--json", metavar="FILE", help="also write every result to FILE")
    parser.add_argument("--rounds", type=int, help="rounds of the interleaved group")
    parser.add_argument("--sections", default=",".join(ALL_SECTIONS),
                        help="comma-separated subset of: " + ", ".join(ALL_SECTIONS))
    args = parser.parse_args(argv)
    config = Config.tiny() if args.tiny else Config.quick() if args.quick else Config.full()
    if args.rounds:
        config = replace(config, rounds=args.rounds)
    run(config, json_path=args.json, sections=tuple(args.sections.split(",")))
    return 0
