"""Ask the host, read-only, about what the manifests refer to (:mod:`assistctl.core.references`).

``GET /models`` once; for files and vector stores, whether the host serves them at all
(``GET /files?limit=1``, ``GET /vector_stores?limit=1``: a 404 for an id alone cannot tell a
missing file from a host without files), then ``GET /files/{id}`` / ``GET
/vector_stores/{id}`` once per distinct id, concurrently. Every request goes through the
client (its retries, bounds and deadline). A host that does not serve one of these, or
refuses the key for it, is skipped for that kind with a note under ``-v``; the plan goes on.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any
from urllib.parse import quote

from assistctl.api.client import AssistantsClient
from assistctl.core.plan.model import Problem
from assistctl.core.references import HostFacts, Kind, Reference, ids, problems
from assistctl.errors import ApiError

log = logging.getLogger("assistctl.references")

WORKERS = 8
"""Requests in flight at once for the per-id checks."""

_PATHS: dict[Kind, str] = {"file": "/files", "vector_store": "/vector_stores"}


def check(client: AssistantsClient, found: Sequence[Reference]) -> list[Problem]:
    """The problems with ``found`` that the host can tell (none when it cannot)."""
    if not found:
        return []
    return problems(found, facts(client, found))


class Deferred:
    """:func:`check`, started when :meth:`start` is called (in a thread of its own) or at the
    latest by :meth:`result`, which waits for it and raises what it raised."""

    def __init__(self, client: AssistantsClient, found: Sequence[Reference]) -> None:
        self._client = client
        self._found = found
        self._thread: threading.Thread | None = None
        self._problems: list[Problem] = []
        self._error: BaseException | None = None

    def start(self) -> None:
        if self._thread is None:
            name = "assistctl-refs-check"
            self._thread = threading.Thread(target=self._run, name=name, daemon=True)
            self._thread.start()

    def result(self) -> list[Problem]:
        self.start()
        assert self._thread is not None
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._problems

    def _run(self) -> None:
        try:
            self._problems = check(self._client, self._found)
        except BaseException as err:  # handed to result()
            self._error = err


def facts(client: AssistantsClient, found: Sequence[Reference]) -> HostFacts:
    wanted = {kind: ids(found, kind) for kind in _PATHS}
    with ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="assistctl-refs") as pool:
        models = pool.submit(_models, client) if ids(found, "model") else None
        served = {
            kind: pool.submit(_served, client, _PATHS[kind])
            for kind, values in wanted.items()
            if values
        }
        exists: dict[Kind, dict[str, Future[bool | None]]] = {}
        for kind, probe in served.items():
            if probe.result():
                path = _PATHS[kind]
                exists[kind] = {i: pool.submit(_exists, client, path, i) for i in wanted[kind]}
        found_models = models.result() if models is not None else None
        answers = {
            kind: {i: done for i, f in futures.items() if (done := f.result()) is not None}
            for kind, futures in exists.items()
        }
    return HostFacts(
        models=found_models,
        files=answers.get("file", {}),
        vector_stores=answers.get("vector_store", {}),
    )


def _models(client: AssistantsClient) -> frozenset[str] | None:
    try:
        answer = client.read("/models")
    except ApiError as err:
        if not _skippable(err):
            raise
        log.info("GET /models answered %s: the models the manifests name are not checked", err)
        return None
    names = _ids(answer)
    if names is None:
        log.info("GET /models did not answer a list of models: the models are not checked")
    return names


def _served(client: AssistantsClient, path: str) -> bool:
    try:
        client.read(path, params={"limit": "1"})
    except ApiError as err:
        if not _skippable(err):
            raise
        log.info("GET %s answered %s: the ids the manifests name there are not checked", path, err)
        return False
    return True


def _exists(client: AssistantsClient, path: str, ident: str) -> bool | None:
    try:
        client.read(f"{path}/{quote(ident, safe='')}")
    except ApiError as err:
        if err.status == 404:
            return False
        if not _skippable(err):
            raise
        log.info("GET %s/%s answered %s: not checked", path, ident, err)
        return None
    return True


def _skippable(err: ApiError) -> bool:
    """A refusal of this read (4xx), not a failing host: the check is skipped, not the plan."""
    return err.status is not None and 400 <= err.status < 500 and err.status != 429


def _ids(answer: Any) -> frozenset[str] | None:
    data = answer.get("data") if isinstance(answer, dict) else None
    if not isinstance(data, list):
        return None
    names = [item.get("id") for item in data if isinstance(item, dict)]
    if not names or not all(isinstance(n, str) for n in names):
        return None
    return frozenset(n for n in names if isinstance(n, str))
