"""Output paths are checked before a long run starts: one line, exit code 2.

A missing directory, a directory given as a file, or an unwritable place
would otherwise only fail after the whole cohort has been simulated.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import ClassVar

import click

__all__ = ["BadOutput", "check_outputs"]


class BadOutput(click.ClickException):
    """An output path that cannot be written: one line on stderr, exit code 2."""

    exit_code: ClassVar[int] = 2


def check_outputs(paths: Iterable[tuple[str, Path | None]]) -> None:
    """Refuse, before any work, every (option, path) that could not be written."""
    for option, path in paths:
        if path is None:
            continue
        parent = path.parent if str(path.parent) else Path(".")
        if path.is_dir():
            raise BadOutput(f"{option} {path}: is a directory, not a file")
        if not parent.is_dir():
            raise BadOutput(f"{option} {path}: the directory {parent} does not exist")
        if not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
            raise BadOutput(f"{option} {path}: not writable")
