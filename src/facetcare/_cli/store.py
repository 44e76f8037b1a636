"""``facetcare store``: pathway documents in and out of a store, the worklist, one pathway.

The store needs SQLAlchemy (the ``store`` extra), imported only when a
subcommand runs, so ``facetcare --help`` works without it. Exit codes are
`check`'s (see `facetcare._cli.common`): 0 done, 1 refused (the rules
refused a document, or its pathway id is already stored; or the store
extra is missing), 2 unreadable (a file, an option, an unknown pathway id,
a database that cannot be opened).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.markup import escape

from facetcare._cli.check import (
    _local,
    _offset,
    _parse,
    _read_text,
    _tasks_table,
    _when,
)
from facetcare._cli.common import POLICY, TIME, Unreadable, console, policy_named
from facetcare._cli.outputs import Outputs
from facetcare.errors import PathwayError, Rejected, SerializationError
from facetcare.pathway import Pathway
from facetcare.scheduling import Task

if TYPE_CHECKING:
    from facetcare.store import Store, WorkItem

INSTALL = "pip install 'facetcare[store]'"

_db_option = click.option(
    "--db", "url", required=True, envvar="FACETCARE_STORE", metavar="URL",
    help="Database URL, e.g. sqlite:///clinic.db or postgresql+psycopg://user@host/db "
         "(or set FACETCARE_STORE).")


@contextmanager
def _opened(url: str) -> Iterator[Store]:
    try:
        from facetcare.store import Store
    except ModuleNotFoundError as missing:
        click.echo(f"facetcare store needs its extra: {INSTALL} (missing: {missing.name})",
                   err=True)
        raise SystemExit(1) from None
    import sqlalchemy as sa

    try:
        shown = sa.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        raise Unreadable(f"--db: not a database URL: {url!r}") from None
    try:
        store = Store(url)
    except ModuleNotFoundError as missing:  # the URL names a driver that is not installed
        raise Unreadable(f"--db {shown}: its database driver is not installed "
                         f"(missing: {missing.name})") from None
    except (sa.exc.SQLAlchemyError, PathwayError) as error:
        raise Unreadable(f"--db {shown}: cannot open the store: {_driver_words(error)}") from None
    try:
        yield store
    except sa.exc.SQLAlchemyError as error:  # the database failed mid-command (locked, gone)
        raise Unreadable(f"--db {shown}: {_driver_words(error)}") from None
    finally:
        store.close()


def _driver_words(error: Exception) -> str:
    """The driver's own message, without the SQL statement and link SQLAlchemy appends."""
    return str(getattr(error, "orig", None) or error).splitlines()[0]


@click.group(short_help="A pathway store: import, export, worklist, show.")
def store() -> None:
    """Pathways in a database (SQLite file or PostgreSQL), through facetcare.store.

    \b
    Exit codes: 0 done, 1 refused (the rules refused a document, or its
    pathway is already stored), 2 unreadable (file, option, unknown id, database).

    \b
    Examples:
      facetcare store import --db sqlite:///clinic.db pw-1.json pw-2.jsonl
      facetcare store worklist --db sqlite:///clinic.db \\
          --from 2026-04-01T00:00+00:00 --to 2026-04-02T00:00+00:00
      facetcare store show pw-1 --db sqlite:///clinic.db
      facetcare store export pw-1 pw-1.json --db sqlite:///clinic.db
    """


def _pathway_of(file: Path, policy_name: str | None) -> Pathway:
    found = _parse(file, _read_text(file))
    try:
        if found.document is not None:
            return Pathway.from_dict(found.document)
        if not found.events:
            raise Unreadable(f"{file}: no events (a pathway starts with Referred)")
        return Pathway.replay(found.events, policy=policy_named(policy_name))
    except SerializationError as error:
        raise Unreadable(f"{file}: {error}") from None
    except (ValueError, TypeError) as error:  # a value an event type refuses
        raise Unreadable(f"{file}: {error}") from None


@store.command("import", short_help="Store pathway documents or event logs.")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@_db_option
@click.option("--policy", "policy_name", type=POLICY, default=None,
              help="Policy for event logs (default: seed); a document carries its own.")
def import_(files: tuple[Path, ...], url: str, policy_name: str | None) -> None:
    """Replay each FILE under every rule and store it (each file all or nothing).

    FILE is a pathway document (Pathway.to_json) or a JSON Lines event log.
    Stops at the first file that is refused or unreadable.
    """
    from facetcare.store import Conflict

    out = console()
    with _opened(url) as opened:
        for count, file in enumerate(files):
            try:
                pathway = _pathway_of(file, policy_name)
                version = opened.add(pathway)
            except (Rejected, Conflict) as refused:
                out.print(f"[bold red]refused[/]: {escape(str(file))}: {escape(str(refused))}")
                out.print(f"  {count} file(s) imported before it")
                raise SystemExit(1) from None
            out.print(f"imported {escape(str(file))}: pathway {escape(pathway.pathway_id)}, "
                      f"{version} event(s), stage {pathway.stage}")


def _loaded(opened: Store, pathway_id: str) -> tuple[Pathway, int]:
    from facetcare.store import NotFound

    try:
        return opened.load(pathway_id)
    except NotFound as missing:
        raise Unreadable(str(missing)) from None
    except SerializationError as damaged:  # the stored document was edited behind the store
        raise Unreadable(str(damaged)) from None


@store.command(short_help="Write one stored pathway as a document.")
@click.argument("pathway_id")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, allow_dash=True))
@_db_option
def export(pathway_id: str, file: Path, url: str) -> None:
    """Write the pathway PATHWAY_ID as a pathway document to FILE ('-' for stdout)."""
    if str(file) == "-":
        click.echo(_stored_document(url, pathway_id))
        return
    with Outputs([("FILE", file)]) as outputs:
        text = _stored_document(url, pathway_id)
        with outputs.writing(file) as staged:
            staged.write_text(text + "\n", encoding="utf-8")
        outputs.commit()
    click.echo(f"exported pathway {pathway_id} to {file}")


def _stored_document(url: str, pathway_id: str) -> str:
    """The document of a stored pathway (replayed as it loads, so a bad one is refused)."""
    with _opened(url) as opened:
        pathway, _ = _loaded(opened, pathway_id)
    return pathway.to_json()


def _status(task: Task, now: dt.datetime) -> str:
    if task.overdue(now):
        return "overdue"
    return "due now" if task.not_before <= now else "upcoming"


def _worklist_lines(items: tuple[WorkItem, ...], now: dt.datetime) -> list[str]:
    """One line per task (a script can grep it): status, opening, pathway, task, then the rest."""
    width = max(len(item.pathway_id) for item in items)
    lines = []
    for item in items:
        task = item.task
        extra = "".join(
            f"  {label} {escape(value)}"
            for label, value in (("due by", _local(task.due_by, now)),
                                 ("visit", task.visit_id or ""))
            if value
        )
        lines.append(f"{_status(task, now):<8}  {_local(task.not_before, now)}  "
                     f"{escape(item.pathway_id):<{width}}  {task.kind}{extra}  "
                     f"[dim]{escape(task.detail)}[/]")
    return lines


@store.command(short_help="Every open task by a time, overdue first.")
@_db_option
@click.option("--from", "start", type=TIME, required=True,
              help="Start of the working period, with its UTC offset (overdue is judged here).")
@click.option("--to", "end", type=TIME, required=True,
              help="End of the period: tasks opening later are left out.")
def worklist(url: str, start: dt.datetime, end: dt.datetime) -> None:
    """List every open task that opens by --to, overdue ones first, then by time.

    One indexed query over the stored task rows; no pathway is replayed.
    """
    if end < start:
        raise click.BadParameter("--to is before --from", param_hint="--to")
    with _opened(url) as opened:
        items = opened.worklist(start, end)
    ordered = tuple(sorted(items, key=lambda item: not item.overdue(start)))  # stable
    out = console()
    overdue = sum(item.overdue(start) for item in items)
    out.print(f"worklist {_when(start)} to {_when(end)}: {len(items)} task(s), "
              f"{overdue} overdue; times in UTC{_offset(start)}")
    for line in _worklist_lines(ordered, start) if items else []:
        out.print(line)


@store.command(short_help="One stored pathway: stage, version, tasks.")
@click.argument("pathway_id")
@_db_option
@click.option("--now", type=TIME, default=None,
              help="Time to judge overdue tasks at (default: the last event's time).")
def show(pathway_id: str, url: str, now: dt.datetime | None) -> None:
    """Load PATHWAY_ID (replayed under every rule) and print where it stands."""
    with _opened(url) as opened:
        pathway, version = _loaded(opened, pathway_id)
        tasks = opened.tasks(pathway_id)
    out = console()
    at = now or pathway.events[-1].at
    out.print(escape(f"pathway {pathway.pathway_id}, patient {pathway.patient_id}, "
                     f"{pathway.region} region, policy {pathway.policy.name}"))
    out.print(f"stage: [bold]{pathway.stage}[/], version {version}")
    if not tasks:
        out.print("no open tasks")
        return
    out.print(f"tasks at {_when(at)}; times in UTC{_offset(at)}:")
    out.print(_tasks_table(tasks, at))
