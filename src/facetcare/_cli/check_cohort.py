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
    """The first non-blank line is a cohort line: an object with patient_id and event."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    try:
        value = json.loads(first)
    except json.JSONDecodeError:
        return False
    return isinstance(value, dict) and set(value) == {"patient_id", "event"}


def check_cohort(file: Path, text: str, policy: Policy) -> None:
    from facetcare.simulation import read_jsonl

    out = console()
    stages: Counter[str] = Counter()
    events = 0
    try:
        for patient_id, patient_events in read_jsonl(io.StringIO(text)):
            try:
                pathway = Pathway.replay(patient_events, policy=policy)
            except Rejected as refused:
                index = refused.index if refused.index is not None else 0
                out.print(f"[bold red]refused[/]: {escape(str(file))}, patient "
                          f"{escape(patient_id)}, event {index}")
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
