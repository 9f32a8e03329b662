"""Concurrent clients: nothing lost, nothing duplicated, pagination exact."""

from __future__ import annotations

import threading

import pytest

from assistctl.emulator.testing import EmulatorHandle

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

THREADS = 8
PER_THREAD = 50


def test_8_threads_x_50_creates(emulator: EmulatorHandle) -> None:
    created: list[list[str]] = [[] for _ in range(THREADS)]
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def worker(n: int) -> None:
        try:
            client = emulator.openai_client()
            start.wait()
            for i in range(PER_THREAD):
                a = client.beta.assistants.create(model="gpt-4o", name=f"t{n}-{i}")
                created[n].append(a.id)
            client.close()
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    all_ids = [i for ids in created for i in ids]
    assert len(all_ids) == len(set(all_ids)) == THREADS * PER_THREAD
    assert len(emulator.store) == THREADS * PER_THREAD

    client = emulator.openai_client()
    stored_order = [a["id"] for a in emulator.assistants()]
    for order, expected in (("asc", stored_order), ("desc", stored_order[::-1])):
        listed = [a.id for a in client.beta.assistants.list(limit=100, order=order)]  # type: ignore[arg-type]
        assert listed == expected
        assert sorted(listed) == sorted(all_ids)
    # Each thread's own creates appear in the order it made them.
    position = {i: n for n, i in enumerate(stored_order)}
    for ids in created:
        assert [position[i] for i in ids] == sorted(position[i] for i in ids)


def test_concurrent_modify_and_list(emulator: EmulatorHandle) -> None:
    seeded = [a["id"] for a in emulator.seed_assistants(120)]
    errors: list[BaseException] = []

    def modifier(chunk: list[str]) -> None:
        try:
            client = emulator.openai_client()
            for i in chunk:
                client.beta.assistants.update(i, metadata={"touched": "yes"})
        except BaseException as err:
            errors.append(err)

    def lister() -> None:
        try:
            client = emulator.openai_client()
            for _ in range(3):
                ids = [a.id for a in client.beta.assistants.list(limit=100)]
                assert ids == seeded[::-1]
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=modifier, args=(seeded[k::4],)) for k in range(4)]
    threads += [threading.Thread(target=lister) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert all(a["metadata"] == {"touched": "yes"} for a in emulator.assistants())
