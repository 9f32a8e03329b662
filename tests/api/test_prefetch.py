"""``prefetch.ahead``: the worker thread that fetches list pages while the planner works."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from assistctl.api.prefetch import ahead


def test_yields_everything_in_order() -> None:
    assert list(ahead(iter(range(50)))) == list(range(50))
    assert list(ahead(iter([]))) == []


def test_runs_at_most_depth_items_ahead() -> None:
    produced: list[int] = []

    def source() -> Iterator[int]:
        for i in range(10):
            produced.append(i)
            yield i

    stream = ahead(source(), depth=1)
    assert next(stream) == 0
    time.sleep(0.3)
    # One item handed over and taken, one waiting in the queue, one produced and blocked on
    # the full queue: never the whole source.
    assert len(produced) <= 3
    assert list(stream) == list(range(1, 10))


def test_the_workers_error_is_raised_where_its_item_would_have_been() -> None:
    def source() -> Iterator[int]:
        yield 1
        yield 2
        raise ValueError("page 3 was garbage")

    got: list[int] = []
    with pytest.raises(ValueError, match="page 3 was garbage"):
        for item in ahead(source()):
            got.append(item)
    assert got == [1, 2]


def test_keyboard_interrupt_in_the_worker_reaches_the_consumer() -> None:
    def source() -> Iterator[int]:
        yield 1
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        list(ahead(source()))


def test_closing_early_stops_the_worker() -> None:
    produced: list[int] = []
    finished = threading.Event()

    def source() -> Iterator[int]:
        try:
            for i in range(1_000_000):
                produced.append(i)
                yield i
        finally:
            finished.set()

    stream = ahead(source())
    assert next(stream) == 0
    stream.close()  # type: ignore[attr-defined]  # a generator; what a consumer's exception or Ctrl-C does to the generator
    assert finished.wait(5), "the worker kept running after the consumer stopped"
    assert len(produced) < 10
