"""Cohort files: a CSV row per journey, and the events as JSON Lines.

JSON Lines: one line per event, in journey order then event order::

    {"patient_id":"pt-000001","event":{"type":"Referred","at":"2026-01-05T08:00:00+00:00",...}}

``event`` is `facetcare.serialization.dump_event`, so `read_jsonl` gives back
each patient's events for `Pathway.replay` (with the cohort's policy, which
the file does not carry). Both files are written with ``\\n`` line endings
and compact, ordered JSON, so equal cohorts give byte-identical files on
every platform.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import IO, Any

from facetcare import events as ev
from facetcare.errors import SerializationError
from facetcare.serialization import dump_event, load_event
from facetcare.simulation.facts import JourneyFacts
from facetcare.simulation.journey import Journey

__all__ = ["CSV_COLUMNS", "read_jsonl", "write_csv", "write_jsonl"]

Target = str | os.PathLike[str] | IO[str]

#: The CSV header, in order.
CSV_COLUMNS = (
    "patient_id", "region", "stage", "screened_out", "events",
    "blocks", "positive_blocks", "negative_blocks", "neurotomies", "lesions", "nerves_treated",
    "minor_complications", "visits_booked", "visits_attended", "visits_cancelled",
    "visits_missed", "visits_open", "refused_checkins", "recurrences", "closed_reason",
    "referred_at", "first_block_at", "first_neurotomy_at", "last_event_at",
    "referral_to_block_days", "block_to_neurotomy_days", "referral_to_neurotomy_days",
    "relief_episodes", "relief_days", "first_relief_days", "first_relief_ended",
)


@contextmanager
def _opened(target: Target, mode: str) -> Iterator[IO[str]]:
    if isinstance(target, str | os.PathLike):
        with open(target, mode, encoding="utf-8", newline="") as handle:
            yield handle
    else:
        yield target


def _time(moment: dt.datetime | None) -> str:
    return "" if moment is None else moment.isoformat()


def _blank(value: object) -> object:
    return "" if value is None else value


def _row(facts: JourneyFacts) -> list[object]:
    first = facts.reliefs[0] if facts.reliefs else None
    return [
        facts.patient_id, str(facts.region), str(facts.stage), facts.screened_out, facts.events,
        facts.blocks, facts.positive_blocks, facts.negative_blocks, facts.neurotomies,
        facts.lesions, facts.nerves_treated, facts.minor_complications, facts.booked,
        facts.attended, facts.cancelled, facts.missed, facts.open, facts.refused_checkins,
        facts.recurrences, _blank(facts.closed_reason),
        _time(facts.referred_at), _time(facts.first_block_at), _time(facts.first_neurotomy_at),
        _time(facts.last_event_at),
        _blank(facts.referral_to_block_days), _blank(facts.block_to_neurotomy_days),
        _blank(facts.referral_to_neurotomy_days),
        len(facts.reliefs), facts.relief_days,
        "" if first is None else first.days,
        "" if first is None else str(first.ended).lower(),
    ]


def write_csv(facts: Iterable[JourneyFacts], target: Target, *, header: bool = True) -> None:
    """One row per journey, header `CSV_COLUMNS`; empty cells for "did not happen"."""
    with _opened(target, "w") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        if header:
            writer.writerow(CSV_COLUMNS)
        for item in facts:
            writer.writerow(_row(item))


def _line(patient_id: str, event: ev.Event) -> str:
    record: dict[str, Any] = {"patient_id": patient_id, "event": dump_event(event)}
    return json.dumps(record, separators=(",", ":"), ensure_ascii=False) + "\n"


def write_jsonl(journeys: Iterable[Journey], target: Target) -> None:
    """Every event of every journey, one JSON object per line (see the module docstring)."""
    with _opened(target, "w") as handle:
        for journey in journeys:
            handle.write("".join(_line(journey.patient_id, e) for e in journey.events))


def read_jsonl(source: Target) -> Iterator[tuple[str, tuple[ev.Event, ...]]]:
    """(patient id, events) per journey, in file order; `SerializationError` if malformed.

    Lines of one patient must be consecutive, as `write_jsonl` writes them.
    """
    if isinstance(source, str | os.PathLike):
        with open(source, encoding="utf-8", newline="") as handle:
            yield from read_jsonl(handle)
        return
    current: str | None = None
    events: list[ev.Event] = []
    seen: set[str] = set()
    for number, line in enumerate(source, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise SerializationError(f"line {number}: not valid JSON: {error}") from None
        if not isinstance(record, dict) or set(record) != {"patient_id", "event"}:
            raise SerializationError(
                f"line {number}: expected an object with 'patient_id' and 'event'"
            )
        patient = record["patient_id"]
        if not isinstance(patient, str):
            raise SerializationError(f"line {number}.patient_id: expected a string")
        event = load_event(record["event"], f"line {number}.event")
        if patient != current:
            if current is not None:
                yield current, tuple(events)
            if patient in seen:
                raise SerializationError(
                    f"line {number}: the events of {patient} are not consecutive"
                )
            seen.add(patient)
            current, events = patient, []
        events.append(event)
    if current is not None:
        yield current, tuple(events)


def csv_header() -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(CSV_COLUMNS)
    return buffer.getvalue()


def csv_text(facts: Iterable[JourneyFacts]) -> str:
    """The CSV rows of ``facts``, without the header."""
    buffer = io.StringIO()
    write_csv(facts, buffer, header=False)
    return buffer.getvalue()


def jsonl_text(journeys: Iterable[Journey]) -> str:
    buffer = io.StringIO()
    write_jsonl(journeys, buffer)
    return buffer.getvalue()


@contextmanager
def opened_for_writing(target: Target | None) -> Iterator[IO[str] | None]:
    """``target`` opened for writing (paths are opened and closed here), or None."""
    if target is None:
        yield None
        return
    with _opened(target, "w") as handle:
        yield handle
