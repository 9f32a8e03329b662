"""The HTTP client of the Assistants API: the operations and the request loop.

One :class:`AssistantsClient` per command run, shared by worker threads (``httpx.Client`` is
thread-safe; the counters here are kept under a lock). What it relies on, one concern each:
:mod:`~assistctl.api.retry` decides whether and when an attempt is retried,
:mod:`~assistctl.api.failures` words a failure (with :mod:`~assistctl.api.envelopes` reading
the API's own message), :mod:`~assistctl.api.wire` decodes and checks answers,
:mod:`~assistctl.api.body` reads them within bounds, :mod:`~assistctl.api.deadline` ends
the run, :mod:`~assistctl.api.listing` runs the pagination walks,
:mod:`~assistctl.api.secret` keeps the key out of everything but its header and
:mod:`~assistctl.api.connection` opens the httpx client.
"""

from __future__ import annotations

import logging
import os
import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any
from urllib.parse import quote, unquote

import httpx

from assistctl.api.body import MAX_BODY_BYTES, TooLarge, Undecodable, exchange
from assistctl.api.connection import open_http
from assistctl.api.deadline import DEFAULT_DEADLINE, Deadline
from assistctl.api.failures import (
    api_error,
    connection_failed,
    describe_exception,
    outcome_unknown,
    too_large,
    undecodable,
    unread_answer,
)
from assistctl.api.listing import Listing, WalkName, new_walk, walk_from_env
from assistctl.api.retry import (
    DEFAULT_MAX_RETRIES,
    Attempt,
    Kind,
    backoff,
    before_send,
    decide,
)
from assistctl.api.secret import guard_logging, release_key
from assistctl.api.target import Target, resolve_target
from assistctl.api.walk import MAX_PAGES, PAGE_SIZE, Page, Step
from assistctl.api.wire import COLLECTION, check_assistant, decode_answer, kind_of, page_items
from assistctl.config.providers import ProjectLike
from assistctl.errors import ApiError, Stopped, UsageError
from assistctl.options import GlobalOptions

log = logging.getLogger("assistctl.http")

CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 60.0
DEFAULT_TIMEOUT = httpx.Timeout(READ_TIMEOUT, connect=CONNECT_TIMEOUT)

TransportFactory = Callable[[Target], "httpx.BaseTransport | None"]
"""The transport for a target, or None for the network (the CLI's gives ``local`` the
emulator)."""

__all__ = ["DEFAULT_MAX_RETRIES", "PAGE_SIZE", "AssistantsClient", "TransportFactory"]


class AssistantsClient:
    """List, get, create, modify and delete assistants on one :class:`Target`.

    ``sleep`` and ``rng`` are injectable so tests can record backoff delays instead of waiting
    (by default a backoff waits on the :attr:`deadline`, so Ctrl-C ends it). ``transport``
    replaces the network; a target served in process (provider ``local``) needs one.
    ``on_throttle`` is called on every 429 answer (apply's concurrency limit backs off on
    it). ``deadline`` bounds the whole run (seconds, or a shared :class:`Deadline`);
    ``max_body`` the size of an answer after decompression; ``max_pages`` a listing;
    ``walk`` how it lists (``one-cursor`` only to troubleshoot a host, or to measure).
    """

    def __init__(
        self,
        target: Target,
        *,
        max_retries: int = DEFAULT_MAX_RETRIES,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] | None = None,
        rng: Callable[[], float] = random.random,
        on_throttle: Callable[[], None] | None = None,
        deadline: Deadline | float | None = DEFAULT_DEADLINE,
        max_body: int = MAX_BODY_BYTES,
        max_pages: int = MAX_PAGES,
        walk: WalkName = "two-ended",
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
        self.deadline = deadline if isinstance(deadline, Deadline) else Deadline(deadline)
        self.max_body = max_body
        self.max_pages = max_pages
        self.walk = walk
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
        if g.deadline is not None:
            kwargs["deadline"] = g.deadline
        kwargs.setdefault("walk", walk_from_env(os.environ))
        if transport_for is not None and "transport" not in kwargs:
            kwargs["transport"] = transport_for(target)
        return cls(target, **kwargs)

    # -- lifecycle -------------------------------------------------------------------------

    def cancel(self) -> None:
        """Ctrl-C: send nothing more (no new request, no retry); a backoff ends at once.
        Safe from a signal handler and from any thread."""
        self.deadline.cancel()

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self._http.close()
        release_key(self._key)

    def __enter__(self) -> AssistantsClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
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
        """Every assistant, oldest first as the host orders them, about one request per
        :data:`PAGE_SIZE` assistants."""
        listing = self.listing()
        by_id = {str(item["id"]): dict(item) for page in listing for item in page}
        items = [by_id[ident] for ident in listing.walk.order() if ident in by_id]
        if all(isinstance(item.get("created_at"), int) for item in items):
            # Stable: ties keep the host's order; an assistant only the newest-first walk
            # listed (deleted before the other got there) goes back to its place.
            items.sort(key=lambda item: int(item["created_at"]))
        return items

    def pages(self) -> Iterator[list[Mapping[str, Any]]]:
        """:meth:`list_all` in batches as they arrive (each assistant once); see :meth:`listing`."""
        yield from self.listing()

    def listing(self) -> Listing:
        """The listing of every assistant, started now: its requests go out in worker
        threads while the caller does something else (loads the manifests), and iterating
        it yields the assistants as they arrive. The walk (:attr:`walk`) is from both ends
        unless the host leaves a doubt; its bounds end it against any host."""
        walk = new_walk(self.walk, self._url(COLLECTION), max_pages=self.max_pages)
        return Listing(self.list_page, walk).start()

    def list_page(self, step: Step, unwanted: threading.Event | None = None) -> Page:
        """One page of the list of assistants; not retried once ``unwanted`` is set."""
        size: list[int] = []
        answer = self._request(
            "GET", COLLECTION, kind="read", params=step.params(), unwanted=unwanted, size=size
        )
        items = page_items(answer, self._url(COLLECTION))
        return Page(items, answer.get("has_more"), answer.get("last_id"), sum(size))

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
        self._wait(backoff(attempt, retry_after, self._rng()))

    # -- machinery -------------------------------------------------------------------------

    def _url(self, path: str) -> str:
        return self.target.base_url + path

    def _count(self, *, retry: bool) -> None:
        with self._lock:
            if retry:
                self._retries += 1
            else:
                self._requests_made += 1

    def _go(self, what: str, landed: bool, unwanted: threading.Event | None) -> None:
        """Nothing is sent after Ctrl-C, past the deadline, once closed or no longer wanted."""
        self.deadline.check(what, landed=landed)
        if self._closed or (unwanted is not None and unwanted.is_set()):
            raise Stopped(f"{what} was not sent: no longer needed", landed=landed)

    def _wait(self, seconds: float) -> None:
        if self._sleep is not None:
            self._sleep(seconds)
        else:
            self.deadline.sleep(seconds)

    def _request(
        self,
        method: str,
        path: str,
        *,
        kind: Kind,
        params: Mapping[str, str] | None = None,
        body: Mapping[str, Any] | None = None,
        unwanted: threading.Event | None = None,
        size: list[int] | None = None,
    ) -> Any:
        """The decoded answer (``size`` gets its length in bytes)."""
        url = self._url(path)
        what = f"{method} {url}"
        attempt = Attempt(method, kind, retries=0, max_retries=self.max_retries)
        while True:
            self._go(what, attempt.landed_before, unwanted)
            self._count(retry=False)
            started = time.monotonic()
            try:
                response = exchange(
                    self._http,
                    self._http.build_request(
                        method,
                        path,
                        params=params,
                        json=dict(body) if body is not None else None,
                        timeout=self.deadline.clamp(self._timeout),
                    ),
                    max_body=self.max_body,
                    deadline=self.deadline,
                    unwanted=unwanted,
                )
            except httpx.TransportError as exc:
                elapsed = time.monotonic() - started
                log.debug("%s %s -> %s (%.3f s)", method, url, type(exc).__name__, elapsed)
                landed = attempt.landed_before or not before_send(exc)
                if isinstance(exc, httpx.TimeoutException) and self.deadline.remaining() <= 0:
                    # The timeout was the deadline's, not the host's: no retry can fit.
                    raise self.deadline.exceeded(what, landed=landed) from None
                decision = decide(attempt, error=exc, jitter=self._rng())
                if decision.verdict == "unknown":
                    raise outcome_unknown(method, url, describe_exception(exc), self._key) from None
                if decision.verdict == "fail":
                    raise connection_failed(exc, method, url, attempt.retries, self._key) from None
                why = type(exc).__name__
            except (TooLarge, Undecodable) as exc:
                # Not retried: the host would answer the same again.
                if kind == "create":
                    raise outcome_unknown(
                        method, url, unread_answer(exc, self.max_body), self._key
                    ) from None
                if isinstance(exc, TooLarge):
                    raise too_large(method, url, exc.limit, exc.declared) from None
                raise undecodable(method, url, str(exc)) from None
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
                    # Drawn only when a retry may need it: an answer still arriving after
                    # its listing is over must not touch the random state meanwhile.
                    jitter=0.0 if 200 <= status < 300 else self._rng(),
                    now=time.time(),
                )
                if decision.verdict == "success":
                    if size is not None:
                        size.append(len(response.content))
                    return decode_answer(response, method, url, self._key)
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
            self._go(what, attempt.landed_before, unwanted)
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
            try:
                self._wait(decision.delay)
            except Stopped as stop:
                raise type(stop)(str(stop), landed=attempt.landed_before) from None


def _object_path(assistant_id: str) -> str:
    if not isinstance(assistant_id, str) or not assistant_id.strip():
        raise UsageError(f"{assistant_id!r} is not an assistant id; ids look like asst_abc123.")
    return f"{COLLECTION}/{quote(assistant_id, safe='')}"
