"""The ``facetcare`` command: entry point only.

The commands need click, rich and matplotlib (the ``cli`` extra), which the
library itself never imports. The console script points here, so this
module must import without them: it loads the commands when called and,
if the extra is missing, says how to install it in one line instead of a
traceback. ``from facetcare.cli import cli`` still gives the click group.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType
from typing import Any

from facetcare._extras import CLI_PACKAGES as _EXTRA
from facetcare._extras import EXTRA_HINT, INSTALL

__all__ = ["EXTRA_HINT", "INSTALL", "main"]


def main(argv: Sequence[str] | None = None) -> None:
    """Run the command line (the ``facetcare`` console script)."""
    try:
        from facetcare._cli import cli
    except ModuleNotFoundError as missing:
        if (missing.name or "").partition(".")[0] not in _EXTRA:
            raise
        sys.exit(f"{EXTRA_HINT} (missing: {missing.name})")
    previous = _stop_cleanly_on_sigterm()
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="facetcare")
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _terminated(signum: int, _: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def _stop_cleanly_on_sigterm() -> Any:
    """Make SIGTERM end the command as Ctrl-C does, so its staged outputs are removed.

    By default SIGTERM (``kill``, a CI or systemd timeout) ends the process
    at once and leaves a long run's temporary files beside its targets; as
    an exception it unwinds through `facetcare._cli.outputs.Outputs`, which
    discards them and leaves any existing file untouched. Only the main
    thread may set a handler; elsewhere the default stays.
    """
    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGTERM, _terminated)


def __getattr__(name: str) -> Any:
    if name == "cli":
        from facetcare._cli import cli

        return cli
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
