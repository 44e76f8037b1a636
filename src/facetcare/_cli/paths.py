"""``facetcare paths``: the model-based coverage paths of a policy, and what they cover.

Each path is a concrete event sequence with its expected outcome; together
they take every transition and every guard outcome, time-window boundaries
included. A scheduler team can replay them against its own integration.
"""

from __future__ import annotations

import click
from rich.markup import escape
from rich.table import Table

from facetcare._cli.common import PROFILES, console, policy_named


@click.command(short_help="The coverage paths of a policy and what they cover.")
@click.option("--policy", "policy_name", type=click.Choice(PROFILES), default="seed",
              show_default=True, help="The policy profile whose rules the paths cover.")
def paths(policy_name: str) -> None:
    """List the coverage paths of a policy and the coverage they reach.

    \b
    Examples:
      facetcare paths
      facetcare paths --policy medicare-l38803
    """
    try:
        from facetcare.testing import paths as coverage_paths
    except ModuleNotFoundError as missing:
        if missing.name != "hypothesis":
            raise
        raise click.ClickException("facetcare paths needs Hypothesis: "
                                   "pip install 'facetcare[cli,testing]'") from None

    suite = coverage_paths(policy_named(policy_name))
    out = console()
    table = Table(title=f"{len(suite.paths)} coverage paths, policy {policy_name}",
                  title_justify="left")
    table.add_column("path")
    table.add_column("events", justify="right")
    table.add_column("expected")
    for path in suite.paths:
        table.add_row(escape(path.name), str(len(path.events)), escape(_expected(path)))
    out.print(table)
    report = Table(title="coverage", title_justify="left")
    for column in ("metric", "covered", "total"):
        report.add_column(column, justify="left" if column == "metric" else "right")
    for metric, covered, total in suite.report.rows():
        report.add_row(escape(str(metric)), str(covered), str(total))
    out.print(report)
    out.print(escape(str(suite.report)))


def _expected(path: object) -> str:
    for attribute in ("expected", "outcome", "expect"):
        value = getattr(path, attribute, None)
        if value is not None:
            return str(value)
    return ""
