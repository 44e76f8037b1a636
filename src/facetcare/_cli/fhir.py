"""``facetcare fhir``: a pathway as a FHIR transaction Bundle, and a bundle back.

``export`` reads what ``facetcare check`` reads (a pathway document or an
event log), replays it under every rule and writes the Bundle as JSON;
``import`` reads a Bundle facetcare wrote, rebuilds and replays the events
and prints the stage and due tasks like ``check`` (or writes the pathway
document with ``-o``). Exit codes are those of ``check``: 0 accepted,
1 refused, 2 unreadable. Needs the ``fhir`` extra.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from facetcare._cli.check import Input, _parse, _print_accepted, _print_refusal, _read_text
from facetcare._cli.common import POLICY, Unreadable, console, policy_named
from facetcare._cli.outputs import Outputs
from facetcare.errors import Rejected, SerializationError
from facetcare.pathway import Pathway

_RELEASES = ("R4B", "R5")


def _fhir() -> Any:
    """The facetcare.fhir module, or a one-line hint if the fhir extra is missing."""
    try:
        from facetcare import fhir as fhir_api
    except ModuleNotFoundError:
        raise Unreadable(
            "facetcare fhir needs the fhir extra: pip install 'facetcare[fhir]'"
        ) from None
    return fhir_api


def _write(text: str, outputs: Outputs, output: Path | None) -> None:
    """``text`` to stdout, or whole into the staged ``-o`` file (an old one survives a failure)."""
    if output is None:
        click.echo(text)
        return
    with outputs.writing(output) as staged:
        staged.write_text(text + "\n", encoding="utf-8")
    outputs.commit()


@click.group(short_help="FHIR: export a pathway as a transaction Bundle, import one back.")
def fhir() -> None:
    """A pathway as a FHIR R4B or R5 transaction Bundle, and back (docs/fhir.md).

    \b
    Examples:
      facetcare fhir export pathway.json --release R5 -o bundle.json
      facetcare fhir import bundle.json --policy medicare-l38803
    """


@fhir.command("export")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--release", type=click.Choice(_RELEASES), default="R4B", show_default=True)
@click.option("--policy", "policy_name", type=POLICY, default=None,
              help="Policy for an event log (default: seed). A document carries its own.")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Write the Bundle here instead of stdout.")
def export(file: Path, release: str, policy_name: str | None, output: Path | None) -> None:
    """Replay FILE and write it as a FHIR transaction Bundle (JSON).

    FILE is a pathway document or an event log, as `facetcare check` reads.
    Exit codes: 0 written, 1 refused, 2 unreadable.
    """
    module = _fhir()
    with Outputs([("--output", output)], [("FILE", file)]) as outputs:
        bundle = _bundle(module, file, release, policy_name)
        _write(json.dumps(bundle, indent=2, ensure_ascii=False), outputs, output)


def _bundle(module: Any, file: Path, release: str, policy_name: str | None) -> Any:
    """The Bundle of FILE, or the command's exit: 1 refused, 2 unreadable."""
    found = _parse(file, _read_text(file))
    policy = None if found.document is not None else policy_named(policy_name)
    try:
        if found.document is not None:
            pathway = Pathway.from_dict(found.document)
        else:
            if not found.events:
                raise Unreadable(f"{file}: no events (a pathway starts with Referred)")
            pathway = Pathway.replay(found.events, policy=policy)
        bundle = module.to_bundle(pathway, release=release)
    except SerializationError as error:
        raise Unreadable(f"{file}: {error}") from None
    except Rejected as refused:
        _print_refusal(console(), file, refused, found, policy)
        raise SystemExit(1) from None
    except (ValueError, TypeError) as error:
        raise Unreadable(f"{file}: {error}") from None
    return bundle


@fhir.command("import")
@click.argument("bundle", type=click.Path(path_type=Path))
@click.option("--policy", "policy_name", type=POLICY, default=None,
              help="Policy to replay the events under (default: seed).")
@click.option("--release", type=click.Choice(_RELEASES), default=None,
              help="Release of the Bundle (default: its facetcare release tag).")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Also write the pathway document (Pathway.to_json) here.")
def import_(bundle: Path, policy_name: str | None, release: str | None,
            output: Path | None) -> None:
    """Rebuild the pathway a facetcare Bundle records and replay it under every rule.

    Exit codes: 0 accepted, 1 refused, 2 unreadable (not JSON, not a Bundle,
    a resource or field facetcare does not map).
    """
    module = _fhir()
    with Outputs([("--output", output)], [("BUNDLE", bundle)]) as outputs:
        pathway = _imported(module, bundle, policy_name, release)
        if output is not None:
            _write(pathway.to_json(), outputs, output)
    _print_accepted(console(), bundle, pathway, None)


def _imported(module: Any, bundle: Path, policy_name: str | None,
              release: str | None) -> Pathway:
    """The pathway BUNDLE records, or the command's exit: 1 refused, 2 unreadable."""
    text = _read_text(bundle)
    policy = policy_named(policy_name)
    try:
        pathway: Pathway = module.from_bundle(text, policy=policy, release=release)
    except SerializationError as error:
        raise Unreadable(f"{bundle}: {error}") from None
    except Rejected as refused:
        _print_refusal(console(), bundle, refused, Input(events=[]), policy)
        raise SystemExit(1) from None
    except (ValueError, TypeError) as error:
        raise Unreadable(f"{bundle}: {error}") from None
    return pathway
