"""Simulate 2,000 lumbar patients under two payer policies and compare them.

The same seed gives each patient the same random streams under both
policies (the same true pain source, the same draws until the policies
make the journeys diverge), so the difference between the columns is the
policy: Medicare's entry criteria, its two blocks at 80% relief and its
repeat-neurotomy rules. Run it with::

    python examples/simulate_cohort.py [n] [seed]

Every simulated journey is accepted by `Pathway.replay`: the simulator
drives the library's real rules.
"""

from __future__ import annotations

import sys

import facetcare as fc
from facetcare.simulation import CohortParams, Summary, simulate


def side_by_side(columns: dict[str, Summary]) -> str:
    """A plain-text table: one row per figure, one column per policy."""
    names = list(columns)
    table = [dict(summary.rows()) for summary in columns.values()]
    labels = list(dict.fromkeys(label for rows in table for label in rows))
    width = max(map(len, labels))
    cell = max(len(name) for name in names) + 2
    cell = max(cell, *(len(value) + 2 for rows in table for value in rows.values()))
    lines = [" " * width + "".join(name.rjust(cell) for name in names)]
    for label in labels:
        lines.append(label.ljust(width) + "".join(rows.get(label, "").rjust(cell)
                                                  for rows in table))
    return "\n".join(lines)


def main(n: int = 2000, seed: int = 2026) -> None:
    params = CohortParams.lumbar()
    policies = (fc.Policy.seed(), fc.Policy.medicare_l38803())
    summaries = {}
    for policy in policies:
        cohort = simulate(n, seed, params=params, policy=policy)
        summaries[policy.name] = cohort.summary()
    horizon_days = 3 * 365
    print(f"{n:,} lumbar patients, seed {seed}, followed {horizon_days} days from referral\n")
    print(side_by_side(summaries))


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:3]))
