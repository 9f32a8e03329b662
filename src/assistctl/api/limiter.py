"""An AIMD concurrency limit for apply: back off when the host says "slow down".

A fixed pool of N workers keeps hammering a host that answers 429 (each worker sleeps its
own Retry-After, then all retry together). TCP's answer works here too: halve the number of
calls in flight on a rate-limit signal, add one back after a run of successes, never below
one nor above what the user asked for.

One burst is one signal, as TCP halves once per window and not once per lost packet: the
429s of calls that were already in flight when the limit was last lowered do not lower it
again (otherwise four calls rejected together take 8 down to 1 at once, and a steady trickle
of 429s pins the limit at 1). A call's own retry, sent after that decrease, does count.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class AdaptiveLimit:
    """A counting gate whose width shrinks multiplicatively and grows additively."""

    def __init__(self, maximum: int, *, increase_after: int = 4) -> None:
        if maximum < 1:
            raise ValueError("maximum must be at least 1")
        self.maximum = maximum
        self._limit = maximum
        self._in_flight = 0
        self._successes = 0
        self._increase_after = increase_after
        self._cond = threading.Condition()
        # Bumped on every decrease; each thread remembers the epoch its call started in.
        self._epoch = 0
        self._seen = threading.local()
        self.lowest = maximum
        self.decreases = 0

    @property
    def limit(self) -> int:
        with self._cond:
            return self._limit

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one of the ``limit`` slots for the duration of a call."""
        with self._cond:
            while self._in_flight >= self._limit:
                self._cond.wait()
            self._in_flight += 1
            self._seen.epoch = self._epoch
        try:
            yield
        finally:
            with self._cond:
                self._in_flight -= 1
                self._cond.notify_all()

    def throttled(self) -> None:
        """The host rate-limited a call: halve the width (multiplicative decrease).

        Called on the thread that made the call. A call that started before the latest
        decrease was already answered by it; its next attempt starts a new epoch.
        """
        with self._cond:
            started = getattr(self._seen, "epoch", self._epoch)
            if started != self._epoch:
                # Already answered; this thread's retry will be sent in the current epoch.
                self._seen.epoch = self._epoch
                return
            self._epoch += 1
            self._seen.epoch = self._epoch
            new = max(1, self._limit // 2)
            if new < self._limit:
                self.decreases += 1
            self._limit = new
            self.lowest = min(self.lowest, new)
            self._successes = 0

    def succeeded(self) -> None:
        """A call went through: after a run of successes, widen by one (additive increase)."""
        with self._cond:
            self._successes += 1
            if self._successes >= self._increase_after and self._limit < self.maximum:
                self._limit += 1
                self._successes = 0
                self._cond.notify_all()


class Throttles:
    """The client's "the host answered 429" (its ``on_throttle``), passed on to the limit of
    the apply that is running, if any: a 429 to the listing before apply starts says
    nothing about how many calls apply may have in flight."""

    def __init__(self) -> None:
        self._limit: AdaptiveLimit | None = None

    def __call__(self) -> None:
        limit = self._limit
        if limit is not None:
            limit.throttled()

    @contextmanager
    def feeding(self, limit: AdaptiveLimit) -> Iterator[None]:
        """Pass the 429s on to ``limit`` inside the block."""
        self._limit = limit
        try:
            yield
        finally:
            self._limit = None
