"""``facetcare policies``: the named profiles side by side, each value with its source.

A clinician audits a profile against its documents: every value is shown
with where it comes from (`Policy.sources`; docs/payer-rules.md). A clinic's
own policy file can be shown beside them.
"""

from __future__ import annotations

import datetime as dt
import enum
from fractions import Fraction
from typing import Any

import attrs
import click
from rich.markup import escape
from rich.table import Table

from facetcare._cli.common import POLICY, PROFILES, console, policy_named
from facetcare.policy import Policy
from facetcare.rules import span

__all__ = ["policies", "value_text"]


def value_text(value: Any) -> str:
    """A policy value as a clinic reads it: "—" for no rule, "14 d", "80%", "fluoroscopy, ct"."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.timedelta):
        return span(value)
    if isinstance(value, Fraction):
        return f"{float(value) * 100:g}%"
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, tuple):
        return ", ".join(value_text(item) for item in value)
    if isinstance(value, float) and value.is_integer():
        return f"{value:g}"
    return str(value)


@click.command(short_help="The policy profiles side by side, each value with its source.")
@click.argument("names", nargs=-1, type=POLICY)
@click.option("--sources/--no-sources", default=True, show_default=True,
              help="Show where each value comes from (sources by key or section, docs/sources.md).")
def policies(names: tuple[str, ...], sources: bool) -> None:
    """Show the policy profiles (or NAMES: profiles or policy files) side by side.

    \b
    Examples:
      facetcare policies
      facetcare policies medicare-l38803 evicore-cmm208
      facetcare policies seed our-clinic.toml --no-sources
    """
    chosen = [(name, policy_named(name)) for name in (names or PROFILES)]
    table = Table(title="facetcare policy profiles", show_lines=sources)
    table.add_column("field", style="bold", no_wrap=True)
    for _, policy in chosen:
        table.add_column(escape(policy.name), overflow="fold")
    cited = [_sources(name, policy) for name, policy in chosen]
    for field in attrs.fields(Policy):
        if field.name == "name":
            continue
        cells = []
        for (_, policy), known in zip(chosen, cited, strict=True):
            text = escape(value_text(getattr(policy, field.name)))
            source = known.get(field.name)
            if sources and source:
                text += f"\n[dim]{escape(source)}[/dim]"
            cells.append(text)
        table.add_row(field.name, *cells)
    console().print(table)


def _sources(name: str, policy: Policy) -> dict[str, str]:
    """A profile's sources; a file's policy has none unless it is exactly a profile."""
    if name in PROFILES:
        return Policy.sources(name)
    profile = Policy.profiles().get(policy.name)
    return Policy.sources(policy.name) if profile == policy else {}
