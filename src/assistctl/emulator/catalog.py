"""The account's models, files and vector stores, as far as ``plan`` reads them.

``GET /models`` (``ListModelsResponse``), ``GET /files`` and ``GET /files/{file_id}``
(``ListFilesResponse``, ``OpenAIFile``), ``GET /vector_stores`` and
``GET /vector_stores/{vector_store_id}`` (``ListVectorStoresResponse``,
``VectorStoreObject``), shaped as OpenAI's spec says (its excerpt is in ``tests/data/openapi/``).
Each kind is served only once seeded (admin ``POST /_admin/models|files|vector_stores``);
until then its paths are unknown (404), like a host without those endpoints, so a plan
against the emulator checks only what a test asked for. Read-only: uploads and edits are not
emulated (*unsure* how OpenAI words their refusal here: 405). Lists answer ``limit`` (files:
1..10,000, vector stores: 1..100), ``order`` and ``after``; an unknown id is a 404 in the
API's words. In memory only (not in ``--state``). Thread-safe.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from assistctl.emulator.store import JsonObject, new_id
from assistctl.emulator.validation import RequestError, invalid

KINDS = ("models", "files", "vector_stores")
_LIMITS = {"files": (10_000, 10_000), "vector_stores": (100, 20)}  # (most, default)
_NAMES = {"files": "File", "vector_stores": "vector store"}


@dataclass(frozen=True)
class CatalogRoute:
    """A request for the catalog: ``kind`` (one of :data:`KINDS`) and an id, or a list."""

    kind: str
    ident: str | None = None

    @property
    def operation(self) -> str:
        return f"{'retrieve' if self.ident else 'list'}_{self.kind}"


class Catalog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kinds: dict[str, dict[str, JsonObject] | None] = dict.fromkeys(KINDS)

    def served(self, kind: str) -> bool:
        with self._lock:
            return self._kinds.get(kind) is not None

    def reset(self) -> None:
        with self._lock:
            self._kinds = dict.fromkeys(KINDS)

    def clear(self, kind: str) -> None:
        """Stop serving ``kind`` (its paths are unknown again)."""
        with self._lock:
            self._kinds[kind] = None

    def seed(self, kind: str, items: Iterable[Any]) -> list[JsonObject]:
        """Add objects of ``kind`` (serving it from now on): ids (a model's name), or partial
        objects completed with the spec's required fields. Returns the objects added."""
        made = [_complete(kind, item) for item in items]
        with self._lock:
            table = self._kinds.get(kind) or {}
            for obj in made:
                table[obj["id"]] = obj
            self._kinds[kind] = table
        return [dict(obj) for obj in made]

    def answer(self, route: CatalogRoute, params: Mapping[str, str]) -> JsonObject:
        """The API's answer to a GET of ``route`` (raises :class:`RequestError` for a 4xx)."""
        with self._lock:
            table = dict(self._kinds.get(route.kind) or {})
        if route.ident is not None:
            found = table.get(route.ident)
            if found is None:
                raise _not_found(route.kind, route.ident)
            return dict(found)
        if route.kind == "models":
            return {"object": "list", "data": list(table.values())}
        return _page(route.kind, list(table.values()), params)


def _complete(kind: str, item: Any) -> JsonObject:
    if isinstance(item, str):
        item = {"id": item}
    if not isinstance(item, Mapping):
        raise RequestError(400, f"Each {kind} item must be an id or an object.")
    now = int(time.time())
    if kind == "models":
        base: JsonObject = {"id": "", "object": "model", "created": now, "owned_by": "system"}
    elif kind == "files":
        base = {
            "id": new_id("file-"),
            "object": "file",
            "bytes": 0,
            "created_at": now,
            "filename": "file.txt",
            "purpose": "assistants",
            "status": "processed",
        }
    else:
        base = {
            "id": new_id("vs_"),
            "object": "vector_store",
            "created_at": now,
            "name": "",
            "usage_bytes": 0,
            "file_counts": dict.fromkeys(
                ("in_progress", "completed", "failed", "cancelled", "total"), 0
            ),
            "status": "completed",
            "last_active_at": now,
            "metadata": {},
        }
    obj = {**base, **item}
    if not isinstance(obj.get("id"), str) or not obj["id"]:
        raise RequestError(400, f"Each {kind} item needs a non-empty string id.")
    return obj


def _not_found(kind: str, ident: str) -> RequestError:
    if kind == "models":
        return RequestError(
            404, f"The model '{ident}' does not exist", param="model", code="model_not_found"
        )
    return RequestError(404, f"No such {_NAMES[kind]}: {ident}", param="id")


def _page(kind: str, objects: list[JsonObject], params: Mapping[str, str]) -> JsonObject:
    most, default = _LIMITS[kind]
    raw = params.get("limit", str(default)).strip()
    if not raw.isdigit() or not 1 <= int(raw) <= most:
        raise invalid(
            f"Invalid 'limit': expected an integer between 1 and {most}, but got '{raw}'.",
            "limit",
            "invalid_value",
        )
    order = params.get("order", "desc")
    if order not in ("asc", "desc"):
        raise invalid(f"Invalid value: '{order}'. Supported values are: 'asc' and 'desc'.", "order")
    objects.sort(key=lambda o: (o["created_at"], o["id"]), reverse=order == "desc")
    after = params.get("after")
    if after:
        ids = [o["id"] for o in objects]
        if after not in ids:
            raise invalid(f"Invalid 'after': no object found with id '{after}'.", "after")
        objects = objects[ids.index(after) + 1 :]
    data = objects[: int(raw)]
    return {
        "object": "list",
        "data": data,
        "first_id": data[0]["id"] if data else None,
        "last_id": data[-1]["id"] if data else None,
        "has_more": len(objects) > len(data),
    }


def check_method(method: str, path: str) -> None:
    """Only reads are emulated: any other method is a 405."""
    if method != "GET":
        raise RequestError(
            405,
            f"Method {method} is not allowed on {path}; allowed: GET.",
            code="method_not_allowed",
            headers={"allow": "GET"},
        )


def route(path: str, prefix: str) -> CatalogRoute | None:
    """The catalog request ``path`` names under the API's ``prefix``, or None."""
    if not path.startswith(prefix + "/"):
        return None
    parts = path[len(prefix) + 1 :].split("/")
    if parts[0] not in KINDS or len(parts) > 2 or (len(parts) == 2 and not parts[1]):
        return None
    if parts[0] == "models" and len(parts) == 2:
        return None  # GET /models/{model} is not emulated
    return CatalogRoute(parts[0], unquote(parts[1]) if len(parts) == 2 else None)
