"""The azure flavor (``/openai``, ``api-key``, ``api-version``) and the openai-v1 flavor
(``OpenAI-Beta: assistants=v1``, v1 shapes), over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from assistctl.emulator.testing import EmulatorHandle

RAW = httpx.Client(verify=False)
VERSION = {"api-version": "2024-05-01-preview"}
V1_KEYS = [
    "id",
    "object",
    "created_at",
    "name",
    "description",
    "model",
    "instructions",
    "tools",
    "file_ids",
    "metadata",
]


@pytest.fixture
def azure(emulator_azure: EmulatorHandle) -> Iterator[httpx.Client]:
    assert emulator_azure.base_url.endswith("/openai")
    with emulator_azure.http_client() as c:
        yield c


@pytest.fixture
def v1(emulator_v1: EmulatorHandle) -> Iterator[httpx.Client]:
    with emulator_v1.http_client() as c:
        yield c


# ---- azure ------------------------------------------------------------------------------------


def test_azure_handle_sends_api_key_and_api_version(emulator_azure: EmulatorHandle) -> None:
    assert emulator_azure.headers == {"api-key": emulator_azure.api_key}
    assert emulator_azure.params == VERSION


def test_azure_crud(azure: httpx.Client, openapi: Any) -> None:
    created = azure.post(
        "/assistants", json={"model": "gpt-4o", "tools": [{"type": "file_search"}]}
    )
    assert created.status_code == 200, created.text
    openapi.validate(created.json(), "AssistantObject")
    assistant_id = created.json()["id"]
    assert created.json()["tool_resources"] == {"file_search": {"vector_store_ids": []}}
    modified = azure.post(f"/assistants/{assistant_id}", json={"temperature": 0.5})
    assert modified.json()["temperature"] == 0.5
    listed = azure.get("/assistants", params={**VERSION, "limit": 10}).json()
    assert [a["id"] for a in listed["data"]] == [assistant_id]
    assert azure.delete(f"/assistants/{assistant_id}").json()["deleted"] is True


def test_azure_missing_api_version_is_the_gateway_404(emulator_azure: EmulatorHandle) -> None:
    response = RAW.get(emulator_azure.base_url + "/assistants", headers=emulator_azure.headers)
    assert response.status_code == 404
    assert response.json() == {"error": {"code": "404", "message": "Resource not found"}}


@pytest.mark.parametrize("version", ["2024-02-15-preview", "latest", "2024-5-1"])
def test_azure_unsupported_api_version(emulator_azure: EmulatorHandle, version: str) -> None:
    response = RAW.get(
        emulator_azure.base_url + "/assistants",
        params={"api-version": version},
        headers=emulator_azure.headers,
    )
    assert response.status_code == 400
    assert response.json() == {
        "error": {"code": "BadRequest", "message": "API version not supported"}
    }


@pytest.mark.parametrize("version", ["2024-05-01-preview", "2025-04-01-preview", "2024-10-21"])
def test_azure_supported_api_versions(emulator_azure: EmulatorHandle, version: str) -> None:
    response = RAW.get(
        emulator_azure.base_url + "/assistants",
        params={"api-version": version},
        headers=emulator_azure.headers,
    )
    assert response.status_code == 200


def test_azure_bearer_is_not_its_auth(emulator_azure: EmulatorHandle) -> None:
    response = RAW.get(
        emulator_azure.base_url + "/assistants",
        params=VERSION,
        headers={"Authorization": f"Bearer {emulator_azure.api_key}"},
    )
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == "401" and error["message"].startswith("Access denied")
    assert set(error) == {"code", "message"}


def test_azure_wrong_key_when_keys_are_configured(emulator_azure: EmulatorHandle) -> None:
    emulator_azure.app.api_keys = frozenset({"the-right-key"})
    try:
        with emulator_azure.http_client() as c:
            response = c.get("/assistants")
        assert response.status_code == 401
        assert emulator_azure.api_key not in response.text
    finally:
        emulator_azure.app.api_keys = None


def test_azure_api_errors_use_openai_envelope(azure: httpx.Client) -> None:
    response = azure.post("/assistants", json={"model": "gpt-4o", "top_p": 2})
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "top_p"
    assert set(response.json()["error"]) == {"message", "type", "param", "code"}
    response = azure.get("/assistants/asst_nope")
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "No assistant found with id 'asst_nope'."


def test_azure_unknown_paths(emulator_azure: EmulatorHandle) -> None:
    for path in ("/v1/assistants", "/openai/threads", "/assistants"):
        response = RAW.get(
            emulator_azure.root_url + path, params=VERSION, headers=emulator_azure.headers
        )
        assert response.status_code == 404, path
        assert response.json() == {"error": {"code": "404", "message": "Resource not found"}}


# ---- openai-v1 --------------------------------------------------------------------------------


def test_v1_handle_sends_the_v1_header(emulator_v1: EmulatorHandle) -> None:
    assert emulator_v1.headers["OpenAI-Beta"] == "assistants=v1"
    assert emulator_v1.base_url.endswith("/v1")


def test_v1_object_shape(v1: httpx.Client) -> None:
    created = v1.post(
        "/assistants",
        json={
            "model": "gpt-4-turbo",
            "tools": [
                {"type": "retrieval"},
                {"type": "code_interpreter"},
                {"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}},
            ],
            "file_ids": ["file-1", "file-2"],
        },
    )
    assert created.status_code == 200, created.text
    body = created.json()
    assert list(body) == V1_KEYS
    assert body["tools"] == [
        {"type": "retrieval"},
        {"type": "code_interpreter"},
        {"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}},
    ]
    assert body["file_ids"] == ["file-1", "file-2"]
    plain = v1.post("/assistants", json={"model": "gpt-4"}).json()
    assert plain["file_ids"] == [] and plain["tools"] == [] and plain["metadata"] == {}


def test_v1_modify_replaces_file_ids(v1: httpx.Client) -> None:
    created = v1.post("/assistants", json={"model": "gpt-4", "file_ids": ["a", "b"]}).json()
    changed = v1.post(f"/assistants/{created['id']}", json={"file_ids": ["c"], "name": "n"})
    assert changed.json()["file_ids"] == ["c"] and changed.json()["name"] == "n"
    assert v1.get(f"/assistants/{created['id']}").json()["file_ids"] == ["c"]


@pytest.mark.parametrize(
    ("body", "param", "code"),
    [
        ({"tool_resources": {}}, "tool_resources", "unknown_parameter"),
        ({"temperature": 0.5}, "temperature", "unknown_parameter"),
        ({"response_format": "auto"}, "response_format", "unknown_parameter"),
        ({"reasoning_effort": "low"}, "reasoning_effort", "unknown_parameter"),
        ({"tools": [{"type": "file_search"}]}, "tools[0].type", "invalid_value"),
        (
            {"tools": [{"type": "function", "function": {"name": "f", "strict": True}}]},
            "tools[0].function.strict",
            "unknown_parameter",
        ),
        ({"file_ids": [f"f{i}" for i in range(21)]}, "file_ids", "array_above_max_length"),
        ({"instructions": "x" * 32_769}, "instructions", "string_above_max_length"),
    ],
)
def test_v1_rejects_v2_fields_and_v1_limits(
    v1: httpx.Client, body: dict[str, Any], param: str, code: str
) -> None:
    response = v1.post("/assistants", json={"model": "gpt-4", **body})
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["param"], error["code"]) == (param, code)


def test_v1_file_search_names_the_v1_tools(v1: httpx.Client) -> None:
    response = v1.post("/assistants", json={"model": "m", "tools": [{"type": "file_search"}]})
    assert "'retrieval'" in response.json()["error"]["message"]


def test_v1_needs_the_v1_header(emulator_v1: EmulatorHandle) -> None:
    auth = {"Authorization": f"Bearer {emulator_v1.api_key}"}
    response = RAW.get(emulator_v1.base_url + "/assistants", headers=auth)
    assert response.status_code == 400
    assert "assistants=v1" in response.json()["error"]["message"]
    response = RAW.get(
        emulator_v1.base_url + "/assistants", headers={**auth, "OpenAI-Beta": "assistants=v2"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_beta"


def test_v1_admin_seeding_follows_the_dialect(emulator_v1: EmulatorHandle) -> None:
    (seeded,) = emulator_v1.seed_assistants(1, file_ids=["f"])
    assert list(seeded) == V1_KEYS and seeded["file_ids"] == ["f"]
    changed = emulator_v1.modify_out_of_band(seeded["id"], tools=[{"type": "retrieval"}])
    assert changed["tools"] == [{"type": "retrieval"}]


def test_the_emulator_command_builds_each_flavor() -> None:
    from assistctl.cli.commands.emulator import EmulatorOptions, _needs, build_app

    azure = build_app(EmulatorOptions(flavor="azure"))
    assert azure.base_path == "/openai"
    assert _needs(azure) == (
        " (needs the key in an api-key header, ?api-version=2024-05-01-preview)"
    )
    v1 = build_app(EmulatorOptions(flavor="openai-v1"))
    assert (v1.base_path, _needs(v1)) == ("/v1", " (needs OpenAI-Beta: assistants=v1)")
