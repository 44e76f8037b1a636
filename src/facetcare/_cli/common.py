"""What every command shares: the exit-code contract, the console, the profiles.

Exit codes are part of the interface, so scripts and CI jobs can rely on
them: 0 accepted or done, 1 refused (or a tool it needs is missing), 2 the
input could not be read or the options are wrong. Unreadable input is one
line on stderr, never a traceback: whoever reads it should see what to fix,
not facetcare's internals.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any, ClassVar

import click
from rich.console import Console

from facetcare._validate import clinical_time
from facetcare.documents import DEFAULT_LIMITS
from facetcare.errors import SerializationError
from facetcare.policy import Policy

#: The named policy profiles, as the options spell them.
PROFILES: tuple[str, ...] = tuple(Policy.profiles())


class PolicyOption(click.ParamType):  # type: ignore[type-arg]
    """``--policy``: a profile name, or a clinic's ``.toml`` / ``.json`` policy file."""

    name = "profile|file"

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "PROFILE|FILE"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Any:
        if value in PROFILES or (isinstance(value, str)
                                 and Path(value).suffix.lower() in (".toml", ".json")):
            return value
        self.fail(f"{value!r} is neither a profile ({', '.join(PROFILES)}) nor a .toml or "
                  ".json policy file", param, ctx)


#: The type of every ``--policy`` option.
POLICY = PolicyOption()


class ClinicalTime(click.ParamType):  # type: ignore[type-arg]
    """A time option: ISO 8601 with a UTC offset, inside the calendar events may use.

    Checked when the option is parsed, so a time no event could carry is a
    usage error naming the option, not a failure deep inside a replay.
    """

    name = "time"

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "ISO"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Any:
        if isinstance(value, dt.datetime):
            return value
        try:
            moment = dt.datetime.fromisoformat(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not an ISO 8601 time such as 2026-03-16T09:00+00:00",
                      param, ctx)
        if moment.tzinfo is None or moment.utcoffset() is None:
            example = moment.isoformat(timespec="minutes") + "+00:00"  # a date gains its time
            self.fail(f"{value!r} has no UTC offset; add one, e.g. {example}", param, ctx)
        try:
            return clinical_time(moment, "the time")
        except (TypeError, ValueError) as error:
            self.fail(f"{value!r}: {error}", param, ctx)


#: The type of every time option (``--now``, ``--from``, ``--to``).
TIME = ClinicalTime()

#: ``--replications``: at most `facetcare.simulation.replicate.MAX_REPLICATIONS`,
#: written out so the CLI starts without importing the simulator.
REPLICATIONS = click.IntRange(min=1, max=100_000)


class Unreadable(click.ClickException):
    """Input that cannot be read: one line on stderr, exit code 2."""

    exit_code: ClassVar[int] = 2

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.split()))


def console() -> Console:
    """A console on the current stdout (made per command, so tests can capture it).

    Lines of prose are not wrapped, so a refusal stays one greppable line;
    tables still fit the terminal.
    """
    return Console(highlight=False, soft_wrap=True)


def policy_named(name: str | None) -> Policy:
    """A profile by name, or the policy in a ``.toml`` / ``.json`` file (unreadable: exit 2)."""
    if name is None or name in PROFILES:
        return Policy.profiles()[name or "seed"]
    try:
        return Policy.from_file(name)
    except OSError as error:
        why = error.strerror or error
        raise Unreadable(f"{name}: cannot read the policy file: {why}") from None
    except SerializationError as error:
        raise Unreadable(str(error)) from None


def read_input(path: Path, limit: int = DEFAULT_LIMITS.max_bytes) -> str:
    """A file's UTF-8 text, at most ``limit`` bytes (``/dev/zero`` is refused, not read)."""
    try:
        with path.open("rb") as stream:
            data = stream.read(limit + 1)
    except FileNotFoundError:
        raise Unreadable(f"{path}: no such file") from None
    except IsADirectoryError:
        raise Unreadable(f"{path}: is a directory, not a file") from None
    except OSError as error:
        raise Unreadable(f"{path}: cannot read: {error.strerror or error}") from None
    if len(data) > limit:
        raise Unreadable(f"{path}: larger than {limit} bytes (the document size limit)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise Unreadable(f"{path}: not UTF-8 text (expected JSON or JSON Lines)") from None


def cap_workers(workers: int | None) -> int | None:
    """``--workers`` no more than the cores this process may use (at least 1)."""
    if workers is None:
        return None
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        cores = os.cpu_count() or 1
    if workers < 1:
        raise click.BadParameter(f"must be at least 1, got {workers}", param_hint="--workers")
    return min(workers, max(cores, 1))


def use_workers(asked: int) -> int:
    """`cap_workers` for a command's ``--workers``, saying so when it lowers the number.

    More processes than cores would only share them; results do not depend on it.
    """
    capped = cap_workers(asked) or 1
    if capped < asked:
        click.echo(f"note: --workers {asked} is more than the {capped} core(s) this process "
                   f"may use; running {capped}", err=True)
    return capped
