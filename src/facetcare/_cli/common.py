"""What every command shares: the exit-code contract, the console, the profiles.

Exit codes are part of the interface, so scripts and CI jobs can rely on
them: 0 accepted or done, 1 refused (or a tool it needs is missing), 2 the
input could not be read or the options are wrong. Unreadable input is one
line on stderr, never a traceback: whoever reads it should see what to fix,
not facetcare's internals.
"""

from __future__ import annotations

from typing import ClassVar

import click
from rich.console import Console

from facetcare.policy import Policy

#: The named policy profiles, as the options spell them.
PROFILES: tuple[str, ...] = tuple(Policy.profiles())


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
    return Policy.profiles()[name or "seed"]
