"""The emulator driven by the official ``openai`` SDK; every response body checked against the
schema components of the OpenAPI spec (``AssistantObject``, ``ListAssistantsResponse``,
``DeleteAssistantResponse``, ``ErrorResponse``)."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from typing import Any

import httpx2
import openai
import pytest

from assistctl.emulator.testing import EmulatorHandle

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

_ID_PATH = re.compile(r"^/v1/assistants/[^/]+$")


def schema_for(method: str, path: str, status: int) -> str:
    if status >= 400:
        return "ErrorResponse"
    if path == "/v1/assistants":
        return "ListAssistantsResponse" if method == "GET" else "AssistantObject"
    assert _ID_PATH.match(path), path
    return "DeleteAssistantResponse" if method == "DELETE" else "AssistantObject"


class Recorder:
    """Keeps every response the SDK receives, for schema validation after the test."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str, int, Any]] = []

    def __call__(self, response: httpx2.Response) -> None:
        response.read()
        req = response.request
        self.seen.append((req.method, req.url.path, response.status_code, response.json()))


@pytest.fixture
def sdk(emulator: EmulatorHandle, openapi: Any) -> Iterator[tuple[openai.OpenAI, Recorder]]:
    recorder = Recorder()
    http = openai.DefaultHttpxClient(verify=False, event_hooks={"response": [recorder]})
    client = emulator.openai_client(http_client=http)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        yield client, recorder
    client.close()
    assert recorder.seen, "the test made no request"
    for method, path, status, body in recorder.seen:
        name = schema_for(method, path, status)
        if name == "ListAssistantsResponse" and not body["data"]:
            # The real server answers an empty page with null ids; the spec types them as
            # strings. Check the nulls, validate the rest.
            assert body["first_id"] is None and body["last_id"] is None
            body = {**body, "first_id": "", "last_id": ""}
        openapi.validate(body, name)


DEFAULTS: dict[str, Any] = {
    "object": "assistant",
    "name": None,
    "description": None,
    "instructions": None,
    "tools": [],
    "tool_resources": {},
    "metadata": {},
    "temperature": 1.0,
    "top_p": 1.0,
    "response_format": "auto",
}


def raw(client: openai.OpenAI, assistant_id: str) -> dict[str, Any]:
    """The JSON the server sent for a retrieve (not the SDK's parsed model)."""
    response = client.beta.assistants.with_raw_response.retrieve(assistant_id)
    data: dict[str, Any] = response.http_response.json()
    return data


def test_create_minimal_fills_every_field(sdk: tuple[openai.OpenAI, Recorder]) -> None:
    client, _ = sdk
    created = client.beta.assistants.create(model="gpt-4o")
    assert created.id.startswith("asst_") and len(created.id) == 29
    body = raw(client, created.id)
    assert isinstance(body["created_at"], int)
    assert {k: body[k] for k in DEFAULTS} == DEFAULTS
    assert body["model"] == "gpt-4o"
    assert "reasoning_effort" not in body
    assert set(body) == set(DEFAULTS) | {"id", "created_at", "model"}
    assert isinstance(body["temperature"], float) and isinstance(body["top_p"], float)


def test_create_full_and_server_fill_ins(
    sdk: tuple[openai.OpenAI, Recorder], emulator: EmulatorHandle
) -> None:
    client, _ = sdk
    params: dict[str, object] = {"type": "object", "properties": {"city": {"type": "string"}}}
    created = client.beta.assistants.create(
        model="gpt-4o",
        name="Math Tutor",
        description="Helps with algebra",
        instructions="You are a tutor.",
        tools=[
            {"type": "code_interpreter"},
            {"type": "file_search"},
            {"type": "function", "function": {"name": "get_weather", "parameters": params}},
        ],
        tool_resources={"file_search": {"vector_store_ids": ["vs_abc"]}},
        metadata={"team": "edu"},
        temperature=1,
        top_p=0.5,
        response_format={"type": "json_object"},
        reasoning_effort="low",
    )
    body = raw(client, created.id)
    assert body["tools"] == [
        {"type": "code_interpreter"},
        {
            "type": "file_search",
            "file_search": {
                "ranking_options": {"ranker": "default_2024_08_21", "score_threshold": 0.0}
            },
        },
        {
            "type": "function",
            "function": {"name": "get_weather", "parameters": params, "strict": False},
        },
    ]
    assert body["tool_resources"] == {
        "code_interpreter": {"file_ids": []},
        "file_search": {"vector_store_ids": ["vs_abc"]},
    }
    assert body["temperature"] == 1.0 and isinstance(body["temperature"], float)
    assert body["top_p"] == 0.5
    assert body["response_format"] == {"type": "json_object"}
    assert body["metadata"] == {"team": "edu"}
    assert "reasoning_effort" not in body
    assert emulator.extra(created.id) == {"reasoning_effort": "low"}


def test_file_search_options_kept(sdk: tuple[openai.OpenAI, Recorder]) -> None:
    client, _ = sdk
    created = client.beta.assistants.create(
        model="gpt-4o",
        tools=[
            {
                "type": "file_search",
                "file_search": {
                    "max_num_results": 7,
                    "ranking_options": {"ranker": "auto", "score_threshold": 0.5},
                },
            }
        ],
        tool_resources={"file_search": {"vector_stores": [{"file_ids": ["file-1"]}]}},
    )
    body = raw(client, created.id)
    assert body["tools"][0]["file_search"] == {
        "ranking_options": {"ranker": "default_2024_08_21", "score_threshold": 0.5},
        "max_num_results": 7,
    }
    (vs_id,) = body["tool_resources"]["file_search"]["vector_store_ids"]
    assert vs_id.startswith("vs_")


def test_retrieve_update_delete(
    sdk: tuple[openai.OpenAI, Recorder], emulator: EmulatorHandle
) -> None:
    client, _ = sdk
    created = client.beta.assistants.create(
        model="gpt-4o", name="a", instructions="x", metadata={"k": "v", "z": "1"}
    )
    got = client.beta.assistants.retrieve(created.id)
    assert got == created

    updated = client.beta.assistants.update(created.id, name="b", metadata={"only": "this"})
    assert updated.name == "b"
    assert updated.instructions == "x"
    assert updated.model == "gpt-4o"
    assert updated.metadata == {"only": "this"}
    assert updated.created_at == created.created_at

    client.beta.assistants.update(created.id, reasoning_effort="high", temperature=0.2)
    assert emulator.extra(created.id) == {"reasoning_effort": "high"}
    body = raw(client, created.id)
    assert body["temperature"] == 0.2 and body["name"] == "b"

    deleted = client.beta.assistants.delete(created.id)
    assert (deleted.id, deleted.deleted, deleted.object) == (created.id, True, "assistant.deleted")
    with pytest.raises(openai.NotFoundError) as info:
        client.beta.assistants.retrieve(created.id)
    assert info.value.status_code == 404
    assert created.id in info.value.message


def test_update_with_nulls_resets_to_defaults(sdk: tuple[openai.OpenAI, Recorder]) -> None:
    client, _ = sdk
    created = client.beta.assistants.create(
        model="gpt-4o",
        name="n",
        temperature=0.1,
        top_p=0.2,
        response_format={"type": "text"},
        metadata={"a": "b"},
    )
    client.beta.assistants.update(
        created.id, name=None, temperature=None, top_p=None, response_format=None, metadata=None
    )
    body = raw(client, created.id)
    assert {k: body[k] for k in DEFAULTS} == DEFAULTS


def test_update_tool_resources_overrides_named_entries_only(
    sdk: tuple[openai.OpenAI, Recorder],
) -> None:
    client, _ = sdk
    created = client.beta.assistants.create(
        model="gpt-4o",
        tools=[{"type": "code_interpreter"}, {"type": "file_search"}],
        tool_resources={
            "code_interpreter": {"file_ids": ["file-a"]},
            "file_search": {"vector_store_ids": ["vs_a"]},
        },
    )
    client.beta.assistants.update(
        created.id, tool_resources={"code_interpreter": {"file_ids": ["file-b", "file-c"]}}
    )
    body = raw(client, created.id)
    assert body["tool_resources"] == {
        "code_interpreter": {"file_ids": ["file-b", "file-c"]},
        "file_search": {"vector_store_ids": ["vs_a"]},
    }
    # Enabling code_interpreter on an assistant without resources fills the empty entry.
    plain = client.beta.assistants.create(model="gpt-4o")
    client.beta.assistants.update(plain.id, tools=[{"type": "code_interpreter"}])
    assert raw(client, plain.id)["tool_resources"] == {"code_interpreter": {"file_ids": []}}


def test_empty_update_changes_nothing(sdk: tuple[openai.OpenAI, Recorder]) -> None:
    client, _ = sdk
    created = client.beta.assistants.create(model="gpt-4o", name="same")
    before = raw(client, created.id)
    client.beta.assistants.update(created.id)
    assert raw(client, created.id) == before


@pytest.mark.parametrize("order", ["asc", "desc"])
def test_auto_pagination_over_250(
    sdk: tuple[openai.OpenAI, Recorder], emulator: EmulatorHandle, order: str
) -> None:
    client, _ = sdk
    seeded = [a["id"] for a in emulator.seed_assistants(250)]
    # Seeding takes well under a second: most share one created_at, so order is by sequence.
    expected = seeded if order == "asc" else seeded[::-1]
    ids = [a.id for a in client.beta.assistants.list(limit=100, order=order)]  # type: ignore[arg-type]
    assert ids == expected
    assert len(emulator.requests("list")) == 3


def test_default_page_and_order(
    sdk: tuple[openai.OpenAI, Recorder], emulator: EmulatorHandle
) -> None:
    client, _ = sdk
    seeded = [a["id"] for a in emulator.seed_assistants(25)]
    page = client.beta.assistants.list()
    assert [a.id for a in page.data] == seeded[::-1][:20]
    assert page.has_more is True
    extra = page.model_dump()  # the ids are extra fields of the SDK's page model
    assert extra["first_id"] == seeded[-1] and extra["last_id"] == seeded[5]


def test_before_cursor_pages_backwards(
    sdk: tuple[openai.OpenAI, Recorder], emulator: EmulatorHandle
) -> None:
    client, _ = sdk
    seeded = [a["id"] for a in emulator.seed_assistants(10)]
    page = client.beta.assistants.list(order="asc", before=seeded[7], limit=3)
    assert [a.id for a in page.data] == seeded[4:7]
    assert page.has_more is True
    page = client.beta.assistants.list(order="asc", before=seeded[2], limit=3)
    assert [a.id for a in page.data] == seeded[0:2]
    assert page.has_more is False
    page = client.beta.assistants.list(order="desc", before=seeded[2], limit=3)
    assert [a.id for a in page.data] == [seeded[5], seeded[4], seeded[3]]
    page = client.beta.assistants.list(order="asc", after=seeded[2], before=seeded[6])
    assert [a.id for a in page.data] == seeded[3:6]


def test_empty_list(sdk: tuple[openai.OpenAI, Recorder]) -> None:
    client, _ = sdk
    page = client.beta.assistants.list()
    assert page.data == [] and page.has_more is False


def test_cursor_of_deleted_assistant_still_works(
    sdk: tuple[openai.OpenAI, Recorder], emulator: EmulatorHandle
) -> None:
    client, _ = sdk
    seeded = [a["id"] for a in emulator.seed_assistants(5)]
    client.beta.assistants.delete(seeded[2])
    page = client.beta.assistants.list(order="asc", after=seeded[2])
    assert [a.id for a in page.data] == seeded[3:]


def test_bad_request_error(sdk: tuple[openai.OpenAI, Recorder]) -> None:
    client, _ = sdk
    with pytest.raises(openai.BadRequestError) as info:
        client.beta.assistants.create(model="gpt-4o", temperature=3)
    err = info.value
    assert err.status_code == 400
    assert err.param == "temperature"
    assert err.code == "decimal_above_max_value"
    assert err.type == "invalid_request_error"
    with pytest.raises(openai.BadRequestError) as info:
        client.beta.assistants.create(model="gpt-4o", extra_body={"file_ids": []})
    assert info.value.code == "unknown_parameter" and info.value.param == "file_ids"


def test_authentication_error(sdk: tuple[openai.OpenAI, Recorder]) -> None:
    client, _ = sdk
    with pytest.raises(openai.AuthenticationError) as info:
        client.beta.assistants.list(extra_headers={"Authorization": "Basic Zm9vOmJhcg=="})
    assert info.value.status_code == 401
    assert "API key" in info.value.message


def test_wrong_key_when_keys_are_configured(
    sdk: tuple[openai.OpenAI, Recorder], emulator: EmulatorHandle
) -> None:
    client, _ = sdk
    emulator.app.api_keys = frozenset({"sk-the-right-key"})
    try:
        with pytest.raises(openai.AuthenticationError) as info:
            client.beta.assistants.list()
        assert info.value.code == "invalid_api_key"
        assert emulator.api_key not in info.value.message
    finally:
        emulator.app.api_keys = None


def test_not_found_error(sdk: tuple[openai.OpenAI, Recorder]) -> None:
    client, _ = sdk
    for call in (
        lambda: client.beta.assistants.retrieve("asst_nope"),
        lambda: client.beta.assistants.update("asst_nope", name="x"),
        lambda: client.beta.assistants.delete("asst_nope"),
    ):
        with pytest.raises(openai.NotFoundError) as info:
            call()
        assert info.value.message.endswith("No assistant found with id 'asst_nope'.")
