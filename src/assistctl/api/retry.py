"""When a request is tried again, and after how long: one pure decision per attempt.

The official SDK's policy as a floor: 408, 409, 429, 5xx and connection errors are retried
(a server's ``x-should-retry`` overrides the status); the delay comes from
``retry-after-ms``, then ``retry-after`` (seconds or an HTTP date), else
``min(0.5 * 2**n, 8)`` seconds minus up to 25 % jitter; at most ``max_retries`` retries; a
server asking to wait more than 120 s gets an error instead of a long sleep.

Creates are never blindly retried once the request may have reached the server (read
timeout, dropped connection, 5xx): the outcome is unknown, and the caller looks the
assistant up by its ownership label first. Failures before anything was sent (refused
connection, connect timeout) are retried for every method. A delete answered 404 after an
earlier attempt may have reached the server was done by that attempt.
"""

from __future__ import annotations

import email.utils
import math
import socket
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import httpx

DEFAULT_MAX_RETRIES = 5
INITIAL_RETRY_DELAY = 0.5
MAX_RETRY_DELAY = 8.0
MAX_RETRY_AFTER = 120.0

Kind = Literal["read", "idempotent", "create"]
"""What a retry may cost: nothing (a read), nothing more (a modify or delete), or a
duplicate (a create)."""

Verdict = Literal["success", "retry", "fail", "unknown", "deleted"]
"""``success``: decode the answer; ``retry``: wait :attr:`Decision.delay` and send again;
``fail``: give up with the error answered; ``unknown``: a create may or may not have been
made; ``deleted``: an earlier attempt did the delete."""


@dataclass(frozen=True)
class Attempt:
    """One attempt of a request, as the policy sees it."""

    method: str
    kind: Kind
    retries: int
    """Retries made before this attempt (0 for the first)."""
    max_retries: int
    landed_before: bool = False
    """An earlier attempt may have reached the server."""


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    delay: float = 0.0
    """``retry``: seconds to wait before sending again."""
    retry_after: float | None = None
    """The wait the server asked for, if any (apply honours it before re-sending a create)."""
    wait_refused: bool = False
    """``fail`` because the server asked to wait longer than :data:`MAX_RETRY_AFTER`."""
    landed: bool = False
    """This attempt or an earlier one may have reached the server."""


def decide(
    attempt: Attempt,
    *,
    status: int | None = None,
    headers: Mapping[str, str] | None = None,
    error: httpx.TransportError | None = None,
    jitter: float = 0.0,
    now: float | None = None,
) -> Decision:
    """What to do after ``attempt`` was answered ``status`` with ``headers``, or failed with
    ``error``. ``headers`` are looked up by lower-case name (``httpx.Headers`` does that);
    ``jitter`` is a random number in [0, 1); ``now`` is the clock an HTTP-date
    ``retry-after`` is read against (default: the current time)."""
    if error is not None:
        return _after_error(attempt, error, jitter)
    if status is None:
        raise ValueError("decide() needs a status or an error")
    return _after_answer(attempt, status, headers or {}, jitter, now)


def _after_error(attempt: Attempt, error: httpx.TransportError, jitter: float) -> Decision:
    sent = not before_send(error)
    landed = attempt.landed_before or sent
    if sent and attempt.kind == "create":
        return Decision("unknown", landed=True)
    if not retryable_error(error) or attempt.retries >= attempt.max_retries:
        return Decision("fail", landed=landed)
    return Decision("retry", delay=backoff(attempt.retries, None, jitter), landed=landed)


def _after_answer(
    attempt: Attempt, status: int, headers: Mapping[str, str], jitter: float, now: float | None
) -> Decision:
    if 200 <= status < 300:
        return Decision("success", landed=True)
    verdict = _should_retry(headers)
    if attempt.kind == "create" and status >= 500 and verdict is not True:
        return Decision("unknown", retry_after=parse_retry_after(headers, now), landed=True)
    if (
        attempt.kind == "idempotent"
        and attempt.method == "DELETE"
        and status == 404
        and attempt.landed_before
    ):
        return Decision("deleted", landed=True)
    if verdict is None:
        verdict = status in (408, 409, 429) or status >= 500
    retry_after = parse_retry_after(headers, now)
    if verdict and retry_after is not None and retry_after > MAX_RETRY_AFTER:
        return Decision("fail", retry_after=retry_after, wait_refused=True)
    if not verdict or attempt.retries >= attempt.max_retries:
        return Decision("fail", retry_after=retry_after)
    return Decision(
        "retry",
        delay=backoff(attempt.retries, retry_after, jitter),
        retry_after=retry_after,
        landed=attempt.landed_before or status >= 500,
    )


def backoff(retries: int, retry_after: float | None, jitter: float) -> float:
    """Seconds to wait before retry number ``retries`` (0-based): the server's
    ``retry-after`` when it gave a usable one, else exponential with ``jitter`` in [0, 1)."""
    if retry_after is not None and 0 < retry_after <= MAX_RETRY_AFTER:
        return retry_after
    base = min(INITIAL_RETRY_DELAY * math.pow(2.0, min(retries, 64)), MAX_RETRY_DELAY)
    return max(0.0, base * (1 - 0.25 * jitter))


def parse_retry_after(headers: Mapping[str, str], now: float | None = None) -> float | None:
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
        return float(email.utils.mktime_tz(parsed) - (time.time() if now is None else now))
    except (TypeError, ValueError, OverflowError):
        return None


def _should_retry(headers: Mapping[str, str]) -> bool | None:
    """The server's explicit ``x-should-retry`` verdict, or None to decide by status."""
    value = headers.get("x-should-retry")
    if value == "true":
        return True
    if value == "false":
        return False
    return None


def before_send(error: httpx.TransportError) -> bool:
    """True when the request certainly never reached the server."""
    return isinstance(error, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)


def retryable_error(error: httpx.TransportError) -> bool:
    if isinstance(error, httpx.LocalProtocolError | httpx.UnsupportedProtocol | httpx.ProxyError):
        return False
    return permanent_failure(error) is None


PermanentFailure = Literal["dns", "certificate", "tls"]


def permanent_failure(error: httpx.TransportError) -> PermanentFailure | None:
    """Why a connection failed for good, if it did: a name that does not resolve, or a TLS
    certificate (``certificate``) or handshake (``tls``) that is refused. A name missing from
    DNS or a certificate the system does not trust will not appear in a few seconds, and
    retrying them only hides the cause for a dozen seconds more."""
    if not isinstance(error, httpx.ConnectError):
        return None
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, socket.gaierror):
            return "dns"
        if isinstance(cause, ssl.SSLCertVerificationError):
            return "certificate"
        if isinstance(cause, ssl.SSLError):
            return "tls"
        cause = cause.__cause__ or cause.__context__
    # httpx keeps the cause; the text is a second chance for a transport that does not.
    text = str(error)
    if "CERTIFICATE_VERIFY_FAILED" in text:
        return "certificate"
    if any(sign in text for sign in _DNS_TEXTS):
        return "dns"
    return None


_DNS_TEXTS = (
    "Name or service not known",
    "nodename nor servname provided",
    "No address associated with hostname",
    "Temporary failure in name resolution",
    "getaddrinfo failed",
)
