"""The API key's own checks: read from ``--api-key-file PATH|-``, and refused when it cannot be
a key (whitespace, control or non-ASCII characters) without ever printing any of it."""

from __future__ import annotations

import os
import sys
import weakref
from typing import BinaryIO

from assistctl.errors import UsageError

MAX_KEY_BYTES = 64 * 1024
"""Far above any API key (OpenAI's are about 200 characters): a bigger file is not a key."""


def check_key(value: str, source: str) -> str:
    """``value`` when it can be sent in a header; else UsageError naming ``source`` only."""
    if all("!" <= ch <= "~" for ch in value):
        return value
    raise UsageError(
        f"The API key from {source} contains whitespace, a control character or a non-ASCII "
        "character, so it cannot be a key (it is not shown); check how it was stored or "
        "pasted. Nothing was sent."
    )


def read_key_file(path: str, stdin: BinaryIO | None = None) -> tuple[str, str]:
    """The key held by file ``path`` (``-``: standard input) and its source for messages.

    One trailing newline is dropped (``echo`` and editors add it); anything else around the
    key is refused by :func:`check_key`. Pipes and ``/dev/stdin`` are fine: this is trusted
    input, named by the pipeline.
    """
    source = "standard input (--api-key-file -)" if path == "-" else f"--api-key-file {path}"
    try:
        raw = _read(path) if path != "-" else _standard_input(stdin)
    except OSError as err:
        raise UsageError(
            f"Cannot read the API key from {source}: {err.strerror or type(err).__name__}."
        ) from None
    if len(raw) > MAX_KEY_BYTES:
        raise UsageError(
            f"The API key file from {source} is over {MAX_KEY_BYTES // 1024} KiB, so it is not "
            "a key; give a file holding only the key."
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError(
            f"The API key from {source} is not UTF-8 text (it is not shown); give a file "
            "holding only the key."
        ) from None
    text = text[:-2] if text.endswith("\r\n") else text.removesuffix("\n")
    if not text:
        raise UsageError(f"The API key from {source} is empty; put the key in it.")
    return check_key(text, source), source


_READ: weakref.WeakKeyDictionary[BinaryIO, bytes] = weakref.WeakKeyDictionary()
"""Standard input as the first read took it: a run may resolve its target twice (the
listing started while the manifests load, then the target the loading found), and a pipe
can be read once."""


def _standard_input(stdin: BinaryIO | None) -> bytes:
    stream = stdin or sys.stdin.buffer
    if stream not in _READ:
        _READ[stream] = stream.read(MAX_KEY_BYTES + 1)
    return _READ[stream]


def _read(path: str) -> bytes:
    fd = os.open(path, os.O_RDONLY)
    try:
        parts: list[bytes] = []
        total = 0
        while total <= MAX_KEY_BYTES:
            chunk = os.read(fd, MAX_KEY_BYTES + 1 - total)
            if not chunk:
                break
            parts.append(chunk)
            total += len(chunk)
        return b"".join(parts)
    finally:
        os.close(fd)
