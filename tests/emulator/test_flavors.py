"""The aimlapi flavor: paths without /v1, no beta header, AIML API's error body."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from assistctl.emulator.app import EmulatorApp
from assistctl.emulator.flavors import FLAVORS
from assistctl.emulator.testing import EmulatorHandle

# One plain-HTTP client for raw requests (no TLS context to build per call).
RAW = httpx.Client(verify=False)

AIML_ERROR_KEYS = {"message", "path", "requestId", "statusCode", "timestamp"}


@pytest.fixture
def aiml(emulator_aimlapi: EmulatorHandle) -> Iterator[httpx.Client]:
    assert not emulator_aimlapi.base_url.endswith("/v1")
    with emulator_aimlapi.http_client() as c:
        yield c


def test_headers_need_no_beta(emulator_aimlapi: EmulatorHandle) -> None:
    assert "OpenAI-Beta" not in emulator_aimlapi.headers


def test_crud_without_v1(aiml: httpx.Client, openapi: Any) -> None:
    created = aiml.post("/assistants", json={"model": "gpt-4o", "name": "a"})
    assert created.status_code == 200
    openapi.validate(created.json(), "AssistantObject")
    listed = aiml.get("/assistants").json()
    assert [a["id"] for a in listed["data"]] == [created.json()["id"]]
    assert aiml.delete(f"/assistants/{created.json()['id']}").json()["deleted"] is True


def test_error_body_shape(aiml: httpx.Client) -> None:
    response = aiml.post("/assistants", json={"model": "m", "temperature": 5})
    assert response.status_code == 400
    body = response.json()
    assert set(body) == AIML_ERROR_KEYS
    assert body["statusCode"] == 400
    assert body["path"] == "/assistants"
    assert "temperature" in body["message"]
    assert body["requestId"] == response.headers["x-request-id"]
    assert body["timestamp"].endswith("Z")


def test_not_found_and_v1_paths(aiml: httpx.Client) -> None:
    response = aiml.get("/assistants/asst_nope")
    assert response.status_code == 404 and response.json()["statusCode"] == 404
    response = aiml.get("/v1/assistants")
    assert response.status_code == 404
    assert response.json()["message"] == "Cannot GET /v1/assistants"


def test_missing_auth(emulator_aimlapi: EmulatorHandle) -> None:
    response = RAW.get(emulator_aimlapi.base_url + "/assistants")
    assert response.status_code == 401
    assert set(response.json()) == AIML_ERROR_KEYS


def test_beta_header_is_tolerated(aiml: httpx.Client) -> None:
    assert aiml.get("/assistants", headers={"OpenAI-Beta": "assistants=v2"}).status_code == 200


def test_flavors_are_data() -> None:
    assert set(FLAVORS) >= {"openai", "aimlapi"}
    assert EmulatorApp("aimlapi").base_path == ""
    with pytest.raises(ValueError, match="unknown emulator flavor"):
        EmulatorApp("azure-typo")
