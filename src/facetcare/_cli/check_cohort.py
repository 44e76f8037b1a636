"""``facetcare check`` on a cohort file: what ``facetcare simulate --events`` writes.

Each line is ``{"patient_id": ..., "event": ...}``; every patient's events
are replayed under the policy (the file does not carry it, so ``--policy``
names the one the cohort was simulated with). The first refusal is shown
with its patient and line; otherwise each pathway's final stage is counted.
"""

from __future__ import annotations

import io
import json
from collections import Counter
from pathlib import Path

from rich.markup import escape

from facetcare._cli.common import Unreadable, console
from facetcare.errors import Rejected, SerializationError
from facetcare.pathway import Pathway
from facetcare.policy import Policy

__all__ = ["check_cohort", "is_cohort"]


def is_cohort(text: str) -> bool:
    """The first non-blank line is a cohort line: an object with patient_id and event.

    A line with other keys as well still counts, so that reading it says which key
    is wrong instead of reading the file as a log of bare events.
    """
    first = next((line for line in text.splitlines() if line.strip()), "")
    try:
        value = json.loads(first)
    except (ValueError, RecursionError):  # not JSON, or nested deeper than Python recurses
        return False
    return isinstance(value, dict) and {"patient_id", "event"} <= set(value)


def _event_lines(text: str) -> list[int]:
    """The number of each line `read_jsonl` reads an event from (it skips blank ones)."""
    return [number for number, line in enumerate(io.StringIO(text), start=1) if line.strip()]


def check_cohort(file: Path, text: str, policy: Policy) -> None:
    from facetcare.simulation import read_jsonl

    out = console()
    stages: Counter[str] = Counter()
    events = 0
    lines = _event_lines(text)
    try:
        for patient_id, patient_events in read_jsonl(io.StringIO(text)):
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
    if not stages:
        raise Unreadable(f"{file}: no events")
    out.print(f"[bold green]accepted[/]: {escape(str(file))}, {sum(stages.values())} "
              f"pathway(s), {events} event(s) under policy {escape(policy.name)}")
    for stage, count in sorted(stages.items()):
        out.print(f"  {stage}: {count}")
