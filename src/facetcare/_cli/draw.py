"""``facetcare diagram``: the pathway as Mermaid or dot text, or an image via Graphviz.

The text comes from `facetcare.diagram`. Images need Graphviz's ``dot``
binary, a native program pip cannot install; without it the command says
how to get one, or how to render the text elsewhere, rather than failing
obscurely.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import click

from facetcare import diagram as drawing
from facetcare._cli.outputs import Outputs

_IMAGE_FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf"}
_TEXT_FORMATS = {".mmd": "mermaid", ".mermaid": "mermaid", ".md": "mermaid",
                 ".dot": "dot", ".gv": "dot"}


@click.command(short_help="Draw the pathway as Mermaid or Graphviz dot.")
@click.option("--format", "fmt", type=click.Choice(["mermaid", "dot"]), default=None,
              help="Text format. Default: from the -o suffix (.dot/.gv: dot), else mermaid.")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Write here instead of stdout; .png/.svg/.pdf are rendered with "
                   "Graphviz's dot if it is installed.")
def diagram(fmt: str | None, output: Path | None) -> None:
    """Draw the pathway: every stage, transition, computed branch and guard.

    Drawn from the machine's own transition table, so it never disagrees with
    the rules that run. Edge labels read "Event [reason codes]"; diamonds are
    computed branches (positive or negative block, the stage a cancelled visit
    returns to). Mermaid needs no native library: it renders on GitHub, in
    many editors and on mermaid.live.

    \b
    Examples:
      facetcare diagram                       # Mermaid text on stdout
      facetcare diagram -o pathway.mmd
      facetcare diagram --format dot -o pathway.dot
      facetcare diagram -o pathway.png        # needs Graphviz's dot
    """
    suffix = output.suffix.lower() if output is not None else ""
    image = _IMAGE_FORMATS.get(suffix)
    if output is not None and image is not None and fmt == "mermaid":
        raise click.UsageError(
            f"Mermaid is not rendered locally: write {output.with_suffix('.mmd')} and open it "
            "on GitHub or mermaid.live, or use --format dot for an image via Graphviz"
        )
    chosen = fmt or ("dot" if image else _TEXT_FORMATS.get(suffix, "mermaid"))
    text = drawing.dot() if chosen == "dot" else drawing.mermaid()
    if output is None:
        click.echo(text, nl=False)
        return
    with Outputs([("-o", output)]) as outputs:
        with outputs.writing(output) as staged:
            if image is not None:
                _render(text, image, output, staged)
            else:
                staged.write_text(text, encoding="utf-8")
        outputs.commit()
    click.echo(f"wrote {output} " + (f"(Graphviz {image})" if image else f"({chosen})"))


def _render(text: str, image: str, output: Path, staged: Path) -> None:
    """``dot`` draws ``text`` into ``staged``, the file that becomes ``output``."""
    dot = shutil.which("dot")
    if dot is None:
        stem = output.with_suffix("")
        raise click.ClickException(
            f"Graphviz's dot is not installed, so {output} cannot be drawn here. Install "
            "graphviz (apt-get install graphviz, brew install graphviz or winget install "
            "graphviz) and rerun; or write the text and render it elsewhere: facetcare diagram "
            f"-o {stem}.dot, then dot -T{image} {stem}.dot -o {output}; or facetcare diagram -o "
            f"{stem}.mmd (Mermaid renders on GitHub without Graphviz)"
        )
    done = subprocess.run([dot, f"-T{image}", "-o", str(staged)], input=text, text=True,
                          capture_output=True, check=False)
    if done.returncode != 0:
        raise click.ClickException(f"dot failed: {done.stderr.strip() or done.returncode}")
