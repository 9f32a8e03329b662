"""Error bodies read by the envelope the provider declares, the others after it."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from assistctl.api.envelopes import ENVELOPES, ParsedError, parse_error_body
from assistctl.config.providers import PROVIDERS

OPENAI = {"error": {"message": "Bad model", "type": "invalid_request_error", "param": "model"}}
AIMLAPI = {
    "message": "Model gpt-9 is not supported",
    "path": "/assistants",
    "requestId": "req-42",
    "statusCode": 400,
    "timestamp": "2026-01-01T00:00:00.000Z",
}
BOTH = {"error": {"message": "nested words"}, "message": "flat words"}


def answer(status: int, body: Any) -> tuple[int, bytes, dict[str, str]]:
    """Made into a response in the test: a module-level one would outlive it (and
    test_plan_streaming counts the responses alive)."""
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return status, content, {"content-type": "application/json"}


CASES = {
    "openai-as-openai": (
        "openai",
        answer(400, OPENAI),
        ParsedError("Bad model", code="invalid_request_error", param="model"),
    ),
    "aimlapi-as-aimlapi": (
        "aimlapi",
        answer(400, AIMLAPI),
        ParsedError("Model gpt-9 is not supported (request id req-42)", request_id="req-42"),
    ),
    "aimlapi-status-code-differs": (
        "aimlapi",
        answer(500, {"message": "m", "statusCode": 400}),
        ParsedError("m", code="400"),
    ),
    "aimlapi-list-of-messages": (
        "aimlapi",
        answer(422, {"message": ["a", "b"], "statusCode": 422}),
        ParsedError("a; b"),
    ),
    "flat-under-openai-still-read": ("openai", answer(400, AIMLAPI), None),
    "nested-under-aimlapi-still-read": ("aimlapi", answer(400, OPENAI), None),
    "both-shapes-openai-first": ("openai", answer(400, BOTH), ParsedError("nested words")),
    "both-shapes-aimlapi-first": ("aimlapi", answer(400, BOTH), ParsedError("flat words")),
    "error-without-words": (
        "openai",
        answer(500, {"error": {}}),
        ParsedError("Internal Server Error"),
    ),
    "detail": ("openai", answer(400, {"detail": "Not allowed"}), ParsedError("Not allowed")),
    "empty": ("openai", answer(502, b""), ParsedError("Bad Gateway (empty response body)")),
    "html": (
        "aimlapi",
        (503, b"<html><title>Down</title></html>", {}),
        ParsedError("Service Unavailable; the body is not JSON (no content type): 'Down'"),
    ),
    "json-of-another-shape": ("openai", answer(400, [1, 2]), ParsedError("Bad Request: '[1, 2]'")),
}


@pytest.mark.parametrize(("envelope", "raw", "expected"), CASES.values(), ids=CASES)
def test_parse_error_body(
    envelope: str, raw: tuple[int, bytes, dict[str, str]], expected: ParsedError | None
) -> None:
    status, content, headers = raw
    response = httpx.Response(status, content=content, headers=headers)
    parsed = parse_error_body(response, envelope)
    if expected is None:
        # Read by the other envelope: the same words as under the provider that declares it.
        other = next(name for name in ENVELOPES if name != envelope)
        expected = parse_error_body(response, other)
    assert parsed == expected


def test_every_provider_declares_an_envelope_that_is_parsed() -> None:
    declared = {p.error_envelope for p in PROVIDERS.values()}
    assert declared == set(ENVELOPES)
