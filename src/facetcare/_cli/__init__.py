"""The ``facetcare`` click group; `facetcare.cli` is the entry point that loads it.

Each command lives in its own module; this one only assembles them.
"""

from __future__ import annotations

import click

import facetcare
from facetcare._cli.check import check
from facetcare._cli.draw import diagram
from facetcare._cli.fhir import fhir
from facetcare._cli.paths import paths
from facetcare._cli.policies import policies
from facetcare._cli.simulate import simulate
from facetcare._cli.store import store
from facetcare._cli.validate import validate

__all__ = ["cli"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(facetcare.__version__, "--version", prog_name="facetcare",
                      message="%(prog)s %(version)s")
def cli() -> None:
    """facetcare: the facet-joint pain care pathway as a guarded state machine.

    \b
    Examples:
      facetcare diagram > pathway.mmd
      facetcare check pathway.json --now 2026-04-01T09:00+00:00
      facetcare simulate -n 2000 --seed 1 --compare medicare-l38803
      facetcare paths --policy medicare-l38803
    """


for _command in (diagram, check, simulate, paths, validate, fhir, store, policies):
    cli.add_command(_command)
