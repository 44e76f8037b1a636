"""``facetcare check``: replay a pathway document or an event log under every rule.

A log from another system is not believed: every event is checked again,
so a tampered one is refused with the rule that caught it. Exit codes (see
`facetcare._cli.common`): 0 accepted, 1 refused, 2 unreadable. The time at
which due tasks are listed defaults to the last event's, never the wall
clock, so the same file always gives the same answer.
"""

from __future__ import annotations

import datetime as dt
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from facetcare import events as ev
from facetcare._cli.check_cohort import check_cohort, is_cohort
from facetcare._cli.common import POLICY, TIME, Unreadable, console, policy_named, read_input
from facetcare.documents import decode, load_event, load_events_jsonl, read_json
from facetcare.documents.jsonl import event_lines
from facetcare.errors import PathwayError, Rejected, SerializationError
from facetcare.pathway import Pathway
from facetcare.policy import Policy
from facetcare.scheduling import Task


def _read_text(path: Path) -> str:
    return read_input(path)


def _rereadable(path: Path) -> bool:
    """A regular file, which can be sniffed and then read again (a pipe is read once).

    A cohort in a regular file is streamed, so it may be larger than the
    document size limit; anything else is read into memory once, bounded.
    """
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except (OSError, ValueError):
        return True  # reading it says why it cannot be read


def _is_jsonl(path: Path, text: str) -> bool:
    """JSON Lines by suffix, or by content: several lines, the first a whole JSON value."""
    if path.suffix.lower() in {".jsonl", ".ndjson"}:
        return True
    lines = event_lines(text)
    if len(lines) < 2:
        return False
    try:
        read_json(lines[0][1])
    except SerializationError:
        return False
    return True


class Input(NamedTuple):
    """What FILE held: an event log (with each event's line, for JSON Lines) or a document."""

    events: list[ev.Event] | None = None
    document: dict[str, Any] | None = None
    lines: list[int] | None = None


def _parse(path: Path, text: str) -> Input:
    """The events of an event log, or the raw pathway document; `Unreadable` otherwise."""
    if not text.strip():
        raise Unreadable(f"{path}: empty file (expected a pathway document or an event log)")
    try:
        if _is_jsonl(path, text):
            lines = [number for number, _ in event_lines(text)]
            return Input(events=load_events_jsonl(text), lines=lines)
        data = read_json(text)
        if isinstance(data, list):
            return Input(events=[load_event(item, f"$[{i}]") for i, item in enumerate(data)])
        if isinstance(data, dict) and "type" in data and "schema" not in data:
            return Input(events=[load_event(data)])
        if isinstance(data, dict):
            return Input(document=data)
        raise Unreadable(
            f"{path}: expected a pathway document (an object with 'schema') or JSON Lines "
            f"of events, got a JSON {type(data).__name__}"
        )
    except SerializationError as error:
        raise Unreadable(f"{path}: {error}") from None


def _when(moment: dt.datetime | None) -> str:
    """Minutes and the offset: what a clinic's calendar shows, unambiguously."""
    return "" if moment is None else moment.isoformat(sep=" ", timespec="minutes")


def _task_status(task: Task, now: dt.datetime) -> str:
    if task.overdue(now):
        return "[bold red]overdue[/]"
    return "due now" if task.not_before <= now else "upcoming"


def _offset(moment: dt.datetime) -> str:
    minutes = int((moment.utcoffset() or dt.timedelta(0)).total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _local(moment: dt.datetime | None, now: dt.datetime) -> str:
    """A task time in the zone of ``now``, whose offset the header states once."""
    if moment is None:
        return ""
    return moment.astimezone(now.tzinfo).strftime("%Y-%m-%d %H:%M")


def _tasks_table(tasks: tuple[Task, ...], now: dt.datetime) -> Table:
    """Columns that no task fills (no deadline, no visit) are left out to keep it narrow."""
    optional: dict[str, Callable[[Task], str]] = {
        "due by": lambda task: _local(task.due_by, now),
        "visit": lambda task: task.visit_id or "",
    }
    shown = {name: cell for name, cell in optional.items() if any(cell(t) for t in tasks)}
    table = Table()
    table.add_column("status", no_wrap=True)
    table.add_column("task", no_wrap=True)
    table.add_column("from")
    for name in shown:
        table.add_column(name, no_wrap=name == "visit")
    table.add_column("detail", ratio=1, min_width=16)
    for task in tasks:
        table.add_row(_task_status(task, now), task.kind, _local(task.not_before, now),
                      *(escape(cell(task)) for cell in shown.values()), escape(task.detail))
    return table


def _before_refusal(events: list[ev.Event], index: int, policy: Policy | None) -> str:
    if index <= 0:
        return "no event was accepted before it"
    try:
        stage = Pathway.replay(events[:index], policy=policy).stage
    except (Rejected, ValueError, TypeError):  # pragma: no cover - replay refused it first
        return f"{index} event(s) accepted before it"
    return f"{index} event(s) accepted before it; the stage was then {stage}"


def _document_parts(document: dict[str, Any]) -> tuple[list[ev.Event], Policy | None]:
    """The events and policy of a document that loaded but replayed into a refusal."""
    try:
        policy, events = decode(document)
    except PathwayError:  # pragma: no cover - from_dict read them already
        return [], None
    return events, policy


@click.command(short_help="Replay a document or event log: stage, due tasks or refusal.")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--policy", "policy_name", type=POLICY, default=None,
              help="Policy for an event log (default: seed). A pathway document carries "
                   "its own policy.")
@click.option("--now", type=TIME, default=None,
              help="Time to list due tasks at, with its UTC offset. Default: the time of the "
                   "last event (the wall clock is never read).")
def check(file: Path, policy_name: str | None, now: dt.datetime | None) -> None:
    """Replay FILE under every rule: the stage and due tasks, or the first refusal.

    FILE is a pathway document (the JSON of Pathway.to_json), an event log
    in JSON Lines (one event per line, as dump_events_jsonl writes), or a
    cohort file (what `facetcare simulate --events` writes). Every
    event is checked again, so a tampered log is refused, not believed.

    \b
    Exit codes: 0 accepted, 1 refused, 2 unreadable (missing, not JSON,
    truncated, unknown event type, newer schema).

    \b
    Examples:
      facetcare check pathway.json
      facetcare check events.jsonl --policy medicare-l38803
      facetcare check events.jsonl --now 2026-04-01T09:00+00:00
    """
    text = None if _rereadable(file) else _read_text(file)
    if is_cohort(file, text):  # what `facetcare simulate --events` writes: many patients
        if now is not None:
            click.echo(f"note: {file} is a cohort file; its pathways' stages are counted, "
                       "without due tasks, so --now is ignored", err=True)
        check_cohort(file, policy_named(policy_name), text)
        return
    if text is None:
        text = _read_text(file)
    found = _parse(file, text)
    out = console()
    events, document = found.events, found.document
    policy: Policy | None = None
    if document is not None:
        if policy_name is not None:
            click.echo(f"note: {file} is a pathway document with its own policy; --policy "
                       "is ignored", err=True)
    else:
        policy = policy_named(policy_name)
        if not events:
            raise Unreadable(f"{file}: no events (a pathway starts with Referred)")
    try:
        if document is not None:
            pathway = Pathway.from_dict(document)
        else:
            pathway = Pathway.replay(events or [], policy=policy)
    except SerializationError as error:
        raise Unreadable(f"{file}: {error}") from None
    except Rejected as refused:
        if document is not None:
            events, policy = _document_parts(document)
        _print_refusal(out, file, refused, Input(events, document, found.lines), policy)
        raise SystemExit(1) from None
    except (PathwayError, ValueError, TypeError) as error:
        raise Unreadable(f"{file}: {error}") from None
    _print_accepted(out, file, pathway, now)


def _print_refusal(out: Console, file: Path, refused: Rejected, found: Input,
                   policy: Policy | None) -> None:
    index = refused.index if refused.index is not None else 0
    event = refused.event
    what = f"{event.kind} at {_when(event.at)}" if event is not None else "no event"
    if found.lines is not None and index < len(found.lines):
        what += f", line {found.lines[index]}"
    out.print(f"[bold red]refused[/]: {escape(str(file))}, event {index} ({what})")
    for reason in refused.reasons:
        out.print(f"  {reason.code}: {escape(reason.message)}")
    out.print(f"  {_before_refusal(found.events or [], index, policy)}")


def _print_accepted(out: Console, file: Path, pathway: Pathway,
                    now: dt.datetime | None) -> None:
    last = pathway.last_event_at
    assert last is not None
    at = now or last
    policy = pathway.policy
    shown = (f"{policy.name} v{policy.version}" if policy.version is not None
             else f"{policy.name} (as recorded in the file, not a shipped profile)")
    out.print(f"[bold green]accepted[/]: {escape(str(file))}, {len(pathway.events)} event(s) "
              f"under policy {escape(shown)}")
    out.print(escape(f"pathway {pathway.pathway_id}, patient {pathway.patient_id}, "
                     f"{pathway.region} region"))
    out.print(f"stage: [bold]{pathway.stage}[/]")
    tasks = pathway.due(at)
    source = "--now" if now is not None else "the last event"
    if not tasks:
        why = " (a final stage)" if pathway.stage.is_final else ""
        out.print(f"no open tasks at {_when(at)}{why}")
        return
    out.print(f"due at {_when(at)} ({source}); times in UTC{_offset(at)}:")
    out.print(_tasks_table(tasks, at))
