"""The listing from both ends against the emulator over real HTTP, configured as the hosts
the walk must not be fooled by: assistants created in one second, ``order=desc`` that does
not mirror ``order=asc`` for ties, ``order`` ignored. Each lists every assistant once; the
mirroring host is walked from both ends within ceil(N/100) + 2 requests, the others fall
back to the one-cursor walk (its requests are all ``order=asc`` from then on)."""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Iterator

import pytest

from assistctl.api.client import AssistantsClient
from assistctl.api.listing import Listing
from assistctl.api.target import resolve_target
from assistctl.api.twoends import TwoEndedWalk
from assistctl.emulator.app import EmulatorApp
from assistctl.emulator.server import start_server
from assistctl.emulator.store import Store
from assistctl.emulator.testing import EmulatorHandle
from assistctl.options import GlobalOptions

KEY = "sk-test-listing-0123456789"


@pytest.fixture
def client(emulator: EmulatorHandle) -> Iterator[AssistantsClient]:
    target = resolve_target(GlobalOptions(base_url=emulator.base_url, api_key=KEY), env={})
    with AssistantsClient(target) as c:
        yield c


def _walk(client: AssistantsClient) -> tuple[list[str], TwoEndedWalk]:
    listing = client.listing()
    ids = [str(item["id"]) for page in listing for item in page]
    assert isinstance(listing.walk, TwoEndedWalk)
    return ids, listing.walk


@pytest.mark.parametrize("count", [0, 1, 99, 100, 101, 250, 1000])
def test_a_mirroring_host_is_walked_from_both_ends(
    emulator: EmulatorHandle, client: AssistantsClient, count: int
) -> None:
    emulator.set_faults(tie_created_at=True)  # all in one second: the seam needs a page
    seeded = [a["id"] for a in emulator.seed_assistants(count)] if count else []
    ids, walk = _walk(client)
    emulator.settle()
    assert sorted(ids) == sorted(seeded) and len(ids) == len(set(ids))
    assert walk.fallback is None
    lists = emulator.requests("list")
    assert len(lists) <= max(1, math.ceil(count / 100)) + 2
    assert {e["query"]["order"] for e in lists} <= {"asc", "desc"}


@pytest.mark.parametrize(
    "host",
    [
        {"ignore_order": True},
        {"desc_ties_reversed": False},
        {"ignore_order": True, "desc_ties_reversed": False},
    ],
    ids=["order-ignored", "desc-ties-in-creation-order", "both"],
)
def test_a_host_that_does_not_mirror_falls_back_to_one_cursor(
    emulator: EmulatorHandle, client: AssistantsClient, host: dict[str, bool]
) -> None:
    emulator.set_faults(tie_created_at=True)
    seeded = [a["id"] for a in emulator.seed_assistants(450)]
    emulator.set_faults(**host)
    ids, walk = _walk(client)
    emulator.settle()
    assert sorted(ids) == sorted(seeded) and len(ids) == len(set(ids))
    assert walk.fallback is not None
    # One cursor to the end: five pages from the oldest, and what the other end asked
    # before the doubt (a page or two).
    lists = emulator.requests("list")
    assert sum(e["query"]["order"] == "asc" for e in lists) == 5
    assert len(lists) <= 5 + 3


def test_distinct_seconds_meet_by_time() -> None:
    """Without ties a seam needs no page of overlap: the walks stop once they crossed."""
    seconds = itertools.count(1_700_000_000)  # one second per assistant, as over time
    app = EmulatorApp("openai", store=Store(clock=lambda: next(seconds)))
    with start_server("127.0.0.1", 0, app) as server:
        seeded = [app.create_assistant({"model": "gpt-4o"}).id for _ in range(400)]
        target = resolve_target(GlobalOptions(base_url=server.base_url, api_key=KEY), env={})
        with AssistantsClient(target) as client:
            ids, walk = _walk(client)
        EmulatorHandle(server).settle()
        lists = app.requests()
    assert sorted(ids) == sorted(seeded) and walk.fallback is None
    assert walk.times["asc"] is not None and walk.times["desc"] is not None
    assert walk.times["asc"] > walk.times["desc"]
    assert len(lists) <= 4 + 2


def test_created_and_deleted_while_listing(
    emulator: EmulatorHandle, client: AssistantsClient
) -> None:
    """Assistants created and deleted between the pages: everything present throughout is
    listed once, nothing twice."""
    emulator.set_faults(tie_created_at=True)
    seeded = [a["id"] for a in emulator.seed_assistants(600)]
    listing = client.listing()
    ids: list[str] = []
    for n, page in enumerate(listing):
        ids += [str(item["id"]) for item in page]
        if n == 1:
            emulator.delete_out_of_band(seeded[300])
            emulator.seed_assistants(3)
    emulator.settle()
    assert len(ids) == len(set(ids))
    assert set(seeded) - {seeded[300]} <= set(ids)


def test_a_late_consumer_holds_the_budget_not_the_list(
    emulator: EmulatorHandle, client: AssistantsClient
) -> None:
    """Pages wait for a consumer that has not started (manifests still loading) up to a
    budget of answer bytes; past it the walk sends nothing more until the consumer takes
    some, then goes on to the end: every assistant once."""
    seeded = emulator.seed_assistants(1000, instructions="x" * 2000)  # ~270 KB a page
    listing = Listing(client.list_page, TwoEndedWalk("the list"), budget=600_000).start()
    waited = time.monotonic() + 60
    while not (listing.paused or listing.walk.done) and time.monotonic() < waited:
        time.sleep(0.01)
    assert listing.paused
    # Three pages over the budget, and at most one more answer that was on the wire.
    assert listing.requests <= 5
    ids = [str(item["id"]) for page in listing for item in page]
    assert sorted(ids) == sorted(a["id"] for a in seeded)
    assert listing.requests <= math.ceil(1000 / 100) + 2
