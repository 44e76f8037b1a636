"""``facetcare paths``: the model-based coverage paths of a policy, and what they cover.

Each path is a concrete event sequence with its expected outcome; together
they take every transition and both outcomes of every guard, time-window
boundaries included. A scheduler team can replay them against its own
integration. The exit code says whether the coverage is complete, so the
command can gate a CI job.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click
from rich.markup import escape
from rich.table import Table

from facetcare._cli.common import POLICY, console, policy_named
from facetcare.anatomy import Region

if TYPE_CHECKING:
    from facetcare.testing import Path


def expected(path: Path) -> str:
    """The outcome a path's last event must have, as a reader would say it."""
    where = path.stage.value if path.stage is not None else "before referral"
    if path.refused is not None:
        return f"refused ({path.refused}), stays {where}"
    return f"accepted → {where}"


@click.command(short_help="The coverage paths of a policy and what they cover.")
@click.option("--policy", "policy_name", type=POLICY, default="seed",
              show_default=True, help="The policy profile whose rules the paths cover.")
@click.option("--region", type=click.Choice([str(r) for r in Region]), default=None,
              help="The region of the referrals [default: lumbar, or the first region "
                   "the policy covers].")
def paths(policy_name: str, region: str | None) -> None:
    """List the coverage paths of a policy and the coverage they reach.

    Every path is replayed under the policy before it is listed. Exit code 0
    when every stage, transition, guard outcome and branch is covered, 1 if
    any is not.

    \b
    Examples:
      facetcare paths
      facetcare paths --policy medicare-l38803
      facetcare paths --policy consensus-cervical-2022 --region cervical
    """
    try:
        from facetcare.testing import paths as coverage_paths
    except ModuleNotFoundError as missing:
        if missing.name != "hypothesis":
            raise
        raise click.ClickException("facetcare paths needs Hypothesis: "
                                   "pip install 'facetcare[cli,testing]'") from None

    try:
        suite = coverage_paths(policy_named(policy_name), region)
    except ValueError as uncovered:
        raise click.BadParameter(str(uncovered), param_hint="--region") from None
    out = console()
    table = Table(title=f"{len(suite.paths)} coverage paths, policy {escape(policy_name)}, "
                        f"{suite.region} region",
                  title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("path", ratio=3)
    table.add_column("events", justify="right")
    table.add_column("expected", ratio=2)
    for number, path in enumerate(suite.paths, start=1):
        table.add_row(str(number), escape(path.name), str(len(path.events)),
                      escape(expected(path)))
    out.print(table)
    out.print(escape(str(suite.report)))
    short = [(metric, covered, total) for metric, covered, total in suite.report.rows()
             if covered < total]
    if short:
        gaps = ", ".join(f"{metric} {covered}/{total}" for metric, covered, total in short)
        out.print(f"[bold red]coverage incomplete[/]: {escape(gaps)}")
        raise SystemExit(1)
