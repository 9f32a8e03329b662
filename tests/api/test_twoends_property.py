"""The walk from both ends, proven over generated hosts: whatever the orderings, ties in
``created_at``, pages, answer order and concurrent creates and deletes, no assistant is
missed or listed twice, and any doubt ends in the one-cursor walk.

The host here is a model of a list endpoint with ``order`` and ``after`` (as the emulator's
store: a cursor that names a deleted assistant keeps its place), in four kinds: ``desc`` the
exact reverse of ``asc``; ``desc`` listing one second's assistants in the same order as
``asc`` (not the reverse); ``order`` ignored; ``order=desc`` refused. Hypothesis chooses the
assistants (many sharing a second), the page size the host really serves, which request is
answered next (the two ends race), and creates and deletes between answers.

Missed means: present from the start of the listing to its end, and not listed. An
assistant created or deleted during the walk may or may not be listed, as with one cursor.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from assistctl.api.twoends import TwoEndedWalk
from assistctl.api.walk import Page, Step
from assistctl.errors import ApiError

Ties = Literal["reversed", "same", "ignored", "refused"]


@dataclass
class Host:
    """A list endpoint over assistants ``(created_at, seq)``; ``seq`` is creation order."""

    ties: Ties
    serves: int
    """The most assistants the host puts on a page (it may serve fewer than asked)."""
    alive: dict[str, tuple[int, int]] = field(default_factory=dict)
    gone: dict[str, tuple[int, int]] = field(default_factory=dict)
    next_seq: int = 0
    answered: int = 0

    def create(self, created_at: int) -> str:
        ident = f"asst_{self.next_seq}"
        self.alive[ident] = (created_at, self.next_seq)
        self.next_seq += 1
        return ident

    def delete(self, ident: str) -> None:
        self.gone[ident] = self.alive.pop(ident)

    def newest(self) -> int:
        return max((c for c, _ in self.alive.values()), default=0)

    def rank(self, order: str, key: tuple[int, int]) -> tuple[int, int]:
        created, seq = key
        if order == "asc" or self.ties == "ignored":
            return (created, seq)
        if self.ties == "same":
            return (-created, seq)
        return (-created, -seq)

    def answer(self, step: Step, limit: int) -> Page:
        self.answered += 1
        if step.order == "desc" and self.ties == "refused":
            raise ApiError("Invalid 'order': only asc is supported.", status=400)
        ordered = sorted(self.alive, key=lambda i: self.rank(step.order, self.alive[i]))
        if step.after is not None:
            mark = self.rank(step.order, {**self.gone, **self.alive}[step.after])
            ordered = [i for i in ordered if self.rank(step.order, self.alive[i]) > mark]
        size = min(limit, self.serves)
        chosen = ordered[:size]
        items = [{"id": i, "created_at": self.alive[i][0]} for i in chosen]
        return Page(items, len(ordered) > size, chosen[-1] if chosen else None)


@dataclass
class Outcome:
    listed: list[str]
    present_throughout: set[str]
    ever: set[str]
    walk: TwoEndedWalk
    requests: int


def walk_over(data: Any, host: Host, limit: int, *, changes: int) -> Outcome:
    """Run the walk against ``host``, answering its requests in an order Hypothesis picks,
    with up to ``changes`` creates and deletes in between."""
    walk = TwoEndedWalk("http://host/v1/assistants", page_size=limit, max_pages=100_000)
    at_start = set(host.alive)
    touched: set[str] = set()
    pending = walk.start()
    requests = len(pending)
    listed: list[str] = []
    while pending and not walk.done:
        if changes and data.draw(st.booleans(), label="change now"):
            changes -= 1
            if host.alive and data.draw(st.booleans(), label="delete (else create)"):
                ident = data.draw(st.sampled_from(sorted(host.alive)), label="deleted")
                host.delete(ident)
            else:
                # Created now: the newest second, or a later one.
                ident = host.create(host.newest() + data.draw(st.integers(0, 1), label="later"))
            touched.add(ident)
            continue
        step = pending.pop(data.draw(st.integers(0, len(pending) - 1), label="answered next"))
        try:
            page = host.answer(step, limit)
        except ApiError as err:
            following = walk.failed(step, err)
        else:
            received = walk.receive(step, page)
            listed += [str(item["id"]) for item in received.fresh]
            following = received.steps
        pending += following
        requests += len(following)
    assert walk.done, "the walk stopped asking without being over"
    ever = at_start | touched
    return Outcome(listed, at_start - touched, ever, walk, requests)


@st.composite
def hosts(draw: st.DrawFn, ties: Ties) -> tuple[Host, int]:
    limit = draw(st.integers(1, 6), label="limit asked")
    host = Host(ties, serves=draw(st.integers(1, limit), label="page size served"))
    # Few distinct seconds for many assistants: long runs of ties.
    seconds = draw(st.lists(st.integers(0, 4), max_size=40), label="created_at")
    for created in sorted(seconds):
        host.create(created)
    return host, limit


def assert_nothing_missed_or_doubled(outcome: Outcome) -> None:
    assert len(outcome.listed) == len(set(outcome.listed)), "listed twice"
    assert outcome.present_throughout <= set(outcome.listed), "missed"
    assert set(outcome.listed) <= outcome.ever, "listed an assistant that never existed"


SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("ties", ["reversed", "same", "ignored", "refused"])
@SETTINGS
@given(data=st.data())
def test_nothing_missed_or_doubled_whatever_the_host_and_the_race(
    ties: Ties, data: st.DataObject
) -> None:
    host, limit = data.draw(hosts(ties))
    outcome = walk_over(data, host, limit, changes=data.draw(st.integers(0, 4)))
    assert_nothing_missed_or_doubled(outcome)


@SETTINGS
@given(data=st.data())
def test_a_mirroring_host_is_walked_from_both_ends_within_the_request_bound(
    data: st.DataObject,
) -> None:
    """No doubt on a host whose ``desc`` mirrors ``asc`` (ties included) and that serves
    full pages: never a fallback, and at most ceil(N / limit) + 2 requests, however the
    answers race. (A seam inside one second needs a page of overlap, and at least two
    assistants: with pages of one, two more pages.)"""
    host, limit = data.draw(hosts("reversed"))
    assume(limit >= 2)
    host.serves = limit
    n = len(host.alive)
    outcome = walk_over(data, host, limit, changes=0)
    assert_nothing_missed_or_doubled(outcome)
    assert outcome.walk.fallback is None
    assert outcome.requests <= max(1, math.ceil(n / limit)) + 2


@pytest.mark.parametrize("ties", ["same", "ignored", "refused"])
@SETTINGS
@given(data=st.data())
def test_a_host_that_does_not_mirror_falls_back_or_proves_it_by_time(
    ties: Ties, data: st.DataObject
) -> None:
    """When the walks end inside one second on a host that does not mirror (or ignores or
    refuses ``order``), the walk fell back to one cursor: it never accepted a seam it could
    not prove."""
    host, limit = data.draw(hosts(ties))
    outcome = walk_over(data, host, limit, changes=0)
    assert_nothing_missed_or_doubled(outcome)
    walk = outcome.walk
    oldest, newest = walk.times["asc"], walk.times["desc"]
    ended_alone = walk.ends["asc"].ended or walk.ends["desc"].ended
    crossed = oldest is not None and newest is not None and oldest > newest
    assert walk.fallback is not None or ended_alone or crossed
