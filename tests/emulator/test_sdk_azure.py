"""The azure flavor driven by the official SDK's ``AzureOpenAI`` client, every response body
checked against the OpenAPI spec (Azure serves OpenAI's shapes under its own URL scheme)."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import httpx2
import openai
import pytest

from assistctl.emulator.testing import EmulatorHandle

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


class Recorder:
    """Every request the SDK sends and every response it receives."""

    def __init__(self) -> None:
        self.requests: list[httpx2.Request] = []
        self.seen: list[tuple[str, str, int, Any]] = []

    def on_request(self, request: httpx2.Request) -> None:
        self.requests.append(request)

    def on_response(self, response: httpx2.Response) -> None:
        response.read()
        req = response.request
        self.seen.append((req.method, req.url.path, response.status_code, response.json()))


def schema_for(method: str, path: str, status: int) -> str:
    if status >= 400:
        return "ErrorResponse"
    if path == "/openai/assistants":
        return "ListAssistantsResponse" if method == "GET" else "AssistantObject"
    assert path.startswith("/openai/assistants/"), path
    return "DeleteAssistantResponse" if method == "DELETE" else "AssistantObject"


@pytest.fixture
def sdk(
    emulator_azure: EmulatorHandle, openapi: Any
) -> Iterator[tuple[openai.AzureOpenAI, Recorder]]:
    recorder = Recorder()
    http = openai.DefaultHttpxClient(
        verify=False,
        event_hooks={"request": [recorder.on_request], "response": [recorder.on_response]},
    )
    client = emulator_azure.azure_openai_client(http_client=http)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        yield client, recorder
    client.close()
    assert recorder.seen, "the test made no request"
    for method, path, status, body in recorder.seen:
        name = schema_for(method, path, status)
        if status >= 400 and set(body["error"]) == {"code", "message"}:
            continue  # Azure's gateway envelope (401, api-version), not the API's ErrorResponse
        if name == "ListAssistantsResponse" and not body["data"]:
            assert body["first_id"] is None and body["last_id"] is None
            body = {**body, "first_id": "", "last_id": ""}
        openapi.validate(body, name)
    for request in recorder.requests:
        # Azure's way: the key in api-key, the version in the query, the /openai prefix.
        assert request.headers["api-key"] == emulator_azure.api_key
        assert "authorization" not in request.headers
        assert request.url.params["api-version"] == "2024-05-01-preview"
        assert request.url.path.startswith("/openai/assistants")


def test_crud_and_pagination(
    sdk: tuple[openai.AzureOpenAI, Recorder], emulator_azure: EmulatorHandle
) -> None:
    client, _ = sdk
    created = client.beta.assistants.create(
        model="gpt-4o",
        name="Math Tutor",
        tools=[{"type": "code_interpreter"}],
        tool_resources={"code_interpreter": {"file_ids": ["assistant-file-1"]}},
        metadata={"team": "edu"},
        temperature=0.2,
    )
    assert created.id.startswith("asst_")
    got = client.beta.assistants.retrieve(created.id)
    assert got == created
    updated = client.beta.assistants.update(created.id, name="Tutor", top_p=0.5)
    assert (updated.name, updated.top_p, updated.temperature) == ("Tutor", 0.5, 0.2)
    seeded = [a["id"] for a in emulator_azure.seed_assistants(120)]
    ids = [a.id for a in client.beta.assistants.list(limit=100, order="asc")]
    assert ids == [created.id, *seeded]
    assert len(emulator_azure.requests("list")) == 2
    deleted = client.beta.assistants.delete(created.id)
    assert deleted.deleted is True


def test_errors_map_to_the_sdk_exceptions(sdk: tuple[openai.AzureOpenAI, Recorder]) -> None:
    client, _ = sdk
    with pytest.raises(openai.BadRequestError) as bad:
        client.beta.assistants.create(model="gpt-4o", temperature=3)
    assert bad.value.param == "temperature" and bad.value.code == "decimal_above_max_value"
    with pytest.raises(openai.NotFoundError) as missing:
        client.beta.assistants.retrieve("asst_nope")
    assert "asst_nope" in missing.value.message


def test_wrong_key_is_azures_401(
    sdk: tuple[openai.AzureOpenAI, Recorder], emulator_azure: EmulatorHandle
) -> None:
    client, _ = sdk
    emulator_azure.app.api_keys = frozenset({"the-right-key"})
    try:
        with pytest.raises(openai.AuthenticationError) as info:
            client.beta.assistants.list()
    finally:
        emulator_azure.app.api_keys = None
    assert info.value.status_code == 401 and info.value.code == "401"
    assert "Access denied" in info.value.message


def test_unsupported_api_version_is_a_400(emulator_azure: EmulatorHandle) -> None:
    client = emulator_azure.azure_openai_client(api_version="2024-02-15-preview")
    with client, pytest.raises(openai.BadRequestError) as info:
        client.beta.assistants.list()
    assert info.value.code == "BadRequest"
    assert info.value.message.endswith("API version not supported")
