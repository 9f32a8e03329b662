"""Admin endpoints under ``/_admin/`` (same paths for every flavor): tests and benchmarks drive
the emulator through these. No auth, no faults, never written to the request log.

- ``GET /_admin/health``: ``{"ok": true, "flavor", "assistants": N, "in_flight": M}``, M the
  API requests being handled (0: nothing sent so far can still change the store).
- ``GET /_admin/faults``: the fault settings; ``POST /_admin/faults`` with a JSON object
  changes the fields it names (see :mod:`assistctl.emulator.faults`); ``DELETE`` clears all.
- ``GET /_admin/requests``: ``{"data": [...]}``, the request log (method, path, query,
  operation, assistant_id, status, fault, openai_beta, request_id, time, seq), oldest first;
  ``DELETE`` clears it.
- ``POST /_admin/reset``: empty store, no faults, empty log.
- ``GET /_admin/assistants``: every stored assistant, oldest first, with the fields the API
  accepts but does not return: ``{"data": [{"assistant": {...}, "extra": {...}}]}``.
- ``POST /_admin/assistants[?count=N]``: create N assistants (default 1) from one create body,
  out of band; answers ``{"data": [AssistantObject, ...]}``.
- ``POST /_admin/assistants/{id}``: modify out of band (a drift test's "someone changed it by
  hand"); the body is validated like a modify request. ``DELETE`` deletes out of band.
- ``POST /_admin/models``, ``/_admin/files``, ``/_admin/vector_stores`` with
  ``{"data": [id or partial object, ...]}``: add them (completed with the spec's required
  fields) and serve that kind's ``GET`` endpoints from now on; ``DELETE`` stops serving it
  (404, as a host without those endpoints). See :mod:`assistctl.emulator.catalog`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from assistctl.emulator.catalog import KINDS, Catalog
from assistctl.emulator.faults import Faults
from assistctl.emulator.flavors import Flavor
from assistctl.emulator.store import JsonObject, Record, Store
from assistctl.emulator.validation import RequestError
from assistctl.emulator.wire import Response, json_response, parse_json_body

MAX_SEED_COUNT = 100_000


class Emulator(Protocol):
    """What the admin endpoints read and drive: :class:`~assistctl.emulator.app.EmulatorApp`
    (which routes ``/_admin/`` here, so this module cannot import it)."""

    flavor: Flavor
    store: Store
    faults: Faults
    catalog: Catalog

    @property
    def in_flight(self) -> int: ...
    def requests(self) -> list[JsonObject]: ...
    def clear_requests(self) -> None: ...
    def reset(self) -> None: ...
    def create_assistant(self, body: Any) -> Record: ...
    def modify_assistant(self, assistant_id: str, body: Any) -> Record | None: ...


def _respond(status: int, payload: Any) -> Response:
    return json_response(status, payload)


def _error(err: RequestError) -> Response:
    payload = {
        "error": {"message": err.message, "type": err.type, "param": err.param, "code": err.code}
    }
    return json_response(err.status, payload, list(err.headers.items()))


def handle_admin(
    app: Emulator,
    method: str,
    path: str,
    params: Mapping[str, str],
    hdrs: Mapping[str, str],
    body: bytes,
) -> Response:
    try:
        return _dispatch(app, method, path, params, hdrs, body)
    except RequestError as err:
        return _error(err)
    except Exception as err:  # a bug of ours: say so, keep serving
        return _error(RequestError(500, f"Admin endpoint failed: {type(err).__name__}: {err}."))


def _body_object(hdrs: Mapping[str, str], body: bytes) -> dict[str, Any]:
    data = parse_json_body(hdrs, body)
    if not isinstance(data, dict):
        raise RequestError(400, "The admin request body must be a JSON object.")
    return data


def _not_allowed(method: str, path: str) -> RequestError:
    return RequestError(
        405, f"Method {method} is not allowed on {path}.", code="method_not_allowed"
    )


def _dispatch(
    app: Emulator,
    method: str,
    path: str,
    params: Mapping[str, str],
    hdrs: Mapping[str, str],
    body: bytes,
) -> Response:
    parts = [p for p in path.split("/") if p][1:]  # drop "_admin"
    head = parts[0] if parts else ""
    if head == "health" and len(parts) == 1:
        if method != "GET":
            raise _not_allowed(method, path)
        return _respond(
            200,
            {
                "ok": True,
                "flavor": app.flavor.name,
                "assistants": len(app.store),
                "in_flight": app.in_flight,
            },
        )
    if head == "faults" and len(parts) == 1:
        if method == "GET":
            return _respond(200, app.faults.config.to_json())
        if method == "POST":
            cfg = app.faults.configure(**_body_object(hdrs, body))
            return _respond(200, cfg.to_json())
        if method == "DELETE":
            app.faults.reset()
            return _respond(200, app.faults.config.to_json())
        raise _not_allowed(method, path)
    if head == "requests" and len(parts) == 1:
        if method == "GET":
            return _respond(200, {"object": "list", "data": app.requests()})
        if method == "DELETE":
            app.clear_requests()
            return _respond(200, {"ok": True})
        raise _not_allowed(method, path)
    if head in KINDS and len(parts) == 1:
        return _catalog(app, head, method, path, hdrs, body)
    if head == "reset" and len(parts) == 1:
        if method != "POST":
            raise _not_allowed(method, path)
        app.reset()
        return _respond(200, {"ok": True})
    if head == "assistants" and len(parts) == 1:
        if method == "GET":
            data = [{"assistant": r.obj, "extra": r.extra} for r in app.store.all()]
            return _respond(200, {"object": "list", "data": data})
        if method == "POST":
            count = _count(params)
            template = _body_object(hdrs, body)
            created = [app.create_assistant(template).obj for _ in range(count)]
            return _respond(200, {"object": "list", "data": created})
        raise _not_allowed(method, path)
    if head == "assistants" and len(parts) == 2:
        assistant_id = parts[1]
        if method == "GET":
            rec = app.store.get(assistant_id)
        elif method == "POST":
            rec = app.modify_assistant(assistant_id, _body_object(hdrs, body))
        elif method == "DELETE":
            if not app.store.delete(assistant_id):
                raise RequestError(404, f"No assistant found with id '{assistant_id}'.")
            return _respond(
                200, {"id": assistant_id, "object": "assistant.deleted", "deleted": True}
            )
        else:
            raise _not_allowed(method, path)
        if rec is None:
            raise RequestError(404, f"No assistant found with id '{assistant_id}'.")
        return _respond(200, rec.obj)
    raise RequestError(404, f"Unknown admin endpoint: {method} {path}.")


def _catalog(
    app: Emulator, kind: str, method: str, path: str, hdrs: Mapping[str, str], body: bytes
) -> Response:
    if method == "POST":
        items = _body_object(hdrs, body).get("data")
        if not isinstance(items, list):
            raise RequestError(400, f'Seed {kind} with {{"data": [id or object, ...]}}.')
        return _respond(200, {"object": "list", "data": app.catalog.seed(kind, items)})
    if method == "DELETE":
        app.catalog.clear(kind)
        return _respond(200, {"ok": True})
    raise _not_allowed(method, path)


def _count(params: Mapping[str, str]) -> int:
    raw = params.get("count", "1")
    try:
        count = int(raw)
    except ValueError:
        count = -1
    if not 1 <= count <= MAX_SEED_COUNT:
        raise RequestError(
            400, f"'count' must be an integer between 1 and {MAX_SEED_COUNT}.", param="count"
        )
    return count
