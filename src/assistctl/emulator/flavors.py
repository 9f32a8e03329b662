"""How each host family differs, as data: paths, headers, auth, query, dialect, error bodies.

Flavors are data (:class:`Flavor`): path prefix, the ``OpenAI-Beta`` versions required, the
auth header, required query parameters, the dialect and the error-body shape.

- ``openai``: ``/v1``, ``Authorization: Bearer``, ``OpenAI-Beta: assistants=v2`` required,
  ``{"error": {"message", "type", "param", "code"}}``.
- ``openai-v1``: the same host speaking Assistants v1: ``OpenAI-Beta: assistants=v1``
  required (v2 is a 400 ``invalid_beta``), and v1 shapes. The v1 assistant object is
  ``{id, object, created_at, name, description, model, instructions, tools, file_ids,
  metadata}`` in that order: assistant-level ``file_ids`` (at most 20, ``[]`` by default,
  replaced whole on modify), tools ``code_interpreter`` | ``retrieval`` | ``function``
  (function objects come back as sent, without ``strict``: v1 had none), and no
  ``tool_resources``, ``temperature``, ``top_p``, ``response_format`` or
  ``reasoning_effort`` (these were added with v2 in April 2024; sending one is an
  ``unknown_parameter``). ``instructions`` are limited to 32,768 characters as v1
  documented. *Unsure:* whether a late v1 server also accepted the v2-era sampling fields.
- ``aimlapi``: no path prefix, no beta header, flat error body ``{"message", "path",
  "requestId", "statusCode", "timestamp"}``.
- ``azure``: ``/openai``, the key in an ``api-key`` header (``Authorization: Bearer`` is not
  accepted: Entra ID tokens are not emulated), an ``api-version`` query parameter on every
  request (missing: 404 ``{"error": {"code": "404", "message": "Resource not found"}}``, as
  Azure's gateway answers; older than ``2024-05-01-preview``, Assistants v1 era, or not a
  ``YYYY-MM-DD[-preview]`` date: 400 ``{"error": {"code": "BadRequest", "message": "API
  version not supported"}}``), no beta header required (the SDK sends one; it is ignored).
  A missing or wrong key is Azure's 401 ``{"error": {"code": "401", "message": "Access
  denied due to invalid subscription key ..."}}``; an unknown path is the gateway 404. API
  errors (validation, unknown id) use OpenAI's envelope, which Azure's data plane returns
  too. *Unsure:* the order of the gateway checks (api-version before the key here).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from assistctl.emulator.store import JsonObject
from assistctl.emulator.validation import RequestError


@dataclass(frozen=True)
class ErrorContext:
    method: str
    path: str
    request_id: str


def _openai_error_body(err: RequestError, ctx: ErrorContext) -> JsonObject:
    return {
        "error": {"message": err.message, "type": err.type, "param": err.param, "code": err.code}
    }


@dataclass
class GatewayError(RequestError):
    """An error from in front of the API (Azure's gateway): ``{"error": {"code", "message"}}``."""


def _azure_error_body(err: RequestError, ctx: ErrorContext) -> JsonObject:
    if isinstance(err, GatewayError):
        return {"error": {"code": err.code, "message": err.message}}
    return _openai_error_body(err, ctx)


def _aimlapi_error_body(err: RequestError, ctx: ErrorContext) -> JsonObject:
    now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return {
        "message": err.message,
        "path": ctx.path,
        "requestId": ctx.request_id,
        "statusCode": err.status,
        "timestamp": now,
    }


AZURE_ACCESS_DENIED = (
    "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide "
    "a valid key for an active subscription and use a correct regional API endpoint for your "
    "resource."
)
AZURE_MIN_API_VERSION = "2024-05-01"
"""The first Azure OpenAI ``api-version`` serving Assistants v2 (``2024-05-01-preview``)."""
AZURE_DEFAULT_API_VERSION = "2024-05-01-preview"
_AZURE_VERSION_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})(-preview)?$")


def _azure_api_version(params: Mapping[str, str]) -> None:
    """Azure's gateway: no ``api-version`` is a 404, one it does not serve is a 400."""
    version = params.get("api-version")
    if version is None or not version.strip():
        raise GatewayError(404, "Resource not found", type="", code="404")
    match = _AZURE_VERSION_RE.match(version.strip())
    if match is None or match.group(1) < AZURE_MIN_API_VERSION:
        raise GatewayError(400, "API version not supported", type="", code="BadRequest")


def _azure_not_found(method: str, path: str) -> RequestError:
    return GatewayError(404, "Resource not found", type="", code="404")


@dataclass(frozen=True)
class Flavor:
    """How one host family differs. Everything flavor-specific lives here, as data."""

    name: str
    path_prefix: str
    """Prepended to ``/assistants``: ``/v1`` for OpenAI, ``""`` for AIML API, ``/openai``
    for Azure."""
    beta_versions: tuple[str, ...] | None
    """Accepted ``OpenAI-Beta: assistants=VERSION`` values; ``None``: header not required."""
    error_body: Callable[[RequestError, ErrorContext], JsonObject]
    unknown_path_message: str = "Invalid URL ({method} {path})"
    extra_headers: tuple[tuple[str, str], ...] = ()
    dialect: Literal["v1", "v2"] = "v2"
    """The request and object shapes: v2 (tool_resources, ...) or v1 (file_ids, retrieval)."""
    auth_header: str = "authorization"
    """``authorization`` (``Bearer KEY``) or Azure's ``api-key`` (the key itself)."""
    auth_failure_message: str | None = None
    """When set, a missing or wrong key is this gateway error (Azure), not OpenAI's 401s."""
    check_query: Callable[[Mapping[str, str]], None] | None = None
    """Checked before anything else (Azure's required ``api-version``)."""
    unknown_path: Callable[[str, str], RequestError] | None = None
    """The error for an unknown path, when not ``unknown_path_message`` as a 404."""
    query: tuple[tuple[str, str], ...] = ()
    """Query parameters a well-behaved client sends on every request (Azure's api-version)."""


FLAVORS: dict[str, Flavor] = {
    "openai": Flavor(
        name="openai",
        path_prefix="/v1",
        beta_versions=("v2",),
        error_body=_openai_error_body,
        extra_headers=(("openai-version", "2020-10-01"),),
    ),
    "openai-v1": Flavor(
        name="openai-v1",
        path_prefix="/v1",
        beta_versions=("v1",),
        error_body=_openai_error_body,
        extra_headers=(("openai-version", "2020-10-01"),),
        dialect="v1",
    ),
    "aimlapi": Flavor(
        name="aimlapi",
        path_prefix="",
        beta_versions=None,
        error_body=_aimlapi_error_body,
        unknown_path_message="Cannot {method} {path}",
    ),
    "azure": Flavor(
        name="azure",
        path_prefix="/openai",
        beta_versions=None,
        error_body=_azure_error_body,
        auth_header="api-key",
        auth_failure_message=AZURE_ACCESS_DENIED,
        check_query=_azure_api_version,
        unknown_path=_azure_not_found,
        query=(("api-version", AZURE_DEFAULT_API_VERSION),),
    ),
}
