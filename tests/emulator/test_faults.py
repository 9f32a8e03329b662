"""Faults on demand and the admin endpoints."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

from applyhelpers import write_manifests
from assistctl.emulator.app import EmulatorApp
from assistctl.emulator.faults import FaultConfig, Faults
from assistctl.emulator.testing import EmulatorHandle
from clihelpers import at, run

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

HEADERS = {"Authorization": "Bearer k", "OpenAI-Beta": "assistants=v2"}


@pytest.fixture
def http(emulator: EmulatorHandle) -> Iterator[httpx.Client]:
    with emulator.http_client() as client:
        yield client


@pytest.fixture
def admin(emulator: EmulatorHandle) -> Iterator[httpx.Client]:
    with emulator.admin_client() as client:
        yield client


def sdk(emulator: EmulatorHandle, max_retries: int = 0) -> openai.OpenAI:
    return emulator.openai_client(max_retries=max_retries)


def test_rate_limit_carries_retry_after(
    http: httpx.Client, emulator: EmulatorHandle, openapi: Any
) -> None:
    emulator.set_faults(rate_limit_fraction=1.0, retry_after=2, retry_after_ms=20)
    response = http.get("/assistants")
    assert response.status_code == 429
    assert response.headers["retry-after"] == "2"
    assert response.headers["retry-after-ms"] == "20"
    openapi.validate(response.json(), "ErrorResponse")
    assert response.json()["error"]["code"] == "rate_limit_exceeded"
    emulator.set_faults(retry_after_ms=None)
    response = http.get("/assistants")
    assert response.headers["retry-after-ms"] == "2000"
    assert [e["fault"] for e in emulator.requests()] == ["rate_limited", "rate_limited"]


def test_rate_limited_request_commits_nothing(http: httpx.Client, emulator: EmulatorHandle) -> None:
    emulator.set_faults(rate_limit_fraction=1.0)
    assert http.post("/assistants", json={"model": "m"}).status_code == 429
    assert len(emulator.store) == 0


def test_sdk_retries_through_scripted_faults(emulator: EmulatorHandle) -> None:
    emulator.set_faults(next_statuses=[429, 503, 500], retry_after_ms=1, error_retry_after_ms=1)
    created = sdk(emulator, max_retries=3).beta.assistants.create(model="gpt-4o")
    assert [e["status"] for e in emulator.requests()] == [429, 503, 500, 200]
    assert [a["id"] for a in emulator.assistants()] == [created.id]


def test_sdk_raises_rate_limit_error(emulator: EmulatorHandle) -> None:
    emulator.set_faults(rate_limit_fraction=1.0)
    with pytest.raises(openai.RateLimitError) as info:
        sdk(emulator).beta.assistants.list()
    assert info.value.response.headers["retry-after"] == "1"


def test_error_fraction_answers_5xx(http: httpx.Client, emulator: EmulatorHandle) -> None:
    emulator.set_faults(error_fraction=1.0, error_statuses=[503])
    response = http.get("/assistants")
    assert response.status_code == 503
    assert response.json()["error"]["type"] == "server_error"


def test_lost_create_commits_but_drops_the_connection(
    http: httpx.Client, emulator: EmulatorHandle
) -> None:
    emulator.set_faults(lost_creates=1)
    with pytest.raises(httpx.RemoteProtocolError):
        http.post("/assistants", json={"model": "m", "name": "lost"})
    (stored,) = emulator.assistants()
    assert stored["name"] == "lost"
    (entry,) = emulator.requests("create")
    assert entry["fault"] == "lost_create" and entry["assistant_id"] == stored["id"]
    # Only the next N: the following create answers normally, on a fresh connection.
    assert http.post("/assistants", json={"model": "m"}).status_code == 200
    assert len(emulator.store) == 2


def test_lost_create_through_the_sdk(emulator: EmulatorHandle) -> None:
    emulator.set_faults(lost_creates=1)
    with pytest.raises(openai.APIConnectionError):
        sdk(emulator).beta.assistants.create(model="gpt-4o", name="lost")
    assert [a["name"] for a in emulator.assistants()] == ["lost"]


def test_failed_create_commits_then_answers_500(
    http: httpx.Client, emulator: EmulatorHandle
) -> None:
    emulator.set_faults(failed_creates=1)
    response = http.post("/assistants", json={"model": "m"})
    assert response.status_code == 500
    assert len(emulator.store) == 1


def test_dropped_response_is_cut_mid_body(http: httpx.Client, emulator: EmulatorHandle) -> None:
    (seeded,) = emulator.seed_assistants(1)
    emulator.set_faults(drop_responses=1)
    with pytest.raises(httpx.RemoteProtocolError):
        http.get(f"/assistants/{seeded['id']}")
    assert http.get(f"/assistants/{seeded['id']}").status_code == 200


def test_operations_filter(http: httpx.Client, emulator: EmulatorHandle) -> None:
    emulator.set_faults(error_fraction=1.0, operations=["list"])
    assert http.post("/assistants", json={"model": "m"}).status_code == 200
    assert http.get("/assistants").status_code >= 500


def test_seeded_fractions_are_reproducible() -> None:
    def statuses(seed: int) -> list[int]:
        app = EmulatorApp(
            faults=Faults(FaultConfig(rate_limit_fraction=0.3, error_fraction=0.3, seed=seed))
        )
        return [app.handle("GET", "/v1/assistants", "", HEADERS, b"").status for _ in range(60)]

    first = statuses(7)
    assert first == statuses(7)
    assert {200, 429} <= set(first) and set(first) - {200, 429} <= {500, 503}
    assert first != statuses(8)


def test_latency_waits_before_every_api_request() -> None:
    slept: list[float] = []
    app = EmulatorApp(faults=Faults(FaultConfig(latency_ms=250)), sleep=slept.append)
    app.handle("GET", "/v1/assistants", "", HEADERS, b"")
    app.handle("GET", "/v1/nope", "", HEADERS, b"")
    app.handle("GET", "/_admin/health", "", {}, b"")
    assert slept == [0.25, 0.25]


def test_health_counts_the_api_requests_in_flight() -> None:
    seen: list[int] = []

    def sleep(seconds: float) -> None:  # runs while a request is being handled
        health = app.handle("GET", "/_admin/health", "", {}, b"")
        seen.append(json.loads(health.body)["in_flight"])

    app = EmulatorApp(faults=Faults(FaultConfig(latency_ms=1, lost_creates=1)), sleep=sleep)
    app.handle("POST", "/v1/assistants", "", HEADERS, b'{"model": "m"}')  # lost: still ends
    app.handle("GET", "/v1/nope", "", HEADERS, b"")
    assert seen == [1, 1]
    assert app.in_flight == 0


def test_latency_over_http(http: httpx.Client, emulator: EmulatorHandle) -> None:
    emulator.set_faults(latency_ms=1)
    assert http.get("/assistants").status_code == 200


# ---- admin endpoints -----------------------------------------------------------------------------


def test_admin_faults_roundtrip(
    admin: httpx.Client, http: httpx.Client, emulator: EmulatorHandle
) -> None:
    response = admin.post("/faults", json={"rate_limit_fraction": 1, "seed": 3})
    assert response.status_code == 200
    assert response.json()["rate_limit_fraction"] == 1.0
    assert admin.get("/faults").json()["seed"] == 3
    assert http.get("/assistants").status_code == 429
    assert admin.delete("/faults").json()["rate_limit_fraction"] == 0.0
    assert http.get("/assistants").status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {"rate_limit_fraction": 2},
        {"latency_ms": -1},
        {"bogus": 1},
        {"next_statuses": [200]},
        {"retry_after": 0},
    ],
)
def test_admin_faults_rejects_bad_settings(admin: httpx.Client, body: dict[str, Any]) -> None:
    response = admin.post("/faults", json=body)
    assert response.status_code == 400
    assert response.json()["error"]["param"] == next(iter(body))


def test_admin_bypasses_faults_and_is_not_logged(
    admin: httpx.Client, emulator: EmulatorHandle
) -> None:
    emulator.set_faults(error_fraction=1.0, lost_creates=5, latency_ms=0)
    created = admin.post("/assistants?count=3", json={"model": "m", "metadata": {"k": "v"}})
    assert created.status_code == 200
    ids = [a["id"] for a in created.json()["data"]]
    assert len(ids) == 3
    changed = admin.post(f"/assistants/{ids[0]}", json={"instructions": "by hand"})
    assert changed.json()["instructions"] == "by hand"
    assert admin.get(f"/assistants/{ids[0]}").json()["instructions"] == "by hand"
    assert admin.delete(f"/assistants/{ids[1]}").json()["deleted"] is True
    assert admin.get("/health").json() == {
        "ok": True,
        "flavor": "openai",
        "assistants": 2,
        "in_flight": 0,
    }
    assert admin.get("/requests").json()["data"] == []
    assert emulator.app.faults.config.lost_creates == 5


def test_admin_requests_log(admin: httpx.Client, http: httpx.Client) -> None:
    http.get("/assistants?limit=5")
    http.post("/assistants", json={"model": "m"})
    http.get("/assistants/asst_nope")
    log = admin.get("/requests").json()["data"]
    assert [(e["method"], e["operation"], e["status"]) for e in log] == [
        ("GET", "list", 200),
        ("POST", "create", 200),
        ("GET", "retrieve", 404),
    ]
    assert log[0]["query"] == {"limit": "5"}
    assert all("authorization" not in str(e).lower() for e in log)
    assert admin.delete("/requests").status_code == 200
    assert admin.get("/requests").json()["data"] == []


def test_admin_reset(admin: httpx.Client, emulator: EmulatorHandle) -> None:
    emulator.seed_assistants(2)
    emulator.set_faults(error_fraction=1.0)
    assert admin.post("/reset").status_code == 200
    assert len(emulator.store) == 0
    assert emulator.app.faults.config.error_fraction == 0.0


def test_admin_assistants_shows_hidden_fields(
    admin: httpx.Client, emulator: EmulatorHandle
) -> None:
    emulator.seed_assistants(1, reasoning_effort="high")
    (item,) = admin.get("/assistants").json()["data"]
    assert item["extra"] == {"reasoning_effort": "high"}
    assert "reasoning_effort" not in item["assistant"]


def test_admin_errors(admin: httpx.Client) -> None:
    assert admin.get("/nothing").status_code == 404
    assert admin.post("/assistants/asst_nope", json={"name": "x"}).status_code == 404
    assert admin.delete("/assistants/asst_nope").status_code == 404
    assert admin.post("/assistants", json={"name": "no model"}).status_code == 400
    assert admin.post("/assistants?count=0", json={"model": "m"}).status_code == 400
    assert admin.put("/reset").status_code == 405
    assert (
        admin.post(
            "/faults", content=b"[1]", headers={"content-type": "application/json"}
        ).status_code
        == 400
    )


def test_fixture_helpers(emulator: EmulatorHandle, http: httpx.Client) -> None:
    seeded = emulator.seed_assistants(3, metadata={"assistctl": "proj/key"})
    assert [a["name"] for a in seeded] == ["seed-0", "seed-1", "seed-2"]
    changed = emulator.modify_out_of_band(seeded[0]["id"], temperature=0.5)
    assert changed["temperature"] == 0.5
    emulator.delete_out_of_band(seeded[1]["id"])
    assert http.get(f"/assistants/{seeded[0]['id']}").json()["temperature"] == 0.5
    assert emulator.get(seeded[1]["id"]) is None
    assert len(emulator.requests()) == 1
    with pytest.raises(KeyError):
        emulator.modify_out_of_band("asst_nope", name="x")


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_requests_per_second_is_a_token_bucket() -> None:
    clock = Clock()
    faults = Faults(FaultConfig(requests_per_second=5), clock=clock)
    # A full bucket: one second's worth passes at once, then 429s.
    assert [faults.injected_error("create") for _ in range(5)] == [None] * 5
    limited = faults.injected_error("create")
    assert limited is not None and limited.status == 429
    assert limited.headers == {"retry-after": "1", "retry-after-ms": "200"}
    clock.now += 0.1  # half a token
    half = faults.injected_error("list")
    assert half is not None and half.headers["retry-after-ms"] == "100"
    clock.now += 0.1
    assert faults.injected_error("list") is None  # one token back
    assert faults.injected_error("list") is not None
    clock.now += 10  # refills up to the capacity, not beyond
    assert [faults.injected_error("create") for _ in range(6)].count(None) == 5


def test_requests_per_second_over_http_and_admin(
    http: httpx.Client, admin: httpx.Client, emulator: EmulatorHandle
) -> None:
    assert admin.post("/faults", json={"requests_per_second": -1}).status_code == 400
    assert admin.post("/faults", json={"requests_per_second": "fast"}).status_code == 400
    emulator.set_faults(requests_per_second=2)
    statuses = [http.get("/assistants").status_code for _ in range(4)]
    assert statuses[:2] == [200, 200] and 429 in statuses[2:]
    assert [e["fault"] for e in emulator.requests()].count("rate_limited") >= 1
    emulator.set_faults(requests_per_second=0)
    assert [http.get("/assistants").status_code for _ in range(5)] == [200] * 5


def test_apply_backs_off_to_a_real_rate_limit(emulator: EmulatorHandle, tmp_path: Path) -> None:
    """Against a limit of 40 requests a second, 60 creates at parallelism 8 all land once,
    through 429s, and apply lowers its concurrency: what its AIMD limit is for."""
    root = write_manifests(tmp_path / "m", 60, "limited")
    emulator.set_faults(requests_per_second=40)
    flags = [*at(emulator.base_url, "sk-x"), "--max-retries", "20"]
    result = run(*flags, "apply", "--auto-approve", "--parallelism", "8", root)
    assert result.code == 0, result.text
    found = re.search(r"(\d+) retries; parallelism lowered to (\d+) by rate limits", result.out)
    assert found is not None, result.out
    assert int(found.group(1)) > 0 and int(found.group(2)) < 8
    labels = [a["metadata"]["assistctl"] for a in emulator.assistants()]
    assert len(labels) == 60 == len(set(labels))
    assert run(*flags, "plan", "--detailed-exitcode", root).code == 0
