"""Reading a file that came from someone else (a deck, a CSV, a sync segment) without trusting what it is.

A path named like a deck can be a FIFO, which blocks a read until someone writes to it, or a link to
``/dev/zero`` or ``/dev/urandom``, which reports a size of 0 and never ends: checking the size first and then
reading the whole file hangs on the one and fills the memory with the other. :func:`read_regular` opens
without blocking, refuses anything but a regular file, and never reads more than its limit, even from a file
that grows after it was looked at.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import BinaryIO


class FileTooLarge(OSError):
    """The file holds more than the reader's limit (``size`` is what it held when looked at, at least)."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(errno.EFBIG, f"larger than {limit:,} bytes")
        self.size = size
        self.limit = limit


def open_regular(path: Path | str) -> BinaryIO:
    """The regular file at ``path``, open for reading in binary; raises :class:`OSError` (with a ``strerror``
    fit for a message) when it cannot be opened or is not a regular file (a folder, a FIFO, a device). The open
    itself never blocks."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        return os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise


def read_regular(path: Path | str, limit: int) -> bytes:
    """The bytes of the regular file at ``path`` (see :func:`open_regular`), at most ``limit`` of them:
    raises :class:`FileTooLarge` when it holds more, even if it grew after it was looked at."""
    with open_regular(path) as handle:
        size = os.fstat(handle.fileno()).st_size
        if size > limit:
            raise FileTooLarge(size, limit)
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise FileTooLarge(len(data), limit)
    return data
