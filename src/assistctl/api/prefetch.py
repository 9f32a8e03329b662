"""Run an iterator one step ahead of its consumer, in a worker thread.

Listing is a chain of round trips, each waiting on the one before for its cursor, while the
planner has work to do on every page it gets: fetching page N+1 while page N is planned
hides the planning behind the network.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from typing import TypeVar, cast

T = TypeVar("T")

_DONE = object()


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


# perf: the planning CPU hidden behind the listing; benchmarks/plan_phases.py and
# plan_scaling.py (see benchmarks/README.md, plan scaling).
def ahead(items: Iterable[T], *, depth: int = 1) -> Iterator[T]:
    """Yield what ``items`` yields, computed in a worker thread at most ``depth`` items
    ahead; the worker's exception is raised here, at the point the item would have been.

    Closing the returned generator early (an error in the consumer, Ctrl-C) stops the
    worker after the step it is in; it is a daemon thread, so a step that never ends
    (a hung connection) cannot keep the process alive.
    """
    handoff: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                handoff.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    iterator = iter(items)

    def work() -> None:
        try:
            for item in iterator:
                if not put(item):
                    break
            else:
                put(_DONE)
        except BaseException as error:  # handed to the consumer, raised there
            put(_Failed(error))
        finally:
            close = getattr(iterator, "close", None)
            if close is not None:
                close()  # a generator's cleanup runs now, not whenever it is collected

    worker = threading.Thread(target=work, name="assistctl-prefetch", daemon=True)
    worker.start()
    try:
        while True:
            item = handoff.get()
            if item is _DONE:
                return
            if isinstance(item, _Failed):
                raise item.error
            yield cast(T, item)
    finally:
        stop.set()
