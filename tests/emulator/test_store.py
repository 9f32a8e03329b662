"""The store: exact order under shared seconds, cursors, persistence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistctl.emulator.objects import new_assistant
from assistctl.emulator.store import CursorNotFound, StateFileError, Store


class Clock:
    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def add(store: Store, name: str = "a") -> str:
    rec = store.create(lambda i, t: {**new_assistant(i, t, "m"), "name": name})
    return rec.id


def page_all(store: Store, order: str, limit: int) -> list[str]:
    out: list[str] = []
    after = None
    while True:
        page = store.page(order=order, limit=limit, after=after)
        out += [r.id for r in page.records]
        if not page.has_more:
            return out
        after = out[-1]


def test_same_second_keeps_insertion_order() -> None:
    store = Store(clock=Clock())
    ids = [add(store) for _ in range(30)]
    assert page_all(store, "asc", 7) == ids
    assert page_all(store, "desc", 7) == ids[::-1]


def test_clock_stepping_back_sorts_by_created_at() -> None:
    clock = Clock(100)
    store = Store(clock=clock)
    first = add(store)
    clock.now = 50
    earlier = add(store)
    assert page_all(store, "asc", 10) == [earlier, first]


def test_unknown_cursor() -> None:
    store = Store()
    with pytest.raises(CursorNotFound) as info:
        store.page(order="asc", limit=5, before="asst_x")
    assert info.value.param == "before"


@settings(max_examples=60, deadline=None)
@given(
    ops=st.lists(st.tuples(st.booleans(), st.integers(0, 3)), min_size=1, max_size=60),
    limit=st.integers(1, 9),
    order=st.sampled_from(["asc", "desc"]),
)
def test_pagination_property(ops: list[tuple[bool, int]], limit: int, order: str) -> None:
    """Any mix of creates (over a few seconds) and deletes pages out exactly once, in order."""
    clock = Clock()
    store = Store(clock=clock)
    live: list[str] = []
    for create, tick in ops:
        clock.now += tick % 2
        if create or not live:
            live.append(add(store))
        else:
            victim = live.pop(tick % len(live))
            assert store.delete(victim)
    expected = live if order == "asc" else live[::-1]
    assert page_all(store, order, limit) == expected
    # Backwards with `before`, starting from the last object, gives the same list.
    if expected:
        back = [expected[-1]]
        while True:
            page = store.page(order=order, limit=limit, before=back[0])
            back = [r.id for r in page.records] + back
            if not page.has_more:
                break
        assert back == expected


def test_persistence_roundtrip(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "state.json"
    store = Store(path, clock=Clock())
    ids = [add(store, f"n{i}") for i in range(5)]
    store.update(ids[0], lambda r: r.obj.update(name="changed"))
    store.update(ids[1], lambda r: r.extra.update(reasoning_effort="low"))
    store.delete(ids[2])
    again = Store(path)
    assert [r.id for r in again.all()] == [ids[0], ids[1], ids[3], ids[4]]
    assert again.get(ids[0]).obj["name"] == "changed"  # type: ignore[union-attr]
    assert again.get(ids[1]).extra == {"reasoning_effort": "low"}  # type: ignore[union-attr]
    # The deleted id still works as a cursor after a restart, and new records sort last.
    assert [r.id for r in again.page(order="asc", limit=10, after=ids[2]).records] == ids[3:]
    new = add(again)
    assert [r.id for r in again.all()][-1] == new
    assert [p.name for p in path.parent.iterdir()] == ["state.json"]  # no temp files left
    assert json.loads(path.read_text())["format_version"] == 1


@pytest.mark.parametrize(
    "content", ["{not json", '{"format_version": 99}', '{"format_version": 1}']
)
def test_corrupt_state_file(tmp_path: Path, content: str) -> None:
    path = tmp_path / "state.json"
    path.write_text(content)
    with pytest.raises(StateFileError, match="not a valid state file"):
        Store(path)


def test_unwritable_state_dir(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    store = Store(blocker / "state.json")
    with pytest.raises(StateFileError, match="Cannot write"):
        add(store)
