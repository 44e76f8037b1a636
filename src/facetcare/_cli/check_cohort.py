"""``facetcare check`` on a cohort file: what ``facetcare simulate --events`` writes.

Each line is ``{"patient_id": ..., "event": ...}``; every patient's events
are replayed under the policy (the file does not carry it, so ``--policy``
names the one the cohort was simulated with). The first refusal is shown
with its patient and line; otherwise each pathway's final stage is counted.

A cohort file is read line by line, each line bounded by the document size
limit, rather than whole: 2,000 simulated patients already write more than
that limit, and one patient at a time is all a replay needs.
"""

from __future__ import annotations

import io
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, cast

from rich.markup import escape

from facetcare._cli.common import Unreadable, console
from facetcare.documents import DEFAULT_LIMITS
from facetcare.errors import Rejected, SerializationError
from facetcare.pathway import Pathway
from facetcare.policy import Policy

__all__ = ["check_cohort", "is_cohort"]

LIMIT = DEFAULT_LIMITS.max_bytes


def is_cohort(path: Path, text: str | None = None) -> bool:
    """The first non-blank line is a cohort line: an object with patient_id and event.

    A line with other keys as well still counts, so that reading it says which key
    is wrong instead of reading the file as a log of bare events. Reads at most
    one line of at most `LIMIT` characters; a file that cannot be read is not
    one (reading it as a document then says why). ``text`` is the input
    already read, for one that cannot be read twice (a pipe).
    """
    try:
        with _opened(path, text) as stream:
            first = next((line for line in _bounded(stream, path) if line.strip()), "")
    except (OSError, UnicodeDecodeError, Unreadable):
        return False
    try:
        value = json.loads(first)
    except (ValueError, RecursionError):  # not JSON, or nested deeper than Python recurses
        return False
    return isinstance(value, dict) and {"patient_id", "event"} <= set(value)


def _opened(path: Path, text: str | None) -> IO[str]:
    """The lines of the input: ``text`` if it was read already, else the file itself."""
    if text is not None:
        return io.StringIO(text, newline="")
    return path.open(encoding="utf-8", newline="")


def _bounded(stream: IO[str], path: Path) -> Iterator[str]:
    """The lines of ``stream``, refusing one longer than `LIMIT` (``/dev/zero`` has none)."""
    number = 0
    while True:
        line = stream.readline(LIMIT + 1)
        if not line:
            return
        number += 1
        if len(line) > LIMIT:
            raise Unreadable(f"{path}: line {number} is longer than {LIMIT} characters "
                             "(the document size limit)")
        yield line


def _numbered(lines: Iterable[str], numbers: list[int]) -> Iterator[str]:
    """``lines`` as they are, noting the number of each non-blank one (one per event)."""
    for number, line in enumerate(lines, start=1):
        if line.strip():
            numbers.append(number)
        yield line


def check_cohort(file: Path, policy: Policy, text: str | None = None) -> None:
    from facetcare.simulation import read_jsonl

    out = console()
    stages: Counter[str] = Counter()
    events = 0
    lines: list[int] = []
    try:
        with _opened(file, text) as stream:
            source = cast(IO[str], _numbered(_bounded(stream, file), lines))
            for patient_id, patient_events in read_jsonl(source):
                try:
                    pathway = Pathway.replay(patient_events, policy=policy)
                except Rejected as refused:
                    index = refused.index if refused.index is not None else 0
                    out.print(f"[bold red]refused[/]: {escape(str(file))}, patient "
                              f"{escape(patient_id)}, event {index} (line "
                              f"{lines[events + index]})")
                    for reason in refused.reasons:
                        out.print(f"  {reason.code}: {escape(reason.message)}")
                    raise SystemExit(1) from None
                stages[str(pathway.stage)] += 1
                events += len(patient_events)
    except (SerializationError, ValueError, TypeError) as error:
        raise Unreadable(f"{file}: {error}") from None
    except UnicodeDecodeError:
        raise Unreadable(f"{file}: not UTF-8 text (expected JSON Lines)") from None
    except OSError as error:
        raise Unreadable(f"{file}: cannot read: {error.strerror or error}") from None
    if not stages:
        raise Unreadable(f"{file}: no events")
    out.print(f"[bold green]accepted[/]: {escape(str(file))}, {sum(stages.values())} "
              f"pathway(s), {events} event(s) under policy {escape(policy.name)}")
    for stage, count in sorted(stages.items()):
        out.print(f"  {stage}: {count}")
