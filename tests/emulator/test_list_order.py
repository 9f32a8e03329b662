"""The emulator as a host that orders its list otherwise: assistants created in one second,
``order=desc`` not mirroring ``order=asc`` for them, ``order`` ignored. Set through the
admin endpoint like the other faults, and seen through the real list endpoint."""

from __future__ import annotations

from typing import Any

import httpx

from assistctl.emulator.testing import EmulatorHandle


def _admin(emulator: EmulatorHandle) -> httpx.Client:
    return httpx.Client(base_url=emulator.server.root_url + "/_admin", timeout=10)


def _list(emulator: EmulatorHandle, **query: str) -> dict[str, Any]:
    answer = httpx.get(
        emulator.base_url + "/assistants",
        params={"limit": "100", **query},
        headers=emulator.headers,
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def test_the_switches_are_faults_of_the_admin_endpoint(emulator: EmulatorHandle) -> None:
    with _admin(emulator) as admin:
        defaults = admin.get("/faults").json()
        assert (defaults["tie_created_at"], defaults["ignore_order"]) == (False, False)
        assert defaults["desc_ties_reversed"] is True
        changed = admin.post("/faults", json={"tie_created_at": True, "ignore_order": True})
        assert changed.json()["tie_created_at"] and changed.json()["ignore_order"]
        refused = admin.post("/faults", json={"ignore_order": "yes"})
        assert refused.status_code == 400
        assert refused.json()["error"]["message"] == "'ignore_order' must be true or false."
        assert admin.delete("/faults").json()["ignore_order"] is False


def test_tied_assistants_share_the_newest_second(emulator: EmulatorHandle) -> None:
    (first,) = emulator.seed_assistants(1)
    emulator.set_faults(tie_created_at=True)
    later = emulator.seed_assistants(5)
    assert {a["created_at"] for a in later} == {first["created_at"]}


def test_desc_mirrors_asc_unless_told_otherwise(emulator: EmulatorHandle) -> None:
    emulator.set_faults(tie_created_at=True)
    ids = [a["id"] for a in emulator.seed_assistants(6)]
    asc = [a["id"] for a in _list(emulator, order="asc")["data"]]
    desc = [a["id"] for a in _list(emulator, order="desc")["data"]]
    assert asc == ids and desc == ids[::-1]

    emulator.set_faults(desc_ties_reversed=False)
    page = _list(emulator, order="desc", limit="2")
    assert [a["id"] for a in page["data"]] == ids[:2] and page["has_more"]
    after = _list(emulator, order="desc", limit="2", after=ids[1])
    assert [a["id"] for a in after["data"]] == ids[2:4]


def test_order_ignored_lists_oldest_first(emulator: EmulatorHandle) -> None:
    ids = [a["id"] for a in emulator.seed_assistants(4)]
    emulator.set_faults(ignore_order=True)
    assert [a["id"] for a in _list(emulator, order="desc")["data"]] == ids
