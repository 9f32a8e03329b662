"""Request validation and protocol errors over HTTP: status, envelope, param and code."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from assistctl.emulator.testing import EmulatorHandle

# One plain-HTTP client for raw requests (no TLS context to build per call).
RAW = httpx.Client(verify=False)


@pytest.fixture
def http(emulator: EmulatorHandle) -> Iterator[httpx.Client]:
    with emulator.http_client() as client:
        yield client


def fn(name: str, **extra: Any) -> dict[str, Any]:
    return {"type": "function", "function": {"name": name, **extra}}


INVALID_CREATES: list[tuple[dict[str, Any], str | None, str | None]] = [
    ({}, "model", "missing_required_parameter"),
    ({"model": 4}, "model", "invalid_type"),
    ({"model": None}, "model", "invalid_type"),
    ({"model": ""}, "model", "empty_string"),
    ({"model": "m", "foo": 1}, "foo", "unknown_parameter"),
    ({"model": "m", "file_ids": []}, "file_ids", "unknown_parameter"),
    ({"model": "m", "name": "x" * 257}, "name", "string_above_max_length"),
    ({"model": "m", "name": 5}, "name", "invalid_type"),
    ({"model": "m", "description": "x" * 513}, "description", "string_above_max_length"),
    ({"model": "m", "instructions": "x" * 256_001}, "instructions", "string_above_max_length"),
    ({"model": "m", "temperature": 2.01}, "temperature", "decimal_above_max_value"),
    ({"model": "m", "temperature": -0.1}, "temperature", "decimal_below_min_value"),
    ({"model": "m", "temperature": True}, "temperature", "invalid_type"),
    ({"model": "m", "temperature": "1"}, "temperature", "invalid_type"),
    ({"model": "m", "top_p": 1.5}, "top_p", "decimal_above_max_value"),
    ({"model": "m", "top_p": -1}, "top_p", "decimal_below_min_value"),
    ({"model": "m", "reasoning_effort": "extreme"}, "reasoning_effort", "invalid_value"),
    ({"model": "m", "response_format": "json"}, "response_format", "invalid_value"),
    ({"model": "m", "response_format": {"type": "yaml"}}, "response_format.type", "invalid_value"),
    (
        {"model": "m", "response_format": {"type": "json_schema"}},
        "response_format.json_schema",
        "missing_required_parameter",
    ),
    (
        {"model": "m", "response_format": {"type": "json_schema", "json_schema": {"name": "a b"}}},
        "response_format.json_schema.name",
        "invalid_value",
    ),
    (
        {"model": "m", "response_format": {"type": "text", "extra": 1}},
        "response_format.extra",
        "unknown_parameter",
    ),
    ({"model": "m", "tools": {}}, "tools", "invalid_type"),
    ({"model": "m", "tools": None}, "tools", "invalid_type"),
    (
        {"model": "m", "tools": [{"type": "code_interpreter"}] * 129},
        "tools",
        "array_above_max_length",
    ),
    ({"model": "m", "tools": [{}]}, "tools[0].type", "missing_required_parameter"),
    ({"model": "m", "tools": [{"type": "retrieval"}]}, "tools[0].type", "invalid_value"),
    ({"model": "m", "tools": [{"type": "browser"}]}, "tools[0].type", "invalid_value"),
    (
        {"model": "m", "tools": [{"type": "function"}]},
        "tools[0].function",
        "missing_required_parameter",
    ),
    ({"model": "m", "tools": [fn("bad name")]}, "tools[0].function.name", "invalid_value"),
    ({"model": "m", "tools": [fn("x" * 65)]}, "tools[0].function.name", "string_above_max_length"),
    ({"model": "m", "tools": [fn("")]}, "tools[0].function.name", "empty_string"),
    ({"model": "m", "tools": [fn("ok", strict="yes")]}, "tools[0].function.strict", "invalid_type"),
    (
        {"model": "m", "tools": [fn("ok", parameters=[])]},
        "tools[0].function.parameters",
        "invalid_type",
    ),
    ({"model": "m", "tools": [fn("ok", bogus=1)]}, "tools[0].function.bogus", "unknown_parameter"),
    (
        {"model": "m", "tools": [{"type": "file_search", "file_search": {"max_num_results": 51}}]},
        "tools[0].file_search.max_num_results",
        "integer_above_max_value",
    ),
    (
        {
            "model": "m",
            "tools": [
                {"type": "file_search", "file_search": {"ranking_options": {"ranker": "auto"}}}
            ],
        },
        "tools[0].file_search.ranking_options.score_threshold",
        "missing_required_parameter",
    ),
    (
        {
            "model": "m",
            "tools": [
                {
                    "type": "file_search",
                    "file_search": {"ranking_options": {"ranker": "best", "score_threshold": 0}},
                }
            ],
        },
        "tools[0].file_search.ranking_options.ranker",
        "invalid_value",
    ),
    (
        {"model": "m", "tool_resources": {"code_interpreter": {"file_ids": ["f"] * 21}}},
        "tool_resources.code_interpreter.file_ids",
        "array_above_max_length",
    ),
    (
        {"model": "m", "tool_resources": {"file_search": {"vector_store_ids": ["a", "b"]}}},
        "tool_resources.file_search.vector_store_ids",
        "array_above_max_length",
    ),
    (
        {"model": "m", "tool_resources": {"file_search": {}}},
        "tool_resources.file_search",
        "invalid_value",
    ),
    (
        {"model": "m", "tool_resources": {"retrieval": {}}},
        "tool_resources.retrieval",
        "unknown_parameter",
    ),
    (
        {
            "model": "m",
            "tool_resources": {
                "file_search": {
                    "vector_stores": [
                        {
                            "chunking_strategy": {
                                "type": "static",
                                "static": {
                                    "max_chunk_size_tokens": 100,
                                    "chunk_overlap_tokens": 60,
                                },
                            }
                        }
                    ]
                }
            },
        },
        "tool_resources.file_search.vector_stores[0].chunking_strategy.static.chunk_overlap_tokens",
        "integer_above_max_value",
    ),
    ({"model": "m", "metadata": []}, "metadata", "invalid_type"),
    (
        {"model": "m", "metadata": {str(i): "v" for i in range(17)}},
        "metadata",
        "object_above_max_properties",
    ),
    ({"model": "m", "metadata": {"k" * 65: "v"}}, "metadata", "string_above_max_length"),
    ({"model": "m", "metadata": {"k": "v" * 513}}, "metadata.k", "string_above_max_length"),
    ({"model": "m", "metadata": {"k": 1}}, "metadata.k", "invalid_type"),
]


@pytest.mark.parametrize(("body", "param", "code"), INVALID_CREATES)
def test_invalid_create(
    http: httpx.Client,
    emulator: EmulatorHandle,
    openapi: Any,
    body: dict[str, Any],
    param: str | None,
    code: str | None,
) -> None:
    response = http.post("/assistants", json=body)
    assert response.status_code == 400, response.text
    payload = response.json()
    openapi.validate(payload, "ErrorResponse")
    error = payload["error"]
    assert (error["param"], error["code"], error["type"]) == (param, code, "invalid_request_error")
    assert error["message"]
    assert len(emulator.store) == 0


VALID_EDGES: list[dict[str, Any]] = [
    {"model": "m", "name": "x" * 256, "description": "d" * 512},
    {"model": "m", "temperature": 0, "top_p": 0},
    {"model": "m", "temperature": 2, "top_p": 1},
    {"model": "m", "metadata": {str(i): "v" * 512 for i in range(16)}},
    {"model": "m", "metadata": {"k" * 64: ""}},
    {"model": "m", "tools": [fn(f"f{i}") for i in range(128)]},
    {"model": "m", "tools": [fn("a-b_C9" + "x" * 58, description="d", strict=None)]},
    {"model": "m", "tool_resources": {"code_interpreter": {"file_ids": ["f"] * 20}}},
    {"model": "m", "tool_resources": None, "metadata": None, "name": None},
    {"model": "m", "reasoning_effort": None},
    {"model": "m", "response_format": None},
    {
        "model": "m",
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": "out", "schema": {"type": "object"}, "strict": True},
        },
    },
    *(
        {"model": "m", "reasoning_effort": e}
        for e in ("none", "minimal", "low", "medium", "high", "xhigh", "max")
    ),
]


@pytest.mark.parametrize("body", VALID_EDGES)
def test_valid_edges(http: httpx.Client, openapi: Any, body: dict[str, Any]) -> None:
    response = http.post("/assistants", json=body)
    assert response.status_code == 200, response.text
    openapi.validate(response.json(), "AssistantObject")


def test_modify_rejects_create_only_and_unknown(
    http: httpx.Client, emulator: EmulatorHandle
) -> None:
    (seeded,) = emulator.seed_assistants(1)
    url = f"/assistants/{seeded['id']}"
    response = http.post(url, json={"tool_resources": {"file_search": {"vector_stores": []}}})
    assert response.json()["error"]["param"] == "tool_resources.file_search.vector_stores"
    response = http.post(url, json={"model": ""})
    assert response.json()["error"]["code"] == "empty_string"
    response = http.post(url, json={"temperature": 9})
    assert response.status_code == 400
    assert emulator.get(seeded["id"]) == seeded  # nothing changed


def test_modify_validation_comes_before_lookup(http: httpx.Client) -> None:
    assert http.post("/assistants/asst_nope", json={"bogus": 1}).status_code == 400
    assert http.post("/assistants/asst_nope", json={"name": "x"}).status_code == 404


@pytest.mark.parametrize(
    ("query", "param", "code"),
    [
        ("limit=0", "limit", "integer_below_min_value"),
        ("limit=101", "limit", "integer_above_max_value"),
        ("limit=ten", "limit", "invalid_type"),
        ("order=sideways", "order", "invalid_value"),
        ("after=asst_never", "after", "invalid_value"),
        ("before=asst_never", "before", "invalid_value"),
    ],
)
def test_invalid_list_query(http: httpx.Client, query: str, param: str, code: str) -> None:
    response = http.get(f"/assistants?{query}")
    assert response.status_code == 400
    assert (response.json()["error"]["param"], response.json()["error"]["code"]) == (param, code)


def test_list_limits_accepted(http: httpx.Client, emulator: EmulatorHandle) -> None:
    emulator.seed_assistants(3)
    assert len(http.get("/assistants?limit=1").json()["data"]) == 1
    assert len(http.get("/assistants?limit=100&after=").json()["data"]) == 3


def test_missing_auth(emulator: EmulatorHandle) -> None:
    response = RAW.get(emulator.base_url + "/assistants", headers={"OpenAI-Beta": "assistants=v2"})
    assert response.status_code == 401
    assert response.json()["error"]["type"] == "invalid_request_error"
    assert "Authorization: Bearer" in response.json()["error"]["message"]
    response = RAW.get(
        emulator.base_url + "/assistants",
        headers={"OpenAI-Beta": "assistants=v2", "Authorization": "Bearer"},
    )
    assert response.status_code == 401


def test_missing_beta_header(emulator: EmulatorHandle) -> None:
    response = RAW.get(emulator.base_url + "/assistants", headers={"Authorization": "Bearer k"})
    assert response.status_code == 400
    assert response.json()["error"]["message"] == (
        "You must provide the 'OpenAI-Beta' header to access the Assistants API. Please try "
        "again by setting the header 'OpenAI-Beta: assistants=v2'."
    )
    response = RAW.get(
        emulator.base_url + "/assistants",
        headers={"Authorization": "Bearer k", "OpenAI-Beta": "assistants=v1"},
    )
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "OpenAI-Beta"
    response = RAW.get(
        emulator.base_url + "/assistants",
        headers={"Authorization": "Bearer k", "OpenAI-Beta": "realtime=v1, assistants=v2"},
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/nothing"),
        ("GET", "/assistants"),
        ("GET", "/v1/assistants/a/b"),
        ("POST", "/v1/assistants/"),
    ],
)
def test_unknown_path(emulator: EmulatorHandle, method: str, path: str) -> None:
    response = RAW.request(method, emulator.root_url + path, headers=emulator.headers)
    assert response.status_code == 404
    assert response.json()["error"]["message"] == f"Invalid URL ({method} {path})"


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PUT", "/v1/assistants", "GET, POST"),
        ("DELETE", "/v1/assistants", "GET, POST"),
        ("PATCH", "/v1/assistants/asst_x", "GET, POST, DELETE"),
    ],
)
def test_method_not_allowed(emulator: EmulatorHandle, method: str, path: str, allow: str) -> None:
    response = RAW.request(method, emulator.root_url + path, headers=emulator.headers)
    assert response.status_code == 405
    assert response.headers["allow"] == allow
    assert "error" in response.json()


def test_non_json_bodies(http: httpx.Client) -> None:
    response = http.post(
        "/assistants",
        content=b"model=gpt-4o",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 415
    response = http.post(
        "/assistants", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert "could not parse the JSON body" in response.json()["error"]["message"]
    response = http.post(
        "/assistants",
        content=b'{"model": "m", "temperature": NaN}',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400
    response = http.post(
        "/assistants", content=b"\xff\xfe", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    response = http.post("/assistants", json=["model"])
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_type"
    # No Content-Type at all: parsed as JSON, like curl -d without a header.
    response = http.post("/assistants", content=b'{"model": "m"}')
    assert response.status_code == 200


def test_request_headers_and_ids(http: httpx.Client) -> None:
    response = http.post("/assistants", json={"model": "m"})
    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-request-id"].startswith("req_")
    assert int(response.headers["content-length"]) == len(response.content)
