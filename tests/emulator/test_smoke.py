from __future__ import annotations

from assistctl.emulator.testing import EmulatorHandle


def test_create_and_get_over_http(emulator: EmulatorHandle) -> None:
    with emulator.http_client() as client:
        created = client.post("/assistants", json={"model": "gpt-4o", "name": "x"})
        assert created.status_code == 200, created.text
        got = client.get(f"/assistants/{created.json()['id']}")
        assert got.json() == created.json()
    assert [e["operation"] for e in emulator.requests()] == ["create", "retrieve"]
