"""The API's own words from an error answer, read by the envelope the provider declares.

``openai`` (OpenAI, Azure, the emulator): ``{"error": {"message", "type", "param", "code"}}``.
``aimlapi`` (AIML API, Laplas): ``{"message", "path", "requestId", "statusCode",
"timestamp"}``, where ``message`` may be a list (NestJS validation errors).

The provider's envelope is tried first and the others after it: a compatible host reached
under the wrong preset still has its message shown. A body no envelope reads (HTML, an
empty body, JSON of another shape) is described by its reason phrase and an excerpt.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from assistctl.api.wire import content_type, excerpt, loads_json


@dataclass(frozen=True, slots=True)
class ParsedError:
    """The API's own words from an error response, whichever envelope it uses."""

    message: str
    code: str | None = None
    param: str | None = None
    request_id: str | None = None


Envelope = Callable[[dict[str, Any], int, str], "ParsedError | None"]
"""Reads a JSON object answered with a status and reason phrase; None when the body is not
in this envelope."""


def _opt_str(value: object) -> str | None:
    if value is None or value == "":
        return None
    return str(value)


def _text_of(value: object) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, list) and value:
        # NestJS-style validation errors (AIML API): a list of messages.
        return "; ".join(str(v) for v in value)
    return None


def _openai(body: dict[str, Any], status: int, reason: str) -> ParsedError | None:
    error = body.get("error")
    if not isinstance(error, dict):
        return None
    return ParsedError(
        _text_of(error.get("message")) or _text_of(error.get("type")) or reason,
        code=_opt_str(error.get("code")) or _opt_str(error.get("type")),
        param=_opt_str(error.get("param")),
    )


def _aimlapi(body: dict[str, Any], status: int, reason: str) -> ParsedError | None:
    # Also the shapes other flat hosts use: {"error": "text"}, {"detail": "text"}.
    flat = (
        _text_of(body.get("message")) or _text_of(body.get("error")) or _text_of(body.get("detail"))
    )
    if flat is None:
        return None
    request_id = _opt_str(body.get("requestId") or body.get("request_id"))
    if request_id:
        flat = f"{flat} (request id {request_id})"
    code = _opt_str(body.get("code")) or (
        _opt_str(body.get("statusCode")) if body.get("statusCode") != status else None
    )
    return ParsedError(flat, code=code, request_id=request_id)


ENVELOPES: Mapping[str, Envelope] = {"openai": _openai, "aimlapi": _aimlapi}
"""Every error envelope a provider may declare (``Provider.error_envelope``)."""


def parse_error_body(response: httpx.Response, envelope: str = "openai") -> ParsedError:
    """The error answer's message, code and parameter, ``envelope`` tried first."""
    reason = response.reason_phrase or "error"
    raw = response.content
    if not raw.strip():
        return ParsedError(f"{reason} (empty response body)")
    try:
        body = loads_json(raw)
    except ValueError:
        return ParsedError(
            f"{reason}; the body is not JSON ({content_type(response)}): {excerpt(response.text)!r}"
        )
    if isinstance(body, dict):
        first = ENVELOPES[envelope]
        for parse in (first, *(p for p in ENVELOPES.values() if p is not first)):
            parsed = parse(body, response.status_code, reason)
            if parsed is not None:
                return parsed
    return ParsedError(f"{reason}: {excerpt(response.text)!r}")
