"""Faults on demand: what a flaky real host does to a client, reproducibly.

Set with the ``assistctl emulator`` flags, with ``POST /_admin/faults`` (a JSON object of the
fields below; fields left out keep their value) or programmatically through
:meth:`Faults.configure`. They apply to API requests only, never to ``/_admin/...``.

- ``latency_ms``: every API request waits this long before it is handled.
- ``rate_limit_fraction``: this fraction of requests is answered 429 with ``retry-after``
  (whole seconds, ``retry_after``; at least 1 as the spec's ``TooManyRequests`` requires) and
  ``retry-after-ms`` (``retry_after_ms``, default ``retry_after * 1000``). The official SDK
  reads ``retry-after-ms`` first, so tests set it low to stay fast.
- ``requests_per_second``: a real rate limit (0: none). A token bucket holding one second's
  worth of requests (at least one) refills at this rate; a request that finds it empty is
  answered 429 with ``retry-after-ms`` saying when the next token comes (``retry-after`` in
  whole seconds, at least 1). Unlike ``rate_limit_fraction``, fewer requests in flight mean
  fewer 429s, which is what a client's backing off is for.
- ``error_fraction``: this fraction is answered with a status drawn from ``error_statuses``
  (default 500 and 503). Nothing is committed.
- ``error_retry_after_ms``: when set, injected non-429 errors carry ``retry-after-ms`` too
  (real servers rarely send it; it keeps client retry tests fast).
- ``next_statuses``: a script: the next API requests are answered with these statuses, in
  order, one each (deterministic retry tests without randomness).
- ``lost_creates``: the next N creates are committed, then the connection is closed before any
  response byte is written (the client sees a dropped connection; the object exists).
- ``failed_creates``: the next N creates are committed, then answered 500 (a "5xx after
  commit").
- ``drop_responses``: the next N API responses are cut off: status line, headers and half of the
  body are sent, then the connection is closed.
- ``operations``: when set, the random and scripted faults and ``drop_responses`` only hit
  these operations (``create``, ``list``, ``retrieve``, ``modify``, ``delete``); latency and
  the create faults are not filtered.
- ``seed``: seeds the random draws, so a test's sequence of faults is reproducible (for a given
  order of requests). Changing ``seed`` re-seeds.

How a host orders its list, for the walk from both ends (not faults of one request, but of
the host; the store does the ordering, :meth:`~assistctl.emulator.store.Store.page`):

- ``tie_created_at``: every assistant created while it is set gets the ``created_at`` of the
  newest one already stored (the current time when there is none), as when hundreds are
  created in one second.
- ``ignore_order``: the list is oldest first whatever ``order`` asks (a host that does not
  implement ``order=desc``).
- ``desc_ties_reversed``: with ``false``, ``order=desc`` lists the newest second first but
  the assistants of one second in creation order, not the reverse (a host that sorts
  ``created_at DESC, id ASC``).

Rate-limit and error draws use one random number each per request, in that order, so a seed
gives the same answers for the same sequence of requests.
"""

from __future__ import annotations

import dataclasses
import math
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from assistctl.emulator.validation import RequestError

OPERATIONS = ("create", "list", "retrieve", "modify", "delete")


@dataclass
class FaultConfig:
    latency_ms: int = 0
    rate_limit_fraction: float = 0.0
    requests_per_second: float = 0.0
    error_fraction: float = 0.0
    error_statuses: list[int] = field(default_factory=lambda: [500, 503])
    retry_after: int = 1
    retry_after_ms: int | None = None
    error_retry_after_ms: int | None = None
    next_statuses: list[int] = field(default_factory=list)
    lost_creates: int = 0
    failed_creates: int = 0
    drop_responses: int = 0
    operations: list[str] | None = None
    seed: int | None = None
    tie_created_at: bool = False
    ignore_order: bool = False
    desc_ties_reversed: bool = True

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


_FRACTIONS = ("rate_limit_fraction", "error_fraction")
_COUNTS = ("latency_ms", "lost_creates", "failed_creates", "drop_responses")
_SWITCHES = ("tie_created_at", "ignore_order", "desc_ties_reversed")


def _bad(message: str, param: str) -> RequestError:
    return RequestError(400, message, param=param, code="invalid_value")


def _check(name: str, value: Any) -> Any:
    """Validate one admin-supplied field; return it in its stored form."""
    if name in _FRACTIONS:
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            raise _bad(f"'{name}' must be a number between 0 and 1.", name)
        return float(value)
    if name in _COUNTS:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise _bad(f"'{name}' must be a non-negative integer.", name)
        return value
    if name == "requests_per_second":
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < 1e6:
            raise _bad("'requests_per_second' must be a number >= 0 (0: no limit).", name)
        return float(value)
    if name == "retry_after":
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise _bad("'retry_after' must be an integer >= 1 (seconds).", name)
        return value
    if name in ("retry_after_ms", "error_retry_after_ms"):
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or value < 0
        ):
            raise _bad(f"'{name}' must be a non-negative integer or null.", name)
        return value
    if name in ("error_statuses", "next_statuses"):
        if not isinstance(value, list) or not all(
            isinstance(s, int) and not isinstance(s, bool) and 400 <= s <= 599 for s in value
        ):
            raise _bad(f"'{name}' must be a list of HTTP error statuses (400..599).", name)
        if name == "error_statuses" and not value:
            raise _bad("'error_statuses' must not be empty.", name)
        return list(value)
    if name == "operations":
        if value is not None and (
            not isinstance(value, list) or not all(op in OPERATIONS for op in value)
        ):
            raise _bad(f"'operations' must be null or a list of {', '.join(OPERATIONS)}.", name)
        return None if value is None else list(value)
    if name in _SWITCHES:
        if not isinstance(value, bool):
            raise _bad(f"'{name}' must be true or false.", name)
        return value
    if name == "seed":
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise _bad("'seed' must be an integer or null.", name)
        return value
    raise RequestError(
        400, f"Unknown fault setting: '{name}'.", param=name, code="unknown_parameter"
    )


_STATUS_MESSAGES = {
    429: (
        "Rate limit reached for requests (emulated fault). Please try again later.",
        "requests",
        "rate_limit_exceeded",
    ),
    500: (
        "The server had an error while processing your request. Sorry about that! (emulated fault)",
        "server_error",
        None,
    ),
    502: ("Bad gateway (emulated fault).", "server_error", None),
    503: (
        "The engine is currently overloaded, please try again later. (emulated fault)",
        "server_error",
        None,
    ),
    504: ("Gateway timeout (emulated fault).", "server_error", None),
    408: ("Request timed out (emulated fault).", "invalid_request_error", None),
    409: ("Conflict (emulated fault).", "invalid_request_error", None),
}


class Faults:
    """Thread-safe fault settings plus the random generator they draw from."""

    def __init__(
        self, config: FaultConfig | None = None, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._lock = threading.Lock()
        self._config = FaultConfig()
        self._rng = random.Random()
        self._clock = clock
        self._tokens = 0.0
        self._refilled = clock()
        if config is not None:
            self.configure(**config.to_json())

    @property
    def config(self) -> FaultConfig:
        with self._lock:
            return dataclasses.replace(self._config)

    def configure(self, **changes: Any) -> FaultConfig:
        """Change the given settings (others keep their value). Raises RequestError if bad."""
        checked = {name: _check(name, value) for name, value in changes.items()}
        with self._lock:
            self._config = dataclasses.replace(self._config, **checked)
            if "seed" in checked:
                self._rng = random.Random(checked["seed"])
            if "requests_per_second" in checked:
                self._tokens = self._capacity()  # a new limit starts with a full bucket
                self._refilled = self._clock()
            return dataclasses.replace(self._config)

    def reset(self) -> None:
        with self._lock:
            self._config = FaultConfig()
            self._rng = random.Random()
            self._tokens = 0.0

    def latency_seconds(self) -> float:
        with self._lock:
            return self._config.latency_ms / 1000.0

    def _capacity(self) -> float:
        return max(1.0, self._config.requests_per_second)

    def _over_limit(self) -> RequestError | None:
        """Take a token from the bucket, or the 429 saying when the next one comes."""
        rate = self._config.requests_per_second
        now = self._clock()
        self._tokens = min(self._capacity(), self._tokens + (now - self._refilled) * rate)
        self._refilled = now
        if self._tokens >= 1 - 1e-9:  # two half tokens make a whole one despite float sums
            self._tokens = max(0.0, self._tokens - 1)
            return None
        # Rounded first: float noise would turn 100 ms into 101.
        wait_ms = max(1, math.ceil(round((1 - self._tokens) / rate * 1000, 6)))
        error = self.error_for(429)
        error.headers = {
            "retry-after": str(max(1, math.ceil(wait_ms / 1000))),
            "retry-after-ms": str(wait_ms),
        }
        return error

    def _applies(self, operation: str) -> bool:
        ops = self._config.operations
        return ops is None or operation in ops

    def injected_error(self, operation: str) -> RequestError | None:
        """The error to answer instead of handling the request, if a fault says so."""
        with self._lock:
            cfg = self._config
            if not self._applies(operation):
                return None
            if cfg.next_statuses:
                return self.error_for(cfg.next_statuses.pop(0))
            if cfg.requests_per_second:
                limited = self._over_limit()
                if limited is not None:
                    return limited
            if cfg.rate_limit_fraction and self._rng.random() < cfg.rate_limit_fraction:
                return self.error_for(429)
            if cfg.error_fraction and self._rng.random() < cfg.error_fraction:
                return self.error_for(self._rng.choice(cfg.error_statuses))
            return None

    def error_for(self, status: int) -> RequestError:
        """The emulated error answer for ``status`` (429 carries the retry-after headers)."""
        message, kind, code = _STATUS_MESSAGES.get(
            status, (f"Emulated fault: HTTP {status}.", "server_error", None)
        )
        headers: dict[str, str] = {}
        if status == 429:
            cfg = self._config
            ms = cfg.retry_after_ms if cfg.retry_after_ms is not None else cfg.retry_after * 1000
            headers = {"retry-after": str(cfg.retry_after), "retry-after-ms": str(ms)}
        elif self._config.error_retry_after_ms is not None:
            headers = {"retry-after-ms": str(self._config.error_retry_after_ms)}
        return RequestError(status, message, type=kind, code=code, headers=headers)

    def take_create_fault(self) -> str | None:
        """After a create is committed: ``"lost"``, ``"failed"`` or ``None`` (consumes one)."""
        with self._lock:
            if self._config.lost_creates > 0:
                self._config.lost_creates -= 1
                return "lost"
            if self._config.failed_creates > 0:
                self._config.failed_creates -= 1
                return "failed"
            return None

    def tied_created_at(self, newest: Callable[[], int | None]) -> int | None:
        """The ``created_at`` a new assistant gets under ``tie_created_at`` (None: the
        clock's): the newest one's, else now."""
        if not self.config.tie_created_at:
            return None
        return newest() or int(time.time())

    def list_order(self, order: str) -> dict[str, Any]:
        """How the store orders a list asked for in ``order`` (``ignore_order``,
        ``desc_ties_reversed``)."""
        config = self.config
        return {
            "order": "asc" if config.ignore_order else order,
            "desc_ties_reversed": config.desc_ties_reversed,
        }

    def take_drop(self, operation: str) -> bool:
        """Whether this response is to be cut off mid-body (consumes one)."""
        with self._lock:
            if self._config.drop_responses > 0 and self._applies(operation):
                self._config.drop_responses -= 1
                return True
            return False
