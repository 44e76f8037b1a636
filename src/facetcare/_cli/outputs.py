"""The files a long command writes: checked before the run, written all or none.

A missing directory, a directory given as a file, a place the process
cannot create a file in (``/proc``, a read-only mount), a name too long,
or one file named by two options would otherwise only fail after the whole
cohort has been simulated, or silently overwrite one output with another.
`Outputs` refuses them up front (one line, exit code 2) by doing what the
write will do: it makes each output's `facetcare._staging.Staged` file,
beside its target, before any work. The command writes into those; only
when every output is written are they moved onto their targets, so a run
that fails or is interrupted leaves no partial file and an existing one
untouched. A device or a pipe is written in place. An output that is one
of the command's own input files (``--csv pc.json --policy pc.json``) is
refused too: it would replace what the run is still to read.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import ClassVar

import click

from facetcare._staging import Staged

__all__ = ["BadOutput", "NotWritten", "Outputs"]


class BadOutput(click.ClickException):
    """An output path that cannot be written: one line on stderr, exit code 2."""

    exit_code: ClassVar[int] = 2


class NotWritten(click.ClickException):
    """An output that failed while being written (a full disk): one line, exit code 1."""


def _why(error: OSError) -> str:
    return str(error.strerror or error).lower()


def _staged(option: str, path: Path) -> Staged:
    """`Staged` for ``path``, its refusal said as a one-line `BadOutput` for ``option``."""
    try:
        return Staged(str(path))
    except IsADirectoryError:
        why = "is a directory, not a file"
    except NotADirectoryError:
        why = f"{path.parent} is not a directory"
    except OSError as error:
        real = Path(os.path.realpath(path)).parent  # where a symlink points, if one
        shown = path.parent if real == Path(os.path.realpath(path.parent)) else real
        if isinstance(error, FileNotFoundError) and not real.is_dir():
            why = f"the directory {shown} does not exist"
        else:  # /proc says "no such file" of any file made in it
            why = f"cannot create a file in {shown}: {_why(error)}"
    raise BadOutput(f"{option} {path}: {why}")


def _same_file(target: str, source: Path) -> bool:
    """``target`` is the regular file ``source`` names (by a link, or another spelling).

    Devices and pipes are left out: ``/dev/stdin`` in and ``/dev/stdout`` out
    may share a terminal without one overwriting the other.
    """
    try:
        written, read = os.stat(target), os.stat(source)
    except (OSError, ValueError):
        return False
    return stat.S_ISREG(read.st_mode) and os.path.samestat(written, read)


class Outputs:
    """Every (option, path) a command will write; see the module docstring.

    Use as a context manager: `writing` gives the temporary file to write
    a target into, `commit` moves them all onto their targets, and leaving
    the block without a commit (an error, Ctrl-C) removes them.
    """

    def __init__(self, named: Iterable[tuple[str, Path | None]],
                 reading: Iterable[tuple[str, Path | None]] = ()) -> None:
        self._files: dict[Path, tuple[str, Staged]] = {}  # as named, for the "wrote" lines
        self._reading = [(option, path) for option, path in reading if path is not None]
        try:
            for option, path in named:
                if path is not None:
                    self._add(option, path)
        except BaseException:
            self.discard()
            raise

    def _add(self, option: str, path: Path) -> None:
        file = _staged(option, path)
        for source_option, source in self._reading:
            if _same_file(file.target, source):
                file.discard()
                raise BadOutput(f"{option} {path} is the input {source_option} {source}: "
                                "give the output its own file")
        for other, (named, earlier) in self._files.items():
            if earlier.target == file.target:
                file.discard()
                if named == option:
                    raise BadOutput(f"{option} {path}: named twice")
                raise BadOutput(f"{named} {other} and {option} {path} are the same file: "
                                "give each output its own")
        self._files[path] = (option, file)

    def __enter__(self) -> Outputs:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.discard()

    @contextmanager
    def writing(self, path: Path) -> Iterator[Path]:
        """The file ``path`` is written into; a failed write is one line, exit 1."""
        option, file = self._files[path]
        try:
            yield Path(file.part)
        except OSError as error:
            raise NotWritten(f"{option} {path}: could not write: {_why(error)}") from None

    def commit(self) -> list[Path]:
        """Put every output in place; the paths as the user named them."""
        for path, (option, file) in self._files.items():
            try:
                file.commit()
            except OSError as error:
                raise NotWritten(f"{option} {path}: could not write: {_why(error)}") from None
        done = list(self._files)
        self._files.clear()
        return done

    def discard(self) -> None:
        """Remove every temporary file not yet put in place."""
        for _, file in self._files.values():
            file.discard()
        self._files.clear()
