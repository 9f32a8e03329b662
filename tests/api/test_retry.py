"""The retry policy as a table: an attempt and what answered it -> retry after N s, or not."""

from __future__ import annotations

import email.utils
from typing import Any

import httpx
import pytest

from assistctl.api.retry import MAX_RETRY_AFTER, Attempt, Decision, Kind, backoff, decide

NOW = 1_800_000_000.0
IN_30_S = email.utils.formatdate(NOW + 30, usegmt=True)


def attempt(
    kind: Kind = "read",
    *,
    method: str | None = None,
    retries: int = 0,
    max_retries: int = 5,
    landed: bool = False,
) -> Attempt:
    default = {"read": "GET", "create": "POST", "idempotent": "POST"}[kind]
    return Attempt(method or default, kind, retries, max_retries, landed)


def error(cls: type[httpx.TransportError], text: str = "boom") -> httpx.TransportError:
    return cls(text)


# (attempt, answer: a status with headers, or an exception, jitter) -> decision
CASES: dict[str, tuple[Attempt, int | httpx.TransportError, dict[str, str], float, Decision]] = {
    "200": (attempt(), 200, {}, 0.0, Decision("success", landed=True)),
    "201-create": (attempt("create"), 201, {}, 0.0, Decision("success", landed=True)),
    "400-is-final": (attempt(), 400, {}, 0.0, Decision("fail")),
    "404-read": (attempt(landed=True), 404, {}, 0.0, Decision("fail")),
    "408": (attempt(), 408, {}, 0.0, Decision("retry", delay=0.5)),
    "409": (attempt(), 409, {}, 0.0, Decision("retry", delay=0.5)),
    "429-backoff": (attempt(retries=2), 429, {}, 0.0, Decision("retry", delay=2.0)),
    "429-jitter": (attempt(), 429, {}, 1.0, Decision("retry", delay=0.375)),
    "429-retry-after-ms": (
        attempt(),
        429,
        {"retry-after-ms": "1500", "retry-after": "9"},
        0.0,
        Decision("retry", delay=1.5, retry_after=1.5),
    ),
    "429-retry-after-s": (
        attempt(),
        429,
        {"retry-after": "2.5"},
        0.0,
        Decision("retry", delay=2.5, retry_after=2.5),
    ),
    "429-retry-after-date": (
        attempt(),
        429,
        {"retry-after": IN_30_S},
        0.0,
        Decision("retry", delay=30.0, retry_after=30.0),
    ),
    "429-retry-after-zero-backs-off": (
        attempt(retries=1),
        429,
        {"retry-after": "0"},
        0.0,
        Decision("retry", delay=1.0, retry_after=0.0),
    ),
    "429-wait-too-long": (
        attempt(),
        429,
        {"retry-after": "999"},
        0.0,
        Decision("fail", retry_after=999.0, wait_refused=True),
    ),
    "400-long-retry-after-is-no-refusal": (
        attempt(),
        400,
        {"retry-after": "999"},
        0.0,
        Decision("fail", retry_after=999.0),
    ),
    "429-create-is-safe-to-retry": (attempt("create"), 429, {}, 0.0, Decision("retry", delay=0.5)),
    "500-landed": (attempt(), 500, {}, 0.0, Decision("retry", delay=0.5, landed=True)),
    "500-capped-at-8s": (
        attempt(retries=9, max_retries=20),
        500,
        {},
        0.0,
        Decision("retry", delay=8.0, landed=True),
    ),
    "500-out-of-retries": (attempt(retries=5), 500, {}, 0.0, Decision("fail")),
    "500-no-retries-at-all": (attempt(max_retries=0), 503, {}, 0.0, Decision("fail")),
    "500-server-says-no": (attempt(), 500, {"x-should-retry": "false"}, 0.0, Decision("fail")),
    "400-server-says-yes": (
        attempt(),
        400,
        {"x-should-retry": "true"},
        0.0,
        Decision("retry", delay=0.5),
    ),
    "500-create-unknown": (
        attempt("create"),
        502,
        {"retry-after": "3"},
        0.0,
        Decision("unknown", retry_after=3.0, landed=True),
    ),
    "500-create-server-says-retry": (
        attempt("create"),
        500,
        {"x-should-retry": "true"},
        0.0,
        Decision("retry", delay=0.5, landed=True),
    ),
    "404-delete-after-a-lost-attempt": (
        attempt("idempotent", method="DELETE", landed=True),
        404,
        {},
        0.0,
        Decision("deleted", landed=True),
    ),
    "404-delete-first-attempt": (
        attempt("idempotent", method="DELETE"),
        404,
        {},
        0.0,
        Decision("fail"),
    ),
    "404-modify-after-a-lost-attempt": (
        attempt("idempotent", landed=True),
        404,
        {},
        0.0,
        Decision("fail"),
    ),
    "refused-create-never-sent": (
        attempt("create"),
        error(httpx.ConnectError, "[Errno 111] Connection refused"),
        {},
        0.0,
        Decision("retry", delay=0.5),
    ),
    "connect-timeout": (
        attempt(retries=1),
        error(httpx.ConnectTimeout),
        {},
        0.0,
        Decision("retry", delay=1.0),
    ),
    "read-timeout-create-unknown": (
        attempt("create"),
        error(httpx.ReadTimeout),
        {},
        0.0,
        Decision("unknown", landed=True),
    ),
    "dropped-create-unknown": (
        attempt("create"),
        error(httpx.RemoteProtocolError),
        {},
        0.0,
        Decision("unknown", landed=True),
    ),
    "read-timeout-read-landed": (
        attempt(),
        error(httpx.ReadTimeout),
        {},
        0.0,
        Decision("retry", delay=0.5, landed=True),
    ),
    "dropped-modify-out-of-retries": (
        attempt("idempotent", retries=5),
        error(httpx.RemoteProtocolError),
        {},
        0.0,
        Decision("fail", landed=True),
    ),
    "refused-keeps-an-earlier-landing": (
        attempt("idempotent", method="DELETE", landed=True),
        error(httpx.ConnectError),
        {},
        0.0,
        Decision("retry", delay=0.5, landed=True),
    ),
    "unsupported-protocol-is-final": (
        attempt(),
        error(httpx.UnsupportedProtocol),
        {},
        0.0,
        Decision("fail", landed=True),
    ),
    "untrusted-certificate-is-final": (
        attempt(),
        error(httpx.ConnectError, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed"),
        {},
        0.0,
        Decision("fail"),
    ),
}


@pytest.mark.parametrize(
    ("case", "answer", "headers", "jitter", "expected"), CASES.values(), ids=CASES
)
def test_the_policy(
    case: Attempt,
    answer: int | httpx.TransportError,
    headers: dict[str, str],
    jitter: float,
    expected: Decision,
) -> None:
    given: dict[str, Any] = (
        {"error": answer}
        if isinstance(answer, httpx.TransportError)
        else {"status": answer, "headers": httpx.Headers(headers)}
    )
    assert decide(case, jitter=jitter, now=NOW, **given) == expected


def test_backoff_is_bounded_and_the_server_wins_within_bounds() -> None:
    assert [backoff(n, None, 0.0) for n in range(6)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    assert backoff(10_000, None, 0.0) == 8.0  # no overflow on a huge attempt number
    assert backoff(0, None, 0.999) == pytest.approx(0.375, abs=1e-3)
    assert backoff(3, 7.0, 0.0) == 7.0
    assert backoff(3, MAX_RETRY_AFTER + 1, 0.0) == 4.0
    assert backoff(3, -1.0, 0.0) == 4.0


def test_an_attempt_needs_an_answer() -> None:
    with pytest.raises(ValueError, match="status or an error"):
        decide(attempt())
