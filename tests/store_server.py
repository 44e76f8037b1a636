"""A throwaway PostgreSQL server for the store's tests and benchmarks.

Started from the Debian ``postgresql`` package's binaries (``initdb`` and
``pg_ctl`` under /usr/lib/postgresql/<N>/bin) in a temporary directory,
listening only on a Unix socket in that directory, and removed afterwards.
PostgreSQL refuses to run as root, so when the tests run as root the
server runs as ``nobody``. Plain Python, no pytest: the benchmarks use it too.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = ["PostgresUnavailable", "binaries", "server"]

PREFERRED_MAJOR = "15"


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL binaries here, or the server would not start (the message says which)."""


def binaries() -> Path:
    """The bin directory of the newest installed PostgreSQL, 15 preferred."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise PostgresUnavailable(
            "PostgreSQL: no initdb under /usr/lib/postgresql/*/bin "
            "(apt-get install postgresql)"
        )
    preferred = [f for f in found if f"/{PREFERRED_MAJOR}/" in f]
    return Path((preferred or found)[-1]).parent


def _as_owner() -> dict[str, object]:
    """subprocess arguments that run a command as the server's (unprivileged) owner."""
    if os.geteuid() != 0:
        return {}
    return {"user": "nobody", "group": pwd.getpwnam("nobody").pw_gid}


@contextlib.contextmanager
def server(*, fsync: bool = False) -> Iterator[str]:
    """A running server for the block; yields its SQLAlchemy URL base (``…/postgres``).

    ``fsync=False`` (tests) trades crash safety of the *server* for speed; a
    client killed mid-transaction is still rolled back. Benchmarks pass True.
    """
    bin_dir = binaries()
    root = Path(tempfile.mkdtemp(prefix="facetcare-pg-"))
    owner = _as_owner()
    try:
        if owner:
            os.chown(root, pwd.getpwnam("nobody").pw_uid, -1)
        data, log = root / "data", root / "server.log"
        def run(*command: object, check: bool = True) -> None:
            subprocess.run([str(c) for c in command], check=check, capture_output=True,
                           text=True, cwd=root, **owner)  # type: ignore[call-overload]

        try:
            run(bin_dir / "initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8",
                "--no-sync", "--locale=C")
            options = f"-k {root} -c listen_addresses='' -c fsync={'on' if fsync else 'off'}"
            if not fsync:
                options += " -c synchronous_commit=off -c full_page_writes=off"
            run(bin_dir / "pg_ctl", "-D", data, "-l", log, "-o", options, "-w", "-t", "60",
                "start")
        except subprocess.CalledProcessError as failed:
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise PostgresUnavailable(
                f"PostgreSQL: could not start a server ({failed.stderr.strip()[-500:]} {tail})"
            ) from None
        try:
            yield f"postgresql+psycopg://postgres@/postgres?host={root}"
        finally:
            run(bin_dir / "pg_ctl", "-D", data, "-m", "immediate", "-w", "stop", check=False)
    finally:
        shutil.rmtree(root, ignore_errors=True)
