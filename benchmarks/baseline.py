"""This checkout against the first release, measured in the same run.

Two worker interpreters, one importing each checkout's ``facetcare`` (and its
own ``benchmarks`` package, for the same seed journey and the same R2
reference), are asked for one round at a time, alternately and in a shuffled
order, so both see the same machine conditions. A figure is the median over
rounds of the per-round ratio, as in the main group.

The first release is commit ``FIRST_RELEASE``; its sources are taken with
``git archive`` into a temporary directory. Without git or without that
commit (a shallow clone), the section says so and measures nothing.

Each worker also times R2 (bare ``transitions``, the main group's reference)
in its own process: their ratio is the control, near 1.0 when both processes
ran under the same conditions.
"""

from __future__ import annotations

import json
import random
import statistics
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
WORKER = Path(__file__).with_name("_baseline_worker.py")
#: The first release (the version the second release's budgets compare with).
FIRST_RELEASE = "c534087"
KINDS = ("from_json", "apply", "R2")


def _checkout(rev: str, into: Path) -> str | None:
    """Extract ``rev``'s src/ and benchmarks/ into ``into``; an error message, or None."""
    try:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "src", "benchmarks"],
                                 capture_output=True, check=False, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"git is not available ({error})"
    if archive.returncode != 0:
        return f"commit {rev} is not in this clone: {archive.stderr.decode()[-200:].strip()}"
    with tarfile.open(fileobj=BytesIO(archive.stdout)) as tar:
        tar.extractall(into, filter="data")
    return None


class _Worker:
    def __init__(self, root: Path, pathways: int) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(WORKER), str(root), str(pathways)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )

    def round(self, kind: str) -> float:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(kind + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the worker stopped while timing {kind}")
        seconds: float = json.loads(line)["seconds_per_event"]
        return seconds

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait(timeout=60)


def compare(rounds: int, pathways: int, rev: str = FIRST_RELEASE) -> dict[str, Any]:
    """Per-round ratios now / ``rev`` for each kind; {"skipped": why} if ``rev`` is absent."""
    with tempfile.TemporaryDirectory(prefix="facetcare-baseline-") as tmp:
        problem = _checkout(rev, Path(tmp))
        if problem is not None:
            return {"skipped": problem}
        now, before = _Worker(ROOT, pathways), _Worker(Path(tmp), pathways)
        try:
            rng = random.Random(2026)
            samples: dict[str, dict[str, list[float]]] = {
                kind: {"now": [], "before": []} for kind in KINDS}
            for _ in range(rounds):
                for kind in rng.sample(KINDS, len(KINDS)):
                    pair = [("now", now), ("before", before)]
                    rng.shuffle(pair)
                    for name, worker in pair:
                        samples[kind][name].append(worker.round(kind))
        finally:
            now.close()
            before.close()
    result: dict[str, Any] = {"rev": rev, "rounds": rounds, "pathways": pathways}
    for kind, got in samples.items():
        ratios = [a / b for a, b in zip(got["now"], got["before"], strict=True)]
        result[kind] = {
            "now_us": statistics.median(got["now"]) * 1e6,
            "before_us": statistics.median(got["before"]) * 1e6,
            "ratio": statistics.median(ratios),
            "p25": statistics.quantiles(ratios, n=4)[0] if len(ratios) > 1 else ratios[0],
            "p75": statistics.quantiles(ratios, n=4)[2] if len(ratios) > 1 else ratios[0],
        }
    return result


if __name__ == "__main__":
    print(json.dumps(compare(int(sys.argv[1]) if len(sys.argv) > 1 else 9,
                             int(sys.argv[2]) if len(sys.argv) > 2 else 300), indent=1))
