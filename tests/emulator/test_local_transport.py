"""Provider local: the same operations through httpx with the in-process transport."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from assistctl.emulator.transport import LOCAL_BASE_URL, LocalTransport, local_app

BETA = {"OpenAI-Beta": "assistants=v2"}


def client_for(state: Path) -> httpx.Client:
    return httpx.Client(
        transport=LocalTransport(local_app(state)), base_url=LOCAL_BASE_URL, headers=BETA
    )


def test_crud_and_persistence(tmp_path: Path) -> None:
    state = tmp_path / "local-state.json"
    with client_for(state) as client:
        created = client.post(
            "/assistants", json={"model": "gpt-4o", "tools": [{"type": "code_interpreter"}]}
        )
        assert created.status_code == 200
        aid = created.json()["id"]
        assert created.json()["tool_resources"] == {"code_interpreter": {"file_ids": []}}
        assert (
            client.post(f"/assistants/{aid}", json={"name": "renamed"}).json()["name"] == "renamed"
        )
        second = client.post("/assistants", json={"model": "gpt-4o"}).json()["id"]
        page = client.get("/assistants", params={"order": "asc", "limit": 1}).json()
        assert (page["first_id"], page["has_more"]) == (aid, True)
        assert client.delete(f"/assistants/{second}").json()["deleted"] is True
        assert client.get(f"/assistants/{second}").status_code == 404
    with client_for(state) as client:  # a new CLI run sees the last one's state
        listed = client.get("/assistants").json()["data"]
        assert [(a["id"], a["name"]) for a in listed] == [(aid, "renamed")]


def test_errors_and_auth(tmp_path: Path) -> None:
    with client_for(tmp_path / "s.json") as client:
        bad = client.post("/assistants", json={"model": "m", "top_p": 2})
        assert bad.status_code == 400 and bad.json()["error"]["param"] == "top_p"
        # No key needed, but one is accepted.
        assert (
            client.get("/assistants", headers={"Authorization": "Bearer anything"}).status_code
            == 200
        )
        assert client.get("/assistants", headers={"OpenAI-Beta": ""}).status_code == 400


def test_faults_map_to_httpx_errors(tmp_path: Path) -> None:
    app = local_app(tmp_path / "s.json")
    with httpx.Client(
        transport=LocalTransport(app), base_url=LOCAL_BASE_URL, headers=BETA
    ) as client:
        app.faults.configure(lost_creates=1, drop_responses=1, operations=["list"])
        with pytest.raises(httpx.RemoteProtocolError):
            client.post("/assistants", json={"model": "m"})
        assert len(app.store) == 1
        with pytest.raises(httpx.RemoteProtocolError):
            client.get("/assistants")
        app.faults.configure(rate_limit_fraction=1.0)
        limited = client.get("/assistants")
        assert limited.status_code == 429 and limited.headers["retry-after"] == "1"


def test_default_state_file_is_relative_to_cwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    app = local_app()
    app.create_assistant({"model": "m"})
    assert (tmp_path / ".assistctl" / "local-state.json").is_file()
