"""Compare two payer policies on the same simulated cohort, through the library API.

Both runs use the same seed and cohort parameters, so the patients are
drawn alike and the differences come from the rules: Medicare's entry
criteria screen referrals out, its two 80% blocks cost more block visits,
and its repeat rules stop some repeat neurotomies.

The command line does the same with a table and a plot:
  facetcare simulate -n 2000 --seed 7 --compare medicare-l38803 --plot cohort.png

Run:  python examples/compare_policies.py [N]
"""

from __future__ import annotations

import sys

import facetcare as fc
from facetcare.simulation import CohortParams, Summary, simulate


def run(policy: fc.Policy, n: int) -> Summary:
    return simulate(n, seed=7, params=CohortParams.lumbar(), policy=policy).summary()


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    policies = (fc.Policy.seed(), fc.Policy.medicare_l38803())
    summaries = [run(policy, n) for policy in policies]

    width = max(len(label) for s in summaries for label, _ in s.rows())
    print(f"{'':{width}}  " + "  ".join(f"{p.name:>18}" for p in policies))
    columns = [dict(s.rows()) for s in summaries]
    labels = dict.fromkeys(label for s in summaries for label, _ in s.rows())
    for label in labels:
        print(f"{label:{width}}  " + "  ".join(f"{c.get(label, ''):>18}" for c in columns))

    seed, medicare = summaries
    print()
    for stage in (fc.Stage.SUSTAINED_RELIEF, fc.Stage.CLOSED):
        a, b = seed.by_stage.get(stage, 0), medicare.by_stage.get(stage, 0)
        print(f"{stage}: {a} under seed, {b} under Medicare ({b - a:+d} of {n} patients)")


if __name__ == "__main__":
    main()
