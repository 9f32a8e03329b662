"""Running a walk of the list (:mod:`assistctl.api.walk`, :mod:`assistctl.api.twoends`):
its requests in worker threads, its pages handed to the consumer as they come.

Each request runs in a daemon thread of its own. When its page comes, the walk says what
to send next, and that is sent at once, before the page is handed over: each direction
keeps a page ahead of the consumer (the planner works on page N while page N+1 is on the
wire). Pages wait for a consumer that has not started yet (manifests still loading) up to
``budget`` bytes of answers (:data:`WAITING_BUDGET`): every page of a small organisation,
a few dozen of large assistants; past that the walk sends nothing more until the consumer
has taken some, so the listing never holds the whole list while the manifests load.

:meth:`Listing.close` (the consumer leaving early: an error, an invalid manifest, Ctrl-C)
stops it: nothing more is sent, and an answer still on its way is dropped when it comes.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Literal, cast

from assistctl.api.twoends import TwoEndedWalk
from assistctl.api.walk import MAX_PAGES, OneCursorWalk, Page, Step, Walk
from assistctl.errors import UsageError

WalkName = Literal["two-ended", "one-cursor"]
WALK_ENV = "ASSISTCTL_LISTING"
"""``one-cursor``: list with one cursor, oldest first (to troubleshoot a host, or measure)."""


def walk_from_env(env: Mapping[str, str]) -> WalkName:
    name = env.get(WALK_ENV) or "two-ended"
    if name not in ("two-ended", "one-cursor"):
        raise UsageError(f"{WALK_ENV}={name!r} is not a way to list; use two-ended or one-cursor.")
    return cast(WalkName, name)


def new_walk(name: WalkName, where: str, *, max_pages: int = MAX_PAGES) -> Walk:
    if name == "one-cursor":
        return OneCursorWalk(where, max_pages=max_pages)
    return TwoEndedWalk(where, max_pages=max_pages)


Fetch = Callable[[Step, threading.Event], Page]
"""Sends a step's request; the event says its answer is no longer wanted (do not retry)."""
Items = list[Mapping[str, Any]]
DEFAULT_DEPTH = 8
"""Pages handed over that may wait in the queue; more wait in their threads (see budget)."""
WAITING_BUDGET = 4 * 1024 * 1024
"""Bytes of answers that may wait for the consumer before the walk pauses: the pages a
5,000-assistant organisation with short prompts lists while its manifests load (about 90 KB
a page; 2 MiB made it pause in a slow run), 8 pages of 4 KB prompts, whose 10,000 would
otherwise all wait (plan memory: 4.6x the data unbounded, 3.5x with 8 MiB, 3.15x with 4).
benchmarks/listing.py and benchmarks/plan_memory.py (see benchmarks/README.md, listing
from both ends)."""


class _Batch:
    def __init__(self, items: Items, size: int) -> None:
        self.items = items
        self.size = size


class _End:
    def __init__(self, batches: int) -> None:
        self.batches = batches


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


class Listing:
    """One walk, running from :meth:`start` until it is over or closed; iterate it once."""

    def __init__(
        self,
        fetch: Fetch,
        walk: Walk,
        *,
        depth: int = DEFAULT_DEPTH,
        budget: int = WAITING_BUDGET,
    ) -> None:
        self._fetch = fetch
        self._walk = walk
        self.walk = walk
        """Read it once the listing is over (its :meth:`~Walk.order`, its fallback)."""
        self._handoff: queue.Queue[_Batch | _End | _Failed] = queue.Queue(maxsize=depth)
        self._budget = budget
        self._waiting = 0
        """Bytes of the answers handed over and not yet taken by the consumer."""
        self._parked: list[Step] = []
        """Requests held back while more than the budget waits for the consumer."""
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        """Nothing more is sent: the walk is over or failed, or the consumer left."""
        self._failed = threading.Event()
        """The walk failed: its error is all the consumer gets from now on."""
        self._abandoned = threading.Event()
        """The consumer left: nothing more is handed over."""
        self._batches = 0
        self._ended = False
        self._threads: list[threading.Thread] = []
        self.requests = 0
        """Requests sent so far (a test's and a benchmark's count)."""

    def start(self) -> Listing:
        with self._lock:
            steps = self._walk.start()
        for step in steps:
            self._send(step)
        return self

    def __iter__(self) -> Iterator[Items]:
        """The assistants as they come, each once, in batches; the walk's error where it
        failed. Leaving the loop early closes the listing."""
        received = 0
        end: _End | None = None
        try:
            while end is None or received < end.batches:
                got = self._handoff.get()
                if isinstance(got, _Failed):
                    raise got.error
                if isinstance(got, _End):
                    end = got
                    continue
                received += 1
                self._taken(got.size)
                yield got.items
        finally:
            self.close()

    @property
    def paused(self) -> bool:
        """The walk waits for the consumer to take what it was handed."""
        with self._lock:
            return bool(self._parked)

    def close(self, *, wait: float = 0.0) -> None:
        """Send nothing more; what is still on its way is dropped. With ``wait``, also wait
        that many seconds at most for the requests on the wire to end (a command that
        fails anyway, so that nothing of it reaches the host after it said so)."""
        self._abandoned.set()
        self._stopped.set()
        if wait > 0:
            ends = time.monotonic() + wait
            for thread in list(self._threads):
                thread.join(max(0.0, ends - time.monotonic()))

    # -- the workers -----------------------------------------------------------------------

    def _send(self, step: Step) -> None:
        if self._stopped.is_set():
            return
        with self._lock:
            self.requests += 1
        name = f"assistctl-list-{step.order}"
        thread = threading.Thread(target=self._run, args=(step,), name=name, daemon=True)
        self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()

    def _run(self, step: Step) -> None:
        try:
            page = self._fetch(step, self._stopped)
        except BaseException as error:  # handed to the walk, which decides
            self._after(step, error=error)
        else:
            self._after(step, page=page)

    def _after(
        self, step: Step, *, page: Page | None = None, error: BaseException | None = None
    ) -> None:
        if self._stopped.is_set():
            return
        fresh: Items = []
        steps: list[Step] = []
        failed: _Failed | None = None
        end: _End | None = None
        with self._lock:
            if self._ended:
                return  # the walk was over before this answer came
            try:
                if page is not None:
                    received = self._walk.receive(step, page)
                    fresh, steps = received.fresh, received.steps
                else:
                    assert error is not None
                    steps = self._walk.failed(step, error)
            except BaseException as fatal:
                self._stopped.set()
                self._failed.set()
                self._ended = True
                failed = _Failed(fatal)
            size = page.size if page is not None and fresh else 0
            if fresh:
                self._batches += 1
                self._waiting += size
            if failed is None and self._walk.done:
                self._ended = True
                self._stopped.set()  # an answer still on its way is not retried
                end = _End(self._batches)
            elif self._waiting > self._budget:
                self._parked += steps  # sent once the consumer has taken enough
                steps = []
        # Outside the lock: the consumer takes it to count what it took.
        if failed is not None:
            self._put(failed)
            return
        for following in steps:
            self._send(following)  # before the hand-over: a page ahead of the consumer
        if fresh:
            self._put(_Batch(fresh, size))
        if end is not None:
            self._put(end)

    def _taken(self, size: int) -> None:
        with self._lock:
            self._waiting -= size
            resumed = [] if self._waiting > self._budget else self._parked
            if resumed:
                self._parked = []
        for step in resumed:
            self._send(step)

    def _put(self, item: _Batch | _End | _Failed) -> None:
        """Hand ``item`` over, waiting while the consumer is behind; a batch is dropped once
        the walk failed, anything once the consumer left."""
        final = isinstance(item, _End | _Failed)
        while not self._abandoned.is_set() and (final or not self._failed.is_set()):
            try:
                self._handoff.put(item, timeout=0.1)
                return
            except queue.Full:
                continue
