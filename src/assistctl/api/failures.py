"""A request that failed, told as one of our exceptions: the API's own message, where, what to do.

Every message built from a server answer or an httpx exception is scrubbed of the key.
"""

from __future__ import annotations

import httpx

from assistctl.api.body import TooLarge, Undecodable
from assistctl.api.envelopes import parse_error_body
from assistctl.api.retry import MAX_RETRY_AFTER, permanent_failure
from assistctl.api.secret import scrub
from assistctl.api.target import Target
from assistctl.api.wire import COLLECTION, clip, excerpt
from assistctl.errors import ApiError, AuthError, ConnectionFailed, NotFoundError, OutcomeUnknown

OPENAI_SUNSET = "2026-08-26"


def outcome_unknown(
    method: str, url: str, why: str, key: str | None, retry_after: float | None = None
) -> OutcomeUnknown:
    """A create sent whose answer was lost: the caller must look before sending it again."""
    return OutcomeUnknown(
        f"{method} {url} was sent but its answer was lost ({scrub(why, key)}): the "
        "assistant may or may not have been created, so the request was not retried "
        "(that could create a duplicate); look it up by its ownership label before "
        "creating it again.",
        retry_after=retry_after,
    )


def too_large(method: str, url: str, limit: int, declared: int | None) -> ApiError:
    """An answer past the body ceiling (:mod:`assistctl.api.body`), not read further."""
    size = (
        f"announced {declared:,} bytes"
        if declared is not None
        else f"sent more than {limit // (1024 * 1024)} MiB (after decompression)"
    )
    return ApiError(
        f"{method} {url} {size}, more than any Assistants API answer holds; stopped reading "
        "and closed the connection (is the base URL an Assistants API host?)."
    )


def unread_answer(exc: TooLarge | Undecodable, limit: int) -> str:
    """Why an answer was not used (a create's, whose outcome is then unknown)."""
    if isinstance(exc, TooLarge):
        return f"its answer passed {limit // (1024 * 1024)} MiB and was not read"
    return f"its answer could not be decoded: {exc}"


def undecodable(method: str, url: str, why: str) -> ApiError:
    return ApiError(
        f"{method} {url} answered a body that could not be decoded ({why}); the host or a "
        "proxy in between is broken, try again later."
    )


def describe_exception(exc: httpx.TransportError) -> str:
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


def connection_failed(
    exc: httpx.TransportError, method: str, url: str, retries: int, key: str | None
) -> ConnectionFailed:
    after = f" (after {retries} retries)" if retries else ""
    detail = scrub(describe_exception(exc), key)
    permanent = permanent_failure(exc)
    host = _host(url)
    if permanent == "dns":
        text = (
            f"Could not resolve the host name {host!r} of {url} ({detail}); check --base-url "
            "(a name the DNS does not know is not retried)."
        )
    elif permanent == "certificate":
        text = (
            f"The TLS certificate of {host} was refused ({detail}); check --base-url, or set "
            "SSL_CERT_FILE to the CA bundle that signed it (a refused certificate is not "
            "retried)."
        )
    elif permanent == "tls":
        text = (
            f"The TLS handshake with {host} failed ({detail}); check that --base-url's "
            "scheme and port serve https (a failed handshake is not retried)."
        )
    elif isinstance(exc, httpx.ConnectTimeout):
        text = (
            f"Timed out connecting to {url}{after}; check --base-url and your network "
            "(the host did not answer within the connect timeout)."
        )
    elif isinstance(exc, httpx.ConnectError) and "refused" in detail.lower():
        text = (
            f"Connection refused by {url}{after}; check --base-url and that the server is running."
        )
    elif isinstance(exc, httpx.ConnectError):
        text = f"Could not connect to {url}{after}: {detail}; check --base-url."
    elif isinstance(exc, httpx.TimeoutException):
        text = f"{method} {url} got no answer in time{after}; retry later or raise --timeout."
    else:
        text = f"The connection to {url} failed during {method}{after}: {detail}."
    return ConnectionFailed(text)


def _host(url: str) -> str:
    try:
        return httpx.URL(url).host or url
    except httpx.InvalidURL:  # pragma: no cover - the client only sends valid URLs
        return url


def api_error(
    response: httpx.Response,
    method: str,
    path: str,
    retries: int,
    target: Target,
    key: str | None,
    *,
    refused_wait: float | None = None,
) -> ApiError:
    """The error answer as an :class:`ApiError` (or its 401/403/404 kinds) with a hint.

    ``refused_wait``: the server asked to wait that long before retrying, longer than
    :data:`~assistctl.api.retry.MAX_RETRY_AFTER`.
    """
    status = response.status_code
    url = target.base_url + path
    parsed = parse_error_body(response, target.provider.error_envelope)
    message = clip(scrub(parsed.message, key))
    where = f"({method} {url}"
    if retries:
        where += f", gave up after {retries} retries"
    where += ")"
    hints = [where]
    cls: type[ApiError] = ApiError
    if status == 401:
        cls = AuthError
        if key is None:
            hints.append(f"No key was sent. {target.key_hint()}")
        else:
            hints.append(f"The API key was refused. {target.key_hint()}")
    elif status == 403:
        cls = AuthError
        hints.append(
            "The key is not allowed to use the Assistants API there; check its project, "
            "permissions and region."
        )
    elif status == 404 and path == COLLECTION:
        cls = NotFoundError
        hints.append(_not_served_hint(target))
    elif status == 404:
        cls = NotFoundError
    elif 300 <= status < 400:
        location = scrub(response.headers.get("location", "elsewhere"), key)
        hints.append(f"The host redirects to {location}; set --base-url to the final URL.")
    elif status == 429 or status >= 500:
        hints.append("Try again later, or raise --max-retries.")
    if refused_wait is not None:
        hints.append(
            f"The server asked to wait {refused_wait:.0f} s before retrying, longer "
            f"than assistctl waits ({MAX_RETRY_AFTER:.0f} s); try again later."
        )
    return cls(
        message,
        status=status,
        code=parsed.code,
        param=parsed.param,
        url=url,
        hint=" ".join(hints),
    )


def _not_served_hint(target: Target) -> str:
    base = target.base_url
    text = f"{base} does not serve the Assistants API (no {COLLECTION} there)"
    if target.is_openai_host:
        return (
            f"{base} does not serve the Assistants API any more: OpenAI sunset the "
            f"Assistants API on {OPENAI_SUNSET}; point --base-url at a host that still "
            "serves it (AIML API, Laplas, Azure OpenAI or another compatible host: "
            "see 'assistctl providers')."
        )
    prefix = target.provider.path_prefix
    path = httpx.URL(base).path.rstrip("/")
    if prefix and not path.endswith(prefix):
        return (
            f"{text}; {target.provider.name} paths usually start with {prefix}, check --base-url."
        )
    if not prefix and path.endswith("/v1"):
        return f"{text}; {target.provider.name} paths have no /v1, check --base-url."
    return f"{text}; check --base-url and --provider."
