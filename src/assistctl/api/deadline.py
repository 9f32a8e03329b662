"""When a command stops waiting for its host: an overall deadline, and Ctrl-C.

httpx's timeouts bound each connect and each read, not a command: a host that accepts and
then sends one byte every 59 s, or answers 503 with ``retry-after`` over and over, keeps a
command busy for as long as it likes. One :class:`Deadline` per command bounds the whole of
it: every timeout of a request is cut to the time left, no request is sent and no backoff is
slept once it has passed, and a body still arriving is abandoned.

Ctrl-C brings the deadline forward to now (:meth:`Deadline.cancel`): from then on the client
sends nothing, and a backoff in progress ends at once. What is already on the wire is not
taken back; the caller decides how long to wait for it (apply: a second or two).

The wait at apply's prompt is not the host's time: :meth:`Deadline.paused` leaves it out.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx

from assistctl.errors import DeadlineExceeded, Interrupted, Stopped

DEFAULT_DEADLINE = 300.0
"""Seconds a command that only reads (plan, drift, export, import) may spend with its host."""
APPLY_DEADLINE = 900.0
"""Seconds an apply may spend with its host, planning included, its prompt excluded."""
DEADLINE_ENV = "ASSISTCTL_DEADLINE"


class Deadline:
    """The time a command may still spend waiting for its host; ``seconds=None``: no limit.

    Thread-safe: apply's workers share one. ``clock`` is injectable for tests.
    """

    def __init__(
        self, seconds: float | None, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if seconds is not None and not seconds > 0:
            raise ValueError("a deadline must be a positive number of seconds")
        self.seconds = seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._ends = math.inf if seconds is None else clock() + seconds
        self._paused_at: float | None = None
        self._cancelled = threading.Event()

    # -- reading it ------------------------------------------------------------------------

    def remaining(self) -> float:
        """Seconds left (``inf`` without a limit, 0 once passed). Ctrl-C does not change it:
        an answer already arriving is still read (apply waits a moment for those)."""
        with self._lock:
            now = self._paused_at if self._paused_at is not None else self._clock()
            return max(0.0, self._ends - now)

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def check(self, what: str, *, landed: bool = False) -> None:
        """Raise :class:`Interrupted` after Ctrl-C, :class:`DeadlineExceeded` once the time
        is up; ``what`` names the request that is therefore not sent (or not waited for)."""
        if self._cancelled.is_set():
            raise Interrupted(f"interrupted (Ctrl-C): {what} was not sent", landed=landed)
        if self.remaining() <= 0:
            raise self.exceeded(what, landed=landed)

    def exceeded(self, what: str, *, landed: bool = False) -> Stopped:
        """The error for ``what`` stopped by this deadline (or Ctrl-C, which ends it too)."""
        if self._cancelled.is_set():
            return Interrupted(f"interrupted (Ctrl-C) while waiting for {what}", landed=landed)
        outcome = (
            " it may or may not have been carried out (the next plan shows which);"
            if landed
            else ""
        )
        return DeadlineExceeded(
            f"Stopped waiting for {what}: the command's deadline of {describe(self.seconds)} "
            f"passed;{outcome} the host is stalled or too slow: try again later, or raise "
            f"--deadline (or {DEADLINE_ENV}).",
            landed=landed,
        )

    def clamp(self, timeout: httpx.Timeout) -> httpx.Timeout:
        """``timeout`` with each of its parts cut to the time left (at least a millisecond,
        so that httpx still times out rather than waits for ever)."""
        left = self.remaining()
        if math.isinf(left):
            return timeout

        def cut(value: float | None) -> float:
            return max(0.001, left if value is None else min(value, left))

        return httpx.Timeout(
            connect=cut(timeout.connect),
            read=cut(timeout.read),
            write=cut(timeout.write),
            pool=cut(timeout.pool),
        )

    # -- changing it -----------------------------------------------------------------------

    def cancel(self) -> None:
        """Ctrl-C: nothing more is sent, waits end now. Safe from a signal handler."""
        self._cancelled.set()

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` (a backoff); raise :class:`Interrupted` on Ctrl-C, at once or
        during the wait, and :class:`DeadlineExceeded` if the wait would outlast the
        deadline, instead of sleeping towards a request that cannot be sent."""
        self.check("a retry")
        if seconds > self.remaining():
            raise self.exceeded("a retry, whose backoff would outlast the deadline")
        if self._cancelled.wait(seconds):
            self.check("a retry")

    @contextmanager
    def paused(self) -> Iterator[None]:
        """The time inside does not count (apply's prompt: a person, not the host)."""
        with self._lock:
            self._paused_at = self._clock()
        try:
            yield
        finally:
            with self._lock:
                assert self._paused_at is not None
                self._ends += self._clock() - self._paused_at
                self._paused_at = None


def describe(seconds: float | None) -> str:
    """``5 minutes``, ``90 s``: a deadline as the messages and docs say it."""
    if seconds is None:
        return "no limit"
    if seconds >= 60 and seconds % 60 == 0:
        minutes = int(seconds // 60)
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    return f"{seconds:g} s"
