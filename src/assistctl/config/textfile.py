"""Reading a file the user gave: a regular file, at most :data:`MAX_FILE_BYTES`, UTF-8 text.

Every problem (unreadable, not a regular file, too big, binary, not UTF-8) becomes a
:class:`~assistctl.errors.Diagnostic`; nothing here raises for bad input.
"""

from __future__ import annotations

import os
import stat

from assistctl.errors import Diagnostic

MAX_FILE_BYTES = 10 * 1024 * 1024
"""Largest file we read: a manifest at every API limit is far below this, and parsing a
bigger file would cost seconds and hundreds of megabytes."""


def whole_file(file: str, message: str) -> Diagnostic:
    """A problem with a whole file (no line or column)."""
    return Diagnostic(file, 0, 0, "", message)


def _read_at_most(fd: int, size: int, limit: int) -> bytes:
    """Up to ``limit`` bytes of an open file whose size is ``size``, until its end."""
    parts: list[bytes] = []
    total = 0
    want = min(size + 1, limit)  # one byte more than expected, to see the end early
    while total < limit:
        chunk = os.read(fd, want)
        if not chunk:
            break
        parts.append(chunk)
        total += len(chunk)
        want = min(limit - total, 65536)  # the file grew, or this is the end
    return b"".join(parts)


def read_text(
    path: str | os.PathLike[str], file: str, *, what: str = "file"
) -> tuple[str | None, Diagnostic | None]:
    """The text of a UTF-8 file, or a diagnostic saying why it cannot be had."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            # FIFOs and devices would block or never end; directories are not files.
            return None, whole_file(file, f"is not a regular {what}")
        if info.st_size > MAX_FILE_BYTES:
            return None, whole_file(
                file,
                f"is {info.st_size / 1024 / 1024:.1f} MiB; a {what} is limited to "
                f"{MAX_FILE_BYTES // 1024 // 1024} MiB, so this is probably not one",
            )
        # perf: read as much as stat says, not `read(limit)`, which allocates the limit for
        # every file; benchmarks/validate.py (see benchmarks/README.md, plan scaling: load).
        fd = os.open(path, os.O_RDONLY)
        try:
            raw = _read_at_most(fd, info.st_size, MAX_FILE_BYTES + 1)
        finally:
            os.close(fd)
    except OSError as err:
        reason = err.strerror or type(err).__name__
        return None, whole_file(file, f"cannot read this {what}: {reason}")
    if raw.find(b"\x00", 0, 8192) != -1:
        return None, whole_file(file, f"looks like a binary file, not a text {what}")
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as err:
        line_start = raw.rfind(b"\n", 0, err.start) + 1
        return None, Diagnostic(
            file,
            raw[: err.start].count(b"\n") + 1,
            err.start - line_start + 1,
            "",
            f"is not UTF-8 text (byte 0x{raw[err.start]:02x} cannot be decoded); "
            "save the file as UTF-8",
        )
