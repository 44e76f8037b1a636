"""One side of `benchmarks/baseline.py`: times a round on request, for one checkout.

Run as ``python _baseline_worker.py CHECKOUT PATHWAYS``; it imports
``facetcare`` and ``benchmarks`` from CHECKOUT (its ``src/`` and root), reads
one kind per line on stdin (``from_json``, ``apply``, ``R2``) and answers one
JSON line with the seconds per event of that round. Only what every
release's benchmarks provide is used (``cases.Workload``, ``REFERENCES``).
"""

import gc
import json
import sys
from time import perf_counter

checkout, pathways = sys.argv[1], int(sys.argv[2])
sys.path[:0] = [f"{checkout}/src", checkout]

from benchmarks import cases  # noqa: E402  (from the checkout just put first)
from benchmarks.references import REFERENCES  # noqa: E402
from facetcare import Pathway  # noqa: E402

work = cases.Workload(pathways, 10)
events, document, policy = work.events, work.document, work.policy
engine = REFERENCES["R2"]()


def from_json() -> float:
    load = Pathway.from_json
    start = perf_counter()
    for _ in range(pathways):
        load(document)
    return perf_counter() - start


def apply() -> float:
    made = [Pathway(policy=policy) for _ in range(pathways)]
    start = perf_counter()
    for pathway in made:
        step = pathway.apply
        for event in events:
            step(event)
    return perf_counter() - start


def bare() -> float:
    models = [engine.new() for _ in range(pathways)]
    start = perf_counter()
    engine.run(models, work.triggers)
    return perf_counter() - start


KINDS = {"from_json": from_json, "apply": apply, "R2": bare}
for kind in KINDS.values():  # warm up: imports, caches, code objects
    kind()
for line in sys.stdin:
    gc.collect()
    seconds = KINDS[line.strip()]()
    print(json.dumps({"seconds_per_event": seconds / (pathways * len(events))}), flush=True)
