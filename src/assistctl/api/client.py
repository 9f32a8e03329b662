"""The HTTP client of the Assistants API: pagination, retries, error envelopes.

One :class:`AssistantsClient` per command run, shared by worker threads (``httpx.Client`` is
thread-safe; the counters here are kept under a lock). Policy, in one place:

* **Retries** follow the official SDK's policy as a floor: 408, 409, 429, 5xx and connection
  errors; the delay comes from ``retry-after-ms``, then ``retry-after`` (seconds or an HTTP
  date), else ``min(0.5 * 2**n, 8)`` seconds minus up to 25 % jitter; at most ``max_retries``
  retries; a server asking to wait more than 120 s gets an error instead of a long sleep.
* **Creates are never blindly retried** once the request may have reached the server (read
  timeout, dropped connection, 5xx): the outcome is unknown and :class:`OutcomeUnknown` is
  raised so that apply can look the assistant up by its ownership label first. Failures
  before anything was sent (refused connection, connect timeout) are retried for every method.
* **The key never leaves** the ``Authorization``/``api-key`` header: it is not in the client's
  default headers, log lines carry only method, URL, status and time, and every message built
  from a server answer or an httpx exception is scrubbed of the key and of masked echoes of it.
"""

from __future__ import annotations

import email.utils
import html
import json
import logging
import math
import random
import re
import ssl
import threading
import time
from collections import Counter
from collections.abc import Callable, Generator, Iterator, Mapping
from types import TracebackType
from typing import Any, Literal
from urllib.parse import quote, unquote

import httpx

from assistctl import __version__
from assistctl.api.target import Secret, Target, resolve_target
from assistctl.config.providers import ProjectLike
from assistctl.core.fields import ANSWER_CHECKED
from assistctl.errors import (
    ApiError,
    AuthError,
    ConnectionFailed,
    NotFoundError,
    OutcomeUnknown,
    UsageError,
)
from assistctl.options import GlobalOptions

log = logging.getLogger("assistctl.http")

DEFAULT_MAX_RETRIES = 5
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 60.0
DEFAULT_TIMEOUT = httpx.Timeout(READ_TIMEOUT, connect=CONNECT_TIMEOUT)
INITIAL_RETRY_DELAY = 0.5
MAX_RETRY_DELAY = 8.0
MAX_RETRY_AFTER = 120.0
PAGE_SIZE = 100
COLLECTION = "/assistants"
OPENAI_SUNSET = "2026-08-26"
USER_AGENT = f"assistctl/{__version__}"

_EXCERPT_CHARS = 160
_MESSAGE_CHARS = 500
_EXCERPT_SCAN_CHARS = 16 * 1024
_Kind = Literal["read", "idempotent", "create"]


# httpcore's DEBUG trace prints raw response headers (a careless host may echo the key in
# them, and cookies live there); our own "assistctl.http" lines say what a user needs.
_QUIET_LOGGERS = ("httpcore",)
_SCRUBBED_LOGGERS = (
    "assistctl.http",
    "httpx",
    "httpcore",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
)
_live_keys: Counter[str] = Counter()
_live_keys_lock = threading.Lock()


class _ScrubKeys(logging.Filter):
    """Last line of defence: a live client's key is cut out of any httpx/httpcore log record."""

    def filter(self, record: logging.LogRecord) -> bool:
        with _live_keys_lock:
            keys = list(_live_keys)
        if keys:
            message = record.getMessage()
            clean = message
            for key in keys:
                clean = scrub(clean, key)
            if clean != message:
                record.msg, record.args = clean, None
        return True


_SCRUB_FILTER = _ScrubKeys()


def _guard_logging(key: str | None) -> None:
    for name in _QUIET_LOGGERS:
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET or logger.level < logging.INFO:
            logger.setLevel(logging.INFO)
    for name in _SCRUBBED_LOGGERS:
        logger = logging.getLogger(name)
        if _SCRUB_FILTER not in logger.filters:
            logger.addFilter(_SCRUB_FILTER)
    if key:
        with _live_keys_lock:
            _live_keys[key] += 1


def _release_key(key: str | None) -> None:
    if key:
        with _live_keys_lock:
            _live_keys[key] -= 1
            if _live_keys[key] <= 0:
                del _live_keys[key]


class _KeyAuth(httpx.Auth):
    """Adds the key per request, so it never sits in the client's (printable) default headers."""

    def __init__(self, header: str, scheme: str, key: Secret) -> None:
        self._header = header
        self._scheme = scheme
        self._key = key

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers[self._header] = self._scheme + self._key.reveal()
        yield request


class AssistantsClient:
    """List, get, create, modify and delete assistants on one :class:`Target`.

    ``sleep`` and ``rng`` are injectable so tests can record backoff delays instead of waiting.
    ``transport`` replaces the network (the ``local`` provider uses the in-process emulator).
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
    ) -> None:
        if max_retries < 0:
            raise ValueError("max_retries must be >= 0")
        self.target = target
        self.max_retries = max_retries
        self._timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        self._sleep = sleep
        self._rng = rng
        self._lock = threading.Lock()
        self._requests_made = 0
        self._retries = 0
        key = target.api_key
        self._key = key.reveal() if key is not None else None
        self._closed = False
        self.on_throttle: Callable[[], None] | None = None
        """Called on every 429 answer (apply's concurrency limit backs off on it)."""
        _guard_logging(self._key)
        if transport is None and target.local_state is not None:
            # Imported lazily: only --provider local needs the emulator in this process.
            from assistctl.emulator.transport import LocalTransport, local_app

            transport = LocalTransport(local_app(target.local_state))
        auth = (
            _KeyAuth(target.provider.auth_header, target.provider.auth_scheme, key)
            if key is not None
            else None
        )
        try:
            self._http = httpx.Client(
                base_url=target.base_url,
                params=dict(target.query),
                headers={
                    "User-Agent": USER_AGENT,
                    "Accept": "application/json",
                    **target.headers(),
                },
                auth=auth,
                timeout=self._timeout,
                transport=transport,
                verify=_tls_verify(target.base_url),
                # Redirects would carry the key to wherever they point: report them instead.
                follow_redirects=False,
            )
        except httpx.InvalidURL as err:
            # A host name httpx cannot encode (control characters, bad IDNA labels).
            _release_key(self._key)
            raise UsageError(
                f"The base URL from {target.base_url_source} ({target.base_url!r}) is not a "
                f"valid URL ({err}); use a URL like https://api.openai.com/v1."
            ) from None

    @classmethod
    def from_options(
        cls,
        g: GlobalOptions,
        project: ProjectLike | None = None,
        **kwargs: Any,
    ) -> AssistantsClient:
        """Resolve the target from flags/env/project and apply ``--max-retries``/``--timeout``."""
        target = resolve_target(g, project)
        if g.max_retries is not None:
            kwargs.setdefault("max_retries", g.max_retries)
        if g.timeout is not None:
            kwargs.setdefault("timeout", httpx.Timeout(g.timeout, connect=CONNECT_TIMEOUT))
        return cls(target, **kwargs)

    # -- lifecycle -------------------------------------------------------------------------

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self._http.close()
        _release_key(self._key)

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
            data = _page_items(page, url)
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

    def get(self, assistant_id: str) -> dict[str, Any]:
        path = _object_path(assistant_id)
        return _object(self._request("GET", path, kind="read"), self._url(path))

    def create(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """Create one assistant. Raises :class:`OutcomeUnknown` when the answer was lost."""
        return _object(
            self._request("POST", COLLECTION, body=body, kind="create"), self._url(COLLECTION)
        )

    def modify(self, assistant_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
        path = _object_path(assistant_id)
        return _object(self._request("POST", path, body=body, kind="idempotent"), self._url(path))

    def delete(self, assistant_id: str) -> dict[str, Any]:
        """Delete one assistant; returns the API's deletion object."""
        path = _object_path(assistant_id)
        answer = self._request("DELETE", path, kind="idempotent")
        if not isinstance(answer, dict):
            raise ApiError(f"DELETE {self._url(path)} answered {_kind_of(answer)}, not an object.")
        return answer

    # -- machinery -------------------------------------------------------------------------

    def _url(self, path: str) -> str:
        return self.target.base_url + path

    def _scrub(self, text: str) -> str:
        return scrub(text, self._key)

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
        kind: _Kind,
        params: Mapping[str, str] | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> Any:
        url = self._url(path)
        # True once an earlier attempt may have reached the server (matters for delete).
        maybe_done = False
        attempt = 0
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
                sent = not _before_send(exc)
                if sent and kind == "create":
                    raise self._unknown(method, url, _describe_exception(exc)) from None
                maybe_done = maybe_done or sent
                if not _retryable_exception(exc) or attempt >= self.max_retries:
                    raise self._connection_failed(exc, method, url, attempt) from None
                delay = self._backoff(attempt, None)
                why = type(exc).__name__
            else:
                elapsed = time.monotonic() - started
                status = response.status_code
                log.debug("%s %s -> %d (%.3f s)", method, url, status, elapsed)
                if 200 <= status < 300:
                    try:
                        return self._decode(response, method, url)
                    finally:
                        _unbind(response)
                if status == 429 and self.on_throttle is not None:
                    self.on_throttle()
                should_retry = _should_retry(response)
                if kind == "create" and status >= 500 and should_retry is not True:
                    raise self._unknown(
                        method, url, f"HTTP {status}", parse_retry_after(response.headers)
                    )
                if kind == "idempotent" and method == "DELETE" and status == 404 and maybe_done:
                    # The lost earlier attempt did the delete: that is success, not an error.
                    log.debug("DELETE %s: 404 after a lost attempt, treated as deleted", url)
                    return {
                        "id": unquote(path.rsplit("/", 1)[-1]),
                        "object": "assistant.deleted",
                        "deleted": True,
                    }
                if should_retry is None:
                    should_retry = status in (408, 409, 429) or status >= 500
                retry_after = parse_retry_after(response.headers)
                if should_retry and retry_after is not None and retry_after > MAX_RETRY_AFTER:
                    raise self._api_error(
                        response,
                        method,
                        path,
                        attempt,
                        extra=(
                            f"The server asked to wait {retry_after:.0f} s before retrying, longer "
                            f"than assistctl waits ({MAX_RETRY_AFTER:.0f} s); try again later."
                        ),
                    )
                if not should_retry or attempt >= self.max_retries:
                    raise self._api_error(response, method, path, attempt)
                maybe_done = maybe_done or status >= 500
                delay = self._backoff(attempt, retry_after)
                why = f"HTTP {status}"
            attempt += 1
            self._count(retry=True)
            log.info(
                "%s %s: %s, retrying in %.2f s (retry %d of %d)",
                method,
                url,
                why,
                delay,
                attempt,
                self.max_retries,
            )
            self._sleep(delay)

    def pause(self, attempt: int, retry_after: float | None = None) -> None:
        """Wait as before retry ``attempt`` (0-based) of a request: for a caller that retries
        a write itself (apply re-sending a create whose outcome was unknown). Counted as a
        retry; ``retry_after`` is the host's, from :attr:`OutcomeUnknown.retry_after`."""
        self._count(retry=True)
        self._sleep(self._backoff(attempt, retry_after))

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None and 0 < retry_after <= MAX_RETRY_AFTER:
            return retry_after
        base = min(INITIAL_RETRY_DELAY * math.pow(2.0, min(attempt, 64)), MAX_RETRY_DELAY)
        return max(0.0, base * (1 - 0.25 * self._rng()))

    def _decode(self, response: httpx.Response, method: str, url: str) -> Any:
        status = response.status_code
        if not response.content.strip():
            raise ApiError(
                f"{method} {url} answered {status} with an empty body where a JSON object "
                "was expected; is the base URL an Assistants API host?"
            )
        try:
            return _json(response.content)
        except ValueError:
            raise ApiError(
                f"{method} {url} answered {status} with a body that is not JSON "
                f"({_content_type(response)}: {self._scrub(excerpt(response.text))!r}); "
                "is the base URL an Assistants API host?"
            ) from None

    def _unknown(
        self, method: str, url: str, why: str, retry_after: float | None = None
    ) -> OutcomeUnknown:
        return OutcomeUnknown(
            f"{method} {url} was sent but its answer was lost ({self._scrub(why)}): the "
            "assistant may or may not have been created, so the request was not retried "
            "(that could create a duplicate); look it up by its ownership label before "
            "creating it again.",
            retry_after=retry_after,
        )

    def _connection_failed(
        self, exc: httpx.TransportError, method: str, url: str, retries: int
    ) -> ConnectionFailed:
        after = f" (after {retries} retries)" if retries else ""
        detail = self._scrub(_describe_exception(exc))
        if isinstance(exc, httpx.ConnectTimeout):
            text = (
                f"Timed out connecting to {url}{after}; check --base-url and your network "
                "(the host did not answer within the connect timeout)."
            )
        elif isinstance(exc, httpx.ConnectError) and "refused" in detail.lower():
            text = (
                f"Connection refused by {url}{after}; check --base-url and that the "
                "server is running."
            )
        elif isinstance(exc, httpx.ConnectError):
            text = f"Could not connect to {url}{after}: {detail}; check --base-url."
        elif isinstance(exc, httpx.TimeoutException):
            text = f"{method} {url} got no answer in time{after}; retry later or raise --timeout."
        else:
            text = f"The connection to {url} failed during {method}{after}: {detail}."
        return ConnectionFailed(text)

    def _api_error(
        self,
        response: httpx.Response,
        method: str,
        path: str,
        retries: int,
        *,
        extra: str | None = None,
    ) -> ApiError:
        status = response.status_code
        url = self._url(path)
        parsed = parse_error_body(response)
        message = _clip(self._scrub(parsed.message))
        where = f"({method} {url}"
        if retries:
            where += f", gave up after {retries} retries"
        where += ")"
        hints = [where]
        cls: type[ApiError] = ApiError
        if status == 401:
            cls = AuthError
            if self._key is None:
                hints.append(f"No key was sent. {self.target.key_hint()}")
            else:
                hints.append(f"The API key was refused. {self.target.key_hint()}")
        elif status == 403:
            cls = AuthError
            hints.append(
                "The key is not allowed to use the Assistants API there; check its project, "
                "permissions and region."
            )
        elif status == 404 and path == COLLECTION:
            cls = NotFoundError
            hints.append(self._not_served_hint())
        elif status == 404:
            cls = NotFoundError
        elif 300 <= status < 400:
            location = self._scrub(response.headers.get("location", "elsewhere"))
            hints.append(f"The host redirects to {location}; set --base-url to the final URL.")
        elif status == 429 or status >= 500:
            hints.append("Try again later, or raise --max-retries.")
        if extra:
            hints.append(extra)
        return cls(
            message,
            status=status,
            code=parsed.code,
            param=parsed.param,
            url=url,
            hint=" ".join(hints),
        )

    def _not_served_hint(self) -> str:
        base = self.target.base_url
        text = f"{base} does not serve the Assistants API (no {COLLECTION} there)"
        if self.target.is_openai_host:
            return (
                f"{base} does not serve the Assistants API any more: OpenAI sunset the "
                f"Assistants API on {OPENAI_SUNSET}; point --base-url at a host that still "
                "serves it (AIML API, Laplas, Azure OpenAI or another compatible host: "
                "see 'assistctl providers')."
            )
        prefix = self.target.provider.path_prefix
        path = httpx.URL(base).path.rstrip("/")
        if prefix and not path.endswith(prefix):
            return f"{text}; {self.target.provider.name} paths usually start with {prefix}, check --base-url."
        if not prefix and path.endswith("/v1"):
            return f"{text}; {self.target.provider.name} paths have no /v1, check --base-url."
        return f"{text}; check --base-url and --provider."


# -- pure helpers (module level so tests and other modules can use them) -----------------


class ParsedError:
    """The API's own words from an error response, whichever envelope it uses."""

    __slots__ = ("code", "message", "param", "request_id")

    def __init__(
        self,
        message: str,
        code: str | None = None,
        param: str | None = None,
        request_id: str | None = None,
    ) -> None:
        self.message = message
        self.code = code
        self.param = param
        self.request_id = request_id


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


def parse_error_body(response: httpx.Response) -> ParsedError:
    """Parse OpenAI's ``{"error": {...}}``, AIML API's flat envelope, or a non-JSON body."""
    status = response.status_code
    reason = response.reason_phrase or "error"
    raw = response.content
    if not raw.strip():
        return ParsedError(f"{reason} (empty response body)")
    try:
        body = _json(raw)
    except ValueError:
        return ParsedError(
            f"{reason}; the body is not JSON ({_content_type(response)}): {excerpt(response.text)!r}"
        )
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):
            message = _text_of(error.get("message")) or _text_of(error.get("type")) or reason
            return ParsedError(
                message,
                code=_opt_str(error.get("code")) or _opt_str(error.get("type")),
                param=_opt_str(error.get("param")),
            )
        flat = _text_of(body.get("message")) or _text_of(error) or _text_of(body.get("detail"))
        if flat is not None:
            request_id = _opt_str(body.get("requestId") or body.get("request_id"))
            if request_id:
                flat = f"{flat} (request id {request_id})"
            code = _opt_str(body.get("code")) or (
                _opt_str(body.get("statusCode")) if body.get("statusCode") != status else None
            )
            return ParsedError(flat, code=code, request_id=request_id)
    return ParsedError(f"{reason}: {excerpt(response.text)!r}")


_TITLE_RE = re.compile(r"<title[^>]*>(.*?)</title\s*>", re.IGNORECASE | re.DOTALL)
_DROP_RE = re.compile(r"<(script|style)[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG_RE = re.compile(r"<[^>]*>")


def excerpt(text: str, limit: int = _EXCERPT_CHARS) -> str:
    """A short one-line excerpt of a body: an HTML page's title, or its text, never a dump."""
    # The head of the body is enough, and keeps the regexes' work bounded on a huge one.
    text = text[:_EXCERPT_SCAN_CHARS]
    title = _TITLE_RE.search(text)
    if title and title.group(1).strip():
        text = title.group(1)
    elif "<" in text:
        text = _TAG_RE.sub(" ", _DROP_RE.sub(" ", text))
    text = " ".join(html.unescape(text).split())
    if len(text) > limit:
        text = text[: limit - 3].rstrip() + "..."
    return text


# Anchored at the start of a token: unanchored, a long run of token characters without a
# "*" (a multi-megabyte error message) is re-scanned from every position, in quadratic time.
_MASKED_RE = re.compile(r"(?<![A-Za-z0-9_\-.])[A-Za-z0-9_\-.]*\*{3,}[A-Za-z0-9_\-]*")
_TOKEN_RE = re.compile(r"[A-Za-z0-9_\-.]{8,}")


def _clip(message: str, limit: int = _MESSAGE_CHARS) -> str:
    """The API's own message as one line, cut to a length an error line can carry."""
    message = " ".join(message[: limit * 2].split())
    return message if len(message) <= limit else message[: limit - 3].rstrip() + "..."


def scrub(text: str, key: str | None) -> str:
    """Remove the key, pieces of it (8+ characters) and masked echoes (``sk-...****abcd``)."""
    if key:
        text = text.replace(key, "***")
        text = _TOKEN_RE.sub(lambda m: "***" if m.group(0) in key else m.group(0), text)
    return _MASKED_RE.sub("***", text)


def parse_retry_after(headers: httpx.Headers) -> float | None:
    """Seconds to wait from ``retry-after-ms``, then ``retry-after`` (seconds or HTTP date)."""
    for name, divisor in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            delay = float(value)
        except ValueError:
            continue
        if math.isnan(delay):
            continue
        if math.isinf(delay):
            return math.inf
        return delay / divisor
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        parsed = email.utils.parsedate_tz(value)
        if parsed is None:
            return None
        return float(email.utils.mktime_tz(parsed) - time.time())
    except (TypeError, ValueError, OverflowError):
        return None


def _should_retry(response: httpx.Response) -> bool | None:
    """The server's explicit ``x-should-retry`` verdict, or None to decide by status."""
    value = response.headers.get("x-should-retry")
    if value == "true":
        return True
    if value == "false":
        return False
    return None


def _before_send(exc: httpx.TransportError) -> bool:
    """True when the request certainly never reached the server."""
    return isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)


def _retryable_exception(exc: httpx.TransportError) -> bool:
    if isinstance(exc, httpx.LocalProtocolError | httpx.UnsupportedProtocol | httpx.ProxyError):
        return False
    # A certificate the system does not trust will not become trusted in a few seconds.
    return not (isinstance(exc, httpx.ConnectError) and "CERTIFICATE_VERIFY_FAILED" in str(exc))


def _describe_exception(exc: httpx.TransportError) -> str:
    names = {
        httpx.ReadTimeout: "read timeout",
        httpx.WriteTimeout: "write timeout",
        httpx.ConnectTimeout: "connect timeout",
        httpx.PoolTimeout: "connection pool timeout",
        httpx.RemoteProtocolError: "connection dropped",
        httpx.ReadError: "connection reset",
        httpx.WriteError: "connection reset while sending",
    }
    label = names.get(type(exc), type(exc).__name__)
    detail = " ".join(str(exc).split())
    if detail and detail.lower() != label:
        return f"{label}: {excerpt(detail)}"
    return label


def _unbind(response: httpx.Response) -> None:
    """Let a read response be freed as soon as it is dropped.

    httpx's response and its stream refer to each other, so the response, with its body (a
    list page of 100 assistants with long instructions is 0.5 MB), lives until the cyclic
    collector runs; under the CLI's collector thresholds that is a gen-1 pass every few
    dozen pages, by which time dozens of pages' bodies are held (12 MB of a 2,000-assistant
    plan's peak). The stream is spent once the body is read: replacing it breaks the cycle.
    """
    response.stream = _SPENT


_SPENT = httpx.ByteStream(b"")


def _tls_verify(base_url: str) -> ssl.SSLContext | bool:
    """What httpx verifies TLS with: its default (the CA bundle) for an https:// host.

    httpx builds that context, loading every CA certificate (about 30 ms, a tenth of a small
    plan), even for a plain-http host such as the emulator on 127.0.0.1, where no TLS
    connection is ever made. For those, a context with no CA at all: it still checks
    certificates and host names, so a TLS connection made through it anyway (an https
    proxy) fails closed instead of going unverified.
    """
    if base_url.lower().startswith("http://"):
        return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    return True


def _content_type(response: httpx.Response) -> str:
    value = str(response.headers.get("content-type") or "no content type")
    return value.split(";")[0].strip()


def _json(raw: bytes) -> Any:
    """``json.loads``; JSON nested deeper than Python's parser goes is not JSON either."""
    try:
        return json.loads(raw)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


def _kind_of(value: object) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return "null" if value is None else type(value).__name__


def _check_assistant(item: Any, where: str) -> dict[str, Any]:
    """``item`` if it is shaped like an AssistantObject as far as a plan reads it."""
    ident = item.get("id") if isinstance(item, dict) else None
    if not isinstance(item, dict) or not isinstance(ident, str) or not ident.strip():
        raise ApiError(
            f"{where} answered {_kind_of(item)} without an 'id' where an assistant object was "
            "expected; is the base URL an Assistants API host?"
        )
    # A value of another type is refused rather than compared: read as the API default, it
    # would hide from the plan (and from apply) whatever the host really holds.
    for field in ANSWER_CHECKED:
        value = item.get(field.name)
        expected = field.unexpected(value)
        if expected is None:
            continue
        raise ApiError(
            f"{where} answered assistant {ident!r} whose '{field.name}' is {_kind_of(value)} "
            f"({excerpt(repr(value), 40)}), not {expected}; the host does not answer like the "
            "Assistants API."
        )
    for index, tool in enumerate(item.get("tools") or []):
        fn = tool.get("function") if isinstance(tool, dict) else None
        if (
            not isinstance(tool, dict)
            or not isinstance(tool.get("type"), str)
            or (tool["type"] == "function" and not isinstance(fn, dict))
            or (isinstance(fn, dict) and not isinstance(fn.get("name"), str))
        ):
            raise ApiError(
                f"{where} answered assistant {ident!r} whose tools[{index}] is not a tool object "
                f"({excerpt(repr(tool), 60)}); the host does not answer like the Assistants API."
            )
    return item


def _object_path(assistant_id: str) -> str:
    if not isinstance(assistant_id, str) or not assistant_id.strip():
        raise UsageError(f"{assistant_id!r} is not an assistant id; ids look like asst_abc123.")
    return f"{COLLECTION}/{quote(assistant_id, safe='')}"


def _object(answer: Any, url: str) -> dict[str, Any]:
    return _check_assistant(answer, url)


def _page_items(page: Any, url: str) -> list[dict[str, Any]]:
    data = page.get("data") if isinstance(page, dict) else None
    if not isinstance(data, list):
        raise ApiError(
            f"GET {url} answered {_kind_of(page)} without a 'data' list where a list of "
            "assistants was expected; is the base URL an Assistants API host?"
        )
    for item in data:
        _check_assistant(item, f"GET {url}")
    return data
