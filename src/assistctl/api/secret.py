"""The key never leaves the ``Authorization``/``api-key`` header.

It travels inside :class:`Secret` (printed as ``***``), is added to each request by
:class:`KeyAuth` (so it is never in a client's printable default headers), and every message
built from a server answer or an httpx exception goes through :func:`scrub`, which also cuts
masked echoes of it. While a client holds a key, :func:`guard_logging` makes httpx's and
httpcore's loggers cut it out of their records too.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import Counter
from collections.abc import Generator

import httpx


class Secret:
    """A string that refuses to be printed. Only :meth:`reveal` gives the value back."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "'***'"

    def __str__(self) -> str:
        return "***"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __reduce__(self) -> tuple[object, ...]:
        # Pickling (multiprocessing, caches) would write the key somewhere: refuse.
        raise TypeError("a Secret cannot be pickled")


# Anchored at the start of a token: unanchored, a long run of token characters without a
# "*" (a multi-megabyte error message) is re-scanned from every position, in quadratic time.
_MASKED_RE = re.compile(r"(?<![A-Za-z0-9_\-.])[A-Za-z0-9_\-.]*\*{3,}[A-Za-z0-9_\-]*")
_TOKEN_RE = re.compile(r"[A-Za-z0-9_\-.]{8,}")


def scrub(text: str, key: str | None) -> str:
    """Remove the key, pieces of it (8+ characters) and masked echoes (``sk-...****abcd``)."""
    if key:
        text = text.replace(key, "***")
        text = _TOKEN_RE.sub(lambda m: "***" if m.group(0) in key else m.group(0), text)
    return _MASKED_RE.sub("***", text)


class KeyAuth(httpx.Auth):
    """Adds the key per request, so it never sits in the client's (printable) default headers."""

    def __init__(self, header: str, scheme: str, key: Secret) -> None:
        self._header = header
        self._scheme = scheme
        self._key = key

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers[self._header] = self._scheme + self._key.reveal()
        yield request


# httpcore's DEBUG trace prints raw response headers (a careless host may echo the key in
# them, and cookies live there); our own "assistctl.http" lines say what a user needs.
_QUIET_LOGGERS = ("httpcore",)
_SCRUBBED_LOGGERS = (
    "assistctl.http",
    "httpx",
    "httpcore",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
)
_live_keys: Counter[str] = Counter()
_live_keys_lock = threading.Lock()


class _ScrubKeys(logging.Filter):
    """Last line of defence: a live client's key is cut out of any httpx/httpcore log record."""

    def filter(self, record: logging.LogRecord) -> bool:
        with _live_keys_lock:
            keys = list(_live_keys)
        if keys:
            message = record.getMessage()
            clean = message
            for key in keys:
                clean = scrub(clean, key)
            if clean != message:
                record.msg, record.args = clean, None
        return True


_SCRUB_FILTER = _ScrubKeys()


def guard_logging(key: str | None) -> None:
    """Quiet httpcore, and scrub ``key`` from HTTP log records until :func:`release_key`."""
    for name in _QUIET_LOGGERS:
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET or logger.level < logging.INFO:
            logger.setLevel(logging.INFO)
    for name in _SCRUBBED_LOGGERS:
        logger = logging.getLogger(name)
        if _SCRUB_FILTER not in logger.filters:
            logger.addFilter(_SCRUB_FILTER)
    if key:
        with _live_keys_lock:
            _live_keys[key] += 1


def release_key(key: str | None) -> None:
    if key:
        with _live_keys_lock:
            _live_keys[key] -= 1
            if _live_keys[key] <= 0:
                del _live_keys[key]
