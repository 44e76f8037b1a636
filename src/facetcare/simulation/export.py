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

import contextlib
import csv
import datetime as dt
import io
import json
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import IO, Any, cast

from facetcare import events as ev
from facetcare._staging import Staged
from facetcare._validate import show
from facetcare.documents import read_json
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


def _path(target: object, name: str, what: str) -> str | None:
    """``target`` as a path, or None for a file object; `TypeError` naming ``name`` else.

    Paths are text (a ``str`` or an ``os.PathLike`` giving one): a ``bytes``
    path is refused rather than half supported, ``os.fsdecode`` turns it into one.
    """
    if isinstance(target, str | os.PathLike):
        path = os.fspath(target)
        if isinstance(path, str):
            return path
    elif not isinstance(target, bytes | bytearray) and callable(getattr(target, what, None)):
        return None
    hint = " (decode a bytes path with os.fsdecode)" if isinstance(
        target, bytes | bytearray | os.PathLike) else ""
    raise TypeError(f"{name} must be a path or a text file, got {type(target).__name__}{hint}")


@contextmanager
def _opened(target: Target, name: str = "target") -> Iterator[IO[str]]:
    """``target`` opened for writing (a path here, closed after), or the caller's file."""
    path = _path(target, name, "write")
    if path is None:
        yield cast(IO[str], target)
        return
    with open(path, "w", encoding="utf-8", newline="") as handle:
        yield handle


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
    with _opened(target) as handle:
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
    with _opened(target) as handle:
        for journey in journeys:
            handle.write("".join(_line(journey.patient_id, e) for e in journey.events))


def read_jsonl(source: Target) -> Iterator[tuple[str, tuple[ev.Event, ...]]]:
    """(patient id, events) per journey, in file order; `SerializationError` if malformed.

    Lines of one patient must be consecutive, as `write_jsonl` writes them,
    and a referral names the patient of its line. ``source`` is a path or
    an open text file; anything else is a `TypeError` at the call, while a
    path is opened, and each line read, as the journeys are iterated.
    """
    path = _path(source, "source", "__iter__")
    return _journeys(cast(Iterable[str], source)) if path is None else _read(path)


def _read(path: str) -> Iterator[tuple[str, tuple[ev.Event, ...]]]:
    with open(path, encoding="utf-8", newline="") as handle:
        yield from _journeys(handle)


def _journeys(lines: Iterable[str]) -> Iterator[tuple[str, tuple[ev.Event, ...]]]:
    current: str | None = None
    events: list[ev.Event] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        patient, event = _record(number, line)
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


_KEYS = ("patient_id", "event")


def _record(number: int, line: str) -> tuple[str, ev.Event]:
    """One line's patient id and event, or `SerializationError` saying what is wrong."""
    try:  # the documents' own reader: its limits, no duplicate keys, no NaN
        record = read_json(line)
    except SerializationError as error:
        raise SerializationError(f"line {number}: {error}") from None
    if not isinstance(record, dict):
        raise SerializationError(f"line {number}: expected an object with 'patient_id' and "
                                 f"'event', got {type(record).__name__}")
    if set(record) != set(_KEYS):
        raise SerializationError(f"line {number}: {_wrong_keys(record)} (a line holds only "
                                 "'patient_id' and 'event')")
    patient = record["patient_id"]
    if not isinstance(patient, str):
        raise SerializationError(f"line {number}.patient_id: expected a string")
    event = load_event(record["event"], f"line {number}.event")
    if isinstance(event, ev.Referred) and event.patient_id != patient:
        # Otherwise one patient's referral could be filed under another's id.
        raise SerializationError(f"line {number}: the event's patient_id "
                                 f"{show(event.patient_id)} differs from the line's "
                                 f"{show(patient)}")
    return patient, event


def _wrong_keys(record: dict[str, Any]) -> str:
    """The keys a line has but should not, and those it lacks (a few, each shortened)."""
    def listed(what: str, keys: list[str]) -> str:
        shown = ", ".join(show(key, 40) for key in keys[:5])
        more = f" and {len(keys) - 5} more" if len(keys) > 5 else ""
        return f"{what} key{'s' if len(keys) > 1 else ''} {shown}{more}"

    extra = [key for key in record if key not in _KEYS]
    missing = [key for key in _KEYS if key not in record]
    parts = ([listed("unexpected", extra)] if extra else []) + (
        [listed("missing", missing)] if missing else [])
    return "; ".join(parts)


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


class _Output:
    """One target of `staged`: its handle, and for a path the `Staged` file behind it."""

    __slots__ = ("file", "handle")

    def __init__(self, handle: IO[str], file: Staged | None = None) -> None:
        self.handle, self.file = handle, file

    def discard(self) -> None:
        if self.file is not None:
            with contextlib.suppress(OSError):
                self.handle.close()
            self.file.discard()


def _stage(target: Target, name: str) -> _Output:
    """``target`` ready for writing: a file object as is, a path through `Staged`."""
    path = _path(target, name, "write")
    if path is None:
        return _Output(cast(IO[str], target))
    file = Staged(path)
    try:
        handle = open(file.part, "w", encoding="utf-8", newline="")  # noqa: SIM115 - `staged` closes it
    except BaseException:
        file.discard()
        raise
    return _Output(handle, file)


def _refuse_twice(name: str, file: Staged, targets: list[tuple[str, Target | None]],
                  outputs: list[_Output | None]) -> None:
    """Two paths may not name one file, where each output would overwrite the other.

    A device or pipe (written in place, `Staged.special`) keeps nothing to
    overwrite, so two outputs may go to one (``/dev/null``, a terminal).
    """
    if file.special:
        return
    for (other, _), earlier in zip(targets, outputs[:-1], strict=False):
        if earlier is not None and earlier.file is not None and earlier.file.target == file.target:
            raise ValueError(f"{other} and {name} name the same file ({show(file.path, 200)}); "
                             "give each output a file of its own")


@contextmanager
def staged(targets: list[tuple[str, Target | None]]) -> Iterator[list[IO[str] | None]]:
    """Each ``(name, target)`` opened for writing now, or None; paths written only on success.

    Every target is checked and opened before the block runs, so a bad
    second target fails before any work. A path's content goes to a
    temporary file beside it (`_stage`), moved onto the path once the block
    has ended without an exception and every file is closed; on any
    exception (``KeyboardInterrupt`` too) the temporary files are removed,
    so a failed run leaves neither a partial nor an empty file, and a file
    already there keeps its content. Two paths naming one file are refused.
    File objects are the caller's: written, never closed.
    """
    outputs: list[_Output | None] = []
    try:
        for name, target in targets:
            output = None if target is None else _stage(target, name)
            outputs.append(output)
            if output is not None and output.file is not None:
                _refuse_twice(name, output.file, targets, outputs)
        yield [None if output is None else output.handle for output in outputs]
        for output in outputs:
            if output is not None and output.file is not None:
                output.handle.close()
        for output in outputs:
            if output is not None and output.file is not None:
                output.file.commit()
    except BaseException:
        for output in outputs:
            if output is not None:
                output.discard()
        raise
