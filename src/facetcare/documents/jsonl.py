"""Event logs as JSON Lines: one compact event per line, read back exactly.

Lines are split on ``"\\n"`` only. Every event is written with U+2028,
U+2029 and U+0085 escaped (`limits.canonical`), so no reader that treats
those as line ends (``str.splitlines`` does) can cut an event in two, and
``load_events_jsonl(dump_events_jsonl(events)) == events`` always.
"""

from __future__ import annotations

from collections.abc import Iterable

from facetcare import events as ev
from facetcare.documents.event_codec import bounded_corrections, dump_event, load_event
from facetcare.documents.limits import (
    DEFAULT_LIMITS,
    Limits,
    as_text,
    canonical,
    read_json,
)
from facetcare.errors import SerializationError

__all__ = ["dump_events_jsonl", "load_events_jsonl"]


def dump_events_jsonl(events: Iterable[ev.Event]) -> str:
    """One compact JSON event per line, as `Pathway.replay` reads them back."""
    return "".join(canonical(dump_event(event)) + "\n" for event in events)


def event_lines(text: str) -> list[tuple[int, str]]:
    """``(line number, line)`` of each line that is not blank."""
    return [(number, line) for number, line in enumerate(text.split("\n"), start=1)
            if line.strip(" \t\r")]


def load_events_jsonl(text: str | bytes, *, limits: Limits = DEFAULT_LIMITS) -> list[ev.Event]:
    """The events of a JSON Lines log; `SerializationError` naming the line otherwise."""
    checked = as_text(text, limits, "an event log")
    events = []
    for number, line in event_lines(checked):
        try:
            data = read_json(line, limits, f"line {number}")
        except SerializationError as error:
            message = str(error)
            where = "" if message.startswith("line ") else f"line {number}: "
            raise SerializationError(f"{where}{message}") from None
        events.append(load_event(data, f"line {number}"))
    bounded_corrections(events, limits)
    return events
