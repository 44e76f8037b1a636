"""The simulated tables of README.md and docs/simulation.md, regenerated from the model.

The policy comparison (what ``make demo`` prints) and the validation tables
(``facetcare validate --replications 20 -n 2000 --seed 1``) take minutes
to simulate, too long for ``make test``. So each generated section's
marker carries a fingerprint of the model: a hash of small runs that touch
every part of it (both regions, every profile, the study protocols, PSA
draws, the fee schedule). `tests/test_simulation_tables.py` recomputes it
in a second; when the model changes, the test fails until the tables are
regenerated with::

    python tests/simulation_tables.py --write      # about 5 minutes on 2 cores
"""

from __future__ import annotations

import hashlib
import re
import sys
from collections.abc import Callable
from pathlib import Path

from facetcare import Policy
from facetcare._cli.validate import row_cells
from facetcare.simulation import CohortParams, simulate, summarize
from facetcare.simulation.export import jsonl_text
from facetcare.simulation.psa import sample
from facetcare.simulation.replicate import Replicated, replication_seed
from facetcare.simulation.validation import validate

ROOT = Path(__file__).resolve().parent.parent
#: ``make demo``'s comparison: lumbar, seed 1, 10 replications of 2,000 per policy.
DEMO = {"n": 2000, "replications": 10, "seed": 1, "policies": ("seed", "medicare-l38803")}
#: ``facetcare validate``'s defaults for the documented tables.
VALIDATION = {"n": 2000, "replications": 20, "seed": 1, "psa": True}


def fingerprint() -> str:
    """A hash of what the model gives on small runs (see the module docstring)."""
    digest = hashlib.sha256()
    for params in (CohortParams.lumbar(), CohortParams.cervical()):
        for policy in Policy.profiles().values():
            if not policy.covers(params.region):
                continue
            cohort = simulate(40, 11, params=params, policy=policy, workers=1)
            digest.update(jsonl_text(cohort.journeys).encode())
            digest.update(repr(sorted(cohort.summary().figures().items())).encode())
            # How the comparison table words and rounds its figures.
            replicated = Replicated(tuple(summarize(20, seed, params=params, policy=policy,
                                                    workers=1) for seed in (1, 2)))
            digest.update(repr(replicated.rows()).encode())
        digest.update(repr(sample(params, 11, 3)).encode())
    for region in ("lumbar", "cervical"):
        found = validate(region, n=30, replications=2, seed=11, psa=True, workers=1)
        digest.update(repr([row_cells(row) for row in found.rows]).encode())
    return digest.hexdigest()[:16]


def comparison() -> str:
    """The README's policy comparison, as ``make demo``'s `simulate` computes it."""
    columns = {}
    for name in DEMO["policies"]:
        policy = Policy.profiles()[str(name)]
        summaries = tuple(
            summarize(int(DEMO["n"]), replication_seed(int(DEMO["seed"]), r),
                      params=CohortParams.lumbar(), policy=policy, workers=2)
            for r in range(int(DEMO["replications"])))
        columns[name] = Replicated(summaries).rows()
    names = list(columns)
    lines = ["| figure | denominator | " + " | ".join(names) + " |",
             "|---|---|" + "---|" * len(names)]
    first = columns[names[0]]
    for i, (figure, denominator, _) in enumerate(first):
        cells = [columns[name][i][2] for name in names]
        lines.append(f"| {figure} | {denominator} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def validation(region: str) -> Callable[[], str]:
    def render() -> str:
        found = validate(region, workers=2, **VALIDATION)  # type: ignore[arg-type]
        lines = ["| figure | study | kind | published (interval) | "
                 "simulated, mean (95% interval) | inside |", "|---|---|---|---|---|---|"]
        for row in found.rows:
            cells = row_cells(row)
            cells[-1] = "yes" if cells[-1] == "yes" else "**no**"
            lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines) + "\n"
    return render


def _shown(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, tuple) and value and all(isinstance(v, str) for v in value):
        return ", ".join(value)
    if isinstance(value, tuple):
        return "(" + ", ".join(str(v) for v in value) + ")"
    return str(getattr(value, "value", value))


def parameters() -> str:
    """docs/simulation.md's parameter table: each default of both regions, with its source."""
    from facetcare.simulation import fitted

    lumbar, cervical = CohortParams.lumbar(), CohortParams.cervical()
    lines = ["| parameter | lumbar | cervical | source |", "|---|---|---|---|"]
    for name, source in CohortParams.sources().items():
        lines.append(f"| `{name}` | {_shown(getattr(lumbar, name))} | "
                     f"{_shown(getattr(cervical, name))} | {source} |")
    studies = ", ".join(f"{k} {v:.4g}" for k, v in fitted.STUDY_PREVALENCE.items())
    return "\n".join(lines) + f"\n\nStudy populations (lumbar, fitted): {studies}\n"


#: Section name → (files holding it, renderer).
SECTIONS: dict[str, tuple[tuple[str, ...], Callable[[], str]]] = {
    "parameters": (("docs/simulation.md",), parameters),
    "simulation-comparison": (("README.md",), comparison),
    "validation-lumbar": (("README.md", "docs/simulation.md"), validation("lumbar")),
    "validation-cervical": (("README.md", "docs/simulation.md"), validation("cervical")),
}


def marker(name: str) -> re.Pattern[str]:
    """``<!-- generated: NAME model=HASH -->`` … ``<!-- end: NAME -->``."""
    return re.compile(rf"<!-- generated: {name} model=(\w+) -->\n(.*?)<!-- end: {name} -->",
                      re.S)


def write() -> None:
    model = fingerprint()
    for name, (files, render) in SECTIONS.items():
        table = render()
        for file in files:
            path = ROOT / file
            text = path.read_text(encoding="utf-8")
            found = marker(name).search(text)
            if found is None:
                raise SystemExit(f"{file}: no <!-- generated: {name} model=… --> marker")
            text = (text[:found.start()] + f"<!-- generated: {name} model={model} -->\n"
                    + table + f"<!-- end: {name} -->" + text[found.end():])
            path.write_text(text, encoding="utf-8")
            print(f"wrote {name} into {file}")


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        raise SystemExit(__doc__)
    write()
