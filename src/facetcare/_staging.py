"""A file written beside its target and moved onto it only when the whole output is done.

Whoever writes a long output (a cohort's events, a plot after a run) wants
all or nothing: a run that fails, or is interrupted, must leave neither a
partial nor an empty file, and a file already there must keep its
content. `Staged` creates a temporary file in the target's own directory
(so `os.replace` moves it there atomically; a symlink is followed, as
``open`` would follow it), with ``O_EXCL`` and mode 0o666 so the umask
applies as to any new file, or the mode of the file it will replace.
Creating it is also the honest check that the target can be written: it
fails where ``open`` would (a missing directory, ``/proc``, a read-only
mount, a name too long), which ``os.access`` does not say for root.

A target that exists but is not a regular file (``/dev/stdout``, a FIFO)
is written as is: replacing it would replace the device or pipe itself.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat

__all__ = ["Staged"]

_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)


class Staged:
    """One output: ``part`` is where to write, `commit` puts it at ``path``, `discard` drops it.

    Raises the `OSError` that ``open(path, "w")`` would (with ``path`` as
    its filename), and `IsADirectoryError` for a directory.
    """

    __slots__ = ("done", "part", "path", "special", "target")

    def __init__(self, path: str) -> None:
        self.path = path
        self.target = os.path.realpath(path)
        self.done = False
        try:
            mode: int | None = os.stat(self.target).st_mode
        except FileNotFoundError:
            mode = None
        except OSError as error:  # a path through a file, a name too long, a loop
            raise type(error)(error.errno, error.strerror, path) from None
        if mode is not None and stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), path)
        self.special = mode is not None and not stat.S_ISREG(mode)
        if self.special:
            if not os.access(self.target, os.W_OK):
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), path)
            self.part = self.target
            return
        if mode is not None and not os.access(self.target, os.W_OK):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), path)
        folder, base = os.path.split(self.target)
        while True:
            part = os.path.join(folder, f".{base[:100]}.{secrets.token_hex(4)}.part")
            try:
                descriptor = os.open(part, _FLAGS, 0o666)
            except FileExistsError:
                continue
            except OSError as error:  # said of the caller's path, as open() would
                raise type(error)(error.errno, error.strerror, path) from None
            break
        try:
            if mode is not None:
                os.chmod(part, stat.S_IMODE(mode))
        finally:
            os.close(descriptor)
        self.part = part

    def commit(self) -> None:
        """Move the written file onto the target (a special file was written in place)."""
        if not self.special and not self.done:
            os.replace(self.part, self.target)
        self.done = True

    def discard(self) -> None:
        """Remove the temporary file, if it was not committed."""
        if not self.special and not self.done:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.part)
        self.done = True
