"""The files a long command writes: checked before the run, written all or none.

A missing directory, a directory given as a file, a place the process
cannot create a file in (``/proc``, a read-only mount), a name too long,
or one file named by two options would otherwise only fail after the whole
cohort has been simulated, or silently overwrite one output with another.
`Outputs` refuses them up front (one line, exit code 2) by doing what the
write will do: it creates each output's temporary file, in the target's
own directory, before any work. The command writes into those; only when
every output is written are they renamed onto their targets, so a run that
fails or is interrupted leaves no partial file and touches no existing one.
A target that exists but is not a regular file (``/dev/stdout``, a pipe)
is not renamed over: its content is copied into it at the end.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import ClassVar

import click

__all__ = ["BadOutput", "NotWritten", "Outputs"]


class BadOutput(click.ClickException):
    """An output path that cannot be written: one line on stderr, exit code 2."""

    exit_code: ClassVar[int] = 2


class NotWritten(click.ClickException):
    """An output that failed while being written (a full disk): one line, exit code 1."""


def _why(error: OSError) -> str:
    return str(error.strerror or error).lower()


class _Staged:
    """One output: what the user named, where it really goes, and its temporary file."""

    def __init__(self, option: str, path: Path) -> None:
        self.option, self.path = option, path
        self.target = Path(os.path.realpath(path))  # through symlinks, as open() would go
        self.special = False
        try:
            mode = os.stat(self.target).st_mode
        except FileNotFoundError:
            mode = None
        except NotADirectoryError:
            raise self.refused(f"{path.parent} is not a directory") from None
        except OSError as error:  # a name too long, a symlink loop
            raise self.refused(_why(error)) from None
        if mode is not None and stat.S_ISDIR(mode):
            raise self.refused("is a directory, not a file")
        self.special = mode is not None and not stat.S_ISREG(mode)
        parent = self.target.parent
        if not self.special and not parent.is_dir():
            shown = path.parent if str(path.parent) else Path(".")
            what = "is not a directory" if parent.exists() else "does not exist"
            raise self.refused(f"the directory {shown} {what}")
        if self.special and not os.access(self.target, os.W_OK):
            raise self.refused("not writable")
        try:
            handle, name = tempfile.mkstemp(prefix=".facetcare-", suffix=".part",
                                            dir=None if self.special else parent)
        except OSError as error:
            where = "a temporary file" if self.special else f"a file in {path.parent or '.'}"
            raise self.refused(f"cannot create {where}: {_why(error)}") from None
        os.close(handle)
        self.staged = Path(name)

    def refused(self, why: str) -> BadOutput:
        return BadOutput(f"{self.option} {self.path}: {why}")

    def commit(self) -> None:
        if self.special:
            with open(self.staged, "rb") as source, open(self.target, "wb") as sink:
                shutil.copyfileobj(source, sink)
            self.staged.unlink()
        else:  # mkstemp's file is private (0600): give it the mode open() would
            try:
                mode = stat.S_IMODE(os.stat(self.target).st_mode)
            except FileNotFoundError:
                mode = 0o666 & ~_UMASK
            os.chmod(self.staged, mode)
            os.replace(self.staged, self.target)

    def discard(self) -> None:
        self.staged.unlink(missing_ok=True)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


#: Read once, at import: setting the umask to read it is not safe once threads run.
_UMASK = _umask()


class Outputs:
    """Every (option, path) a command will write; see the module docstring.

    Use as a context manager: `writing` gives the temporary file to write
    a target into, `commit` renames them all onto their targets, and leaving
    the block without a commit (an error, Ctrl-C) removes them.
    """

    def __init__(self, named: Iterable[tuple[str, Path | None]]) -> None:
        self._staged: dict[Path, _Staged] = {}
        self._order: list[Path] = []  # as named, for the "wrote" lines
        self._by_target: dict[Path, _Staged] = {}
        try:
            for option, path in named:
                if path is not None:
                    self._add(option, path)
        except BaseException:
            self.discard()
            raise

    def _add(self, option: str, path: Path) -> None:
        target = Path(os.path.realpath(path))
        if target in self._by_target:
            other = self._by_target[target]
            if other.option == option:
                raise BadOutput(f"{option} {path}: named twice")
            raise BadOutput(f"{other.option} {other.path} and {option} {path} are the same "
                            "file: give each output its own")
        staged = _Staged(option, path)
        self._staged[path] = self._by_target[target] = staged
        self._order.append(path)

    def __enter__(self) -> Outputs:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.discard()

    @contextmanager
    def writing(self, path: Path) -> Iterator[Path]:
        """The temporary file ``path`` is written into; a failed write is one line, exit 1."""
        staged = self._staged[path]
        try:
            yield staged.staged
        except OSError as error:
            raise NotWritten(f"{staged.option} {path}: could not write: {_why(error)}") from None

    def commit(self) -> list[Path]:
        """Put every output in place; the paths as the user named them."""
        done: list[Path] = []
        # Copies into special files first: they can fail (a full device) where a
        # rename in a directory already written to does not.
        for path, staged in sorted(self._staged.items(), key=lambda item: not item[1].special):
            try:
                staged.commit()
            except OSError as error:
                raise NotWritten(f"{staged.option} {path}: could not write: "
                                 f"{_why(error)}") from None
            done.append(path)
        self._staged.clear()
        return sorted(done, key=self._order.index)

    def discard(self) -> None:
        """Remove every temporary file not yet put in place."""
        for staged in self._staged.values():
            staged.discard()
        self._staged.clear()
