from __future__ import annotations

import httpx

from assistctl.emulator.testing import EmulatorHandle


def test_create_and_get_over_http(emulator: EmulatorHandle) -> None:
    with httpx.Client(base_url=emulator.base_url, headers=emulator.headers) as client:
        created = client.post("/assistants", json={"model": "gpt-4o", "name": "x"})
        assert created.status_code == 200, created.text
        got = client.get(f"/assistants/{created.json()['id']}")
        assert got.json() == created.json()
    assert [e["operation"] for e in emulator.requests()] == ["create", "retrieve"]
