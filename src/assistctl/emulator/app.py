"""The emulated Assistants API as a pure request handler: bytes in, status/headers/bytes out.

:class:`EmulatorApp` knows nothing about sockets. :mod:`assistctl.emulator.server` serves it
over HTTP and :mod:`assistctl.emulator.transport` plugs it into httpx in-process, so both paths
behave identically.

Operations (``openai`` and ``openai-v1`` flavors under ``/v1``, ``aimlapi`` at the root,
``azure`` under ``/openai``): ``POST /assistants``, ``GET /assistants``,
``GET|POST|DELETE /assistants/{id}``; ``GET /models``, ``GET /files[/{id}]`` and
``GET /vector_stores[/{id}]`` once seeded (:mod:`assistctl.emulator.catalog`); plus the admin
endpoints of :mod:`assistctl.emulator.admin` under ``/_admin/`` (no auth, no faults, not
logged).

Order of checks for an API request: query (azure: ``api-version``) → auth (401) → route (404
unknown path, 405 known path and wrong method) → ``OpenAI-Beta`` header (openai flavors,
400) → injected faults → JSON body (415 non-JSON ``Content-Type``, 400 unparseable) →
validation (400, see :mod:`assistctl.emulator.validation`) → lookup (404 unknown id).

What the handler answers beyond the objects themselves (those are built in
:mod:`assistctl.emulator.objects`; flavors are in :mod:`assistctl.emulator.flavors`):

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
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from assistctl.emulator import catalog
from assistctl.emulator import validation as v
from assistctl.emulator.admin import handle_admin
from assistctl.emulator.catalog import Catalog
from assistctl.emulator.faults import Faults
from assistctl.emulator.flavors import FLAVORS, ErrorContext, Flavor, GatewayError
from assistctl.emulator.objects import (
    apply_fields,
    apply_fields_v1,
    new_assistant,
    new_assistant_v1,
)
from assistctl.emulator.store import CursorNotFound, JsonObject, Record, Store
from assistctl.emulator.validation import RequestError
from assistctl.emulator.wire import (
    Response,
    json_response,
    lower_headers,
    parse_json_body,
    parse_query,
)

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
        self.catalog = Catalog()
        """Models, files and vector stores, served once seeded (:mod:`.catalog`)."""
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
        self.catalog.reset()
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

        tied = self.faults.tied_created_at(self.store.newest_created_at)
        return self.store.create(build, extra, created_at=tied)

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
        listed = catalog.route(path, self.flavor.path_prefix)
        if listed is not None and self.catalog.served(listed.kind):
            # Models, files and vector stores: no beta header needed (as OpenAI's).
            entry["operation"] = operation = listed.operation
            catalog.check_method(method, path)
            self._inject(operation, entry)
            response = self._ok(self.catalog.answer(listed, params), ctx)
        else:
            route = self._route(method, path)
            operation = route.operation
            entry["operation"], entry["assistant_id"] = operation, route.assistant_id
            self._check_beta(hdrs)
            self._inject(operation, entry)
            response = self._dispatch(route, params, hdrs, body, ctx, entry)
        if response.status == 200 and self.faults.take_drop(operation):
            entry["fault"] = "dropped_response"
            return Response(response.status, response.headers, response.body, "drop")
        return response

    def _inject(self, operation: str, entry: JsonObject) -> None:
        injected = self.faults.injected_error(operation)
        if injected is not None:
            entry["fault"] = (
                "rate_limited" if injected.status == 429 else f"status_{injected.status}"
            )
            raise injected

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
                    limit=query.limit,
                    after=query.after,
                    before=query.before,
                    **self.faults.list_order(query.order),
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
