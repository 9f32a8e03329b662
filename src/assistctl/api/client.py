"""The HTTP client of the Assistants API: the operations, pagination, and the request loop.

One :class:`AssistantsClient` per command run, shared by worker threads (``httpx.Client`` is
thread-safe; the counters here are kept under a lock). What it relies on, one concern each:
:mod:`~assistctl.api.retry` decides whether and when an attempt is retried,
:mod:`~assistctl.api.failures` words a failure (with :mod:`~assistctl.api.envelopes` reading
the API's own message), :mod:`~assistctl.api.wire` decodes and checks answers,
:mod:`~assistctl.api.secret` keeps the key out of everything but its header and
:mod:`~assistctl.api.connection` opens the httpx client.

The client never starts a server: a provider served in process (``local``) comes with its
transport, which the caller passes in (the CLI passes the emulator's).
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from types import TracebackType
from typing import Any
from urllib.parse import quote, unquote

import httpx

from assistctl.api.connection import open_http, unbind
from assistctl.api.failures import (
    api_error,
    connection_failed,
    describe_exception,
    outcome_unknown,
)
from assistctl.api.retry import DEFAULT_MAX_RETRIES, Attempt, Kind, backoff, decide
from assistctl.api.secret import guard_logging, release_key
from assistctl.api.target import Target, resolve_target
from assistctl.api.wire import COLLECTION, check_assistant, decode_answer, kind_of, page_items
from assistctl.config.providers import ProjectLike
from assistctl.errors import ApiError, UsageError
from assistctl.options import GlobalOptions

log = logging.getLogger("assistctl.http")

CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 60.0
DEFAULT_TIMEOUT = httpx.Timeout(READ_TIMEOUT, connect=CONNECT_TIMEOUT)
PAGE_SIZE = 100

TransportFactory = Callable[[Target], "httpx.BaseTransport | None"]
"""The transport for a target, or None for the network (the CLI's gives ``local`` the
emulator)."""

__all__ = ["DEFAULT_MAX_RETRIES", "AssistantsClient", "TransportFactory"]


class AssistantsClient:
    """List, get, create, modify and delete assistants on one :class:`Target`.

    ``sleep`` and ``rng`` are injectable so tests can record backoff delays instead of waiting.
    ``transport`` replaces the network; a target served in process (provider ``local``) needs
    one. ``on_throttle`` is called on every 429 answer (apply's concurrency limit backs off
    on it).
    """

    def __init__(
        self,
        target: Target,
        *,
        max_retries: int = DEFAULT_MAX_RETRIES,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: Callable[[], float] = random.random,
        on_throttle: Callable[[], None] | None = None,
    ) -> None:
        if max_retries < 0:
            raise ValueError("max_retries must be >= 0")
        if transport is None and target.is_local:
            raise ValueError(
                f"{target.display} is served in process: pass its transport "
                "(the CLI passes the emulator's)"
            )
        self.target = target
        self.max_retries = max_retries
        self._timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        self._sleep = sleep
        self._rng = rng
        self._on_throttle = on_throttle
        self._lock = threading.Lock()
        self._requests_made = 0
        self._retries = 0
        key = target.api_key
        self._key = key.reveal() if key is not None else None
        self._closed = False
        guard_logging(self._key)
        try:
            self._http = open_http(target, timeout=self._timeout, transport=transport)
        except BaseException:
            release_key(self._key)
            raise

    @classmethod
    def from_options(
        cls,
        g: GlobalOptions,
        project: ProjectLike | None = None,
        *,
        transport_for: TransportFactory | None = None,
        **kwargs: Any,
    ) -> AssistantsClient:
        """Resolve the target from flags/env/project and apply ``--max-retries``/``--timeout``;
        ``transport_for`` gives the transport for the resolved target (None: the network)."""
        target = resolve_target(g, project)
        if g.max_retries is not None:
            kwargs.setdefault("max_retries", g.max_retries)
        if g.timeout is not None:
            kwargs.setdefault("timeout", httpx.Timeout(g.timeout, connect=CONNECT_TIMEOUT))
        if transport_for is not None and "transport" not in kwargs:
            kwargs["transport"] = transport_for(target)
        return cls(target, **kwargs)

    # -- lifecycle -------------------------------------------------------------------------

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self._http.close()
        release_key(self._key)

    def __enter__(self) -> AssistantsClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"AssistantsClient({self.target.display})"

    # -- counters --------------------------------------------------------------------------

    @property
    def requests_made(self) -> int:
        """HTTP attempts made so far, retries included."""
        with self._lock:
            return self._requests_made

    @property
    def retries(self) -> int:
        """Attempts that were retries of an earlier one."""
        with self._lock:
            return self._retries

    # -- the API ---------------------------------------------------------------------------

    def list_all(self) -> list[dict[str, Any]]:
        """Every assistant, oldest first, one request per :data:`PAGE_SIZE` assistants."""
        return [item for page in self.pages() for item in page]

    def pages(self) -> Iterator[list[dict[str, Any]]]:
        """:meth:`list_all` page by page, as each arrives (an object seen on an earlier page
        is not repeated), so that a caller can reduce a page before the next is fetched."""
        seen_ids: set[str] = set()
        seen_cursors: set[str] = set()
        after: str | None = None
        while True:
            params = {"limit": str(PAGE_SIZE), "order": "asc"}
            if after is not None:
                params["after"] = after
            page = self._request("GET", COLLECTION, params=params, kind="read")
            url = self._url(COLLECTION)
            data = page_items(page, url)
            fresh: list[dict[str, Any]] = []
            for item in data:
                # A host that shifts pages under concurrent writes may repeat an object.
                if item["id"] not in seen_ids:
                    seen_ids.add(item["id"])
                    fresh.append(item)
            yield fresh
            has_more = page.get("has_more")
            if has_more is None:
                # A host that omits has_more: a full page may not be the last one.
                has_more = len(data) >= PAGE_SIZE
            elif not isinstance(has_more, bool):
                raise ApiError(
                    f"GET {url} answered a list whose has_more is {has_more!r}, not true/false; "
                    "this host does not paginate like the Assistants API."
                )
            if not has_more:
                return
            if not data:
                raise ApiError(
                    f"GET {url} said more assistants follow but returned an empty page; "
                    "stopped to avoid an endless loop (a pagination bug on the host)."
                )
            last_id = page.get("last_id")
            cursor = last_id if isinstance(last_id, str) and last_id else data[-1]["id"]
            if cursor in seen_cursors:
                raise ApiError(
                    f"GET {url} returned the page after {cursor!r} twice; stopped to avoid an "
                    "endless loop (the host ignores the 'after' cursor)."
                )
            seen_cursors.add(cursor)
            after = cursor

    def read(self, path: str, params: Mapping[str, str] | None = None) -> Any:
        """The decoded answer to ``GET path`` (under the base URL): for reads beside the
        assistants, such as plan's reference checks (:mod:`assistctl.api.references`)."""
        return self._request("GET", path, kind="read", params=params)

    def get(self, assistant_id: str) -> dict[str, Any]:
        path = _object_path(assistant_id)
        return check_assistant(self._request("GET", path, kind="read"), self._url(path))

    def create(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """Create one assistant. Raises :class:`OutcomeUnknown` when the answer was lost."""
        return check_assistant(
            self._request("POST", COLLECTION, body=body, kind="create"), self._url(COLLECTION)
        )

    def modify(self, assistant_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
        path = _object_path(assistant_id)
        return check_assistant(
            self._request("POST", path, body=body, kind="idempotent"), self._url(path)
        )

    def delete(self, assistant_id: str) -> dict[str, Any]:
        """Delete one assistant; returns the API's deletion object."""
        path = _object_path(assistant_id)
        answer = self._request("DELETE", path, kind="idempotent")
        if not isinstance(answer, dict):
            raise ApiError(f"DELETE {self._url(path)} answered {kind_of(answer)}, not an object.")
        return answer

    def pause(self, attempt: int, retry_after: float | None = None) -> None:
        """Wait as before retry ``attempt`` (0-based) of a request: for a caller that retries
        a write itself (apply re-sending a create whose outcome was unknown). Counted as a
        retry; ``retry_after`` is the host's, from :attr:`OutcomeUnknown.retry_after`."""
        self._count(retry=True)
        self._sleep(backoff(attempt, retry_after, self._rng()))

    # -- machinery -------------------------------------------------------------------------

    def _url(self, path: str) -> str:
        return self.target.base_url + path

    def _count(self, *, retry: bool) -> None:
        with self._lock:
            if retry:
                self._retries += 1
            else:
                self._requests_made += 1

    def _request(
        self,
        method: str,
        path: str,
        *,
        kind: Kind,
        params: Mapping[str, str] | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> Any:
        url = self._url(path)
        attempt = Attempt(method, kind, retries=0, max_retries=self.max_retries)
        while True:
            self._count(retry=False)
            started = time.monotonic()
            try:
                response = self._http.request(
                    method, path, params=params, json=dict(body) if body is not None else None
                )
            except httpx.TransportError as exc:
                elapsed = time.monotonic() - started
                log.debug("%s %s -> %s (%.3f s)", method, url, type(exc).__name__, elapsed)
                decision = decide(attempt, error=exc, jitter=self._rng())
                if decision.verdict == "unknown":
                    raise outcome_unknown(method, url, describe_exception(exc), self._key) from None
                if decision.verdict == "fail":
                    raise connection_failed(exc, method, url, attempt.retries, self._key) from None
                why = type(exc).__name__
            else:
                elapsed = time.monotonic() - started
                status = response.status_code
                log.debug("%s %s -> %d (%.3f s)", method, url, status, elapsed)
                if status == 429 and self._on_throttle is not None:
                    self._on_throttle()
                decision = decide(
                    attempt,
                    status=status,
                    headers=response.headers,
                    jitter=self._rng(),
                    now=time.time(),
                )
                if decision.verdict == "success":
                    try:
                        return decode_answer(response, method, url, self._key)
                    finally:
                        unbind(response)  # perf: see connection.unbind
                if decision.verdict == "unknown":
                    raise outcome_unknown(
                        method, url, f"HTTP {status}", self._key, decision.retry_after
                    )
                if decision.verdict == "deleted":
                    log.debug("DELETE %s: 404 after a lost attempt, treated as deleted", url)
                    return {
                        "id": unquote(path.rsplit("/", 1)[-1]),
                        "object": "assistant.deleted",
                        "deleted": True,
                    }
                if decision.verdict == "fail":
                    raise api_error(
                        response,
                        method,
                        path,
                        attempt.retries,
                        self.target,
                        self._key,
                        refused_wait=decision.retry_after if decision.wait_refused else None,
                    )
                why = f"HTTP {status}"
            attempt = Attempt(method, kind, attempt.retries + 1, self.max_retries, decision.landed)
            self._count(retry=True)
            log.info(
                "%s %s: %s, retrying in %.2f s (retry %d of %d)",
                method,
                url,
                why,
                decision.delay,
                attempt.retries,
                self.max_retries,
            )
            self._sleep(decision.delay)


def _object_path(assistant_id: str) -> str:
    if not isinstance(assistant_id, str) or not assistant_id.strip():
        raise UsageError(f"{assistant_id!r} is not an assistant id; ids look like asst_abc123.")
    return f"{COLLECTION}/{quote(assistant_id, safe='')}"
