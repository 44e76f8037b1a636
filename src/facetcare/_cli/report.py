"""A self-contained HTML report: tables, plots and the pathway diagram in one file.

Images are embedded as ``data:`` URIs and the styles inline, so the file
opens anywhere with no network and no other file; nothing in it runs a
script. Every text is HTML-escaped.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO

__all__ = ["Section", "image", "table", "write_report"]

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1150px; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; }
table { border-collapse: collapse; margin: 0.5em 0 1em; font-size: 0.85em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }
th:first-child, td:first-child { text-align: left; }
td.out { color: #b00; font-weight: bold; } td.in { color: #070; }
img { max-width: 100%; border: 1px solid #ddd; }
p.note { color: #555; font-size: 0.85em; }
"""

Section = tuple[str, str]


def image(draw: Callable[[IO[bytes]], None], alt: str) -> str:
    """An ``<img>`` with the PNG that ``draw(buffer)`` writes, embedded."""
    buffer = io.BytesIO()
    draw(buffer)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def table(header: Sequence[str], rows: Sequence[Sequence[str]],
          classes: Sequence[str] | None = None) -> str:
    """A plain HTML table; ``classes`` gives each row's last cell a class ("in"/"out")."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = []
    for i, row in enumerate(rows):
        cells = [f"<td>{html.escape(c)}</td>" for c in row]
        if classes is not None and classes[i]:
            cells[-1] = f'<td class="{classes[i]}">{html.escape(row[-1])}</td>'
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def write_report(path: Path, title: str, sections: Sequence[Section], *,
                 note: str = "") -> None:
    parts = [f"<h2>{html.escape(heading)}</h2>\n{content}" for heading, content in sections]
    text = (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>{html.escape(title)}</h1><p class=\"note\">{html.escape(note)}</p>"
        + "\n".join(parts) + "</body></html>\n"
    )
    path.write_text(text, encoding="utf-8")
