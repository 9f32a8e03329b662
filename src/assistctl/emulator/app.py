"""The emulated Assistants API as a pure request handler: bytes in, status/headers/bytes out.

:class:`EmulatorApp` knows nothing about sockets. :mod:`assistctl.emulator.server` serves it
over HTTP and :mod:`assistctl.emulator.transport` plugs it into httpx in-process, so both paths
behave identically.

Operations (``openai`` and ``openai-v1`` flavors under ``/v1``, ``aimlapi`` at the root,
``azure`` under ``/openai``): ``POST /assistants``, ``GET /assistants``,
``GET|POST|DELETE /assistants/{id}``; plus the admin endpoints of
:mod:`assistctl.emulator.admin` under ``/_admin/`` (no auth, no faults, not logged).

Order of checks for an API request: query (azure: ``api-version``) → auth (401) → route (404
unknown path, 405 known path and wrong method) → ``OpenAI-Beta`` header (openai flavors,
400) → injected faults → JSON body (415 non-JSON ``Content-Type``, 400 unparseable) →
validation (400, see :mod:`assistctl.emulator.validation`) → lookup (404 unknown id).

What the server fills in and returns (the client's normalization relies on this):

- Every ``AssistantObject`` field is present: ``id`` (``asst_`` + 24 letters/digits),
  ``object: "assistant"``, ``created_at`` (whole seconds), ``name``/``description``/
  ``instructions`` (``null`` when not given), ``model``, ``tools`` (``[]``), ``top_p`` and
  ``temperature`` (``1.0``), ``tool_resources`` (``{}``), ``metadata`` (``{}``),
  ``response_format`` (``"auto"``). Numbers come back as floats: ``temperature: 1`` is
  returned as ``1.0``.
- ``null`` sent for ``temperature``/``top_p``/``response_format`` means the default (``1.0``/
  ``"auto"``); ``null`` for ``metadata`` or ``tool_resources`` means ``{}``; ``null`` for
  ``name``/``description``/``instructions`` stores ``null``.
- ``reasoning_effort`` is accepted (create and modify) and validated but not returned, like the
  spec's ``AssistantObject`` which has no such property. It is kept (visible through
  ``GET /_admin/assistants``).
- Tools, as real OpenAI returns them:

  - ``code_interpreter``: ``{"type": "code_interpreter"}``.
  - ``file_search``: ``{"type": "file_search", "file_search": {"ranking_options":
    {"ranker": "default_2024_08_21", "score_threshold": 0.0}}}`` when no options were sent;
    ``max_num_results`` is returned only when sent. *Unsure:* a ``ranker`` of ``"auto"`` (or
    none) is returned as ``"default_2024_08_21"``, the ranker ``auto`` resolves to, on the
    strict side: a client must treat the two as equal. ``score_threshold`` is a float.
  - ``function``: ``{"type": "function", "function": {"name", "description"?, "parameters"?,
    "strict": false}}``: ``strict`` is filled with ``false`` when omitted or ``null``;
    ``description`` and ``parameters`` are returned exactly as sent and absent when not sent
    (*unsure* whether OpenAI fills an empty ``parameters``; the spec says omitting it means an
    empty parameter list).
- ``tool_resources``: with ``code_interpreter`` enabled it contains
  ``"code_interpreter": {"file_ids": [...]}`` (``[]`` when none were given); with
  ``file_search`` enabled ``"file_search": {"vector_store_ids": [...]}`` (``[]`` when none; the
  spec's modify example shows exactly this). Entries for tools that are not enabled are kept as
  sent, and an entry stays when its tool is removed later (*unsure*; normalization should
  treat empty entries as absent). The create-only ``vector_stores`` helper is answered with a
  made-up ``vs_...`` id in ``vector_store_ids`` (the emulator has no vector stores).
- Modify is partial: only the fields sent change. ``metadata`` and ``tools`` sent replace the old
  value whole. ``tool_resources`` sent replaces the entries it names (``code_interpreter``,
  ``file_search``) and keeps the others, following the spec's "Overrides the list of ..."
  wording (*unsure*; strict side: a client that wants an entry gone sends it empty).
- ``DELETE`` answers ``{"id", "object": "assistant.deleted", "deleted": true}``.
- List: ``{"object": "list", "data", "first_id", "last_id", "has_more"}``; on an empty page
  ``first_id``/``last_id`` are ``null``, as the real server answers (the spec types them as
  strings). Objects created in the same second are ordered by creation order, exactly.
  ``after``/``before`` may name a deleted assistant (its place is remembered); a cursor that
  never named an assistant is a 400 (*unsure* what OpenAI does).
- 405 is answered for a known path with a wrong method (with an ``Allow`` header). *Unsure:*
  OpenAI may answer 404 ``Invalid URL`` instead.
- 415 for a body whose ``Content-Type`` is present and not JSON (``application/json`` or
  ``*/*+json``); a body without ``Content-Type`` is parsed as JSON. An empty body is ``{}``.
  JSON with ``NaN``/``Infinity`` is not JSON.

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
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import unquote

from assistctl.emulator import validation as v
from assistctl.emulator.admin import handle_admin
from assistctl.emulator.faults import Faults
from assistctl.emulator.store import CursorNotFound, JsonObject, Record, Store, new_id
from assistctl.emulator.validation import RequestError
from assistctl.emulator.wire import (
    INVALID_JSON_MESSAGE,
    Response,
    json_response,
    lower_headers,
    parse_json_body,
    parse_query,
)


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

MISSING_KEY_MESSAGE = (
    "You didn't provide an API key. You need to provide your API key in an Authorization "
    "header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field "
    "(with blank username) if you're accessing the API from your browser and are prompted for "
    "a username and password. You can obtain an API key from "
    "https://platform.openai.com/account/api-keys."
)
MISSING_BETA_MESSAGE = (
    "You must provide the 'OpenAI-Beta' header to access the Assistants API. Please try again "
    "by setting the header 'OpenAI-Beta: assistants=v2'."
)
MISSING_BETA_MESSAGE_V1 = MISSING_BETA_MESSAGE.replace("assistants=v2", "assistants=v1")
DEFAULT_RANKING = {"ranker": "default_2024_08_21", "score_threshold": 0.0}

# ---- building and changing objects -------------------------------------------------------------


def _normalize_tool_v1(tool: JsonObject) -> JsonObject:
    if tool["type"] != "function":
        return {"type": tool["type"]}
    fn = dict(tool["function"])
    # v1 functions have no ``strict``; description and parameters come back as sent.
    function: JsonObject = {"name": fn["name"]}
    for key in ("description", "parameters"):
        if key in fn:
            function[key] = fn[key]
    return {"type": "function", "function": function}


def _normalize_tool(tool: JsonObject) -> JsonObject:
    kind = tool["type"]
    if kind == "code_interpreter":
        return {"type": "code_interpreter"}
    if kind == "file_search":
        options = dict(tool.get("file_search") or {})
        ranking = dict(options.get("ranking_options") or DEFAULT_RANKING)
        if ranking.get("ranker", "auto") == "auto":
            ranking["ranker"] = DEFAULT_RANKING["ranker"]
        ranking["score_threshold"] = float(ranking["score_threshold"])
        out: JsonObject = {
            "ranking_options": {
                "ranker": ranking["ranker"],
                "score_threshold": ranking["score_threshold"],
            }
        }
        if "max_num_results" in options:
            out["max_num_results"] = options["max_num_results"]
        return {"type": "file_search", "file_search": out}
    fn = dict(tool["function"])
    function: JsonObject = {"name": fn["name"]}
    if "description" in fn:
        function["description"] = fn["description"]
    if "parameters" in fn:
        function["parameters"] = fn["parameters"]
    function["strict"] = bool(fn.get("strict") or False)
    return {"type": "function", "function": function}


def _normalize_resource(kind: str, value: JsonObject) -> JsonObject:
    if kind == "code_interpreter":
        return {"file_ids": list(value.get("file_ids", []))}
    ids = list(value.get("vector_store_ids", []))
    # The create-only helper makes a vector store; the emulator only makes up its id.
    ids += [new_id("vs_") for _ in value.get("vector_stores", [])]
    return {"vector_store_ids": ids}


def _fill_tool_resources(obj: JsonObject) -> None:
    resources: JsonObject = obj["tool_resources"]
    enabled = {t["type"] for t in obj["tools"]}
    if "code_interpreter" in enabled:
        resources.setdefault("code_interpreter", {"file_ids": []})
    if "file_search" in enabled:
        resources.setdefault("file_search", {"vector_store_ids": []})
    obj["tool_resources"] = {
        k: resources[k] for k in ("code_interpreter", "file_search") if k in resources
    }


def apply_fields_v1(obj: JsonObject, body: Mapping[str, Any]) -> None:
    """Apply a validated v1 create/modify body to a v1 assistant object."""
    for key in ("model", "name", "description", "instructions"):
        if key in body:
            obj[key] = body[key]
    if "tools" in body:
        obj["tools"] = [_normalize_tool_v1(t) for t in body["tools"]]
    if "file_ids" in body:
        obj["file_ids"] = list(body["file_ids"])
    if "metadata" in body:
        obj["metadata"] = dict(body["metadata"] or {})


def apply_fields(obj: JsonObject, extra: JsonObject, body: Mapping[str, Any]) -> None:
    """Apply a validated create/modify body to ``obj`` (returned fields) and ``extra``."""
    for key in ("model", "name", "description", "instructions"):
        if key in body:
            obj[key] = body[key]
    if "reasoning_effort" in body:
        if body["reasoning_effort"] is None:
            extra.pop("reasoning_effort", None)
        else:
            extra["reasoning_effort"] = body["reasoning_effort"]
    if "tools" in body:
        obj["tools"] = [_normalize_tool(t) for t in body["tools"]]
    if "tool_resources" in body:
        sent = body["tool_resources"]
        if sent is None:
            obj["tool_resources"] = {}
        else:
            merged = dict(obj["tool_resources"])
            for kind, value in sent.items():
                merged[kind] = _normalize_resource(kind, value)
            obj["tool_resources"] = merged
    if "metadata" in body:
        obj["metadata"] = dict(body["metadata"] or {})
    for key in ("temperature", "top_p"):
        if key in body:
            obj[key] = 1.0 if body[key] is None else float(body[key])
    if "response_format" in body:
        obj["response_format"] = (
            "auto" if body["response_format"] is None else body["response_format"]
        )
    _fill_tool_resources(obj)


def new_assistant(assistant_id: str, created_at: int, model: str) -> JsonObject:
    """An AssistantObject with every field at the server's default (key order as OpenAI's)."""
    return {
        "id": assistant_id,
        "object": "assistant",
        "created_at": created_at,
        "name": None,
        "description": None,
        "model": model,
        "instructions": None,
        "tools": [],
        "top_p": 1.0,
        "temperature": 1.0,
        "tool_resources": {},
        "metadata": {},
        "response_format": "auto",
    }


def new_assistant_v1(assistant_id: str, created_at: int, model: str) -> JsonObject:
    """A v1 AssistantObject at the server's defaults (fields and order as v1 documented)."""
    return {
        "id": assistant_id,
        "object": "assistant",
        "created_at": created_at,
        "name": None,
        "description": None,
        "model": model,
        "instructions": None,
        "tools": [],
        "file_ids": [],
        "metadata": {},
    }


# ---- the app -----------------------------------------------------------------------------------


def _mask_key(key: str) -> str:
    return f"{key[:3]}***{key[-4:]}" if len(key) > 8 else "***"


@dataclass
class _Route:
    operation: str  # create | list | retrieve | modify | delete
    assistant_id: str | None = None


class EmulatorApp:
    """The emulated API. Thread-safe: the store and faults lock; the rest is per request.

    ``require_auth=False`` accepts requests without ``Authorization`` (provider ``local``);
    ``api_keys``, when given, is the set of keys accepted (others get 401
    ``invalid_api_key``); otherwise any non-empty Bearer token is accepted.
    """

    def __init__(
        self,
        flavor: str | Flavor = "openai",
        *,
        store: Store | None = None,
        faults: Faults | None = None,
        require_auth: bool = True,
        api_keys: Iterable[str] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        request_log_size: int = 100_000,
    ) -> None:
        if isinstance(flavor, str):
            if flavor not in FLAVORS:
                raise ValueError(f"unknown emulator flavor {flavor!r}; known: {', '.join(FLAVORS)}")
            flavor = FLAVORS[flavor]
        self.flavor = flavor
        self.store = store if store is not None else Store()
        self.faults = faults if faults is not None else Faults()
        self.require_auth = require_auth
        self.api_keys = frozenset(api_keys) if api_keys is not None else None
        self._sleep = sleep
        self._log_lock = threading.Lock()
        self._log: deque[JsonObject] = deque(maxlen=request_log_size)
        self._log_seq = 0
        self._in_flight = 0

    # ---- public helpers (admin endpoints and tests use these) ------------------------------

    @property
    def base_path(self) -> str:
        """Where the API lives on this app: ``/v1`` or ``""``."""
        return self.flavor.path_prefix

    @property
    def in_flight(self) -> int:
        """API requests received and not yet answered (a test waits for 0 to know that
        nothing a killed client sent can still change the store)."""
        with self._log_lock:
            return self._in_flight

    def requests(self) -> list[JsonObject]:
        """The request log: one entry per API request (admin requests are not logged)."""
        with self._log_lock:
            return [dict(e) for e in self._log]

    def clear_requests(self) -> None:
        with self._log_lock:
            self._log.clear()

    def reset(self) -> None:
        """Empty store, no faults, empty request log."""
        self.store.reset()
        self.faults.reset()
        self.clear_requests()

    def create_assistant(self, body: Any) -> Record:
        """Validate and create (no faults, not logged). Raises RequestError if invalid."""
        v1 = self.flavor.dialect == "v1"
        checked = v.validate_create(body, self.flavor.dialect)
        extra: JsonObject = {}

        def build(assistant_id: str, created_at: int) -> JsonObject:
            if v1:
                obj = new_assistant_v1(assistant_id, created_at, checked["model"])
                apply_fields_v1(obj, checked)
            else:
                obj = new_assistant(assistant_id, created_at, checked["model"])
                apply_fields(obj, extra, checked)
            return obj

        return self.store.create(build, extra)

    def modify_assistant(self, assistant_id: str, body: Any) -> Record | None:
        """Validate and modify (no faults, not logged); ``None`` for an unknown id."""
        checked = v.validate_modify(body, self.flavor.dialect)
        if self.flavor.dialect == "v1":
            return self.store.update(assistant_id, lambda rec: apply_fields_v1(rec.obj, checked))
        return self.store.update(
            assistant_id, lambda rec: apply_fields(rec.obj, rec.extra, checked)
        )

    # ---- request handling ------------------------------------------------------------------

    def handle(
        self,
        method: str,
        path: str,
        query: str | Mapping[str, str],
        headers: Mapping[str, str] | Iterable[tuple[str, str]],
        body: bytes,
    ) -> Response:
        """Answer one HTTP request. Never raises for anything a client can send."""
        method = method.upper()
        hdrs = lower_headers(headers)
        params = parse_query(query)
        if path == "/_admin" or path.startswith("/_admin/"):
            return handle_admin(self, method, path, params, hdrs, body)
        with self._log_lock:
            self._in_flight += 1  # until _record(), which every API request ends with
        request_id = "req_" + secrets.token_hex(16)
        ctx = ErrorContext(method, path, request_id)
        entry: JsonObject = {
            "method": method,
            "path": path,
            "query": params,
            "operation": None,
            "assistant_id": None,
            "status": None,
            "fault": None,
            "openai_beta": hdrs.get("openai-beta"),
            "request_id": request_id,
            "time": time.time(),
        }
        try:
            response = self._handle_api(method, path, params, hdrs, body, ctx, entry)
        except RequestError as err:
            response = self._error_response(err, ctx)
        except Exception as err:  # a bug of ours: answer like a server would, keep serving
            entry["error"] = f"{type(err).__name__}: {err}"
            response = self._error_response(
                RequestError(
                    500,
                    "The server had an error while processing your request.",
                    type="server_error",
                ),
                ctx,
            )
        entry["status"] = response.status
        if response.action != "respond" and entry["fault"] is None:
            entry["fault"] = "dropped_response"
        self._record(entry)
        return response

    def _record(self, entry: JsonObject) -> None:
        with self._log_lock:
            self._in_flight -= 1
            self._log_seq += 1
            entry["seq"] = self._log_seq
            self._log.append(entry)

    def _common_headers(self, ctx: ErrorContext) -> list[tuple[str, str]]:
        return [("x-request-id", ctx.request_id), *self.flavor.extra_headers]

    def protocol_error(self, status: int, message: str) -> Response:
        """An HTTP-level refusal (malformed request line, oversized headers or body) in this
        flavor's error envelope; such requests never reach :meth:`handle`."""
        ctx = ErrorContext("", "", "req_" + secrets.token_hex(16))
        return self._error_response(
            RequestError(status, message, type="invalid_request_error"), ctx
        )

    def _error_response(self, err: RequestError, ctx: ErrorContext) -> Response:
        headers = self._common_headers(ctx) + list(err.headers.items())
        return json_response(err.status, self.flavor.error_body(err, ctx), headers)

    def _ok(self, payload: Any, ctx: ErrorContext) -> Response:
        return json_response(200, payload, self._common_headers(ctx))

    def _check_auth(self, hdrs: Mapping[str, str]) -> None:
        gateway = self.flavor.auth_failure_message
        if self.flavor.auth_header == "authorization":
            auth = hdrs.get("authorization", "").strip()
            scheme, _, token = auth.partition(" ")
            token = token.strip() if scheme.lower() == "bearer" else ""
        else:
            token = hdrs.get(self.flavor.auth_header, "").strip()
        if not token:
            if not self.require_auth:
                return
            if gateway is not None:
                raise GatewayError(401, gateway, type="", code="401")
            raise RequestError(401, MISSING_KEY_MESSAGE)
        if self.api_keys is not None and token not in self.api_keys and gateway is not None:
            raise GatewayError(401, gateway, type="", code="401")
        if self.api_keys is not None and token not in self.api_keys:
            raise RequestError(
                401,
                f"Incorrect API key provided: {_mask_key(token)}. You can find your API key at "
                "https://platform.openai.com/account/api-keys.",
                code="invalid_api_key",
            )

    def _route(self, method: str, path: str) -> _Route:
        prefix = self.flavor.path_prefix + "/assistants"
        if self.flavor.unknown_path is not None:
            unknown = self.flavor.unknown_path(method, path)
        else:
            unknown = RequestError(
                404, self.flavor.unknown_path_message.format(method=method, path=path)
            )
        if path == prefix:
            allowed = {"GET": "list", "POST": "create"}
            ident = None
        elif path.startswith(prefix + "/"):
            ident = unquote(path[len(prefix) + 1 :])
            if not ident or "/" in ident:
                raise unknown
            allowed = {"GET": "retrieve", "POST": "modify", "DELETE": "delete"}
        else:
            raise unknown
        if method not in allowed:
            allow = ", ".join(allowed)
            raise RequestError(
                405,
                f"Method {method} is not allowed on {path}; allowed: {allow}.",
                code="method_not_allowed",
                headers={"allow": allow},
            )
        return _Route(allowed[method], ident)

    def _check_beta(self, hdrs: Mapping[str, str]) -> None:
        versions = self.flavor.beta_versions
        if versions is None:
            return
        missing = MISSING_BETA_MESSAGE_V1 if versions == ("v1",) else MISSING_BETA_MESSAGE
        raw = hdrs.get("openai-beta")
        if raw is None:
            raise RequestError(400, missing)
        sent = [
            item.strip().partition("=")[2].strip()
            for item in raw.split(",")
            if item.strip().startswith("assistants=")
        ]
        if not sent:
            raise RequestError(400, missing)
        if not any(s in versions for s in sent):
            wanted = " or ".join(f"'OpenAI-Beta: assistants={s}'" for s in versions)
            raise RequestError(
                400,
                f"Invalid 'OpenAI-Beta' header: assistants={sent[0]} is not supported here. "
                f"Please try again by setting the header {wanted}.",
                param="OpenAI-Beta",
                code="invalid_beta",
            )

    def _handle_api(
        self,
        method: str,
        path: str,
        params: Mapping[str, str],
        hdrs: Mapping[str, str],
        body: bytes,
        ctx: ErrorContext,
        entry: JsonObject,
    ) -> Response:
        latency = self.faults.latency_seconds()
        if latency > 0:
            self._sleep(latency)
        if self.flavor.check_query is not None:
            self.flavor.check_query(params)
        self._check_auth(hdrs)
        route = self._route(method, path)
        entry["operation"], entry["assistant_id"] = route.operation, route.assistant_id
        self._check_beta(hdrs)
        injected = self.faults.injected_error(route.operation)
        if injected is not None:
            entry["fault"] = (
                "rate_limited" if injected.status == 429 else f"status_{injected.status}"
            )
            raise injected
        response = self._dispatch(route, params, hdrs, body, ctx, entry)
        if response.status == 200 and self.faults.take_drop(route.operation):
            entry["fault"] = "dropped_response"
            return Response(response.status, response.headers, response.body, "drop")
        return response

    def _dispatch(
        self,
        route: _Route,
        params: Mapping[str, str],
        hdrs: Mapping[str, str],
        body: bytes,
        ctx: ErrorContext,
        entry: JsonObject,
    ) -> Response:
        op = route.operation
        if op == "list":
            query = v.validate_list_query(params)
            try:
                page = self.store.page(
                    order=query.order, limit=query.limit, after=query.after, before=query.before
                )
            except CursorNotFound as err:
                raise v.invalid(
                    f"Invalid '{err.param}': no assistant found with id '{err.cursor}'.",
                    err.param,
                    "invalid_value",
                ) from None
            data = [r.obj for r in page.records]
            return self._ok(
                {
                    "object": "list",
                    "data": data,
                    "first_id": data[0]["id"] if data else None,
                    "last_id": data[-1]["id"] if data else None,
                    "has_more": page.has_more,
                },
                ctx,
            )
        if op == "create":
            rec = self.create_assistant(parse_json_body(hdrs, body))
            entry["assistant_id"] = rec.id
            fault = self.faults.take_create_fault()
            if fault == "lost":
                entry["fault"] = "lost_create"
                ok = self._ok(rec.obj, ctx)
                return Response(ok.status, ok.headers, ok.body, "close")
            if fault == "failed":
                entry["fault"] = "failed_create"
                raise self.faults.error_for(500)
            return self._ok(rec.obj, ctx)
        assert route.assistant_id is not None
        not_found = RequestError(404, f"No assistant found with id '{route.assistant_id}'.")
        if op == "retrieve":
            found = self.store.get(route.assistant_id)
            if found is None:
                raise not_found
            return self._ok(found.obj, ctx)
        if op == "modify":
            changed = self.modify_assistant(route.assistant_id, parse_json_body(hdrs, body))
            if changed is None:
                raise not_found
            return self._ok(changed.obj, ctx)
        if not self.store.delete(route.assistant_id):
            raise not_found
        return self._ok(
            {"id": route.assistant_id, "object": "assistant.deleted", "deleted": True}, ctx
        )


__all__ = [
    "FLAVORS",
    "INVALID_JSON_MESSAGE",
    "EmulatorApp",
    "ErrorContext",
    "Flavor",
    "GatewayError",
    "Response",
    "apply_fields",
    "apply_fields_v1",
    "new_assistant",
    "new_assistant_v1",
    "parse_json_body",
]
